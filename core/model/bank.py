"""What the banks tell the hub about deposits: virtual sub-accounts, credits (到账), refund lines.

The bank adapters (issue 13) feed these through :mod:`core.services.banking`; nothing here talks to
a bank. Each row is keyed the way the bank keys it — a sub-account number unique per bank, a
credit unique on (bank, bank serial), a refund line on its own id, the idempotency key the refund
batch carries — so a repeat from the bank finds the row it already made.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Money, UTCDateTime


class BankSubAccount(Base):
    """The virtual sub-account (虚拟子账户) a bank gave one bidder for one round. The adapter
    creates it; the core only looks it up when a credit names it."""

    __tablename__ = "bank_sub_accounts"
    __table_args__ = (UniqueConstraint("bank", "number"),
                      UniqueConstraint("registration_id", "bank"))

    id: Mapped[int] = mapped_column(primary_key=True)
    bank: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("tender_registrations.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PayerCheck(StrEnum):
    """The payer against the bidder's registered 基本账户 (条例 26): flagged, never decided here."""

    BASIC_ACCOUNT = "basic_account"  # the registered basic account paid
    NOT_BASIC_ACCOUNT = "not_basic_account"  # another account paid: for the evaluators
    BASIC_ACCOUNT_UNKNOWN = "basic_account_unknown"  # the bidder registered none: for them too


class BankCredit(Base):
    """One credit a bank reported, kept whatever it is: matched to a registration (counted when it
    arrived before the deposit deadline, kept but not counted when late) or unmatched (an unknown
    sub-account, for staff)."""

    __tablename__ = "bank_credits"
    __table_args__ = (UniqueConstraint("bank", "bank_serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank: Mapped[str] = mapped_column(String(32))
    bank_serial: Mapped[str] = mapped_column(String(64))
    sub_account: Mapped[str] = mapped_column(String(64), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    payer_account: Mapped[str] = mapped_column(String(64))
    payer_name: Mapped[str] = mapped_column(String(200))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    round_id: Mapped[int | None] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("tender_registrations.id"), index=True)
    counted: Mapped[bool] = mapped_column(Boolean)  # arrived before the deposit deadline
    payer_check: Mapped[str | None] = mapped_column(String(24))  # PayerCheck; null: unmatched
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"))


class RefundLineStatus(StrEnum):
    DUE = "due"  # fallen due: the adapter puts it in a refund batch
    SETTLED = "settled"  # the bank reported it paid (with its interest figure)
    CANCELLED = "cancelled"  # the due date was taken back (a 撤回 determination superseded)


class RefundLine(Base):
    """One refund (退还) owed to one registration: the money its credits brought (the counted ones,
    any overpayment and late credits alike — all of it is the bidder's), created once when the
    deposit falls due. ``id`` is the idempotency key the bank batch carries; ``interest`` is the
    bank's figure, filled when the bank reports the line settled (never recomputed here)."""

    __tablename__ = "refund_lines"
    __table_args__ = (
        Index("uq_refund_lines_open_registration", "registration_id", unique=True,
              postgresql_where=text("status <> 'cancelled'"),
              sqlite_where=text("status <> 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("tender_registrations.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    interest: Mapped[Decimal | None] = mapped_column(Money())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bank_serial: Mapped[str | None] = mapped_column(String(64))  # the bank's, once settled
