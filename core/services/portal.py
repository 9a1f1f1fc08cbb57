"""What the portal's pages read beyond the notice itself: the dates a tender notice announces,
the tenderer and agency a bidder contacts, the other notices of the same tender, and the
openings of a day.

Everything here is public already: a published notice, the parties it names (their contacts are
printed in the notice by law, 招标投标法实施条例 第十五条 and 发改委令10号 第五条), the schedule
of rounds whose documents are out or announced, and the tender notices of each opening. Nothing
of a sealed bid, a score or a committee is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.clock import SHANGHAI
from core.model.notice import Notice, NoticeStatus
from core.model.party import Party
from core.model.project import Section
from core.model.tendering import Round
from core.services import public_record
from core.services.lifecycle_notices import label
from core.services.notices import get_published
from core.uow import UnitOfWork


@dataclass(frozen=True)
class SectionSchedule:
    """One section as its tender notice announces it: its current round's dates."""

    section: Section
    round_no: int | None
    status: str | None
    documents_from: datetime | None
    documents_until: datetime | None
    bid_deadline: datetime | None
    deposit: Decimal | None


@dataclass(frozen=True)
class NoticeDetail:
    notice: Notice
    label: str  # the notice type's name in the domain's own words
    tenderer: Party
    agency: Party | None
    schedules: list[SectionSchedule]
    related: list[tuple[Notice, str]]  # the other published notices of the tender, with label


@dataclass(frozen=True)
class Opening:
    """A round whose bids are opened (at the bid deadline) on the day asked for."""

    opening_at: datetime
    section: Section
    round_no: int
    status: str
    tender_notice_id: int | None
    opening_record_id: int | None  # the 开标记录 once it is published


def _latest_round(uow: UnitOfWork, section: Section) -> Round | None:
    return uow.session.scalars(select(Round).where(Round.section_id == section.id)
                               .order_by(Round.round_no.desc()).limit(1)).first()


def _schedule(uow: UnitOfWork, notice: Notice, section: Section) -> SectionSchedule:
    r = _latest_round(uow, section)
    if r is None:
        return SectionSchedule(section, None, None, None, None, None, None)
    return SectionSchedule(section, r.round_no, r.status,
                           r.documents_issued_at or notice.published_at,
                           r.documents_available_until or r.bid_deadline, r.bid_deadline,
                           r.deposit)


def related_notices(uow: UnitOfWork, notice: Notice) -> list[tuple[Notice, str]]:
    """The other published notices of the same tender project, in the order they appeared."""
    domain = notice.tender_project.project.domain
    rows = uow.session.scalars(select(Notice).where(
        Notice.tender_project_id == notice.tender_project_id, Notice.id != notice.id,
        Notice.status == NoticeStatus.PUBLISHED.value)
        .order_by(Notice.published_at, Notice.id))
    return [(n, label(n.notice_type, domain)) for n in rows]


def notice_detail(uow: UnitOfWork, notice_id: int) -> NoticeDetail:
    """A published notice with what its page shows around it (NOT_FOUND otherwise)."""
    notice = get_published(uow, notice_id)
    project = notice.tender_project.project
    tenderer = uow.session.get(Party, project.owner_party_id)
    assert tenderer is not None
    agency = (uow.session.get(Party, project.agency_party_id)
              if project.agency_party_id is not None else None)
    schedules = ([] if notice.round_id is not None
                 else [_schedule(uow, notice, s) for s in notice.sections])
    return NoticeDetail(notice, label(notice.notice_type, project.domain), tenderer, agency,
                        schedules, related_notices(uow, notice))


def beijing_day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, SHANGHAI)
    return start, start + timedelta(days=1)


def openings_on(uow: UnitOfWork, day: date) -> list[Opening]:
    """Rounds whose bid deadline (the opening, 招标投标法 第三十四条) falls on ``day`` in
    Beijing, earliest first, of the rounds the public record holds (not a draft)."""
    start, end = beijing_day(day)
    rounds = uow.session.scalars(select(Round).where(
        Round.bid_deadline >= start, Round.bid_deadline < end)
        .order_by(Round.bid_deadline, Round.id))
    found = []
    for r in filter(public_record.round_is_public, rounds):
        generated = uow.session.scalars(select(Notice.id).where(
            Notice.round_id == r.id, Notice.notice_type == "opening_record")).first()
        tender = uow.session.scalars(
            select(Notice.id).join(Notice.sections).where(
                Section.id == r.section_id, Notice.status == NoticeStatus.PUBLISHED.value,
                Notice.round_id.is_(None)).order_by(Notice.published_at.desc())).first()
        found.append(Opening(r.bid_deadline, r.section, r.round_no, r.status, tender, generated))
    return found
