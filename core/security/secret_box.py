"""Sealing small secrets (AES-256-GCM) under a key the database never holds.

A copy of the database alone then yields no usable secret; the key comes from the composition
root (a file named by the environment). ``context`` binds a sealed value to what it belongs to
(an account id), so a sealed secret copied onto another row does not open.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
_NONCE_BYTES = 12


class SealedSecretInvalid(ValueError):
    """The sealed value was not sealed with this key and context (or was altered)."""


class SecretBox:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"the key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context)
        except InvalidTag:
            raise SealedSecretInvalid("the sealed secret does not open with this key") from None
