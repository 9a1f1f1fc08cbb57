"""Sealing and opening a bid through the (version 2) envelope: the bidder's path and the
keyholders' path, and every misuse refused. Version 1 is in test_sealing_legacy_v1.py."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import os
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from core.sealing import keyholders as kh
from core.sealing.envelope import (
    Envelope,
    dek_from_shares,
    open_bid,
    seal_bid,
    unwrap_as_bidder,
    unwrap_as_committee,
    unwrap_share_as_keyholder,
)
from core.sealing.errors import SealingError
from core.sealing.keyholders import KeyholderPanel
from core.sealing.stream import MAGIC, key_commitment
from core.sealing.wrap import generate_private_key
from tests.unit.sealing.conftest import BIDDER, OTHER_BIDDER, OTHER_SECTION, SECTION

Keys = list[tuple[str, ec.EllipticCurvePrivateKey]]
CHUNK = 256


def by_keyholders(env: Envelope, keys: Keys, which: tuple[int, ...] = (2, 3, 4)) -> bytes:
    """The DEK as the fallback opening gets it: each keyholder unwraps its share on its side,
    the opening combines them."""
    return dek_from_shares(env, [unwrap_share_as_keyholder(env, keys[i][1]) for i in which])


def seal(data: bytes, panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey,
         section: str = SECTION, bidder: str = BIDDER) -> tuple[Envelope, bytes]:
    out = io.BytesIO()
    env = seal_bid(io.BytesIO(data), out, section, bidder, bidder_key.public_key(),
                   panel.public_keys(), panel.k, chunk_size=CHUNK)
    return env, out.getvalue()


def opened(env: Envelope, sealed: bytes, dek: bytes, **kw: bool) -> bytes:
    out = io.BytesIO()
    open_bid(env, io.BytesIO(sealed), out, dek, **kw)
    return out.getvalue()


def code_of(fn: object, *args: object, **kw: object) -> str:
    with pytest.raises(SealingError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    return info.value.code


def test_bidder_path_and_keyholder_path_open_the_same_bid(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey, keyholder_keys: Keys,
) -> None:
    data = os.urandom(5 * CHUNK + 17)
    env, sealed = seal(data, panel, bidder_key)
    assert env.version == 2 and env.threshold == 3 and len(env.dek_shares) == 5
    assert env.ciphertext_sha256 == hashlib.sha256(sealed).hexdigest()
    assert env.ciphertext_size == len(sealed)
    by_bidder = unwrap_as_bidder(env, bidder_key)
    for which in ((0, 1, 2), (2, 3, 4), (4, 0, 2), (0, 1, 2, 3, 4)):  # any 3 of the 5
        assert by_keyholders(env, keyholder_keys, which) == by_bidder
    assert opened(env, sealed, by_bidder) == data
    assert opened(env, sealed, by_keyholders(env, keyholder_keys), verify_address=False) == data


def test_an_empty_bid_round_trips(panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey,
                                  keyholder_keys: Keys) -> None:
    env, sealed = seal(b"", panel, bidder_key)
    assert opened(env, sealed, by_keyholders(env, keyholder_keys)) == b""


def test_only_the_bidder_and_the_keyholders_can_unwrap(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey,
    other_bidder_key: ec.EllipticCurvePrivateKey, keyholder_keys: Keys,
) -> None:
    env, _ = seal(b"bid", panel, bidder_key)
    assert code_of(unwrap_as_bidder, env, other_bidder_key) == "KEY_UNWRAP_FAILED"
    assert code_of(unwrap_as_bidder, env, keyholder_keys[0][1]) == "KEY_UNWRAP_FAILED"
    assert code_of(unwrap_share_as_keyholder, env, bidder_key) == "KEY_UNWRAP_FAILED"
    assert code_of(unwrap_share_as_keyholder, env, generate_private_key()) == "KEY_UNWRAP_FAILED"
    assert code_of(unwrap_as_committee, env, keyholder_keys[0][1]) == "KEY_UNWRAP_FAILED"


def test_a_share_for_section_x_is_refused_in_section_y(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey, keyholder_keys: Keys,
) -> None:
    env_x, _ = seal(b"bid in X", panel, bidder_key, section=SECTION)
    env_y, _ = seal(b"bid in Y", panel, bidder_key, section=OTHER_SECTION)
    key = keyholder_keys[0][1]
    transplanted = dataclasses.replace(env_y, dek_shares=env_x.dek_shares)
    assert code_of(unwrap_share_as_keyholder, transplanted, key) == "BID_WRONG_SECTION"
    to_other_bidder = dataclasses.replace(env_x, bidder_id=OTHER_BIDDER)
    assert code_of(unwrap_share_as_keyholder, to_other_bidder, key) == "BID_WRONG_SECTION"
    assert code_of(unwrap_as_bidder, to_other_bidder, bidder_key) == "BID_WRONG_SECTION"


def test_shares_cannot_change_places_or_bids(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey, keyholder_keys: Keys,
) -> None:
    env, _ = seal(b"bid", panel, bidder_key)
    other, _ = seal(b"another bid by the same bidder", panel, bidder_key)
    key = keyholder_keys[0][1]
    # keyholder 1's wrap filed as share 2: its context names index 1
    moved = dataclasses.replace(env, dek_shares=(
        dataclasses.replace(env.dek_shares[1], blob=env.dek_shares[0].blob,
                            keyholder_fingerprint=env.dek_shares[0].keyholder_fingerprint),
        *env.dek_shares[2:]))
    assert code_of(unwrap_share_as_keyholder, moved, key) == "BID_WRONG_SECTION"
    # a share of the other bid, with its commitment: bound to the other bid's content address
    mixed = dataclasses.replace(env, dek_shares=(other.dek_shares[0], *env.dek_shares[1:]))
    assert code_of(unwrap_share_as_keyholder, mixed, key) == "SHARES_INVALID"
    theirs = [unwrap_share_as_keyholder(other, keyholder_keys[0][1])]
    ours = [unwrap_share_as_keyholder(env, k) for _, k in keyholder_keys[1:3]]
    assert code_of(dek_from_shares, env, theirs + ours) == "SHARES_INVALID"


def test_the_bidder_wrap_and_a_share_are_not_interchangeable(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey, keyholder_keys: Keys,
) -> None:
    env, _ = seal(b"bid", panel, bidder_key)
    share_as_bidder_wrap = dataclasses.replace(env, dek_for_bidder=env.dek_shares[0].blob)
    assert code_of(unwrap_as_bidder, share_as_bidder_wrap, keyholder_keys[0][1]) == (
        "BID_WRONG_SECTION")
    first = dataclasses.replace(env.dek_shares[0], blob=env.dek_for_bidder)
    bidder_wrap_as_share = dataclasses.replace(env, dek_shares=(first, *env.dek_shares[1:]))
    assert code_of(unwrap_share_as_keyholder, bidder_wrap_as_share, bidder_key) == (
        "KEY_UNWRAP_FAILED")  # no share is addressed to the bidder's key


def test_another_bids_ciphertext_is_misfiled_and_a_relabelled_one_is_tampered(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey,
    other_bidder_key: ec.EllipticCurvePrivateKey, keyholder_keys: Keys,
) -> None:
    _env_a, sealed_a = seal(b"A" * 600, panel, bidder_key, bidder=BIDDER)
    env_b, _ = seal(b"B" * 600, panel, other_bidder_key, bidder=OTHER_BIDDER)
    dek_b = by_keyholders(env_b, keyholder_keys)
    # A's file handed in as B's: its header names A -> filed wrongly.
    assert code_of(opened, env_b, sealed_a, dek_b) == "BID_WRONG_SECTION"
    # A's file with the header rewritten to say B: every tag fails (and the hash differs).
    relabelled = sealed_a.replace(BIDDER.encode(), OTHER_BIDDER.encode(), 1)
    assert code_of(opened, env_b, relabelled, dek_b) == "BID_TAMPERED"
    assert code_of(opened, env_b, relabelled, dek_b, verify_address=False) == "BID_TAMPERED"


def test_a_key_from_another_bid_is_a_key_mismatch(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey, keyholder_keys: Keys,
) -> None:
    env_a, sealed_a = seal(b"A" * 600, panel, bidder_key)
    env_c, _ = seal(b"C" * 600, panel, bidder_key)
    assert code_of(opened, env_a, sealed_a, by_keyholders(env_c, keyholder_keys)) == (
        "BID_KEY_MISMATCH"
    )


def test_a_bidder_cannot_share_a_different_key_to_the_keyholders(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey, keyholder_keys: Keys,
) -> None:
    """Shares of a decoy key, with matching commitments, pass every share check; the key
    commitment in the (receipted) header makes the keyholders' path fail visibly, as the
    bidder's doing, instead of opening some other plaintext."""
    env, sealed = seal(b"real bid" * 40, panel, bidder_key)
    decoy = kh.split_dek(kh.new_dek(), SECTION, BIDDER, env.binding, panel.public_keys(), 3)
    cheat = dataclasses.replace(env, dek_shares=decoy)
    dek = by_keyholders(cheat, keyholder_keys)
    assert code_of(opened, cheat, sealed, dek) == "BID_KEY_MISMATCH"


