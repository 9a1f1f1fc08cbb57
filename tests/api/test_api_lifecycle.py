"""One tender from notice to archive, entirely through the API on PostgreSQL and a moved clock:
sealed bids, the opening, evaluation by five experts, publicity, award, contract, deposits.
And the termination path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.clock import MovableClock
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from core.rules.limits import publicity_end
from core.rules.packaged_calendar import packaged_calendar
from core.rules.procedures import procedure_for
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api
from tests.api.test_api_opening import Opening


@pytest.mark.parametrize("start", ["pinned", "today"])
def test_a_tender_from_notice_to_archive(api: Api, tmp_path: Path, start: str) -> None:
    """Once on the tests' pinned clock, once from the machine's real date with a deadline 40 days
    out: wherever that lands (a year whose holiday notice is not out yet, a 春节 window), every
    step must go through (a pinned year once hid a calendar that stopped on 2026-12-12)."""
    clock = api.container.clock
    assert isinstance(clock, MovableClock)
    if start == "today":
        clock.set(datetime.now(UTC))
    o = Opening(api, tmp_path, days=40)
    section = o.t.section
    # an amendment 5 days before the deadline: 法 23's 15 days move it
    o.at(o.t.deadline - timedelta(days=5))
    r = api.client.post(f"/api/v1/sections/{section}/rounds/current/clarify",
                        headers=api.token("owner"))
    assert r.status_code == 200, r.text
    moved = datetime.fromisoformat(r.json()["bid_deadline"])
    assert moved >= o.t.deadline + timedelta(days=10)
    assert {d["rule"] for d in r.json()["deadlines"]} == {
        "bidding_period", "documents_on_sale", "clarification_notice"}  # 法 24, 条例 16, 法 23
    o.t.deadline = moved
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    registrations = api.client.get(f"/api/v1/sections/{section}/registrations",
                                   headers=staff).json()
    for reg in registrations:  # the bank's notices come later; staff confirm meanwhile
        r = api.client.post(f"/api/v1/sections/{section}/registrations/{reg['party_id']}"
                            "/deposit/confirm", headers=staff, json={})
        assert r.status_code == 200, r.text
    o.to_deadline()
    for name in ("b1", "b2", "b3"):
        assert o.hand_in(name).status_code == 200
    o.at(o.t.deadline + timedelta(minutes=61))
    staff = api.token("staff")
    assert api.client.post(f"/api/v1/sections/{section}/opening/close",
                           headers=staff).status_code == 200

    experts = [api.account(f"expert{i}", AccountKind.EXPERT) for i in range(5)]
    ids = [api.client.get("/api/v1/me", headers=h).json()["id"] for h in experts]
    r = api.client.post(f"/api/v1/sections/{section}/evaluation/committee", headers=staff, json={
        "method": "comprehensive",
        "members": [{"account_id": i, "kind": "technical_economic_expert", "is_chair": n == 0}
                    for n, i in enumerate(ids)],
        "criteria": [
            {"code": "technical", "name_zh": "技术方案", "weight": "40", "category": "technical"},
            {"code": "commercial", "name_zh": "商务", "weight": "20", "category": "commercial"},
            {"code": "price", "name_zh": "投标报价", "weight": "40", "category": "price"}]})
    assert r.status_code == 201, r.text
    for headers in experts:  # 回避: none declared (条例 46 第三款)
        assert api.client.post(f"/api/v1/sections/{section}/evaluation/recusal",
                               headers=headers, json={"relations": []}).status_code == 201
    bids = api.client.get(f"/api/v1/sections/{section}/evaluation/bids",
                          headers=experts[0]).json()
    assert len(bids) == 3
    for n, headers in enumerate(experts):
        for k, bid in enumerate(bids):
            r = api.client.put(f"/api/v1/sections/{section}/evaluation/bids/{bid['bid_id']}"
                               "/scores", headers=headers,
                               json={"scores": {"technical": str(30 + (n + k) % 6),
                                                "commercial": str(14 + k)}})
            assert r.status_code == 200, r.text
    assert api.client.post(f"/api/v1/sections/{section}/evaluation/report",
                           headers=experts[0]).status_code == 200
    for n, headers in enumerate(experts):
        body = {"agrees": n != 4, "dissent": None if n != 4 else "第三名技术分偏高"}
        r = api.client.post(f"/api/v1/sections/{section}/evaluation/report/signatures",
                            headers=headers, json=body)
        assert r.status_code == 200, r.text
    evaluation = api.client.get(f"/api/v1/sections/{section}/evaluation", headers=staff).json()
    assert evaluation["status"] == "signed" and len(evaluation["candidates"]) == 3

    owner = api.token("owner")
    ends = publicity_end(procedure_for("engineering", "1"), packaged_calendar(),
                         api.container.clock.now()).ends_at
    r = api.client.post(f"/api/v1/sections/{section}/publicity", headers=owner,
                        json={"ends_at": ends.isoformat()})
    assert r.status_code == 201, r.text
    o.at(ends + timedelta(seconds=1))
    assert run_due(api.container.uow, api.container.signer) == 1
    owner = api.token("owner")
    award = api.client.post(f"/api/v1/sections/{section}/award", headers=owner, json={})
    assert award.status_code == 201, award.text
    signed_at = api.container.clock.now() + timedelta(days=7)
    o.at(signed_at)
    owner, staff = api.token("owner"), api.token("staff")
    r = api.client.post(f"/api/v1/sections/{section}/contract", headers=owner,
                        json={"amount": "39800000.00", "signed_at": signed_at.isoformat()})
    assert r.status_code == 200, r.text
    api.unchanged_after("POST", f"/api/v1/sections/{section}/rounds/current/archive", 409,
                        "DEPOSITS_NOT_REFUNDED", headers=staff)
    for reg in registrations:
        r = api.client.post(f"/api/v1/sections/{section}/registrations/{reg['party_id']}"
                            "/deposit/refund", headers=staff, json={})
        assert r.status_code == 200, r.text
    r = api.client.post(f"/api/v1/sections/{section}/rounds/current/archive", headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "archived", r.text

    with api.container.session_factory() as s:
        types = [t for t in s.scalars(select(OutboxEvent.event_type).order_by(OutboxEvent.id))
                 if t.startswith("round.")]
    for step in ("round.documents_issued", "round.opening_started", "round.opened",
                 "round.evaluation_reported", "round.candidates_published", "round.awarded",
                 "round.result_announced", "round.contract_recorded", "round.archived"):
        assert step in types, (step, types)
    assert types.index("round.opened") < types.index("round.awarded") < types.index(
        "round.archived")
    supervisor = api.account("sup", AccountKind.SUPERVISOR)
    assert api.client.get("/api/v1/audit/verify", headers=supervisor).json()["ok"] is True


def test_termination_by_the_tenderer_or_a_supervisor(api: Api, tmp_path: Path) -> None:
    o = Opening(api, tmp_path)
    section = o.t.section
    _, bidder = api.register("stranger", "MA2YB099", ["bidder"])
    api.unchanged_after("POST", f"/api/v1/sections/{section}/rounds/current/terminate", 403,
                        "NOT_PROJECT_OWNER", headers=bidder, json={"reason": "x"})
    api.unchanged_after("POST", f"/api/v1/sections/{section}/rounds/current/terminate", 422,
                        "VALIDATION_FAILED", headers=o.t.owner, json={"reason": ""})
    supervisor = api.account("sup", AccountKind.SUPERVISOR)
    r = api.client.post(f"/api/v1/sections/{section}/rounds/current/terminate",
                        headers=supervisor, json={"reason": "监督部门责令暂停并终止"})
    assert r.status_code == 200 and r.json()["status"] == "terminated", r.text
    assert r.json()["failure_reason"] == "监督部门责令暂停并终止"
    api.unchanged_after("POST", f"/api/v1/sections/{section}/rounds/current/terminate", 409,
                        "ROUND_NOT_TERMINABLE", headers=o.t.owner, json={"reason": "again"})
    o.at(o.t.deadline)
    assert run_due(api.container.uow, api.container.signer) == 0  # nothing is due any more
