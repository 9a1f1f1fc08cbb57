"""Bids stay sealed: what the platform stores never contains the bid or a key that opens it.

"Stored" is everything the server side keeps for a sealed bid: the ciphertext file in the store,
the envelope manifest, the published keyholder panel and the receipt. "Opens it" is the DEK,
any keyholder's share of it, any keyholder's private key and the bidder's private key. Binary
fields in the JSON records are decoded before searching, so nothing hides behind base64 or hex.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.sealing.envelope import (
    Envelope,
    dek_from_shares,
    open_bid,
    seal_bid,
    unwrap_as_bidder,
    unwrap_share_as_keyholder,
)
from core.sealing.keyholders import KeyholderPanel
from core.sealing.receipts import ReceiptFields, new_receipt_id, sign_receipt
from core.sealing.store import FolderStore
from core.sealing.wrap import CONTEXT_DIGEST_SIZE, key_fingerprint
from tests.unit.sealing.conftest import BIDDER, SECTION

Keys = list[tuple[str, ec.EllipticCurvePrivateKey]]
MARKERS = [
    "投标总价：人民币壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元整",
    "ACME-CONFIDENTIAL-UNIT-PRICE-4711",
]


def bid_document(size: int) -> bytes:
    text = "\n".join(MARKERS) + "\n第一章 投标函\n" + "工程量清单报价明细 " * 40
    doc = (text.encode() * (size // len(text.encode()) + 1))[:size]
    return doc + "\n".join(MARKERS).encode()


def forms(secret: bytes) -> list[bytes]:
    return [secret, secret.hex().encode(), secret.hex().upper().encode(),
            base64.b64encode(secret), base64.urlsafe_b64encode(secret).rstrip(b"=")]


def decoded_strings(value: object) -> list[bytes]:
    """Every string in a JSON record, plus what it decodes to as base64 or hex."""
    out: list[bytes] = []
    if isinstance(value, dict):
        for item in value.values():
            out += decoded_strings(item)
    elif isinstance(value, list):
        for item in value:
            out += decoded_strings(item)
    elif isinstance(value, str):
        out.append(value.encode())
        for decode in (lambda s: base64.b64decode(s, validate=True), bytes.fromhex):
            with contextlib.suppress(binascii.Error, ValueError):
                out.append(decode(value))
    return out


def stored_blobs(store_root: Path, records: list[bytes]) -> list[bytes]:
    blobs = [p.read_bytes() for p in store_root.rglob("*") if p.is_file()]
    for record in records:
        blobs.append(record)
        blobs += decoded_strings(json.loads(record))
    return blobs


def seal_and_store(
    tmp: Path, plaintext: bytes, panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey,
    chunk: int,
) -> tuple[FolderStore, list[bytes], Envelope]:
    store = FolderStore(tmp / "store")
    bidder_side = tmp / "bidder-side.sealed"  # the bidder's own machine
    with bidder_side.open("wb") as out:
        env = seal_bid(io.BytesIO(plaintext), out, SECTION, BIDDER, bidder_key.public_key(),
                       panel.public_keys(), panel.k, chunk_size=chunk)
    with bidder_side.open("rb") as upload:
        assert store.put(upload) == env.ciphertext_sha256
    platform = Ed25519PrivateKey.from_private_bytes(os.urandom(32))
    receipt = sign_receipt(platform, ReceiptFields(
        new_receipt_id(), SECTION, BIDDER, env.ciphertext_sha256, env.ciphertext_size,
        env.manifest_sha256(), datetime.now(UTC)))
    return store, [env.to_json(), panel.to_json(), receipt.to_json()], env


def test_the_server_never_holds_plaintext_or_an_opening_key(
    tmp_path: Path, panel: KeyholderPanel, keyholder_keys: Keys,
    bidder_key: ec.EllipticCurvePrivateKey,
) -> None:
    plaintext = bid_document(3 * 65536 + 999)
    store, records, env = seal_and_store(tmp_path, plaintext, panel, bidder_key, 65536)
    blobs = stored_blobs(store.root, records)
    assert len(blobs) > 10

    # The bid is really in there: it opens, with the markers, through both paths.
    shares = [unwrap_share_as_keyholder(env, key) for _, key in keyholder_keys]
    dek = dek_from_shares(env, shares[:3])
    assert dek == unwrap_as_bidder(env, bidder_key)
    opened = io.BytesIO()
    with store.open(env.ciphertext_sha256) as stream:
        open_bid(env, stream, opened, dek)
    assert opened.getvalue() == plaintext
    assert all(m.encode() in plaintext for m in MARKERS)

    needles = [m.encode() for m in MARKERS]
    needles += [plaintext[i : i + 16] for i in range(0, len(plaintext) - 16, 509)]
    secrets_ = [dek, bidder_key.private_numbers().private_value.to_bytes(32, "big")]
    secrets_ += [key.private_numbers().private_value.to_bytes(32, "big")
                 for _, key in keyholder_keys]
    secrets_ += [share.value.to_bytes(32, "big") for share in shares]
    secrets_ += [share.to_bytes() for share in shares]
    for needle in needles + [form for s in secrets_ for form in forms(s)]:
        for blob in blobs:
            assert needle not in blob


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=16, max_size=3000), st.integers(16, 1024))
def test_no_plaintext_window_survives_sealing(
    tmp_path: Path, panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey,
    plaintext: bytes, chunk: int,
) -> None:
    run = tmp_path / os.urandom(6).hex()
    run.mkdir()
    store, records, _ = seal_and_store(run, plaintext, panel, bidder_key, chunk)
    blobs = stored_blobs(store.root, records)
    for i in range(0, len(plaintext) - 16 + 1, 16):
        window = plaintext[i : i + 16]
        assert all(window not in blob for blob in blobs)


def test_the_only_keys_in_the_envelope_are_wraps_to_the_bidder_and_each_keyholder(
    tmp_path: Path, panel: KeyholderPanel, bidder_key: ec.EllipticCurvePrivateKey,
) -> None:
    _, records, env = seal_and_store(tmp_path, b"x" * 100, panel, bidder_key, 64)
    obj = json.loads(records[0])
    assert set(obj) == {"version", "section_code", "bidder_id", "ciphertext_sha256",
                        "ciphertext_size", "chunk_size", "nonce_prefix", "bidder_key_fingerprint",
                        "dek_for_bidder", "threshold", "dek_shares"}
    assert obj["version"] == 2 and obj["threshold"] == panel.k
    assert len(base64.b64decode(obj["nonce_prefix"])) == 8
    start = 1 + CONTEXT_DIGEST_SIZE
    wraps = [(obj["dek_for_bidder"], bidder_key.public_key())]
    wraps += [(s["blob"], m.public_key) for s, m in zip(obj["dek_shares"], panel.members,
                                                        strict=True)]
    assert len(wraps) == 1 + panel.n
    for blob64, key in wraps:
        blob = base64.b64decode(blob64)
        assert blob[start : start + 32] == key_fingerprint(key)  # addressed to that key only
    assert b"PRIVATE" not in records[0].upper() and b"PRIVATE" not in records[1].upper()
    assert env.dek_for_committee == b"" and env.committee_key_fingerprint == ""
