"""投诉 and objections by stage through the API: a party lodges a complaint after its objection
and reads its own, the supervisor accepts, suspends and decides — a 投诉 suspends and resolves a
round — and every refusal is a problem with its article's code that changes nothing: a party
that did not object (403), anyone but a supervisor handling it (403), late objections and
complaints, a government suspension past its 30 日. The tenders are built through the use cases
(tests/builders); every step after that is an HTTP call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.clock import MovableClock
from core.model.account import AccountKind
from core.model.tendering import Award, Round
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api
from tests.builders.tender import (
    ENGINEERING,
    GOV_PROCUREMENT,
    PASSWORD,
    Domain,
    Stage,
    TenderBuilder,
)


class Case:
    def __init__(self, api: Api, tag: str, stage: Stage, kind: Domain = ENGINEERING) -> None:
        self.api = api
        self.tag = tag.lower()
        self.clock: MovableClock = api.container.clock  # type: ignore[assignment]
        self.t = TenderBuilder(api.container, self.clock, kind=kind, tag=tag).at(stage)
        api.account(f"{self.tag}-sup", AccountKind.SUPERVISOR)

    @property
    def supervisor(self) -> dict[str, str]:
        """Signed in afresh: a token does not outlive the moved clock."""
        return self.api.token(f"{self.tag}-sup")

    def headers(self, who: str) -> dict[str, str]:
        return self.api.token(f"{self.tag}-{who}", PASSWORD)

    def url(self, tail: str) -> str:
        return f"/api/v1/sections/{self.t.section_code}/{tail}"

    def post(self, url: str, who: str | dict[str, str], body: dict[str, Any] | None = None,
             status: int = 200) -> dict[str, Any]:
        headers = who if isinstance(who, dict) else self.headers(who)
        r = self.api.client.post(url, headers=headers, json=body or {})
        assert r.status_code == status, r.text
        return dict(r.json())

    def objected_and_answered(self, who: str = "bidder-3") -> int:
        objection = self.post(self.url("objections"), who, {"text": "评分错误"}, 201)
        self.clock.advance(timedelta(hours=6))
        self.post(self.url(f"objections/{objection['id']}/answer"), "agency",
                  {"answer": "经复核，评分无误"})
        return int(objection["id"])

    def current(self) -> Round:
        with self.api.container.session_factory() as s:
            r = s.scalars(select(Round).order_by(Round.id.desc())).first()
            assert r is not None
            return r


def test_a_complaint_suspends_and_resolves_a_round_over_http(api: Api) -> None:
    c = Case(api, "AC", Stage.PUBLICISED)
    objection_id = c.objected_and_answered()
    _, stranger = api.register("ac-stranger", "MA2YACX1", ["bidder"])
    api.unchanged_after("POST", c.url("complaints"), 403, "NOT_THE_OBJECTOR", headers=stranger,
                        json={"text": "投诉", "objection_id": objection_id})
    api.unchanged_after("POST", c.url("complaints"), 403, "NOT_A_PARTY_OF_ROUND",
                        headers=stranger, json={"text": "投诉",
                                                "knew_at": c.clock.now().isoformat()})
    lodged = c.post(c.url("complaints"), "bidder-3",
                    {"text": "请求认定评分错误", "objection_id": objection_id}, 201)
    assert (lodged["status"], lodged["stage"]) == ("received", "result")
    url = f"/api/v1/complaints/{lodged['id']}"
    for who in ("bidder-3", "agency", "staff"):
        api.unchanged_after("POST", f"{url}/accept", 403, "ROLE_NOT_ALLOWED",
                            headers=c.headers(who))
    api.unchanged_after("GET", "/api/v1/complaints", 403, "ROLE_NOT_ALLOWED",
                        headers=c.headers("bidder-3"))
    accepted = c.post(f"{url}/accept", c.supervisor)
    assert accepted["status"] == "accepted" and accepted["decision_due_at"]
    suspended = c.post(f"{url}/suspend", c.supervisor,
                       {"instruction_no": "榕建监〔2026〕50号", "reason": "调查期间暂停"})
    assert suspended["suspension_instruction"] == "榕建监〔2026〕50号"
    assert suspended["suspension_ends_at"] is None  # 条例 62: no cap
    assert c.current().is_suspended
    api.unchanged_after("POST", c.url("award"), 409, "ROUND_SUSPENDED",
                        headers=c.headers("agency"), json={})
    c.clock.advance(timedelta(days=3))
    decided = c.post(f"{url}/decide", c.supervisor, {
        "outcome": "dismissed", "decision_no": "榕建监〔2026〕51号",
        "text": "投诉缺乏事实根据，驳回"})
    assert (decided["status"], decided["outcome"], decided["remedy"]) == (
        "decided", "dismissed", "continue")
    assert decided["resumed_at"] is not None
    assert not c.current().is_suspended and c.current().status == "publicity"
    api.unchanged_after("POST", f"{url}/refuse", 409, "COMPLAINT_STATUS_INVALID",
                        headers=c.supervisor, json={"reason": "迟到的不予受理"})
    mine = api.client.get(c.url("complaints"), headers=c.headers("bidder-3")).json()
    assert [x["id"] for x in mine] == [lodged["id"]]
    assert api.client.get(c.url("complaints"), headers=c.headers("bidder-1")).json() == []
    listed = api.client.get("/api/v1/complaints?status=decided", headers=c.supervisor).json()
    assert [x["id"] for x in listed] == [lodged["id"]]
    api.unchanged_after("GET", url, 404, "COMPLAINT_NOT_FOUND",
                        headers=api.token("ac-stranger"))


def test_late_objections_and_complaints_are_refused_with_their_articles(api: Api) -> None:
    c = Case(api, "LA", Stage.BIDS)
    deadline = c.current().bid_deadline
    c.clock.set(deadline - timedelta(days=9))
    problem = api.unchanged_after("POST", c.url("objections"), 409, "OBJECTION_TOO_LATE_REG_22",
                                  headers=c.headers("bidder-1"),
                                  json={"text": "招标文件排斥潜在投标人", "stage": "documents"})
    assert "10" in problem["message_en"]
    api.unchanged_after("POST", c.url("objections"), 409, "OBJECTION_OUTSIDE_OPENING_REG_44",
                        headers=c.headers("bidder-1"), json={"text": "开标", "stage": "opening"})
    knew = c.clock.now() - timedelta(days=20)
    api.unchanged_after("POST", c.url("complaints"), 409, "COMPLAINT_TOO_LATE_REG_60",
                        headers=c.headers("bidder-1"),
                        json={"text": "评标专家与投标人存在利害关系", "knew_at": knew.isoformat()})
    api.unchanged_after("POST", c.url("complaints"), 422, "KNEW_AT_REQUIRED",
                        headers=c.headers("bidder-1"), json={"text": "投诉"})


def test_gpl_57_a_government_suspension_lasts_at_most_30_days_over_http(api: Api) -> None:
    c = Case(api, "GK", Stage.AWARDED, kind=GOV_PROCUREMENT)
    with api.container.session_factory() as s:
        award = s.get(Award, c.current().id)
        assert award is not None and award.result_notice_ends_at is not None
        c.clock.set(award.result_notice_ends_at + timedelta(hours=10))
    api.unchanged_after("POST", c.url("complaints"), 409, "COMPLAINT_WITHOUT_OBJECTION_GPL_55",
                        headers=c.headers("bidder-3"),
                        json={"text": "未经质疑", "knew_at": c.clock.now().isoformat()})
    challenge_id = c.objected_and_answered()
    lodged = c.post(c.url("complaints"), "bidder-3",
                    {"text": "请求认定中标结果无效", "objection_id": challenge_id}, 201)
    url = f"/api/v1/complaints/{lodged['id']}"
    c.post(f"{url}/accept", c.supervisor)
    suspended = c.post(f"{url}/suspend", c.supervisor,
                       {"instruction_no": "榕财采〔2026〕20号", "reason": "暂停采购活动"})
    cap = datetime.fromisoformat(suspended["suspension_ends_at"])
    winner = api.client.get(c.url("award"), headers=c.headers("agency")).json()["winner"]
    api.unchanged_after("POST", c.url("contract"), 409, "ROUND_SUSPENDED",
                        headers=c.headers("agency"),
                        json={"amount": winner["price"], "signed_at": c.clock.now().isoformat()})
    c.clock.set(cap + timedelta(seconds=1))
    run_due(api.container.uow, api.container.signer)
    assert not c.current().is_suspended  # resumed by the law itself
    after = api.client.get(url, headers=c.supervisor).json()
    assert after["resumed_at"] is not None
    api.unchanged_after("POST", f"{url}/suspend", 409, "COMPLAINT_SUSPENSION_OVER_LIMIT_GPL_57",
                        headers=c.supervisor,
                        json={"instruction_no": "榕财采〔2026〕21号", "reason": "再次暂停"})
