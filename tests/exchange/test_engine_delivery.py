"""The engine's decisions on PostgreSQL: relay, deliver, retry with backoff, park, hold the key,
release in order, expire leases, replay and discard."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.events import EventType
from core.model.audit import AuditEntry
from core.model.outbox import OutboxEvent
from exchange import operations
from exchange.model import DeliveryAttempt
from exchange.outcome import Outcome
from tests.exchange.conftest import Engine


def test_relay_makes_one_delivery_per_matching_route_once(engine: Engine) -> None:
    engine.emit("project:A", 2)
    engine.emit("party:X", 1, EventType.PARTY_UPDATED)  # no route for party.*
    ids = engine.relay()
    assert len(ids) == 2
    assert engine.relay() == []  # relayed rows are marked; nothing twice
    with engine.container.session_factory() as s:
        assert s.scalar(select(OutboxEvent).where(OutboxEvent.relayed_at.is_(None))) is None
    assert [d.sequence for d in engine.deliveries()] == sorted(d.sequence
                                                              for d in engine.deliveries())


def test_delivered_with_a_stable_idempotency_key_and_a_recorded_attempt(engine: Engine) -> None:
    engine.emit("project:A")
    engine.run(engine.relay())
    (d,) = engine.deliveries()
    assert d.status == "delivered" and d.attempts == 1
    (msg,) = engine.adapter.received
    assert msg.idempotency_key == f"{d.event_id}:peer"
    assert msg.ordering_key == "project:A" and msg.sequence == d.sequence
    with engine.container.session_factory() as s:
        (a,) = s.scalars(select(DeliveryAttempt)).all()
    assert a.outcome == "delivered" and a.status_code == 200
    assert a.request is not None and '"key":"project:A"' in a.request


def test_retry_waits_for_its_backoff_then_succeeds(engine: Engine) -> None:
    engine.adapter.script.extend([Outcome.retry("HTTP 500", 500), Outcome.retry("HTTP 503", 503)])
    engine.emit("project:A")
    engine.run(engine.relay())
    (d,) = engine.deliveries()
    assert d.status == "retrying" and d.attempts == 1
    assert d.next_attempt_at <= engine.clock.now() + timedelta(seconds=2)  # base 2 s, full jitter
    engine.run(engine.sweep() if d.next_attempt_at <= engine.clock.now() else [])
    engine.advance(2.01)
    engine.run(engine.sweep())
    (d,) = engine.deliveries()
    assert d.status == "retrying" and d.attempts == 2
    engine.advance(4.01)  # second retry waits at most base·2
    engine.run(engine.sweep())
    (d,) = engine.deliveries()
    assert d.status == "delivered" and d.attempts == 3
    assert len(engine.adapter.received) == 3


def test_not_due_is_not_sent(engine: Engine) -> None:
    engine.adapter.script.append(Outcome.retry("HTTP 503", 503, retry_after=30))
    engine.emit("project:A")
    engine.run(engine.relay())
    (d,) = engine.deliveries()
    assert d.next_attempt_at >= engine.clock.now() + timedelta(seconds=30)  # Retry-After honoured
    engine.advance(29)
    assert engine.sweep() == []
    engine.run([d.id])  # a stray message for a delivery that is not due changes nothing
    assert len(engine.adapter.received) == 1
    engine.advance(31)
    engine.run(engine.sweep())
    assert engine.status() == ["delivered"]


def test_spent_attempts_park_with_the_reason(engine: Engine) -> None:
    engine.adapter.script.extend([Outcome.retry("HTTP 500", 500)] * 4)
    engine.emit("project:A")
    engine.run(engine.relay())
    for _ in range(3):
        engine.advance(61)
        engine.run(engine.sweep())
    (d,) = engine.deliveries()
    assert d.status == "parked" and d.attempts == 4
    assert d.last_error == "attempts exhausted (4): HTTP 500"


def test_a_parked_delivery_holds_its_key_and_says_so_while_others_flow(engine: Engine) -> None:
    engine.adapter.script.append(Outcome.park("HTTP 400 (not retryable)", 400))
    engine.emit("project:A", 3)
    engine.emit("project:B", 2)
    engine.run(engine.relay())
    a1, a2, a3, b1, b2 = engine.deliveries()
    assert (a1.status, a1.last_error) == ("parked", "HTTP 400 (not retryable)")
    assert a2.status == a3.status == "held"
    assert a2.held_by == a1.id and f"waiting for delivery {a1.id}" in (a2.last_error or "")
    assert (b1.status, b2.status) == ("delivered", "delivered")
    # the operator replays the parked one: it goes, then the held ones follow in order
    with engine.container.session_factory() as s:
        replayed = operations.replay(s, operations.Selection(ids=(a1.id,)), "admin:ops",
                                     engine.clock.now())
        s.commit()
    engine.run(replayed)
    assert engine.status() == ["delivered"] * 5
    keys_a = [m.sequence for m in engine.adapter.received if m.ordering_key == "project:A"]
    assert keys_a == sorted(keys_a) and len(keys_a) == 4  # first try, replay, then 2 and 3
    with engine.container.session_factory() as s:
        actions = s.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "delivery.replay")).all()
    assert actions == ["delivery.replay"]


def test_order_holds_even_when_ids_arrive_out_of_order(engine: Engine) -> None:
    engine.emit("project:A", 4)
    ids = engine.relay()
    engine.run(list(reversed(ids))[:2])  # the two newest first: both must wait
    assert engine.status() == ["pending", "pending", "held", "held"]
    engine.run(ids[:1])
    assert engine.status() == ["delivered", "pending", "held", "held"]
    engine.run(ids[1:2])  # the second goes, and releases the held ones one after the other
    assert engine.status() == ["delivered"] * 4
    assert [m.sequence for m in engine.adapter.received] == sorted(
        m.sequence for m in engine.adapter.received)


def test_a_lost_worker_is_noticed_by_its_lease(engine: Engine) -> None:
    engine.emit("project:A")
    ids = engine.relay()
    claimed = engine.deliverer.claim(ids)  # a worker took it ... and died before sending
    assert len(claimed) == 1 and engine.status() == ["in_flight"]
    assert engine.sweep() == []  # lease still running
    engine.advance(5 + 15 + 1)  # timeout + margin
    engine.run(engine.sweep())
    (d,) = engine.deliveries()
    assert d.status == "delivered" and d.attempts == 2
    with engine.container.session_factory() as s:
        outcomes = s.scalars(select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id)).all()
    assert outcomes == ["expired", "delivered"]


def test_a_worker_that_always_dies_runs_out_of_attempts(engine: Engine) -> None:
    engine.emit("project:A")
    ids = engine.relay()
    for _ in range(4):
        engine.deliverer.claim(ids)
        engine.advance(21)
        ids = engine.sweep() or ids
    (d,) = engine.deliveries()
    assert d.status == "parked" and "worker lost" in (d.last_error or "")
    assert engine.adapter.received == []


def test_discard_needs_a_reason_and_releases_the_key(engine: Engine) -> None:
    engine.adapter.script.append(Outcome.park("HTTP 422", 422))
    engine.emit("project:A", 2)
    engine.run(engine.relay())
    first, _ = engine.deliveries()
    with engine.container.session_factory() as s:
        try:
            operations.discard(s, operations.Selection(ids=(first.id,)), " ", "admin:ops",
                               engine.clock.now())
            raise AssertionError("a blank reason was accepted")
        except Exception as err:
            assert getattr(err, "code", None) == "REASON_REQUIRED"
    with engine.container.session_factory() as s:
        done, released = operations.discard(s, operations.Selection(ids=(first.id,)),
                                            "superseded by a correction", "admin:ops",
                                            engine.clock.now())
        s.commit()
    assert done == [first.id] and len(released) == 1
    engine.run(released)
    assert engine.status() == ["discarded", "delivered"]


def test_a_disabled_target_keeps_deliveries_pending(engine: Engine) -> None:
    from exchange import config

    with engine.container.session_factory() as s:
        config.upsert_target(s, "peer", {"endpoint": "http://peer.invalid/", "enabled": False},
                             "admin:ops", engine.clock.now())
        s.commit()
    engine.emit("project:A")
    assert engine.relay() == []  # routes to a disabled target are not active
    with engine.container.session_factory() as s:
        assert s.scalar(select(OutboxEvent.relayed_at)) is not None
