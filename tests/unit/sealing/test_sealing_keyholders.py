"""The keyholders' path (envelope version 2): a bid's data key split k-of-n on the bidder's side,
each share wrapped to one keyholder's own key; k shares rebuild it, k-1 give nothing usable; a
bad share is pinned on its keyholder; the published panel holds public keys only."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import struct

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.sealing import keyholders as kh
from core.sealing import shamir
from core.sealing.envelope import (
    Envelope,
    dek_from_shares,
    open_bid,
    seal_bid,
    unwrap_as_bidder,
    unwrap_share_as_keyholder,
)
from core.sealing.errors import SealingError
from core.sealing.keyholders import KeyholderPanel, keyholder_panel
from core.sealing.shamir import PRIME, Share
from core.sealing.stream import TAG_SIZE
from core.sealing.wrap import generate_private_key, key_fingerprint
from tests.unit.sealing.conftest import BIDDER, SECTION

Keys = list[tuple[str, ec.EllipticCurvePrivateKey]]
CHUNK = 64
BID = b'{"price": "40100000.00", "duration_days": 520}' * 5


def refused(fn: object, *args: object, **kw: object) -> SealingError:
    with pytest.raises(SealingError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    return info.value


@pytest.fixture(scope="module")
def sealed(panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey
           ) -> tuple[Envelope, bytes]:
    out = io.BytesIO()
    env = seal_bid(io.BytesIO(BID), out, SECTION, BIDDER, bidder_key.public_key(),
                   panel.public_keys(), panel.k, chunk_size=CHUNK)
    return env, out.getvalue()


def shares_of(env: Envelope, keys: Keys, which: tuple[int, ...]) -> list[Share]:
    """Each keyholder unwraps its own share, on its own side."""
    return [unwrap_share_as_keyholder(env, keys[i][1]) for i in which]


def test_any_k_shares_rebuild_the_data_key(sealed: tuple[Envelope, bytes],
                                           keyholder_keys: Keys,
                                           bidder_key: ec.EllipticCurvePrivateKey) -> None:
    env, ciphertext = sealed
    dek = unwrap_as_bidder(env, bidder_key)
    for which in ((0, 1, 2), (1, 3, 4), (0, 2, 4), (4, 3, 2, 1)):
        assert dek_from_shares(env, shares_of(env, keyholder_keys, which)) == dek
    out = io.BytesIO()
    open_bid(env, io.BytesIO(ciphertext), out, dek_from_shares(
        env, shares_of(env, keyholder_keys, (0, 3, 4))))
    assert out.getvalue() == BID


def test_k_minus_1_shares_reveal_nothing_usable(sealed: tuple[Envelope, bytes],
                                                keyholder_keys: Keys,
                                                bidder_key: ec.EllipticCurvePrivateKey) -> None:
    env, ciphertext = sealed
    dek = unwrap_as_bidder(env, bidder_key)
    two = shares_of(env, keyholder_keys, (0, 1))
    # the opening refuses them outright
    assert refused(dek_from_shares, env, two).code == "SHARES_INSUFFICIENT"
    # combined as if 2 were enough, they give a wrong key ...
    guessed = shamir.combine([dataclasses.replace(s, k=2) for s in two], 2)
    wrong = guessed.to_bytes(32, "big")
    assert wrong != dek
    # ... which the stream refuses (key commitment) and AES-GCM refuses on the first chunk
    assert refused(open_bid, env, io.BytesIO(ciphertext), io.BytesIO(), wrong).code == (
        "BID_KEY_MISMATCH")
    head_size = len(ciphertext) - ((len(BID) // CHUNK) * (CHUNK + TAG_SIZE)
                                   + len(BID) % CHUNK + TAG_SIZE)
    head, first = ciphertext[:head_size], ciphertext[head_size : head_size + CHUNK + TAG_SIZE]
    nonce = env.nonce_prefix + struct.pack(">I", 0)
    AESGCM(dek).decrypt(nonce, first, head + struct.pack(">IB", 0, 0))  # the real key opens it
    with pytest.raises(InvalidTag):
        AESGCM(wrong).decrypt(nonce, first, head + struct.pack(">IB", 0, 0))
    # and they say nothing: every key is as consistent with them as the real one is
    for candidate in (0, 1, int.from_bytes(wrong, "big"), PRIME - 1):
        third = shamir._interpolate([(0, candidate)] + [(s.index, s.value) for s in two], 3)
        completed = [*two, Share(3, third, 3, env.binding)]
        assert shamir.combine(completed, 3) == candidate


def test_a_share_not_the_one_committed_to_names_its_keyholder(
        sealed: tuple[Envelope, bytes], keyholder_keys: Keys) -> None:
    env, _ = sealed
    good = shares_of(env, keyholder_keys, (0, 1, 2))
    bad = dataclasses.replace(good[1], value=(good[1].value + 1) % PRIME)
    err = refused(dek_from_shares, env, [good[0], bad, good[2]])
    assert err.code == "SHARES_INVALID" and err.details["index"] == 2
    assert "commitment" in err.details["reason"]
    twice = refused(dek_from_shares, env, [good[0], good[0], good[1]])
    assert twice.code == "SHARES_INVALID"


def test_the_keyholder_checks_its_share_against_the_envelope(
        sealed: tuple[Envelope, bytes], keyholder_keys: Keys) -> None:
    """A bidder who committed to another share than it wrapped is caught on the keyholder's
    side, before anything is handed in."""
    env, _ = sealed
    first = dataclasses.replace(env.dek_shares[0], commitment=bytes(32))
    altered = dataclasses.replace(env, dek_shares=(first, *env.dek_shares[1:]))
    assert refused(unwrap_share_as_keyholder, altered, keyholder_keys[0][1]).code == (
        "SHARES_INVALID")
    assert unwrap_share_as_keyholder(altered, keyholder_keys[1][1]).index == 2


def test_split_binds_each_share_to_its_keyholder_and_the_bid(
        sealed: tuple[Envelope, bytes], keyholder_keys: Keys) -> None:
    env, _ = sealed
    for i, (s, (_, key)) in enumerate(zip(env.dek_shares, keyholder_keys, strict=True),
                                      start=1):
        assert s.index == i and s.keyholder_fingerprint == key_fingerprint(key.public_key())
        share = unwrap_share_as_keyholder(env, key)
        assert (share.index, share.k, share.committee_fingerprint) == (i, 3, env.binding)
        assert s.commitment == kh.share_commitment(SECTION, BIDDER, share)
        assert len(s.blob) == kh.SHARE_BLOB_SIZE


def test_a_data_key_is_a_field_element_from_secrets() -> None:
    keys = {kh.new_dek() for _ in range(64)}
    assert len(keys) == 64
    assert all(len(k) == 32 and int.from_bytes(k, "big") < PRIME for k in keys)
    with pytest.raises(ValueError):
        kh.split_dek(PRIME.to_bytes(32, "big"), SECTION, BIDDER, bytes(32),
                     [generate_private_key().public_key() for _ in range(3)], 2)


def test_the_panel_is_public_keys_only_and_parses_strictly(
        panel: KeyholderPanel, keyholder_keys: Keys) -> None:
    raw = panel.to_json()
    assert KeyholderPanel.from_json(raw) == panel
    assert b"PRIVATE" not in raw.upper()
    for _, key in keyholder_keys:
        scalar = key.private_numbers().private_value.to_bytes(32, "big")
        assert scalar not in raw and scalar.hex().encode() not in raw
    obj = json.loads(raw)
    holders = obj["keyholders"]
    for bad in ({**obj, "version": 1}, {**obj, "k": 1}, {**obj, "k": 6},
                {**obj, "keyholders": holders[::-1]},
                {**obj, "keyholders": [*holders[:4], {**holders[0], "index": 5}]},
                {**obj, "keyholders": [{**holders[0], "private_key": "x"}, *holders[1:]]},
                {**obj, "extra": True}):
        assert refused(KeyholderPanel.from_json, json.dumps(bad)).code == "ENVELOPE_MALFORMED"


def test_panel_settings_are_checked(keyholder_keys: Keys) -> None:
    holders = [(name, key.public_key()) for name, key in keyholder_keys]
    for k in (0, 1, 6, True):
        assert refused(keyholder_panel, SECTION, holders, k).code == "COMMITTEE_INVALID"
    assert refused(keyholder_panel, SECTION, [*holders[:2], holders[0]], 2).code == (
        "COMMITTEE_INVALID")  # one person, two shares
    p384 = ("P-384", ec.generate_private_key(ec.SECP384R1()).public_key())
    assert refused(keyholder_panel, SECTION, [*holders[:2], p384], 2).code == "KEY_UNSUPPORTED"


def test_the_bytes_are_as_docs_bid_package_md_gives_them(
        sealed: tuple[Envelope, bytes], keyholder_keys: Keys) -> None:
    """Recomputed by hand from the documented layout, not with the module's own helpers."""
    env, ciphertext = sealed
    share = unwrap_share_as_keyholder(env, keyholder_keys[1][1])
    raw = share.to_bytes()
    assert len(raw) == 67 and raw[:3] == bytes([1, 3, 2])
    assert raw[3:35] == hashlib.sha256(ciphertext).digest()  # the binding: the content address
    assert int.from_bytes(raw[35:], "big") == share.value < PRIME

    def lp(text: str) -> bytes:
        return struct.pack(">H", len(text.encode())) + text.encode()

    commitment = hashlib.sha256(b"ggzy-hub/dek-share-commitment/v1" + lp(SECTION) + lp(BIDDER)
                                + raw).digest()
    assert env.dek_shares[1].commitment == commitment
    blob = env.dek_shares[1].blob
    context = b"ggzy-hub/wrap-context/v1" + lp("bid-key/keyholder-share") + lp(SECTION) + lp(
        f"2:{BIDDER}")
    der = keyholder_keys[1][1].public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert len(blob) == 197 and blob[0] == 1
    assert blob[1:17] == hashlib.sha256(context).digest()[:16]
    assert blob[17:49] == hashlib.sha256(der).digest() == env.dek_shares[1].keyholder_fingerprint
    assert blob[49] == 4  # the uncompressed ephemeral point
    assert len(env.dek_for_bidder) == 162
