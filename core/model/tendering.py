"""A tendering round of one section: registration, sealed bids, and the time that drives it.

A section is tendered in rounds: when a round fails (fewer than the legal minimum of bids, 流标)
the section is tendered again in a new round, and the first round's record stays as it was.
``next_check`` is when the scheduler must look at the round again (the bid deadline, the end of
the opening window); the scheduler only ever runs what is due.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, Money, UTCDateTime
from core.model.party import Party
from core.model.project import Section


class RoundStatus(StrEnum):
    DRAFT = "draft"  # configured, documents not yet issued
    BIDDING = "bidding"  # documents issued; bids accepted until the deadline
    OPENING = "opening"  # deadline passed; bidders hand in their keys within the window
    OPENED = "opened"  # the opening record is published
    FAILED = "failed"  # 流标: too few bids; the section is tendered again in a new round
    TERMINATED = "terminated"  # 终止 by the tenderer or a supervision instruction


class Round(Base):
    __tablename__ = "tender_rounds"
    __table_args__ = (UniqueConstraint("section_id", "round_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"), index=True)
    round_no: Mapped[int] = mapped_column(Integer)
    procedure: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), index=True)
    state_funded: Mapped[bool] = mapped_column(Boolean, default=False)
    documents_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bid_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    opening_window_minutes: Mapped[int] = mapped_column(Integer, default=60)
    deposit: Mapped[Decimal | None] = mapped_column(Money())
    committee_fallback: Mapped[bool] = mapped_column(Boolean, default=True)
    committee: Mapped[str] = mapped_column(Text)  # core.sealing Committee JSON: public key,
    # threshold and the shares, each encrypted to its keyholder; nothing here opens a bid
    next_check: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    section: Mapped[Section] = relationship(lazy="joined")


class Registration(Base):
    """A bidder registered for a round (报名), with the deposit it owes."""

    __tablename__ = "tender_registrations"
    __table_args__ = (UniqueConstraint("round_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    documents_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deposit_status: Mapped[str] = mapped_column(String(16))  # none | due | paid | refunded

    party: Mapped[Party] = relationship(lazy="joined")


class BidStatus(StrEnum):
    SEALED = "sealed"  # the bidder's current bid
    SUPERSEDED = "superseded"  # replaced by an amended bid before the deadline
    WITHDRAWN = "withdrawn"  # 撤回 before the deadline


class Bid(Base):
    """A sealed bid: ciphertext address, envelope and receipt. No key that opens it is here."""

    __tablename__ = "tender_bids"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    envelope: Mapped[str] = mapped_column(Text)  # core.sealing Envelope JSON
    ciphertext_sha256: Mapped[str] = mapped_column(String(64))
    ciphertext_size: Mapped[int] = mapped_column(BigInteger)
    receipt: Mapped[str] = mapped_column(Text)  # signed by the platform
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
