"""The sealed-bid envelope: what the platform stores for a bid besides the ciphertext itself.

Sealing (:func:`seal_bid`) runs on the bidder's side: a fresh 256-bit data key (DEK) from
``secrets`` encrypts the bid file (stream.py, bound to section and bidder), and the DEK is wrapped
twice, to the bidder's own public key and to the section's committee public key, each wrap bound to
its purpose, the section and the bidder. The DEK is then dropped. What reaches the platform is the
ciphertext (stored under its SHA-256, the content address) and this manifest: nothing in either
opens the bid without the bidder's private key or k committee shares.

Opening: the bidder unwraps its DEK with its own key on its own side (:func:`unwrap_as_bidder`) and
hands it in, or, where the bidder fails, the rebuilt committee key unwraps it
(:func:`unwrap_as_committee`); :func:`open_bid` then decrypts. The stream's key commitment makes
both paths yield the same plaintext or a refusal.

The manifest is canonical JSON with base64 binaries; :meth:`Envelope.from_json` is strict
(ENVELOPE_MALFORMED for unknown versions, missing or unknown fields, bad base64 or hex).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from core.sealing.codec import Reader, b64, canonical_json
from core.sealing.errors import ENVELOPE_MALFORMED, KEY_UNWRAP_FAILED, SealingError
from core.sealing.stream import (
    DEFAULT_CHUNK_SIZE,
    KEY_SIZE,
    MAX_CHUNK_SIZE,
    MAX_LABEL_BYTES,
    MIN_CHUNK_SIZE,
    NONCE_PREFIX_SIZE,
    Sink,
    Source,
    StreamDigest,
    StreamHeader,
    decrypt_stream,
    encrypt_stream,
)
from core.sealing.wrap import (
    FINGERPRINT_SIZE,
    HEAD_SIZE,
    TAG_SIZE,
    WrapContext,
    key_fingerprint,
    unwrap_key,
    wrap_key,
)

ENVELOPE_VERSION = 1
BIDDER_PURPOSE = "bid-key/bidder"
COMMITTEE_PURPOSE = "bid-key/committee"
_WRAPPED_DEK_SIZE = HEAD_SIZE + KEY_SIZE + TAG_SIZE
_FIELDS = {
    "version",
    "section_code",
    "bidder_id",
    "ciphertext_sha256",
    "ciphertext_size",
    "chunk_size",
    "nonce_prefix",
    "bidder_key_fingerprint",
    "committee_key_fingerprint",
    "dek_for_bidder",
    "dek_for_committee",
}


@dataclass(frozen=True)
class Envelope:
    """The stored manifest of one sealed bid. Holds no key in clear."""

    section_code: str
    bidder_id: str
    ciphertext_sha256: str
    ciphertext_size: int
    chunk_size: int
    nonce_prefix: bytes
    bidder_key_fingerprint: str
    committee_key_fingerprint: str
    dek_for_bidder: bytes
    dek_for_committee: bytes
    version: int = ENVELOPE_VERSION

    @property
    def header(self) -> StreamHeader:
        return StreamHeader(self.section_code, self.bidder_id, self.chunk_size)

    def to_json(self) -> bytes:
        return canonical_json(
            {
                "version": self.version,
                "section_code": self.section_code,
                "bidder_id": self.bidder_id,
                "ciphertext_sha256": self.ciphertext_sha256,
                "ciphertext_size": self.ciphertext_size,
                "chunk_size": self.chunk_size,
                "nonce_prefix": b64(self.nonce_prefix),
                "bidder_key_fingerprint": self.bidder_key_fingerprint,
                "committee_key_fingerprint": self.committee_key_fingerprint,
                "dek_for_bidder": b64(self.dek_for_bidder),
                "dek_for_committee": b64(self.dek_for_committee),
            }
        )

    def manifest_sha256(self) -> str:
        """SHA-256 of the canonical manifest: what the receipt binds besides the ciphertext."""
        return hashlib.sha256(self.to_json()).hexdigest()

    @classmethod
    def from_json(cls, data: str | bytes) -> Envelope:
        r = Reader(ENVELOPE_MALFORMED, data, "envelope")
        if "version" in r.obj and r.obj["version"] != ENVELOPE_VERSION:
            r.fail(f"unknown envelope version {r.obj['version']!r}")
        r.expect_fields(_FIELDS)
        section_code = r.text("section_code")
        bidder_id = r.text("bidder_id")
        for label in (section_code, bidder_id):
            if len(label.encode()) > MAX_LABEL_BYTES:
                r.fail("section code or bidder identifier too long")
        envelope = cls(
            section_code=section_code,
            bidder_id=bidder_id,
            ciphertext_sha256=r.hex("ciphertext_sha256", 32),
            ciphertext_size=r.integer("ciphertext_size", 1, 2**63 - 1),
            chunk_size=r.integer("chunk_size", MIN_CHUNK_SIZE, MAX_CHUNK_SIZE),
            nonce_prefix=r.base64("nonce_prefix", NONCE_PREFIX_SIZE, NONCE_PREFIX_SIZE),
            bidder_key_fingerprint=r.hex("bidder_key_fingerprint", FINGERPRINT_SIZE),
            committee_key_fingerprint=r.hex("committee_key_fingerprint", FINGERPRINT_SIZE),
            dek_for_bidder=r.base64("dek_for_bidder", _WRAPPED_DEK_SIZE, _WRAPPED_DEK_SIZE),
            dek_for_committee=r.base64(
                "dek_for_committee", _WRAPPED_DEK_SIZE, _WRAPPED_DEK_SIZE
            ),
            version=r.integer("version", ENVELOPE_VERSION, ENVELOPE_VERSION),
        )
        return envelope


def seal_bid(
    src_stream: Source,
    dst_stream: Sink,
    section_code: str,
    bidder_id: str,
    bidder_public_key: ec.EllipticCurvePublicKey,
    committee_public_key: ec.EllipticCurvePublicKey,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Envelope:
    """Bidder side: encrypt ``src_stream`` into ``dst_stream`` and return the envelope."""
    header = StreamHeader(section_code, bidder_id, chunk_size)
    bidder_fingerprint = key_fingerprint(bidder_public_key)
    committee_fingerprint = key_fingerprint(committee_public_key)
    dek = secrets.token_bytes(KEY_SIZE)  # lives only in this frame; never returned or stored
    digest = encrypt_stream(src_stream, dst_stream, dek, header)
    assert digest.sha256 is not None  # encryption always hashes
    return Envelope(
        section_code=section_code,
        bidder_id=bidder_id,
        ciphertext_sha256=digest.sha256,
        ciphertext_size=digest.size,
        chunk_size=chunk_size,
        nonce_prefix=digest.nonce_prefix,
        bidder_key_fingerprint=bidder_fingerprint.hex(),
        committee_key_fingerprint=committee_fingerprint.hex(),
        dek_for_bidder=wrap_key(dek, bidder_public_key, _context(BIDDER_PURPOSE, header)),
        dek_for_committee=wrap_key(dek, committee_public_key, _context(COMMITTEE_PURPOSE, header)),
    )


def unwrap_as_bidder(envelope: Envelope, bidder_private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """Bidder side, at the opening: the DEK, with the bidder's own key."""
    return _unwrap(envelope.dek_for_bidder, bidder_private_key,
                   _context(BIDDER_PURPOSE, envelope.header))


