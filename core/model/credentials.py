"""What the Web Service's UsernameToken check keeps between calls: the nonces seen, and the
shared secrets that make PasswordDigest possible.

* ``UsedNonce`` is the replay cache. A nonce may be used once per account while its token is
  fresh; the row is kept until the token's ``Created`` leaves the freshness window
  (``expires_at``), after which the token would be refused as stale anyway, and then pruned.
  It lives in the database so that every web process sees every other's nonces.
* ``DigestSecret`` is a system client's shared secret for PasswordDigest, which needs the
  secret itself (Base64(SHA-1(nonce + created + secret))) and so cannot use the argon2 hash of
  the password. It is stored sealed (AES-256-GCM) under a key that is not in the database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UTCDateTime


class UsedNonce(Base):
    __tablename__ = "ws_nonces"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"),
                                            primary_key=True)
    nonce_digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256, hex
    created: Mapped[datetime] = mapped_column(UTCDateTime())  # the token's Created
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class DigestSecret(Base):
    __tablename__ = "ws_digest_secrets"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"),
                                            primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary())  # nonce + AES-GCM ciphertext
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
