"""A Python client for bidders: fetch the opening key, seal a bid locally, submit it, check the
receipt. The plaintext and the data key never leave this process."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from adapters.keys import write_secret_file
from core.sealing.committee import Committee
from core.sealing.envelope import Envelope, seal_bid
from core.sealing.package import BidPackage, build_package, read_package
from core.sealing.receipts import Receipt, ReceiptFields, verify_receipt

ENVELOPE_FILE = "envelope.json"
CIPHERTEXT_FILE = "bid.sealed"
PACKAGE_FILE = "bid-package.zip"


class BidderError(Exception):
    """A failure the bidder can act on, with a stable code: the server's problem code for a
    refused request, or the client's own (``API_UNREACHABLE``, ``BID_PACKAGE_…``, …)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def build_package_file(out: Path, section_code: str, bidder_id: str, documents: Sequence[Path],
                       schedule: Mapping[str, Any]) -> BidPackage:
    """Write the bid package to ``out`` from the documents and the 开标一览表, then read it back
    with the opening's own check, so what the bidder seals is what the opening accepts."""
    try:
        with ExitStack() as stack:
            streams: list[tuple[str, IO[bytes]]] = [
                (doc.name, stack.enter_context(doc.open("rb"))) for doc in documents]
            with out.open("wb") as dst:
                build_package(dst, section_code, bidder_id, streams, schedule)
        return check_package_file(out, section_code, bidder_id)
    except BaseException:
        out.unlink(missing_ok=True)  # never leave a half-built package to be sealed by mistake
        raise


def check_package_file(path: Path, section_code: str, bidder_id: str) -> BidPackage:
    with path.open("rb") as src:
        return read_package(src, section_code, bidder_id)


def load_schedule(path: Path) -> dict[str, Any]:
    """The 开标一览表 fields from a JSON file (numbers as written: prices as strings)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise BidderError("BID_PACKAGE_SCHEDULE_INVALID", f"{path} is not UTF-8 JSON") from err
    if not isinstance(doc, dict):
        raise BidderError("BID_PACKAGE_SCHEDULE_INVALID", f"{path} is not a JSON object")
    return doc


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

    @contextmanager
    def _client(self) -> Iterator[httpx.Client]:
        """A client whose transport failures become one ``API_UNREACHABLE`` line."""
        try:
            with httpx.Client(base_url=self.api, timeout=120,
                              headers={"Authorization": f"Bearer {self.token}"}) as c:
                yield c
        except httpx.TransportError as err:
            raise BidderError("API_UNREACHABLE", f"cannot reach {self.api}: {err}") from err

    def _ok(self, r: httpx.Response) -> Any:
        if r.status_code >= 400:
            try:
                problem = r.json()
                code, message = str(problem["code"]), str(problem["message_en"])
            except (ValueError, KeyError, TypeError):
                code, message = f"HTTP_{r.status_code}", r.text[:200] or r.reason_phrase
            raise BidderError(code, message)
        try:
            return r.json()
        except ValueError as err:
            raise BidderError("API_NOT_GGZY", f"{self.api} did not answer JSON: is it a "
                                              "ggzy-hub API (GGZY_API)?") from err

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
        with self._client() as c:
            pem = self._ok(c.get("/public/platform-keys"))["receipt_signing_key_pem"]
        key = serialization.load_pem_public_key(pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise BidderError("PLATFORM_KEY_INVALID", "the platform key is not Ed25519")
        return key

    def check_receipt(self, receipt_json: str, envelope: Envelope) -> ReceiptFields:
        """The receipt is the platform's signature over what we sealed; check both."""
        fields = verify_receipt(self.platform_key(), Receipt.from_json(receipt_json))
        if (fields.ciphertext_sha256 != envelope.ciphertext_sha256
                or fields.manifest_sha256 != envelope.manifest_sha256()):
            raise BidderError("RECEIPT_MISMATCH", "the receipt does not name the bid we sealed")
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
