"""Supervision instructions (监督指令) on the current round of a section: suspend, resume, end.

A supervision department may order the tendering of a section suspended (暂停), resumed or
terminated (终止), each by an instruction with its number (文号). They arrive from the supervision
systems, or from a supervisor's or an administrator's own hand; nobody else gives them.

**Suspension is a flag, not a status** (``Round.suspended_at`` with the instruction and reason):
the round keeps its status, and resuming returns it to where it stood. While it is suspended
nothing moves it on: no registration, bid, amendment or withdrawal; no key handed in and no
opening closed; the scheduler leaves it alone; no candidates published, no award and, once
awarded, no contract — each is refused with ``ROUND_SUSPENDED``. Resuming gives back the time
the round stood suspended: a deadline still running when the suspension began (the bid
deadline, the decryption window, the candidates publicity) moves later by the suspended time,
so the bidders lose nothing — the rule the candidates publicity already follows for objections
(条例 54).

**Termination** is ``closing.terminate_round`` with the instruction number written into the
round's reason; a suspension in force ends with it.

**Re-evaluation** (重新评审, ordered when a 投诉 is upheld) takes a round whose report is out —
evaluating, or in its candidates publicity — back to the committee: the candidates, any tie
settlement, the report's signatures, the publicity and the purchaser's decision are removed, the
scores stay for the committee to correct, and the report is made again.

The handling of a 投诉 (``complaints.py``) acts on the round only through these use cases; a
suspension whose legal cap has passed (政府采购法 57) is lifted by :func:`resume_by_rule`.

Every instruction is stored once per round, action and number: the same instruction pushed again
changes nothing and answers with the round as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.events import EventType
from core.model.account import AccountKind
from core.model.tendering import (
    Candidate,
    Decision,
    Evaluation,
    Publicity,
    ReportSignature,
    Round,
    RoundStatus,
    SupervisionInstruction,
    TieSettlementRecord,
)
from core.security.access import require_kind
from core.security.principal import SYSTEM_ACTOR, Principal
from core.services.tendering.closing import terminate_round
from core.services.tendering.evaluation.forms import EvaluationStatus
from core.services.tendering.lifecycle import opening_ends, reschedule, transition
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.validation import required_name, required_text
from core.uow import UnitOfWork

SUPERVISION_KINDS = (AccountKind.SUPERVISOR, AccountKind.ADMIN)
SUSPENDABLE = frozenset({RoundStatus.BIDDING, RoundStatus.OPENING, RoundStatus.OPENED,
                         RoundStatus.EVALUATING, RoundStatus.PUBLICITY,
                         RoundStatus.AWARDED})  # before the contract (政府采购法 57)
MAX_REASON = 1800  # leaves room for the instruction number in the 2000 of a termination reason


class InstructionAction(StrEnum):
    SUSPEND = "suspend"
    RESUME = "resume"
    TERMINATE = "terminate"
    RE_EVALUATE = "re_evaluate"


RE_EVALUABLE = frozenset({RoundStatus.EVALUATING, RoundStatus.PUBLICITY})


def ensure_not_suspended(r: Round) -> None:
    """The guard every use case that moves a round on calls first."""
    if r.is_suspended:
        raise DomainError(
            "ROUND_SUSPENDED",
            f"该标段的招标投标活动已被监督部门暂停（指令 {r.suspension_instruction}），"
            "恢复前不得进行此项活动",
            f"the tendering of this section is suspended by supervision instruction "
            f"{r.suspension_instruction}; this cannot be done until it is resumed",
            ErrorKind.CONFLICT, instruction_no=r.suspension_instruction)


def _locked_round(uow: UnitOfWork, principal: Principal, section_code: str) -> Round:
    r = get_round(uow, principal, section_code)
    return uow.session.scalars(select(Round).where(Round.id == r.id).with_for_update(of=Round)
                               .execution_options(populate_existing=True)).one()


def _inputs(principal: Principal, instruction_no: str, reason: str) -> tuple[str, str]:
    require_kind(principal, *SUPERVISION_KINDS)
    return (required_name(instruction_no, "instruction_no", 100),
            required_text(reason, "reason", MAX_REASON))


@dataclass(frozen=True)
class Instruction:
    round: Round  # locked for the rest of the unit of work
    number: str
    reason: str
    applied_before: bool  # the same instruction again: the caller changes nothing


def _instruction(uow: UnitOfWork, principal: Principal, section_code: str,
                 action: InstructionAction, instruction_no: str, reason: str) -> Instruction:
    """Check the caller and the input, lock the round, and tell whether this instruction (by
    round, action and number) was applied already: a resent instruction is answered, not redone."""
    number, text = _inputs(principal, instruction_no, reason)
    r = _locked_round(uow, principal, section_code)
    applied = uow.session.scalar(select(SupervisionInstruction.id).where(
        SupervisionInstruction.round_id == r.id, SupervisionInstruction.action == action.value,
        SupervisionInstruction.instruction_no == number)) is not None
    return Instruction(r, number, text, applied)


def _clear_suspension(r: Round) -> None:
    r.suspended_at = None
    r.suspension_instruction = None
    r.suspension_reason = None


def _store_instruction(uow: UnitOfWork, actor: str, account_id: int, r: Round,
                       action: InstructionAction, number: str, reason: str) -> None:
    row = SupervisionInstruction(round_id=r.id, action=action.value, instruction_no=number,
                                 reason=reason, account_id=account_id,
                                 received_at=uow.clock.now())
    uow.session.add(row)
    uow.record(actor, f"supervision.{action.value}", "supervision_instruction",
               f"{_key(r)}/{action.value}/{number}", None, snapshot(row))


def _key(r: Round) -> str:
    return f"{r.section.code}/{r.round_no}"


def suspend_section(uow: UnitOfWork, principal: Principal, section_code: str,
                    instruction_no: str, reason: str) -> Round:
    """暂停: the current round stands still, in its status, until resumed."""
    i = _instruction(uow, principal, section_code, InstructionAction.SUSPEND, instruction_no,
                     reason)
    r, number, text = i.round, i.number, i.reason
    if i.applied_before:
        return r
    if r.is_suspended:
        raise DomainError("ROUND_ALREADY_SUSPENDED",
                          f"该标段已按指令 {r.suspension_instruction} 暂停",
                          f"the section is already suspended by instruction "
                          f"{r.suspension_instruction}", ErrorKind.CONFLICT)
    if RoundStatus(r.status) not in SUSPENDABLE:
        raise DomainError("ROUND_NOT_SUSPENDABLE", f"当前状态（{r.status}）的招标不能暂停",
                          f"a round in status {r.status} cannot be suspended",
                          ErrorKind.CONFLICT)
    now = uow.clock.now()
    before = snapshot(r)
    r.suspended_at = now
    r.suspension_instruction = number
    r.suspension_reason = text
    r.updated_at = now
    _store_instruction(uow, principal.actor, principal.account_id, r, InstructionAction.SUSPEND,
                       number, text)
    uow.record(principal.actor, "round.suspend", "round", _key(r), before, snapshot(r))
    emit_round(uow, r, EventType.ROUND_SUSPENDED, principal.actor, instruction_no=number,
               reason=text, suspended_at=now)
    return r


def _give_back(uow: UnitOfWork, actor: str, r: Round, since: datetime, now: datetime) -> None:
    """Move the deadline that was running when the suspension began by the suspended time."""
    paused = now - since
    if r.status == RoundStatus.BIDDING and r.bid_deadline > since:
        r.bid_deadline += paused
    elif r.status == RoundStatus.OPENING and opening_ends(r) > since:
        r.opening_window_minutes += math.ceil(paused / timedelta(minutes=1))
    elif r.status == RoundStatus.PUBLICITY:
        p = uow.session.get(Publicity, r.id)
        if p is not None and p.status != "ended" and p.ends_at > since:
            before = snapshot(p)
            p.ends_at += paused  # one suspended by an objection still waits for its answer
            uow.record(actor, "publicity.extend", "publicity", _key(r), before, snapshot(p))
    reschedule(uow, r)


def resume_section(uow: UnitOfWork, principal: Principal, section_code: str,
                   instruction_no: str, reason: str) -> Round:
    """恢复: the round goes on from where it stood, its running deadline moved by the pause."""
    i = _instruction(uow, principal, section_code, InstructionAction.RESUME, instruction_no,
                     reason)
    r, number, text = i.round, i.number, i.reason
    if i.applied_before:
        return r
    return _resume(uow, principal.actor, principal.account_id, r, number, text)


def _resume(uow: UnitOfWork, actor: str, account_id: int, r: Round, number: str,
            text: str) -> Round:
    if r.suspended_at is None:
        raise DomainError("ROUND_NOT_SUSPENDED", "该标段未被暂停", "the section is not suspended",
                          ErrorKind.CONFLICT)
    now = uow.clock.now()
    since, suspended_by = r.suspended_at, r.suspension_instruction
    before = snapshot(r)
    _give_back(uow, actor, r, since, now)
    _clear_suspension(r)
    r.updated_at = now
    _store_instruction(uow, actor, account_id, r, InstructionAction.RESUME, number, text)
    uow.record(actor, "round.resume", "round", _key(r), before, snapshot(r))
    emit_round(uow, r, EventType.ROUND_RESUMED, actor, instruction_no=number,
               reason=text, suspended_at=since, suspension_instruction=suspended_by,
               resumed_at=now)
    return r


def resume_by_rule(uow: UnitOfWork, r: Round, account_id: int, number: str,
                   reason: str) -> Round:
    """恢复 by the law itself, not by an instruction: a suspension for a 投诉 past its cap
    (政府采购法 57: 30 日). The round is the caller's, locked; ``account_id`` is the supervisor
    whose suspension it ends, the actor the system."""
    return _resume(uow, SYSTEM_ACTOR, account_id, r, number, reason)


def terminate_section(uow: UnitOfWork, principal: Principal, section_code: str,
                      instruction_no: str, reason: str) -> Round:
    """终止 by instruction: ``closing.terminate_round`` with the instruction number in the
    round's reason (and so in the ``round.terminated`` event); a suspension ends with it."""
    i = _instruction(uow, principal, section_code, InstructionAction.TERMINATE, instruction_no,
                     reason)
    r, number, text = i.round, i.number, i.reason
    if i.applied_before:
        return r
    if r.is_suspended:
        before = snapshot(r)
        _clear_suspension(r)
        uow.record(principal.actor, "round.suspension_ended", "round", _key(r), before,
                   snapshot(r))
    _store_instruction(uow, principal.actor, principal.account_id, r,
                       InstructionAction.TERMINATE, number, text)
    # terminate_round checks the status and commits everything above with the termination,
    # or raises and the unit of work discards it all.
    return terminate_round(uow, principal, section_code, f"监督指令 {number}：{text}")


