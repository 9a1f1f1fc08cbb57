"""The peers' plain JSON door, beside SOAP: what arrived, counters, faults, reset.

====================================  ======================================================
``GET  /records``                     accepted operations in arrival order; ``after_id``,
                                      ``limit`` (<= 10000), ``data_set`` query parameters
``GET  /refusals``                    refused calls in order, with reason and message
``GET  /stats``                       accepted, duplicates, refused by reason, faults injected
``GET  /control/faults``              armed fault plans
``POST /control/faults``              arm a plan (see ``faults``)
``POST /control/reset``               forget every record and disarm every plan
====================================  ======================================================
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from sandbox.platforms.faults import FaultBook, PlanError
from sandbox.platforms.store import Store

MAX_LIMIT = 10_000
MAX_CONTROL_BODY = 64 * 1024

Answer = tuple[int, dict[str, Any]]


def _query_int(query: dict[str, list[str]], name: str, default: int, high: int) -> int:
    values = query.get(name)
    if not values:
        return default
    try:
        value = int(values[0])
    except ValueError:
        raise PlanError(f"{name} must be an integer") from None
    if not 0 <= value <= high:
        raise PlanError(f"{name} must be between 0 and {high}")
    return value


def handle(environ: dict[str, Any], path: str, method: str, *, profile: str, store: Store,
           faults: FaultBook) -> Answer | None:
    """The answer for a control route, or None when ``path`` is not one."""
    try:
        if path == "/records" and method == "GET":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            data_set = (query.get("data_set") or [None])[0]
            records = store.arrivals(after_id=_query_int(query, "after_id", 0, 2**62),
                                     limit=_query_int(query, "limit", 1000, MAX_LIMIT),
                                     data_set=data_set)
            return 200, {"profile": profile, "records": records}
        if path == "/refusals" and method == "GET":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            refusals = store.refusals(after_id=_query_int(query, "after_id", 0, 2**62),
                                      limit=_query_int(query, "limit", 1000, MAX_LIMIT))
            return 200, {"profile": profile, "refusals": refusals}
        if path == "/stats" and method == "GET":
            return 200, {"profile": profile, **store.stats(), "faults_armed": faults.pending()}
        if path == "/control/faults" and method == "GET":
            return 200, {"faults_armed": faults.pending()}
        if path == "/control/faults" and method == "POST":
            plan = faults.arm(_json_body(environ))
            return 201, {"armed": plan.as_json()}
        if path == "/control/reset" and method == "POST":
            faults.clear()
            store.clear()
            return 200, {"reset": True}
    except PlanError as err:
        return 400, {"error": str(err)}
    if path in ("/records", "/refusals", "/stats", "/control/faults", "/control/reset"):
        return 405, {"error": f"{method} is not allowed on {path}"}
    return None


def _json_body(environ: dict[str, Any]) -> Any:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_CONTROL_BODY:
        raise PlanError("control body too large")
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise PlanError("the body must be JSON") from None
