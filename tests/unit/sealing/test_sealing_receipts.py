"""The signed submission receipt verifies exactly as issued and fails on any change."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from core.sealing.codec import canonical_json
from core.sealing.errors import SealingError
from core.sealing.receipts import (
    Receipt,
    ReceiptFields,
    new_receipt_id,
    sign_receipt,
    verify_receipt,
)
from tests.unit.sealing.conftest import BIDDER, OTHER_BIDDER, OTHER_SECTION, SECTION

PLATFORM = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = PLATFORM.public_key()
FIELDS = ReceiptFields(
    receipt_id=new_receipt_id(),
    section_code=SECTION,
    bidder_id=BIDDER,
    ciphertext_sha256="ab" * 32,
    ciphertext_size=5 * 1024 * 1024 + 4000,
    manifest_sha256="cd" * 32,
    received_at=datetime(2026, 11, 24, 1, 29, 59, 123456, tzinfo=UTC),
)
RECEIPT = sign_receipt(PLATFORM, FIELDS)


def refused(receipt: Receipt) -> str:
    with pytest.raises(SealingError) as info:
        verify_receipt(PUBLIC, receipt)
    return info.value.code


def test_a_receipt_verifies_and_returns_what_was_signed() -> None:
    assert verify_receipt(PUBLIC, RECEIPT) == FIELDS
    body = json.loads(RECEIPT.body)
    assert body["received_at"] == "2026-11-24T01:29:59.123456Z"
    assert body["type"] == "ggzy-hub/bid-submission-receipt/v1"
    assert RECEIPT.body == canonical_json(body)


def test_a_beijing_time_is_stored_as_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    fields = dataclasses.replace(FIELDS, received_at=datetime(2026, 11, 24, 9, 29, 59, 123456,
                                                              tzinfo=beijing))
    assert RECEIPT.body == sign_receipt(PLATFORM, fields).body
    assert verify_receipt(PUBLIC, sign_receipt(PLATFORM, fields)).received_at.tzinfo == UTC


def test_a_naive_time_or_a_bad_field_is_never_signed() -> None:
    for bad in (
        dataclasses.replace(FIELDS, received_at=datetime(2026, 11, 24, 1, 30)),
        dataclasses.replace(FIELDS, ciphertext_sha256="AB" * 32),
        dataclasses.replace(FIELDS, ciphertext_size=0),
        dataclasses.replace(FIELDS, section_code=""),
    ):
        with pytest.raises(ValueError):
            sign_receipt(PLATFORM, bad)


@pytest.mark.parametrize("change", [
    {"section_code": OTHER_SECTION},
    {"bidder_id": OTHER_BIDDER},
    {"ciphertext_sha256": "ac" * 32},
    {"ciphertext_size": FIELDS.ciphertext_size - 1},
    {"manifest_sha256": "00" * 32},
    {"received_at": FIELDS.received_at - timedelta(microseconds=1)},
    {"receipt_id": new_receipt_id()},
])
def test_any_field_change_breaks_the_signature(change: dict[str, object]) -> None:
    other_body = dataclasses.replace(FIELDS, **change).body()  # type: ignore[arg-type]
    assert other_body != RECEIPT.body
    assert refused(Receipt(other_body, RECEIPT.signature)) == "RECEIPT_INVALID"


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_bit_flip_in_body_or_signature_is_refused(data: st.DataObject) -> None:
    which = data.draw(st.sampled_from(["body", "signature"]))
    raw = bytearray(getattr(RECEIPT, which))
    raw[data.draw(st.integers(0, len(raw) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    tampered = dataclasses.replace(RECEIPT, **{which: bytes(raw)})
    assert refused(tampered) == "RECEIPT_INVALID"


def test_another_platform_key_does_not_verify() -> None:
    with pytest.raises(SealingError) as info:
        verify_receipt(Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key(), RECEIPT)
    assert info.value.code == "RECEIPT_INVALID"


def test_a_validly_signed_but_non_canonical_or_foreign_body_is_refused() -> None:
    """Signature checks bytes; the body must also be the one canonical receipt form."""
    obj = json.loads(RECEIPT.body)
    for body in (
        json.dumps(obj, indent=1).encode(),
        canonical_json({**obj, "type": "ggzy-hub/something-else/v1"}),
        canonical_json({**obj, "extra": 1}),
        canonical_json({**obj, "received_at": "2026-11-24T09:29:59.123456+08:00"}),
        canonical_json({**obj, "received_at": "2026-11-24T01:29:59Z"}),
        canonical_json({k: v for k, v in obj.items() if k != "bidder_id"}),
        b"not json",
    ):
        assert refused(Receipt(body, PLATFORM.sign(body))) == "RECEIPT_INVALID"


def test_json_transport_round_trip_and_strictness() -> None:
    raw = RECEIPT.to_json()
    assert Receipt.from_json(raw) == RECEIPT
    assert verify_receipt(PUBLIC, Receipt.from_json(raw)) == FIELDS
    obj = json.loads(raw)
    for bad in ({**obj, "signature": obj["signature"][:-4]}, {"body": obj["body"]},
                {**obj, "x": 1}, {**obj, "body": "%%%"}):
        with pytest.raises(SealingError) as info:
            Receipt.from_json(json.dumps(bad))
        assert info.value.code == "RECEIPT_INVALID"
