"""The version-1 sealing code path, kept here (and only here) to make legacy fixtures.

Before envelope version 2 the platform configured a round by generating a committee key pair and
splitting it to the keyholders (``create_committee``), and bidders wrapped their data key to that
key (``seal_bid`` version 1). Production code no longer has either: no server-side code path may
produce a key that opens a bid (电子招标投标办法 第二十八条). Tests still need such rounds and bids,
to show that the legacy reader opens them; these functions are the code as it was at 8b129c3
(tests/fixtures/sealing_v1 was made by that code itself).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric import ec

from core.sealing import shamir
from core.sealing.committee import (
    Committee,
    EncryptedShare,
    _share_context,
    share_commitment,
)
from core.sealing.envelope import (
    BIDDER_PURPOSE,
    COMMITTEE_PURPOSE,
    LEGACY_VERSION,
    Envelope,
    _context,
)
from core.sealing.keyholders import check_settings
from core.sealing.stream import (
    DEFAULT_CHUNK_SIZE,
    KEY_SIZE,
    Sink,
    Source,
    StreamHeader,
    encrypt_stream,
)
from core.sealing.wrap import P256_ORDER, key_fingerprint, wrap_key


def create_committee(section_code: str,
                     keyholders: Sequence[tuple[str, ec.EllipticCurvePublicKey]],
                     k: int) -> Committee:
    """A version-1 committee: a fresh key pair, its scalar split and wrapped to the keyholders."""
    check_settings(section_code, keyholders, k)
    scalar = secrets.randbelow(P256_ORDER - 1) + 1
    public_key = ec.derive_private_key(scalar, ec.SECP256R1()).public_key()
    fingerprint = key_fingerprint(public_key)
    shares = shamir.split(scalar, k, len(keyholders), committee_fingerprint=fingerprint)
    sealed = tuple(
        EncryptedShare(name, share.index, key_fingerprint(key),
                       share_commitment(section_code, share),
                       wrap_key(share.to_bytes(), key,
                                _share_context(section_code, name, share.index)))
        for (name, key), share in zip(keyholders, shares, strict=True))
    return Committee(section_code, k, public_key, sealed)


def seal_bid_v1(src_stream: Source, dst_stream: Sink, section_code: str, bidder_id: str,
                bidder_public_key: ec.EllipticCurvePublicKey,
                committee_public_key: ec.EllipticCurvePublicKey, *,
                chunk_size: int = DEFAULT_CHUNK_SIZE) -> Envelope:
    """A version-1 envelope: the data key wrapped to the bidder and to the committee key."""
    header = StreamHeader(section_code, bidder_id, chunk_size)
    dek = secrets.token_bytes(KEY_SIZE)
    digest = encrypt_stream(src_stream, dst_stream, dek, header)
    assert digest.sha256 is not None
    return Envelope(
        section_code=section_code, bidder_id=bidder_id, ciphertext_sha256=digest.sha256,
        ciphertext_size=digest.size, chunk_size=chunk_size, nonce_prefix=digest.nonce_prefix,
        bidder_key_fingerprint=key_fingerprint(bidder_public_key).hex(),
        dek_for_bidder=wrap_key(dek, bidder_public_key, _context(BIDDER_PURPOSE, header)),
        committee_key_fingerprint=key_fingerprint(committee_public_key).hex(),
        dek_for_committee=wrap_key(dek, committee_public_key,
                                   _context(COMMITTEE_PURPOSE, header)),
        version=LEGACY_VERSION)
