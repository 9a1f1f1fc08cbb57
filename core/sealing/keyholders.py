"""The round's opening keyholders and each bid's data key shared among them (envelope version 2).

电子招标投标办法 第二十八条: before the deadline nobody may be able to decrypt a bid, the platform
included. So the platform never holds, makes or sees a key that opens a bid, not even for the
length of one call:

* each keyholder (开标密钥持有人: centre staff, a supervisor, a tenderee representative) makes its
  own P-256 key pair on its own machine (``ggzy-bid keyholder keygen``) and gives the centre only
  the public key. The round is configured with those public keys: :class:`KeyholderPanel`, the
  record published with the round. There is no committee key pair any more.
* The bidder's tool draws the bid's data key (DEK), splits it k-of-n with Shamir (shamir.py,
  GF(q) with q the P-256 order, so the DEK is drawn as an element of that field) and wraps share
  i to keyholder i's public key (ECIES, wrap.py), bound to the section, the bidder and the index
  (:func:`split_dek`). Each share carries the bid's content address as its binding, so shares of
  two bids cannot be mixed, and the envelope carries a SHA-256 commitment to each share.
* At the fallback opening each keyholder unwraps its share of that bid on its own side
  (:func:`open_share`, ``ggzy-bid keyholder unwrap-share``), the shares are handed in after the
  bidders' window, and the opening combines k of them into the DEK in memory
  (:func:`combine_dek`).

Who is at fault when it does not open: a handed-in share that is not the one committed to in the
envelope is the keyholder's (SHARES_INVALID with its index; nothing is opened); shares that match
their commitments but combine to a key the ciphertext's key commitment refuses were sealed so by
the bidder (BID_KEY_MISMATCH at decryption). k-1 shares say nothing about the DEK: combined as
if they were enough they give a wrong key, which the stream refuses.

The round's legacy committee record (version 1, committee.py) is still read for rounds configured
before this module existed; nothing creates one any more.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from core.sealing import shamir
from core.sealing.codec import Reader, b64, canonical_json
from core.sealing.errors import (
    COMMITTEE_INVALID,
    ENVELOPE_MALFORMED,
    KEY_UNSUPPORTED,
    SHARES_INVALID,
    SealingError,
)
from core.sealing.shamir import Share
from core.sealing.wrap import (
    FINGERPRINT_SIZE,
    HEAD_SIZE,
    TAG_SIZE,
    WrapContext,
    key_fingerprint,
    unwrap_key,
    wrap_key,
)

PANEL_VERSION = 2  # the version-1 record is the legacy committee (committee.py)
SHARE_PURPOSE = "bid-key/keyholder-share"
MIN_K = 2  # a 1-of-n panel would let any single keyholder open every bid
DEK_SIZE = 32
SHARE_BLOB_SIZE = HEAD_SIZE + shamir.SHARE_SIZE + TAG_SIZE
_COMMITMENT_LABEL = b"ggzy-hub/dek-share-commitment/v1"


@dataclass(frozen=True)
class PanelMember:
    """One keyholder as published: its name, its share index and its public key."""

    name: str
    index: int
    public_key: ec.EllipticCurvePublicKey

    @property
    def fingerprint(self) -> bytes:
        return key_fingerprint(self.public_key)


@dataclass(frozen=True)
class KeyholderPanel:
    """What a round publishes for the fallback opening: k and the keyholders' public keys.

    Holds no private key and no share: it is all a bidder needs to seal and all the platform has.
    """

    section_code: str
    k: int
    members: tuple[PanelMember, ...]

    @property
    def n(self) -> int:
        return len(self.members)

    def public_keys(self) -> list[ec.EllipticCurvePublicKey]:
        return [m.public_key for m in self.members]

    def member_at(self, index: int) -> PanelMember:
        return self.members[index - 1]

    def to_json(self) -> bytes:
        return canonical_json({
            "version": PANEL_VERSION,
            "section_code": self.section_code,
            "k": self.k,
            "keyholders": [{"name": m.name, "index": m.index,
                            "public_key": b64(public_der(m.public_key))}
                           for m in self.members],
        })

    @classmethod
    def from_json(cls, data: str | bytes) -> KeyholderPanel:
        """Parse a stored panel record; anything off is ENVELOPE_MALFORMED."""
        r = Reader(ENVELOPE_MALFORMED, data, "keyholder panel")
        r.expect_fields({"version", "section_code", "k", "keyholders"})
        if r.integer("version", 0, 2**31) != PANEL_VERSION:
            r.fail("unknown keyholder panel version")
        section_code = r.text("section_code")
        k = r.integer("k", MIN_K, shamir.MAX_SHARES)
        members = []
        for item in r.array("keyholders", shamir.MAX_SHARES):
            if not isinstance(item, dict):
                r.fail("a keyholder is not an object")
            m = Reader(ENVELOPE_MALFORMED, item, "keyholder")
            m.expect_fields({"name", "index", "public_key"})
            members.append(PanelMember(m.text("name"), m.integer("index", 1, shamir.MAX_SHARES),
                                       load_public_der(m, m.base64("public_key", 1, 512))))
        if not k <= len(members):
            r.fail("fewer keyholders than k")
        if [m.index for m in members] != list(range(1, len(members) + 1)):
            r.fail("keyholder indexes are not 1..n in order")
        try:
            check_settings(section_code, [(m.name, m.public_key) for m in members], k)
        except SealingError as err:
            r.fail(str(err.details.get("reason", err.code)))
        return cls(section_code, k, tuple(members))


def keyholder_panel(section_code: str,
                    keyholders: Sequence[tuple[str, ec.EllipticCurvePublicKey]],
                    k: int) -> KeyholderPanel:
    """The panel for a round from the keyholders' own public keys, checked; no key is made."""
    check_settings(section_code, keyholders, k)
    return KeyholderPanel(section_code, k, tuple(
        PanelMember(name, i, key) for i, (name, key) in enumerate(keyholders, start=1)))


