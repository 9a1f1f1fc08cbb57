"""Bank credits (到账): the use case a bank adapter calls once it has verified an arrival notice.

:func:`record_credit` keeps every credit and books it in the ledger, in the caller's
transaction:

* **Matched** by sub-account (:func:`sub_account`, unique per bank) to the registration the bank
  opened it for. Credits that arrived before the round's deposit deadline
  (:func:`deposit_deadline`: the documents' 保证金到账截止时间 when earlier, else the bid deadline)
  add up; when their sum reaches the deposit the registration is paid (``deposit_paid_at`` = the
  arrival of the credit that completed it). A late credit is kept and booked as held (it is the
  bidder's money and goes back with the refund) but does not count.
* **Payer** compared with the bidder's registered 基本账户 (条例 26: a deposit in cash or by
  cheque "应当从其基本账户转出"): a different account, or none registered, is flagged on the
  credit (``payer_check``) for the evaluators to weigh; the credit is neither accepted nor
  rejected for it here.
* **Unmatched**: a sub-account no bidder was given is booked to the bank's ``unmatched`` account
  and waits in :func:`unmatched_credits` for staff.
* **Refused**, changing nothing: a currency other than CNY (``BANK_CREDIT_CURRENCY_UNSUPPORTED``),
  an amount not positive or finer than the 分 (``BANK_CREDIT_AMOUNT_INVALID``), a missing field
  (``BANK_CREDIT_FIELD_INVALID``), the same bank serial with other details
  (``BANK_CREDIT_CONFLICT``). The same notice again returns the first booking (``repeated``).

Secrecy (法 22): a credit recorded before the deadline is audited only; it announces
``deposit.confirmed`` only once the round is past it (:mod:`core.services.tendering.deposits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.model.account import AccountKind
from core.model.bank import BankCredit, BankSubAccount, PayerCheck
from core.model.ledger import CNY, LedgerAccountKind, LedgerEntry, SourceKind
from core.model.party import Party
from core.model.tendering import Registration, Round
from core.rules.calendar import require_aware
from core.security.access import require_kind
from core.security.principal import Principal
from core.services.banking import ledger
from core.uow import UnitOfWork

_CENT = Decimal("0.01")
_LIMITS = {"bank": 32, "bank_serial": 64, "sub_account": 64, "payer_account": 64,
           "payer_name": 200}


@dataclass(frozen=True)
class CreditNotice:
    """An arrival as the bank reported it (the adapter has verified the caller)."""

    bank: str
    bank_serial: str
    sub_account: str
    amount: Decimal
    currency: str
    payer_account: str
    payer_name: str
    arrived_at: datetime


@dataclass(frozen=True)
class CreditOutcome:
    credit: BankCredit
    entry: LedgerEntry
    repeated: bool  # the same notice was recorded before: nothing changed
    matched: bool
    counted: bool  # arrived before the deposit deadline
    paid_now: bool  # this credit completed the registration's deposit


def deposit_deadline(r: Round) -> datetime:
    """When a deposit must have arrived: the documents' earlier deadline, else the bid deadline."""
    if r.deposit_deadline is not None and r.deposit_deadline < r.bid_deadline:
        return r.deposit_deadline
    return r.bid_deadline


def sub_account(session: Session, bank: str, number: str) -> BankSubAccount | None:
    """The virtual sub-account a bank gave a bidder for a round, by the bank's number."""
    return session.scalars(select(BankSubAccount).where(
        BankSubAccount.bank == bank, BankSubAccount.number == number)).first()


def _normal_account(number: str | None) -> str:
    return "".join(ch for ch in (number or "") if ch.isalnum()).upper()


def payer_check(party: Party, payer_account: str) -> PayerCheck:
    """The payer against the party's registered basic account (条例 26), spaces and dashes
    ignored."""
    if not _normal_account(party.basic_account_no):
        return PayerCheck.BASIC_ACCOUNT_UNKNOWN
    if _normal_account(party.basic_account_no) == _normal_account(payer_account):
        return PayerCheck.BASIC_ACCOUNT
    return PayerCheck.NOT_BASIC_ACCOUNT


def _checked(notice: CreditNotice) -> CreditNotice:
    for name, limit in _LIMITS.items():
        value = getattr(notice, name)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise DomainError("BANK_CREDIT_FIELD_INVALID", f"到账通知字段 {name} 缺失或过长",
                              f"the credit's {name} is missing or longer than {limit}",
                              field=name)
    if notice.currency != CNY:
        raise DomainError("BANK_CREDIT_CURRENCY_UNSUPPORTED",
                          f"投标保证金只收人民币（CNY），收到 {notice.currency}",
                          f"deposits are in CNY only, not {notice.currency}", field="currency")
    amount = notice.amount
    if (not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0
            or amount != amount.quantize(_CENT)):
        raise DomainError("BANK_CREDIT_AMOUNT_INVALID",
                          f"到账金额须为大于零、精确到分的金额，收到 {amount}",
                          f"a credit is a positive amount to the 分, not {amount}",
                          field="amount")
    require_aware(notice.arrived_at, "arrived_at")
    return notice


def _same(c: BankCredit, n: CreditNotice) -> bool:
    return (c.sub_account, c.amount, c.currency, c.payer_account, c.payer_name, c.arrived_at) == (
        n.sub_account, n.amount, n.currency, n.payer_account, n.payer_name, n.arrived_at)


def counted_total(session: Session, registration_id: int) -> Decimal:
    """The credits that arrived in time for a registration."""
    total = session.scalar(select(func.coalesce(func.sum(BankCredit.amount), 0)).where(
        BankCredit.registration_id == registration_id, BankCredit.counted.is_(True)))
    return Decimal(total or 0).quantize(_CENT)