def forge(dek: bytes, env: Envelope, plaintext: bytes) -> bytes:
    """What a bidder who knows its DEK could build: same key, header and nonce prefix."""
    section, bidder = env.section_code.encode(), env.bidder_id.encode()
    head = (MAGIC + struct.pack(">BH", 1, len(section)) + section + struct.pack(">H", len(bidder))
            + bidder + struct.pack(">I", env.chunk_size) + env.nonce_prefix + key_commitment(dek))
    chunks = [plaintext[i : i + env.chunk_size]
              for i in range(0, len(plaintext), env.chunk_size)] or [b""]
    out = [head]
    for i, chunk in enumerate(chunks):
        final = i == len(chunks) - 1
        nonce = env.nonce_prefix + struct.pack(">I", i | (1 << 31 if final else 0))
        out.append(AESGCM(dek).encrypt(nonce, chunk, head + struct.pack(">IB", i, int(final))))
    return b"".join(out)


def test_a_swapped_ciphertext_under_the_same_key_is_caught_only_by_the_content_address(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey,
) -> None:
    data = b"price 1,000,000" * 20
    env, sealed = seal(data, panel, bidder_key)
    dek = unwrap_as_bidder(env, bidder_key)
    swapped = forge(dek, env, b"price 9,999,999" * 20)
    assert len(swapped) == len(sealed) and swapped != sealed
    assert forge(dek, env, data) == sealed  # the forgery tool is faithful to the format
    assert code_of(opened, env, swapped, dek) == "BID_TAMPERED"
    # Without the address check the swap opens: why verify_address defaults to True.
    assert opened(env, swapped, dek, verify_address=False) == b"price 9,999,999" * 20


