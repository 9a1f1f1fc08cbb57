"""Strict JSON for the records this package stores (envelopes, committees, receipts).

These records are read back from storage and from peers, so parsing is strict: a size limit before
parsing, no duplicate keys, exactly the expected fields, exact types (a bool is not an int),
canonical base64 and lowercase hex only. Every refusal is one ``SealingError`` with the caller's
code, so a malformed record can never surface as a ``KeyError`` or a silently defaulted field.

Canonical form (sorted keys, no spaces, UTF-8) makes a record's bytes, and so its hash and any
signature over it, a function of its content only.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, NoReturn

from core.sealing.errors import SealingError

MAX_RECORD_BYTES = 256 * 1024
_HEX = frozenset("0123456789abcdef")


def canonical_json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Reader:
    """Reads one JSON object, raising ``SealingError(code)`` on anything unexpected."""

    def __init__(self, code: str, data: str | bytes | dict[str, Any], what: str) -> None:
        self.code = code
        self.what = what
        if isinstance(data, dict):
            self.obj = data
            return
        if isinstance(data, str):
            data = data.encode()
        if not isinstance(data, bytes) or len(data) > MAX_RECORD_BYTES:
            self.fail("too large or not text")
        try:
            obj = json.loads(data, object_pairs_hook=_no_duplicates)
        except (ValueError, RecursionError) as err:
            self.fail(f"not JSON: {err}")
        if not isinstance(obj, dict):
            self.fail("not a JSON object")
        self.obj = obj

    def fail(self, reason: str) -> NoReturn:
        raise SealingError(self.code, reason=f"{self.what}: {reason}")

    def expect_fields(self, fields: set[str]) -> None:
        keys = set(self.obj)
        if keys != fields:
            missing, unknown = sorted(fields - keys), sorted(keys - fields)
            self.fail(f"missing fields {missing}, unknown fields {unknown}")

    def integer(self, name: str, low: int, high: int) -> int:
        value = self.obj.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"{name} must be an integer in [{low}, {high}]")
        return int(value)

    def text(self, name: str, max_len: int = 256) -> str:
        value = self.obj.get(name)
        if not isinstance(value, str) or not value or len(value) > max_len or not (
            value.isprintable()
        ):
            self.fail(f"{name} must be a non-empty printable string of at most {max_len}")
        return str(value)

    def hex(self, name: str, size: int) -> str:
        value = self.obj.get(name)
        if not isinstance(value, str) or len(value) != 2 * size or not set(value) <= _HEX:
            self.fail(f"{name} must be {2 * size} lowercase hex digits")
        return str(value)

    def base64(self, name: str, min_size: int, max_size: int) -> bytes:
        value = self.obj.get(name)
        if not isinstance(value, str):
            self.fail(f"{name} must be base64 text")
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            self.fail(f"{name} is not valid base64")
        if b64(raw) != value:
            self.fail(f"{name} is not canonical base64")
        if not min_size <= len(raw) <= max_size:
            self.fail(f"{name} must be {min_size}..{max_size} bytes")
        return raw

    def array(self, name: str, max_len: int) -> list[Any]:
        value = self.obj.get(name)
        if not isinstance(value, list) or len(value) > max_len:
            self.fail(f"{name} must be a list of at most {max_len}")
        return list(value)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out
