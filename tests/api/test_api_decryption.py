"""Failed decryption over REST (电子招标投标办法 31): centre staff keep the platform's incident
log and determine why a bid was not decrypted; supervisors read; nobody else; refusals change
nothing."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from core.model.account import AccountKind
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api
from tests.api.test_api_opening import Opening


class Failing(Opening):
    """Three sealed bids, keyholders kept out by the documents, every deposit paid; b1 and b2
    hand in their keys in the window, b3 does not."""

    def __init__(self, api: Api, tmp: Path) -> None:
        super().__init__(api, tmp, fallback=False)
        api.account("staff", AccountKind.CENTRE_STAFF)
        api.account("jdz", AccountKind.SUPERVISOR)
        for name in ("b1", "b2", "b3"):
            r = self.deposit(name, "confirm")
            # before the deadline not even staff read who paid (法 22): the answer withholds it
            assert r.status_code == 200 and r.json()["withheld"] == "LAW_22", r.text
        self.to_deadline()
        for name in ("b1", "b2"):
            assert self.hand_in(name).status_code == 200

    @property
    def staff(self) -> dict[str, str]:
        return self.api.token("staff")  # signed in now: a token does not outlive the clock

    @property
    def supervisor(self) -> dict[str, str]:
        return self.api.token("jdz")

    def party(self, name: str) -> int:
        r = self.api.client.get(f"/api/v1/sections/{self.t.section}/registration",
                                headers=self.api.token(name))
        return int(r.json()["party_id"])

    def deposit(self, name: str, action: str) -> Any:
        return self.api.client.post(f"/api/v1/sections/{self.t.section}/registrations/"
                                    f"{self.party(name)}/deposit/{action}", headers=self.staff)

    def mine(self, name: str) -> dict[str, Any]:
        r = self.api.client.get(f"/api/v1/sections/{self.t.section}/registration",
                                headers=self.api.token(name))
        return dict(r.json())

    def bid_id(self, name: str) -> int:
        r = self.api.client.get(f"/api/v1/sections/{self.t.section}/bids/mine",
                                headers=self.api.token(name))
        return int(r.json()[0]["id"])

    def cause_url(self, name: str) -> str:
        return f"/api/v1/sections/{self.t.section}/opening/bids/{self.bid_id(name)}/cause"

    def failures(self, headers: dict[str, str]) -> Any:
        return self.api.client.get(f"/api/v1/sections/{self.t.section}/opening/failures",
                                   headers=headers)

    def incident(self, **overrides: Any) -> Any:
        body = {"started_at": (self.t.deadline + timedelta(minutes=5)).isoformat(),
                "ended_at": (self.t.deadline + timedelta(minutes=50)).isoformat(),
                "component": "storage", "description": "投标文件存储节点故障",
                "reference": "OPS-7", **overrides}
        return self.api.client.post("/api/v1/platform-incidents", headers=self.staff,
                                    json=body)

    def public_record(self) -> dict[str, Any]:
        r = self.api.client.get(f"/api/v1/public/sections/{self.t.section}/opening-record")
        assert r.status_code == 200, r.text
        return dict(r.json())


def test_staff_keep_the_incident_log_and_supervisors_read_it(api: Api) -> None:
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    supervisor = api.account("jdz", AccountKind.SUPERVISOR)
    _, bidder = api.register("b1", "MA2YB001", ["bidder"])
    _, tenderer = api.register("owner", "MA2Y0001", ["tenderer"])
    now = api.container.clock.now()
    body = {"started_at": (now - timedelta(hours=2)).isoformat(), "component": "ca",
            "description": "CA 证书服务中断"}
    for who in (bidder, tenderer, supervisor):
        api.unchanged_after("POST", "/api/v1/platform-incidents", 403, "ROLE_NOT_ALLOWED",
                            headers=who, json=body)
    api.unchanged_after("POST", "/api/v1/platform-incidents", 422, "INCIDENT_IN_FUTURE",
                        headers=staff, json={**body, "started_at": (
                            now + timedelta(minutes=1)).isoformat()})
    api.unchanged_after("POST", "/api/v1/platform-incidents", 422, "INCIDENT_ENDS_BEFORE_START",
                        headers=staff, json={**body, "ended_at": (
                            now - timedelta(hours=3)).isoformat()})
    created = api.client.post("/api/v1/platform-incidents", headers=staff, json=body)
    assert created.status_code == 201, created.text
    incident = created.json()
    assert incident["ended_at"] is None and incident["component"] == "ca"
    close = f"/api/v1/platform-incidents/{incident['id']}/close"
    api.unchanged_after("POST", close, 403, "ROLE_NOT_ALLOWED", headers=supervisor,
                        json={"ended_at": now.isoformat()})
    closed = api.client.post(close, headers=staff, json={"ended_at": now.isoformat()})
    assert closed.status_code == 200 and closed.json()["ended_at"] is not None, closed.text
    api.unchanged_after("POST", close, 409, "INCIDENT_ALREADY_CLOSED", headers=staff,
                        json={"ended_at": now.isoformat()})
    listed = api.client.get("/api/v1/platform-incidents", headers=supervisor)
    assert listed.status_code == 200 and [i["id"] for i in listed.json()] == [incident["id"]]
    later = api.client.get("/api/v1/platform-incidents", headers=supervisor,
                           params={"since": (now + timedelta(hours=1)).isoformat()})
    assert later.json() == []  # over before then
    api.unchanged_after("GET", "/api/v1/platform-incidents", 403, "ROLE_NOT_ALLOWED",
                        headers=bidder)
    with api.container.session_factory() as s:
        from core.model.audit import AuditEntry

        actions = s.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "platform_incident")).all()
    assert actions == ["incident.record", "incident.close"]


def test_art_31_a_storage_incident_makes_the_bid_retracted_and_its_deposit_refundable(
        api: Api, tmp_path: Path) -> None:
    f = Failing(api, tmp_path)
    f.at(f.t.deadline + timedelta(minutes=61))
    created = f.incident()
    assert created.status_code == 201, created.text
    incident = created.json()["id"]
    assert run_due(api.container.uow, api.container.signer) == 0  # held for the cause
    api.unchanged_after("POST", f"/api/v1/sections/{f.t.section}/opening/close", 409,
                        "DECRYPTION_CAUSE_PENDING", headers=f.staff)
    seen = f.failures(f.supervisor).json()
    assert [i["id"] for i in seen["incidents"]] == [incident]
    assert [(b["bid_id"], b["pending"]) for b in seen["bids"]] == [(f.bid_id("b3"), True)]
    for who in (api.token("b3"), api.token("owner"), f.supervisor):
        api.unchanged_after("POST", f.cause_url("b3"), 403, "ROLE_NOT_ALLOWED", headers=who,
                            json={"cause": "not_bidder", "reason": "平台故障",
                                  "incident_ids": [incident]})
    api.unchanged_after("POST", f.cause_url("b1"), 409, "BID_WAS_OPENED", headers=f.staff,
                        json={"cause": "bidder", "reason": "已解密"})
    api.unchanged_after("POST", f.cause_url("b3"), 422, "DETERMINATION_BASIS_REQUIRED",
                        headers=f.staff, json={"cause": "not_bidder", "reason": "平台故障"})
    r = api.client.post(f.cause_url("b3"), headers=f.staff, json={
        "cause": "not_bidder", "reason": "存储节点故障致投标文件无法读取",
        "incident_ids": [incident]})
    assert r.status_code == 200, r.text
    assert (r.json()["outcome"], r.json()["previous_outcome"]) == ("retracted", None)
    deposit = f.mine("b3")
    assert deposit["deposit_status"] == "paid" and deposit["refund_due_at"]  # 条例 35
    assert f.mine("b1")["refund_due_at"] is None  # the others wait for the contract

    assert run_due(api.container.uow, api.container.signer) == 1  # closed now
    public = f.public_record()
    record = json.loads(public["body"])
    (b3,) = [b for b in record["bids"] if b["outcome"] not in ("opened_by_bidder",)]
    assert (b3["outcome"], b3["cause"], b3["loss_claim"]) == ("retracted", "not_bidder", True)
    assert b3["determination"]["incident_ids"] == [incident]
    assert record["incidents"][0]["description"] == "投标文件存储节点故障"
    assert public["determinations"] == []  # made before the record: it is in the record


def test_art_31_without_an_incident_the_bid_is_revoked_and_may_be_re_determined(
        api: Api, tmp_path: Path) -> None:
    f = Failing(api, tmp_path)
    f.at(f.t.deadline + timedelta(minutes=61))
    assert run_due(api.container.uow, api.container.signer) == 1  # the window's end closes it
    before = f.public_record()
    (b3,) = [b for b in json.loads(before["body"])["bids"] if b["outcome"] == "revoked"]
    assert (b3["failure_code"], b3["cause"], b3["determination"]) == (
        "NOT_DECRYPTED_BY_BIDDER", "bidder", None)
    assert f.mine("b3")["refund_due_at"] is None  # 撤销: the deposit may be kept

    basis = {"cause": "not_bidder", "reason": "投标人提交了平台报错截图，经核实为平台故障",
             "basis": "平台运维日志 2026-11-24 第 18 条"}
    api.unchanged_after("POST", f.cause_url("b3"), 422, "FIELD_REQUIRED", headers=f.staff,
                        json={**basis, "reason": "  "})
    r = api.client.post(f.cause_url("b3"), headers=f.staff, json=basis)
    assert r.status_code == 200, r.text
    assert (r.json()["outcome"], r.json()["previous_outcome"]) == ("retracted", "revoked")
    assert r.json()["published_at"] is not None
    assert f.mine("b3")["refund_due_at"] is not None
    after = f.public_record()
    assert (after["body"], after["signature"]) == (before["body"], before["signature"])
    (published,) = after["determinations"]
    key = serialization.load_pem_public_key(api.client.get(
        "/api/v1/public/platform-keys").json()["receipt_signing_key_pem"].encode())
    key.verify(base64.b64decode(published["signature"]),  # type: ignore[union-attr]
               published["body"].encode())
    determination = json.loads(published["body"])
    assert (determination["outcome"], determination["basis"]) == ("retracted", basis["basis"])
    seen = f.failures(f.staff).json()["bids"]
    assert [(b["outcome"], len(b["determinations"])) for b in seen] == [("retracted", 1)]
    api.unchanged_after("GET", f"/api/v1/sections/{f.t.section}/opening/failures", 403,
                        "ROLE_NOT_ALLOWED", headers=api.token("b3"))
