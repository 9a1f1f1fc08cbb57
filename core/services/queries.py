"""What a connected government system may read: the public record of each tender.

The rule is "public, or published to the platforms anyway": projects, tender projects and
sections (the hub sends them to the provincial and national platforms as data sets 500-502 as
soon as they exist), published notices, and each step of a round once the law makes it public,
as ``core.services.public_record`` decides for every reader of the public record.

These reads take no principal: who may call them is the transport's decision (the Web Service
admits system clients and administrators); what they show is the same for every caller.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError, not_found
from core.model.notice import Notice, NoticeStatus
from core.model.project import Project, Section, TenderProject
from core.model.tendering import Award, OpeningRecord, Publicity, Round
from core.rules.calendar import require_aware
from core.services import public_record
from core.services.notices import get_published
from core.services.paging import Page, PageRequest, paginate
from core.services.tendering.award import CandidateView, candidate_views, winner_view
from core.uow import UnitOfWork

T = TypeVar("T")


def _range(start: datetime | None, end: datetime | None) -> None:
    if start is not None:
        require_aware(start, "from")
    if end is not None:
        require_aware(end, "to")
    if start is not None and end is not None and end < start:
        raise DomainError("RANGE_INVALID", "结束时间不能早于开始时间",
                          "the end of the range is before its start", field="to")


def project(uow: UnitOfWork, code: str) -> Project:
    found = uow.session.scalars(select(Project).where(Project.code == code)).one_or_none()
    if found is None:
        raise not_found("项目", "project", code)
    return found


def projects_created(uow: UnitOfWork, request: PageRequest, start: datetime | None = None,
                     end: datetime | None = None) -> Page[Project]:
    """Projects created in [start, end), oldest first (a peer catching up reads forward)."""
    _range(start, end)
    query = select(Project)
    if start is not None:
        query = query.where(Project.created_at >= start)
    if end is not None:
        query = query.where(Project.created_at < end)
    return paginate(uow.session, query.order_by(Project.created_at, Project.id), request)


def section(uow: UnitOfWork, code: str) -> tuple[Section, list[Round]]:
    """The section with its public rounds."""
    found = uow.session.scalars(select(Section).where(Section.code == code)).one_or_none()
    if found is None:
        raise not_found("标段(包)", "section", code)
    return found, public_record.public_rounds(uow.session, found)


def notice(uow: UnitOfWork, notice_id: int) -> Notice:
    return get_published(uow, notice_id)


def notices_published(uow: UnitOfWork, request: PageRequest, start: datetime | None = None,
                      end: datetime | None = None) -> Page[Notice]:
    """Published tender notices and their follow-ups with a publication time in [start, end),
    oldest first. Not the notices the lifecycle generates: a peer reads the opening record,
    candidates, result and contract as records of their own (below), never as notices."""
    _range(start, end)
    query = (select(Notice).join(Notice.tender_project).join(TenderProject.project)
             .where(Notice.status == NoticeStatus.PUBLISHED.value, Notice.round_id.is_(None)))
    if start is not None:
        query = query.where(Notice.published_at >= start)
    if end is not None:
        query = query.where(Notice.published_at < end)
    return paginate(uow.session, query.order_by(Notice.published_at, Notice.id), request)


def _latest(uow: UnitOfWork, section_code: str, stage: Callable[[Session, Round], T | None],
            what_zh: str, what_en: str) -> tuple[Round, T]:
    """The latest round of the section at which ``stage`` is public, with what it shows."""
    rounds = uow.session.scalars(select(Round).join(Round.section)
                                 .where(Section.code == section_code)
                                 .order_by(Round.round_no.desc()))
    for r in rounds:
        found = stage(uow.session, r)
        if found is not None:
            return r, found
    raise not_found(what_zh, what_en, section_code)


def opening_record(uow: UnitOfWork, section_code: str) -> tuple[Round, OpeningRecord]:
    """The latest signed opening record (开标记录) of the section."""
    return _latest(uow, section_code, public_record.opening_record, "开标记录", "opening record")


def candidates(uow: UnitOfWork, section_code: str
               ) -> tuple[Round, Publicity, list[CandidateView]]:
    """The candidates of the latest round whose publicity (中标候选人公示) has started."""
    r, publicity = _latest(uow, section_code, public_record.candidates_publicity,
                           "中标候选人公示", "candidates publicity")
    return r, publicity, candidate_views(uow, r)


def result(uow: UnitOfWork, section_code: str) -> tuple[Round, Award, CandidateView]:
    """The winner of the latest round with an award notice (中标结果)."""
    r, award = _latest(uow, section_code, public_record.award, "中标结果", "result")
    return r, award, winner_view(uow, r, award)


def contract(uow: UnitOfWork, section_code: str) -> tuple[Round, Award, CandidateView]:
    """The contract on record (合同) of the latest round that has one."""
    r, award = _latest(uow, section_code, public_record.contract, "合同", "contract")
    return r, award, winner_view(uow, r, award)
