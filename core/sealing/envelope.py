"""The sealed-bid envelope: what the platform stores for a bid besides the ciphertext itself.

Sealing (:func:`seal_bid`) runs on the bidder's side: a fresh 256-bit data key (DEK) from
``secrets`` encrypts the bid file (stream.py, bound to section and bidder). The DEK is wrapped to
the bidder's own public key, and split k-of-n among the round's keyholders, share i wrapped to
keyholder i's own public key (keyholders.py), each wrap bound to its purpose, the section and the
bidder. The DEK is then dropped. What reaches the platform is the ciphertext (stored under its
SHA-256, the content address) and this manifest: nothing in either opens the bid without the
bidder's private key or k keyholders' private keys, and the platform has neither (电子招标投标办法
第二十八条).

Opening: the bidder unwraps its DEK with its own key on its own side (:func:`unwrap_as_bidder`) and
hands it in, or, where the bidder fails, k keyholders each unwrap their share on their side
(:func:`unwrap_share_as_keyholder`), hand the shares in, and the opening combines them
(:func:`dek_from_shares`); :func:`open_bid` then decrypts. The stream's key commitment makes both
paths yield the same plaintext or a refusal.

Versions: 2 is the format above and the only one sealed. 1 wrapped the DEK to a per-round
committee key that the platform generated and split (committee.py); a version-1 envelope is
still read and opened (:func:`unwrap_as_committee`) so rounds configured before version 2 keep
working, but nothing creates one. docs/bid-package.md gives both byte by byte.

The manifest is canonical JSON with base64 binaries; :meth:`Envelope.from_json` is strict
(ENVELOPE_MALFORMED for unknown versions, missing or unknown fields, bad base64 or hex).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric import ec

from core.sealing import keyholders as kh
from core.sealing.codec import Reader, b64, canonical_json
from core.sealing.errors import ENVELOPE_MALFORMED, KEY_UNWRAP_FAILED, SealingError
from core.sealing.shamir import MAX_SHARES, Share
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

ENVELOPE_VERSION = 2
LEGACY_VERSION = 1
VERSIONS = (LEGACY_VERSION, ENVELOPE_VERSION)
BIDDER_PURPOSE = "bid-key/bidder"
COMMITTEE_PURPOSE = "bid-key/committee"  # version 1 only
_WRAPPED_DEK_SIZE = HEAD_SIZE + KEY_SIZE + TAG_SIZE
_COMMON = {
    "version",
    "section_code",
    "bidder_id",
    "ciphertext_sha256",
    "ciphertext_size",
    "chunk_size",
    "nonce_prefix",
    "bidder_key_fingerprint",
    "dek_for_bidder",
}
_FIELDS = {
    LEGACY_VERSION: _COMMON | {"committee_key_fingerprint", "dek_for_committee"},
    ENVELOPE_VERSION: _COMMON | {"threshold", "dek_shares"},
}
_SHARE_FIELDS = {"index", "keyholder_fingerprint", "commitment", "blob"}


@dataclass(frozen=True)
class Envelope:
    """The stored manifest of one sealed bid. Holds no key in clear.

    Version 2 fills ``threshold`` and ``dek_shares``; a version-1 envelope (read only) fills
    ``committee_key_fingerprint`` and ``dek_for_committee`` instead.
    """

    section_code: str
    bidder_id: str
    ciphertext_sha256: str
    ciphertext_size: int
    chunk_size: int
    nonce_prefix: bytes
    bidder_key_fingerprint: str
    dek_for_bidder: bytes
    threshold: int = 0
    dek_shares: tuple[kh.SealedShare, ...] = ()
    committee_key_fingerprint: str = ""
    dek_for_committee: bytes = b""
    version: int = ENVELOPE_VERSION

    @property
    def header(self) -> StreamHeader:
        return StreamHeader(self.section_code, self.bidder_id, self.chunk_size)

    @property
    def binding(self) -> bytes:
        """What every DEK share of this bid is bound to: its content address."""
        return bytes.fromhex(self.ciphertext_sha256)

    @property
    def is_legacy(self) -> bool:
        return self.version == LEGACY_VERSION

    def to_json(self) -> bytes:
        fields: dict[str, object] = {
            "version": self.version,
            "section_code": self.section_code,
            "bidder_id": self.bidder_id,
            "ciphertext_sha256": self.ciphertext_sha256,
            "ciphertext_size": self.ciphertext_size,
            "chunk_size": self.chunk_size,
            "nonce_prefix": b64(self.nonce_prefix),
            "bidder_key_fingerprint": self.bidder_key_fingerprint,
            "dek_for_bidder": b64(self.dek_for_bidder),
        }
        if self.is_legacy:
            fields["committee_key_fingerprint"] = self.committee_key_fingerprint
            fields["dek_for_committee"] = b64(self.dek_for_committee)
        else:
            fields["threshold"] = self.threshold
            fields["dek_shares"] = [
                {"index": s.index, "keyholder_fingerprint": s.keyholder_fingerprint.hex(),
                 "commitment": s.commitment.hex(), "blob": b64(s.blob)}
                for s in self.dek_shares]
        return canonical_json(fields)

    def manifest_sha256(self) -> str:
        """SHA-256 of the canonical manifest: what the receipt binds besides the ciphertext."""
        return hashlib.sha256(self.to_json()).hexdigest()

    @classmethod
    def from_json(cls, data: str | bytes) -> Envelope:
        r = Reader(ENVELOPE_MALFORMED, data, "envelope")
        version = r.obj.get("version")
        if isinstance(version, bool) or version not in VERSIONS:
            r.fail(f"unknown envelope version {version!r}")
        r.expect_fields(_FIELDS[version])
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
            dek_for_bidder=r.base64("dek_for_bidder", _WRAPPED_DEK_SIZE, _WRAPPED_DEK_SIZE),
            version=version,
        )
        if version == LEGACY_VERSION:
            return replace(
                envelope,
                committee_key_fingerprint=r.hex("committee_key_fingerprint", FINGERPRINT_SIZE),
                dek_for_committee=r.base64("dek_for_committee", _WRAPPED_DEK_SIZE,
                                           _WRAPPED_DEK_SIZE),
            )
        shares = []
        for item in r.array("dek_shares", MAX_SHARES):
            if not isinstance(item, dict):
                r.fail("a share is not an object")
            s = Reader(ENVELOPE_MALFORMED, item, "envelope share")
            s.expect_fields(_SHARE_FIELDS)
            shares.append(kh.SealedShare(
                s.integer("index", 1, MAX_SHARES),
                bytes.fromhex(s.hex("keyholder_fingerprint", FINGERPRINT_SIZE)),
                bytes.fromhex(s.hex("commitment", 32)),
                s.base64("blob", kh.SHARE_BLOB_SIZE, kh.SHARE_BLOB_SIZE)))
        if [s.index for s in shares] != list(range(1, len(shares) + 1)):
            r.fail("share indexes are not 1..n in order")
        threshold = r.integer("threshold", kh.MIN_K, max(kh.MIN_K, len(shares)))
        if threshold > len(shares):
            r.fail("fewer shares than the threshold")
        return replace(envelope, threshold=threshold, dek_shares=tuple(shares))


def seal_bid(
    src_stream: Source,
    dst_stream: Sink,
    section_code: str,
    bidder_id: str,
    bidder_public_key: ec.EllipticCurvePublicKey,
    keyholder_keys: Sequence[ec.EllipticCurvePublicKey],
    threshold: int,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Envelope:
    """Bidder side: encrypt ``src_stream`` into ``dst_stream`` and return the (version 2)
    envelope; ``keyholder_keys`` in the panel's order, any ``threshold`` of them open it."""
    header = StreamHeader(section_code, bidder_id, chunk_size)
    bidder_fingerprint = key_fingerprint(bidder_public_key)
    for key in keyholder_keys:
        key_fingerprint(key)  # KEY_UNSUPPORTED before anything is written
    dek = kh.new_dek()  # lives only in this frame; never returned or stored
    digest = encrypt_stream(src_stream, dst_stream, dek, header)
    assert digest.sha256 is not None  # encryption always hashes
    shares = kh.split_dek(dek, section_code, bidder_id, bytes.fromhex(digest.sha256),
                          keyholder_keys, threshold)
    return Envelope(
        section_code=section_code,
        bidder_id=bidder_id,
        ciphertext_sha256=digest.sha256,
        ciphertext_size=digest.size,
        chunk_size=chunk_size,
        nonce_prefix=digest.nonce_prefix,
        bidder_key_fingerprint=bidder_fingerprint.hex(),
        dek_for_bidder=wrap_key(dek, bidder_public_key, _context(BIDDER_PURPOSE, header)),
        threshold=threshold,
        dek_shares=shares,
    )


