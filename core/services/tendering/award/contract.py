"""The signed contract on record and the deposits it makes due: every paid deposit of an
engineering round (条例 57), the winner's alone in 政府采购 (政采条例 33: the others fell due
after the award notice).

The 履约保证金 the documents asked of the winner, if any, is recorded with it and refused above
10 % of the contract amount (条例 58, 政采条例 48; :mod:`core.rules.deposit_limits`). A
government contract makes its copy due for filing within 7 个工作日 (政府采购法 47, tracked:
:mod:`core.rules.reporting_periods`); its notice is published in this same transaction, well
within 政采条例 50's 2 个工作日."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.event_payloads import ContractDeposit
from core.events import EventType
from core.model.tendering import Award, RoundStatus
from core.rules import deposit_limits, limits, reporting_periods
from core.rules.calendar import require_aware
from core.security.principal import Principal
from core.services import deadlines, lifecycle_notices
from core.services.calendar import calendar_of
from core.services.tendering.award.candidates import payload, winner_view
from core.services.tendering.award.rows import actor_round, round_key
from core.services.tendering.lifecycle import transition
from core.services.tendering.procedure import procedure_of
from core.services.tendering.round_events import emit_round
from core.services.tendering.supervision import ensure_not_suspended
from core.services.validation import amount
from core.uow import UnitOfWork


def record_contract(uow: UnitOfWork, principal: Principal, section_code: str,
                    contract_amount: Decimal | str, signed_at: datetime,
                    performance_bond: Decimal | str | None = None) -> Award:
    """The signed contract on record; the paid deposits it makes due fall due for refund
    (5 日 after signing for engineering, 条例 57; the winner's 5 个工作日 after it in government
    procurement). The contract notice is published at once (政采条例 50 allows 2 个工作日)."""
    r = actor_round(uow, principal, section_code)
    ensure_not_suspended(r)  # 政府采购法 57: a procurement suspended for a 投诉 signs nothing
    if r.status != RoundStatus.AWARDED:
        raise DomainError("ROUND_NOT_AWARDED", "只有发出中标通知书后才能登记合同",
                          "a contract is recorded only after the award notice",
                          ErrorKind.CONFLICT)
    award = uow.session.get(Award, r.id)
    assert award is not None
    value = amount(contract_amount, "amount")
    if value is None or value <= 0:
        raise DomainError("CONTRACT_AMOUNT_INVALID", "合同金额必须大于零",
                          "the contract amount must be greater than zero", field="amount")
    now = uow.clock.now()
    require_aware(signed_at, "signed_at")
    if signed_at > now:
        raise DomainError("CONTRACT_SIGNED_IN_FUTURE", "合同签订时间不能晚于当前时间",
                          "the contract cannot be signed in the future", field="signed_at")
    if signed_at < award.notice_issued_at:
        raise DomainError("CONTRACT_BEFORE_AWARD", "合同签订时间不能早于中标通知书发出时间",
                          "the contract cannot be signed before the award notice",
                          field="signed_at")
    procedure = procedure_of(r)
    bond = amount(performance_bond, "performance_bond")
    if bond is not None:
        deposit_limits.check_performance_bond(procedure, bond, value)
    signed_at = signed_at.astimezone(UTC)  # UTC in storage and in event payloads
    refund = (limits.refund_due(procedure, calendar_of(uow), signed_at)
              if procedure.refund_after_contract is not None else None)
    due = refund.ends_at.astimezone(UTC) if refund is not None else None
    before_award, before_round = snapshot(award), snapshot(r)
    award.contract_amount = value
    award.contract_signed_at = signed_at
    award.performance_bond = bond
    award.refund_due_at = due
    uow.record(principal.actor, "award.contract", "award", round_key(r), before_award,
               snapshot(award))
    split = procedure.after_report.refund_unsuccessful is not None
    due_now = deadlines.paid_deposits(uow, r, winner=True if split else None)
    if due is not None:
        deadlines.set_refund_due(uow, r, due_now, due, principal.actor)
    deposits: list[ContractDeposit] = [
        {"party_id": reg.party_id, "party_identifier": reg.party.identifier,
         "deposit_status": reg.deposit_status, "refund_due_at": reg.deposit_refund_due_at}
        for reg in due_now]
    transition(uow, r, RoundStatus.CONTRACTED, principal.actor, "round.contract",
               before=before_round)
    if refund is not None and procedure.refund_after_contract is not None:
        deadlines.track(uow, r, deadlines.Rule.REFUND_DUE, procedure.refund_after_contract,
                        signed_at, refund)
    filing = procedure.after_report.contract_filing
    if filing is not None:
        deadlines.track(uow, r, deadlines.Rule.CONTRACT_FILING_DUE, filing, signed_at,
                        reporting_periods.contract_filing_due(procedure, calendar_of(uow),
                                                              signed_at))
    emit_round(uow, r, EventType.CONTRACT_RECORDED, principal.actor,
               winner=payload(winner_view(uow, r, award)), contract_amount=value,
               contract_signed_at=signed_at, performance_bond=bond,
               deposit_refund_due_at=due, deposits=deposits)
    lifecycle_notices.contract(uow, r, award, winner_view(uow, r, award), principal.actor,
                               principal.account_id)
    return award
