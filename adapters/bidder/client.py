"""A Python client for bidders and opening keyholders, run on their own machines.

Bidders: fetch the round's keyholders' public keys, seal a bid locally (its data key split k-of-n
among the keyholders, envelope version 2), submit it, check the receipt. The plaintext and the
data key never leave this process.

Keyholders: make their own key pair here (the private key encrypted with a passphrase, the public
key for the centre), and at a fallback opening unwrap their share of each bid awaiting them. This
is the only place keys that can open a bid are made: the server never makes one (电子招标投标办法
第二十八条).
"""

from __future__ import annotations

import base64
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
from core.sealing.envelope import Envelope, seal_bid, unwrap_share_as_keyholder
from core.sealing.package import BidPackage, build_package, read_package
from core.sealing.receipts import Receipt, ReceiptFields, verify_receipt
from core.sealing.wrap import key_fingerprint

ENVELOPE_FILE = "envelope.json"
CIPHERTEXT_FILE = "bid.sealed"
PACKAGE_FILE = "bid-package.zip"
MIN_PASSPHRASE = 12


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


def generate_keyholder_key(key_path: Path, public_path: Path, passphrase: bytes
                           ) -> ec.EllipticCurvePublicKey:
    """An opening keyholder's own P-256 key pair, made on its machine: the private key in an
    owner-only PKCS#8 file encrypted with ``passphrase``, the public key as PEM for the centre,
    which configures rounds with it. Neither file is ever replaced."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise BidderError("PASSPHRASE_TOO_SHORT",
                          f"the passphrase needs at least {MIN_PASSPHRASE} characters")
    if public_path.exists():
        raise FileExistsError(public_path)
    key = ec.generate_private_key(ec.SECP256R1())
    write_secret_file(key_path, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase)))
    public = key.public_key()
    with public_path.open("xb") as out:
        out.write(public_pem(public).encode())
    return public


def public_pem(key: ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def is_encrypted_key(path: Path) -> bool:
    """An encrypted PKCS#8 PEM (a keyholder's key) rather than a plain one (a bidder's)."""
    return _encrypted(path.read_bytes())


def _encrypted(pem: bytes) -> bool:
    return pem.lstrip().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")


