"""The online opening: keys handed in within the window, keyholders opening what bidders did
not (each with its share of that bid's data key, unwrapped on its side), bids treated as 电子办法
Art. 31 says, and the signed opening record. And nobody opens a bid before the deadline."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from adapters.bidder.client import unwrap_dek, unwrap_shares
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from core.sealing.envelope import Envelope
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api
from tests.api.test_api_tendering import PLAINTEXT, Tender

BIDDERS = (("b1", "MA2YB001", "40100000.00"), ("b2", "MA2YB002", "39800000.00"),
           ("b3", "MA2YB003", "41000000.00"))


class Opening:
    """A round with three sealed bids, moved to its deadline."""

    def __init__(self, api: Api, tmp: Path, fallback: bool = True, days: int = 21) -> None:
        self.api = api
        self.t = Tender(api, days=days)
        self.t.issue()
        self.sealed: dict[str, tuple[Path, Any]] = {}
        self.keyholder_login: dict[str, str] | None = None
        for name, body8, price in BIDDERS:
            headers, uscc, key = self.t.bidder(name, body8)
            sealed = self.t.seal(tmp, uscc, key,
                                 plaintext=PLAINTEXT.replace(b"40100000.00", price.encode()))
            assert self.t.submit(headers, sealed).status_code == 201
            self.sealed[name] = (sealed, key)
        if not fallback:
            from core.model.tendering import Round

            with api.container.session_factory() as s:
                r = s.scalars(select(Round)).one()
                r.committee_fallback = False
                s.commit()

    def at(self, moment: Any) -> None:
        self.api.container.clock.set(moment)  # type: ignore[attr-defined]

    def to_deadline(self) -> None:
        self.at(self.t.deadline)
        assert run_due(self.api.container.uow, self.api.container.signer) == 1

    def hand_in(self, name: str, dek: bytes | None = None) -> Any:
        sealed, key = self.sealed[name]
        dek = dek if dek is not None else unwrap_dek(sealed, key)
        return self.api.client.post(f"/api/v1/sections/{self.t.section}/opening/key",
                                    headers=self.api.token(name),
                                    json={"dek": base64.b64encode(dek).decode()})

    def shares(self, count: int, *names: str) -> list[str]:
        """The first ``count`` keyholders' shares, each unwrapped on the keyholder's side as
        `ggzy-bid keyholder unwrap-share` does: of the bids awaiting the keyholders, fetched as
        the tool fetches them, or (``names``, any time) of those bidders' envelopes."""
        if names:
            envelopes = [(None, Envelope.from_json((self.sealed[n][0] / "envelope.json")
                                                   .read_bytes())) for n in names]
        else:
            if self.keyholder_login is None:  # a supervisor among the keyholders fetches them
                self.keyholder_login = self.api.account("kh-supervisor", AccountKind.SUPERVISOR)
            awaiting = self.api.client.get(
                f"/api/v1/sections/{self.t.section}/opening/committee",
                headers=self.keyholder_login)
            assert awaiting.status_code == 200, awaiting.text
            envelopes = [(a["bid_id"], Envelope.from_json(json.dumps(a["envelope"])))
                         for a in awaiting.json()]
        return [s.share for key in self.t.keyholders[:count]
                for s in unwrap_shares(envelopes, key)]


def test_bids_cannot_be_opened_before_the_deadline(api: Api, tmp_path: Path) -> None:
    o = Opening(api, tmp_path)
    r = o.hand_in("b1")  # even the right key, from the bidder itself
    assert r.status_code == 409 and r.json()["code"] == "OPENING_WINDOW_CLOSED"
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    api.unchanged_after("POST", f"/api/v1/sections/{o.t.section}/opening/committee", 409,
                        "OPENING_WINDOW_NOT_OVER", headers=staff,
                        json={"shares": o.shares(2, "b1", "b2", "b3")})
    api.unchanged_after("GET", f"/api/v1/sections/{o.t.section}/opening/committee", 409,
                        "OPENING_WINDOW_NOT_OVER", headers=staff)  # not even which are sealed
    api.unchanged_after("POST", f"/api/v1/sections/{o.t.section}/opening/close", 409,
                        "OPENING_WINDOW_NOT_OVER", headers=staff)


