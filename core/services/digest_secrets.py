"""Shared secrets for PasswordDigest, one per system-client account.

PasswordDigest proves knowledge of a secret the server must be able to read back, which an
argon2 password hash does not allow. So the digest is not offered for account passwords at
all: an operator issues a system client a random secret of its own (``ggzy account
digest-secret``), shown once, stored sealed (``SecretBox``) under a key outside the database.
People's accounts (staff, supervisors, parties) sign in with PasswordText or a token only.
Issuing again replaces the secret; revoking deletes it. Both are audited (the secret never is).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError, not_found
from core.model.account import Account, AccountKind
from core.model.credentials import DigestSecret
from core.security.secret_box import SealedSecretInvalid, SecretBox
from core.uow import UnitOfWork

SECRET_BYTES = 32


def _context(account_id: int) -> bytes:
    return f"ws-digest-secret:{account_id}".encode()


def _system_client(uow: UnitOfWork, username: str) -> Account:
    account = uow.session.scalars(
        select(Account).where(Account.username == username)).one_or_none()
    if account is None or not account.is_active:
        raise not_found("账户", "account", username)
    if account.kind != AccountKind.SYSTEM_CLIENT:
        raise DomainError("DIGEST_SECRET_NOT_ALLOWED", "只有系统客户端账户可使用摘要口令",
                          "only system-client accounts may use a password digest")
    return account


def issue_digest_secret(uow: UnitOfWork, actor: str, username: str, box: SecretBox) -> str:
    """A new secret for the account (replacing any earlier one); the caller shows it once."""
    account = _system_client(uow, username)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row = uow.session.get(DigestSecret, account.id)
    if row is None:
        row = DigestSecret(account_id=account.id)
        uow.session.add(row)
    row.sealed = box.seal(secret.encode(), _context(account.id))
    row.issued_at = uow.clock.now()
    uow.record(actor, "account.digest_secret_issued", "account", account.id, None,
               {"username": username})
    return secret


def revoke_digest_secret(uow: UnitOfWork, actor: str, username: str) -> bool:
    account = _system_client(uow, username)
    row = uow.session.get(DigestSecret, account.id)
    if row is None:
        return False
    uow.session.delete(row)
    uow.record(actor, "account.digest_secret_revoked", "account", account.id, None,
               {"username": username})
    return True


def digest_secret(session: Session, account: Account, box: SecretBox) -> str | None:
    """The account's secret, or None when it has none (or it was sealed under another key)."""
    if account.kind != AccountKind.SYSTEM_CLIENT:
        return None
    row = session.get(DigestSecret, account.id)
    if row is None:
        return None
    try:
        return box.open(row.sealed, _context(account.id)).decode()
    except SealedSecretInvalid:
        return None
