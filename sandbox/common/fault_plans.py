"""Fault plans: "the next N calls fail this way", armed through a peer's control API.

Plans queue in arming order; a call consumes one unit of the first plan that applies to it, and a
spent plan leaves the queue. They live in memory, so a restarted peer starts well-behaved, like a
real system back from an outage. Each peer has its own modes and its own plan fields; the queue,
the count and the refusal of a bad plan are the same for all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

MAX_COUNT = 1_000_000

ModeT = TypeVar("ModeT", bound=StrEnum)


class PlanError(ValueError):
    """A fault plan the control API refuses, with a message for the test author."""


def parse_mode(data: dict[str, Any], modes: type[ModeT]) -> ModeT:
    """The ``mode`` of a control request body, one of ``modes``."""
    try:
        return modes(str(data.get("mode")))
    except ValueError:
        raise PlanError("mode must be one of " + ", ".join(m.value for m in modes)) from None


@dataclass
class Plan(Generic[ModeT]):
    """A plan armed for ``count`` calls, ``remaining`` of them still to fail; a peer's plan adds
    the fields its modes need."""

    id: int
    mode: ModeT
    count: int
    remaining: int

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["mode"] = self.mode.value
        return data


PlanT = TypeVar("PlanT", bound=Plan[Any])


class PlanQueue(Generic[PlanT]):
    """The armed plans, in order. Thread-safe."""

    def __init__(self) -> None:
        self._plans: list[PlanT] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, make: Callable[[int], PlanT]) -> PlanT:
        """Queue the plan ``make`` builds for the next id."""
        with self._lock:
            plan = make(self._next_id)
            self._next_id += 1
            self._plans.append(plan)
        return plan

    def take_first(self, applies: Callable[[PlanT], bool] = lambda plan: True) -> PlanT | None:
        """The first plan that ``applies`` to a call, if any; consumes one of its calls."""
        if not self._plans:  # the common case, without the lock
            return None
        with self._lock:
            for index, plan in enumerate(self._plans):
                if applies(plan):
                    plan.remaining -= 1
                    if plan.remaining <= 0:
                        del self._plans[index]
                    return plan
        return None

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [plan.as_json() for plan in self._plans]

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()
