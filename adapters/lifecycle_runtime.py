"""The lifecycle scheduler as a loop: every second, advance the tendering rounds that are due,
and write the audit checkpoint when one is due (adapters/audit_checkpoints.py).

Runs inside `ggzy serve` in the embedded default and as `ggzy scheduler` in production (one or
more: each round is taken with SKIP LOCKED, so two schedulers never advance the same round; two
schedulers may both write a checkpoint of the same head, which is harmless).
"""

from __future__ import annotations

import logging
import threading

from adapters.audit_checkpoints import Checkpointer
from adapters.bootstrap import Container
from core.services.tendering.scheduler import run_due

log = logging.getLogger("ggzy.lifecycle")


class LifecycleLoop:
    def __init__(self, container: Container, interval: float = 1.0) -> None:
        self._container = container
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._checkpoints = Checkpointer(container)

    def run_once(self) -> int:
        moved = run_due(self._container.uow, self._container.signer)
        self._checkpoints.run_once()
        return moved

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a database outage must not end the loop
                log.exception("lifecycle step failed; retrying")
            self._stop.wait(self._interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="ggzy-lifecycle", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
