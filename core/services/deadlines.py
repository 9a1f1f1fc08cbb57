"""The legal deadlines use cases reckon, kept with the calendar status that decided them.

Why: a deadline reckoned on a provisional year (no State Council notice yet) is a safe guess, not
the law's answer. Each one is recorded here; when the year's notice is approved, :func:`recompute`
reckons every open one again on the official days. A deadline that moves is audited and announced
(``calendar.deadline_moved``), and a due date that moves is written onto its subject (a deposit's
refund date); nothing moves silently. A minimum period that now ends after the day chosen for it
(a bid deadline set on the provisional calendar) is announced as at risk, for its owner to
extend by an amendment — the strict reading of provisional years makes that exceptional.

Two kinds of rule, by how their end binds:

* ``min`` — the end is the earliest day something may be set on (the bid deadline, the close of a
  publicity); the subject's own day stays as its owner chose it;
* ``due`` — the end is itself the date the subject owes something by (a refund); once it has
  passed unmet the supervisor is warned, once (:mod:`core.services.overdue`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.audit import snapshot
from core.event_payloads import DeadlineMovedPayload
from core.events import DomainEvent, EventType, project_ordering_key
from core.model.calendar import LegalDeadline
from core.model.project import Section
from core.model.tendering import (
    Award,
    Bid,
    BidOpening,
    OpeningOutcome,
    Publicity,
    Registration,
    Round,
)
from core.rules.calendar import DayCount, HolidayCalendar, LegalDay, Reading, beijing_date
from core.rules.procedures import Period
from core.services.banking import refunds
from core.services.tendering.procedure import procedure_of
from core.uow import UnitOfWork


class Rule(StrEnum):
    BIDDING_PERIOD = "bidding_period"  # 法 24 and its government counterparts
    CLARIFICATION_NOTICE = "clarification_notice"  # 法 23
    PUBLICITY_PERIOD = "publicity_period"  # 条例 54, result notices
    REFUND_DUE = "refund_due"  # 条例 57, 政采条例 33: after the contract
    AWARD_NOTICE_DUE = "award_notice_due"  # 政采条例 43: 2 个工作日 after the decision
    CHALLENGE_PERIOD = "challenge_period"  # 政采条例 53: 7 个工作日 after the result notice
    UNSUCCESSFUL_REFUND_DUE = "unsuccessful_refund_due"  # 政采条例 33: after the award notice
    CONTRACT_DUE = "contract_due"  # 法 46, 政府采购法 46: 30 日 after the award notice
    DOCUMENTS_ON_SALE = "documents_on_sale"  # 条例 16, 87号令 18: 5 日 / 5 个工作日 from issue
    AWARD_REPORT_DUE = "award_report_due"  # 法 47: the written report, 15 日 after the award
    CONTRACT_FILING_DUE = "contract_filing_due"  # 政府采购法 47: 7 个工作日 after the contract


BOUND = {Rule.BIDDING_PERIOD: "min", Rule.CLARIFICATION_NOTICE: "min",
         Rule.PUBLICITY_PERIOD: "min", Rule.REFUND_DUE: "due",
         Rule.AWARD_NOTICE_DUE: "due", Rule.CHALLENGE_PERIOD: "min",
         Rule.UNSUCCESSFUL_REFUND_DUE: "due", Rule.CONTRACT_DUE: "due",
         Rule.DOCUMENTS_ON_SALE: "min", Rule.AWARD_REPORT_DUE: "due",
         Rule.CONTRACT_FILING_DUE: "due"}


def _round_key(r: Round) -> str:
    return f"{r.section.code}/{r.round_no}"


def track(uow: UnitOfWork, r: Round, rule: Rule, period: Period, basis: datetime,
          result: LegalDay) -> LegalDeadline:
    """Record a deadline just reckoned for round ``r``; it replaces the rule's earlier one."""
    subject = _round_key(r)
    uow.session.execute(update(LegalDeadline).where(
        LegalDeadline.subject_type == "round", LegalDeadline.subject_id == subject,
        LegalDeadline.rule == rule.value, LegalDeadline.current.is_(True)).values(current=False))
    row = LegalDeadline(
        subject_type="round", subject_id=subject,
        ordering_key=project_ordering_key(r.section.tender_project.project.code),
        rule=rule.value, ref_tag=period.ref.tag, bound=BOUND[rule], reading=result.reading.value,
        basis_day=beijing_date(basis), days=period.days, unit=period.unit.value,
        last_day=result.day, provisional=result.provisional, current=True,
        computed_at=uow.clock.now())
    uow.session.add(row)
    return row


