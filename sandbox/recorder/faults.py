"""Misbehaviour on request: the next N data calls fail in a chosen way.

A test arms a plan ("the next 3 calls on channel `notices` answer 500"), then watches the
exchange engine retry, park or give up. Plans queue in the order they were armed, so a drill can
script a sequence (two timeouts, then a reset, then normal service). Each data call consumes one
unit of the first plan that matches its transport and channel; calls that match no plan are served
normally. Plans live in memory: a restarted peer starts well-behaved, like a real system back
from an outage.

Only well-formed deliveries consume a plan. A request the peer would refuse anyway (no
idempotency key, broken XML) is refused as usual, so a plan always fails exactly the N calls
the test meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sandbox.common.fault_plans import MAX_COUNT, Plan, PlanError, PlanQueue, parse_mode


class FaultMode(StrEnum):
    HTTP500 = "http500"          # 500 with a body (a SOAP Server fault on SOAP)
    TIMEOUT = "timeout"          # hold delay_seconds, then 504: the client should have given up
    SLOW = "slow"                # record on arrival, answer correctly after delay_seconds
    RESET = "reset"              # drop the TCP connection (RST) without an HTTP answer
    MALFORMED = "malformed"      # 200 with a body that is not JSON / not a SOAP envelope
    RETRY_AFTER = "retry_after"  # 503 with a Retry-After header


DEFAULT_DELAY_SECONDS = {FaultMode.TIMEOUT: 30.0, FaultMode.SLOW: 1.0}
MAX_DELAY_SECONDS = 3600.0


@dataclass
class FaultPlan(Plan[FaultMode]):
    delay_seconds: float
    retry_after_seconds: int
    channel: str | None
    transport: str | None

    def matches(self, transport: str, channel: str) -> bool:
        return ((self.channel is None or self.channel == channel)
                and (self.transport is None or self.transport == transport))


def _number(data: dict[str, Any], name: str, default: float, *, integer: bool = False,
            low: float = 0, high: float = MAX_DELAY_SECONDS) -> float:
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            integer and not isinstance(value, int)):
        raise PlanError(f"{name} must be {'an integer' if integer else 'a number'}")
    if not low <= value <= high:
        raise PlanError(f"{name} must be between {low:g} and {high:g}")
    return value


def _optional_name(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise PlanError(f"{name} must be a non-empty string")
    return value


class FaultBook(PlanQueue[FaultPlan]):
    """The armed plans, in order. Thread-safe, though the peer only touches it from its loop."""

    def arm(self, data: dict[str, Any]) -> FaultPlan:
        """Validate a control request body and queue the plan it describes."""
        mode = parse_mode(data, FaultMode)
        count = int(_number(data, "count", 1, integer=True, low=1, high=MAX_COUNT))
        delay = float(_number(data, "delay_seconds", DEFAULT_DELAY_SECONDS.get(mode, 0.0)))
        retry_after = int(_number(data, "retry_after_seconds", 1, integer=True, high=86_400))
        channel = _optional_name(data, "channel")
        transport = _optional_name(data, "transport")
        if transport not in (None, "http", "soap"):
            raise PlanError("transport must be 'http' or 'soap'")
        return self.add(lambda plan_id: FaultPlan(plan_id, mode, count, count, delay,
                                                  retry_after, channel, transport))

    def take(self, transport: str, channel: str) -> FaultPlan | None:
        """The plan this call must follow, if any; consumes one of its N calls."""
        return self.take_first(lambda plan: plan.matches(transport, channel))
