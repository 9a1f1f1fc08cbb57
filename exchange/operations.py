"""What operators do with deliveries: look, replay, discard; and the counters they watch.

Replays and discards are audited in the same hash chain as the trading core, because re-sending
a notice to the national platform is as much a state change as publishing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import DomainError, ErrorKind
from exchange import delivery_states as states
from exchange.delivery import release_next
from exchange.keylock import lock_keys
from exchange.model import Delivery, DeliveryStatus

MAX_SELECTION = 10_000


@dataclass(frozen=True)
class Selection:
    """Which deliveries an operation applies to; at least one criterion is required."""

    ids: tuple[int, ...] = ()
    target: str | None = None
    status: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    def query(self) -> Select[Any]:
        if not (self.ids or self.target or self.status or self.created_from
                or self.created_to):
            raise DomainError("SELECTION_EMPTY", "请至少给出一个筛选条件",
                              "give at least one selection criterion")
        q = select(Delivery).order_by(Delivery.id)
        if self.ids:
            q = q.where(Delivery.id.in_(self.ids))
        if self.target:
            q = q.where(Delivery.target == self.target)
        if self.status:
            if self.status not in {s.value for s in DeliveryStatus}:
                raise DomainError("DELIVERY_STATUS_UNKNOWN", f"未知的投递状态 {self.status}",
                                  f"unknown delivery status {self.status}")
            q = q.where(Delivery.status == self.status)
        if self.created_from:
            q = q.where(Delivery.created_at >= self.created_from)
        if self.created_to:
            q = q.where(Delivery.created_at < self.created_to)
        return q


def _selected(session: Session, selection: Selection) -> list[Delivery]:
    rows = list(session.scalars(selection.query().limit(MAX_SELECTION + 1)
                                .with_for_update()).all())
    if len(rows) > MAX_SELECTION:
        raise DomainError("SELECTION_TOO_LARGE", f"一次最多处理 {MAX_SELECTION} 条",
                          f"at most {MAX_SELECTION} deliveries per operation")
    return rows


def replay(session: Session, selection: Selection, actor: str, now: datetime) -> list[int]:
    """Send again with a fresh attempt budget; the same idempotency key lets the peer drop a
    repeat of something it already has."""
    rows = [d for d in _selected(session, selection)
            if DeliveryStatus(d.status) in states.REPLAYABLE]
    for d in rows:
        before = {"status": d.status, "attempts": d.attempts}
        states.replay(d, now)
        audit.append(session, at=now, actor=actor, action="delivery.replay",
                     object_type="delivery", object_id=str(d.id), before=before,
                     after={"status": d.status, "attempts": 0})
    return [d.id for d in rows]


def discard(session: Session, selection: Selection, reason: str, actor: str,
            now: datetime) -> tuple[list[int], list[int]]:
    """Give up on deliveries with a reason; later deliveries of their keys may then go."""
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "放弃投递须说明原因",
                          "discarding needs a reason", ErrorKind.INVALID, field="reason")
    # key locks before row locks, the order every delivery transaction uses
    lock_keys(session, session.execute(selection.query().with_only_columns(
        Delivery.target, Delivery.ordering_key).limit(MAX_SELECTION)).tuples().all())
    rows = [d for d in _selected(session, selection)
            if DeliveryStatus(d.status) in states.DISCARDABLE]
    for d in rows:
        before = {"status": d.status}
        states.discard(d, actor, reason.strip(), now)
        audit.append(session, at=now, actor=actor, action="delivery.discard",
                     object_type="delivery", object_id=str(d.id), before=before,
                     after={"status": d.status, "reason": reason.strip()})
    released = release_next(session, rows, now) if rows else []
    return [d.id for d in rows], released


@dataclass(frozen=True)
class TargetCounters:
    target: str
    by_status: dict[str, int]
    oldest_open_age_seconds: float | None


def counters(session: Session, now: datetime) -> list[TargetCounters]:
    counts = session.execute(
        select(Delivery.target, Delivery.status, func.count()).group_by(
            Delivery.target, Delivery.status)).all()
    oldest = dict(session.execute(
        select(Delivery.target, func.min(Delivery.committed_at))
        .where(Delivery.status.not_in([DeliveryStatus.DELIVERED.value,
                                       DeliveryStatus.DISCARDED.value]))
        .group_by(Delivery.target)).tuples().all())
    result: dict[str, dict[str, int]] = {}
    for target, status, n in counts:
        result.setdefault(target, {s.value: 0 for s in DeliveryStatus})[status] = n
    return [TargetCounters(t, by_status,
                           (now - oldest[t]).total_seconds() if oldest.get(t) else None)
            for t, by_status in sorted(result.items())]


def unrelayed_events(session: Session) -> int:
    from core.model.outbox import OutboxEvent

    return session.scalar(select(func.count()).select_from(OutboxEvent)
                          .where(OutboxEvent.relayed_at.is_(None))) or 0


#: The most rows `ggzy deliveries list` shows at once.
MAX_LISTED = 1000


def recent(session: Session, target: str | None, status: str | None,
           limit: int) -> list[Delivery]:
    """The newest deliveries, optionally of one target and one status, for an operator to look
    at (read only: no lock, unlike a selection that is about to change)."""
    if status is not None and status not in {s.value for s in DeliveryStatus}:
        raise DomainError("DELIVERY_STATUS_UNKNOWN", f"未知的投递状态 {status}",
                          f"unknown delivery status {status}", field="status")
    q = select(Delivery).order_by(Delivery.id.desc()).limit(max(1, min(limit, MAX_LISTED)))
    if target is not None:
        q = q.where(Delivery.target == target)
    if status is not None:
        q = q.where(Delivery.status == status)
    return list(session.scalars(q))
