"""条例 57: the signed contract on record; every paid deposit of the round falls due for refund."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.event_payloads import ContractDeposit
from core.events import EventType
from core.model.tendering import Award, Registration, RoundStatus
from core.rules import limits
from core.rules.calendar import require_aware
from core.security.principal import Principal
from core.services import deadlines, lifecycle_notices
from core.services.calendar import calendar_of
from core.services.tendering.award.candidates import payload, winner_view
from core.services.tendering.award.rows import actor_round, round_key
from core.services.tendering.lifecycle import transition
from core.services.tendering.procedure import procedure_of
from core.services.tendering.round_events import emit_round
from core.services.validation import amount
from core.uow import UnitOfWork


def record_contract(uow: UnitOfWork, principal: Principal, section_code: str,
                    contract_amount: Decimal | str, signed_at: datetime) -> Award:
    """The signed contract on record; every paid deposit of the round falls due for refund
    (5 日 after signing for engineering, 条例 57; 5 个工作日 in government procurement)."""
    r = actor_round(uow, principal, section_code)
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
    signed_at = signed_at.astimezone(UTC)  # UTC in storage and in event payloads
    refund = (limits.refund_due(procedure, calendar_of(uow), signed_at)
              if procedure.refund_after_contract is not None else None)
    due = refund.ends_at.astimezone(UTC) if refund is not None else None
    before_award, before_round = snapshot(award), snapshot(r)
    award.contract_amount = value
    award.contract_signed_at = signed_at
    award.refund_due_at = due
    uow.record(principal.actor, "award.contract", "award", round_key(r), before_award,
               snapshot(award))
    deposits: list[ContractDeposit] = []
    for reg in uow.session.scalars(select(Registration).where(
            Registration.round_id == r.id, Registration.deposit_status == "paid")
            .order_by(Registration.id).with_for_update(of=Registration)):
        before_reg = snapshot(reg)
        reg.deposit_refund_due_at = due
        uow.record(principal.actor, "deposit.refund_due", "registration",
                   f"{round_key(r)}/{reg.party_id}", before_reg, snapshot(reg))
        deposits.append({"party_id": reg.party_id, "party_identifier": reg.party.identifier,
                         "deposit_status": reg.deposit_status, "refund_due_at": due})
    transition(uow, r, RoundStatus.CONTRACTED, principal.actor, "round.contract",
               before=before_round)
    if refund is not None and procedure.refund_after_contract is not None:
        deadlines.track(uow, r, deadlines.Rule.REFUND_DUE, procedure.refund_after_contract,
                        signed_at, refund)
    emit_round(uow, r, EventType.CONTRACT_RECORDED, principal.actor,
               winner=payload(winner_view(uow, r, award)), contract_amount=value,
               contract_signed_at=signed_at, deposit_refund_due_at=due, deposits=deposits)
    lifecycle_notices.contract(uow, r, award, winner_view(uow, r, award), principal.actor,
                               principal.account_id)
    return award
