"""SupervisionService (urn:ggzy-hub:ws:supervision:1): instructions (监督指令) from the
supervision systems — suspend (暂停), resume (恢复) or terminate (终止) the current round of a
section, each with its instruction number (文号) and reason.

Supervisor and administrator accounts only. The core stores each instruction once per round,
action and number: the same instruction again changes nothing and answers with the round as it
stands (core.services.tendering.supervision).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spyne import Boolean, ComplexModel, DateTime, Integer, ServiceBase, Unicode, rpc

from adapters.webservice.calls import Call, run
from adapters.webservice.query_types import utc
from core.model.account import AccountKind
from core.model.tendering import Round
from core.security.principal import Principal
from core.services.tendering import supervision
from core.uow import UnitOfWork

TNS = "urn:ggzy-hub:ws:supervision:1"
KINDS = frozenset({AccountKind.SUPERVISOR, AccountKind.ADMIN})

Instruction = Callable[[UnitOfWork, Principal, str, str, str], Round]


class RoundState(ComplexModel):
    __namespace__ = TNS
    SectionCode = Unicode
    RoundNo = Integer
    Status = Unicode
    Suspended = Boolean
    SuspendedAt = DateTime
    SuspensionInstruction = Unicode
    BidDeadline = DateTime
    FailureReason = Unicode


SectionCodeIn = Unicode(min_occurs=1, nillable=False, min_len=23, max_len=23)
InstructionNoIn = Unicode(min_occurs=1, nillable=False, min_len=1, max_len=100)
ReasonIn = Unicode(min_occurs=1, nillable=False, min_len=1, max_len=2000)


def round_state(r: Round) -> RoundState:
    return RoundState(SectionCode=r.section.code, RoundNo=r.round_no, Status=r.status,
                      Suspended=r.suspended_at is not None, SuspendedAt=utc(r.suspended_at),
                      SuspensionInstruction=r.suspension_instruction,
                      BidDeadline=utc(r.bid_deadline), FailureReason=r.failure_reason)


def _instruct(ctx: Any, operation: str, instruction: Instruction, section_code: str,
              instruction_no: str, reason: str) -> RoundState:
    return run(ctx, Call(operation, "section", section_code, KINDS),
               lambda uow, principal: round_state(
                   instruction(uow, principal, section_code, instruction_no, reason)))


class SupervisionService(ServiceBase):
    """Each answer is the round as it stands after the instruction."""

    @rpc(SectionCodeIn, InstructionNoIn, ReasonIn, _returns=RoundState,
         _out_variable_name="Round")
    def SuspendSection(ctx: Any, SectionCode: str, InstructionNo: str,
                       Reason: str) -> RoundState:
        """暂停: the round stands still in its status; its running deadline is given back on
        resumption."""
        return _instruct(ctx, "SuspendSection", supervision.suspend_section, SectionCode,
                         InstructionNo, Reason)

    @rpc(SectionCodeIn, InstructionNoIn, ReasonIn, _returns=RoundState,
         _out_variable_name="Round")
    def ResumeSection(ctx: Any, SectionCode: str, InstructionNo: str,
                      Reason: str) -> RoundState:
        """恢复 a suspended round."""
        return _instruct(ctx, "ResumeSection", supervision.resume_section, SectionCode,
                         InstructionNo, Reason)

    @rpc(SectionCodeIn, InstructionNoIn, ReasonIn, _returns=RoundState,
         _out_variable_name="Round")
    def TerminateSection(ctx: Any, SectionCode: str, InstructionNo: str,
                         Reason: str) -> RoundState:
        """终止: the round ends; paid deposits fall due for refund at once."""
        return _instruct(ctx, "TerminateSection", supervision.terminate_section, SectionCode,
                         InstructionNo, Reason)
