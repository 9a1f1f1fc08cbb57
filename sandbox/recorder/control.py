"""A small client for the recording peer's control API, on the standard library only.

Tests and the benchmark use it to arm faults and count what arrived. It needs nothing beyond
the standard library so that it works wherever the peer itself runs (httpx is a test tool, not
a runtime dependency).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode


class ControlError(RuntimeError):
    """The control API refused a request (the peer's problem+json is in the message)."""


class PeerControl:
    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              query: dict[str, Any] | None = None, timeout: float | None = None) -> Any:
        url = f"{self.base_url}/_control/{path}"
        if query:
            url += "?" + urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - url is the peer's own http base
            url, data=data, method=method, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(  # noqa: S310 - http only, built above
                    request, timeout=timeout or self.timeout) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as err:
            raise ControlError(f"{method} {url}: {err.code} {err.read().decode()}") from None

    def health(self, timeout: float | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "health", timeout=timeout)
        return result

    def stats(self) -> dict[str, Any]:
        """``{"accepted", "duplicates", "faults_injected", "by_channel", "pending_faults"}``."""
        result: dict[str, Any] = self._call("GET", "stats")
        return result

    def messages(self, *, channel: str | None = None, transport: str | None = None,
                 after_id: int = 0, limit: int = 1000,
                 include_duplicates: bool = False) -> list[dict[str, Any]]:
        """One page of records in arrival order."""
        result = self._call("GET", "messages", query={
            "channel": channel, "transport": transport, "after_id": after_id, "limit": limit,
            "include_duplicates": "true" if include_duplicates else "false"})
        messages: list[dict[str, Any]] = result["messages"]
        return messages

    def iter_messages(self, *, channel: str | None = None, transport: str | None = None,
                      include_duplicates: bool = False, page: int = 5000
                      ) -> Iterator[dict[str, Any]]:
        """Every record in arrival order, a page at a time."""
        after_id = 0
        while True:
            batch = self.messages(channel=channel, transport=transport, after_id=after_id,
                                  limit=page, include_duplicates=include_duplicates)
            yield from batch
            if len(batch) < page:
                return
            after_id = batch[-1]["id"]

    def arm(self, mode: str, count: int = 1, *, delay_seconds: float | None = None,
            retry_after_seconds: int | None = None, channel: str | None = None,
            transport: str | None = None) -> dict[str, Any]:
        """Make the next ``count`` data calls (on ``channel``/``transport`` if given) misbehave."""
        body = {"mode": mode, "count": count, "delay_seconds": delay_seconds,
                "retry_after_seconds": retry_after_seconds, "channel": channel,
                "transport": transport}
        result: dict[str, Any] = self._call(
            "POST", "faults", {k: v for k, v in body.items() if v is not None})
        return result

    def faults(self) -> dict[str, Any]:
        """``{"pending": [armed plans], "injected": [calls answered with a fault]}``."""
        result: dict[str, Any] = self._call("GET", "faults")
        return result

    def disarm(self) -> None:
        self._call("DELETE", "faults")

    def reset(self) -> None:
        """Forget every record and disarm every plan."""
        self._call("POST", "reset")
