"""投诉 over REST: a party lodges one about a round and reads its own; the supervisor (an
account of kind ``supervisor``) lists them, accepts or refuses, suspends the round meanwhile and
decides, the decision carried out on the round by the supervision instructions' use cases.

Every refusal is a problem with a stable code naming its article and changes nothing: e.g.
``COMPLAINT_TOO_LATE_REG_60``, ``COMPLAINT_WITHOUT_OBJECTION_GPL_55``,
``COMPLAINT_SUSPENSION_OVER_LIMIT_GPL_57``, ``ROLE_NOT_ALLOWED`` for anyone but a supervisor.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import Field

from adapters.rest.deps import Caller, UoW
from adapters.rest.fields import MAX_INT, Moment, Name, PathCode, PathId, Text
from adapters.rest.schemas import Out, Strict
from core.model.tendering import Complaint, ComplaintStatus, Round
from core.services.tendering import complaints
from core.services.tendering.award import MAX_TEXT
from core.services.tendering.complaints import Outcome, Remedy

router = APIRouter(prefix="/api/v1", tags=["complaints"])


class ComplaintIn(Strict):
    text: Text = Field(min_length=1, max_length=MAX_TEXT,
                       description="投诉请求, the facts and the evidence")
    objection_id: int | None = Field(
        None, ge=1, le=MAX_INT,
        description="the objection (质疑) it follows: required for the documents, the opening "
                    "and the result (条例 60) and for every 政府采购 投诉 (政府采购法 55)")
    knew_at: Moment | None = Field(
        None, description="engineering: the day the complainant knew (条例 60); required "
                          "without an objection")


class ComplaintOut(Out):
    id: int
    section_code: str
    round_no: int
    party_id: int
    objection_id: int | None
    stage: str | None = Field(description="documents | opening | result; null: another matter")
    text: str
    knew_at: datetime | None
    raised_at: datetime
    status: str = Field(description="received | accepted | refused | decided")
    acceptance_due_at: datetime = Field(
        description="accepted or refused by (条例 61: 3 个工作日; 94号令 21: 5 个工作日)")
    accepted_at: datetime | None
    decision_due_at: datetime | None = Field(
        description="decided by (30 个工作日: 条例 61 from acceptance, 政府采购法 56 from "
                    "receipt)")
    refused_at: datetime | None
    suspended_at: datetime | None = Field(description="the first suspension for it")
    suspension_instruction: str | None
    suspension_ends_at: datetime | None = Field(
        description="政府采购: the procurement resumes by itself after this (政府采购法 57: 30 日)")
    resumed_at: datetime | None
    outcome: str | None = Field(description="dismissed | upheld")
    remedy: str | None = Field(description="continue | re_evaluate | new_procurement")
    decision_no: str | None
    resolution: str | None = Field(description="the refusal's reason, or the decision")
    decided_at: datetime | None


def complaint_out(c: Complaint, r: Round) -> ComplaintOut:
    return ComplaintOut(
        id=c.id, section_code=r.section.code, round_no=r.round_no, party_id=c.party_id,
        objection_id=c.objection_id, stage=c.stage, text=c.text, knew_at=c.knew_at,
        raised_at=c.raised_at, status=c.status, acceptance_due_at=c.acceptance_due_at,
        accepted_at=c.accepted_at, decision_due_at=c.decision_due_at, refused_at=c.refused_at,
        suspended_at=c.suspended_at, suspension_instruction=c.suspension_instruction,
        suspension_ends_at=c.suspension_ends_at, resumed_at=c.resumed_at, outcome=c.outcome,
        remedy=c.remedy, decision_no=c.decision_no, resolution=c.resolution,
        decided_at=c.decided_at)


@router.post("/sections/{code}/complaints", response_model=ComplaintOut, status_code=201)
def raise_complaint(code: PathCode, body: ComplaintIn, uow: UoW, caller: Caller
                    ) -> ComplaintOut:
    """A party lodges a 投诉 about the section's current round: after its objection where the
    law requires one, within 10 日 of knowing (条例 60, the answer time not counted) or 15
    个工作日 after the 质疑's answer period (政府采购法 55)."""
    c = complaints.raise_complaint(uow, caller, code, body.text, objection_id=body.objection_id,
                                   knew_at=body.knew_at)
    return complaint_out(*complaints.get_complaint(uow, caller, c.id))


