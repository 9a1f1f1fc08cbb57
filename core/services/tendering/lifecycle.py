"""One round lifecycle: which status may follow which, and when the scheduler looks at a round.

``transition`` is the only way a round changes status, and it refuses a move the flow of the
round's procedure (``flows.py``) does not hold, so a new flow (auctions, listings) is a new table,
not a new branch hidden in a use case.

``next_check`` is never assigned by hand: ``reschedule`` derives it from the round's status and
dates (the bid deadline, the end of the opening window, the end of a running publicity), the way
openprocurement's chronograph takes the earliest of a tender's pending dates. Every change that
moves a date or a status ends with it; the scheduler derives it again before acting, so a round
cannot stall because one use case forgot a line.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.events import EventType
from core.model.tendering import (
    Bid,
    BidOpening,
    BidStatus,
    Candidate,
    Decision,
    Evaluation,
    Objection,
    Publicity,
    PublicityStatus,
    Round,
    RoundStatus,
)
from core.rules import award_periods
from core.rules.procedures import ObjectionStage
from core.services.calendar import calendar_of
from core.services.tendering import undecrypted
from core.services.tendering.flows import flow_of
from core.services.tendering.opening_window import opening_ends
from core.services.tendering.procedure import procedure_of
from core.services.tendering.report_receipt import signed_report_received_at
from core.services.tendering.round_events import emit_round
from core.uow import UnitOfWork

S = RoundStatus


def _keyholders_pending(uow: UnitOfWork, r: Round) -> bool:
    """Bids no bidder opened, which the tender documents let k keyholders open: centre staff
    run that opening and then close it, so time alone does not move the round."""
    if not r.committee_fallback:
        return False
    opened = select(BidOpening.bid_id).where(BidOpening.round_id == r.id)
    return bool(uow.session.scalar(select(exists().where(
        Bid.round_id == r.id, Bid.status == BidStatus.SEALED.value, Bid.id.not_in(opened)))))


def _decision_deemed_at(uow: UnitOfWork, r: Round) -> datetime | None:
    """政府采购 after a signed report without the purchaser's decision: the first moment the
    first candidate may be deemed chosen (政采条例 43, 87号令 68). Not while candidates are tied:
    nobody is first until the tie is settled (the settlement reschedules the round)."""
    procedure = procedure_of(r)
    if procedure.after_report.decision is None or uow.session.get(Decision, r.id) is not None:
        return None
    uow.session.flush()
    if uow.session.scalar(select(exists().where(Candidate.round_id == r.id,
                                                Candidate.tied.is_(True)))):
        return None
    received = signed_report_received_at(uow.session.get(Evaluation, r.id))
    if received is None:
        return None
    due = award_periods.decision_due(procedure, calendar_of(uow), received)
    return due.ends_at + timedelta(seconds=1)


def held_by_objection(uow: UnitOfWork, r: Round) -> bool:
    """条例 22: "作出答复前，应当暂停招标投标活动" — an open objection to the documents holds the
    round: its deadline does not pass until the last one is answered (which moves it later by
    the time held, ``award.objections``)."""
    rule = procedure_of(r).remedies.stages.get(ObjectionStage.DOCUMENTS)
    if rule is None or not rule.suspends:
        return False
    uow.session.flush()
    return bool(uow.session.scalar(select(exists().where(
        Objection.round_id == r.id, Objection.stage == ObjectionStage.DOCUMENTS.value,
        Objection.answered_at.is_(None)))))


def next_check_due(uow: UnitOfWork, r: Round) -> datetime | None:
    """When time next moves the round, from its state alone; ``None`` when only a person can.

    A suspension (暂停) keeps the date: the scheduler skips suspended rounds, and the resume
    moves the running date by the time stood still."""
    status = RoundStatus(r.status)
    if status is S.BIDDING:
        return None if held_by_objection(uow, r) else r.bid_deadline
    if status is S.OPENING:
        ends = opening_ends(r)
        if uow.clock.now() >= ends and (_keyholders_pending(uow, r)
                                        or undecrypted.pending(uow.session, r)):
            return None  # keyholders to open, or causes to determine: people move it now
        return ends
    if status is S.EVALUATING:
        return _decision_deemed_at(uow, r)
    if status is S.PUBLICITY:
        uow.session.flush()  # a publicity just started is read back below
        p = uow.session.get(Publicity, r.id)
        # suspended by an objection: only the answer to the last one sets it running again
        return p.ends_at if p is not None and p.status == PublicityStatus.RUNNING else None
    return None


def reschedule(uow: UnitOfWork, r: Round) -> None:
    r.next_check = next_check_due(uow, r)


def transition(uow: UnitOfWork, r: Round, to: RoundStatus, actor: str, action: str, *,
               before: dict[str, Any] | None = None, event: EventType | None = None,
               **payload: Any) -> None:
    """Move ``r`` to ``to``: checked against its flow, rescheduled, audited as ``action``
    (``before`` when the caller changed more of the round first), and, given ``event``, emitted
    with ``payload``."""
    now_status = RoundStatus(r.status)
    if to not in flow_of(r).moves[now_status]:
        raise DomainError("ROUND_TRANSITION_INVALID",
                          f"招标轮次不能从“{now_status.value}”转为“{to.value}”",
                          f"a round cannot go from {now_status.value} to {to.value}",
                          ErrorKind.CONFLICT)
    before = snapshot(r) if before is None else before
    r.status = to.value
    r.updated_at = uow.clock.now()
    reschedule(uow, r)
    uow.record(actor, action, "round", f"{r.section.code}/{r.round_no}", before, snapshot(r))
    if event is not None:
        emit_round(uow, r, event, actor, **payload)
