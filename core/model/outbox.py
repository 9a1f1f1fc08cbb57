"""The outbox: domain events written in the same transaction as the change that caused them.

The exchange engine reads it later; nothing is ever sent from inside a request. ``ordering_key``
groups events that a peer must receive in order (a tender project and everything under it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UTCDateTime


class OutboxEvent(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unrelayed", "id", postgresql_where=text("relayed_at IS NULL"),
              sqlite_where=text("relayed_at IS NULL")),
    )

    # BIGINT on PostgreSQL; SQLite only auto-numbers a column declared INTEGER PRIMARY KEY.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    aggregate_type: Mapped[str] = mapped_column(String(32))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    ordering_key: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    # Set by the relay once the event's deliveries exist. A marker on the row, not a cursor over
    # ids: transactions commit out of id order, and a cursor would skip the late committers.
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
