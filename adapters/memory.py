"""Bounds on how much memory concurrent requests can take at once, and handing it back after.

A parsed request costs many times its body (an lxml tree, then spyne's or pydantic's objects),
so a flood of large bodies, each in its own worker thread, took the server from ~130 MB to over
1 GB. A ``ThreadGate`` lets only a few large requests be parsed and handled at a time; the others
wait holding only their raw body, which the size limit bounds.

glibc keeps freed memory in its per-thread arenas rather than giving it back, so after a flood
the server stayed large. When the last large request leaves the gate, ``trim()`` asks glibc to
return what is free (``malloc_trim``); on another C library it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def _load_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        function = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    trim_function: Callable[[int], int] = function
    return trim_function


_MALLOC_TRIM = _load_trim()


def trim() -> bool:
    """Give free heap memory back to the system; False where there is no malloc_trim."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True


class ThreadGate:
    """At most ``slots`` holders at a time (process-wide); memory is trimmed when the last
    one leaves."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        self.slots = slots
        self._semaphore = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._inside = 0
        self.trims = 0  # how often it gave memory back (for tests and metrics)

    @property
    def inside(self) -> int:
        return self._inside

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._semaphore:
            with self._lock:
                self._inside += 1
            try:
                yield
            finally:
                with self._lock:
                    self._inside -= 1
                    last = self._inside == 0
                if last and trim():
                    self.trims += 1