def deadlines_of(session: Session, r: Round) -> list[LegalDeadline]:
    """The round's current deadlines, in the order they were reckoned."""
    return list(session.scalars(select(LegalDeadline).where(
        LegalDeadline.subject_type == "round", LegalDeadline.subject_id == _round_key(r),
        LegalDeadline.current.is_(True)).order_by(LegalDeadline.id)))


# -- recomputing when a year becomes official -----------------------------------------------------


@dataclass(frozen=True)
class MovedDeadline:
    id: int
    rule: str
    subject_id: str
    from_day: date
    to_day: date
    provisional: bool
    at_risk: bool  # a minimum now ends after the day chosen for it
    chosen_day: date | None


@dataclass(frozen=True)
class Recomputed:
    moved: list[MovedDeadline]
    confirmed: int  # provisional before, official now, unmoved


def round_of(uow: UnitOfWork, subject_id: str) -> Round | None:
    """The round a deadline's ``subject_id`` (``<section code>/<round no>``) names."""
    code, _, number = subject_id.rpartition("/")
    return uow.session.scalars(select(Round).join(Section, Round.section_id == Section.id)
                               .where(Section.code == code,
                                      Round.round_no == int(number))).first()


def _bid_deadline(uow: UnitOfWork, r: Round) -> datetime | None:
    return r.bid_deadline


def _publicity_end(uow: UnitOfWork, r: Round) -> datetime | None:
    p = uow.session.get(Publicity, r.id)
    return p.ends_at if p is not None else None


def _documents_available_until(uow: UnitOfWork, r: Round) -> datetime | None:
    return r.documents_available_until or r.bid_deadline


#: For a ``min`` rule: the subject's day that may not fall before the rule's end.
CHOSEN: dict[Rule, Callable[[UnitOfWork, Round], datetime | None]] = {
    Rule.BIDDING_PERIOD: _bid_deadline,
    Rule.CLARIFICATION_NOTICE: _bid_deadline,
    Rule.PUBLICITY_PERIOD: _publicity_end,
    Rule.DOCUMENTS_ON_SALE: _documents_available_until,
}


def paid_deposits(uow: UnitOfWork, r: Round, *, winner: bool | None = None,
                  winning_bid_id: int | None = None) -> list[Registration]:
    """The round's paid deposits the award and the contract make due, locked: all of them, only
    the winner's (``winner=True``) or only the unsuccessful bidders' (``False``) — 政府采购
    refunds the two on different days. The winner is the award's, or ``winning_bid_id``'s while
    the award is being made. A bid deemed withdrawn at the opening (撤回) is not among them: its
    deposit fell due 5 日 after that (条例 35), earlier than either."""
    withdrawn = select(Bid.party_id).join(BidOpening, BidOpening.bid_id == Bid.id).where(
        Bid.round_id == r.id, BidOpening.outcome == OpeningOutcome.RETRACTED.value)
    query = (select(Registration).where(Registration.round_id == r.id,
                                        Registration.deposit_status == "paid",
                                        Registration.party_id.not_in(withdrawn))
             .order_by(Registration.id).with_for_update(of=Registration))
    award = uow.session.get(Award, r.id)
    bid_id = winning_bid_id if winning_bid_id is not None else award.bid_id if award else None
    if winner is not None:
        if bid_id is None:
            raise ValueError("the winner is not known yet")
        won = select(Bid.party_id).where(Bid.id == bid_id).scalar_subquery()
        query = query.where(Registration.party_id == won if winner
                            else Registration.party_id != won)
    return list(uow.session.scalars(query))


def set_refund_due(uow: UnitOfWork, r: Round, registrations: list[Registration],
                   moment: datetime, actor: str) -> None:
    for reg in registrations:
        before = snapshot(reg)
        reg.deposit_refund_due_at = moment
        uow.record(actor, "deposit.refund_due", "registration", f"{_round_key(r)}/{reg.party_id}",
                   before, snapshot(reg))
    refunds.open_lines(uow, actor, r, registrations, moment)  # once each; a moved date moves


