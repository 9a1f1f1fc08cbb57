"""Delivering: claim due deliveries, map and send them, record every attempt, decide what next.

A claim and a completion are short transactions around the network call, never one long one:
a slow peer must not hold database locks. Each takes the (target, key) lock, so deciding "is an
earlier delivery of this key still open?" and "who goes next?" never race.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from core.model.outbox import OutboxEvent
from exchange.keylock import lock_key
from exchange.model import DONE, Delivery, DeliveryAttempt, DeliveryStatus, Target
from exchange.outcome import OutboundMessage, Outcome, Verdict
from exchange.policy import RetryPolicy
from exchange.registry import MappingError, Registry

log = logging.getLogger("ggzy.exchange.delivery")
LEASE_MARGIN = timedelta(seconds=15)
RECORD_LIMIT = 8192  # characters of request/response kept per attempt


@dataclass(frozen=True)
class Claimed:
    """What the network call needs, copied out of the claim transaction."""

    delivery_id: int
    target: Target
    mapping: str
    event: dict[str, Any]
    idempotency_key: str
    ordering_key: str
    sequence: int
    event_type: str
    attempt: int


def _clip(text: str | None) -> str | None:
    return None if text is None else text[:RECORD_LIMIT]


def earliest_open_before(session: Session, d: Delivery) -> Delivery | None:
    return session.scalars(
        select(Delivery).where(Delivery.target == d.target,
                               Delivery.ordering_key == d.ordering_key,
                               Delivery.sequence < d.sequence,
                               Delivery.status.not_in([s.value for s in DONE]))
        .order_by(Delivery.sequence).limit(1)).first()


def release_next(session: Session, d: Delivery, now: datetime) -> int | None:
    """After ``d`` is done: the next held delivery of its key becomes due. Returns its id."""
    nxt = session.scalars(
        select(Delivery).where(Delivery.target == d.target,
                               Delivery.ordering_key == d.ordering_key,
                               Delivery.sequence > d.sequence,
                               Delivery.status.not_in([s.value for s in DONE]))
        .order_by(Delivery.sequence).limit(1).with_for_update()).first()
    if nxt is None or nxt.status != DeliveryStatus.HELD:
        return None
    nxt.status = DeliveryStatus.PENDING.value
    nxt.held_by = None
    nxt.next_attempt_at = now
    nxt.updated_at = now
    return nxt.id


class Deliverer:
    def __init__(self, session_factory: Callable[[], Session], registry: Registry,
                 clock: Clock, dispatch: Callable[[list[int]], None]) -> None:
        self._sessions = session_factory
        self._registry = registry
        self._clock = clock
        self._dispatch = dispatch

    def deliver(self, ids: Iterable[int]) -> None:
        """The worker entry point: safe to call with stale, duplicate or foreign ids."""
        for claimed in self.claim(ids):
            outcome, request, started, duration_ms = self._send(claimed)
            follow = self.complete(claimed, outcome, request, started, duration_ms)
            if follow:
                self._dispatch(follow)

    def claim(self, ids: Iterable[int]) -> list[Claimed]:
        now = self._clock.now()
        claimed: list[Claimed] = []
        with self._sessions() as session:
            for delivery_id in sorted(set(ids)):
                item = self._claim_one(session, delivery_id, now)
                if item is not None:
                    claimed.append(item)
            session.commit()
        return claimed

    def _claim_one(self, session: Session, delivery_id: int, now: datetime) -> Claimed | None:
        d = session.scalars(select(Delivery).where(Delivery.id == delivery_id)
                            .with_for_update(skip_locked=True)).first()
        if d is None or not self._claimable(d, now):
            return None
        lock_key(session, d.target, d.ordering_key)
        before = earliest_open_before(session, d)
        if before is not None:
            d.status = DeliveryStatus.HELD.value
            d.held_by = before.id
            d.last_error = f"waiting for delivery {before.id} ({before.status})"
            d.updated_at = now
            log.info("held", extra={"delivery_id": d.id, "held_by": before.id})
            return None
        target = session.get(Target, d.target)
        event = session.get(OutboxEvent, d.outbox_id)
        if target is None or event is None or not target.enabled:
            return None  # a disabled target keeps its deliveries pending until enabled again
        d.status = DeliveryStatus.IN_FLIGHT.value
        d.attempts += 1  # counted at claim: a delivery that kills its worker still runs out
        d.lease_until = now + timedelta(seconds=target.timeout_seconds) + LEASE_MARGIN
        d.updated_at = now
        session.expunge(target)
        return Claimed(d.id, target, d.mapping, _event_document(event), d.idempotency_key,
                       d.ordering_key, d.sequence, d.event_type, d.attempts)

    @staticmethod
    def _claimable(d: Delivery, now: datetime) -> bool:
        status = DeliveryStatus(d.status)
        if status in (DeliveryStatus.PENDING, DeliveryStatus.HELD):
            return True
        if status is DeliveryStatus.RETRYING:
            return d.next_attempt_at <= now
        if status is DeliveryStatus.IN_FLIGHT:
            return d.lease_until is not None and d.lease_until <= now
        return False

    def _send(self, c: Claimed) -> tuple[Outcome, str | None, datetime, float]:
        started = self._clock.now()
        t0 = time.perf_counter()
        request: str | None = None
        try:
            body, content_type = self._registry.mapping(c.mapping)(c.event)
            request = body.decode("utf-8", "replace")
            message = OutboundMessage(body, content_type, c.idempotency_key, c.ordering_key,
                                      c.sequence, c.event_type)
            outcome = self._registry.adapter_for(c.target).send(message)
        except MappingError as err:
            outcome = Outcome.park(f"mapping failed: {err}")
        except Exception as err:
            log.exception("adapter raised", extra={"delivery_id": c.delivery_id})
            outcome = Outcome.retry(f"adapter error: {type(err).__name__}: {err}")
        return outcome, request, started, (time.perf_counter() - t0) * 1000

    def complete(self, c: Claimed, outcome: Outcome, request: str | None, started: datetime,
                 duration_ms: float) -> list[int]:
        now = self._clock.now()
        follow: list[int] = []
        with self._sessions() as session:
            d = session.get(Delivery, c.delivery_id)
            assert d is not None
            lock_key(session, d.target, d.ordering_key)
            session.refresh(d, with_for_update=True)
            verdict = self._decide(d, c, outcome, now)
            session.add(DeliveryAttempt(
                delivery_id=d.id, number=c.attempt, started_at=started, duration_ms=duration_ms,
                outcome=verdict, status_code=outcome.status_code, request=_clip(request),
                response=_clip(outcome.response), error=_clip(outcome.error)))
            if d.status == DeliveryStatus.DELIVERED and verdict == Verdict.DELIVERED:
                released = release_next(session, d, now)
                if released is not None:
                    follow.append(released)
            session.commit()
        log.info(verdict, extra={"delivery_id": c.delivery_id, "attempt": c.attempt,
                                 "target": c.target.name, "status_code": outcome.status_code,
                                 "duration_ms": round(duration_ms, 1), "error": outcome.error})
        return follow

    def _decide(self, d: Delivery, c: Claimed, outcome: Outcome, now: datetime) -> str:
        if d.status in (DeliveryStatus.DELIVERED, DeliveryStatus.DISCARDED):
            return f"late-{outcome.verdict}"  # someone finished it meanwhile; keep the record
        superseded = d.status != DeliveryStatus.IN_FLIGHT or d.attempts != c.attempt
        if superseded and outcome.verdict is not Verdict.DELIVERED:
            return f"stale-{outcome.verdict}"  # our lease ran out and a newer attempt owns it
        d.updated_at = now
        d.lease_until = None
        if outcome.verdict is Verdict.DELIVERED:
            d.status = DeliveryStatus.DELIVERED.value
            d.delivered_at = now
            d.last_error = None
            return Verdict.DELIVERED
        policy = RetryPolicy.of(c.target)
        d.last_error = outcome.error
        if outcome.verdict is Verdict.PARK or policy.exhausted(d.attempts):
            d.status = DeliveryStatus.PARKED.value
            if outcome.verdict is Verdict.RETRY:
                d.last_error = f"attempts exhausted ({d.attempts}): {outcome.error}"
            return Verdict.PARK
        d.status = DeliveryStatus.RETRYING.value
        d.next_attempt_at = now + policy.delay(d.attempts, outcome.retry_after)
        return Verdict.RETRY


def _event_document(event: OutboxEvent) -> dict[str, Any]:
    """What a mapping sees: the event envelope and its payload."""
    return {
        "event_id": event.event_id, "event_type": event.event_type,
        "aggregate_type": event.aggregate_type, "aggregate_id": event.aggregate_id,
        "ordering_key": event.ordering_key, "occurred_at": event.occurred_at.isoformat(),
        "payload": json.loads(json.dumps(event.payload)),
    }
