"""Booking movements in the deposit ledger (:mod:`core.model.ledger`) and checking it.

:func:`book` writes one balanced entry for one source, or — the same source again — returns the
entry booked first and writes nothing: a bank that sends the same credit twice, a refund result
reported twice, a staff member confirming twice, all book once. The same source with different
postings is refused (``LEDGER_SOURCE_CONFLICT``): one of the two reports is wrong, and staff must
look. The caller commits (the unit of work); a concurrent booking of the same source loses on
the unique index inside a savepoint and returns the winner's entry.

:func:`check` is what ``ggzy ledger check`` runs: every entry balanced, in one currency, with
positive postings; no source booked twice; money in = money out + held, per round and overall;
no held account below zero. It reads the postings as stored, so an entry altered behind the
application's back shows up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import DomainError, ErrorKind
from core.model.bank import BankCredit, RefundLine, RefundLineStatus
from core.model.ledger import (
    CNY,
    HELD,
    MONEY_IN,
    MONEY_OUT,
    LedgerAccount,
    LedgerAccountKind,
    LedgerEntry,
    LedgerPosting,
    SourceKind,
)
from core.uow import UnitOfWork

DEBIT, CREDIT = "debit", "credit"
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Leg:
    """One side of a movement to book."""

    account: LedgerAccount
    side: str  # debit | credit
    amount: Decimal


def account_code(kind: LedgerAccountKind, *, round_id: int | None = None,
                 bank: str | None = None, number: str | None = None) -> str:
    """The account's name: per round, per bank, or per bank and sub-account by its kind."""
    if kind is LedgerAccountKind.BANK_SUB_ACCOUNT:
        return f"{kind.value}/{bank}/{number}"
    if kind is LedgerAccountKind.UNMATCHED:
        return f"{kind.value}/{bank}"
    return f"{kind.value}/round/{round_id}"


def account(uow: UnitOfWork, kind: LedgerAccountKind, *, round_id: int | None = None,
            bank: str | None = None, number: str | None = None,
            currency: str = CNY) -> LedgerAccount:
    """The account, created on first use (two concurrent first uses make one)."""
    code = account_code(kind, round_id=round_id, bank=bank, number=number)
    found = uow.session.scalars(select(LedgerAccount).where(LedgerAccount.code == code)).first()
    if found is not None:
        return found
    row = LedgerAccount(code=code, kind=kind.value, currency=currency, round_id=round_id,
                        bank=bank, created_at=uow.clock.now())
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
    except IntegrityError:
        return uow.session.scalars(select(LedgerAccount)
                                   .where(LedgerAccount.code == code)).one()
    return row


def entry_for(session: Session, source_kind: SourceKind, source_key: str) -> LedgerEntry | None:
    return session.scalars(select(LedgerEntry).where(
        LedgerEntry.source_kind == source_kind.value,
        LedgerEntry.source_key == source_key)).first()


def _checked_legs(legs: Sequence[Leg], currency: str) -> None:
    if currency != CNY:
        raise DomainError("LEDGER_CURRENCY_UNSUPPORTED", f"账本只记人民币（CNY），收到 {currency}",
                          f"the ledger books CNY only, not {currency}", field="currency")
    debits = credits = Decimal(0)
    for leg in legs:
        amount = leg.amount
        if (not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0
                or amount != amount.quantize(_CENT) or leg.side not in (DEBIT, CREDIT)):
            raise DomainError("LEDGER_POSTING_INVALID", f"记账金额无效：{amount}",
                              f"a posting must be a positive amount to the 分, not {amount}")
        if leg.account.currency != currency:
            raise DomainError("LEDGER_CURRENCY_MISMATCH", "科目币种与分录币种不一致",
                              "an account's currency differs from the entry's")
        if leg.side == DEBIT:
            debits += amount
        else:
            credits += amount
    if not legs or debits != credits:
        raise DomainError("LEDGER_UNBALANCED", f"借方 {debits} 与贷方 {credits} 不平",
                          f"debits {debits} differ from credits {credits}")