def unwrap_as_bidder(envelope: Envelope, bidder_private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """Bidder side, at the opening: the DEK, with the bidder's own key."""
    return _unwrap(envelope.dek_for_bidder, bidder_private_key,
                   _context(BIDDER_PURPOSE, envelope.header))


def unwrap_share_as_keyholder(envelope: Envelope,
                              keyholder_private_key: ec.EllipticCurvePrivateKey) -> Share:
    """Keyholder side, fallback: this keyholder's share of the bid's DEK (found by its key's
    fingerprint), checked against the envelope's commitment."""
    if envelope.is_legacy:
        raise SealingError(KEY_UNWRAP_FAILED, reason="a version-1 envelope holds no keyholder "
                           "shares (its keyholders share the round's committee key)")
    fingerprint = key_fingerprint(keyholder_private_key.public_key())
    for sealed in envelope.dek_shares:
        if sealed.keyholder_fingerprint == fingerprint:
            return kh.open_share(sealed, keyholder_private_key, envelope.section_code,
                                 envelope.bidder_id, envelope.binding, envelope.threshold)
    raise SealingError(KEY_UNWRAP_FAILED, reason="no share of this bid is wrapped to this key")


def dek_from_shares(envelope: Envelope, shares: Sequence[Share]) -> bytes:
    """Opening side, fallback: the DEK from k keyholders' shares, in memory only."""
    if envelope.is_legacy:
        raise SealingError(KEY_UNWRAP_FAILED, reason="a version-1 envelope opens with the "
                           "committee key, not with shares of its data key")
    return kh.combine_dek(shares, envelope.dek_shares, envelope.section_code,
                          envelope.bidder_id, envelope.binding, envelope.threshold)


def unwrap_as_committee(
    envelope: Envelope, committee_private_key: ec.EllipticCurvePrivateKey
) -> bytes:
    """Version 1 only (legacy reader): the DEK, with the committee key rebuilt from k shares."""
    if not envelope.is_legacy:
        raise SealingError(KEY_UNWRAP_FAILED, reason="only a version-1 envelope has a "
                           "committee wrap")
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

