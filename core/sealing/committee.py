"""The legacy (version 1) opening committee: read, and opened, for rounds configured before v2.

Version 1 made a P-256 key pair per section on the platform, split the private scalar k-of-n and
wrapped each share to a keyholder; bidders wrapped their data key to its public key. The platform
process generated that key, so a compromised server could have kept it, which 电子招标投标办法
第二十八条 does not allow. Nothing creates such a committee any more: a round is configured with
the keyholders' own public keys (keyholders.py) and bidders share their data key among them
(envelope version 2).

What stays is the reader, so that rounds configured before keep working to their end: the stored
record parses (:class:`Committee`), each keyholder unwraps its own share on its own side
(:func:`decrypt_share`), and :func:`rebuild_committee_key` checks every share against its
published commitment (which names the keyholder whose share is bad), combines k of them and
accepts the result only if it derives the published public key. The rebuilt key is for in-memory
use in that opening only.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from core.sealing import shamir
from core.sealing.codec import Reader, b64, canonical_json
from core.sealing.errors import (
    ENVELOPE_MALFORMED,
    SHARES_INSUFFICIENT,
    SHARES_INVALID,
    SealingError,
)
from core.sealing.shamir import Share
from core.sealing.wrap import (
    FINGERPRINT_SIZE,
    HEAD_SIZE,
    P256_ORDER,
    TAG_SIZE,
    WrapContext,
    key_fingerprint,
    unwrap_key,
)

COMMITTEE_VERSION = 1
SHARE_PURPOSE = "committee-share"
MIN_K = 2  # a 1-of-n committee would let any single keyholder open every bid
_COMMITMENT_LABEL = b"ggzy-hub/committee-share-commitment/v1"
_BLOB_SIZE = HEAD_SIZE + shamir.SHARE_SIZE + TAG_SIZE


@dataclass(frozen=True)
class EncryptedShare:
    """One keyholder's share, wrapped to that keyholder's key, with a public commitment to it."""

    keyholder: str
    index: int
    keyholder_fingerprint: bytes
    commitment: bytes
    blob: bytes


@dataclass(frozen=True)
class Committee:
    """What is published for a section: the committee public key and the wrapped shares."""

    section_code: str
    k: int
    public_key: ec.EllipticCurvePublicKey
    shares: tuple[EncryptedShare, ...]

    @property
    def fingerprint(self) -> bytes:
        return key_fingerprint(self.public_key)

    @property
    def n(self) -> int:
        return len(self.shares)

    def share_of(self, keyholder: str) -> EncryptedShare:
        for share in self.shares:
            if share.keyholder == keyholder:
                return share
        raise SealingError(SHARES_INVALID, reason="not a keyholder of this committee",
                           keyholder=keyholder)

    def rebuild_key(self, shares: Sequence[Share]) -> ec.EllipticCurvePrivateKey:
        """:func:`rebuild_committee_key` with k and the commitments taken from this record."""
        return rebuild_committee_key(
            self.section_code,
            shares,
            self.public_key,
            k=self.k,
            commitments={s.index: s.commitment for s in self.shares},
        )

    def to_json(self) -> bytes:
        return canonical_json(
            {
                "version": COMMITTEE_VERSION,
                "section_code": self.section_code,
                "k": self.k,
                "public_key": b64(_public_der(self.public_key)),
                "shares": [
                    {
                        "keyholder": s.keyholder,
                        "index": s.index,
                        "keyholder_fingerprint": s.keyholder_fingerprint.hex(),
                        "commitment": s.commitment.hex(),
                        "blob": b64(s.blob),
                    }
                    for s in self.shares
                ],
            }
        )

    @classmethod
    def from_json(cls, data: str | bytes) -> Committee:
        """Parse a stored committee record; anything off is ENVELOPE_MALFORMED."""
        r = Reader(ENVELOPE_MALFORMED, data, "committee")
        r.expect_fields({"version", "section_code", "k", "public_key", "shares"})
        if r.integer("version", 0, 2**31) != COMMITTEE_VERSION:
            r.fail("unknown committee record version")
        section_code = r.text("section_code")
        k = r.integer("k", MIN_K, shamir.MAX_SHARES)
        try:
            public_key = serialization.load_der_public_key(r.base64("public_key", 1, 512))
        except ValueError:
            r.fail("public_key is not a DER public key")
        if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(
            public_key.curve, ec.SECP256R1
        ):
            r.fail("public_key is not P-256")
        shares = []
        for item in r.array("shares", shamir.MAX_SHARES):
            if not isinstance(item, dict):
                r.fail("a share is not an object")
            s = Reader(ENVELOPE_MALFORMED, item, "committee share")
            s.expect_fields({"keyholder", "index", "keyholder_fingerprint", "commitment", "blob"})
            shares.append(
                EncryptedShare(
                    s.text("keyholder"),
                    s.integer("index", 1, shamir.MAX_SHARES),
                    bytes.fromhex(s.hex("keyholder_fingerprint", FINGERPRINT_SIZE)),
                    bytes.fromhex(s.hex("commitment", 32)),
                    s.base64("blob", _BLOB_SIZE, _BLOB_SIZE),
                )
            )
        if not k <= len(shares):
            r.fail("fewer shares than k")
        if sorted(s.index for s in shares) != list(range(1, len(shares) + 1)):
            r.fail("share indexes are not 1..n")
        if len({s.keyholder for s in shares}) != len(shares):
            r.fail("duplicate keyholder")
        return cls(section_code, k, public_key, tuple(shares))


def decrypt_share(
    committee: Committee, keyholder: str, private_key: ec.EllipticCurvePrivateKey
) -> Share:
    """Keyholder side: unwrap one's own share and check it against the published commitment."""
    sealed = committee.share_of(keyholder)
    raw = unwrap_key(
        sealed.blob, private_key, _share_context(committee.section_code, keyholder, sealed.index)
    )
    share = Share.from_bytes(raw)
    if (share.index, share.k, share.committee_fingerprint) != (
        sealed.index,
        committee.k,
        committee.fingerprint,
    ):
        raise SealingError(SHARES_INVALID, reason="share does not belong to this committee",
                           keyholder=keyholder)
    if not hmac.compare_digest(share_commitment(committee.section_code, share), sealed.commitment):
        raise SealingError(SHARES_INVALID, reason="share does not match its commitment",
                           keyholder=keyholder, index=share.index)
    return share


