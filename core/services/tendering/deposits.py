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

Money (issue 13): every deposit is booked in the ledger (:mod:`core.services.banking`). A bank
credit pays a registration through :func:`mark_paid`; staff's confirmation stays as the fallback
for a cash or cheque deposit and books the round's deposit as ``counter → deposits_held`` with
the staff act as its source (once per registration). Staff's refund settles the registration's
refund line like a bank's report would (:func:`core.services.banking.refunds.settle_line`).

Secrecy (法 22, :mod:`core.rules.deposit_secrecy`): before the deadline nobody but the bidder
itself reads a registration's payment state; :func:`deposit_view` gives the reads with those
fields withheld (``withheld = 'LAW_22'``), :func:`deposit_counts` gives centre staff the counts,
and :func:`opening_deposits` (at the deadline) who paid on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, forbidden, not_found
from core.event_payloads import DepositPayload
from core.events import DomainEvent, EventType, project_ordering_key
from core.model.account import AccountKind
from core.model.bank import PayerCheck
from core.model.ledger import LedgerAccountKind, SourceKind
from core.model.tendering import Award, CommitteeMember, Registration, Round, RoundStatus
from core.rules import deposit_limits, deposit_secrecy
from core.rules.calendar import require_aware
from core.security.access import acts_for_project, require_kind, require_party_user
from core.security.principal import Principal
from core.services.banking import credits, ledger, refunds
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


def _changed(uow: UnitOfWork, actor: str, r: Round, reg: Registration, action: str,
             before: dict[str, Any], event: EventType) -> None:
    key = f"{r.section.code}/{r.round_no}/{reg.party_id}"
    uow.record(actor, action, "registration", key, before, snapshot(reg))
    if deposit_secrecy.payment_state_public(r.status, r.bid_deadline, uow.clock.now()):
        uow.emit(DomainEvent(event, "registration", f"{r.section.code}/{r.round_no}/"
                             f"{reg.party.identifier}",
                             project_ordering_key(r.section.tender_project.project.code),
                             deposit_payload(r, reg, uow.deposit_rates)), actor)


def confirm_payment(uow: UnitOfWork, principal: Principal, section_code: str, party_id: int,
                    paid_at: datetime | None = None, round_no: int | None = None
                    ) -> Registration:
    """Centre staff confirm that a registration's deposit arrived (at ``paid_at``, default now).
    Confirming a confirmed payment again changes nothing."""
    r, reg = _staff_registration(uow, principal, section_code, party_id, round_no)
    if reg.deposit_status == PAID:  # once; the ledger's staff act is booked once too
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
    if r.deposit is not None and r.deposit > 0:  # a cash or cheque deposit: the staff act
        ledger.book(uow, principal.actor, SourceKind.STAFF_ACT, f"deposit.confirm/{reg.id}", [
            ledger.Leg(ledger.account(uow, LedgerAccountKind.COUNTER, round_id=r.id),
                       ledger.DEBIT, r.deposit),
            ledger.Leg(ledger.account(uow, LedgerAccountKind.DEPOSITS_HELD, round_id=r.id),
                       ledger.CREDIT, r.deposit)],
            memo="deposit confirmed by centre staff (cash or cheque)", round_id=r.id,
            registration_id=reg.id)
    reg.deposit_confirmed_by = principal.account_id
    mark_paid(uow, principal.actor, r, reg, when)
    return reg


def mark_paid(uow: UnitOfWork, actor: str, r: Round, reg: Registration,
              paid_at: datetime) -> None:
    """The registration's deposit has arrived in full (staff's confirmation or the bank credit
    that completed it): paid at ``paid_at``; after the contract it falls due with the others."""
    before = snapshot(reg)
    reg.deposit_status = PAID
    reg.deposit_paid_at = paid_at
    award = uow.session.get(Award, r.id)
    if award is not None and award.refund_due_at is not None:
        reg.deposit_refund_due_at = award.refund_due_at  # paid after the contract
        refunds.open_lines(uow, actor, r, [reg], award.refund_due_at)
    _changed(uow, actor, r, reg, "deposit.confirm", before, EventType.DEPOSIT_CONFIRMED)


