"""Tendering rounds through the API: the legal limits at configuration and issue, sealed bids
from registered bidders with signed receipts, and the deadline deciding opening or 流标.

Bids are sealed here exactly as the bidder's client does it (adapters.bidder.client.seal_file),
so the server only ever sees ciphertext.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from adapters.bidder.client import (
    CIPHERTEXT_FILE,
    ENVELOPE_FILE,
    load_public_key,
    round_keys,
    seal_file,
)
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from core.model.tendering import Bid
from core.sealing.envelope import Envelope
from core.sealing.receipts import Receipt, verify_receipt
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api

PLAINTEXT = '{"price": "40100000.00", "duration_days": 520, "quality": "合格"}'.encode()


def pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class Tender:
    """A section with a configured round, and the keys of its three keyholders."""

    def __init__(self, api: Api, days: int = 21, deposit: str | None = "800000.00") -> None:
        self.api = api
        _, self.owner = api.register("owner", "MA2Y0001", ["tenderer"])
        project = api.project(self.owner)
        tp = api.tender_project(self.owner, project["code"])
        self.section = api.section(self.owner, tp["code"])["code"]  # estimated 41,200,000.00
        self.keyholders = [ec.generate_private_key(ec.SECP256R1()) for _ in range(3)]
        self.deadline = api.container.clock.now() + timedelta(days=days)
        body: dict[str, Any] = {
            "bid_deadline": self.deadline.isoformat(), "threshold": 2, "deposit": deposit,
            "keyholders": [{"name": f"keyholder-{i}", "public_key_pem": pem(k)}
                           for i, k in enumerate(self.keyholders)]}
        self.configure = api.client.post(f"/api/v1/sections/{self.section}/rounds",
                                         json=body, headers=self.owner)

    def issue(self) -> dict[str, Any]:
        r = self.api.client.post(f"/api/v1/sections/{self.section}/rounds/current/issue",
                                 headers=self.owner)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def bidder(self, name: str, body8: str) -> tuple[dict[str, str], str, Any]:
        from tests.api.conftest import make_uscc

        _, headers = self.api.register(name, body8, ["bidder"])
        key = ec.generate_private_key(ec.SECP256R1())
        return headers, make_uscc(body8), key

    def seal(self, tmp: Path, bidder_id: str, key: Any, plaintext: bytes = PLAINTEXT,
             section: str | None = None, keyholder_pems: list[str] | None = None) -> Path:
        """Sealed as `ggzy-bid seal` does: to the keyholders' keys the round publishes (or to
        ``keyholder_pems``, 2 of them)."""
        round_ = self.api.client.get(f"/api/v1/sections/{self.section}/rounds/current",
                                     headers=self.owner).json()
        if keyholder_pems is not None:
            recipients, k = [load_public_key(p) for p in keyholder_pems], 2
        else:
            keys = round_keys(round_)
            recipients, k = list(keys.keys), keys.threshold
        source = tmp / f"{bidder_id}.json"
        source.write_bytes(plaintext)
        out = tmp / f"sealed-{bidder_id}-{len(list(tmp.iterdir()))}"
        seal_file(source, out, section or self.section, bidder_id, key, recipients, k)
        return out

    def submit(self, headers: dict[str, str], sealed: Path,
               ciphertext: bytes | None = None, amend: bool = False) -> Any:
        self.api.client.post(f"/api/v1/sections/{self.section}/registration", headers=headers)
        blob = ciphertext if ciphertext is not None else (sealed / CIPHERTEXT_FILE).read_bytes()
        method, url = (("PUT", f"/api/v1/sections/{self.section}/bids/mine") if amend
                       else ("POST", f"/api/v1/sections/{self.section}/bids"))
        return self.api.client.request(method, url, headers=headers,
                                       files={"envelope": ("e.json",
                                                        (sealed / ENVELOPE_FILE).read_bytes()),
                                           "ciphertext": ("b", io.BytesIO(blob))})


def test_reg_26_deposit_over_two_percent_is_refused(api: Api) -> None:
    t = Tender(api, deposit="824000.01")  # 2 % of 41,200,000.00 is 824,000.00
    assert t.configure.status_code == 422
    assert t.configure.json()["code"] == "DEPOSIT_OVER_LIMIT_REG_26"
    ok = Tender.__new__(Tender)  # the same section, at exactly 2 %, is accepted
    r = api.client.post(f"/api/v1/sections/{t.section}/rounds", headers=t.owner, json={
        "bid_deadline": t.deadline.isoformat(), "threshold": 2, "deposit": "824000.00",
        "keyholders": [{"name": f"k{i}", "public_key_pem": pem(k)}
                       for i, k in enumerate(t.keyholders)]})
    assert r.status_code == 201, r.text
    del ok


def test_law_24_documents_need_twenty_days_before_the_deadline(api: Api) -> None:
    t = Tender(api, days=19)  # refused when configured, not first at issue (issue 10 §2)
    assert t.configure.status_code == 422, t.configure.text
    assert t.configure.json()["code"] == "BIDDING_PERIOD_TOO_SHORT_LAW_24"


def test_sealed_bids_get_verified_receipts_and_the_server_holds_no_plaintext(
        api: Api, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    headers, uscc, key = t.bidder("b1", "MA2YB001")
    sealed = t.seal(tmp_path, uscc, key)
    r = t.submit(headers, sealed)
    assert r.status_code == 201, r.text
    envelope = Envelope.from_json((sealed / ENVELOPE_FILE).read_bytes())
    platform_pem = api.client.get("/api/v1/public/platform-keys").json()
    platform_key = serialization.load_pem_public_key(
        platform_pem["receipt_signing_key_pem"].encode())
    fields = verify_receipt(platform_key, Receipt.from_json(r.json()["receipt"]))  # type: ignore[arg-type]
    assert fields.ciphertext_sha256 == envelope.ciphertext_sha256
    assert fields.manifest_sha256 == envelope.manifest_sha256()
    stored = api.container.bid_store.path_of(envelope.ciphertext_sha256).read_bytes()
    assert stored == (sealed / CIPHERTEXT_FILE).read_bytes()
    assert b"40100000.00" not in stored
    with api.container.session_factory() as s:
        row = s.scalars(select(Bid)).one()
        assert b"40100000.00" not in (row.envelope + row.receipt).encode()
        # nothing about the bid, or that it exists, is announced before the deadline
        types = s.scalars(select(OutboxEvent.event_type)).all()
    assert not [x for x in types if x.startswith(("bid", "registration"))]


def test_a_bidder_sees_only_its_own_bids(api: Api, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    h1, id1, k1 = t.bidder("b1", "MA2YB001")
    h2, _, _ = t.bidder("b2", "MA2YB002")
    assert t.submit(h1, t.seal(tmp_path, id1, k1)).status_code == 201
    assert api.client.get(f"/api/v1/sections/{t.section}/bids/mine", headers=h2).json() == []
    api.client.post(f"/api/v1/sections/{t.section}/registration", headers=h2)
    assert api.client.get(f"/api/v1/sections/{t.section}/bids/mine", headers=h2).json() == []
    assert len(api.client.get(f"/api/v1/sections/{t.section}/bids/mine",
                              headers=h1).json()) == 1
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    r = api.client.get(f"/api/v1/sections/{t.section}/bids/mine", headers=staff)
    assert r.status_code == 403


def test_an_amended_bid_may_be_as_large_as_a_first_one(api: Api, tmp_path: Path) -> None:
    """Both uploads take the bid limit, not the 1 MiB of ordinary requests."""
    t = Tender(api)
    t.issue()
    headers, uscc, key = t.bidder("b1", "MA2YB001")
    big = PLAINTEXT[:-1] + b', "annex": "' + b"x" * 1_500_000 + b'"}'
    assert t.submit(headers, t.seal(tmp_path, uscc, key, plaintext=big)).status_code == 201
    r = t.submit(headers, t.seal(tmp_path, uscc, key, plaintext=big), amend=True)
    assert r.status_code == 200, r.text


def test_law_29_amend_and_withdraw_before_the_deadline(api: Api, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    headers, uscc, key = t.bidder("b1", "MA2YB001")
    assert t.submit(headers, t.seal(tmp_path, uscc, key)).status_code == 201
    amended = t.seal(tmp_path, uscc, key, plaintext=PLAINTEXT.replace(b"401", b"399"))
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/bids", 409,
                        "BID_ALREADY_SUBMITTED", headers=headers, files={
                            "envelope": ("e", (amended / ENVELOPE_FILE).read_bytes()),
                            "ciphertext": ("b", (amended / CIPHERTEXT_FILE).read_bytes())})
    assert t.submit(headers, amended, amend=True).status_code == 200
    bids = api.client.get(f"/api/v1/sections/{t.section}/bids/mine", headers=headers).json()
    assert [b["status"] for b in bids] == ["superseded", "sealed"]
    r = api.client.delete(f"/api/v1/sections/{t.section}/bids/mine", headers=headers)
    assert r.json()["status"] == "withdrawn"


def test_law_28_a_late_bid_is_refused(api: Api, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    headers, uscc, key = t.bidder("b1", "MA2YB001")
    sealed = t.seal(tmp_path, uscc, key)
    api.client.post(f"/api/v1/sections/{t.section}/registration", headers=headers)
    api.container.clock.set(t.deadline + timedelta(seconds=1))  # type: ignore[attr-defined]
    headers = api.token("b1")  # a new day, a new sign-in (tokens last 12 hours)
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/bids", 409, "BID_LATE_LAW_28",
                        headers=headers, files={
                            "envelope": ("e", (sealed / ENVELOPE_FILE).read_bytes()),
                            "ciphertext": ("b", (sealed / CIPHERTEXT_FILE).read_bytes())})


def test_bad_bids_are_refused_and_change_nothing(api: Api, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    headers, uscc, key = t.bidder("b1", "MA2YB001")
    sealed = t.seal(tmp_path, uscc, key)
    api.client.post(f"/api/v1/sections/{t.section}/registration", headers=headers)
    blob = bytearray((sealed / CIPHERTEXT_FILE).read_bytes())
    blob[-1] ^= 1
    files = {"envelope": ("e", (sealed / ENVELOPE_FILE).read_bytes()),
             "ciphertext": ("b", bytes(blob))}
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/bids", 422, "BID_TAMPERED",
                        headers=headers, files=files)
    other = t.seal(tmp_path, uscc, key, section=t.section[:-3] + "999")
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/bids", 422, "BID_WRONG_SECTION",
                        headers=headers, files={
                            "envelope": ("e", (other / ENVELOPE_FILE).read_bytes()),
                            "ciphertext": ("b", (other / CIPHERTEXT_FILE).read_bytes())})
    strangers = [pem(t.keyholders[0]), pem(t.keyholders[1]),
                 pem(ec.generate_private_key(ec.SECP256R1()))]  # one key not the round's
    wrong = t.seal(tmp_path, uscc, key, keyholder_pems=strangers)
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/bids", 422,
                        "BID_WRONG_COMMITTEE", headers=headers, files={
                            "envelope": ("e", (wrong / ENVELOPE_FILE).read_bytes()),
                            "ciphertext": ("b", (wrong / CIPHERTEXT_FILE).read_bytes())})
    h2, id2, k2 = t.bidder("b2", "MA2YB002")
    unregistered = t.seal(tmp_path, id2, k2)
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/bids", 409, "NOT_REGISTERED",
                        headers=h2, files={
                            "envelope": ("e", (unregistered / ENVELOPE_FILE).read_bytes()),
                            "ciphertext": ("b", (unregistered / CIPHERTEXT_FILE).read_bytes())})


def test_law_28_fewer_than_three_bids_fail_the_round(api: Api, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    for name, body in (("b1", "MA2YB001"), ("b2", "MA2YB002")):
        headers, uscc, key = t.bidder(name, body)
        assert t.submit(headers, t.seal(tmp_path, uscc, key)).status_code == 201
    api.container.clock.set(t.deadline)  # type: ignore[attr-defined]
    assert run_due(api.container.uow) == 1
    t.owner = api.token("owner")
    r = api.client.get(f"/api/v1/sections/{t.section}/rounds/current", headers=t.owner).json()
    assert r["status"] == "failed" and r["failure_reason"].startswith("TOO_FEW_BIDS_LAW_28")
    with api.container.session_factory() as s:
        assert "round.failed" in s.scalars(select(OutboxEvent.event_type)).all()
    # the section can be tendered again, in round 2
    again = api.client.post(f"/api/v1/sections/{t.section}/rounds", headers=t.owner, json={
        "bid_deadline": (t.deadline + timedelta(days=30)).isoformat(), "threshold": 2,
        "keyholders": [{"name": f"k{i}", "public_key_pem": pem(k)}
                       for i, k in enumerate(t.keyholders)]})
    assert again.status_code == 201 and again.json()["round_no"] == 2


def test_three_bids_start_the_opening_at_the_deadline(api: Api, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    for name, body in (("b1", "MA2YB001"), ("b2", "MA2YB002"), ("b3", "MA2YB003")):
        headers, uscc, key = t.bidder(name, body)
        assert t.submit(headers, t.seal(tmp_path, uscc, key)).status_code == 201
    api.container.clock.set(t.deadline - timedelta(seconds=1))  # type: ignore[attr-defined]
    assert run_due(api.container.uow) == 0  # not yet
    api.container.clock.set(t.deadline)  # type: ignore[attr-defined]
    assert run_due(api.container.uow) == 1
    r = api.client.get(f"/api/v1/sections/{t.section}/rounds/current",
                       headers=api.token("owner")).json()
    assert r["status"] == "opening"


def test_law_23_a_late_clarification_moves_the_deadline(api: Api) -> None:
    t = Tender(api, days=30)
    t.issue()
    api.container.clock.set(t.deadline - timedelta(days=10))  # type: ignore[attr-defined]
    r = api.client.post(f"/api/v1/sections/{t.section}/rounds/current/clarify",
                        headers=api.token("owner")).json()
    from datetime import datetime

    moved = datetime.fromisoformat(r["bid_deadline"])
    assert moved >= api.container.clock.now() + timedelta(days=15)
