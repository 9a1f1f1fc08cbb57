"""The life of a delivery: its statuses, every move between them, and nothing else.

A delivery is made due, claimed by a worker, held behind an earlier one of its key, released
when that one is done, decided from the peer's outcome, given up on by its lease, replayed or
discarded by an operator. Those moves were spread over the worker, the sweeper, the operators'
commands and the model; here each is one function on one delivery, and ``ALLOWED`` says which
moves exist at all, so a new path (a bank's callback confirming a delivery, say) cannot invent a
move nobody reviewed. Locks, batches and queries stay with their callers (``delivery.py``,
``sweeper.py``, ``operations.py``): these functions only change the row they are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

from exchange.model import Delivery, DeliveryStatus, Target
from exchange.outcome import Outcome, Verdict
from exchange.policy import RetryPolicy

S = DeliveryStatus
LEASE_MARGIN = timedelta(seconds=15)

#: status -> the statuses it may move to (staying put is not a move).
ALLOWED: Mapping[DeliveryStatus, frozenset[DeliveryStatus]] = MappingProxyType({
    S.PENDING: frozenset({S.IN_FLIGHT, S.HELD, S.DELIVERED, S.DISCARDED}),
    S.HELD: frozenset({S.PENDING, S.IN_FLIGHT, S.DELIVERED, S.DISCARDED}),
    S.IN_FLIGHT: frozenset({S.DELIVERED, S.RETRYING, S.PARKED, S.HELD}),
    S.RETRYING: frozenset({S.IN_FLIGHT, S.HELD, S.PENDING, S.DELIVERED, S.DISCARDED}),
    S.PARKED: frozenset({S.PENDING, S.DELIVERED, S.DISCARDED}),
    S.DELIVERED: frozenset({S.PENDING}),  # an operator sends it once more
    S.DISCARDED: frozenset({S.PENDING}),  # an operator changed its mind
})
#: what an operator may send again
REPLAYABLE = frozenset({S.PARKED, S.DELIVERED, S.DISCARDED, S.RETRYING})
#: what an operator may give up on (not one a worker holds right now)
DISCARDABLE = frozenset({S.PENDING, S.HELD, S.RETRYING, S.PARKED})


class DeliveryMoveRefused(RuntimeError):
    """A move ``ALLOWED`` does not hold: a bug in the caller, never a peer's doing."""


def _move(d: Delivery, to: DeliveryStatus, now: datetime) -> None:
    here = DeliveryStatus(d.status)
    if to is not here and to not in ALLOWED[here]:
        raise DeliveryMoveRefused(f"delivery {d.id}: {here} -> {to} is not a move")
    d.status = to.value
    d.updated_at = now


def claimable(d: Delivery, now: datetime) -> bool:
    """May a worker take it now (before asking whether an earlier one of its key is open)?"""
    status = DeliveryStatus(d.status)
    if status in (S.PENDING, S.HELD):
        return True
    if status is S.RETRYING:
        return d.next_attempt_at <= now
    if status is S.IN_FLIGHT:
        return d.lease_until is not None and d.lease_until <= now
    return False


def make_due(d: Delivery, now: datetime) -> None:
    """Back to the queue now: nothing holds it any more."""
    _move(d, S.PENDING, now)
    d.held_by = None
    d.next_attempt_at = now


def reannounce(d: Delivery, now: datetime) -> None:
    """A pending delivery whose announcement seems lost: announced again from now."""
    d.next_attempt_at = now


def hold(d: Delivery, head_id: int, head_status: str, now: datetime) -> None:
    """An earlier delivery of the same key and target is open: wait for it."""
    _move(d, S.HELD, now)
    d.held_by = head_id
    d.last_error = f"waiting for delivery {head_id} ({head_status})"


def claim(d: Delivery, target: Target, now: datetime) -> None:
    """A worker takes it until its lease ends; the attempt counts from here, so one that kills
    its worker still runs out of attempts."""
    _move(d, S.IN_FLIGHT, now)
    d.attempts += 1
    d.lease_until = now + timedelta(seconds=target.timeout_seconds) + LEASE_MARGIN


def decide(d: Delivery, attempt: int, target: Target, outcome: Outcome, now: datetime) -> str:
    """What the peer's outcome of ``attempt`` makes of the delivery; returns the verdict as the
    attempt log records it (``late-…`` / ``stale-…`` when the attempt no longer owns it)."""
    if d.status in (S.DELIVERED, S.DISCARDED):
        return f"late-{outcome.verdict}"  # someone finished it meanwhile; keep the record
    superseded = d.status != S.IN_FLIGHT or d.attempts != attempt
    if superseded and outcome.verdict is not Verdict.DELIVERED:
        return f"stale-{outcome.verdict}"  # our lease ran out and a newer attempt owns it
    d.lease_until = None
    if outcome.verdict is Verdict.DELIVERED:
        _move(d, S.DELIVERED, now)
        d.delivered_at = now
        d.last_error = None
        return Verdict.DELIVERED
    policy = RetryPolicy.of(target)
    d.last_error = outcome.error
    if outcome.verdict is Verdict.PARK or policy.exhausted(d.attempts):
        _move(d, S.PARKED, now)
        if outcome.verdict is Verdict.RETRY:
            d.last_error = f"attempts exhausted ({d.attempts}): {outcome.error}"
        return Verdict.PARK
    _move(d, S.RETRYING, now)
    d.next_attempt_at = now + policy.delay(d.attempts, outcome.retry_after)
    return Verdict.RETRY


def lease_lost(d: Delivery, target: Target | None, now: datetime) -> bool:
    """Its worker took it and vanished: the attempt is lost. True if it is due again, False if
    that was its last attempt (parked)."""
    d.lease_until = None
    if target is not None and RetryPolicy.of(target).exhausted(d.attempts):
        _move(d, S.PARKED, now)
        d.last_error = f"attempts exhausted ({d.attempts}): worker lost during delivery"
        return False
    _move(d, S.RETRYING, now)
    d.next_attempt_at = now
    d.last_error = "worker lost during delivery"
    return True


def replay(d: Delivery, now: datetime) -> None:
    """An operator sends it again with a fresh attempt budget (the same idempotency key lets the
    peer drop a repeat of something it already has)."""
    make_due(d, now)
    d.attempts = 0
    d.lease_until = None


def discard(d: Delivery, actor: str, reason: str, now: datetime) -> None:
    """An operator gives up on it, with a reason; later deliveries of its key may then go."""
    _move(d, S.DISCARDED, now)
    d.last_error = f"discarded by {actor}: {reason}"
