"""Errors a user or a peer can cause, each with a stable code.

Transports (REST problem+json, SOAP Fault) turn these into their own shape; the core only says
which kind of failure it is, so that it never has to know about HTTP status codes.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class ErrorKind(Enum):
    INVALID = "invalid"  # the input breaks a rule
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # the input clashes with the current state (duplicate, wrong status)
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    UNAVAILABLE = "unavailable"  # the input is fine; what deciding it needs is missing (retry)


class DomainError(Exception):
    """A refusal with a stable code and a message in Chinese and English."""

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        kind: ErrorKind = ErrorKind.INVALID,
        **details: Any,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.kind = kind
        self.details = details


def not_found(what_zh: str, what_en: str, key: object) -> DomainError:
    return DomainError(
        f"{what_en.upper().replace(' ', '_')}_NOT_FOUND",
        f"{what_zh} {key} 不存在",
        f"{what_en} {key} does not exist",
        ErrorKind.NOT_FOUND,
    )


def forbidden(message_zh: str, message_en: str, code: str = "FORBIDDEN") -> DomainError:
    return DomainError(code, message_zh, message_en, ErrorKind.FORBIDDEN)
