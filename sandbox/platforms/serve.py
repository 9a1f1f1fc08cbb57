"""Serve a WSGI app on loopback from a background thread, for tests and the command line.

wsgiref's server with one thread per request is enough for a peer: the hub sends a record at a
time per target, and a held call (the ``timeout`` fault) must not block the control routes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

log = logging.getLogger(__name__)

WsgiApp = Callable[..., Any]


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True          # a held call must not keep the process alive
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout tests) leaves a broken pipe behind: not worth a trace.
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


def make_peer_server(app: WsgiApp, host: str = "127.0.0.1", port: int = 0
                     ) -> ThreadingWSGIServer:
    """A bound server (``port`` 0: a free one, see ``server.server_port``)."""
    server = make_server(host, port, app, server_class=ThreadingWSGIServer,
                         handler_class=QuietHandler)
    assert isinstance(server, ThreadingWSGIServer)
    return server


@contextmanager
def serving(app: WsgiApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` while the block runs; yields the base URL (``http://127.0.0.1:PORT``)."""
    server = make_peer_server(app, host, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"peer-{server.server_port}", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
