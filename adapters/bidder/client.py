"""A Python client for bidders: fetch the opening key, seal a bid locally, submit it, check the
receipt. The plaintext and the data key never leave this process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from adapters.keys import write_secret_file
from core.sealing.committee import Committee
from core.sealing.envelope import Envelope, seal_bid
from core.sealing.receipts import Receipt, ReceiptFields, verify_receipt

ENVELOPE_FILE = "envelope.json"
CIPHERTEXT_FILE = "bid.sealed"


def generate_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """A P-256 key for the bidder (stands in for the CA certificate's key in a UKey)."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    write_secret_file(path, pem)
    return key


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} is not an EC private key")
    return key


def load_public_key(pem: str | bytes) -> ec.EllipticCurvePublicKey:
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an EC public key")
    return key


def seal_file(plaintext: Path, out_dir: Path, section_code: str, bidder_id: str,
              bidder_key: ec.EllipticCurvePrivateKey,
              committee_public_key: ec.EllipticCurvePublicKey) -> Envelope:
    """Seal ``plaintext`` into ``out_dir``/bid.sealed with its envelope.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with plaintext.open("rb") as src, (out_dir / CIPHERTEXT_FILE).open("wb") as dst:
        envelope = seal_bid(src, dst, section_code, bidder_id, bidder_key.public_key(),
                            committee_public_key)
    (out_dir / ENVELOPE_FILE).write_bytes(envelope.to_json())
    return envelope


@dataclass
class BidderClient:
    api: str  # e.g. http://127.0.0.1:8000/api/v1
    token: str

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.api, timeout=120,
                            headers={"Authorization": f"Bearer {self.token}"})

    def _ok(self, r: httpx.Response) -> Any:
        if r.status_code >= 400:
            raise RuntimeError(f"{r.status_code} {r.text}")
        return r.json()

    def round(self, section_code: str) -> dict[str, Any]:
        with self._client() as c:
            return dict(self._ok(c.get(f"/sections/{section_code}/rounds/current")))

    def register(self, section_code: str) -> dict[str, Any]:
        with self._client() as c:
            return dict(self._ok(c.post(f"/sections/{section_code}/registration")))

    def submit(self, section_code: str, sealed_dir: Path, amend: bool = False
               ) -> dict[str, Any]:
        """Upload a sealed bid; ``amend`` replaces the one already in (before the deadline)."""
        method, path = (("PUT", f"/sections/{section_code}/bids/mine") if amend
                        else ("POST", f"/sections/{section_code}/bids"))
        with self._client() as c, (sealed_dir / ENVELOPE_FILE).open("rb") as env, \
                (sealed_dir / CIPHERTEXT_FILE).open("rb") as blob:
            return dict(self._ok(c.request(method, path, files={
                "envelope": (ENVELOPE_FILE, env, "application/json"),
                "ciphertext": (CIPHERTEXT_FILE, blob, "application/octet-stream")})))

    def withdraw(self, section_code: str) -> dict[str, Any]:
        with self._client() as c:
            return dict(self._ok(c.delete(f"/sections/{section_code}/bids/mine")))

    def platform_key(self) -> Ed25519PublicKey:
        with httpx.Client(base_url=self.api, timeout=30) as c:
            pem = self._ok(c.get("/public/platform-keys"))["receipt_signing_key_pem"]
        key = serialization.load_pem_public_key(pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the platform key is not Ed25519")
        return key

    def check_receipt(self, receipt_json: str, envelope: Envelope) -> ReceiptFields:
        """The receipt is the platform's signature over what we sealed; check both."""
        fields = verify_receipt(self.platform_key(), Receipt.from_json(receipt_json))
        if (fields.ciphertext_sha256 != envelope.ciphertext_sha256
                or fields.manifest_sha256 != envelope.manifest_sha256()):
            raise RuntimeError("the receipt does not name the bid we sealed")
        return fields


def unwrap_dek(sealed_dir: Path, bidder_key: ec.EllipticCurvePrivateKey) -> bytes:
    """At the opening, on the bidder's machine: the data key, with the bidder's own key."""
    from core.sealing.envelope import unwrap_as_bidder

    envelope = Envelope.from_json((sealed_dir / ENVELOPE_FILE).read_bytes())
    return unwrap_as_bidder(envelope, bidder_key)


def hand_in(client: BidderClient, section_code: str, dek: bytes) -> dict[str, Any]:
    import base64

    with client._client() as c:
        return dict(client._ok(c.post(f"/sections/{section_code}/opening/key",
                                      json={"dek": base64.b64encode(dek).decode()})))


def committee_record(client: BidderClient, section_code: str) -> Committee:
    """The section's opening committee as published: every share encrypted to its keyholder."""
    import json

    with client._client() as c:
        record = client._ok(c.get(f"/sections/{section_code}/rounds/current/committee"))
    return Committee.from_json(json.dumps(record))
