"""Every move a delivery makes is one of ALLOWED, and only delivery_states makes them."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from exchange import delivery_states as states
from exchange.delivery_states import ALLOWED, DeliveryMoveRefused
from exchange.model import Delivery, DeliveryStatus, Target
from exchange.outcome import Outcome

S = DeliveryStatus
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
TARGET = Target(name="peer", kind="http_json", endpoint="http://peer.invalid/",
                timeout_seconds=5.0, max_attempts=3, backoff_base_seconds=1.0,
                backoff_cap_seconds=60.0, retry_statuses=[500])


def delivery(status: DeliveryStatus, attempts: int = 1) -> Delivery:
    return Delivery(id=7, status=status.value, attempts=attempts, next_attempt_at=NOW,
                    lease_until=NOW, updated_at=NOW - timedelta(hours=1))


def moved(before: DeliveryStatus, d: Delivery) -> None:
    after = S(d.status)
    assert after is before or after in ALLOWED[before], (before, after)


@pytest.mark.parametrize("outcome", [Outcome.delivered(200), Outcome.retry("HTTP 500", 500),
                                     Outcome.park("HTTP 400", 400)])
@pytest.mark.parametrize("status", list(S))
def test_every_decision_is_an_allowed_move(status: DeliveryStatus, outcome: Outcome) -> None:
    for attempts in (1, 3):  # within the budget, and its last attempt
        d = delivery(status, attempts)
        verdict = states.decide(d, attempts, TARGET, outcome, NOW)
        moved(status, d)
        if status in (S.DELIVERED, S.DISCARDED):
            assert verdict.startswith("late-") and S(d.status) is status
        elif status is not S.IN_FLIGHT and outcome.verdict != "delivered":
            assert verdict.startswith("stale-") and S(d.status) is status


def test_the_worker_claims_holds_and_loses_within_the_table() -> None:
    for status in (S.PENDING, S.HELD, S.RETRYING):
        d = delivery(status)
        states.claim(d, TARGET, NOW)
        moved(status, d)
        assert (d.status, d.attempts, d.updated_at) == ("in_flight", 2, NOW)
        assert d.lease_until == NOW + timedelta(seconds=5) + states.LEASE_MARGIN
    for status in (S.PENDING, S.RETRYING, S.IN_FLIGHT, S.HELD):
        d = delivery(status)
        states.hold(d, 3, "retrying", NOW)
        moved(status, d)
        assert (d.status, d.held_by) == ("held", 3)
    again, last = delivery(S.IN_FLIGHT, 1), delivery(S.IN_FLIGHT, 3)
    assert states.lease_lost(again, TARGET, NOW) and again.status == "retrying"
    assert not states.lease_lost(last, TARGET, NOW) and last.status == "parked"


def test_operators_replay_and_discard_within_the_table() -> None:
    for status in states.REPLAYABLE:
        d = delivery(status, 3)
        states.replay(d, NOW)
        moved(status, d)
        assert (d.status, d.attempts, d.lease_until, d.held_by) == ("pending", 0, None, None)
    for status in states.DISCARDABLE:
        d = delivery(status)
        states.discard(d, "admin:ops", "superseded", NOW)
        moved(status, d)
        assert d.last_error == "discarded by admin:ops: superseded"


def test_a_move_outside_the_table_is_refused_and_changes_nothing() -> None:
    d = delivery(S.IN_FLIGHT)
    with pytest.raises(DeliveryMoveRefused):
        states.discard(d, "admin:ops", "mid-flight", NOW)
    assert (d.status, d.last_error, d.updated_at) == ("in_flight", None,
                                                      NOW - timedelta(hours=1))
    with pytest.raises(DeliveryMoveRefused):
        states.hold(delivery(S.DELIVERED), 3, "pending", NOW)


def test_every_status_has_its_row_in_the_table() -> None:
    assert set(ALLOWED) == set(S)
    assert all(to in ALLOWED for moves in ALLOWED.values() for to in moves)


EXCHANGE = Path(__file__).resolve().parents[2] / "exchange"


def test_only_delivery_states_sets_a_delivery_status() -> None:
    found = []
    for path in sorted(EXCHANGE.rglob("*.py")):
        if path.name == "delivery_states.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found += [f"{path.name}:{node.lineno}" for t in targets
                          if isinstance(t, ast.Attribute) and t.attr == "status"]
    assert found == []
