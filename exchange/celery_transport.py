"""Celery on RabbitMQ: the production transport for delivery ids.

Settings follow research/integration-hub-anchors.md §2: late acks and prefetch 1 (a crashed
worker's message goes back to the queue), publisher confirms (a message the broker could not take
raises instead of vanishing), a quorum queue with a delivery limit and a dead-letter exchange (a
message that keeps killing workers stops after ``DELIVERY_LIMIT`` redeliveries instead of looping).

Who gives up on a *delivery* is the database, not the broker: every claim counts an attempt and
the target's retry policy parks the delivery when they are spent. The broker's limit only bounds
redeliveries of one *message*; a dead-lettered id is announced again by the sweeper while its
delivery still has attempts left, so the two limits cannot disagree about the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.signals import worker_process_init
from kombu import Exchange, Queue

from exchange.transport import batches

QUEUE = "ggzy.deliveries"  # default; GGZY_QUEUE names another (one per installation)
DELIVERY_LIMIT = 5
TASK = "ggzy.exchange.deliver"


def delivery_queues(queue: str = QUEUE) -> list[Queue]:
    dead = f"{queue}.dead"
    return [
        Queue(queue, Exchange(queue, type="direct"), routing_key=queue, queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": dead,
            "x-dead-letter-routing-key": dead,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }),
        Queue(dead, Exchange(dead, type="direct"), routing_key=dead,
              queue_arguments={"x-queue-type": "quorum"}),
    ]


def make_celery(broker_url: str,
                deliver_factory: Callable[[], Callable[[list[int]], None]] | None = None,
                queue: str = QUEUE) -> Celery:
    """The Celery app. ``deliver_factory`` builds the delivery function in each worker process
    (after the fork: database engines and HTTP pools must not be shared across processes)."""
    app = Celery("ggzy", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"confirm_publish": True},
        broker_connection_retry_on_startup=True,
        task_queues=delivery_queues(queue),
        task_default_queue=queue,
        task_default_exchange=queue,
        task_default_routing_key=queue,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_enable_remote_control=False,
        broker_heartbeat=30,
    )
    state: dict[str, Callable[[list[int]], None]] = {}

    @app.task(name=TASK, ignore_result=True, acks_late=True)
    def deliver(ids: list[int]) -> None:
        if "deliver" not in state:  # solo/threads pools have no process-init signal
            assert deliver_factory is not None, "this app only publishes"
            state["deliver"] = deliver_factory()
        state["deliver"](ids)

    if deliver_factory is not None:
        def _init(**_: Any) -> None:
            state["deliver"] = deliver_factory()

        worker_process_init.connect(_init, weak=False)
    return app


class CeleryDispatcher:
    """Publishes delivery ids; a failed publish raises, and the sweeper covers what was lost."""

    def __init__(self, app: Celery) -> None:
        self._app = app
        self._queue = app.conf.task_default_queue

    def __call__(self, ids: list[int]) -> None:
        for chunk in batches(ids):
            self._app.send_task(TASK, args=[chunk], queue=self._queue, routing_key=self._queue)
