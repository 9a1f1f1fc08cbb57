"""The official holiday schedule: which calendar decides deadlines, and how a year becomes official.

A year becomes official the way a published notice does at the centre: one administrator loads the
State Council's notice (:func:`propose_year`), a *different* administrator approves it
(:func:`approve_year`), both audited. Approval re-reckons every open deadline that a provisional
year decided (:mod:`core.services.deadlines`) in the same transaction, so the schedule and the
deadlines it moves change together or not at all.

:func:`calendar_of` is what use cases reckon on: the approved years from the database (read once
per change of the schedule, not per request) and provisional reckoning for the rest.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.event_payloads import CalendarNoticeBrief, CalendarYearApprovedPayload
from core.events import DomainEvent, EventType
from core.model.account import AccountKind
from core.model.calendar import (
    CalendarDay,
    CalendarNotice,
    CalendarNoticeStatus,
    CalendarSource,
)
from core.rules.calendar import HolidayCalendar, OfficialYear, YearStatus, beijing_date
from core.rules.holidays import FIRST_COMPUTABLE_YEAR, LAST_COMPUTABLE_YEAR, plausible_year
from core.security.access import require_kind
from core.security.principal import Principal
from core.services import deadlines
from core.services.calendar_document import NoticeDocument, parse_notice, remarks
from core.services.validation import required_text
from core.uow import UnitOfWork

CALENDAR_ORDERING_KEY = "calendar"
#: Operators are warned this many days before the official calendar runs out (issue 9).
WARN_DAYS = 60

_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], HolidayCalendar]] = {}


# -- reading the schedule -------------------------------------------------------------------------


def _revision(session: Session) -> tuple[Any, ...]:
    """Changes whenever the set of approved notices does (an approval replaces one id)."""
    row = session.execute(
        select(func.count(CalendarNotice.id), func.coalesce(func.sum(CalendarNotice.id), 0),
               func.max(CalendarNotice.decided_at))
        .where(CalendarNotice.status == CalendarNoticeStatus.APPROVED)).one()
    return int(row[0]), int(row[1]), row[2]


def _load(session: Session) -> HolidayCalendar:
    rows = session.execute(
        select(CalendarNotice.year, CalendarNotice.notice_number, CalendarDay.day,
               CalendarDay.kind)
        .join(CalendarDay, CalendarDay.notice_id == CalendarNotice.id, isouter=True)
        .where(CalendarNotice.status == CalendarNoticeStatus.APPROVED)).all()
    rest: dict[int, set[date]] = {}
    work: dict[int, set[date]] = {}
    sources: dict[int, str] = {}
    for year, number, day, kind in rows:
        sources[year] = number
        rest.setdefault(year, set())
        work.setdefault(year, set())
        if day is not None:
            (rest if kind == "rest" else work)[year].add(day)
    return HolidayCalendar.of(
        OfficialYear(y, frozenset(rest[y]), frozenset(work[y]), sources[y]) for y in sources)


def calendar_from(session: Session) -> HolidayCalendar:
    """The calendar as the database holds it now; rebuilt only when an approval changed it."""
    key = str(session.get_bind().engine.url)
    revision = _revision(session)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == revision:
            return cached[1]
    calendar = _load(session)
    with _cache_lock:
        _cache[key] = (revision, calendar)
    return calendar


def calendar_of(uow: UnitOfWork) -> HolidayCalendar:
    return calendar_from(uow.session)


# -- health ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarHealth:
    """How long the official schedule lasts from today; operators are warned before it ends."""

    today: date
    official_until: date | None
    days_left: int  # 0 when today's own year is not official

    @property
    def warning(self) -> str | None:
        if self.days_left > WARN_DAYS:
            return None
        if self.official_until is None:
            return (f"{self.today.year} 年节假日安排尚未导入，期限按暂定日历从严计算 / the "
                    f"{self.today.year} holiday schedule is not loaded: deadlines are reckoned "
                    "provisionally")
        return (f"官方节假日安排截至 {self.official_until}（剩 {self.days_left} 天），请导入"
                f"{self.official_until.year + 1} 年国务院通知 / the official holiday schedule ends "
                f"{self.official_until} ({self.days_left} days left): load the State Council's "
                f"notice for {self.official_until.year + 1} (ggzy calendar import)")


def health(calendar: HolidayCalendar, today: date) -> CalendarHealth:
    until = calendar.official_until(today)
    left = 0 if until is None else (until - today).days
    return CalendarHealth(today, until, left)


def current_health(uow: UnitOfWork) -> CalendarHealth:
    return health(calendar_of(uow), beijing_date(uow.clock.now()))


# -- maker-checker --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    notice: CalendarNotice
    remarks: list[str]


def _proposal_view(n: CalendarNotice) -> CalendarNoticeBrief:
    return {"id": n.id, "year": n.year, "status": n.status, "notice_number": n.notice_number,
            "notice_date": n.notice_date, "notice_title": n.notice_title,
            "document_sha256": n.document_sha256, "proposed_by": n.proposed_by,
            "proposed_at": n.proposed_at, "decided_by": n.decided_by, "decided_at": n.decided_at}


def propose_year(uow: UnitOfWork, principal: Principal, document: Any,
                 year: int | None = None) -> Proposal:
    """An administrator loads a year's notice; it decides nothing until another approves it."""
    require_kind(principal, AccountKind.ADMIN)
    doc: NoticeDocument = parse_notice(document, year)
    pending = uow.session.scalar(select(CalendarNotice.id).where(
        CalendarNotice.year == doc.year, CalendarNotice.document_sha256 == doc.sha256,
        CalendarNotice.status.in_([CalendarNoticeStatus.PROPOSED,
                                   CalendarNoticeStatus.APPROVED])))
    if pending is not None:
        raise DomainError("CALENDAR_ALREADY_LOADED", f"{doc.year} 年的这份节假日安排已导入（编号 "
                          f"{pending}）", f"this schedule for {doc.year} is already loaded "
                          f"(id {pending})", ErrorKind.CONFLICT, id=pending)
    notice = CalendarNotice(
        year=doc.year, status=CalendarNoticeStatus.PROPOSED.value,
        source=CalendarSource.NOTICE.value, notice_number=doc.number,
        notice_date=doc.notice_date, notice_title=doc.title, document_sha256=doc.sha256,
        proposed_by=principal.actor, proposed_at=uow.clock.now())
    uow.session.add(notice)
    uow.session.flush()
    uow.session.add_all(CalendarDay(notice_id=notice.id, day=d.day, kind=d.kind,
                                    holiday=d.holiday) for d in doc.days)
    uow.record(principal.actor, "calendar.propose", "calendar_notice", notice.id, None,
               {**snapshot(notice), "days": [[d.day, d.kind, d.holiday] for d in doc.days]})
    return Proposal(notice, remarks(doc))