def order_re_evaluation(uow: UnitOfWork, principal: Principal, section_code: str,
                        instruction_no: str, reason: str) -> Round:
    """重新评审 by instruction: the report and what followed it are undone, the committee scores
    again (module doc). Only before the award; a suspended round is resumed first."""
    i = _instruction(uow, principal, section_code, InstructionAction.RE_EVALUATE,
                     instruction_no, reason)
    r, number, text = i.round, i.number, i.reason
    if i.applied_before:
        return r
    ensure_not_suspended(r)
    e = uow.session.get(Evaluation, r.id)
    if RoundStatus(r.status) not in RE_EVALUABLE or e is None or (
            e.status == EvaluationStatus.SCORING):
        raise DomainError("ROUND_NOT_RE_EVALUABLE",
                          f"当前状态（{r.status}）的招标没有可重新评审的评标报告",
                          f"a round in status {r.status} has no report to evaluate again",
                          ErrorKind.CONFLICT)
    now = uow.clock.now()
    removed: dict[str, int] = {}
    for model in (Candidate, TieSettlementRecord, ReportSignature, Publicity, Decision):
        rows = list(uow.session.scalars(select(model).where(model.round_id == r.id)))
        removed[model.__tablename__] = len(rows)
        for row in rows:
            uow.session.delete(row)
    uow.session.flush()
    before_e = snapshot(e)
    e.status = EvaluationStatus.SCORING.value
    e.result = None
    e.reported_at = None
    uow.record(principal.actor, "evaluation.reopen", "evaluation", _key(r), before_e,
               {**snapshot(e), "removed": removed})
    _store_instruction(uow, principal.actor, principal.account_id, r,
                       InstructionAction.RE_EVALUATE, number, text)
    if r.status == RoundStatus.PUBLICITY:
        transition(uow, r, RoundStatus.EVALUATING, principal.actor, "round.re_evaluate")
    else:
        before = snapshot(r)
        r.updated_at = now
        reschedule(uow, r)
        uow.record(principal.actor, "round.re_evaluate", "round", _key(r), before, snapshot(r))
    emit_round(uow, r, EventType.RE_EVALUATION_ORDERED, principal.actor, instruction_no=number,
               reason=text, ordered_at=now)
    return r