def _same(entry: LedgerEntry, legs: Sequence[Leg]) -> bool:
    def key(account_id: int, side: str, amount: Decimal) -> tuple[int, str, Decimal]:
        return account_id, side, amount.quantize(_CENT)
    stored = sorted(key(p.account_id, p.side, p.amount) for p in entry.postings)
    wanted = sorted(key(leg.account.id, leg.side, leg.amount) for leg in legs)
    return stored == wanted


def book(uow: UnitOfWork, actor: str, source_kind: SourceKind, source_key: str,
         legs: Sequence[Leg], *, memo: str, round_id: int | None = None,
         registration_id: int | None = None, currency: str = CNY) -> tuple[LedgerEntry, bool]:
    """Book one balanced movement for ``(source_kind, source_key)``; returns the entry and
    whether it is new. A repeat with the same postings returns the first entry unchanged."""
    _checked_legs(legs, currency)
    uow.session.flush()  # every account has its id
    first = entry_for(uow.session, source_kind, source_key)
    if first is None:
        entry = LedgerEntry(source_kind=source_kind.value, source_key=source_key,
                            currency=currency, round_id=round_id,
                            registration_id=registration_id, memo=memo, booked_by=actor,
                            booked_at=uow.clock.now())
        entry.postings = [LedgerPosting(account_id=leg.account.id, side=leg.side,
                                        amount=leg.amount) for leg in legs]
        try:
            with uow.session.begin_nested():
                uow.session.add(entry)
        except IntegrityError:  # booked meanwhile by a concurrent transaction
            first = entry_for(uow.session, source_kind, source_key)
            if first is None:
                raise
        else:
            uow.record(actor, "ledger.book", "ledger_entry", entry.id, None, {
                "source": f"{source_kind.value}:{source_key}", "currency": currency,
                "postings": [{"account": leg.account.code, "side": leg.side,
                              "amount": str(leg.amount)} for leg in legs]})
            return entry, True
    if not _same(first, legs):
        raise DomainError("LEDGER_SOURCE_CONFLICT",
                          f"来源 {source_kind.value}:{source_key} 已按不同金额或科目记账",
                          f"{source_kind.value}:{source_key} was booked already, differently",
                          ErrorKind.CONFLICT, entry_id=first.id)
    return first, False


def balance(session: Session, account_id: int, *, registration_id: int | None = None) -> Decimal:
    """The account's balance on its normal side (debit for money in, credit otherwise);
    restricted to one registration's entries when given."""
    acct = session.get(LedgerAccount, account_id)
    if acct is None:
        return Decimal("0.00")
    query = select(LedgerPosting.side, func.coalesce(func.sum(LedgerPosting.amount), 0)).where(
        LedgerPosting.account_id == account_id).group_by(LedgerPosting.side)
    if registration_id is not None:
        query = query.join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id).where(
            LedgerEntry.registration_id == registration_id)
    sums = {side: Decimal(total) for side, total in session.execute(query)}
    debit, credit = sums.get(DEBIT, Decimal(0)), sums.get(CREDIT, Decimal(0))
    normal = debit - credit if LedgerAccountKind(acct.kind) in MONEY_IN else credit - debit
    return normal.quantize(_CENT)


def held_for(session: Session, round_id: int, registration_id: int,
             kind: LedgerAccountKind = LedgerAccountKind.DEPOSITS_HELD) -> Decimal:
    """What a round's ``kind`` account holds for one registration."""
    acct = session.scalars(select(LedgerAccount).where(LedgerAccount.code == account_code(
        kind, round_id=round_id))).first()
    if acct is None:
        return Decimal("0.00")
    return balance(session, acct.id, registration_id=registration_id)


# -- the check ------------------------------------------------------------------------------------


@dataclass
class Totals:
    money_in: Decimal = Decimal("0.00")
    money_out: Decimal = Decimal("0.00")
    held: Decimal = Decimal("0.00")