def _pending(uow: UnitOfWork, proposal_id: int) -> CalendarNotice:
    notice = uow.session.get(CalendarNotice, proposal_id, with_for_update=True)
    if notice is None:
        raise not_found("节假日安排", "calendar proposal", proposal_id)
    if notice.status != CalendarNoticeStatus.PROPOSED:
        raise DomainError("CALENDAR_PROPOSAL_NOT_PENDING", f"该节假日安排已{notice.status}",
                          f"this schedule is already {notice.status}", ErrorKind.CONFLICT)
    return notice


def _checker(principal: Principal, notice: CalendarNotice) -> None:
    require_kind(principal, AccountKind.ADMIN)
    if principal.actor == notice.proposed_by:
        raise DomainError("CALENDAR_APPROVER_IS_PROPOSER",
                          "导入节假日安排的管理员不能自行审批，须由另一名管理员审批",
                          "the administrator who loaded a schedule cannot decide it; another "
                          "administrator must", ErrorKind.FORBIDDEN)


@dataclass(frozen=True)
class Approval:
    notice: CalendarNotice
    moved: list[deadlines.MovedDeadline]
    confirmed: int  # provisional deadlines that stand as reckoned


def approve_year(uow: UnitOfWork, principal: Principal, proposal_id: int) -> Approval:
    """A second administrator approves: the year is official from now on, and every open deadline
    it decides is re-reckoned — each one that moves is audited and announced."""
    notice = _pending(uow, proposal_id)
    _checker(principal, notice)
    now = uow.clock.now()
    for old in uow.session.scalars(select(CalendarNotice).where(
            CalendarNotice.year == notice.year,
            CalendarNotice.status == CalendarNoticeStatus.APPROVED)):
        before = snapshot(old)
        old.status = CalendarNoticeStatus.SUPERSEDED.value
        uow.record(principal.actor, "calendar.supersede", "calendar_notice", old.id, before,
                   snapshot(old))
    uow.session.flush()  # one approved notice per year, even between these two statements
    before = snapshot(notice)
    notice.status = CalendarNoticeStatus.APPROVED.value
    notice.decided_by = principal.actor
    notice.decided_at = now
    uow.record(principal.actor, "calendar.approve", "calendar_notice", notice.id, before,
               snapshot(notice))
    uow.session.flush()
    outcome = deadlines.recompute(uow, _load(uow.session), notice.year, principal.actor)
    payload: CalendarYearApprovedPayload = {
        **_proposal_view(notice), "moved": len(outcome.moved), "confirmed": outcome.confirmed}
    uow.emit(DomainEvent(EventType.CALENDAR_YEAR_APPROVED, "calendar", str(notice.year),
                         CALENDAR_ORDERING_KEY, payload), principal.actor)
    return Approval(notice, outcome.moved, outcome.confirmed)


