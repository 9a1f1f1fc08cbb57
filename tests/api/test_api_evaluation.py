"""The evaluation (评标) through the API: the committee per 法 37, scores from its members only,
综合评分 with the price score computed from the declared prices, the lowest-price method,
rejections with their 条例 51 grounds, and the report signed or dissented from in writing.

The opening is another use case: these tests build a round in status ``opened`` by inserting the
rows it leaves (bids and their opening records with the declared prices) directly.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from core.model.account import Account, AccountKind
from core.model.audit import AuditEntry
from core.model.outbox import OutboxEvent
from core.model.project import Section
from core.model.tendering import (
    Bid,
    BidOpening,
    Candidate,
    CommitteeMember,
    Evaluation,
    OpeningOutcome,
    Round,
    RoundStatus,
    Score,
)
from core.sealing.keyholders import keyholder_panel
from tests.api.conftest import Api

GOV_CRITERIA = [
    {"code": "technical", "name_zh": "技术方案", "weight": "50", "category": "technical"},
    {"code": "service", "name_zh": "售后服务", "weight": "20", "category": "commercial"},
    {"code": "price", "name_zh": "价格分", "weight": "30", "category": "price"},
]
# Per bidder: declared price, and the five experts' technical and service scores.
GOV_BIDS: dict[str, tuple[str, list[str], list[str]]] = {
    "A": ("1000000.00", ["45", "44", "46", "45", "45"], ["18"] * 5),  # means 45.00, 18.00
    "B": ("950000.00", ["40", "41", "39", "40", "40"], ["17"] * 5),  # 40.00, 17.00
    "C": ("1100000.00", ["48", "47", "49", "48", "48"], ["15"] * 5),  # 48.00, 15.00
    "D": ("980000.00", ["42", "43", "41", "42", "42"], ["19", "18", "18", "19", "18"]),  # 18.40
}


class Opened:
    """A section whose round is ``opened``: bids with their declared prices, centre staff, and a
    pool of expert accounts."""

    def __init__(self, api: Api, domain: str = "engineering",
                 bids: dict[str, str] | None = None, experts: int = 7,
                 revoked: tuple[str, ...] = (), *, mode: str | None = None,
                 budget: str | None = None, agency: bool = False,
                 declared: tuple[str, ...] = (), procurement_object: str | None = "goods",
                 fixed_price: bool = False, sme: tuple[str, str] | None = None) -> None:
        """A government section has a budget of 120万元 unless ``budget`` says otherwise (an
        engineering one 4120万元); ``agency``: an agency runs the project for the owner;
        ``declared``: the round's flags (technically_complex, large_social_impact);
        ``procurement_object`` (政府采购 only; goods unless said), ``fixed_price`` and ``sme``
        (the 小微企业 and 联合体 deductions, percent) its price policy."""
        self.api = api
        self.declared = declared
        self.policy: dict[str, Any] = {}
        if domain == "gov_procurement":
            self.policy = {"procurement_object": procurement_object, "fixed_price": fixed_price,
                           "sme_deduction": None if sme is None else Decimal(sme[0]),
                           "sme_joint_deduction": None if sme is None else Decimal(sme[1])}
        gov = domain == "gov_procurement"
        owner_id, self.owner = api.register("owner", "MA2Y0001",
                                            ["purchaser" if gov else "tenderer"])
        runner = self.owner
        if agency:
            _, runner = api.register("agency", "MA2Y0002",
                                     ["procurement_agency" if gov else "tender_agency"])
        project = api.project(runner, **({"name": "设备采购项目", "domain": domain,
                                           "industry_code": "F51"} if gov else {}),
                              **({"owner_party_id": owner_id} if agency else {}))
        self.mode = mode or ("public_tender" if gov else "1")
        tp = api.tender_project(runner, project["code"], **(
            {"name": "设备采购", "tender_mode": self.mode, "tender_project_type": None}
            if gov else {"tender_mode": self.mode}))
        self.section = api.section(runner, tp["code"], price=budget or (
            "1200000.00" if gov else "41200000.00"))["code"]
        self.base = f"/api/v1/sections/{self.section}/evaluation"
        self.staff = api.account("staff", AccountKind.CENTRE_STAFF)
        self.supervisor = api.account("supervisor", AccountKind.SUPERVISOR)
        self.experts = [api.account(f"expert{i}", AccountKind.EXPERT) for i in range(experts)]
        prices = bids or {name: price for name, (price, _, _) in GOV_BIDS.items()}
        self.bidders: dict[str, dict[str, str]] = {}
        party_ids: dict[str, int] = {}
        for i, name in enumerate(prices):
            party_ids[name], self.bidders[name] = api.register(
                f"bidder{name.lower()}", f"MA2YB00{i + 1}", ["bidder"], name=f"投标人{name}公司")
        self.bid_ids = self._insert_round(gov, prices, party_ids, revoked)

    def _insert_round(self, gov: bool, prices: dict[str, str], party_ids: dict[str, int],
                      revoked: tuple[str, ...]) -> dict[str, int]:
        now = self.api.container.clock.now()
        keys = [ec.generate_private_key(ec.SECP256R1()).public_key() for _ in range(3)]
        panel = keyholder_panel(self.section, [(f"k{i}", k) for i, k in enumerate(keys)], 2)
        ids = {}
        with self.api.container.session_factory() as s:
            section = s.scalars(select(Section).where(Section.code == self.section)).one()
            r = Round(section=section, round_no=1, procedure=self.mode,
                      status=RoundStatus.OPENED.value, state_funded=True,
                      technically_complex="technically_complex" in self.declared,
                      large_social_impact="large_social_impact" in self.declared,
                      **self.policy,
                      documents_issued_at=now - timedelta(days=22),
                      bid_deadline=now - timedelta(hours=2), opening_window_minutes=60,
                      committee_fallback=True, committee=panel.to_json().decode(),
                      created_at=now - timedelta(days=23), updated_at=now)
            s.add(r)
            s.flush()
            for n, (name, price) in enumerate(prices.items()):
                bid = Bid(round_id=r.id, party_id=party_ids[name], status="sealed",
                          envelope="{}", ciphertext_sha256=f"{n:064x}", ciphertext_size=1024,
                          receipt="{}", submitted_at=now - timedelta(days=1, minutes=n))
                s.add(bid)
                s.flush()
                outcome = (OpeningOutcome.REVOKED if name in revoked
                           else OpeningOutcome.OPENED_BY_BIDDER)
                s.add(BidOpening(
                    bid_id=bid.id, round_id=r.id, outcome=outcome.value,
                    plaintext_sha256=None if name in revoked else f"{n + 100:064x}",
                    price=None if name in revoked else Decimal(price),
                    declared=None if name in revoked else {"duration_days": 60 + n,
                                                           "quality": "合格"},
                    opened_at=now - timedelta(hours=1)))
                ids[name] = bid.id
            s.commit()
        return ids

    def account_id(self, username: str) -> int:
        with self.api.container.session_factory() as s:
            return s.scalars(select(Account.id).where(Account.username == username)).one()

    def members(self, n: int = 5, chair: int = 0, reps: int = 0,
                first: int = 0) -> list[dict[str, Any]]:
        """``n`` members: experts ``first``…, then ``reps`` representatives of the owner."""
        chosen: list[dict[str, Any]] = [
            {"account_id": self.account_id(f"expert{first + i}"),
             "kind": "technical_economic_expert"} for i in range(n - reps)]
        chosen += [{"account_id": self.account_id("owner"), "kind": "tenderer_representative"}
                   for _ in range(reps)]
        chosen[chair]["is_chair"] = True
        return chosen

    def assign(self, method: str = "comprehensive", criteria: list[dict[str, str]] | None = None,
               members: list[dict[str, Any]] | None = None,
               declare: bool = True) -> dict[str, Any]:
        """Assign the committee; ``declare``: every member then declares no 回避 relationship."""
        body = {"members": members or self.members(), "method": method,
                "criteria": GOV_CRITERIA if criteria is None else criteria}
        r = self.api.client.post(f"{self.base}/committee", json=body, headers=self.staff)
        assert r.status_code == 201, r.text
        if declare:
            self.declare_all()
        return dict(r.json())

    def headers_of(self, account_id: int) -> dict[str, str]:
        with self.api.container.session_factory() as s:
            username = s.scalars(select(Account.username).where(Account.id == account_id)).one()
        return self.api.token(username)

    def declare(self, account_id: int, relations: list[dict[str, Any]] | None = None) -> Any:
        return self.api.client.post(f"{self.base}/recusal", json={"relations": relations or []},
                                    headers=self.headers_of(account_id))

    def declare_all(self) -> None:
        """Every sitting member not yet declared declares no relationship."""
        evaluation = self.api.client.get(self.base, headers=self.supervisor).json()
        for m in evaluation["members"]:
            if m["recusal"] is None and m["excluded_at"] is None:
                r = self.declare(m["account_id"])
                assert r.status_code == 201, r.text

    def score(self, expert: int, bidder: str, scores: dict[str, str]) -> Any:
        return self.api.client.put(f"{self.base}/bids/{self.bid_ids[bidder]}/scores",
                                   json={"scores": scores}, headers=self.experts[expert])

    def score_all(self, bidders: tuple[str, ...] = ("A", "B", "C", "D")) -> None:
        for name in bidders:
            _, technical, service = GOV_BIDS[name]
            for i in range(5):
                r = self.score(i, name, {"technical": technical[i], "service": service[i]})
                assert r.status_code == 200, r.text

    def report(self, chair: int = 0) -> dict[str, Any]:
        r = self.api.client.post(f"{self.base}/report", headers=self.experts[chair])
        assert r.status_code == 200, r.text
        return dict(r.json())

    def sign(self, expert: int, agrees: bool = True, dissent: str | None = None) -> Any:
        return self.api.client.post(f"{self.base}/report/signatures",
                                    json={"agrees": agrees, "dissent": dissent},
                                    headers=self.experts[expert])


def outbox_types(api: Api) -> list[str]:
    """The round events in the outbox (parties, projects and sections were announced before)."""
    with api.container.session_factory() as s:
        return [x for x in s.scalars(select(OutboxEvent.event_type).order_by(OutboxEvent.id))
                if x.startswith("round.")]


def test_law_37_committee_needs_five_or_more_odd_and_two_thirds_experts(api: Api) -> None:
    t = Opened(api)
    url = f"{t.base}/committee"

    def body(members: list[dict[str, Any]]) -> dict[str, Any]:
        return {"members": members, "method": "comprehensive", "criteria": GOV_CRITERIA}

    representatives = [{"account_id": t.account_id(name), "kind": "tenderer_representative"}
                       for name in ("owner", "staff")]
    for members in (t.members(4),  # too few
                    t.members(7)[:6],  # even
                    [*t.members(3), *representatives],  # 3 experts of 5: below two thirds
                    [*t.members(4), *t.members(1)]):  # the same expert twice
        problem = api.unchanged_after("POST", url, 422, "COMMITTEE_INVALID_LAW_37",
                                      json=body(members), headers=t.staff)
        assert "《招标投标法》第三十七条" in problem["message_zh"]
    two_chairs = t.members(5)
    two_chairs[1]["is_chair"] = True
    api.unchanged_after("POST", url, 422, "COMMITTEE_CHAIR_INVALID", json=body(two_chairs),
                        headers=t.staff)
    not_expert = t.members(5)
    not_expert[4] = {"account_id": t.account_id("supervisor"), "kind": "technical_economic_expert"}
    api.unchanged_after("POST", url, 422, "COMMITTEE_MEMBER_NOT_EXPERT", json=body(not_expert),
                        headers=t.staff)
    not_owner = t.members(5, reps=1)
    not_owner[4]["account_id"] = t.account_id("staff")
    api.unchanged_after("POST", url, 422, "COMMITTEE_MEMBER_NOT_TENDERER", json=body(not_owner),
                        headers=t.staff)
    bidder = t.members(5, reps=1)
    bidder[4]["account_id"] = t.account_id("biddera")  # 条例 46: a bidder's people stand aside
    api.unchanged_after("POST", url, 422, "COMMITTEE_MEMBER_CONFLICT", json=body(bidder),
                        headers=t.staff)
    api.unchanged_after("POST", url, 422, "WEIGHTS_NOT_100", headers=t.staff, json={
        **body(t.members(5)), "criteria": GOV_CRITERIA[:2]})

    # four experts and the owner's representative: 5, odd, 4/5 experts
    out = t.assign(members=t.members(5, reps=1))
    assert out["round_status"] == "evaluating" and out["status"] == "scoring"
    assert [m["kind"] for m in out["members"]].count("tenderer_representative") == 1
    assert [m["is_chair"] for m in out["members"]] == [True, False, False, False, False]
    assert [c["objective"] for c in out["criteria"]] == [False, False, True]
    # the committee is secret until the result: no event announces it
    assert outbox_types(api) == []
    api.unchanged_after("POST", url, 409, "ROUND_NOT_OPENED", json=body(t.members(5, first=2)),
                        headers=t.staff)


def test_only_centre_staff_assign_the_committee(api: Api) -> None:
    t = Opened(api)
    body = {"members": t.members(5), "method": "comprehensive", "criteria": GOV_CRITERIA}
    for headers in (t.owner, t.supervisor, t.experts[0], t.bidders["A"]):
        api.unchanged_after("POST", f"{t.base}/committee", 403, "ROLE_NOT_ALLOWED", json=body,
                            headers=headers)
    api.unchanged_after("POST", f"{t.base}/committee", 422, "EVALUATION_METHOD_NOT_ALLOWED",
                        headers=t.staff, json={**body, "method": "lowest_price"})
    with api.container.session_factory() as s:  # not yet opened: too early for a committee
        s.scalars(select(Round)).one().status = RoundStatus.OPENING.value
        s.commit()
    api.unchanged_after("POST", f"{t.base}/committee", 409, "ROUND_NOT_OPENED", json=body,
                        headers=t.staff)


def _committee(t: Opened, members: list[dict[str, Any]], method: str = "comprehensive",
               criteria: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"members": members, "method": method,
            "criteria": GOV_CRITERIA if criteria is None else criteria}


def _assigned(t: Opened) -> int:
    with t.api.container.session_factory() as s:
        return len(s.scalars(select(Evaluation)).all())


def test_mof87_47_agency_staff_are_refused_on_a_government_committee(api: Api) -> None:
    t = Opened(api, domain="gov_procurement", agency=True)
    url = f"{t.base}/committee"
    agent = t.members(5, reps=1)
    agent[4]["account_id"] = t.account_id("agency")  # the agency's own user as 采购人代表
    problem = api.unchanged_after("POST", url, 422, "COMMITTEE_AGENCY_STAFF_MOF87_47",
                                  json=_committee(t, agent), headers=t.staff)
    assert "第四十七条" in problem["message_zh"] and "采购代理机构" in problem["message_zh"]
    assert _assigned(t) == 0
    out = t.assign(members=t.members(5, reps=1))  # the purchaser's own representative
    assert [m["kind"] for m in out["members"]].count("tenderer_representative") == 1


def test_mof87_47_a_budget_of_1000_wan_needs_seven_members(api: Api) -> None:
    t = Opened(api, domain="gov_procurement", budget="10000000.00")
    url = f"{t.base}/committee"
    for members in (t.members(5), t.members(5, reps=1)):
        problem = api.unchanged_after("POST", url, 422, "COMMITTEE_INVALID_MOF87_47",
                                      json=_committee(t, members), headers=t.staff)
        assert "7 人以上" in problem["message_zh"] and "1000万元以上" in problem["message_zh"]
    out = t.assign(members=t.members(7, reps=1))  # 6 experts and the purchaser's representative
    assert len(out["members"]) == 7 and out["round_status"] == "evaluating"


def test_mof87_47_a_round_declared_technically_complex_needs_seven(api: Api) -> None:
    t = Opened(api, domain="gov_procurement", declared=("technically_complex",))  # 120万元
    problem = api.unchanged_after("POST", f"{t.base}/committee", 422,
                                  "COMMITTEE_INVALID_MOF87_47",
                                  json=_committee(t, t.members(5)), headers=t.staff)
    assert "技术复杂" in problem["message_zh"]
    assert len(t.assign(members=t.members(7))["members"]) == 7


def test_mof74_7_a_negotiation_at_the_open_tender_threshold_needs_five(api: Api) -> None:
    t = Opened(api, domain="gov_procurement", mode="competitive_negotiation",
               budget="2000000.00")  # 国办发〔2019〕55号: 200万元, reached
    url = f"{t.base}/committee"
    problem = api.unchanged_after("POST", url, 422, "COMMITTEE_INVALID_MOF74_7", headers=t.staff,
                                  json=_committee(t, t.members(3, reps=1), "lowest_price", []))
    assert "公开招标数额标准" in problem["message_zh"]
    out = t.assign("lowest_price", [], t.members(5, reps=1))
    assert len(out["members"]) == 5 and out["method"] == "lowest_price"


def test_mof74_7_below_the_threshold_three_members_are_enough(api: Api) -> None:
    t = Opened(api, domain="gov_procurement", mode="inquiry", budget="1999999.99",
               declared=("technically_complex", "large_social_impact"))  # 87号令 only
    assert len(t.assign("lowest_price", [], t.members(3, reps=1))["members"]) == 3


def test_mof214_14_a_complex_consultation_needs_a_declared_legal_expert(api: Api) -> None:
    t = Opened(api, domain="gov_procurement", mode="competitive_consultation",
               budget="50000000.00", agency=True, declared=("technically_complex",))
    url = f"{t.base}/committee"
    panel = t.members(3, reps=1)
    api.unchanged_after("POST", url, 422, "COMMITTEE_NO_LEGAL_EXPERT_MOF214_14",
                        json=_committee(t, panel), headers=t.staff)
    lawyer_rep = t.members(3, reps=1)
    lawyer_rep[2]["legal_expert"] = True  # the representative is no 评审专家
    api.unchanged_after("POST", url, 422, "COMMITTEE_LEGAL_EXPERT_NOT_EXPERT",
                        json=_committee(t, lawyer_rep), headers=t.staff)
    agent = t.members(3, reps=1)
    agent[1]["legal_expert"] = True
    agent[2]["account_id"] = t.account_id("agency")
    api.unchanged_after("POST", url, 422, "COMMITTEE_AGENCY_STAFF_MOF214_14",
                        json=_committee(t, agent), headers=t.staff)
    panel[1]["legal_expert"] = True
    out = t.assign(members=panel)  # 3 members at 5000万元: 214号 has no larger number
    assert [m["legal_expert"] for m in out["members"]] == [False, True, False]
    with api.container.session_factory() as s:  # kept with the member, not only in the answer
        assert [m.legal_expert for m in s.scalars(
            select(CommitteeMember).order_by(CommitteeMember.id))] == [False, True, False]


def test_engineering_committees_keep_law_37(api: Api) -> None:
    """法 37: 5 members at 4120万元 on a round declared complex, the agency's user acting for the
    tenderer — none of the 政府采购 rules applies."""
    t = Opened(api, agency=True, declared=("technically_complex", "large_social_impact"))
    members = t.members(5, reps=1)
    members[4]["account_id"] = t.account_id("agency")
    out = t.assign(members=members)
    assert len(out["members"]) == 5 and out["round_status"] == "evaluating"


def test_scores_come_from_committee_members_only(api: Api) -> None:
    t = Opened(api, domain="gov_procurement")
    t.assign()
    url = f"{t.base}/bids/{t.bid_ids['A']}/scores"
    good = {"scores": {"technical": "45", "service": "18"}}
    for headers in (t.experts[5], t.staff, t.supervisor, t.owner, t.bidders["A"]):
        api.unchanged_after("PUT", url, 403, "NOT_ON_COMMITTEE", json=good, headers=headers)
    member = t.experts[1]
    api.unchanged_after("PUT", url, 422, "SCORE_OUT_OF_RANGE", headers=member,
                        json={"scores": {"technical": "50.01"}})
    api.unchanged_after("PUT", url, 422, "SCORE_REFERENCE_UNKNOWN", headers=member,
                        json={"scores": {"design": "10"}})
    api.unchanged_after("PUT", url, 422, "SCORE_REFERENCE_UNKNOWN", headers=member,
                        json={"scores": {"price": "30"}})  # computed, never scored by hand
    api.unchanged_after("PUT", url, 422, "VALIDATION_FAILED", headers=member,
                        json={"scores": {"technical": "-1"}})
    api.unchanged_after("PUT", f"{t.base}/bids/999999/scores", 404, "BID_NOT_FOUND",
                        headers=member, json=good)

    # a member's score is replaceable until the report; the others' sheets stay private
    assert t.score(1, "A", {"technical": "40", "service": "18"}).status_code == 200
    r = t.score(1, "A", {"technical": "45.5"})
    assert r.status_code == 200, r.text
    assert {s["criterion"]: s["score"] for s in r.json()} == {"technical": "45.50",
                                                              "service": "18.00"}
    with api.container.session_factory() as s:
        assert len(s.scalars(select(Score)).all()) == 2
    mine = api.client.get(f"{t.base}/scores/mine", headers=t.experts[2])
    assert mine.status_code == 200 and mine.json() == []
    api.unchanged_after("GET", f"{t.base}/scores/mine", 403, "NOT_ON_COMMITTEE",
                        headers=t.experts[6])


def test_comprehensive_evaluation_with_five_experts_ranks_and_names_candidates(
        api: Api) -> None:
    t = Opened(api, domain="gov_procurement")
    t.assign()
    bids = api.client.get(f"{t.base}/bids", headers=t.experts[3])
    assert bids.status_code == 200
    assert {b["bidder_name"]: b["price"] for b in bids.json()} == {
        "投标人A公司": "1000000.00", "投标人B公司": "950000.00", "投标人C公司": "1100000.00",
        "投标人D公司": "980000.00"}
    assert bids.json()[0]["declared"] == {"duration_days": 60, "quality": "合格"}
    t.score_all(("A", "B", "C"))
    for i in range(4):
        _, technical, service = GOV_BIDS["D"]
        assert t.score(i, "D", {"technical": technical[i], "service": service[i]}
                       ).status_code == 200
    # one score sheet is incomplete: no report yet; and only the chair generates it
    api.unchanged_after("POST", f"{t.base}/report", 422, "EXPERT_SCORE_MISSING",
                        headers=t.experts[0])
    api.unchanged_after("POST", f"{t.base}/report", 403, "NOT_COMMITTEE_CHAIR",
                        headers=t.experts[4])
    _, technical, service = GOV_BIDS["D"]
    assert t.score(4, "D", {"technical": technical[4], "service": service[4]}).status_code == 200

    out = t.report()
    assert out["status"] == "reported" and out["round_status"] == "evaluating"
    result = out["result"]
    assert result["method"] == "comprehensive"
    # 政府采购 (87号令 57): 得分相同的按投标报价 (as evaluated) 由低到高, then 并列
    assert result["tie_breaks"] == ["lower_evaluated_price"]
    assert result["lowest_valid_price"] == "950000.00"
    ids = {v: k for k, v in t.bid_ids.items()}
    price = {ids[int(b)]: next(c["score"] for c in s["criteria"] if c["criterion"] == "price")
             for b, s in result["scores"].items()}
    # lowest valid price ÷ price × 30, rounded half-up to 2 decimals
    assert price == {"A": "28.50", "B": "30.00", "C": "25.91", "D": "29.08"}
    ranking = [(ids[x["bid_id"]], x["rank"], x["score"]) for x in result["ranking"]]
    assert ranking == [("A", 1, "91.50"), ("D", 2, "89.48"), ("C", 3, "88.91"),
                       ("B", 4, "87.00")]
    assert [(ids[c["bid_id"]], c["rank"]) for c in out["candidates"]] == [
        ("A", 1), ("D", 2), ("C", 3)]
    assert len(result["sheets"]) == 5  # every member's sheet is in the report
    with api.container.session_factory() as s:
        rows = s.scalars(select(Candidate).order_by(Candidate.rank)).all()
        assert [(ids[c.bid_id], c.rank, c.status) for c in rows] == [
            ("A", 1, "ranked"), ("D", 2, "ranked"), ("C", 3, "ranked")]
        evaluation = s.scalars(select(Evaluation)).one()
        assert evaluation.status == "reported" and evaluation.reported_at is not None
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"evaluation.assign_committee", "round.evaluating", "evaluation.score",
            "evaluation.report"} <= actions
    # the report is closed to further scoring
    api.unchanged_after("PUT", f"{t.base}/bids/{t.bid_ids['A']}/scores", 409,
                        "EVALUATION_CLOSED", json={"scores": {"technical": "1"}},
                        headers=t.experts[1])
    for i in range(5):
        assert t.sign(i).status_code == 200
    final = api.client.get(t.base, headers=t.staff).json()
    assert final["status"] == "signed"
    assert outbox_types(api) == ["round.evaluation_reported"]


def test_lowest_evaluated_price_ranks_by_price(api: Api) -> None:
    prices = {"A": "41000000.00", "B": "39800000.00", "C": "40500000.00", "D": "39900000.00",
              "E": "38000000.00"}
    t = Opened(api, bids=prices, revoked=("E",))  # E was never opened (撤销): not evaluated
    url = f"{t.base}/committee"
    body = {"members": t.members(5), "method": "lowest_evaluated_price"}
    api.unchanged_after("POST", url, 422, "CRITERIA_NOT_APPLICABLE", headers=t.staff,
                        json={**body, "criteria": GOV_CRITERIA})
    out = t.assign(method="lowest_evaluated_price", criteria=[])
    assert out["criteria"] == []
    api.unchanged_after("PUT", f"{t.base}/bids/{t.bid_ids['A']}/scores", 409,
                        "SCORING_NOT_APPLICABLE", json={"scores": {"technical": "1"}},
                        headers=t.experts[1])
    api.unchanged_after("PUT", f"{t.base}/bids/{t.bid_ids['E']}/rejection", 404,
                        "BID_NOT_FOUND", json={"grounds": ["not_responsive"], "reason": "未解密"},
                        headers=t.experts[0])
    listed = api.client.get(f"{t.base}/bids", headers=t.experts[2]).json()
    assert [(b["evaluable"], b["price"]) for b in listed][-1] == (False, None)

    out = t.report()
    ids = {v: k for k, v in t.bid_ids.items()}
    result = out["result"]
    assert [(ids[x["bid_id"]], x["rank"], x["price"]) for x in result["ranking"]] == [
        ("B", 1, "39800000.00"), ("D", 2, "39900000.00"), ("C", 3, "40500000.00"),
        ("A", 4, "41000000.00")]
    assert result["tie_breaks"] == ["lower_price"]  # 标准施工招标文件, then the tenderer decides
    assert [ids[c["bid_id"]] for c in out["candidates"]] == ["B", "D", "C"]


def test_reg_51_a_rejected_bid_is_excluded_with_its_reason(api: Api) -> None:
    t = Opened(api, domain="gov_procurement")
    t.assign()
    url = f"{t.base}/bids/{t.bid_ids['B']}/rejection"
    reason = "投标文件未按招标文件要求提供制造商授权书，未实质性响应"
    body = {"grounds": ["not_responsive"], "reason": reason}
    api.unchanged_after("PUT", url, 403, "NOT_COMMITTEE_CHAIR", json=body, headers=t.experts[2])
    api.unchanged_after("PUT", url, 403, "NOT_ON_COMMITTEE", json=body, headers=t.staff)
    api.unchanged_after("PUT", url, 422, "REJECTION_GROUND_UNKNOWN", headers=t.experts[0],
                        json={"grounds": ["too_expensive"], "reason": reason})
    api.unchanged_after("PUT", url, 422, "FIELD_REQUIRED", headers=t.experts[0],
                        json={"grounds": ["not_responsive"], "reason": "   "})
    # the committee may reconsider before the report: a rejection is withdrawn
    other = f"{t.base}/bids/{t.bid_ids['C']}/rejection"
    # 条例 51's 低于成本 is engineering's: 政府采购 has 87号令 60 (unexplained abnormally low)
    problem = api.unchanged_after("PUT", other, 422, "REJECTION_GROUND_NOT_APPLICABLE",
                                  headers=t.experts[0], json={
                                      "grounds": ["collusion", "below_cost"], "reason": "低价"})
    assert "below_cost" in problem["message_zh"]
    # ... and that one only after the bidder was asked to explain (test_api_price_explanation)
    api.unchanged_after("PUT", other, 409, "PRICE_EXPLANATION_NOT_REQUESTED_MOF87_60",
                        headers=t.experts[0], json={
                            "grounds": ["collusion", "abnormally_low_unexplained"],
                            "reason": "低价"})
    r = api.client.put(other, headers=t.experts[0], json={
        "grounds": ["collusion", "above_budget"], "reason": "与投标人A报价文件雷同"})
    recorded = r.json()["rejections"][str(t.bid_ids["C"])]
    assert recorded["items"] == [7, 4]
    assert recorded["articles"] == ["《招标投标法实施条例》第五十一条",
                                    "财政部令第87号 第六十三条［待核实］"]
    r = api.client.delete(other, headers=t.experts[0])
    assert r.status_code == 200 and r.json()["rejections"] == {}
    api.unchanged_after("DELETE", other, 404, "REJECTION_NOT_FOUND", headers=t.experts[0])
    r = api.client.put(url, json=body, headers=t.experts[0])
    assert r.status_code == 200, r.text
    recorded = r.json()["rejections"][str(t.bid_ids["B"])]
    assert recorded["grounds"] == ["not_responsive"] and recorded["items"] == [6]
    assert recorded["reason"] == reason
    api.unchanged_after("PUT", f"{t.base}/bids/{t.bid_ids['B']}/scores", 409, "BID_REJECTED",
                        json={"scores": {"technical": "40"}}, headers=t.experts[1])
    listed = {b["bid_id"]: b for b in api.client.get(f"{t.base}/bids",
                                                     headers=t.experts[1]).json()}
    assert listed[t.bid_ids["B"]]["rejection"]["reason"] == reason

    t.score_all(("A", "C", "D"))  # B is rejected: nobody scores it
    out = t.report()
    result = out["result"]
    ids = {v: k for k, v in t.bid_ids.items()}
    # the lowest *valid* price is D's now: B's lower price no longer sets the base
    assert result["lowest_valid_price"] == "980000.00"
    assert [(ids[x["bid_id"]], x["score"]) for x in result["ranking"]] == [
        ("A", "92.40"), ("D", "90.40"), ("C", "89.73")]
    assert [(ids[x["bid_id"]], x["grounds"], x["reason"]) for x in result["rejected"]] == [
        ("B", ["not_responsive"], reason)]
    assert t.bid_ids["B"] not in [c["bid_id"] for c in out["candidates"]]
    with api.container.session_factory() as s:
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"evaluation.reject_bid", "evaluation.withdraw_rejection"} <= actions
    api.unchanged_after("DELETE", url, 409, "EVALUATION_CLOSED", headers=t.experts[0])


def test_reg_53_report_is_signed_with_one_written_dissent(api: Api) -> None:
    t = Opened(api, domain="gov_procurement")
    t.assign()
    t.score_all()
    api.unchanged_after("POST", f"{t.base}/report/signatures", 409, "REPORT_NOT_GENERATED",
                        json={"agrees": True}, headers=t.experts[1])
    t.report()
    url = f"{t.base}/report/signatures"
    api.unchanged_after("POST", url, 422, "DISSENT_REASON_REQUIRED", headers=t.experts[3],
                        json={"agrees": False})
    api.unchanged_after("POST", url, 403, "NOT_ON_COMMITTEE", headers=t.experts[5],
                        json={"agrees": True})
    for i in range(4):
        assert t.sign(i).status_code == 200
    api.unchanged_after("POST", url, 409, "REPORT_ALREADY_SIGNED", headers=t.experts[0],
                        json={"agrees": False, "dissent": "改变主意"})
    assert outbox_types(api) == []  # not every member has answered yet
    dissent = "投标人C的技术方案优于A，技术分评分偏低，不同意排序结果"
    r = t.sign(4, agrees=False, dissent=dissent)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "signed"
    signatures = [m["signature"] for m in out["members"]]
    assert [s["agrees"] for s in signatures] == [True, True, True, True, False]
    assert signatures[4]["dissent"] == dissent
    assert out["result"]["signatures"]["dissented"] == 1
    with api.container.session_factory() as s:
        event = s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "round.evaluation_reported")).one()
        actions = list(s.scalars(select(AuditEntry.action)))
    assert event.event_type == "round.evaluation_reported"
    assert event.aggregate_id == t.section and event.payload["dissent_count"] == 1
    assert [c["bidder_name"] for c in event.payload["candidates"]] == [
        "投标人A公司", "投标人D公司", "投标人C公司"]
    assert "expert" not in repr(event.payload)  # the committee list stays secret (法 37)
    assert actions.count("evaluation.sign") == 4 and actions.count("evaluation.dissent") == 1
    assert "evaluation.signed" in actions
    # the signed report is handed to the tenderer (条例 53)
    assert api.client.get(t.base, headers=t.owner).status_code == 200
    api.unchanged_after("POST", url, 409, "REPORT_CLOSED", headers=t.experts[4],
                        json={"agrees": True})


def test_reg_53_silence_counts_as_agreement_when_the_chair_closes(api: Api) -> None:
    t = Opened(api, domain="gov_procurement")
    t.assign()
    t.score_all()
    t.report()
    for i in range(3):
        assert t.sign(i).status_code == 200
    api.unchanged_after("POST", f"{t.base}/report/close", 403, "NOT_COMMITTEE_CHAIR",
                        headers=t.experts[1])
    r = api.client.post(f"{t.base}/report/close", headers=t.experts[0])
    assert r.status_code == 200, r.text
    closing = r.json()["result"]["signatures"]
    assert closing["agreed"] == 3 and len(closing["deemed_agreed"]) == 2
    assert r.json()["status"] == "signed"
    assert outbox_types(api) == ["round.evaluation_reported"]


def test_a_bidder_cannot_read_the_evaluation(api: Api) -> None:
    t = Opened(api, domain="gov_procurement")
    # before a committee exists, oversight staff read the opened bids; bidders never do
    assert api.client.get(f"{t.base}/bids", headers=t.staff).status_code == 200
    t.assign()
    t.score_all()
    for headers in (t.bidders["A"], t.bidders["B"], t.owner, t.experts[6]):
        api.unchanged_after("GET", f"{t.base}/bids", 403, "NOT_ON_COMMITTEE", headers=headers)
        api.unchanged_after("GET", t.base, 403, "NOT_ON_COMMITTEE", headers=headers)
        api.unchanged_after("GET", f"{t.base}/scores/mine", 403, "NOT_ON_COMMITTEE",
                            headers=headers)
    t.report()
    for headers in (t.bidders["A"], t.owner):  # the report is not handed over until signed
        api.unchanged_after("GET", t.base, 403, "NOT_ON_COMMITTEE", headers=headers)
    assert api.client.get(t.base, headers=t.supervisor).status_code == 200
    assert api.client.get(f"{t.base}/bids", headers=t.supervisor).status_code == 200
    for i in range(5):
        t.sign(i)
    api.unchanged_after("GET", t.base, 403, "NOT_ON_COMMITTEE", headers=t.bidders["A"])
    api.unchanged_after("GET", f"{t.base}/bids", 403, "NOT_ON_COMMITTEE",
                        headers=t.bidders["A"])
