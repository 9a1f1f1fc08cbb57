"""Wiring the exchange engine for each process kind.

- ``ggzy serve`` in the embedded default: relay, sweeper and delivery threads in the web process.
- ``ggzy relay``: relay and sweeper publishing to RabbitMQ (any number, on any machines).
- ``ggzy worker``: Celery worker processes that deliver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from celery import Celery
from sqlalchemy import event
from sqlalchemy.orm import Session

from adapters.bootstrap import Container, build
from adapters.config import Settings, load_settings
from adapters.lifecycle_runtime import LifecycleLoop
from adapters.outbound.kinds import ADAPTER_KINDS
from exchange.celery_transport import CeleryDispatcher, make_celery
from exchange.delivery import Deliverer
from exchange.loops import EngineLoops
from exchange.mapping_specs import SpecCatalogue
from exchange.registry import Registry
from exchange.transport import Dispatcher, InProcessTransport
from mappings.engine import MappingContext


def mapping_context(settings: Settings) -> MappingContext:
    return MappingContext(
        platform_code=settings.platform.code, platform_uscc=settings.platform.uscc,
        pub_service_plat=settings.pub_service_plat,
        pub_service_plat_code=settings.pub_service_plat_code, portal_url=settings.public_url)


def build_registry(c: Container) -> Registry:
    """Every adapter kind, and the mapping specs (stored or shipped) behind route names."""
    catalogue = SpecCatalogue(c.session_factory, mapping_context(c.settings))
    return Registry(adapter_kinds=dict(ADAPTER_KINDS), resolve=catalogue.mapping)


@dataclass
class EmbeddedEngine:
    """Everything in one process: what `make run` uses, with no broker installed."""

    loops: EngineLoops
    transport: InProcessTransport
    registry: Registry
    lifecycle: LifecycleLoop

    def start(self) -> None:
        self.transport.start()
        self.loops.start()
        self.lifecycle.start()

    def stop(self) -> None:
        self.lifecycle.stop()
        self.loops.stop()
        self.transport.stop()
        self.registry.close()


def embedded_engine(c: Container) -> EmbeddedEngine:
    registry = build_registry(c)
    transport = InProcessTransport(workers=c.settings.delivery_threads)
    deliverer = Deliverer(c.session_factory, registry, c.clock, transport)
    transport.deliver = deliverer.deliver
    loops = EngineLoops(c.session_factory, c.clock, transport)

    def wake_relay(session: Session) -> None:
        if session.info.pop("outbox_written", False):
            loops.wake()

    event.listen(c.session_factory, "after_commit", wake_relay)
    return EmbeddedEngine(loops, transport, registry, LifecycleLoop(c))


def celery_app_for_worker(settings: Settings | None = None) -> Celery:
    """The Celery app a worker runs; each worker process builds its own container."""
    settings = settings or load_settings()

    def deliver_factory() -> Callable[[list[int]], None]:
        c = build(settings)
        app_for_publishing = make_celery(settings.broker_url, queue=settings.queue)
        deliverer = Deliverer(c.session_factory, build_registry(c), c.clock,
                              CeleryDispatcher(app_for_publishing))
        return deliverer.deliver

    return make_celery(settings.broker_url, deliver_factory, queue=settings.queue)


def relay_loops(c: Container) -> EngineLoops:
    dispatcher: Dispatcher = CeleryDispatcher(make_celery(c.settings.broker_url,
                                                          queue=c.settings.queue))
    return EngineLoops(c.session_factory, c.clock, dispatcher, relay_interval=0.05)
