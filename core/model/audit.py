"""The audit log: one hash-chained, MAC-keyed entry per state change.

The head row is the chain's lock: appending takes it FOR UPDATE, so concurrent transactions
extend one chain instead of forking it. It is no anchor against someone who can write the
database (they can roll it back with the entries); the anchors are the MAC key outside the
database and the signed checkpoints outside it (core/audit.py, docs/audit.md).

``mac`` is NULL on legacy entries, written before the audit key existed (migration 0008).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    before_digest: Mapped[str | None] = mapped_column(String(64))
    after_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    last_mac: Mapped[str | None] = mapped_column(String(64))
