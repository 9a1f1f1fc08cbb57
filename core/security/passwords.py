"""Password hashing with argon2id (argon2-cffi's tuned defaults, RFC 9106 low-memory profile).

Each hash or verification takes 64 MiB for its duration, on purpose. Run in every worker thread
at once (a flood of sign-ins, anonymous ones included, or of UsernameToken calls) that is
threads × 64 MiB, so the checks share a small process-wide number of slots
(``limit_concurrency``, from GGZY_PASSWORD_HASH_CONCURRENCY): the rest wait their turn, holding
no more than their request. The wait is the back-pressure a flood should feel.
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

DEFAULT_CONCURRENCY = 2

_hasher = PasswordHasher()
_slots = threading.BoundedSemaphore(DEFAULT_CONCURRENCY)


def limit_concurrency(slots: int) -> None:
    """At most ``slots`` argon2 computations at a time in this process."""
    global _slots
    if slots < 1:
        raise ValueError("at least one password check must be able to run")
    _slots = threading.BoundedSemaphore(slots)


def hash_password(password: str) -> str:
    with _slots:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    with _slots:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
