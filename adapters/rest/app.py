"""The web application: REST API under /api/v1, OpenAPI at /docs, the public portal at /."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from adapters.bootstrap import Container
from adapters.exchange_runtime import EmbeddedEngine
from adapters.portal import errors as portal_errors
from adapters.portal.routes import router as portal_router
from adapters.rest import apidocs, openapi, problems
from adapters.rest.body_gate import LargeBodyGate
from adapters.rest.limits import BodySizeLimit
from adapters.rest.routes import (
    accounts,
    audit,
    auth,
    award,
    calendar,
    complaints,
    decryption,
    documents,
    evaluation,
    exchange,
    health,
    mappings,
    metrics,
    notices,
    parties,
    projects,
    public,
    tendering,
)
from adapters.rest.urlguard import UrlGuard
from adapters.serving import instance_id
from adapters.webservice.app import WS_PREFIX, rest_body_limits, webservice_asgi
from core.services.calendar import current_health

log = logging.getLogger("ggzy.serve")

DESCRIPTION = """
ggzy-hub: the trading core of a public resource trading centre (公共资源交易中心).

Errors are RFC 9457 `application/problem+json` with a stable `code` and messages in Chinese
(`message_zh`) and English (`message_en`); a refused field is named in `field`. Amounts are
decimal strings of ASCII digits. Names refuse control, zero-width and bidi characters; no text
takes NUL. Lists are paged with `page` and `page_size` (≤ 100). Sign in with
`POST /api/v1/auth/token` and send `Authorization: Bearer <token>`.
"""


SANDBOX_PREFIX = "/sandbox/recorder"


def mount_sandbox(app: FastAPI, container: Container) -> None:
    """The embedded default carries its own peer, so a newcomer sees the exchange deliver with
    nothing else installed. Production never mounts it (GGZY_SANDBOX=auto means SQLite only)."""
    from a2wsgi import WSGIMiddleware

    from adapters.platforms import sandbox_apps
    from sandbox.recording_peer import create_app as recording_peer

    store = container.settings.var_dir / "sandbox-recorder.db"
    app.mount(SANDBOX_PREFIX, recording_peer(store))
    for path, peer in sandbox_apps(container.settings).items():
        app.mount(path, WSGIMiddleware(peer))  # type: ignore[arg-type]


def log_calendar(container: Container) -> None:
    """Say at start how long the official holiday schedule lasts (a warning within 60 days of
    its end): the operator who starts the server is the one who can load the next year."""
    try:
        with container.uow() as uow:
            health = current_health(uow)
    except Exception:  # an unmigrated database: /readyz says so; nothing to add here
        log.info("calendar: not readable yet (database not migrated?)")
        return
    if health.warning:
        log.warning("calendar: %s", health.warning)
    else:
        log.info("calendar: official until %s (%d days)", health.official_until,
                 health.days_left)


def create_app(container: Container, engine: EmbeddedEngine | None = None) -> FastAPI:
    """``engine``: the in-process exchange engine to run for the app's lifetime (embedded)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log_calendar(container)
        if engine is not None:
            container.dispatch = engine.transport
            engine.start()
        try:
            yield
        finally:
            if engine is not None:
                engine.stop()

    app = FastAPI(title="ggzy-hub", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    apidocs.install(app)  # the same pages, their assets served here (offline)
    app.state.container = container
    app.state.instance = instance_id(container.settings.var_dir)
    problems.install(app)
    portal_errors.install(app)  # pages get pages, the API problem+json
    for module in (auth, accounts, parties, projects, notices, tendering, decryption,
                   evaluation, award, complaints, public, calendar, audit, exchange, mappings,
                   health, metrics, documents):
        app.include_router(module.router)
    app.include_router(portal_router)
    if container.settings.sandbox:
        mount_sandbox(app, container)
    app.mount(WS_PREFIX, webservice_asgi(container))  # SOAP endpoints, docs/webservice.md
    limits = container.settings.limits  # the gate inside the size limit: only bodies it let in
    app.add_middleware(LargeBodyGate, threshold=limits.large_body_bytes,
                       slots=limits.large_body_concurrency,
                       skip=lambda path: (path.startswith(f"{WS_PREFIX}/") or "/bids" in path
                                          or path.endswith("/documents")))  # to disk
    app.add_middleware(BodySizeLimit, max_bytes=container.settings.max_body_bytes,
                       large=(("/bids", container.settings.max_bid_bytes),  # a first bid
                              ("/bids/mine", container.settings.max_bid_bytes),  # an amendment
                              ("/documents", container.settings.max_document_bytes),  # 招标文件
                              *rest_body_limits()))
    app.add_middleware(UrlGuard, skip=(WS_PREFIX, "/sandbox/"),  # their own protocols
                       page=portal_errors.refusal_page)
    app.openapi = lambda: openapi.build(app)  # type: ignore[method-assign]
    return app
