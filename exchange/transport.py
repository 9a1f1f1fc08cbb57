"""Carrying delivery ids to workers. Two transports run the same ``Deliverer.deliver``:

- in-process (the embedded default): a queue and worker threads inside the server;
- Celery on RabbitMQ (production): see ``exchange.celery_transport``.

Either may lose an id (a crash, a broker restart); the sweeper finds the delivery again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Protocol

log = logging.getLogger("ggzy.exchange.transport")
BATCH = 50  # ids per message: a batch costs a few statements, a message costs a round trip


class Dispatcher(Protocol):
    def __call__(self, ids: list[int]) -> None: ...


def batches(ids: Iterable[int], size: int = BATCH) -> Iterable[list[int]]:
    chunk: list[int] = []
    for i in ids:
        chunk.append(i)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class InProcessTransport:
    """Worker threads fed from a local queue; ``deliver`` is bound after construction because
    the deliverer itself dispatches follow-up work through this transport."""

    def __init__(self, workers: int = 4) -> None:
        self._queue: queue.Queue[list[int] | None] = queue.Queue()
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self.deliver: Callable[[list[int]], None] | None = None

    def __call__(self, ids: list[int]) -> None:
        for chunk in batches(ids):
            self._queue.put(chunk)

    def start(self) -> None:
        if self.deliver is None:
            raise RuntimeError("bind deliver before starting the transport")
        for n in range(self._workers):
            t = threading.Thread(target=self._work, name=f"ggzy-delivery-{n}", daemon=True)
            t.start()
            self._threads.append(t)

    def _work(self) -> None:
        assert self.deliver is not None
        while (ids := self._queue.get()) is not None:
            try:
                self.deliver(ids)
            except Exception:
                log.exception("delivery batch failed", extra={"delivery_ids": ids})

    def stop(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout=30)
        self._threads.clear()

    def pending(self) -> int:
        return self._queue.qsize()
