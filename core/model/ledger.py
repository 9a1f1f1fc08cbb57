"""The deposit ledger: double entry, every movement balanced and booked once per source.

Why double entry: the money a centre holds for bidders must be accounted for to the 分 — what came
in through the banks (or the counter) equals what went out (refunded, forfeited, fees) plus what
is still held. Each :class:`LedgerEntry` is one movement with its postings; the debits equal the
credits, and the entry is unique on its *source* (a bank credit's bank and serial, a refund line,
a staff act), so the same credit or refund line can never be booked twice.

The accounts (:class:`LedgerAccountKind`) and which side they grow on:

* money in — debit-normal: ``bank_sub_account`` (one per bank and virtual sub-account, the credits
  that arrived on it), ``counter`` (one per round: cash or cheque confirmed by centre staff);
* held — credit-normal: ``deposits_held`` and ``refunds_payable`` (per round), ``unmatched``
  (per bank: credits to a sub-account nobody was given);
* money out — credit-normal: ``refunded``, ``forfeited``, ``fees`` (per round).

So, every entry being balanced, ``in = out + held`` for the whole ledger and for each round
(``core.services.banking.ledger.check`` verifies both from the postings, not from this reasoning).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, Money, UTCDateTime

CNY = "CNY"


class LedgerAccountKind(StrEnum):
    BANK_SUB_ACCOUNT = "bank_sub_account"  # in: credits arrived on a bank's (virtual) sub-account
    COUNTER = "counter"  # in: cash or cheque confirmed by centre staff (条例 26's other forms)
    DEPOSITS_HELD = "deposits_held"  # held for the round's bidders
    REFUNDS_PAYABLE = "refunds_payable"  # held, fallen due for refund (a refund line is open)
    UNMATCHED = "unmatched"  # held, credits to an unknown sub-account, for staff
    REFUNDED = "refunded"  # out: refunds the bank settled
    FORFEITED = "forfeited"  # out: deposits kept (条例 35) or converted
    FEES = "fees"  # out: fees taken from the money


MONEY_IN = frozenset({LedgerAccountKind.BANK_SUB_ACCOUNT, LedgerAccountKind.COUNTER})
HELD = frozenset({LedgerAccountKind.DEPOSITS_HELD, LedgerAccountKind.REFUNDS_PAYABLE,
                  LedgerAccountKind.UNMATCHED})
MONEY_OUT = frozenset({LedgerAccountKind.REFUNDED, LedgerAccountKind.FORFEITED,
                       LedgerAccountKind.FEES})


class SourceKind(StrEnum):
    BANK_CREDIT = "bank_credit"  # key: "<bank>/<bank serial>"
    STAFF_ACT = "staff_act"  # key: "<action>/<registration id>" (a cash or cheque deposit)
    REFUND_DUE = "refund_due"  # key: the refund line id (held → refunds payable)
    REFUND_CANCELLED = "refund_cancelled"  # key: the refund line id (payable → held again)
    REFUND_LINE = "refund_line"  # key: the refund line id (settled: payable → refunded)


class LedgerAccount(Base):
    """One account of the ledger, named by ``code`` (``deposits_held/round/12``,
    ``bank_sub_account/<bank>/<number>``, ``unmatched/<bank>``)."""

    __tablename__ = "ledger_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    bank: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerEntry(Base):
    """One movement of money, balanced, linked to the one source it books."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("source_kind", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(24))
    source_key: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("tender_registrations.id"), index=True)
    memo: Mapped[str] = mapped_column(Text)
    booked_by: Mapped[str] = mapped_column(String(100))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime())

    postings: Mapped[list[LedgerPosting]] = relationship(
        back_populates="entry", lazy="selectin", order_by="LedgerPosting.id")


class LedgerPosting(Base):
    """One side of an entry: an amount debited or credited to one account."""

    __tablename__ = "ledger_postings"
    __table_args__ = (
        CheckConstraint("side IN ('debit', 'credit')", name="side"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    side: Mapped[str] = mapped_column(String(6))
    amount: Mapped[Decimal] = mapped_column(Money())

    entry: Mapped[LedgerEntry] = relationship(back_populates="postings")
    account: Mapped[LedgerAccount] = relationship(lazy="joined")
