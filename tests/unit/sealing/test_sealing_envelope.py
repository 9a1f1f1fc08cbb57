"""Sealing and opening a bid through the envelope: both paths, and every misuse refused."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import os
import secrets
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from core.sealing.committee import Committee, decrypt_share
from core.sealing.envelope import (
    COMMITTEE_PURPOSE,
    Envelope,
    open_bid,
    seal_bid,
    unwrap_as_bidder,
    unwrap_as_committee,
)
from core.sealing.errors import SealingError
from core.sealing.stream import MAGIC, key_commitment
from core.sealing.wrap import WrapContext, generate_private_key, wrap_key
from tests.unit.sealing.conftest import BIDDER, OTHER_BIDDER, OTHER_SECTION, SECTION

Keys = list[tuple[str, ec.EllipticCurvePrivateKey]]
CHUNK = 256


@pytest.fixture(scope="module")
def committee_key(committee: Committee, keyholder_keys: Keys) -> ec.EllipticCurvePrivateKey:
    return committee.rebuild_key(
        [decrypt_share(committee, name, key) for name, key in keyholder_keys[2:]])


def seal(data: bytes, committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
         section: str = SECTION, bidder: str = BIDDER) -> tuple[Envelope, bytes]:
    out = io.BytesIO()
    env = seal_bid(io.BytesIO(data), out, section, bidder, bidder_key.public_key(),
                   committee.public_key, chunk_size=CHUNK)
    return env, out.getvalue()


def opened(env: Envelope, sealed: bytes, dek: bytes, **kw: bool) -> bytes:
    out = io.BytesIO()
    open_bid(env, io.BytesIO(sealed), out, dek, **kw)
    return out.getvalue()


def code_of(fn: object, *args: object, **kw: object) -> str:
    with pytest.raises(SealingError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    return info.value.code


def test_bidder_path_and_committee_path_open_the_same_bid(
    committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
    committee_key: ec.EllipticCurvePrivateKey,
) -> None:
    data = os.urandom(5 * CHUNK + 17)
    env, sealed = seal(data, committee, bidder_key)
    assert env.ciphertext_sha256 == hashlib.sha256(sealed).hexdigest()
    assert env.ciphertext_size == len(sealed)
    by_bidder = unwrap_as_bidder(env, bidder_key)
    by_committee = unwrap_as_committee(env, committee_key)
    assert by_bidder == by_committee
    assert opened(env, sealed, by_bidder) == data
    assert opened(env, sealed, by_committee) == data
    assert opened(env, sealed, by_committee, verify_address=False) == data


def test_an_empty_bid_round_trips(committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
                                  committee_key: ec.EllipticCurvePrivateKey) -> None:
    env, sealed = seal(b"", committee, bidder_key)
    assert opened(env, sealed, unwrap_as_committee(env, committee_key)) == b""


def test_only_the_bidder_and_the_committee_can_unwrap(
    committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
    other_bidder_key: ec.EllipticCurvePrivateKey, committee_key: ec.EllipticCurvePrivateKey,
) -> None:
    env, _ = seal(b"bid", committee, bidder_key)
    assert code_of(unwrap_as_bidder, env, other_bidder_key) == "KEY_UNWRAP_FAILED"
    assert code_of(unwrap_as_bidder, env, committee_key) == "KEY_UNWRAP_FAILED"
    assert code_of(unwrap_as_committee, env, bidder_key) == "KEY_UNWRAP_FAILED"


def test_a_committee_wrapped_key_for_section_x_is_refused_in_section_y(
    committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
    committee_key: ec.EllipticCurvePrivateKey,
) -> None:
    env_x, _ = seal(b"bid in X", committee, bidder_key, section=SECTION)
    env_y, _ = seal(b"bid in Y", committee, bidder_key, section=OTHER_SECTION)
    transplanted = dataclasses.replace(env_y, dek_for_committee=env_x.dek_for_committee)
    assert code_of(unwrap_as_committee, transplanted, committee_key) == "BID_WRONG_SECTION"
    to_other_bidder = dataclasses.replace(env_x, bidder_id=OTHER_BIDDER)
    assert code_of(unwrap_as_committee, to_other_bidder, committee_key) == "BID_WRONG_SECTION"
    assert code_of(unwrap_as_bidder, to_other_bidder, bidder_key) == "BID_WRONG_SECTION"


def test_the_bidder_wrap_and_the_committee_wrap_are_not_interchangeable(
    committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
    committee_key: ec.EllipticCurvePrivateKey,
) -> None:
    env, _ = seal(b"bid", committee, bidder_key)
    swapped = dataclasses.replace(env, dek_for_committee=env.dek_for_bidder)
    assert code_of(unwrap_as_committee, swapped, committee_key) == "BID_WRONG_SECTION"


def test_another_bids_ciphertext_is_misfiled_and_a_relabelled_one_is_tampered(
    committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
    other_bidder_key: ec.EllipticCurvePrivateKey, committee_key: ec.EllipticCurvePrivateKey,
) -> None:
    _env_a, sealed_a = seal(b"A" * 600, committee, bidder_key, bidder=BIDDER)
    env_b, _ = seal(b"B" * 600, committee, other_bidder_key, bidder=OTHER_BIDDER)
    dek_b = unwrap_as_committee(env_b, committee_key)
    # A's file handed in as B's: its header names A -> filed wrongly.
    assert code_of(opened, env_b, sealed_a, dek_b) == "BID_WRONG_SECTION"
    # A's file with the header rewritten to say B: every tag fails (and the hash differs).
    relabelled = sealed_a.replace(BIDDER.encode(), OTHER_BIDDER.encode(), 1)
    assert code_of(opened, env_b, relabelled, dek_b) == "BID_TAMPERED"
    assert code_of(opened, env_b, relabelled, dek_b, verify_address=False) == "BID_TAMPERED"


def test_a_key_from_another_bid_is_a_key_mismatch(
    committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
    committee_key: ec.EllipticCurvePrivateKey,
) -> None:
    env_a, sealed_a = seal(b"A" * 600, committee, bidder_key)
    env_c, _ = seal(b"C" * 600, committee, bidder_key)
    assert code_of(opened, env_a, sealed_a, unwrap_as_committee(env_c, committee_key)) == (
        "BID_KEY_MISMATCH"
    )


def test_a_bidder_cannot_wrap_a_different_key_to_the_committee(
    committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
    committee_key: ec.EllipticCurvePrivateKey,
) -> None:
    """The key commitment in the (receipted) header makes the committee path fail visibly, and
    as the key holder's fault, instead of opening some other plaintext."""
    env, sealed = seal(b"real bid" * 40, committee, bidder_key)
    decoy = wrap_key(secrets.token_bytes(32), committee.public_key,
                     WrapContext(COMMITTEE_PURPOSE, SECTION, BIDDER))
    cheat = dataclasses.replace(env, dek_for_committee=decoy)
    assert code_of(opened, cheat, sealed, unwrap_as_committee(cheat, committee_key)) == (
        "BID_KEY_MISMATCH"
    )


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
    committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
) -> None:
    data = b"price 1,000,000" * 20
    env, sealed = seal(data, committee, bidder_key)
    dek = unwrap_as_bidder(env, bidder_key)
    swapped = forge(dek, env, b"price 9,999,999" * 20)
    assert len(swapped) == len(sealed) and swapped != sealed
    assert forge(dek, env, data) == sealed  # the forgery tool is faithful to the format
    assert code_of(opened, env, swapped, dek) == "BID_TAMPERED"
    # Without the address check the swap opens: why verify_address defaults to True.
    assert opened(env, swapped, dek, verify_address=False) == b"price 9,999,999" * 20