def test_opening_with_a_keyholder_fallback_and_a_signed_record(api: Api,
                                                              tmp_path: Path) -> None:
    o = Opening(api, tmp_path)
    o.to_deadline()
    first = o.hand_in("b1")
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "opened_by_bidder"
    assert first.json()["price"] == "40100000.00"
    assert o.hand_in("b2").json()["declared"]["duration_days"] == 520
    # b3 does not hand in its key; after the window the keyholders open it (2 of 3)
    o.at(o.t.deadline + timedelta(minutes=61))
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    api.unchanged_after("POST", f"/api/v1/sections/{o.t.section}/opening/committee", 422,
                        "SHARES_INSUFFICIENT", headers=staff, json={"shares": o.shares(1)})
    r = api.client.post(f"/api/v1/sections/{o.t.section}/opening/committee", headers=staff,
                        json={"shares": o.shares(2)})
    assert r.status_code == 200, r.text
    assert [(x["outcome"], x["price"]) for x in r.json()] == [
        ("opened_by_committee", "41000000.00")]
    closed = api.client.post(f"/api/v1/sections/{o.t.section}/opening/close", headers=staff)
    assert closed.status_code == 200, closed.text
    public = api.client.get(f"/api/v1/public/sections/{o.t.section}/opening-record").json()
    key = serialization.load_pem_public_key(api.client.get(
        "/api/v1/public/platform-keys").json()["receipt_signing_key_pem"].encode())
    key.verify(base64.b64decode(public["signature"]), public["body"].encode())  # type: ignore[union-attr]
    record = json.loads(public["body"])
    assert sorted(b["price"] for b in record["bids"]) == sorted(p for *_, p in BIDDERS)
    assert {b["outcome"] for b in record["bids"]} == {"opened_by_bidder", "opened_by_committee"}
    with api.container.session_factory() as s:
        assert "round.opened" in s.scalars(select(OutboxEvent.event_type)).all()


def test_a_wrong_key_is_refused_and_can_be_tried_again(api: Api, tmp_path: Path) -> None:
    o = Opening(api, tmp_path)
    o.to_deadline()
    sealed_b2, key_b2 = o.sealed["b2"]
    r = o.hand_in("b1", dek=unwrap_dek(sealed_b2, key_b2))  # b2's key for b1's bid
    assert r.status_code == 422 and r.json()["code"] in ("BID_KEY_MISMATCH", "BID_TAMPERED")
    assert o.hand_in("b1").status_code == 200  # the right key still works in the window


def test_art_31_without_a_fallback_an_unopened_bid_is_revoked(api: Api,
                                                              tmp_path: Path) -> None:
    o = Opening(api, tmp_path, fallback=False)
    o.to_deadline()
    for name in ("b1", "b2"):
        assert o.hand_in(name).status_code == 200
    o.at(o.t.deadline + timedelta(minutes=61))
    assert run_due(api.container.uow, api.container.signer) == 1  # the window's end closes it
    record = json.loads(api.client.get(
        f"/api/v1/public/sections/{o.t.section}/opening-record").json()["body"])
    outcomes = sorted((b["outcome"], b["failure_code"], b["cause"]) for b in record["bids"])
    # no platform incident on record: presumed the bidder's doing (tests/api/test_api_decryption)
    assert outcomes == [("opened_by_bidder", None, None), ("opened_by_bidder", None, None),
                        ("revoked", "NOT_DECRYPTED_BY_BIDDER", "bidder")]


def test_art_31_a_bid_damaged_in_storage_is_retracted_not_revoked(api: Api,
                                                                  tmp_path: Path) -> None:
    o = Opening(api, tmp_path)
    o.to_deadline()
    sealed, _ = o.sealed["b3"]
    from core.sealing.envelope import Envelope

    address = Envelope.from_json((sealed / "envelope.json").read_bytes()).ciphertext_sha256
    path = api.container.bid_store.path_of(address)
    path.chmod(0o600)
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    assert o.hand_in("b3").json()["code"] == "BID_TAMPERED"
    o.at(o.t.deadline + timedelta(minutes=61))
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    r = api.client.post(f"/api/v1/sections/{o.t.section}/opening/committee", headers=staff,
                        json={"shares": o.shares(2)})
    outcomes = sorted((x["outcome"], x["failure_code"] or "") for x in r.json())
    assert outcomes == [("opened_by_committee", ""), ("opened_by_committee", ""),
                        ("retracted", "BID_TAMPERED")]  # the damage is not b3's doing: 撤回


