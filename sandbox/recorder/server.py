"""Run the recording peer as its own process under uvicorn.

``python -m sandbox.recording_peer --host 127.0.0.1 --port 8766 --store var/recorder.db``

The peer gets its own process so that a fault drill can stop or kill it and start it again on
the same port and file, as a real peer goes down and comes back.

uvicorn is given a slightly extended h11 protocol that hands the application a way to drop the
TCP connection (``ABORT_EXTENSION`` in the request scope): ASGI itself has no way to say "answer
nothing", and the ``reset`` fault must look to the client like a peer that went away mid-call.
Access logging and proxy-header handling are off: at the benchmark's rates they would cost more
than the recording itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import struct
import sys
from collections.abc import Sequence
from typing import Any, cast

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from sandbox.recorder.app import (
    ABORT_EXTENSION,
    DEFAULT_MAX_BODY_BYTES,
    Receive,
    Scope,
    Send,
    create_app,
)

_LINGER_ZERO = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST, not FIN


def _abort(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # If the option cannot be set the connection goes anyway; the client then sees a FIN.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_ZERO)
    transport.abort()


class AbortableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus ``scope["extensions"][ABORT_EXTENSION]`` per connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        app = self.app

        def abort() -> None:
            _abort(transport)

        async def with_abort(scope: Scope, receive: Receive, send: Send) -> None:
            scope.setdefault("extensions", {})[ABORT_EXTENSION] = abort
            await app(cast(Any, scope), cast(Any, receive), cast(Any, send))

        self.app = cast(Any, with_abort)


def serve(host: str, port: int, store: str, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
          log_level: str = "warning", graceful_timeout: int = 1) -> None:
    """Serve until SIGTERM/SIGINT; held requests get ``graceful_timeout`` seconds to finish."""
    app = create_app(store, max_body_bytes=max_body_bytes)
    config = uvicorn.Config(
        app, host=host, port=port, http=AbortableH11Protocol, ws="none", lifespan="on",
        loop="asyncio", access_log=False, log_level=log_level, proxy_headers=False,
        server_header=False, date_header=False, timeout_graceful_shutdown=graceful_timeout,
        backlog=2048)
    print(f"recording peer on http://{host}:{port} (store {store})", file=sys.stderr, flush=True)
    uvicorn.Server(config).run()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.recording_peer",
        description="Sandbox peer that records HTTP and SOAP deliveries and misbehaves on request.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--store", required=True, help="SQLite file for the records (kept)")
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    parser.add_argument("--log-level", default="warning",
                        choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--graceful-timeout", type=int, default=1,
                        help="seconds held requests may run on after SIGTERM")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.store, max_body_bytes=args.max_body_bytes,
          log_level=args.log_level, graceful_timeout=args.graceful_timeout)
