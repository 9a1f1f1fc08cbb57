"""Opaque bearer tokens: random from ``secrets``, stored only as a SHA-256 digest, expiring."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.model.account import Account, ApiToken

DEFAULT_TTL = timedelta(hours=12)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, account: Account, now: datetime,
                ttl: timedelta = DEFAULT_TTL) -> tuple[str, datetime]:
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
