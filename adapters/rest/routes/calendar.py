"""The official holiday schedule over REST: the public view of a year, and the administrators'
maker-checker loading of a year from the State Council's notice (docs/calendar.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from adapters.rest.deps import Caller, UoW
from adapters.rest.fields import Day, Name, PathId, Text
from adapters.rest.schemas import Out, Strict
from core.model.calendar import CalendarNotice
from core.rules.holidays import FIRST_COMPUTABLE_YEAR, LAST_COMPUTABLE_YEAR
from core.services import calendar
from core.services.deadlines import MovedDeadline

router = APIRouter(prefix="/api/v1", tags=["calendar"])

Year = Annotated[int, Path(ge=FIRST_COMPUTABLE_YEAR, le=LAST_COMPUTABLE_YEAR)]


class DayOut(Out):
    day: date
    kind: str = Field(description="rest / work (official); rest / may_rest / may_work "
                                  "(provisional: a statutory holiday, or a day the notice may "
                                  "still turn)")
    holiday: str


class YearOut(Out):
    year: int
    status: str = Field(description="official (an approved State Council notice) or "
                                    "provisional (reckoned from the holiday rules)")
    notice_number: str | None
    notice_title: str | None
    notice_date: date | None
    approved_at: datetime | None
    official_until: date | None = Field(description="the last day of the unbroken official "
                                                    "years from today's")
    days: list[DayOut]


@router.get("/public/calendar/{year}", response_model=YearOut)
def public_year(year: Year, uow: UoW) -> YearOut:
    """Whether a year's holiday schedule is official or provisional, and its days."""
    v = calendar.show_year(uow, year)
    return YearOut(year=v.year, status=v.status.value, notice_number=v.notice_number,
                   notice_title=v.notice_title, notice_date=v.notice_date,
                   approved_at=v.approved_at, official_until=v.official_until,
                   days=[DayOut(day=d.day, kind=d.kind, holiday=d.holiday) for d in v.days])


class NoticeIn(Strict):
    number: Name = Field(min_length=1, max_length=100, description="文号 (国办发明电〔YYYY〕N号)")
    date: Day | None = None
    title: Name = Field(min_length=1, max_length=200)


class HolidayIn(Strict):
    name: Name = Field(min_length=1, max_length=20)
    rest: list[Day] = Field(min_length=1, max_length=2, description="first and last day off")
    work: list[Day] = Field(default_factory=list, max_length=4,
                            description="weekend days worked (调休上班)")


class ScheduleIn(Strict):
    """One year's schedule as the notice gives it (docs/calendar.md)."""

    year: int = Field(ge=FIRST_COMPUTABLE_YEAR, le=LAST_COMPUTABLE_YEAR)
    notice: NoticeIn
    holidays: list[HolidayIn] = Field(min_length=1, max_length=12)


class ProposalOut(Out):
    id: int
    year: int
    status: str
    notice_number: str
    notice_title: str
    notice_date: date | None
    document_sha256: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None


def proposal_out(n: CalendarNotice) -> ProposalOut:
    return ProposalOut(id=n.id, year=n.year, status=n.status, notice_number=n.notice_number,
                       notice_title=n.notice_title, notice_date=n.notice_date,
                       document_sha256=n.document_sha256, proposed_by=n.proposed_by,
                       proposed_at=n.proposed_at, decided_by=n.decided_by,
                       decided_at=n.decided_at, reason=n.reason)


class ProposedOut(Out):
    proposal: ProposalOut
    remarks: list[str] = Field(description="where the notice departs from the statutory "
                                           "holidays or the usual 调休: for the approver")


@router.post("/calendar/proposals", response_model=ProposedOut, status_code=201)
def propose(body: ScheduleIn, uow: UoW, caller: Caller) -> ProposedOut:
    """An administrator loads a year's notice; another must approve it before it counts."""
    made = calendar.propose_year(uow, caller, body.model_dump(mode="json"))
    return ProposedOut(proposal=proposal_out(made.notice), remarks=made.remarks)


@router.get("/calendar/proposals", response_model=list[ProposalOut])
def proposals(uow: UoW, caller: Caller,
              year: Annotated[int | None, Query(ge=FIRST_COMPUTABLE_YEAR,
                                                le=LAST_COMPUTABLE_YEAR)] = None
              ) -> list[ProposalOut]:
    return [proposal_out(n) for n in calendar.list_proposals(uow, caller, year)]


class MovedOut(Out):
    rule: str
    subject: str
    from_day: date
    to_day: date
    calendar: str
    at_risk: bool = Field(description="a minimum period now ends after the day chosen for it")
    chosen_day: date | None


def moved_out(m: MovedDeadline) -> MovedOut:
    return MovedOut(rule=m.rule, subject=m.subject_id, from_day=m.from_day, to_day=m.to_day,
                    calendar="provisional" if m.provisional else "official", at_risk=m.at_risk,
                    chosen_day=m.chosen_day)


class ApprovedOut(Out):
    proposal: ProposalOut
    moved: list[MovedOut]
    confirmed: int = Field(description="provisional deadlines that stand as reckoned")


@router.post("/calendar/proposals/{proposal_id}/approve", response_model=ApprovedOut)
def approve(proposal_id: PathId, uow: UoW,
            caller: Caller) -> ApprovedOut:
    """A second administrator approves: the year is official, open deadlines are re-reckoned."""
    done = calendar.approve_year(uow, caller, proposal_id)
    return ApprovedOut(proposal=proposal_out(done.notice),
                       moved=[moved_out(m) for m in done.moved], confirmed=done.confirmed)


class RejectIn(Strict):
    reason: Text = Field(min_length=1, max_length=500)


@router.post("/calendar/proposals/{proposal_id}/reject", response_model=ProposalOut)
def reject(proposal_id: PathId, body: RejectIn, uow: UoW,
           caller: Caller) -> ProposalOut:
    return proposal_out(calendar.reject_year(uow, caller, proposal_id, body.reason))
