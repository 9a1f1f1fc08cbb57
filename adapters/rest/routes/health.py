"""Liveness (the process answers) and readiness (the database answers and is migrated, and
the broker answers when deliveries go through it). Readiness also says how long the official
holiday schedule lasts, with a warning from 60 days before its end: the hub still works on a
provisional year, but an operator should load the State Council's notice."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from adapters.rest.deps import Deps
from core.services.calendar import current_health

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(request: Request) -> dict[str, str]:
    """Alive, and which installation this is (``ggzy demo`` checks it talks to its own)."""
    return {"status": "ok", "instance": str(request.app.state.instance)}


@router.get("/readyz")
def readyz(c: Deps) -> JSONResponse:
    try:
        with c.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as err:  # any failure means "not ready", said plainly
        return JSONResponse({"status": "unavailable", "reason": type(err).__name__},
                            status_code=503)
    if c.settings.transport == "celery" and not _broker_answers(c.settings.broker_url):
        return JSONResponse({"status": "unavailable", "reason": "broker"}, status_code=503)
    with c.uow() as uow:
        calendar = current_health(uow)
    return JSONResponse({"status": "ready", "schema": version, "calendar": {
        "official_until": calendar.official_until.isoformat() if calendar.official_until else None,
        "days_left": calendar.days_left, "warning": calendar.warning}})


def _broker_answers(url: str) -> bool:
    """This process publishes delivery ids; without the broker it can only queue in the DB."""
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False
