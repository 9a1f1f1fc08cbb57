"""A few large request bodies at a time, per process, before they are read.

FastAPI reads and parses a JSON body on the event loop as it arrives, so a flood of large
bodies had every one of them in memory at once — 150 concurrent 1 MiB sign-ins took the server
from ~140 MB to ~690 MB, and glibc kept ~200 MB of it afterwards. Here a request whose body is
large (Content-Length over ``threshold``, or a body of unknown length) first takes one of
``slots``; the others wait unread, the server holding only what the transport buffers before it
stops reading the socket. When the last large request is done, memory is given back
(``adapters.memory.trim``).

Paths with their own arrangement step aside (``skip``): the SOAP endpoints gate their own
parsing (adapters/webservice/hardening.py), and sealed-bid uploads stream to disk.

A slow sender holds its slot while it sends: behind the production reverse proxy, which buffers
request bodies before passing them on, bodies arrive whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.memory import trim


class LargeBodyGate:
    def __init__(self, app: ASGIApp, threshold: int, slots: int,
                 skip: Callable[[str], bool] = lambda path: False) -> None:
        self.app = app
        self.threshold = threshold
        self.skip = skip
        self._slots = asyncio.Semaphore(slots)
        self._inside = 0

    def _large(self, scope: Scope) -> bool:
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None:
            return not length.isdigit() or int(length) > self.threshold
        return b"transfer-encoding" in headers  # a body of unknown length

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or self.skip(scope.get("path", ""))
                or not self._large(scope)):
            await self.app(scope, receive, send)
            return
        async with self._slots:
            self._inside += 1
            try:
                await self.app(scope, receive, send)
            finally:
                self._inside -= 1
                if self._inside == 0:
                    trim()
