"""Refuse a URL whose path or query holds a control or invisible character, before any route.

Every path and query parameter ends up in a lookup or a filter, and PostgreSQL answers a NUL in
a text parameter with an error, not "no match". One check here covers every route, the portal's
included, and those added later: the parameters are codes, ids, dates and search words, so they
take the name rule of core/services/validation.py (printable characters only).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.rest.problems import problem
from core.errors import DomainError
from core.services.validation import check_characters


class UrlGuard:
    """``skip``: path prefixes of mounted applications that answer in their own protocol.
    ``page``: the refusal as a page for a person's URL (the portal's), or None for the problem."""

    def __init__(self, app: ASGIApp, skip: tuple[str, ...] = (),
                 page: Callable[[Scope, int, DomainError], Response | None] | None = None
                 ) -> None:
        self.app = app
        self.skip = skip
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and not path.startswith(self.skip):
            try:
                check_url(path, scope.get("query_string", b""))
            except DomainError as err:
                response = (self.page(scope, 422, err) if self.page else None) or problem(
                    422, err.code, err.message_zh, err.message_en, field=err.details["field"])
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def check_url(path: str, query_string: bytes) -> None:
    """TEXT_INVALID_CHARACTER naming the parameter (``path`` for the path itself)."""
    check_characters(path, "path", name=True)
    # decoded as Starlette decodes it for the routes (latin-1, then percent-decoding as UTF-8)
    for key, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        check_characters(key, "query", name=True)
        check_characters(value, key, name=True)
