"""Retry policy: full-jitter exponential backoff that honours the peer's Retry-After.

Full jitter (sleep = uniform(0, min(cap, base·2ⁿ))) spreads retries of many deliveries that failed
together, so a peer coming back is not hit by all of them at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from exchange.model import Target

_random = secrets.SystemRandom()


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    cap_seconds: float
    retry_statuses: frozenset[int]

    @classmethod
    def of(cls, target: Target) -> RetryPolicy:
        return cls(target.max_attempts, target.backoff_base_seconds, target.backoff_cap_seconds,
                   frozenset(target.retry_statuses or ()))

    def delay(self, attempts_made: int, retry_after: float | None = None) -> timedelta:
        """When to try again after ``attempts_made`` failures; never sooner than Retry-After."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts_made - 1))
        wait = _random.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap_seconds))
        return timedelta(seconds=wait)

    def exhausted(self, attempts_made: int) -> bool:
        return attempts_made >= self.max_attempts