def _damage(o: Opening, name: str) -> int:
    """Flip the last byte of a sealed bid's stored ciphertext, as someone with access to the
    bid store could; returns the bid's id."""
    from core.model.tendering import Bid
    from core.sealing.envelope import Envelope

    sealed, _ = o.sealed[name]
    address = Envelope.from_json((sealed / "envelope.json").read_bytes()).ciphertext_sha256
    path = o.api.container.bid_store.path_of(address)
    path.chmod(0o600)
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    with o.api.container.session_factory() as s:
        return int(s.scalars(select(Bid.id).where(Bid.ciphertext_sha256 == address)).one())


def test_a_tampered_bid_is_audited_and_told_to_the_supervisors(api: Api,
                                                               tmp_path: Path) -> None:
    from tests.api.conftest import fingerprint

    o = Opening(api, tmp_path)
    o.to_deadline()
    bid_id = _damage(o, "b3")
    supervisor = api.account("jdz", AccountKind.SUPERVISOR)
    b3 = api.token("b3")
    sealed, key = o.sealed["b3"]
    dek = base64.b64encode(unwrap_dek(sealed, key)).decode()  # the right key, on b3's side
    before = fingerprint(api.container)
    r = api.client.post(f"/api/v1/sections/{o.t.section}/opening/key", headers=b3,
                        json={"dek": dek})
    assert r.status_code == 422 and r.json()["code"] == "BID_TAMPERED"
    assert r.headers["content-type"].startswith("application/problem+json")
    after = fingerprint(api.container)
    # the refusal is on record and announced; the bid, its opening and the round are untouched
    assert {t for t in before if before[t] != after[t]} == {"audit_log", "audit_head", "outbox"}

    def tampered_entries() -> list[dict[str, Any]]:
        got = api.client.get("/api/v1/audit", headers=supervisor,
                             params={"object_type": "bid", "object_id": str(bid_id)})
        assert got.status_code == 200, got.text
        return [e for e in got.json()["items"] if e["action"] == "bid.tampered"]

    def tampered_events() -> list[OutboxEvent]:
        with api.container.session_factory() as s:
            return list(s.scalars(select(OutboxEvent).where(
                OutboxEvent.event_type == "bid.tampered")))

    (entry,) = tampered_entries()
    assert entry["actor"] == "party_user:b3"
    (event,) = tampered_events()
    assert event.aggregate_id == o.t.section and event.actor == "party_user:b3"
    assert event.payload["section_code"] == o.t.section
    assert event.payload["code"] == "BID_TAMPERED"
    assert event.payload["detected_by"] == "bidder_key"
    assert event.payload["reason"] == "chunk authentication failed"
    assert event.payload["bid"]["bid_id"] == bid_id
    assert event.payload["bid"]["bidder_name"] == "b3 有限公司"

    assert o.hand_in("b3").json()["code"] == "BID_TAMPERED"  # tried again: audited again,
    assert len(tampered_entries()) == 2
    assert len(tampered_events()) == 1  # announced once
    o.at(o.t.deadline + timedelta(minutes=61))
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    r = api.client.post(f"/api/v1/sections/{o.t.section}/opening/committee", headers=staff,
                        json={"shares": o.shares(2)})
    assert r.status_code == 200, r.text
    assert ("retracted", "BID_TAMPERED") in [(x["outcome"], x["failure_code"]) for x in r.json()]
    assert len(tampered_entries()) == 3 and len(tampered_events()) == 1


