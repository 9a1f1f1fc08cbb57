"""Misbehaviour on request: the next N SOAP calls fail in a chosen way.

A test (or the demo) arms a plan with ``POST /control/faults`` and watches the hub retry, park or
count. Plans queue in arming order and each SOAP call that passed the hardening checks consumes one
unit of the first plan. Plans live in memory: a restarted peer starts well-behaved.

Modes:

- ``soap_fault``: a SOAP Server/Receiver Fault (HTTP 500) in the caller's SOAP version;
- ``http_500``: HTTP 500 with a plain-text body, no SOAP at all;
- ``timeout``: hold the call ``seconds`` (default 30), then 504 without reading the record;
- ``slow``: process the record, then hold the answer ``seconds`` (the lost-acknowledgement case:
  the client gives up although the record was stored);
- ``refuse_parent``: answer with the profile's "parent missing" refusal (an ordinary reply);
- ``malformed``: HTTP 200 with a body that is not a complete SOAP envelope.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sandbox.common.fault_plans import MAX_COUNT, Plan, PlanError, PlanQueue, parse_mode


class FaultMode(StrEnum):
    SOAP_FAULT = "soap_fault"
    HTTP_500 = "http_500"
    TIMEOUT = "timeout"
    SLOW = "slow"
    REFUSE_PARENT = "refuse_parent"
    MALFORMED = "malformed"


DEFAULT_SECONDS = {FaultMode.TIMEOUT: 30.0, FaultMode.SLOW: 2.0}
MAX_SECONDS = 3600.0


@dataclass
class FaultPlan(Plan[FaultMode]):
    seconds: float


class FaultBook(PlanQueue[FaultPlan]):
    def arm(self, data: Any) -> FaultPlan:
        """Validate a ``POST /control/faults`` body and queue its plan."""
        if not isinstance(data, dict):
            raise PlanError("the body must be a JSON object")
        mode = parse_mode(data, FaultMode)
        count = data.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
            raise PlanError(f"count must be an integer from 1 to {MAX_COUNT}")
        seconds = data.get("seconds", DEFAULT_SECONDS.get(mode, 0.0))
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not (
                0 <= seconds <= MAX_SECONDS):
            raise PlanError(f"seconds must be a number from 0 to {MAX_SECONDS:g}")
        return self.add(lambda plan_id: FaultPlan(plan_id, mode, count, count, float(seconds)))

    def take(self) -> FaultPlan | None:
        """The plan this call follows, if any; consumes one of its calls."""
        return self.take_first()
