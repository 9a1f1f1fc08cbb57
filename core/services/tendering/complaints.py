"""投诉: a party's complaint to the supervisor about a round, and the supervisor's handling of it.

Who and when (the procedure's :class:`~core.rules.procedures.ComplaintRules`, reckoned by
:mod:`core.rules.complaint_periods`):

* engineering (招标投标法实施条例 60): a bidder or 利害关系人 within 10 日 of knowing; on a matter
  of 22, 44 or 54 (the documents, the opening, the result) only the party that objected first,
  once its objection is answered or its answer period over, the answer time not counted; another
  matter (``objection_id`` none) straight to the supervisor, by a party of the round;
* 政府采购 (政府采购法 55; 94号令 17): only the supplier whose 质疑 it follows, within 15
  个工作日 after the 质疑's answer period ends.

The supervisor (an account of kind ``supervisor``) accepts or refuses it (条例 61: within 3
个工作日; 94号令 21: its review within 5 个工作日), may suspend the round meanwhile (条例 62;
政府采购法 57: at most 30 日 — the procurement resumes by itself after that, :func:`resume_expired`,
and a further suspension is refused), and decides within 30 个工作日 (of acceptance, 条例 61; of
receipt, 政府采购法 56). The decision acts on the round only through the supervision use cases
the Web Service's instructions use (:mod:`.supervision`): dismissed, or upheld without more, the
round resumes; upheld with a re-evaluation the committee scores again; upheld with a new
procurement the round is terminated and the section can be tendered again (a 政府采购 result is
found void: 94号令 32). The due dates are kept on the complaint for the supervisor to be held to;
they refuse nothing.

Every step is audited and emits ``round.complaint_*``; before the bid deadline no party is
named (招标投标法 第二十二条).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.event_payloads import ComplaintBrief
from core.events import EventType
from core.model.account import AccountKind
from core.model.party import Party
from core.model.tendering import (
    Complaint,
    ComplaintStatus,
    Objection,
    Registration,
    Round,
)
from core.rules import complaint_periods
from core.rules.calendar import LegalDay, require_aware
from core.rules.procedures import ObjectionStage
from core.security.access import acts_for_project, require_kind, require_party_user
from core.security.principal import SYSTEM_ACTOR, Principal
from core.services.calendar import calendar_of
from core.services.tendering import supervision
from core.services.tendering.award.candidates import MAX_TEXT
from core.services.tendering.award.objections import before_deadline
from core.services.tendering.award.rows import lock, round_key
from core.services.tendering.procedure import procedure_of
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.validation import required_name, required_text
from core.uow import UnitOfWork

#: 行政监督部门 / 财政部门: the supervisor's account kind, and nobody else, handles a 投诉
HANDLER_KINDS = (AccountKind.SUPERVISOR,)


class Outcome(StrEnum):
    DISMISSED = "dismissed"  # 驳回: not founded
    UPHELD = "upheld"  # 成立


class Remedy(StrEnum):
    CONTINUE = "continue"  # the round goes on (resumed if suspended for the complaint)
    RE_EVALUATE = "re_evaluate"  # 重新评审: the committee evaluates again
    NEW_PROCUREMENT = "new_procurement"  # 重新招标 / 重新开展采购活动: the round is terminated


def _utc(day: LegalDay | None) -> datetime | None:
    return None if day is None else day.ends_at.astimezone(UTC)


def brief(uow: UnitOfWork, r: Round, c: Complaint) -> ComplaintBrief:
    party = None if before_deadline(r) else uow.session.get(Party, c.party_id)
    return {"complaint_id": c.id, "objection_id": c.objection_id, "stage": c.stage,
            "party_id": party.id if party else None,
            "party_name": party.name if party else None,
            "party_identifier": party.identifier if party else None,
            "text": c.text, "knew_at": c.knew_at, "raised_at": c.raised_at, "status": c.status,
            "acceptance_due_at": c.acceptance_due_at, "accepted_at": c.accepted_at,
            "decision_due_at": c.decision_due_at, "refused_at": c.refused_at,
            "suspended_at": c.suspended_at, "suspension_instruction": c.suspension_instruction,
            "suspension_ends_at": c.suspension_ends_at, "resumed_at": c.resumed_at,
            "outcome": c.outcome, "remedy": c.remedy, "decision_no": c.decision_no,
            "resolution": c.resolution, "decided_at": c.decided_at}


def _emit(uow: UnitOfWork, r: Round, c: Complaint, event: EventType, actor: str) -> None:
    emit_round(uow, r, event, actor, complaint=brief(uow, r, c))


def _key(r: Round, c: Complaint) -> str:
    return f"{round_key(r)}/{c.id}"


# -- the party --------------------------------------------------------------------------------


def _objection(uow: UnitOfWork, r: Round, party_id: int, objection_id: int) -> Objection:
    o = uow.session.get(Objection, objection_id)
    if o is None or o.round_id != r.id:
        raise not_found("异议", "objection", objection_id)
    if o.party_id != party_id:
        raise DomainError("NOT_THE_OBJECTOR", "只有提出该异议（质疑）的一方可以就此投诉",
                          "only the party that raised this objection (challenge) may complain "
                          "about it", ErrorKind.FORBIDDEN)
    if uow.session.scalar(select(Complaint.id).where(Complaint.objection_id == o.id)):
        raise DomainError("COMPLAINT_ALREADY_RAISED", "已就该异议（质疑）提出投诉",
                          "a complaint about this objection (challenge) was already lodged",
                          ErrorKind.CONFLICT, objection_id=o.id)
    return o


def _require_party_of_round(uow: UnitOfWork, r: Round, party_id: int) -> None:
    """Without an objection: a party registered for the round (a bidder, 条例 60)."""
    if uow.session.scalar(select(Registration.id).where(
            Registration.round_id == r.id, Registration.party_id == party_id)) is None:
        raise DomainError("NOT_A_PARTY_OF_ROUND",
                          "只有本轮投标人或提出过异议（质疑）的利害关系人可以投诉",
                          "only a bidder of this round, or a party that objected, may complain",
                          ErrorKind.FORBIDDEN)


def raise_complaint(uow: UnitOfWork, principal: Principal, section_code: str, text: str, *,
                    objection_id: int | None = None,
                    knew_at: datetime | None = None) -> Complaint:
    """A party lodges a 投诉 about the round (module doc)."""
    party_id = require_party_user(principal)
    r = lock(uow, get_round(uow, principal, section_code))
    procedure, calendar, now = procedure_of(r), calendar_of(uow), uow.clock.now()
    o = None if objection_id is None else _objection(uow, r, party_id, objection_id)
    if o is None:
        _require_party_of_round(uow, r, party_id)
    body = required_text(text, "text", MAX_TEXT)
    if knew_at is not None and require_aware(knew_at, "knew_at") > now:
        raise DomainError("KNEW_AT_IN_FUTURE", "知道权益受损的时间不能晚于现在",
                          "the day the complainant knew cannot be in the future",
                          field="knew_at")
    stage = None if o is None else ObjectionStage(o.stage)
    complaint_periods.check_objection_first(procedure, stage, o is not None)
    if o is not None:
        answer_ends = o.answer_due_at or o.answered_at
        complaint_periods.check_answer_awaited(procedure, o.answered_at, answer_ends, now)
        rules = procedure.remedies.complaint
        complaint_periods.check_complaint_in_time(
            procedure, calendar, now, knew_at=knew_at, objection_raised_at=o.raised_at,
            answer_ends_at=answer_ends if rules.from_answer_end else (o.answered_at
                                                                      or answer_ends))
    else:
        if knew_at is None:
            raise DomainError("KNEW_AT_REQUIRED",
                              "未经异议的投诉应当写明知道或者应当知道权益受损之日（《招标投标法实施条例》"
                              "第六十条）", "a complaint without an objection states the day the "
                              "complainant knew (Tendering Regulation art. 60)", field="knew_at")
        complaint_periods.check_complaint_in_time(procedure, calendar, now, knew_at=knew_at)
    c = Complaint(round_id=r.id, party_id=party_id, objection_id=None if o is None else o.id,
                  stage=None if stage is None else stage.value, text=body, knew_at=knew_at,
                  raised_at=now, status=ComplaintStatus.RECEIVED.value,
                  acceptance_due_at=_utc(complaint_periods.acceptance_due(procedure, calendar,
                                                                          now)))
    uow.session.add(c)
    uow.session.flush()
    uow.record(principal.actor, "complaint.raise", "complaint", _key(r, c), None, snapshot(c))
    _emit(uow, r, c, EventType.COMPLAINT_RAISED, principal.actor)
    return c


def list_section_complaints(uow: UnitOfWork, principal: Principal, section_code: str
                            ) -> list[Complaint]:
    """A round's complaints: all of them for oversight, the owner and its agency (与投诉事项有关
    的当事人); a party its own."""
    r = get_round(uow, principal, section_code)
    query = select(Complaint).where(Complaint.round_id == r.id).order_by(Complaint.id)
    if not (principal.has_oversight or acts_for_project(principal,
                                                        r.section.tender_project.project)):
        query = query.where(Complaint.party_id == require_party_user(principal))
    return list(uow.session.scalars(query))


# -- the supervisor -----------------------------------------------------------------------------


def list_complaints(uow: UnitOfWork, principal: Principal,
                    status: ComplaintStatus | None = None) -> list[tuple[Complaint, Round]]:
    """Every complaint, oldest first, for the supervisor."""
    require_kind(principal, *HANDLER_KINDS)
    query = select(Complaint, Round).join(Round, Round.id == Complaint.round_id).order_by(
        Complaint.id)
    if status is not None:
        query = query.where(Complaint.status == status.value)
    return [(c, r) for c, r in uow.session.execute(query).tuples()]


def get_complaint(uow: UnitOfWork, principal: Principal, complaint_id: int
                  ) -> tuple[Complaint, Round]:
    """One complaint: the supervisor, oversight, the complainant, the owner and its agency."""
    c = uow.session.get(Complaint, complaint_id)
    if c is None:
        raise not_found("投诉", "complaint", complaint_id)
    r = uow.session.get(Round, c.round_id)
    assert r is not None
    if not (principal.has_oversight or principal.party_id == c.party_id
            or acts_for_project(principal, r.section.tender_project.project)):
        raise not_found("投诉", "complaint", complaint_id)  # nobody else learns it exists
    return c, r


def _handled(uow: UnitOfWork, principal: Principal, complaint_id: int,
             *statuses: ComplaintStatus) -> tuple[Complaint, Round]:
    require_kind(principal, *HANDLER_KINDS)
    c = uow.session.get(Complaint, complaint_id)
    if c is None:
        raise not_found("投诉", "complaint", complaint_id)
    r = uow.session.get(Round, c.round_id)
    assert r is not None
    r = lock(uow, r)
    if ComplaintStatus(c.status) not in statuses:
        raise DomainError("COMPLAINT_STATUS_INVALID",
                          f"该投诉当前状态为“{c.status}”，不能进行此项处理",
                          f"the complaint is {c.status}; this step is not open",
                          ErrorKind.CONFLICT, status=c.status)
    return c, r


def accept(uow: UnitOfWork, principal: Principal, complaint_id: int) -> Complaint:
    """受理: the decision is then due within 30 个工作日 (条例 61; 政府采购法 56)."""
    c, r = _handled(uow, principal, complaint_id, ComplaintStatus.RECEIVED)
    now = uow.clock.now()
    before = snapshot(c)
    c.status = ComplaintStatus.ACCEPTED.value
    c.accepted_at = now
    c.handled_by = principal.account_id
    c.decision_due_at = _utc(complaint_periods.decision_due(procedure_of(r), calendar_of(uow),
                                                            c.raised_at, now))
    uow.record(principal.actor, "complaint.accept", "complaint", _key(r, c), before, snapshot(c))
    _emit(uow, r, c, EventType.COMPLAINT_ACCEPTED, principal.actor)
    return c


def refuse(uow: UnitOfWork, principal: Principal, complaint_id: int, reason: str) -> Complaint:
    """不予受理, with the reason; the round is not touched."""
    c, r = _handled(uow, principal, complaint_id, ComplaintStatus.RECEIVED)
    text = required_text(reason, "reason", MAX_TEXT)
    before = snapshot(c)
    c.status = ComplaintStatus.REFUSED.value
    c.refused_at = uow.clock.now()
    c.handled_by = principal.account_id
    c.resolution = text
    uow.record(principal.actor, "complaint.refuse", "complaint", _key(r, c), before, snapshot(c))
    _emit(uow, r, c, EventType.COMPLAINT_REFUSED, principal.actor)
    return c


def _current(uow: UnitOfWork, principal: Principal, r: Round) -> None:
    if get_round(uow, principal, r.section.code).id != r.id:
        raise DomainError("COMPLAINT_ROUND_NOT_CURRENT",
                          "投诉所涉招标轮次已不是该标段的当前轮次",
                          "the round complained about is no longer the section's current one",
                          ErrorKind.CONFLICT)


def suspend(uow: UnitOfWork, principal: Principal, complaint_id: int, instruction_no: str,
            reason: str) -> Complaint:
    """暂停 while handling it, by a supervision instruction (``supervision.suspend_section``);
    政府采购: within 30 日 of the first suspension for it (政府采购法 57), which is its last day."""
    c, r = _handled(uow, principal, complaint_id, ComplaintStatus.ACCEPTED)
    _current(uow, principal, r)
    procedure, calendar, now = procedure_of(r), calendar_of(uow), uow.clock.now()
    first = c.suspended_at or now
    cap = complaint_periods.check_suspension_within(procedure, calendar, first, now)
    number = required_name(instruction_no, "instruction_no", 100)
    before = snapshot(c)
    supervision.suspend_section(uow, principal, r.section.code, number, reason)
    c.suspended_at = first
    c.suspension_instruction = number
    c.suspension_ends_at = _utc(cap)
    c.resumed_at = None
    uow.record(principal.actor, "complaint.suspend", "complaint", _key(r, c), before,
               snapshot(c))
    _emit(uow, r, c, EventType.COMPLAINT_SUSPENDED, principal.actor)
    return c


def _suspended_by(r: Round, c: Complaint) -> bool:
    return r.is_suspended and c.suspension_instruction is not None and (
        r.suspension_instruction == c.suspension_instruction)


def decide(uow: UnitOfWork, principal: Principal, complaint_id: int, outcome: Outcome,
           remedy: Remedy, decision_no: str, text: str) -> Complaint:
    """处理决定, carried out on the round through the supervision use cases (module doc)."""
    c, r = _handled(uow, principal, complaint_id, ComplaintStatus.ACCEPTED)
    if outcome is Outcome.DISMISSED and remedy is not Remedy.CONTINUE:
        raise DomainError("COMPLAINT_REMEDY_INVALID", "驳回投诉的，招标投标活动继续进行",
                          "a dismissed complaint leaves the round to go on",
                          field="remedy")
    number = required_name(decision_no, "decision_no", 100)
    body = required_text(text, "text", MAX_TEXT)
    now = uow.clock.now()
    before = snapshot(c)
    code = r.section.code
    if remedy is Remedy.NEW_PROCUREMENT:
        _current(uow, principal, r)
        if _suspended_by(r, c):
            c.resumed_at = now  # the suspension ends with the termination
        supervision.terminate_section(uow, principal, code, number, body)
    else:
        if _suspended_by(r, c):
            supervision.resume_section(uow, principal, code, number, body)
            c.resumed_at = now
        if remedy is Remedy.RE_EVALUATE:
            _current(uow, principal, r)
            supervision.order_re_evaluation(uow, principal, code, number, body)
    c.status = ComplaintStatus.DECIDED.value
    c.outcome = outcome.value
    c.remedy = remedy.value
    c.decision_no = number
    c.resolution = body
    c.decided_at = now
    uow.record(principal.actor, "complaint.decide", "complaint", _key(r, c), before, snapshot(c))
    _emit(uow, r, c, EventType.COMPLAINT_DECIDED, principal.actor)
    return c


LAPSED_REASON = "因投诉暂停采购活动已满三十日，依《政府采购法》第五十七条恢复"


def resume_expired(uow: UnitOfWork) -> int:
    """The scheduler's part: every round suspended for a 投诉 past its cap (政府采购法 57) goes on
    (``supervision.resume_by_rule``); returns how many were resumed. The caller commits."""
    now = uow.clock.now()
    due = list(uow.session.scalars(select(Complaint).where(
        Complaint.suspension_ends_at < now, Complaint.resumed_at.is_(None))
        .order_by(Complaint.id)))
    resumed = 0
    for c in due:
        r = uow.session.get(Round, c.round_id)
        assert r is not None
        r = lock(uow, r)
        before = snapshot(c)
        if _suspended_by(r, c):
            assert c.handled_by is not None
            supervision.resume_by_rule(uow, r, c.handled_by,
                                       f"{c.suspension_instruction}（届满恢复）"[:100],
                                       LAPSED_REASON)
            resumed += 1
        c.resumed_at = now  # resumed by the law, or already by an instruction
        uow.record(SYSTEM_ACTOR, "complaint.suspension_lapsed", "complaint", _key(r, c), before,
                   snapshot(c))
    return resumed
