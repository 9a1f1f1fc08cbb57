"""Engine fixtures: a scripted target adapter, and the engine driven step by step on PostgreSQL.

The scripted adapter implements the adapter protocol in-process so that the engine's decisions
(retry, park, hold, release) can be driven exactly; the real network paths are covered by the
drills against the sandbox peer.

The SOAP platform adapter tests' fixtures (``profile``, ``peer``, ``adapter``...) live in
``adapter_support`` and are made available here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from core.clock import MovableClock
from core.events import DomainEvent, EventType
from exchange import config
from exchange.delivery import Deliverer
from exchange.model import Delivery, Target
from exchange.outcome import OutboundMessage, Outcome
from exchange.registry import Registry
from exchange.relay import relay_batch
from exchange.sweeper import sweep
from tests.conftest import lenient_uow
from tests.exchange.adapter_support import (  # noqa: F401 - fixtures of the adapter tests
    adapter,
    peer,
    peer_clock,
    profile,
    scripted,
)


@dataclass
class ScriptedAdapter:
    """Answers from a script (default: delivered) and remembers every message it was given."""

    script: deque[Outcome] = field(default_factory=deque)
    received: list[OutboundMessage] = field(default_factory=list)

    def send(self, message: OutboundMessage) -> Outcome:
        self.received.append(message)
        return self.script.popleft() if self.script else Outcome.delivered(200, '{"ok":1}')

    def close(self) -> None:
        pass


@dataclass
class Engine:
    container: Container
    clock: MovableClock
    adapter: ScriptedAdapter
    deliverer: Deliverer
    dispatched: list[int]

    def emit(self, key: str, n: int = 1, event_type: EventType = EventType.PROJECT_UPDATED
             ) -> None:
        for i in range(n):
            with lenient_uow(self.container) as uow:  # a placeholder payload
                uow.emit(DomainEvent(event_type, "project", key, key, {"n": i, "key": key}),
                         "test")
                uow.commit()

    def relay(self) -> list[int]:
        with self.container.session_factory() as s:
            ids = relay_batch(s, self.clock.now())[0]
            s.commit()
            return ids

    def sweep(self) -> list[int]:
        with self.container.session_factory() as s:
            return sweep(s, self.clock.now())

    def run(self, ids: list[int]) -> None:
        """Deliver ids and everything they release, like a transport would."""
        queue = list(ids)
        while queue:
            self.dispatched.clear()
            self.deliverer.deliver(queue)
            queue = list(self.dispatched)

    def deliveries(self) -> list[Delivery]:
        with self.container.session_factory() as s:
            return list(s.scalars(select(Delivery).order_by(Delivery.id)))

    def status(self) -> list[str]:
        return [d.status for d in self.deliveries()]

    def advance(self, seconds: float) -> None:
        self.clock.advance(timedelta(seconds=seconds))


@pytest.fixture
def engine(container: Container, clock: MovableClock) -> Iterator[Engine]:
    scripted_adapter = ScriptedAdapter()
    registry = Registry(adapter_kinds={"scripted": lambda _t: scripted_adapter})
    with container.session_factory() as s:
        config.upsert_target(s, "peer", {"kind": "scripted", "endpoint": "http://peer.invalid/",
                                          "max_attempts": 4, "backoff_base_seconds": 2.0,
                                          "backoff_cap_seconds": 60.0, "timeout_seconds": 5.0},
                             "test", clock.now())
        config.add_route(s, "project.*", "peer", "json-passthrough@1", True, "test",
                         clock.now())
        s.commit()
    dispatched: list[int] = []
    deliverer = Deliverer(container.session_factory, registry, clock, dispatched.extend)
    yield Engine(container, clock, scripted_adapter, deliverer, dispatched)
    registry.close()


def target(container: Container, name: str = "peer") -> Target:
    with container.session_factory() as s:
        t = s.get(Target, name)
        assert t is not None
        return t
