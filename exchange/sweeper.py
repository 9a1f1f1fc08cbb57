"""The sweeper: finds work that no message announces any more, and announces it again.

Retries fall due, brokers lose messages, workers die holding a lease, a predecessor finishes
while its successor's wake-up is lost. Each case is visible in the delivery table, so a periodic
scan makes the database, not the broker, the guarantee that nothing is forgotten.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from exchange import delivery_states as states
from exchange.keylock import lock_keys
from exchange.model import DONE, Delivery, DeliveryAttempt, DeliveryStatus, Target

# A pending delivery is announced when created; announce it again only after this long.
REANNOUNCE_AFTER = timedelta(seconds=10)


def sweep(session: Session, now: datetime, limit: int = 1000) -> list[int]:
    """Each phase commits on its own, so no phase holds row locks while another waits for a
    key lock (the order every other transaction takes them in is key first, then rows)."""
    ids: list[int] = []
    for phase in (_due, _expired_leases, _unblocked):
        ids += phase(session, now, limit)
        session.commit()
    return ids


def _due(session: Session, now: datetime, limit: int) -> list[int]:
    rows = session.scalars(
        select(Delivery).where(
            ((Delivery.status == DeliveryStatus.RETRYING.value)
             & (Delivery.next_attempt_at <= now))
            | ((Delivery.status == DeliveryStatus.PENDING.value)
               & (Delivery.next_attempt_at <= now - REANNOUNCE_AFTER)))
        .order_by(Delivery.next_attempt_at).limit(limit)
        .with_for_update(skip_locked=True)).all()
    for d in rows:
        if d.status == DeliveryStatus.PENDING:
            states.reannounce(d, now)  # announced again now; not before REANNOUNCE_AFTER
    return [d.id for d in rows]


def _expired_leases(session: Session, now: datetime, limit: int) -> list[int]:
    """A worker took these and vanished (killed, crashed, partitioned): count the lost attempt."""
    expired = (Delivery.status == DeliveryStatus.IN_FLIGHT.value) & (Delivery.lease_until < now)
    keys = session.execute(select(Delivery.target, Delivery.ordering_key).where(expired)
                           .limit(limit)).tuples().all()
    if not keys:
        return []
    lock_keys(session, keys)
    rows = session.scalars(select(Delivery).where(expired).limit(limit)
                           .with_for_update(skip_locked=True)).all()
    ids = []
    for d in rows:
        target = session.get(Target, d.target)
        session.add(DeliveryAttempt(delivery_id=d.id, number=d.attempts, started_at=now,
                                    duration_ms=0.0, outcome="expired",
                                    error="lease expired: the worker did not report back"))
        if states.lease_lost(d, target, now):
            ids.append(d.id)
    return ids


def _unblocked(session: Session, now: datetime, limit: int) -> list[int]:
    """Held deliveries whose blocker is done: the release was missed, release them now."""
    blocker = aliased(Delivery)
    rows = session.scalars(
        select(Delivery).join(blocker, blocker.id == Delivery.held_by)
        .where(Delivery.status == DeliveryStatus.HELD.value,
               blocker.status.in_([s.value for s in DONE]))
        .limit(limit).with_for_update(of=Delivery, skip_locked=True)).all()
    for d in rows:
        states.make_due(d, now)
    return [d.id for d in rows]
