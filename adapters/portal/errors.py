"""Errors on the portal's pages are pages: a person who follows a dead link or edits a URL gets
an HTML page in Chinese with the same status and code the API would give, not problem+json.

The API's handlers (adapters/rest/problems.py) stay as they are; each is wrapped so that a
portal URL (or any page a browser asks for outside the machine interfaces) renders the page and
everything else still gets problem+json.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from core.errors import DomainError

PORTAL_PATHS = ("/notices/", "/openings/")  # and "/" itself
MACHINE_PREFIXES = ("/api/", "/ws", "/sandbox", "/docs", "/redoc", "/openapi", "/healthz",
                    "/readyz", "/metrics")
Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def is_page(request: Request) -> bool:
    path = request.url.path
    if path == "/" or path.startswith(PORTAL_PATHS):
        return True
    if path.startswith(MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_page(request: Request, status: int, code: str, message_zh: str) -> Response:
    from adapters.portal.routes import templates  # the routes import this module's users

    return templates.TemplateResponse(request, "error.html", {
        "status": status, "code": code, "message": message_zh}, status_code=status)


def refusal_page(scope: Scope, status: int, err: DomainError) -> Response | None:
    """For the URL guard, which refuses before any route: a page if the URL is a page's."""
    request = Request(scope)
    return error_page(request, status, err.code, err.message_zh) if is_page(request) else None


def _as_page(api_handler: Handler) -> Handler:
    async def handle(request: Request, exc: Any) -> Response:
        problem = api_handler(request, exc)
        if inspect.isawaitable(problem):
            problem = await problem
        if not is_page(request):
            return problem
        body = json.loads(bytes(problem.body))
        return error_page(request, problem.status_code, body.get("code", ""),
                          body.get("message_zh", "请求失败"))
    return handle


def install(app: FastAPI) -> None:
    """After problems.install: wrap its handlers."""
    for exc_type in (DomainError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(exc_type, _as_page(app.exception_handlers[exc_type]))