def test_keyholders_finding_a_tampered_bid_tell_the_supervisors(api: Api,
                                                                tmp_path: Path) -> None:
    o = Opening(api, tmp_path)
    o.to_deadline()
    bid_id = _damage(o, "b2")  # b2 never hands in its key: the keyholders find it
    o.at(o.t.deadline + timedelta(minutes=61))
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    r = api.client.post(f"/api/v1/sections/{o.t.section}/opening/committee", headers=staff,
                        json={"shares": o.shares(2)})
    assert r.status_code == 200, r.text
    with api.container.session_factory() as s:
        (event,) = s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "bid.tampered")).all()
    assert event.payload["bid"]["bid_id"] == bid_id
    assert event.payload["detected_by"] == "keyholders" and event.actor == "centre_staff:staff"


def test_a_wrong_key_for_an_intact_bid_changes_nothing(api: Api, tmp_path: Path) -> None:
    """Only tampering is put on record: a bidder's wrong key is its own business."""
    o = Opening(api, tmp_path)
    o.to_deadline()
    sealed_b2, key_b2 = o.sealed["b2"]
    api.unchanged_after("POST", f"/api/v1/sections/{o.t.section}/opening/key", 422,
                        "BID_KEY_MISMATCH", headers=api.token("b1"),
                        json={"dek": base64.b64encode(unwrap_dek(sealed_b2, key_b2)).decode()})


def test_reg_44_the_opening_record_lists_the_objections_raised_on_site_with_their_answers(
        api: Api, tmp_path: Path) -> None:
    """条例 44: an objection to the opening is raised and answered on site, and recorded — in
    the signed record (its REST view) and in the 开标记录 notice made from it."""
    o = Opening(api, tmp_path, fallback=False)
    o.to_deadline()
    for name in ("b1", "b2", "b3"):
        assert o.hand_in(name).status_code == 200
    url = f"/api/v1/sections/{o.t.section}/objections"
    answered = api.client.post(url, headers=api.token("b3"), json={
        "text": "b1 的解密时间晚于公布的开标时间", "stage": "opening"})
    assert answered.status_code == 201, answered.text
    left = api.client.post(url, headers=api.token("b2"), json={
        "text": "开标一览表的工期读错", "stage": "opening"})
    assert left.status_code == 201, left.text
    reply = api.client.post(f"{url}/{answered.json()['id']}/answer", headers=api.token("owner"),
                            json={"answer": "经核对，b1 在解密时段内解密，异议不成立"})
    assert reply.status_code == 200, reply.text
    o.at(o.t.deadline + timedelta(minutes=61))
    assert run_due(api.container.uow, api.container.signer) == 1  # the window's end closes it
    public = api.client.get(f"/api/v1/public/sections/{o.t.section}/opening-record").json()
    key = serialization.load_pem_public_key(api.client.get(
        "/api/v1/public/platform-keys").json()["receipt_signing_key_pem"].encode())
    key.verify(base64.b64decode(public["signature"]), public["body"].encode())  # type: ignore[union-attr]
    listed = json.loads(public["body"])["objections"]
    assert [(x["bidder_name"], x["answer"]) for x in listed] == [
        ("b3 有限公司", "经核对，b1 在解密时段内解密，异议不成立"),
        ("b2 有限公司", None)]  # unanswered by the window's end: recorded as such
    assert listed[0]["objection_id"] == answered.json()["id"] and listed[0]["answered_at"]
    assert listed[1]["text"] == "开标一览表的工期读错" and listed[1]["answered_at"] is None
    notices = api.client.get("/api/v1/public/notices?notice_type=opening_record").json()["items"]
    assert len(notices) == 1
    content = notices[0]["content"]
    assert "开标现场异议及答复" in content and "b1 的解密时间晚于公布的开标时间" in content
    assert "经核对，b1 在解密时段内解密，异议不成立" in content and "开标现场未作答复" in content


def test_reg_44_an_opening_without_objections_records_none(api: Api, tmp_path: Path) -> None:
    o = Opening(api, tmp_path, fallback=False)
    o.to_deadline()
    o.at(o.t.deadline + timedelta(minutes=61))
    run_due(api.container.uow, api.container.signer)
    public = api.client.get(f"/api/v1/public/sections/{o.t.section}/opening-record").json()
    assert json.loads(public["body"])["objections"] == []
