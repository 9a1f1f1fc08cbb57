"""A hard cap on request bodies, enforced while reading, not after.

Content-Length is checked up front; a chunked body is counted as it streams, so a client that
lies about its size is cut off at the limit instead of filling memory.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _problem_bytes() -> bytes:
    return json.dumps({
        "type": "https://ggzy-hub.invalid/problems/body-too-large",
        "title": "request body too large", "status": 413, "detail": "request body too large",
        "code": "BODY_TOO_LARGE", "message_zh": "请求体过大",
        "message_en": "request body too large",
    }).encode()


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """``large`` names the paths (by suffix) that take big uploads, such as sealed bids, with
    their own limit; everything else gets ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int,
                 large: tuple[tuple[str, int], ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.large = large

    def _limit(self, path: str) -> int:
        for suffix, limit in self.large:
            if path.endswith(suffix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > max_bytes:
                await self._refuse(send)
                return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    @staticmethod
    async def _refuse(send: Send) -> None:
        body = _problem_bytes()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
        ]})
        await send({"type": "http.response.body", "body": body})
