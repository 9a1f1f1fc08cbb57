"""The platform's receipt-signing key: from a file named by the environment, or (embedded default)
generated once under var/keys with owner-only permissions. Never in the repository."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from adapters.config import Settings
from core.sealing.receipts import Receipt, ReceiptFields, sign_receipt


def write_secret_file(path: Path, data: bytes) -> None:
    """Create a file only its owner can read; refuse to overwrite one (a key is never replaced
    by accident)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _load_or_create(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SystemExit(f"{path} is not an Ed25519 private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    write_secret_file(path, pem)
    return key


class FileReceiptSigner:
    def __init__(self, settings: Settings) -> None:
        named = os.environ.get("GGZY_SIGNING_KEY_FILE")
        path = Path(named) if named else settings.var_dir / "keys" / "platform-signing.pem"
        self._key = _load_or_create(path)

    def sign(self, fields: ReceiptFields) -> Receipt:
        return sign_receipt(self._key, fields)

    def sign_bytes(self, body: bytes) -> bytes:
        return self._key.sign(body)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    def public_pem(self) -> str:
        return self.public_key.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo
                                            ).decode()