def rebuild_committee_key(
    section_code: str,
    decrypted_shares: Sequence[Share],
    published_public_key: ec.EllipticCurvePublicKey,
    *,
    k: int | None = None,
    commitments: Mapping[int, bytes] | None = None,
) -> ec.EllipticCurvePrivateKey:
    """Rebuild the committee private key in memory, or refuse.

    Pass ``k`` and ``commitments`` from the committee record (``Committee.rebuild_key`` does):
    without ``k`` the shares' own k is used, and without commitments a bad share is still refused
    (the rebuilt key would not match the published one) but cannot be pointed at.
    """
    fingerprint = key_fingerprint(published_public_key)
    if not decrypted_shares:
        raise SealingError(SHARES_INSUFFICIENT, needed=k, given=0)
    for share in decrypted_shares:
        if not isinstance(share, Share) or share.committee_fingerprint != fingerprint:
            raise SealingError(SHARES_INVALID, reason="share of another committee",
                               index=getattr(share, "index", None))
        if commitments is not None:
            expected = commitments.get(share.index)
            if expected is None or not hmac.compare_digest(
                share_commitment(section_code, share), expected
            ):
                raise SealingError(SHARES_INVALID, reason="share does not match its commitment",
                                   index=share.index)
    if k is None:
        ks = {share.k for share in decrypted_shares}
        k = ks.pop() if len(ks) == 1 else 0
        if k < MIN_K:
            raise SealingError(SHARES_INVALID, reason="shares disagree on k or k is too small")
    secret = shamir.combine(decrypted_shares, k)
    if not 0 < secret < P256_ORDER:
        raise SealingError(SHARES_INVALID, reason="rebuilt key is not the published committee key")
    private_key = ec.derive_private_key(secret, ec.SECP256R1())
    if not hmac.compare_digest(key_fingerprint(private_key.public_key()), fingerprint):
        raise SealingError(SHARES_INVALID, reason="rebuilt key is not the published committee key")
    return private_key


def share_commitment(section_code: str, share: Share) -> bytes:
    """SHA-256 over the section and the whole share. A share value is a uniformly random 256-bit
    field element, so its hash reveals nothing usable; it pins which keyholder's share is bad."""
    section = section_code.encode()
    return hashlib.sha256(
        _COMMITMENT_LABEL + struct.pack(">H", len(section)) + section + share.to_bytes()
    ).digest()


def _share_context(section_code: str, keyholder: str, index: int) -> WrapContext:
    return WrapContext(SHARE_PURPOSE, section_code, f"{index}:{keyholder}")


def _public_der(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
