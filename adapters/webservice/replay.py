"""The UsernameToken replay cache: each (account, nonce) is accepted once while its token is
fresh, across every web process, because the cache is a table and the database decides.

The insert is ``ON CONFLICT DO NOTHING RETURNING``: of two processes sending the same nonce at
the same moment exactly one inserts the row, the other gets no row back and refuses. Rows whose
token has left the freshness window are deleted on the way (a stale token is refused by its
``Created`` anyway, so forgetting its nonce opens nothing).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.errors import DomainError, ErrorKind
from core.model.credentials import UsedNonce


def remember(session: Session, account_id: int, nonce: bytes, created: datetime,
             window: timedelta, now: datetime) -> None:
    """Record the nonce, or ``NONCE_REPLAYED`` when the account has used it already."""
    session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))
    values = {"account_id": account_id, "nonce_digest": hashlib.sha256(nonce).hexdigest(),
              "created": created, "expires_at": created + window}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(UsedNonce).values(**values).on_conflict_do_nothing()
                 .returning(UsedNonce.account_id))
    if session.execute(statement).first() is None:  # nothing inserted: it was there already
        raise DomainError("NONCE_REPLAYED", "该 Nonce 已使用过（重放）",
                          "this nonce has been used before (replay)", ErrorKind.UNAUTHENTICATED)
