"""Refund lines (退还): one per registration whose deposit fell due, created once.

When a deposit falls due on the existing dates (the contract, the award notice for 政府采购's
unsuccessful bidders, a withdrawal, a failed or terminated round: :mod:`core.services.deadlines`,
:mod:`core.services.tendering.deposits`), :func:`open_lines` creates the registration's line with
the money the ledger holds for it — the credits that counted, any overpayment, and late credits
too, all of it the bidder's — and books it ``deposits_held → refunds_payable``. A date that moves
moves the line's ``due_at``; a date taken back (a later determination: 撤销, not 撤回) cancels a
line not yet settled, booked back. The bank adapter sends the lines in a batch, each with its
``id`` as idempotency key, and reports each settled with :func:`settle_line`, which books
``refunds_payable → refunded`` once per line id and stores the bank's interest figure (the bank
computes it: principal × its rate × days ÷ 360; it is not recomputed here). Executing the batch is
the adapter's job, not the core's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.model.bank import RefundLine, RefundLineStatus
from core.model.ledger import CNY, LedgerAccountKind, SourceKind
from core.model.tendering import Registration, Round
from core.rules.calendar import require_aware
from core.services.banking import ledger
from core.uow import UnitOfWork

_CENT = Decimal("0.01")


def open_line_of(uow: UnitOfWork, registration_id: int) -> RefundLine | None:
    """The registration's line that is not cancelled (due or settled), if any."""
    return uow.session.scalars(select(RefundLine).where(
        RefundLine.registration_id == registration_id,
        RefundLine.status != RefundLineStatus.CANCELLED.value)
        .with_for_update()).first()


def open_lines(uow: UnitOfWork, actor: str, r: Round, registrations: Iterable[Registration],
               due_at: datetime) -> list[RefundLine]:
    """Create (once) the refund line of each registration that holds money; move the due date
    of a line still due. A registration holding nothing (paid before the ledger, or not at all)
    gets none."""
    lines = []
    for reg in registrations:
        line = open_line_of(uow, reg.id)
        if line is not None:
            if line.status == RefundLineStatus.DUE.value and line.due_at != due_at:
                before = snapshot(line)
                line.due_at = due_at
                uow.record(actor, "refund_line.due", "refund_line", line.id, before,
                           snapshot(line))
            lines.append(line)
            continue
        held = ledger.held_for(uow.session, r.id, reg.id)
        if held <= 0:
            continue
        line = RefundLine(round_id=r.id, registration_id=reg.id, amount=held, currency=CNY,
                          due_at=due_at, status=RefundLineStatus.DUE.value,
                          created_at=uow.clock.now())
        uow.session.add(line)
        uow.session.flush()
        ledger.book(uow, actor, SourceKind.REFUND_DUE, str(line.id), [
            ledger.Leg(ledger.account(uow, LedgerAccountKind.DEPOSITS_HELD, round_id=r.id),
                       ledger.DEBIT, held),
            ledger.Leg(ledger.account(uow, LedgerAccountKind.REFUNDS_PAYABLE, round_id=r.id),
                       ledger.CREDIT, held)],
            memo="deposit fell due for refund", round_id=r.id, registration_id=reg.id)
        uow.record(actor, "refund_line.open", "refund_line", line.id, None, snapshot(line))
        lines.append(line)
    return lines


def cancel_line(uow: UnitOfWork, actor: str, r: Round, reg: Registration) -> RefundLine | None:
    """Take back a line not yet settled (its due date was taken back), booked back to held."""
    line = open_line_of(uow, reg.id)
    if line is None or line.status != RefundLineStatus.DUE.value:
        return None
    before = snapshot(line)
    line.status = RefundLineStatus.CANCELLED.value
    ledger.book(uow, actor, SourceKind.REFUND_CANCELLED, str(line.id), [
        ledger.Leg(ledger.account(uow, LedgerAccountKind.REFUNDS_PAYABLE, round_id=r.id),
                   ledger.DEBIT, line.amount),
        ledger.Leg(ledger.account(uow, LedgerAccountKind.DEPOSITS_HELD, round_id=r.id),
                   ledger.CREDIT, line.amount)],
        memo="refund due date taken back", round_id=r.id, registration_id=reg.id)
    uow.record(actor, "refund_line.cancel", "refund_line", line.id, before, snapshot(line))
    return line


def due_lines(uow: UnitOfWork, round_id: int | None = None) -> list[RefundLine]:
    """The lines the adapter has to send (due, not settled), oldest first."""
    query = select(RefundLine).where(RefundLine.status == RefundLineStatus.DUE.value)
    if round_id is not None:
        query = query.where(RefundLine.round_id == round_id)
    return list(uow.session.scalars(query.order_by(RefundLine.id)))


def settle_line(uow: UnitOfWork, actor: str, line_id: int, settled_at: datetime, *,
                interest: Decimal | None = None, bank_serial: str | None = None) -> RefundLine:
    """The bank paid the line: book ``refunds_payable → refunded`` once per line id, keep the
    bank's interest figure and serial, and mark the registration's deposit refunded. The same
    report again changes nothing."""
    line = uow.session.scalars(select(RefundLine).where(RefundLine.id == line_id)
                               .with_for_update()).first()
    if line is None:
        raise not_found("退还明细", "refund line", line_id)
    if line.status == RefundLineStatus.CANCELLED.value:
        raise DomainError("REFUND_LINE_CANCELLED", f"退还明细 {line_id} 已撤销",
                          f"refund line {line_id} was cancelled", ErrorKind.CONFLICT)
    if line.status == RefundLineStatus.SETTLED.value:
        return line
    when = require_aware(settled_at, "settled_at")
    if interest is not None and (not isinstance(interest, Decimal) or not interest.is_finite()
                                 or interest < 0 or interest != interest.quantize(_CENT)):
        raise DomainError("REFUND_INTEREST_INVALID",
                          f"利息须为不小于零、精确到分的金额：{interest}",
                          f"the interest is an amount ≥ 0 to the 分, not {interest}",
                          field="interest")
    r = uow.session.get(Round, line.round_id)
    assert r is not None
    ledger.book(uow, actor, SourceKind.REFUND_LINE, str(line.id), [
        ledger.Leg(ledger.account(uow, LedgerAccountKind.REFUNDS_PAYABLE, round_id=r.id),
                   ledger.DEBIT, line.amount),
        ledger.Leg(ledger.account(uow, LedgerAccountKind.REFUNDED, round_id=r.id),
                   ledger.CREDIT, line.amount)],
        memo="refund settled", round_id=r.id, registration_id=line.registration_id)
    before = snapshot(line)
    line.status = RefundLineStatus.SETTLED.value
    line.settled_at = when
    line.interest = interest
    line.bank_serial = bank_serial
    uow.record(actor, "refund_line.settle", "refund_line", line.id, before, snapshot(line))
    reg = uow.session.get(Registration, line.registration_id)
    if reg is not None and reg.deposit_status == "paid":
        from core.services.tendering import deposits  # the registration's own module

        deposits.mark_settled(uow, actor, r, reg, when)
    return line