def _apply_refund_due(uow: UnitOfWork, r: Round, due: LegalDay, actor: str) -> None:
    moment = due.ends_at.astimezone(UTC)
    award = uow.session.get(Award, r.id)
    if award is not None:
        before = snapshot(award)
        award.refund_due_at = moment
        uow.record(actor, "award.refund_due", "award", _round_key(r), before, snapshot(award))
    split = procedure_of(r).after_report.refund_unsuccessful is not None
    set_refund_due(uow, r, paid_deposits(uow, r, winner=True if split else None), moment, actor)


def _apply_unsuccessful_refund_due(uow: UnitOfWork, r: Round, due: LegalDay,
                                   actor: str) -> None:
    set_refund_due(uow, r, paid_deposits(uow, r, winner=False), due.ends_at.astimezone(UTC),
                   actor)


def _apply_challenge_end(uow: UnitOfWork, r: Round, last: LegalDay, actor: str) -> None:
    award = uow.session.get(Award, r.id)
    if award is not None:
        before = snapshot(award)
        award.challenge_ends_at = last.ends_at.astimezone(UTC)
        uow.record(actor, "award.challenge_period", "award", _round_key(r), before,
                   snapshot(award))


#: For a ``due`` rule (and the 质疑 period, kept on the award): write the moved date onto the
#: subject.
APPLY: dict[Rule, Callable[[UnitOfWork, Round, LegalDay, str], None]] = {
    Rule.REFUND_DUE: _apply_refund_due,
    Rule.UNSUCCESSFUL_REFUND_DUE: _apply_unsuccessful_refund_due,
    Rule.CHALLENGE_PERIOD: _apply_challenge_end,
}


def recompute(uow: UnitOfWork, calendar: HolidayCalendar, year: int,
              actor: str) -> Recomputed:
    """Reckon again every current deadline a provisional year decided, or that ``year`` (whose
    schedule just changed) took part in; audit and announce each that moves."""
    window_start, window_end = date(year - 1, 12, 1), date(year, 12, 31)
    rows = uow.session.scalars(select(LegalDeadline).where(
        LegalDeadline.current.is_(True),
        or_(LegalDeadline.provisional.is_(True),
            (LegalDeadline.basis_day <= window_end) & (LegalDeadline.last_day >= window_start)))
        .order_by(LegalDeadline.id).with_for_update()).all()
    moved: list[MovedDeadline] = []
    confirmed = 0
    for row in rows:
        result = calendar.count_period(row.basis_day, row.days, DayCount(row.unit),
                                       Reading(row.reading))
        if result.day == row.last_day:
            if row.provisional and not result.provisional:
                confirmed += 1
            row.provisional = result.provisional
            continue
        moved.append(_move(uow, row, result, actor))
    uow.session.flush()
    return Recomputed(moved, confirmed)


def _move(uow: UnitOfWork, row: LegalDeadline, result: LegalDay, actor: str) -> MovedDeadline:
    before = snapshot(row)
    was = row.last_day
    row.last_day = result.day
    row.warned_at = None  # a due date that moved is warned about again if it passes again
    row.provisional = result.provisional
    row.computed_at = uow.clock.now()
    uow.record(actor, "deadline.recompute", "legal_deadline", row.id, before, snapshot(row))
    rule = Rule(row.rule)
    r = round_of(uow, row.subject_id) if row.subject_type == "round" else None
    chosen: date | None = None
    if r is not None and rule in APPLY:
        APPLY[rule](uow, r, result, actor)
    if r is not None and rule in CHOSEN:
        moment = CHOSEN[rule](uow, r)
        chosen = beijing_date(moment) if moment is not None else None
    change = MovedDeadline(row.id, row.rule, row.subject_id, was, result.day, result.provisional,
                           chosen is not None and chosen < result.day, chosen)
    payload: DeadlineMovedPayload = {
        "rule": row.rule, "ref": row.ref_tag, "bound": row.bound,
        "subject_type": row.subject_type, "subject_id": row.subject_id,
        "from": was.isoformat(), "to": result.day.isoformat(),
        "calendar": result.status.value, "at_risk": change.at_risk,
        "chosen_day": chosen.isoformat() if chosen else None}
    uow.emit(DomainEvent(EventType.DEADLINE_MOVED, row.subject_type, row.subject_id,
                         row.ordering_key, payload), actor)
    return change
