"""Liveness (the process answers) and readiness (the database answers and is migrated)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from adapters.rest.deps import Deps

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(c: Deps) -> JSONResponse:
    try:
        with c.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as err:
        return JSONResponse({"status": "unavailable", "reason": type(err).__name__},
                            status_code=503)
    return JSONResponse({"status": "ready", "schema": version})
