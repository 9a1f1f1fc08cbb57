"""Delivering: claim due deliveries, map and send them, record every attempt, decide what next.

Work is done in batches: one short transaction claims a batch, the network calls run outside
any transaction (in parallel, one per claimed delivery), and one short transaction records every
outcome. A slow peer never holds database locks, and the database sees a handful of statements
per batch instead of per delivery.

Both transactions take the (target, ordering key) locks first, in one global order, and only then
row locks: deciding "is an earlier delivery of this key still open?" and "who goes next?" never
race, and two overlapping batches never deadlock.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, tuple_
from sqlalchemy.orm import Session

from core.clock import Clock
from core.model.outbox import OutboxEvent
from exchange import delivery_states as states
from exchange.keylock import lock_keys
from exchange.model import (
    DONE,
    Acknowledgement,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Target,
)
from exchange.outcome import OutboundMessage, Outcome, Verdict
from exchange.registry import MappingError, NothingToSend, Registry

log = logging.getLogger("ggzy.exchange.delivery")
RECORD_LIMIT = 8192  # characters of request/response kept per attempt
DONE_VALUES = [s.value for s in DONE]
Key = tuple[str, str]


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


@dataclass(frozen=True)
class Sent:
    claimed: Claimed
    outcome: Outcome
    request: str | None
    started: datetime
    duration_ms: float


def _clip(text: str | None) -> str | None:
    return None if text is None else text[:RECORD_LIMIT]


def _in_keys(keys: Iterable[Key]) -> ColumnElement[bool]:
    return tuple_(Delivery.target, Delivery.ordering_key).in_(sorted(set(keys)))


def first_open(session: Session, keys: Iterable[Key]) -> dict[Key, tuple[int, int, str]]:
    """Per key, the open (not delivered, not discarded) delivery with the lowest sequence:
    the only one of its key that may go now. Maps key -> (id, sequence, status)."""
    keys = list(keys)
    if not keys:
        return {}
    lowest = (select(Delivery.target, Delivery.ordering_key,
                     func.min(Delivery.sequence).label("seq"))
              .where(_in_keys(keys), Delivery.status.not_in(DONE_VALUES))
              .group_by(Delivery.target, Delivery.ordering_key).subquery())
    rows = session.execute(
        select(Delivery.target, Delivery.ordering_key, Delivery.id, Delivery.sequence,
               Delivery.status)
        .join(lowest, and_(lowest.c.target == Delivery.target,
                           lowest.c.ordering_key == Delivery.ordering_key,
                           lowest.c.seq == Delivery.sequence))
        .where(Delivery.status.not_in(DONE_VALUES))).tuples().all()
    return {(t, k): (i, s, st) for t, k, i, s, st in rows}


def release_next(session: Session, done: Sequence[Delivery], now: datetime) -> list[int]:
    """After ``done`` finished (delivered or discarded): the first open delivery of each of
    their keys, if it is held, becomes due. Returns the ids to announce.

    The caller holds the key locks, so no claim can slip in between."""
    session.flush()
    keys = [(d.target, d.ordering_key) for d in done]
    if session.scalar(select(Delivery.id).where(  # the common case: nobody is waiting
            _in_keys(keys), Delivery.status == DeliveryStatus.HELD.value).limit(1)) is None:
        return []
    heads = first_open(session, keys)
    held = [i for i, _, status in heads.values() if status == DeliveryStatus.HELD]
    if not held:
        return []
    rows = session.scalars(select(Delivery).where(Delivery.id.in_(held))
                           .with_for_update(skip_locked=True)).all()
    for nxt in rows:
        states.make_due(nxt, now)
    return [n.id for n in rows]


def event_document(event: OutboxEvent) -> dict[str, Any]:
    """What a mapping sees: the event envelope and its payload."""
    return {
        "event_id": event.event_id, "event_type": event.event_type,
        "aggregate_type": event.aggregate_type, "aggregate_id": event.aggregate_id,
        "ordering_key": event.ordering_key, "occurred_at": event.occurred_at.isoformat(),
        "payload": json.loads(json.dumps(event.payload)),
    }


class Deliverer:
    def __init__(self, session_factory: Callable[[], Session], registry: Registry,
                 clock: Clock, dispatch: Callable[[list[int]], None],
                 parallel_sends: int = 8) -> None:
        self._sessions = session_factory
        self._registry = registry
        self._clock = clock
        self._dispatch = dispatch
        self._pool = ThreadPoolExecutor(max_workers=parallel_sends,
                                        thread_name_prefix="ggzy-send")

    def deliver(self, ids: Iterable[int], drain_rounds: int = 50) -> None:
        """The worker entry point: safe to call with stale, duplicate or foreign ids.

        What a completion releases (the next delivery of the same key) is delivered right here
        for up to ``drain_rounds`` rounds, instead of a round trip through the broker per
        delivery: a key with a backlog drains at the speed of its peer."""
        batch = list(ids)
        for _ in range(drain_rounds):
            claimed = self.claim(batch)
            if not claimed:
                return
            sent = list(self._pool.map(self._send, claimed))
            batch = self.complete(sent)
            if not batch:
                return
        self._dispatch(batch)

    # -- claim ---------------------------------------------------------------------------------

    def claim(self, ids: Iterable[int]) -> list[Claimed]:
        now = self._clock.now()
        wanted = sorted(set(ids))
        if not wanted:
            return []
        with self._sessions() as session:
            keys = session.execute(select(Delivery.target, Delivery.ordering_key)
                                   .where(Delivery.id.in_(wanted))).tuples().all()
            lock_keys(session, keys)
            rows = [d for d in session.scalars(
                select(Delivery).where(Delivery.id.in_(wanted)).order_by(Delivery.id)
                .with_for_update(skip_locked=True)) if states.claimable(d, now)]
            heads = first_open(session, [(d.target, d.ordering_key) for d in rows])
            go = [d for d in rows if self._may_go(d, heads, now)]
            targets = {t.name: t for t in session.scalars(
                select(Target).where(Target.name.in_({d.target for d in go})))}
            events = {e.id: e for e in session.scalars(
                select(OutboxEvent).where(OutboxEvent.id.in_([d.outbox_id for d in go])))}
            claimed = []
            for d in go:
                target = targets.get(d.target)
                if target is None or not target.enabled:
                    continue  # a disabled target keeps its deliveries until it is enabled
                states.claim(d, target, now)
                claimed.append(Claimed(d.id, target, d.mapping,
                                       event_document(events[d.outbox_id]),
                                       d.idempotency_key, d.ordering_key, d.sequence,
                                       d.event_type, d.attempts))
            for t in targets.values():  # used after the session closes, by the send threads
                session.expunge(t)
            session.commit()
        return claimed

    @staticmethod
    def _may_go(d: Delivery, heads: dict[Key, tuple[int, int, str]], now: datetime) -> bool:
        head_id, _, head_status = heads[(d.target, d.ordering_key)]
        if head_id == d.id:
            return True
        states.hold(d, head_id, head_status, now)
        return False

    # -- send ----------------------------------------------------------------------------------

    def _send(self, c: Claimed) -> Sent:
        started = self._clock.now()
        t0 = time.perf_counter()
        request: str | None = None
        try:
            content, content_type = self._registry.mapping(c.mapping)(c.event)
            message = OutboundMessage(content, content_type, c.idempotency_key, c.ordering_key,
                                      c.sequence, c.event_type)
            request = message.body.decode("utf-8", "replace")  # for the attempt log
            outcome = self._registry.adapter_for(c.target).send(message)
        except NothingToSend as nothing:
            outcome = Outcome.delivered(response=f"not sent: {nothing}")
        except MappingError as err:
            outcome = Outcome.park(f"mapping failed: {err}")
        except Exception as err:
            log.exception("adapter raised", extra={"delivery_id": c.delivery_id})
            outcome = Outcome.retry(f"adapter error: {type(err).__name__}: {err}")
        return Sent(c, outcome, request, started, (time.perf_counter() - t0) * 1000)

    # -- complete ------------------------------------------------------------------------------

    def complete(self, sent: Sequence[Sent]) -> list[int]:
        now = self._clock.now()
        by_id = {s.claimed.delivery_id: s for s in sent}
        with self._sessions() as session:
            lock_keys(session, [(s.claimed.target.name, s.claimed.ordering_key) for s in sent])
            rows = session.scalars(select(Delivery).where(Delivery.id.in_(by_id))
                                   .order_by(Delivery.id).with_for_update()).all()
            finished = []
            for d in rows:
                s = by_id[d.id]
                verdict = states.decide(d, s.claimed.attempt, s.claimed.target, s.outcome, now)
                session.add(DeliveryAttempt(
                    delivery_id=d.id, number=s.claimed.attempt, started_at=s.started,
                    duration_ms=s.duration_ms, outcome=verdict,
                    status_code=s.outcome.status_code, request=_clip(s.request),
                    response=_clip(s.outcome.response), error=_clip(s.outcome.error)))
                if verdict == Verdict.DELIVERED:
                    finished.append(d)
                    session.add_all(Acknowledgement(  # clipped: a peer's text never fails us
                        delivery_id=d.id, target=d.target, data_set=a.data_set[:8],
                        record_key=a.record_key[:100], official_time=a.official_time,
                        reference=None if a.reference is None else a.reference[:100],
                        recorded_at=now)
                        for a in s.outcome.acknowledgements)
                # a success is routine (DEBUG); every failure is worth a line (INFO)
                log.log(logging.DEBUG if verdict == Verdict.DELIVERED else logging.INFO,
                        verdict, extra={
                            "delivery_id": d.id, "attempt": s.claimed.attempt,
                            "target": d.target, "status_code": s.outcome.status_code,
                            "duration_ms": round(s.duration_ms, 1), "error": s.outcome.error})
            follow = release_next(session, finished, now) if finished else []
            session.commit()
        return follow

    def close(self) -> None:
        self._pool.shutdown(wait=True)
