"""The keyset cursor of the public list: an opaque token for "the rows after (or before) this one".

An OFFSET page makes the database read and discard every row before it (page 500 discarded
10,000 rows); a cursor names the last row seen, ``(published_at, notice_id)``, and the next page
starts there through the index. The token carries a fingerprint of the filters it was made for,
so reusing it with other filters is refused (CURSOR_STALE) rather than silently paging through a
different list, and a checksum, so a mangled or hand-edited token is refused (CURSOR_INVALID).
The checksum is no secret: a forged but well-formed cursor only names a position in a public
list, which anyone may read anyway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from core.errors import DomainError

VERSION = 1
MAX_CURSOR = 200  # characters of a token; the longest this module writes is about 130
Direction = Literal["after", "before"]


@dataclass(frozen=True)
class Cursor:
    direction: Direction  # "after": older rows (next page); "before": newer rows (previous page)
    published_at: datetime
    notice_id: int
    filters: str  # fingerprint of the filters the cursor was made for


def fingerprint(*parts: object) -> str:
    return hashlib.blake2s(json.dumps(parts, default=str, ensure_ascii=False).encode(),
                           digest_size=8).hexdigest()


def _checksum(body: bytes) -> str:
    return hashlib.blake2s(body, digest_size=6, person=b"ggzycur").hexdigest()


def encode(cursor: Cursor) -> str:
    body = json.dumps([VERSION, cursor.direction[0], cursor.published_at.astimezone(UTC)
                       .isoformat(), cursor.notice_id, cursor.filters],
                      separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(body).decode().rstrip("=") + "." + _checksum(body)


def _invalid() -> DomainError:
    return DomainError("CURSOR_INVALID", "翻页游标无效，请从第一页重新查询",
                       "the cursor is not one this list gave out; start again from the first "
                       "page", field="cursor")


def decode(token: str, filters: str) -> Cursor:
    """The cursor in ``token``, if it is intact and was made for the same ``filters``."""
    try:
        data, check = token.split(".")
        body = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        if _checksum(body) != check:
            raise ValueError("checksum")
        version, direction, moment, notice_id, made_for = json.loads(body)
        at = datetime.fromisoformat(moment)
        if (version != VERSION or direction not in ("a", "b") or at.tzinfo is None
                or not isinstance(notice_id, int) or not isinstance(made_for, str)):
            raise ValueError("shape")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _invalid() from None
    if made_for != filters:
        raise DomainError("CURSOR_STALE", "翻页游标属于另一组查询条件，请从第一页重新查询",
                          "the cursor belongs to other search filters; start again from the "
                          "first page", field="cursor")
    return Cursor("after" if direction == "a" else "before", at, notice_id, made_for)