def unwrap_as_committee(
    envelope: Envelope, committee_private_key: ec.EllipticCurvePrivateKey
) -> bytes:
    """Opening side, fallback: the DEK, with the committee key rebuilt from k shares."""
    return _unwrap(envelope.dek_for_committee, committee_private_key,
                   _context(COMMITTEE_PURPOSE, envelope.header))


def open_bid(
    envelope: Envelope,
    ciphertext_stream: Source,
    dst_stream: Sink,
    dek: bytes,
    *,
    verify_address: bool = True,
) -> StreamDigest:
    """Decrypt a stored bid into ``dst_stream``; discard the output unless this returns.

    With ``verify_address`` (the default) the ciphertext is hashed in the same pass and must be
    the content address in the envelope, the one the receipt signed. That is the only check that
    catches a bidder who knows its own DEK and, with help inside, swaps its stored ciphertext for
    another one under the same key after the receipt. It costs a SHA-256 pass (about 1.7 GB/s
    here, against about 8 GB/s for AES-GCM); turn it off only where the same bytes were verified
    against the receipt in a way that cannot change before they are decrypted.
    """
    return decrypt_stream(
        ciphertext_stream,
        dst_stream,
        dek,
        envelope.header,
        expected_nonce_prefix=envelope.nonce_prefix,
        expected_sha256=envelope.ciphertext_sha256 if verify_address else None,
        expected_size=envelope.ciphertext_size,
    )


def _context(purpose: str, header: StreamHeader) -> WrapContext:
    return WrapContext(purpose, header.section_code, header.bidder_id)


def _unwrap(blob: bytes, private_key: ec.EllipticCurvePrivateKey, context: WrapContext) -> bytes:
    dek = unwrap_key(blob, private_key, context)
    if len(dek) != KEY_SIZE:
        raise SealingError(KEY_UNWRAP_FAILED, reason="wrapped data key has the wrong length")
    return dek

