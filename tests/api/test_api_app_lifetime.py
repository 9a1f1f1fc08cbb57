"""An app that is dropped is collected.

FastAPI keeps every endpoint function in a process-wide cache, so a route defined inside
``create_app`` that closes over the app (or its container) keeps the whole app alive for the life
of the process. In a test run that meant every test's app, container and engine: the heap grew by
hundreds of thousands of objects per test file, until one full collection (spyne runs one after a
call) outlasted a caller's 5-second timeout. A long-running ``ggzy serve`` only builds one app,
but a leaked closure is the same bug there as soon as anything rebuilds it.
"""

from __future__ import annotations

import gc
import time
import weakref

from fastapi.testclient import TestClient

from adapters.bootstrap import Container
from adapters.rest.app import create_app


def test_an_app_that_served_requests_is_collected_once_dropped(container: Container) -> None:
    app = create_app(container)
    with TestClient(app) as client:  # every route family, so each endpoint is classified
        for path in ("/docs", "/redoc", "/api/v1/public/notices", "/", "/healthz",
                     "/ws/soap11/query?wsdl"):
            assert client.get(path).status_code == 200, path
    ref = weakref.ref(app)
    del app, client
    # A worker thread that ran the last WSGI call (the WSDL) may still hold that request's scope,
    # which names the app, for a moment after the response: under load that moment outlasted a
    # single collection. A leak holds it for good; give the threads a few seconds.
    deadline = time.monotonic() + 5.0
    gc.collect()
    while ref() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
        gc.collect()
    assert ref() is None, [type(r).__qualname__ for r in gc.get_referrers(ref())]