@dataclass
class LedgerReport:
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    overall: Totals = field(default_factory=Totals)
    rounds: dict[int, Totals] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(session: Session) -> LedgerReport:
    """Verify the ledger's invariants from the stored postings; name every breach."""
    report = LedgerReport()
    accounts = {a.id: a for a in session.scalars(select(LedgerAccount))}
    entries = {e.id: e for e in session.scalars(select(LedgerEntry))}
    report.entries = len(entries)
    sides: dict[int, dict[str, Decimal]] = defaultdict(lambda: {DEBIT: Decimal(0),
                                                               CREDIT: Decimal(0)})
    balances: dict[int, Decimal] = defaultdict(Decimal)
    for p in session.scalars(select(LedgerPosting).order_by(LedgerPosting.id)):
        acct, entry = accounts[p.account_id], entries[p.entry_id]
        if p.amount <= 0 or p.side not in (DEBIT, CREDIT):
            report.problems.append(f"entry {p.entry_id}: posting {p.id} is {p.side} {p.amount}")
            continue
        if acct.currency != entry.currency:
            report.problems.append(f"entry {p.entry_id}: posting {p.id} in {acct.currency} "
                                   f"on an entry in {entry.currency}")
        sides[p.entry_id][p.side] += p.amount
        money_in = LedgerAccountKind(acct.kind) in MONEY_IN
        balances[p.account_id] += p.amount if (p.side == DEBIT) == money_in else -p.amount
    for entry_id, entry in sorted(entries.items()):
        debit, credit = sides[entry_id][DEBIT], sides[entry_id][CREDIT]
        if debit != credit or debit == 0:
            report.problems.append(
                f"entry {entry_id} ({entry.source_kind}:{entry.source_key}) is unbalanced: "
                f"debits {debit}, credits {credit}")
    twice = session.execute(select(LedgerEntry.source_kind, LedgerEntry.source_key,
                                   func.count()).group_by(LedgerEntry.source_kind,
                                                          LedgerEntry.source_key)
                            .having(func.count() > 1))
    for kind, key, n in twice:
        report.problems.append(f"source {kind}:{key} is booked {n} times")
    _check_sources(session, entries, report)
    for account_id, amount in balances.items():
        acct = accounts[account_id]
        kind = LedgerAccountKind(acct.kind)
        if amount < 0:
            report.problems.append(f"account {acct.code} is below zero: {amount}")
        per_round = report.rounds.setdefault(acct.round_id, Totals()) \
            if acct.round_id is not None else None
        for totals in (report.overall, per_round):
            if totals is None:
                continue
            if kind in MONEY_IN:
                totals.money_in += amount
            elif kind in MONEY_OUT:
                totals.money_out += amount
            elif kind in HELD:
                totals.held += amount
    for round_id, totals in sorted(report.rounds.items()):
        if totals.money_in != totals.money_out + totals.held:
            report.problems.append(
                f"round {round_id}: money in {totals.money_in} ≠ out {totals.money_out} + "
                f"held {totals.held}")
    o = report.overall
    if o.money_in != o.money_out + o.held:
        report.problems.append(f"overall: money in {o.money_in} ≠ out {o.money_out} + "
                               f"held {o.held}")
    return report


def _check_sources(session: Session, entries: dict[int, LedgerEntry],
                   report: LedgerReport) -> None:
    """Each credit and settled refund line points at the one entry booking it, and back."""
    booked: dict[int, str] = {}
    for c in session.scalars(select(BankCredit)):
        entry = entries.get(c.entry_id)
        if entry is None or (entry.source_kind, entry.source_key) != (
                SourceKind.BANK_CREDIT.value, f"{c.bank}/{c.bank_serial}"):
            report.problems.append(f"bank credit {c.bank}/{c.bank_serial} is not booked by its "
                                   f"own entry (entry {c.entry_id})")
        elif booked.setdefault(c.entry_id, c.bank_serial) != c.bank_serial:
            report.problems.append(f"entry {c.entry_id} books two bank credits")
    for line in session.scalars(select(RefundLine).where(
            RefundLine.status == RefundLineStatus.SETTLED.value)):
        if entry_for(session, SourceKind.REFUND_LINE, str(line.id)) is None:
            report.problems.append(f"refund line {line.id} is settled but not booked")