@dataclass(frozen=True)
class SealedShare:
    """Share ``index`` of a bid's DEK, wrapped to one keyholder, with a commitment to it."""

    index: int
    keyholder_fingerprint: bytes
    commitment: bytes
    blob: bytes


def new_dek() -> bytes:
    """A fresh 256-bit data key that is also an element of the sharing field (q is within 2^-32
    of 2^256, so this is as good as 32 random bytes); from ``secrets``."""
    return secrets.randbelow(shamir.PRIME).to_bytes(DEK_SIZE, "big")


def split_dek(dek: bytes, section_code: str, bidder_id: str, binding: bytes,
              recipients: Sequence[ec.EllipticCurvePublicKey], k: int) -> tuple[SealedShare, ...]:
    """Bidder side: share i of ``dek`` wrapped to ``recipients[i-1]``, any k of which rebuild it.

    ``binding`` is the bid's content address (the SHA-256 of its ciphertext, 32 bytes)."""
    secret = int.from_bytes(dek, "big")
    if len(dek) != DEK_SIZE or secret >= shamir.PRIME:
        raise ValueError("the data key is not a 32-byte element of the sharing field")
    if len(binding) != FINGERPRINT_SIZE:
        raise ValueError("the binding is a 32-byte content address")
    if isinstance(k, bool) or not MIN_K <= k <= len(recipients) <= shamir.MAX_SHARES:
        raise SealingError(COMMITTEE_INVALID, reason=f"need {MIN_K} <= k <= n, got k={k!r}")
    shares = shamir.split(secret, k, len(recipients), committee_fingerprint=binding)
    del secret
    return tuple(
        SealedShare(share.index, key_fingerprint(key),
                    share_commitment(section_code, bidder_id, share),
                    wrap_key(share.to_bytes(), key, share_context(section_code, bidder_id,
                                                                  share.index)))
        for share, key in zip(shares, recipients, strict=True))


