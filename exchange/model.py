"""Tables of the exchange engine: targets and routes (configuration as data), deliveries with
their attempts, and the inbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, UTCDateTime

BIG_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite auto-numbers INTEGER only


class Target(Base):
    """An external system we deliver to, with its retry policy stored as data."""

    __tablename__ = "exchange_targets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # adapter kind in the registry, e.g. http_json
    endpoint: Mapped[str] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=10.0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    backoff_base_seconds: Mapped[float] = mapped_column(Float, default=1.0)
    backoff_cap_seconds: Mapped[float] = mapped_column(Float, default=300.0)
    retry_statuses: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: [408, 425, 429, 500, 502, 503, 504])
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Route(Base):
    """Which events go to which target through which mapping version.

    ``domain`` narrows a route to the events of one trading domain (``payload.domain``:
    ``engineering``, ``gov_procurement``, as ``core.rules.procedures`` names them), so a
    政府采购 tender never reaches a platform's 工程建设 data sets; NULL takes every event,
    including those that belong to no domain (parties, deposits, the calendar)."""

    __tablename__ = "exchange_routes"
    __table_args__ = (UniqueConstraint("event_type", "target", "mapping"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))  # exact type, 'notice.*' or '*'
    target: Mapped[str] = mapped_column(ForeignKey("exchange_targets.name"))
    mapping: Mapped[str] = mapped_column(String(64))  # name@version in the mapping registry
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    domain: Mapped[str | None] = mapped_column(String(32), default=None)  # None: any domain


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due now; waiting for a worker
    IN_FLIGHT = "in_flight"  # a worker holds it until lease_until
    RETRYING = "retrying"  # failed; due again at next_attempt_at
    HELD = "held"  # an earlier delivery of the same key and target is not done yet
    DELIVERED = "delivered"
    PARKED = "parked"  # given up (not retryable or attempts spent); replayable
    DISCARDED = "discarded"  # an operator gave up on it, with a reason


DONE = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.DISCARDED})


class Delivery(Base):
    __tablename__ = "exchange_deliveries"
    __table_args__ = (
        UniqueConstraint("outbox_id", "route_id"),
        Index("ix_exchange_deliveries_key", "target", "ordering_key", "sequence"),
        Index("ix_exchange_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
    route_id: Mapped[int] = mapped_column(ForeignKey("exchange_routes.id"))
    target: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(64))
    ordering_key: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(BIG_ID)  # the outbox id: order within a key
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    held_by: Mapped[int | None] = mapped_column(BIG_ID)  # the earlier delivery it waits for
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the event committed
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.number", lazy="noload")

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt and replay, so the peer can drop repeats."""
        return f"{self.event_id}:{self.target}"


class DeliveryAttempt(Base):
    __tablename__ = "exchange_attempts"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("exchange_deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | retry | park | expired
    status_code: Mapped[int | None] = mapped_column(Integer)
    request: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)

    delivery: Mapped[Delivery] = relationship(back_populates="attempt_log")


class InboxMessage(Base):
    """An inbound message, stored once per (source, message id) with its raw bytes."""

    __tablename__ = "exchange_inbox"
    __table_args__ = (UniqueConstraint("source", "message_id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(255))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    body_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # applied | rejected
    response: Mapped[dict[str, Any]] = mapped_column(JSON)


class MappingSpecVersion(Base):
    """A mapping spec stored by an administrator: a new version of a shipped spec, or a new spec.

    Versions are immutable once stored (routes name ``name@version``, and a delivery replayed a
    month later must map the same way); a change is a new version."""

    __tablename__ = "exchange_mapping_specs"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(48))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Acknowledgement(Base):
    """What a peer said about a record it took (Shanxi's receiveTime: the official publication
    time of a notice), kept in the transaction that marks the delivery delivered."""

    __tablename__ = "exchange_acknowledgements"
    __table_args__ = (Index("ix_exchange_acknowledgements_record", "data_set", "record_key"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("exchange_deliveries.id"), index=True)
    target: Mapped[str] = mapped_column(String(64))
    data_set: Mapped[str] = mapped_column(String(8))
    record_key: Mapped[str] = mapped_column(String(100))
    official_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reference: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
