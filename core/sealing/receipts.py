"""The platform's signed submission receipt: proof of what was received, and when.

The receipt is what a bidder shows if its bid is later said to be late, missing or different. It
names the section, the bidder, the SHA-256 and size of the ciphertext (the content address), the
SHA-256 of the envelope manifest (so the wrapped keys cannot be swapped unnoticed either), the time
of receipt (aware UTC, ISO 8601) and a receipt id, and is signed by the platform with Ed25519.

The signature is over the exact body bytes (canonical JSON: sorted keys, no spaces, UTF-8), and the
receipt travels as those bytes plus the signature. Verification checks the signature over the bytes
as received and only then parses them, and refuses a body that is not in canonical form, so that
one receipt has exactly one byte representation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.sealing.codec import Reader, b64, canonical_json
from core.sealing.errors import RECEIPT_INVALID, SealingError

RECEIPT_TYPE = "ggzy-hub/bid-submission-receipt/v1"
SIGNATURE_SIZE = 64
_FIELDS = {
    "type",
    "receipt_id",
    "section_code",
    "bidder_id",
    "ciphertext_sha256",
    "ciphertext_size",
    "manifest_sha256",
    "received_at",
}


@dataclass(frozen=True)
class ReceiptFields:
    """What the platform attests. ``received_at`` must be timezone-aware; it is stored in UTC."""

    receipt_id: str
    section_code: str
    bidder_id: str
    ciphertext_sha256: str
    ciphertext_size: int
    manifest_sha256: str
    received_at: datetime

    def body(self) -> bytes:
        if self.received_at.tzinfo is None or self.received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")
        body = canonical_json(
            {
                "type": RECEIPT_TYPE,
                "receipt_id": self.receipt_id,
                "section_code": self.section_code,
                "bidder_id": self.bidder_id,
                "ciphertext_sha256": self.ciphertext_sha256,
                "ciphertext_size": self.ciphertext_size,
                "manifest_sha256": self.manifest_sha256,
                "received_at": _utc_text(self.received_at),
            }
        )
        # Refuse at signing time anything verification would refuse: never sign a bad receipt.
        try:
            valid = _parse(body) == self._normalised()
        except SealingError as err:
            raise ValueError(f"receipt fields are not valid: {err}") from None
        if not valid:
            raise ValueError("receipt fields are not valid")
        return body

    def _normalised(self) -> ReceiptFields:
        return ReceiptFields(
            self.receipt_id,
            self.section_code,
            self.bidder_id,
            self.ciphertext_sha256,
            self.ciphertext_size,
            self.manifest_sha256,
            self.received_at.astimezone(UTC),
        )


@dataclass(frozen=True)
class Receipt:
    """The signed body bytes and the Ed25519 signature over them, as handed to the bidder."""

    body: bytes
    signature: bytes

    def to_json(self) -> bytes:
        return canonical_json({"body": b64(self.body), "signature": b64(self.signature)})

    @classmethod
    def from_json(cls, data: str | bytes) -> Receipt:
        r = Reader(RECEIPT_INVALID, data, "receipt")
        r.expect_fields({"body", "signature"})
        return cls(r.base64("body", 1, 4096), r.base64("signature", SIGNATURE_SIZE, SIGNATURE_SIZE))


def new_receipt_id() -> str:
    """128 random bits from ``secrets``; the use case may use its own numbering instead."""
    return secrets.token_hex(16)


def sign_receipt(private_key: Ed25519PrivateKey, fields: ReceiptFields) -> Receipt:
    body = fields.body()
    return Receipt(body, private_key.sign(body))


def verify_receipt(public_key: Ed25519PublicKey, receipt: Receipt) -> ReceiptFields:
    """The attested fields, or RECEIPT_INVALID if the signature or the body is not exactly right."""
    try:
        public_key.verify(receipt.signature, receipt.body)
    except InvalidSignature:
        raise SealingError(RECEIPT_INVALID, reason="signature does not verify") from None
    return _parse(receipt.body)


def _parse(body: bytes) -> ReceiptFields:
    r = Reader(RECEIPT_INVALID, body, "receipt body")
    r.expect_fields(_FIELDS)
    if r.obj["type"] != RECEIPT_TYPE:
        r.fail("not a bid submission receipt")
    if canonical_json(r.obj) != body:
        r.fail("body is not in canonical form")
    received_text = r.text("received_at", 40)
    try:
        received_at = datetime.fromisoformat(received_text)
    except ValueError:
        r.fail("received_at is not ISO 8601")
    if received_at.utcoffset() is None or _utc_text(received_at) != received_text:
        r.fail("received_at is not UTC in the canonical form")
    return ReceiptFields(
        receipt_id=r.text("receipt_id", 64),
        section_code=r.text("section_code"),
        bidder_id=r.text("bidder_id"),
        ciphertext_sha256=r.hex("ciphertext_sha256", 32),
        ciphertext_size=r.integer("ciphertext_size", 1, 2**63 - 1),
        manifest_sha256=r.hex("manifest_sha256", 32),
        received_at=received_at.astimezone(UTC),
    )


def _utc_text(moment: datetime) -> str:
    """2026-11-24T01:30:00.000000Z: fixed width, microseconds, always UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