def open_share(sealed: SealedShare, private_key: ec.EllipticCurvePrivateKey, section_code: str,
               bidder_id: str, binding: bytes, k: int) -> Share:
    """Keyholder side: unwrap one's own share of one bid and check it against the envelope."""
    raw = unwrap_key(sealed.blob, private_key, share_context(section_code, bidder_id,
                                                             sealed.index))
    share = Share.from_bytes(raw)
    if (share.index, share.k, share.committee_fingerprint) != (sealed.index, k, binding):
        raise SealingError(SHARES_INVALID, reason="share does not belong to this bid",
                           index=sealed.index)
    if not hmac.compare_digest(share_commitment(section_code, bidder_id, share),
                               sealed.commitment):
        raise SealingError(SHARES_INVALID, reason="share does not match its commitment",
                           index=sealed.index)
    return share


def combine_dek(shares: Sequence[Share], sealed: Sequence[SealedShare], section_code: str,
                bidder_id: str, binding: bytes, k: int) -> bytes:
    """Opening side: the DEK from k or more handed-in shares, each checked against its
    commitment first (a bad one is named by its index and nothing is combined)."""
    commitments = {s.index: s.commitment for s in sealed}
    for share in shares:
        if not isinstance(share, Share) or share.committee_fingerprint != binding:
            raise SealingError(SHARES_INVALID, reason="share of another bid",
                               index=getattr(share, "index", None))
        expected = commitments.get(share.index)
        if expected is None or not hmac.compare_digest(
                share_commitment(section_code, bidder_id, share), expected):
            raise SealingError(SHARES_INVALID, reason="share does not match its commitment",
                               index=share.index)
    return shamir.combine(shares, k).to_bytes(DEK_SIZE, "big")


def share_commitment(section_code: str, bidder_id: str, share: Share) -> bytes:
    """SHA-256 over section, bidder and the whole share. A share value is a uniformly random field
    element, so its hash reveals nothing usable; it pins whose share is bad."""
    parts = [_COMMITMENT_LABEL]
    for label in (section_code, bidder_id):
        raw = label.encode()
        parts += [struct.pack(">H", len(raw)), raw]
    return hashlib.sha256(b"".join(parts) + share.to_bytes()).digest()


def share_context(section_code: str, bidder_id: str, index: int) -> WrapContext:
    return WrapContext(SHARE_PURPOSE, section_code, f"{index}:{bidder_id}")


def check_settings(section_code: str, keyholders: Sequence[tuple[str, Any]], k: int) -> None:
    """k of n named keyholders with n distinct P-256 keys, 2 <= k <= n (COMMITTEE_INVALID)."""
    def refuse(reason: str) -> SealingError:
        return SealingError(COMMITTEE_INVALID, reason=reason, section=section_code)

    if not isinstance(section_code, str) or not section_code or not section_code.isprintable():
        raise refuse("section code must be a non-empty printable string")
    n = len(keyholders)
    if isinstance(k, bool) or not isinstance(k, int) or not MIN_K <= k <= n <= shamir.MAX_SHARES:
        raise refuse(f"need {MIN_K} <= k <= n <= {shamir.MAX_SHARES}, got k={k!r}, n={n}")
    names = [name for name, _ in keyholders]
    if any(not isinstance(name, str) or not name or not name.isprintable() for name in names):
        raise refuse("keyholder names must be non-empty printable strings")
    if len(set(names)) != n:
        raise refuse("duplicate keyholder name")
    fingerprints = []
    for name, key in keyholders:
        try:
            fingerprints.append(key_fingerprint(key))
        except SealingError:
            raise SealingError(KEY_UNSUPPORTED, reason="keyholder key is not P-256",
                               keyholder=name) from None
    if len(set(fingerprints)) != n:
        # One person with two shares would lower the threshold without anyone noticing.
        raise refuse("two keyholders share one public key")


def public_der(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_der(r: Reader, der: bytes) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_der_public_key(der)
    except ValueError:
        r.fail("public_key is not a DER public key")
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve,
                                                                         ec.SECP256R1):
        r.fail("public_key is not P-256")
    return key