def load_private_key(path: Path, passphrase: bytes | None = None) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM; ``passphrase`` for an encrypted one (a keyholder's)."""
    data = path.read_bytes()
    key = serialization.load_pem_private_key(
        data, password=passphrase if _encrypted(data) else None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} is not an EC private key")
    return key


def load_public_key(pem: str | bytes) -> ec.EllipticCurvePublicKey:
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an EC public key")
    return key


@dataclass(frozen=True)
class RoundKeys:
    """What a bid is sealed to: the keyholders' public keys in share order, and k."""

    threshold: int
    names: tuple[str, ...]
    keys: tuple[ec.EllipticCurvePublicKey, ...]
    fingerprints: tuple[str, ...]


def round_keys(round_json: Mapping[str, Any], expected: Sequence[str] = ()) -> RoundKeys:
    """The keyholders' keys from the published round, each checked against its published
    fingerprint, and, with ``expected`` (fingerprints from the tender documents), against those:
    a server that swapped in keys of its own would be found here, before anything is sealed."""
    if round_json.get("envelope_version") != 2:
        raise BidderError("ROUND_LEGACY_COMMITTEE",
                          "this round was configured with a platform-made committee key "
                          "(envelope version 1), which this tool no longer seals to")
    names, keys, prints = [], [], []
    for n, holder in enumerate(round_json["keyholder_keys"], start=1):
        key = load_public_key(holder["public_key_pem"])
        fingerprint = key_fingerprint(key).hex()
        if holder["index"] != n or holder["fingerprint"] != fingerprint:
            raise BidderError("KEYHOLDERS_MISMATCH", "the published keyholder keys are not "
                              "consistent (index or fingerprint)")
        names.append(str(holder["name"]))
        keys.append(key)
        prints.append(fingerprint)
    wanted = {e.strip().lower().replace(":", "") for e in expected}
    if wanted and wanted != set(prints):
        raise BidderError("KEYHOLDERS_MISMATCH", "the round's keyholder keys are not the ones "
                          "given with --keyholder-fingerprint (the tender documents)")
    return RoundKeys(int(round_json["threshold"]), tuple(names), tuple(keys), tuple(prints))


def check_announced(keys: RoundKeys, notice_json: Mapping[str, Any], section_code: str,
                    round_no: int) -> bool:
    """The round's keys against the published tender notice's (电子招标投标办法 28): the same
    k and, in share order, the same fingerprints. ``True`` when the notice lists the round and
    they match; ``False`` when it does not list it (a notice published before the keyholders
    were, or of another round); ``KEYHOLDERS_NOT_AS_PUBLISHED`` when they differ — the server
    hands out keys other than those announced, so nothing is sealed to them."""
    entry = next((a for a in notice_json.get("keyholders") or []
                  if a.get("section_code") == section_code and a.get("round_no") == round_no),
                 None)
    if entry is None:
        return False
    announced = [str(k["fingerprint"]).lower() for k in sorted(
        entry["keyholders"], key=lambda k: int(k["index"]))]
    if int(entry["threshold"]) != keys.threshold or announced != list(keys.fingerprints):
        raise BidderError(
            "KEYHOLDERS_NOT_AS_PUBLISHED",
            f"the keyholder keys the server gives for {section_code} round {round_no} "
            f"({keys.threshold} of {len(keys.fingerprints)}: {', '.join(keys.fingerprints)}) are "
            f"not those published in tender notice {notice_json.get('id')} "
            f"({entry['threshold']} of {len(announced)}: {', '.join(announced)}); nothing was "
            "sealed — tell the centre and the supervisor")
    return True


def seal_file(plaintext: Path, out_dir: Path, section_code: str, bidder_id: str,
              bidder_key: ec.EllipticCurvePrivateKey,
              keyholder_keys: Sequence[ec.EllipticCurvePublicKey], threshold: int) -> Envelope:
    """Seal ``plaintext`` into ``out_dir``/bid.sealed with its envelope.json (version 2: the
    data key wrapped to the bidder and shared ``threshold``-of-n among ``keyholder_keys``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with plaintext.open("rb") as src, (out_dir / CIPHERTEXT_FILE).open("wb") as dst:
        envelope = seal_bid(src, dst, section_code, bidder_id, bidder_key.public_key(),
                            keyholder_keys, threshold)
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

    def notice(self, notice_id: int) -> dict[str, Any]:
        """A published notice, as the public reads it (no sign-in needed)."""
        with self._client() as c:
            return dict(self._ok(c.get(f"/public/notices/{notice_id}")))

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
    with client._client() as c:
        return dict(client._ok(c.post(f"/sections/{section_code}/opening/key",
                                      json={"dek": base64.b64encode(dek).decode()})))


def committee_record(client: BidderClient, section_code: str) -> Committee:
    """Legacy rounds (envelope version 1): the committee as published, every share of its key
    encrypted to its keyholder."""
    with client._client() as c:
        record = client._ok(c.get(f"/sections/{section_code}/rounds/current/committee"))
    return Committee.from_json(json.dumps(record))


@dataclass(frozen=True)
class UnwrappedShare:
    bid_id: int | None
    bidder_id: str
    share: str  # base64, for the keyholders' hand-in


def awaiting_keyholders(client: BidderClient, section_code: str) -> list[dict[str, Any]]:
    """After the bidders' window: the bids awaiting the keyholders, with their envelopes."""
    with client._client() as c:
        return list(client._ok(c.get(f"/sections/{section_code}/opening/committee")))


def unwrap_shares(envelopes: Sequence[tuple[int | None, Envelope]],
                  keyholder_key: ec.EllipticCurvePrivateKey) -> list[UnwrappedShare]:
    """On the keyholder's machine: its share of each bid's data key, each checked against the
    commitment in that bid's envelope. A bid whose share does not open is refused (its code
    names why), so the keyholder knows before handing anything in."""
    return [UnwrappedShare(bid_id, env.bidder_id, base64.b64encode(
        unwrap_share_as_keyholder(env, keyholder_key).to_bytes()).decode())
        for bid_id, env in envelopes]


def hand_in_shares(client: BidderClient, section_code: str, shares: Sequence[str]
                   ) -> list[dict[str, Any]]:
    """The keyholders' opening session (a centre staff token): k shares per bid to open."""
    with client._client() as c:
        return list(client._ok(c.post(f"/sections/{section_code}/opening/committee",
                                      json={"shares": list(shares)})))