def test_seal_refuses_keys_other_than_p256(committee: Committee) -> None:
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    with pytest.raises(SealingError) as info:
        seal_bid(io.BytesIO(b"x"), io.BytesIO(), SECTION, BIDDER, p384, committee.public_key)
    assert info.value.code == "KEY_UNSUPPORTED"


def test_json_round_trip(committee: Committee, bidder_key: ec.EllipticCurvePrivateKey) -> None:
    env, _ = seal(b"bid", committee, bidder_key)
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
    return [
        {**obj, "version": 2},
        {**obj, "version": 0},
        {**obj, "version": "1"},
        {**obj, "version": True},
        {k: v for k, v in obj.items() if k != "dek_for_committee"},
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
    committee: Committee, bidder_key: ec.EllipticCurvePrivateKey
) -> None:
    env, _ = seal(b"bid", committee, bidder_key)
    obj = json.loads(env.to_json())
    for bad in mutations(obj):
        assert code_of(Envelope.from_json, json.dumps(bad)) == "ENVELOPE_MALFORMED", bad
    raw = env.to_json().decode()
    duplicated = raw[:-1] + ',"version":1}'
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


def test_a_fresh_key_per_bid(committee: Committee, bidder_key: ec.EllipticCurvePrivateKey,
                             committee_key: ec.EllipticCurvePrivateKey) -> None:
    keys = {unwrap_as_committee(seal(b"same", committee, bidder_key)[0], committee_key)
            for _ in range(5)}
    assert len(keys) == 5
    assert generate_private_key() is not None