@router.get("/sections/{code}/complaints", response_model=list[ComplaintOut])
def section_complaints(code: PathCode, uow: UoW, caller: Caller) -> list[ComplaintOut]:
    """A party its own; the owner, its agency and oversight every one of the round."""
    found = complaints.list_section_complaints(uow, caller, code)
    return [complaint_out(*complaints.get_complaint(uow, caller, c.id)) for c in found]


@router.get("/complaints", response_model=list[ComplaintOut])
def list_complaints(uow: UoW, caller: Caller,
                    status: ComplaintStatus | None = None) -> list[ComplaintOut]:
    """Every complaint, oldest first: the supervisor."""
    return [complaint_out(c, r) for c, r in complaints.list_complaints(uow, caller, status)]


@router.get("/complaints/{complaint_id}", response_model=ComplaintOut)
def get_complaint(complaint_id: PathId, uow: UoW, caller: Caller) -> ComplaintOut:
    """One complaint: the supervisor and oversight, the complainant, the owner and its agency."""
    return complaint_out(*complaints.get_complaint(uow, caller, complaint_id))


@router.post("/complaints/{complaint_id}/accept", response_model=ComplaintOut)
def accept(complaint_id: PathId, uow: UoW, caller: Caller) -> ComplaintOut:
    """受理 (the supervisor); the decision falls due within 30 个工作日."""
    c = complaints.accept(uow, caller, complaint_id)
    return complaint_out(*complaints.get_complaint(uow, caller, c.id))


class RefusalIn(Strict):
    reason: Text = Field(min_length=1, max_length=MAX_TEXT)


@router.post("/complaints/{complaint_id}/refuse", response_model=ComplaintOut)
def refuse(complaint_id: PathId, body: RefusalIn, uow: UoW, caller: Caller) -> ComplaintOut:
    """不予受理, with the reason (the supervisor); the round is not touched."""
    c = complaints.refuse(uow, caller, complaint_id, body.reason)
    return complaint_out(*complaints.get_complaint(uow, caller, c.id))


class SuspensionIn(Strict):
    instruction_no: Name = Field(min_length=1, max_length=100, description="the 文号")
    reason: Text = Field(min_length=1, max_length=1800)


@router.post("/complaints/{complaint_id}/suspend", response_model=ComplaintOut)
def suspend(complaint_id: PathId, body: SuspensionIn, uow: UoW, caller: Caller
            ) -> ComplaintOut:
    """暂停 the round while the complaint is handled (the supervisor, once it is accepted);
    政府采购: at most 30 日 from the first suspension, resumed by itself after them."""
    c = complaints.suspend(uow, caller, complaint_id, body.instruction_no, body.reason)
    return complaint_out(*complaints.get_complaint(uow, caller, c.id))


class DecisionIn(Strict):
    outcome: Outcome = Field(description="dismissed (驳回) | upheld (成立)")
    remedy: Remedy = Field(
        Remedy.CONTINUE,
        description="continue: the round goes on (resumed); re_evaluate: the committee "
                    "evaluates again; new_procurement: the round is terminated and the section "
                    "tendered again")
    decision_no: Name = Field(min_length=1, max_length=100, description="处理决定书 文号")
    text: Text = Field(min_length=1, max_length=MAX_TEXT)


@router.post("/complaints/{complaint_id}/decide", response_model=ComplaintOut)
def decide(complaint_id: PathId, body: DecisionIn, uow: UoW, caller: Caller) -> ComplaintOut:
    """处理决定 (the supervisor), carried out on the round."""
    c = complaints.decide(uow, caller, complaint_id, body.outcome, body.remedy,
                          body.decision_no, body.text)
    return complaint_out(*complaints.get_complaint(uow, caller, c.id))
