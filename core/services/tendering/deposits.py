"""Bid deposits (投标保证金) per registration: owed, paid, falling due, refunded.

A registration for a round with a deposit owes it (``deposit_status = 'due'``, set at
registration). Until the bank's arrival notices come in (a later issue), centre staff confirm a
payment by hand — never the bidder, never the tenderer. Recording the contract sets every paid
deposit's refund due date (:func:`core.services.tendering.award.record_contract`, 条例 57), and
staff mark the refund done. Refunds are possible at any time a deposit is paid: a bidder that
withdrew before the deadline, or a failed round (pass ``round_no``), is refunded too.

A refund shows what comes with it (:func:`refund_extras`, :mod:`core.rules.deposit_limits`): an
engineering deposit is refunded with the 银行同期存款利息 from its arrival to its refund (条例 57;
also 条例 31 on termination), and a government refund made after its due date owes the
超期资金占用费 (87号令 38) — both at the centre's rates (``uow.deposit_rates``, the settings
``GGZY_DEPOSIT_INTEREST_RATE_PERCENT`` and ``GGZY_LENDING_RATE_PERCENT``; the defaults are the
PBoC benchmarks documented in :mod:`core.rules.deposit_limits`).

Events: 招标投标法 第二十二条 forbids disclosing who registered before the deadline, so while the
round is in draft or bidding a deposit change is audited only; after the deadline it also emits
``deposit.confirmed`` / ``deposit.refunded``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, forbidden, not_found
from core.event_payloads import DepositPayload
from core.events import DomainEvent, EventType, project_ordering_key
from core.model.account import AccountKind
from core.model.tendering import Award, Registration, Round, RoundStatus
from core.rules import deposit_limits
from core.rules.calendar import require_aware
from core.security.access import acts_for_project, require_kind, require_party_user
from core.security.principal import Principal
from core.services.tendering.procedure import procedure_of
from core.services.tendering.rounds import get_round
from core.uow import UnitOfWork

DUE, PAID, REFUNDED, NONE = "due", "paid", "refunded", "none"
#: Before the deadline nothing about registrations leaves the centre (法 22).
SILENT = frozenset({RoundStatus.DRAFT.value, RoundStatus.BIDDING.value})


def _registration(uow: UnitOfWork, r: Round, party_id: int) -> Registration:
    reg = uow.session.scalars(select(Registration).where(
        Registration.round_id == r.id, Registration.party_id == party_id)
        .with_for_update(of=Registration).execution_options(populate_existing=True)).first()
    if reg is None:
        raise not_found("报名记录", "registration", f"{r.section.code}/{r.round_no}/{party_id}")
    return reg


def _staff_registration(uow: UnitOfWork, principal: Principal, section_code: str,
                        party_id: int, round_no: int | None) -> tuple[Round, Registration]:
    require_kind(principal, AccountKind.CENTRE_STAFF)
    r = get_round(uow, principal, section_code, round_no)
    return r, _registration(uow, r, party_id)


def refund_extras(r: Round, reg: Registration,
                  rates: deposit_limits.DepositRates = deposit_limits.DEFAULT_RATES
                  ) -> tuple[Decimal | None, Decimal | None]:
    """The interest (条例 57, engineering) and the overdue fee (87号令 38, 政府采购) of a refunded
    deposit at the centre's ``rates``; ``None`` before the refund and where the rule does not
    apply."""
    if reg.deposit_status != REFUNDED or r.deposit is None or reg.deposit_refunded_at is None:
        return None, None
    procedure = procedure_of(r)
    interest = (deposit_limits.deposit_interest(r.deposit, reg.deposit_paid_at,
                                                reg.deposit_refunded_at, rates.interest)
                if procedure.refund_interest and reg.deposit_paid_at is not None else None)
    fee = (deposit_limits.overdue_fee(r.deposit, reg.deposit_refund_due_at,
                                      reg.deposit_refunded_at, rates.overdue_fee)
           if procedure.late_refund_fee and reg.deposit_refund_due_at is not None else None)
    return interest, fee


def deposit_payload(r: Round, reg: Registration,
                    rates: deposit_limits.DepositRates = deposit_limits.DEFAULT_RATES
                    ) -> DepositPayload:
    late = (reg.deposit_refunded_at > reg.deposit_refund_due_at
            if reg.deposit_refunded_at and reg.deposit_refund_due_at else None)
    interest, fee = refund_extras(r, reg, rates)
    return {"section_code": r.section.code, "project_code": r.section.tender_project.project.code,
            "round_no": r.round_no, "party_id": reg.party_id, "party_name": reg.party.name,
            "party_identifier": reg.party.identifier, "deposit": r.deposit,
            "deposit_status": reg.deposit_status, "paid_at": reg.deposit_paid_at,
            "refund_due_at": reg.deposit_refund_due_at, "refunded_at": reg.deposit_refunded_at,
            "refunded_late": late, "interest": interest, "overdue_fee": fee}


def _changed(uow: UnitOfWork, principal: Principal, r: Round, reg: Registration, action: str,
             before: dict[str, Any], event: EventType) -> None:
    key = f"{r.section.code}/{r.round_no}/{reg.party_id}"
    uow.record(principal.actor, action, "registration", key, before, snapshot(reg))
    if r.status not in SILENT:
        uow.emit(DomainEvent(event, "registration", f"{r.section.code}/{r.round_no}/"
                             f"{reg.party.identifier}",
                             project_ordering_key(r.section.tender_project.project.code),
                             deposit_payload(r, reg, uow.deposit_rates)), principal.actor)


def confirm_payment(uow: UnitOfWork, principal: Principal, section_code: str, party_id: int,
                    paid_at: datetime | None = None, round_no: int | None = None
                    ) -> Registration:
    """Centre staff confirm that a registration's deposit arrived (at ``paid_at``, default now).
    Confirming a confirmed payment again changes nothing."""
    r, reg = _staff_registration(uow, principal, section_code, party_id, round_no)
    if reg.deposit_status == PAID:
        return reg
    if reg.deposit_status == NONE:
        raise DomainError("DEPOSIT_NOT_REQUIRED", "该轮次不要求投标保证金",
                          "this round asks for no deposit", ErrorKind.CONFLICT)
    if reg.deposit_status == REFUNDED:
        raise DomainError("DEPOSIT_ALREADY_REFUNDED", "该投标保证金已经退还",
                          "this deposit has already been refunded", ErrorKind.CONFLICT)
    now = uow.clock.now()
    when = now if paid_at is None else require_aware(paid_at, "paid_at")
    if when > now:
        raise DomainError("DEPOSIT_PAID_IN_FUTURE", "到账时间不能晚于当前时间",
                          "a payment cannot arrive in the future", field="paid_at")
    before = snapshot(reg)
    reg.deposit_status = PAID
    reg.deposit_paid_at = when
    reg.deposit_confirmed_by = principal.account_id
    award = uow.session.get(Award, r.id)
    if award is not None and award.refund_due_at is not None:
        reg.deposit_refund_due_at = award.refund_due_at  # confirmed after the contract
    _changed(uow, principal, r, reg, "deposit.confirm", before, EventType.DEPOSIT_CONFIRMED)
    return reg


def mark_refunded(uow: UnitOfWork, principal: Principal, section_code: str, party_id: int,
                  round_no: int | None = None) -> Registration:
    """Centre staff record that a paid deposit was refunded (now). Again: no change."""
    r, reg = _staff_registration(uow, principal, section_code, party_id, round_no)
    if reg.deposit_status == REFUNDED:
        return reg
    if reg.deposit_status != PAID:
        raise DomainError("DEPOSIT_NOT_PAID", "该投标保证金尚未确认到账，无可退还",
                          "this deposit has not been paid; there is nothing to refund",
                          ErrorKind.CONFLICT)
    before = snapshot(reg)
    reg.deposit_status = REFUNDED
    reg.deposit_refunded_at = uow.clock.now()
    _changed(uow, principal, r, reg, "deposit.refund", before, EventType.DEPOSIT_REFUNDED)
    return reg


def set_refund_due(uow: UnitOfWork, actor: str, r: Round, party_id: int,
                   due_at: datetime | None) -> Registration | None:
    """Set (or, given None, clear) when a paid deposit falls due for refund, audited; for the
    use cases that make one due outside the contract (a bid deemed withdrawn, 条例 35). A
    deposit not paid, or refunded already, is left as it is (None)."""
    reg = uow.session.scalars(select(Registration).where(
        Registration.round_id == r.id, Registration.party_id == party_id)
        .with_for_update(of=Registration)).first()
    if reg is None or reg.deposit_status != PAID or reg.deposit_refund_due_at == due_at:
        return None
    before = snapshot(reg)
    reg.deposit_refund_due_at = due_at
    uow.record(actor, "deposit.refund_due", "registration",
               f"{r.section.code}/{r.round_no}/{party_id}", before, snapshot(reg))
    return reg


def list_registrations(uow: UnitOfWork, principal: Principal, section_code: str,
                       round_no: int | None = None) -> tuple[Round, list[Registration]]:
    """Every registration with its deposit: for the oversight kinds, and for the owner and its
    agency once the deadline has passed (before it, who registered is secret, 法 22)."""
    r = get_round(uow, principal, section_code, round_no)
    owner = acts_for_project(principal, r.section.tender_project.project)
    if not principal.has_oversight and not (owner and r.status not in SILENT):
        raise forbidden("无权查看该轮次的报名和保证金",
                        "you may not see this round's registrations")
    return r, list(uow.session.scalars(select(Registration).where(Registration.round_id == r.id)
                                       .order_by(Registration.id)))


def my_registration(uow: UnitOfWork, principal: Principal, section_code: str,
                    round_no: int | None = None) -> tuple[Round, Registration]:
    """A bidder's own registration and deposit."""
    party_id = require_party_user(principal)
    r = get_round(uow, principal, section_code, round_no)
    reg = uow.session.scalars(select(Registration).where(
        Registration.round_id == r.id, Registration.party_id == party_id)).first()
    if reg is None:
        raise not_found("报名记录", "registration", f"{section_code}/{r.round_no}")
    return r, reg