def test_seal_refuses_keys_other_than_p256(panel: KeyholderPanel,
                                           bidder_key: ec.EllipticCurvePrivateKey) -> None:
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    for bidder, holders in ((p384, panel.public_keys()),
                            (bidder_key.public_key(), [*panel.public_keys()[:2], p384])):
        out = io.BytesIO()
        with pytest.raises(SealingError) as info:
            seal_bid(io.BytesIO(b"x"), out, SECTION, BIDDER, bidder, holders, 2)
        assert info.value.code == "KEY_UNSUPPORTED" and out.getvalue() == b""


def test_seal_refuses_a_threshold_below_two_or_above_n(
        panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey) -> None:
    for k in (0, 1, 6):
        with pytest.raises(SealingError) as info:
            seal_bid(io.BytesIO(b"x"), io.BytesIO(), SECTION, BIDDER, bidder_key.public_key(),
                     panel.public_keys(), k)
        assert info.value.code == "COMMITTEE_INVALID"


def test_json_round_trip(panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey) -> None:
    env, _ = seal(b"bid", panel, bidder_key)
    raw = env.to_json()
    assert Envelope.from_json(raw) == env
    assert Envelope.from_json(raw.decode()) == env
    assert env.manifest_sha256() == hashlib.sha256(raw).hexdigest()
    assert raw == json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def noncanonical(text: str) -> str:
    """Same bytes, but with a padding bit set: b64decode accepts it, canonical form does not."""
    assert text.endswith("=") and not text.endswith("==")
    last = ALPHABET[ALPHABET.index(text[-2]) | 1]
    mutated = text[:-2] + last + "="
    assert base64.b64decode(mutated) == base64.b64decode(text) and mutated != text
    return mutated


