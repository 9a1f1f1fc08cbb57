"""Opaque bearer tokens: random from ``secrets``, stored only as a SHA-256 digest, expiring."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.model.account import Account, ApiToken

DEFAULT_TTL = timedelta(hours=12)
#: The longest a token may live: 30 days. A bearer token is a password that cannot be changed,
#: only revoked; a script that needs longer asks for a new one.
MAX_TTL = timedelta(hours=720)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, account: Account, now: datetime,
                ttl: timedelta = DEFAULT_TTL) -> tuple[str, datetime]:
    if not timedelta(0) < ttl <= MAX_TTL:
        raise DomainError("TOKEN_LIFETIME_INVALID", "令牌有效期须在 1 小时至 720 小时之间",
                          "a token lives between 1 and 720 hours", field="hours")
    token = secrets.token_urlsafe(32)
    expires = now + ttl
    session.add(ApiToken(token_digest=token_digest(token), account_id=account.id,
                         created_at=now, expires_at=expires))
    return token, expires


def resolve_token(session: Session, token: str, now: datetime) -> Account | None:
    """The active account behind a token, or None when unknown, revoked or expired."""
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_digest == token_digest(token))
    ).one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if not row.account.is_active:
        return None
    return row.account


def revoke_token(session: Session, token: str, now: datetime) -> bool:
    row = session.get(ApiToken, token_digest(token))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True


#: A token's public id: the start of its stored digest. It names a token in lists and revocation
#: without being usable as one (the digest is one-way, and only a part of it is shown).
TOKEN_ID_CHARS = 16


def token_id(row: ApiToken) -> str:
    return row.token_digest[:TOKEN_ID_CHARS]


def tokens_of(session: Session, account_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.account_id == account_id)
                                .order_by(ApiToken.created_at, ApiToken.token_digest)))


def find_token(session: Session, account_id: int, public_id: str) -> ApiToken | None:
    if len(public_id) != TOKEN_ID_CHARS or not all(c in "0123456789abcdef" for c in public_id):
        return None
    return session.scalars(select(ApiToken).where(
        ApiToken.account_id == account_id,
        ApiToken.token_digest.startswith(public_id, autoescape=True))).first()


def revoke_all(session: Session, account_id: int, now: datetime) -> int:
    """Revoke every live token of an account; the number revoked."""
    live = [t for t in tokens_of(session, account_id) if t.revoked_at is None
            and t.expires_at > now]
    for row in live:
        row.revoked_at = now
    return len(live)
