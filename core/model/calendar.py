"""The official holiday schedule as data, and the legal deadlines reckoned on it.

A year's schedule arrives as one State Council notice (国务院办公厅关于 YYYY 年部分节假日安排的
通知): one administrator proposes it, another approves it (maker-checker), and only then does it
decide deadlines. Years that chinese-calendar already carried are seeded as approved by the
migration. Days are stored as the notice gives them: each holiday's days off (weekends within
the block included) and the weekends worked.

Every legal deadline a use case reckons is kept in ``legal_deadlines`` with whether it was decided
on a provisional year, so that approving a year can re-reckon the open ones and report each that
moves instead of letting it move silently.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UTCDateTime


class CalendarNoticeStatus(StrEnum):
    PROPOSED = "proposed"  # loaded by one administrator, waiting for a second
    APPROVED = "approved"  # decides the year's days
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a later approved notice of the same year replaced it


class CalendarSource(StrEnum):
    PACKAGE = "package"  # seeded from chinese-calendar at migration
    NOTICE = "notice"  # loaded from the State Council's notice by administrators


class CalendarNotice(Base):
    __tablename__ = "calendar_notices"
    __table_args__ = (
        # one approved schedule per year
        Index("uq_calendar_notices_approved_year", "year", unique=True,
              postgresql_where=text("status = 'approved'"),
              sqlite_where=text("status = 'approved'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    notice_number: Mapped[str] = mapped_column(String(100))  # e.g. 国办发明电〔2025〕7号
    notice_date: Mapped[date | None] = mapped_column(Date)
    notice_title: Mapped[str] = mapped_column(String(200))
    document_sha256: Mapped[str] = mapped_column(String(64))  # of the canonical document
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)  # why rejected


class CalendarDay(Base):
    """A day the notice names: given off (``rest``) or a weekend worked (``work``)."""

    __tablename__ = "calendar_days"

    notice_id: Mapped[int] = mapped_column(ForeignKey("calendar_notices.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # rest | work
    holiday: Mapped[str] = mapped_column(String(20))  # 春节, 国庆节, …


class LegalDeadline(Base):
    """A legal period reckoned for a subject: the rule, what it was counted from, and its end.

    ``bound`` says how the end binds: ``min`` — the subject's own day (the bid deadline, the close
    of a publicity) may not fall before ``last_day``; ``due`` — ``last_day`` is itself the due
    date written onto the subject (a deposit refund). ``current`` is false once a later reckoning
    of the same rule for the same subject replaced this one (a clarification re-reckons).
    ``warned_at`` is set when a ``due`` date passed unmet and the supervisor was warned
    (:mod:`core.services.overdue`).
    """

    __tablename__ = "legal_deadlines"
    __table_args__ = (Index("ix_legal_deadlines_subject", "subject_type", "subject_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(32))  # round
    subject_id: Mapped[str] = mapped_column(String(64))  # <section code>/<round no>
    ordering_key: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(48))  # bidding_period, refund_due, …
    ref_tag: Mapped[str] = mapped_column(String(32))  # LAW_24, REG_57, …
    bound: Mapped[str] = mapped_column(String(8))  # min | due
    reading: Mapped[str] = mapped_column(String(16))  # latest | earliest
    basis_day: Mapped[date] = mapped_column(Date)  # the Beijing day of the triggering event
    days: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))  # calendar | working
    last_day: Mapped[date] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, index=True)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # a ``due`` deadline that passed unmet was announced (deadline.overdue) then: once only
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
