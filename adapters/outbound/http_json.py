"""Deliver to an HTTP endpoint that takes a JSON body and an Idempotency-Key header.

Classifies every answer: 2xx with a readable body is delivered; 408/425/429/5xx (or the target's
own list), timeouts and connection failures are retried; any other 4xx is parked, because sending
the same request again cannot make it right.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from exchange.model import Target
from exchange.outcome import OutboundMessage, Outcome


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HttpJsonAdapter:
    def __init__(self, target: Target) -> None:
        self._url = target.endpoint
        self._retry_statuses = frozenset(target.retry_statuses or ())
        self._client = httpx.Client(
            timeout=httpx.Timeout(target.timeout_seconds),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
            headers={"User-Agent": "ggzy-hub/0.1"},
        )

    def send(self, message: OutboundMessage) -> Outcome:
        try:
            r = self._client.post(self._url, content=message.body, headers={
                "Content-Type": message.content_type,
                "Idempotency-Key": message.idempotency_key,
                "X-Ordering-Key": message.ordering_key,
                "X-Sequence": str(message.sequence),
                "X-Event-Type": message.event_type,
            })
        except httpx.TimeoutException as err:
            return Outcome.retry(f"timeout: {type(err).__name__}")
        except httpx.TransportError as err:
            return Outcome.retry(f"connection failed: {type(err).__name__}: {err}")
        text = r.text
        if 200 <= r.status_code < 300:
            try:
                json.loads(text)
            except ValueError:
                # the peer may or may not have taken it; the idempotency key makes a resend safe
                return Outcome.retry("malformed answer: not JSON", r.status_code, text)
            return Outcome.delivered(r.status_code, text)
        if r.status_code in self._retry_statuses:
            return Outcome.retry(f"HTTP {r.status_code}", r.status_code, text,
                                 retry_after_seconds(r.headers.get("Retry-After")))
        return Outcome.park(f"HTTP {r.status_code} (not retryable)", r.status_code, text)

    def close(self) -> None:
        self._client.close()