def reject_year(uow: UnitOfWork, principal: Principal, proposal_id: int,
                reason: str) -> CalendarNotice:
    notice = _pending(uow, proposal_id)
    _checker(principal, notice)
    text = required_text(reason, "reason", 500)
    before = snapshot(notice)
    notice.status = CalendarNoticeStatus.REJECTED.value
    notice.decided_by = principal.actor
    notice.decided_at = uow.clock.now()
    notice.reason = text
    uow.record(principal.actor, "calendar.reject", "calendar_notice", notice.id, before,
               snapshot(notice))
    return notice


def list_proposals(uow: UnitOfWork, principal: Principal,
                   year: int | None = None) -> list[CalendarNotice]:
    require_kind(principal, AccountKind.ADMIN)
    query = select(CalendarNotice).order_by(CalendarNotice.id.desc()).limit(200)
    if year is not None:
        query = query.where(CalendarNotice.year == year)
    else:
        query = query.where(CalendarNotice.source == CalendarSource.NOTICE)
    return list(uow.session.scalars(query))


# -- the public view of a year --------------------------------------------------------------------


@dataclass(frozen=True)
class DayView:
    day: date
    kind: str  # rest | work | may_rest | may_work
    holiday: str


@dataclass(frozen=True)
class YearView:
    year: int
    status: YearStatus
    notice_number: str | None
    notice_title: str | None
    notice_date: date | None
    approved_at: Any
    source: str | None
    days: list[DayView]  # official: the notice's days; provisional: holidays and unsettled days
    official_until: date | None


def _check_year(year: int) -> None:
    if not FIRST_COMPUTABLE_YEAR <= year <= LAST_COMPUTABLE_YEAR:
        raise DomainError("CALENDAR_YEAR_INVALID",
                          f"年份须在 {FIRST_COMPUTABLE_YEAR}–{LAST_COMPUTABLE_YEAR} 之间",
                          f"the year must lie in {FIRST_COMPUTABLE_YEAR}–{LAST_COMPUTABLE_YEAR}",
                          field="year")


def show_year(uow: UnitOfWork, year: int) -> YearView:
    """Public: whether ``year`` is official, and its days (or, provisional, what is forecast)."""
    _check_year(year)
    today = beijing_date(uow.clock.now())
    until = calendar_of(uow).official_until(today)
    notice = uow.session.scalars(select(CalendarNotice).where(
        CalendarNotice.year == year,
        CalendarNotice.status == CalendarNoticeStatus.APPROVED)).first()
    if notice is not None:
        days = [DayView(d.day, d.kind, d.holiday) for d in uow.session.scalars(
            select(CalendarDay).where(CalendarDay.notice_id == notice.id)
            .order_by(CalendarDay.day))]
        return YearView(year, YearStatus.OFFICIAL, notice.notice_number, notice.notice_title,
                        notice.notice_date, notice.decided_at, notice.source, days, until)
    forecast = plausible_year(year)
    names = {d: h.name for h in forecast.holidays for d in h.days}
    days = sorted(
        [DayView(d, "rest", name) for d, name in names.items()]
        + [DayView(d, "may_rest", "") for d in forecast.may_rest]
        + [DayView(d, "may_work", "") for d in forecast.may_work],
        key=lambda v: v.day)
    return YearView(year, YearStatus.PROVISIONAL, None, None, None, None, None, days, until)
