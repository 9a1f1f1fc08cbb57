"""ECIES key wrap on P-256: how a bid key (or a committee share) reaches exactly one key holder.

ephemeral ECDH with the recipient's key -> HKDF-SHA256 -> AES-256-GCM over the secret. The HKDF
info and the GCM AAD bind a :class:`WrapContext` (purpose, section code, party) and the recipient's
key fingerprint, so a wrap moved to another section, bidder, purpose or recipient does not open.

The blob also carries, in clear, a 16-byte digest of the context and the recipient fingerprint. They
add no secrecy and no integrity (both are also authenticated through HKDF and the AAD); they are
there so a refusal can say *which* mistake it is: a wrap filed under another section or bidder
(BID_WRONG_SECTION) is a filing error, a wrap for another key or an altered wrap is
KEY_UNWRAP_FAILED. An attacker who edits them only changes which refusal is reported.

Blob layout (version 1, big-endian)::

    version (1) | context digest (16) | recipient fingerprint (32) | ephemeral point (65) |
    AES-256-GCM(secret) + tag (len + 16)

The HKDF output gives both the GCM key and nonce; each ephemeral key is used once, so the pair is
never reused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.sealing.errors import (
    BID_WRONG_SECTION,
    KEY_UNSUPPORTED,
    KEY_UNWRAP_FAILED,
    SealingError,
)

WRAP_VERSION = 1
CONTEXT_DIGEST_SIZE = 16
FINGERPRINT_SIZE = 32
POINT_SIZE = 65  # uncompressed X9.62 P-256 point
TAG_SIZE = 16
MAX_SECRET_SIZE = 512
HEAD_SIZE = 1 + CONTEXT_DIGEST_SIZE + FINGERPRINT_SIZE + POINT_SIZE
# The order of the P-256 group: private scalars are in [1, ORDER - 1].
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_HKDF_LABEL = b"ggzy-hub/ecies-p256/v1"
_CONTEXT_LABEL = b"ggzy-hub/wrap-context/v1"


@dataclass(frozen=True)
class WrapContext:
    """What a wrapped secret is for: e.g. ("bid-key/committee", section code, bidder id)."""

    purpose: str
    section_code: str
    party: str

    def encode(self) -> bytes:
        """Length-prefixed, so no two contexts encode alike whatever their characters."""
        out = [_CONTEXT_LABEL]
        for value in (self.purpose, self.section_code, self.party):
            raw = value.encode()
            out.append(struct.pack(">H", len(raw)))
            out.append(raw)
        return b"".join(out)

    def digest(self) -> bytes:
        return hashlib.sha256(self.encode()).digest()[:CONTEXT_DIGEST_SIZE]


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 key whose scalar comes from ``secrets`` (the house rule for key material)."""
    return ec.derive_private_key(secrets.randbelow(P256_ORDER - 1) + 1, ec.SECP256R1())


def key_fingerprint(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """SHA-256 of the DER SubjectPublicKeyInfo: the same value a certificate tool would show."""
    _check_public(public_key)
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).digest()


def wrap_key(
    secret: bytes, recipient_public_key: ec.EllipticCurvePublicKey, context: WrapContext
) -> bytes:
    """Encrypt ``secret`` so that only the holder of the recipient's private key can read it."""
    if not isinstance(secret, bytes | bytearray) or not 0 < len(secret) <= MAX_SECRET_SIZE:
        raise ValueError(f"a wrapped secret is 1..{MAX_SECRET_SIZE} bytes")
    fingerprint = key_fingerprint(recipient_public_key)
    ephemeral = generate_private_key()
    point = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    shared = ephemeral.exchange(ec.ECDH(), recipient_public_key)
    head = struct.pack(">B", WRAP_VERSION) + context.digest() + fingerprint + point
    key, nonce = _derive(shared, head, context)
    return head + AESGCM(key).encrypt(nonce, bytes(secret), head + context.encode())


def unwrap_key(blob: bytes, private_key: ec.EllipticCurvePrivateKey, context: WrapContext) -> bytes:
    """The secret in ``blob``, or a refusal saying whether it was filed wrongly or does not open."""
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(
        private_key.curve, ec.SECP256R1
    ):
        raise SealingError(KEY_UNSUPPORTED, reason="private key is not P-256")
    if not isinstance(blob, bytes) or not (
        HEAD_SIZE + TAG_SIZE < len(blob) <= HEAD_SIZE + TAG_SIZE + MAX_SECRET_SIZE
    ):
        raise SealingError(KEY_UNWRAP_FAILED, reason="malformed wrapped key")
    if blob[0] != WRAP_VERSION:
        raise SealingError(KEY_UNWRAP_FAILED, reason=f"unknown wrap version {blob[0]}")
    head = blob[:HEAD_SIZE]
    digest = head[1 : 1 + CONTEXT_DIGEST_SIZE]
    fingerprint = head[1 + CONTEXT_DIGEST_SIZE : 1 + CONTEXT_DIGEST_SIZE + FINGERPRINT_SIZE]
    point = head[HEAD_SIZE - POINT_SIZE :]
    if not hmac.compare_digest(digest, context.digest()):
        raise SealingError(
            BID_WRONG_SECTION,
            reason="key was wrapped for another section, party or purpose",
            section=context.section_code,
            party=context.party,
            purpose=context.purpose,
        )
    if not hmac.compare_digest(fingerprint, key_fingerprint(private_key.public_key())):
        raise SealingError(KEY_UNWRAP_FAILED, reason="key was wrapped to another recipient")
    try:
        ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise SealingError(KEY_UNWRAP_FAILED, reason="ephemeral point is not on P-256") from None
    shared = private_key.exchange(ec.ECDH(), ephemeral)
    key, nonce = _derive(shared, head, context)
    try:
        return AESGCM(key).decrypt(nonce, blob[HEAD_SIZE:], head + context.encode())
    except InvalidTag:
        raise SealingError(KEY_UNWRAP_FAILED, reason="wrapped key authentication failed") from None


def _derive(shared: bytes, head: bytes, context: WrapContext) -> tuple[bytes, bytes]:
    """GCM key and nonce; info = label, context, recipient fingerprint; salt = the whole head."""
    fingerprint = head[1 + CONTEXT_DIGEST_SIZE : 1 + CONTEXT_DIGEST_SIZE + FINGERPRINT_SIZE]
    info = _HKDF_LABEL + context.encode() + fingerprint
    okm = HKDF(algorithm=hashes.SHA256(), length=32 + 12, salt=head, info=info).derive(shared)
    return okm[:32], okm[32:]


def _check_public(public_key: object) -> None:
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(
        public_key.curve, ec.SECP256R1
    ):
        raise SealingError(KEY_UNSUPPORTED, reason="public key is not P-256")
