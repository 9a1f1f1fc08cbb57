"""ECIES key wrap: opens only for its recipient, and only in the context it was made for."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from core.sealing.errors import SealingError
from core.sealing.wrap import (
    CONTEXT_DIGEST_SIZE,
    HEAD_SIZE,
    P256_ORDER,
    WrapContext,
    generate_private_key,
    key_fingerprint,
    unwrap_key,
    wrap_key,
)
from tests.unit.sealing.conftest import BIDDER, OTHER_BIDDER, OTHER_SECTION, SECTION

CTX = WrapContext("bid-key/committee", SECTION, BIDDER)
RECIPIENT = generate_private_key()
SECRET = os.urandom(32)
BLOB = wrap_key(SECRET, RECIPIENT.public_key(), CTX)


def code_of(blob: bytes, key: ec.EllipticCurvePrivateKey = RECIPIENT,
            ctx: WrapContext = CTX) -> str:
    with pytest.raises(SealingError) as info:
        unwrap_key(blob, key, ctx)
    return info.value.code


def test_round_trip() -> None:
    assert unwrap_key(BLOB, RECIPIENT, CTX) == SECRET
    assert len(BLOB) == HEAD_SIZE + 32 + 16


@settings(max_examples=20, deadline=None)
@given(st.binary(min_size=1, max_size=512))
def test_round_trip_any_secret_length(secret: bytes) -> None:
    assert unwrap_key(wrap_key(secret, RECIPIENT.public_key(), CTX), RECIPIENT, CTX) == secret


def test_each_wrap_is_fresh() -> None:
    again = wrap_key(SECRET, RECIPIENT.public_key(), CTX)
    assert again != BLOB  # a new ephemeral key each time
    assert unwrap_key(again, RECIPIENT, CTX) == SECRET


def test_a_wrap_for_section_x_is_refused_in_section_y() -> None:
    assert code_of(BLOB, ctx=WrapContext(CTX.purpose, OTHER_SECTION, BIDDER)) == (
        "BID_WRONG_SECTION"
    )


def test_a_wrap_for_another_bidder_or_purpose_is_refused() -> None:
    assert code_of(BLOB, ctx=WrapContext(CTX.purpose, SECTION, OTHER_BIDDER)) == (
        "BID_WRONG_SECTION"
    )
    assert code_of(BLOB, ctx=WrapContext("bid-key/bidder", SECTION, BIDDER)) == (
        "BID_WRONG_SECTION"
    )


def test_forging_the_clear_context_digest_does_not_open_it_elsewhere() -> None:
    """The clear digest only picks the error; the context is also bound through HKDF and AAD."""
    other = WrapContext(CTX.purpose, OTHER_SECTION, BIDDER)
    forged = BLOB[:1] + other.digest() + BLOB[1 + CONTEXT_DIGEST_SIZE :]
    assert code_of(forged, ctx=other) == "KEY_UNWRAP_FAILED"


def test_context_encoding_is_unambiguous() -> None:
    assert WrapContext("a", "bc", "d").encode() != WrapContext("ab", "c", "d").encode()
    assert WrapContext("a", "b", "c:d").encode() != WrapContext("a", "b:c", "d").encode()


def test_another_recipients_key_does_not_open_it() -> None:
    assert code_of(BLOB, key=generate_private_key()) == "KEY_UNWRAP_FAILED"


def test_forging_the_recipient_fingerprint_does_not_help() -> None:
    intruder = generate_private_key()
    start = 1 + CONTEXT_DIGEST_SIZE
    forged = BLOB[:start] + key_fingerprint(intruder.public_key()) + BLOB[start + 32 :]
    assert code_of(forged, key=intruder) == "KEY_UNWRAP_FAILED"


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_bit_flip_is_refused(data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(BLOB) - 1))
    tampered = bytearray(BLOB)
    tampered[pos] ^= 1 << data.draw(st.integers(0, 7))
    expected = ("BID_WRONG_SECTION" if 1 <= pos < 1 + CONTEXT_DIGEST_SIZE
                else "KEY_UNWRAP_FAILED")
    assert code_of(bytes(tampered)) == expected


def test_malformed_blobs_are_refused() -> None:
    for blob in (b"", BLOB[:HEAD_SIZE], BLOB[:-1] + b"", b"\x02" + BLOB[1:], BLOB + bytes(600)):
        assert code_of(blob) == "KEY_UNWRAP_FAILED"
    not_on_curve = BLOB[: HEAD_SIZE - 64] + bytes(64) + BLOB[HEAD_SIZE:]
    assert code_of(not_on_curve) == "KEY_UNWRAP_FAILED"


def test_keys_other_than_p256_are_unsupported() -> None:
    for public in (
        ec.generate_private_key(ec.SECP384R1()).public_key(),
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(),
        ed25519.Ed25519PrivateKey.generate().public_key(),
    ):
        with pytest.raises(SealingError) as info:
            wrap_key(SECRET, public, CTX)  # type: ignore[arg-type]
        assert info.value.code == "KEY_UNSUPPORTED"
    assert code_of(BLOB, key=ec.generate_private_key(ec.SECP384R1())) == "KEY_UNSUPPORTED"


def test_bad_secrets_are_a_programming_error() -> None:
    for secret in (b"", bytes(513)):
        with pytest.raises(ValueError):
            wrap_key(secret, RECIPIENT.public_key(), CTX)


def test_fresh_keys_are_distinct_valid_p256_scalars() -> None:
    scalars = {generate_private_key().private_numbers().private_value for _ in range(20)}
    assert len(scalars) == 20
    assert all(0 < s < P256_ORDER for s in scalars)