def mark_settled(uow: UnitOfWork, actor: str, r: Round, reg: Registration,
                 refunded_at: datetime) -> None:
    """The registration's refund was paid out (its refund line settled)."""
    before = snapshot(reg)
    reg.deposit_status = REFUNDED
    reg.deposit_refunded_at = refunded_at
    _changed(uow, actor, r, reg, "deposit.refund", before, EventType.DEPOSIT_REFUNDED)


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
    now = uow.clock.now()
    line = refunds.open_line_of(uow, reg.id)
    if line is None and ledger.held_for(uow.session, r.id, reg.id) > 0:
        line = refunds.open_lines(uow, principal.actor, r, [reg],
                                  reg.deposit_refund_due_at or now)[0]
    if line is not None:  # the money the ledger holds goes out through the line, once
        refunds.settle_line(uow, principal.actor, line.id, now)
    else:  # paid before the ledger existed: nothing booked to move
        mark_settled(uow, principal.actor, r, reg, now)
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
    if due_at is None:
        refunds.cancel_line(uow, actor, r, reg)
    else:
        refunds.open_lines(uow, actor, r, [reg], due_at)
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


# -- reads, under 法 22 -------------------------------------------------------------------------


@dataclass(frozen=True)
class DepositView:
    """A registration's deposit as a reader may see it: ``withheld`` names the rule that
    leaves the payment fields null (``LAW_22`` before the deadline for anyone but the bidder);
    ``payer_check`` is the worst finding on its bank credits (条例 26), null without one."""

    round: Round
    registration: Registration
    withheld: str | None
    counted: Decimal | None  # the credits that arrived before the deposit deadline
    late: Decimal | None  # the credits that arrived after it: kept, not counted
    payer_check: str | None

    @property
    def visible(self) -> bool:
        return self.withheld is None


_WORST = (PayerCheck.NOT_BASIC_ACCOUNT.value, PayerCheck.BASIC_ACCOUNT_UNKNOWN.value,
          PayerCheck.BASIC_ACCOUNT.value)


def deposit_view(uow: UnitOfWork, r: Round, reg: Registration, *, own: bool) -> DepositView:
    """What a reader may see of one registration's deposit (``own``: the bidder itself)."""
    if not deposit_secrecy.may_read_payment_state(r.status, r.bid_deadline, uow.clock.now(),
                                                  own=own):
        return DepositView(r, reg, deposit_secrecy.WITHHELD_LAW_22, None, None, None)
    found = credits.credits_of(uow.session, reg.id)
    counted = sum((c.amount for c in found if c.counted), Decimal("0.00"))
    late = sum((c.amount for c in found if not c.counted), Decimal("0.00"))
    checks = {c.payer_check for c in found}
    worst = next((w for w in _WORST if w in checks), None)
    return DepositView(r, reg, None, counted, late, worst)


@dataclass(frozen=True)
class DepositCounts:
    registrations: int
    paid: int


def deposit_counts(uow: UnitOfWork, principal: Principal, section_code: str,
                   round_no: int | None = None) -> DepositCounts:
    """How many registrations a round has and how many have paid — never who: what centre
    staff may know before the deadline (法 22 names the 数量 too: it stays in the centre)."""
    require_kind(principal, AccountKind.CENTRE_STAFF)
    r = get_round(uow, principal, section_code, round_no)
    regs = list(uow.session.scalars(select(Registration.deposit_status).where(
        Registration.round_id == r.id)))
    return DepositCounts(len(regs), sum(1 for status in regs if status in (PAID, REFUNDED)))


def opening_deposits(uow: UnitOfWork, principal: Principal, section_code: str,
                     round_no: int | None = None) -> tuple[Round, list[DepositView]]:
    """At and after the deadline: who paid on time, with the late credits and the payer
    findings, for the opening and the evaluators (and whoever may list the registrations).
    Before it: ``DEPOSITS_SECRET_LAW_22``."""
    r = get_round(uow, principal, section_code, round_no)
    if not deposit_secrecy.payment_state_public(r.status, r.bid_deadline, uow.clock.now()):
        raise DomainError(deposit_secrecy.DEPOSITS_SECRET,
                          "投标截止前不得查看投标人的保证金缴纳情况（《招标投标法》第二十二条）",
                          "who paid a deposit is secret until the bid deadline (Tendering Law "
                          "art. 22)", ErrorKind.FORBIDDEN)
    member = principal.kind is AccountKind.EXPERT and _sits_on(uow, principal, r)
    if not member:
        r, regs = list_registrations(uow, principal, section_code, round_no)
    else:
        regs = list(uow.session.scalars(select(Registration).where(
            Registration.round_id == r.id).order_by(Registration.id)))
    return r, [deposit_view(uow, r, reg, own=False) for reg in regs]


def _sits_on(uow: UnitOfWork, principal: Principal, r: Round) -> bool:
    return uow.session.scalars(select(CommitteeMember.id).where(
        CommitteeMember.round_id == r.id,
        CommitteeMember.account_id == principal.account_id)).first() is not None
