"""The relay and the sweeper as background loops (threads in a web or relay process)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from core.clock import Clock
from exchange.relay import relay_batch
from exchange.sweeper import sweep
from exchange.transport import Dispatcher

log = logging.getLogger("ggzy.exchange.loops")


class EngineLoops:
    def __init__(self, session_factory: Callable[[], Session], clock: Clock,
                 dispatch: Dispatcher, relay_interval: float = 0.05,
                 sweep_interval: float = 1.0) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._dispatch = dispatch
        self._relay_interval = relay_interval
        self._sweep_interval = sweep_interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.relay_batch_size = 500

    def relay_once(self) -> int:
        """Returns how many events were relayed; only a full batch means "more are waiting",
        so a trickle is gathered for one interval into one message instead of one each."""
        with self._sessions() as session:
            ids, events = relay_batch(session, self._clock.now(), self.relay_batch_size)
            session.commit()  # the loop's step is the entry point; announced only once committed
        if ids:
            self._dispatch(ids)
        return events if events >= self.relay_batch_size else 0

    def sweep_once(self) -> int:
        with self._sessions() as session:
            ids = sweep(session, self._clock.now())
        if ids:
            self._dispatch(ids)
        return len(ids)

    def wake(self) -> None:
        """Tell the relay there is new outbox work (the in-process shortcut past polling)."""
        self._wake.set()

    def start(self) -> None:
        self._threads = [
            threading.Thread(target=self._loop, args=(self.relay_once, self._relay_interval,
                                                      self._wake), name="ggzy-relay",
                             daemon=True),
            threading.Thread(target=self._loop, args=(self.sweep_once, self._sweep_interval,
                                                      None), name="ggzy-sweeper", daemon=True),
        ]
        for t in self._threads:
            t.start()

    def _loop(self, step: Callable[[], int], interval: float,
              wake: threading.Event | None) -> None:
        while not self._stop.is_set():
            try:
                busy = step() > 0
            except Exception:
                log.exception("engine loop step failed; retrying")
                busy = False
                self._stop.wait(1.0)
            if not busy:
                if wake is not None:
                    wake.wait(interval)
                    wake.clear()
                else:
                    self._stop.wait(interval)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout=10)
        self._threads.clear()