def mutations(obj: dict[str, object]) -> list[object]:
    b64 = str(obj["dek_for_bidder"])
    shares = list(obj["dek_shares"])  # type: ignore[call-overload]
    return [
        {**obj, "version": 1},  # a version-1 envelope has other fields
        {**obj, "version": 3},
        {**obj, "version": 0},
        {**obj, "version": "2"},
        {**obj, "version": True},
        {**obj, "dek_for_committee": b64},
        {k: v for k, v in obj.items() if k != "dek_shares"},
        {k: v for k, v in obj.items() if k != "threshold"},
        {**obj, "threshold": 1},
        {**obj, "threshold": len(shares) + 1},
        {**obj, "threshold": True},
        {**obj, "dek_shares": shares[::-1]},
        {**obj, "dek_shares": shares[1:]},
        {**obj, "dek_shares": [*shares, shares[0]]},
        {**obj, "dek_shares": [{**shares[0], "extra": 1}, *shares[1:]]},
        {**obj, "dek_shares": [{**shares[0], "blob": b64}, *shares[1:]]},
        {**obj, "dek_shares": [{**shares[0], "commitment": "ab"}, *shares[1:]]},
        {**obj, "dek_shares": "not a list"},
        {k: v for k, v in obj.items() if k != "ciphertext_sha256"},
        {**obj, "surprise": 1},
        {**obj, "dek_for_bidder": b64[:-2] + "!!"},
        {**obj, "dek_for_bidder": b64 + "\n"},
        {**obj, "nonce_prefix": str(obj["nonce_prefix"]).rstrip("=")},
        {**obj, "nonce_prefix": noncanonical(str(obj["nonce_prefix"]))},
        {**obj, "dek_for_bidder": base64.b64encode(bytes(20)).decode()},
        {**obj, "nonce_prefix": base64.b64encode(bytes(7)).decode()},
        {**obj, "ciphertext_sha256": str(obj["ciphertext_sha256"]).upper()},
        {**obj, "ciphertext_sha256": "../../etc/passwd"},
        {**obj, "ciphertext_size": -1},
        {**obj, "ciphertext_size": 1.5},
        {**obj, "chunk_size": 1 << 30},
        {**obj, "section_code": ""},
        {**obj, "bidder_id": "a\nb"},
        {**obj, "bidder_id": None},
        [obj],
        "just a string",
    ]


def test_strict_parsing_rejects_every_malformed_manifest(
    panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey
) -> None:
    env, _ = seal(b"bid", panel, bidder_key)
    obj = json.loads(env.to_json())
    for bad in mutations(obj):
        assert code_of(Envelope.from_json, json.dumps(bad)) == "ENVELOPE_MALFORMED", bad
    raw = env.to_json().decode()
    duplicated = raw[:-1] + ',"version":2}'
    for bad_text in ("", "{", "\xff", duplicated, "[" * 100000, "{}", "x" * 300_000):
        assert code_of(Envelope.from_json, bad_text) == "ENVELOPE_MALFORMED"
    assert code_of(Envelope.from_json, b"\xff\xfe") == "ENVELOPE_MALFORMED"


@settings(max_examples=100, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=12),
    max_leaves=30,
))
def test_arbitrary_json_is_refused_only_with_the_stable_code(value: object) -> None:
    with pytest.raises(SealingError) as info:
        Envelope.from_json(json.dumps(value))
    assert info.value.code == "ENVELOPE_MALFORMED"


def test_a_fresh_key_per_bid(panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey,
                             keyholder_keys: Keys) -> None:
    envelopes = [seal(b"same", panel, bidder_key)[0] for _ in range(5)]
    assert len({by_keyholders(env, keyholder_keys) for env in envelopes}) == 5
    assert len({env.dek_shares[0].blob for env in envelopes}) == 5