def record_credit(uow: UnitOfWork, actor: str, notice: CreditNotice) -> CreditOutcome:
    """Keep and book one credit the bank reported; see the module's docstring."""
    n = _checked(notice)
    first = uow.session.scalars(select(BankCredit).where(
        BankCredit.bank == n.bank, BankCredit.bank_serial == n.bank_serial)
        .with_for_update()).first()
    if first is not None:
        if not _same(first, n):
            raise DomainError("BANK_CREDIT_CONFLICT",
                              f"银行 {n.bank} 流水号 {n.bank_serial} 已以不同内容到账",
                              f"bank {n.bank} serial {n.bank_serial} arrived before with "
                              "other details", ErrorKind.CONFLICT, field="bank_serial")
        entry = uow.session.get(LedgerEntry, first.entry_id)
        assert entry is not None
        return CreditOutcome(first, entry, True, first.registration_id is not None,
                             first.counted, False)
    sub = sub_account(uow.session, n.bank, n.sub_account)
    source = f"{n.bank}/{n.bank_serial}"
    if sub is None:
        legs = [ledger.Leg(ledger.account(uow, LedgerAccountKind.BANK_SUB_ACCOUNT, bank=n.bank,
                                          number=n.sub_account), ledger.DEBIT, n.amount),
                ledger.Leg(ledger.account(uow, LedgerAccountKind.UNMATCHED, bank=n.bank),
                           ledger.CREDIT, n.amount)]
        entry, new = ledger.book(uow, actor, SourceKind.BANK_CREDIT, source, legs,
                                 memo=f"unmatched credit to {n.sub_account}")
        if not new:
            return _booked_meanwhile(uow, n, entry)
        credit = _keep(uow, n, entry, None, None, counted=False, check=None)
        return CreditOutcome(credit, entry, False, False, False, False)
    reg = uow.session.scalars(select(Registration).where(Registration.id == sub.registration_id)
                              .with_for_update(of=Registration)
                              .execution_options(populate_existing=True)).one()
    r = uow.session.get(Round, sub.round_id)
    assert r is not None
    arrived = n.arrived_at
    counted = arrived < deposit_deadline(r)
    legs = [ledger.Leg(ledger.account(uow, LedgerAccountKind.BANK_SUB_ACCOUNT, bank=n.bank,
                                      number=n.sub_account, round_id=r.id), ledger.DEBIT,
                       n.amount),
            ledger.Leg(ledger.account(uow, LedgerAccountKind.DEPOSITS_HELD, round_id=r.id),
                       ledger.CREDIT, n.amount)]
    entry, new = ledger.book(uow, actor, SourceKind.BANK_CREDIT, source, legs,
                             memo=f"deposit credit{'' if counted else ' (late)'}",
                             round_id=r.id, registration_id=reg.id)
    if not new:
        return _booked_meanwhile(uow, n, entry)
    credit = _keep(uow, n, entry, r, reg, counted=counted,
                   check=payer_check(reg.party, n.payer_account))
    paid_now = False
    if (counted and reg.deposit_status == "due" and r.deposit is not None
            and counted_total(uow.session, reg.id) >= r.deposit):
        from core.services.tendering import deposits  # the registration's own module

        deposits.mark_paid(uow, actor, r, reg, arrived)
        paid_now = True
    return CreditOutcome(credit, entry, False, True, counted, paid_now)


def _booked_meanwhile(uow: UnitOfWork, n: CreditNotice, entry: LedgerEntry) -> CreditOutcome:
    """A concurrent transaction booked the same credit and committed while this one waited on
    the ledger's unique source: answer as for a repeat (its credit row is visible now)."""
    first = uow.session.scalars(select(BankCredit).where(
        BankCredit.bank == n.bank, BankCredit.bank_serial == n.bank_serial)).one()
    if not _same(first, n):
        raise DomainError("BANK_CREDIT_CONFLICT",
                          f"银行 {n.bank} 流水号 {n.bank_serial} 已以不同内容到账",
                          f"bank {n.bank} serial {n.bank_serial} arrived before with "
                          "other details", ErrorKind.CONFLICT, field="bank_serial")
    return CreditOutcome(first, entry, True, first.registration_id is not None, first.counted,
                         False)


def _keep(uow: UnitOfWork, n: CreditNotice, entry: LedgerEntry, r: Round | None,
          reg: Registration | None, *, counted: bool, check: PayerCheck | None) -> BankCredit:
    credit = BankCredit(bank=n.bank, bank_serial=n.bank_serial, sub_account=n.sub_account,
                        amount=n.amount, currency=n.currency, payer_account=n.payer_account,
                        payer_name=n.payer_name, arrived_at=n.arrived_at,
                        recorded_at=uow.clock.now(), round_id=r.id if r else None,
                        registration_id=reg.id if reg else None, counted=counted,
                        payer_check=check.value if check else None, entry_id=entry.id)
    uow.session.add(credit)
    uow.session.flush()
    uow.record(entry.booked_by, "bank.credit", "bank_credit", f"{n.bank}/{n.bank_serial}",
               None, snapshot(credit))
    return credit


def unmatched_credits(uow: UnitOfWork, principal: Principal) -> list[BankCredit]:
    """Credits to a sub-account nobody was given: centre staff's queue."""
    require_kind(principal, AccountKind.CENTRE_STAFF)
    return list(uow.session.scalars(select(BankCredit).where(
        BankCredit.registration_id.is_(None)).order_by(BankCredit.id)))


def credits_of(session: Session, registration_id: int) -> list[BankCredit]:
    return list(session.scalars(select(BankCredit).where(
        BankCredit.registration_id == registration_id).order_by(BankCredit.arrived_at,
                                                               BankCredit.id)))
