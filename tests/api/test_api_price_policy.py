"""政府采购's price policy through the API: the round declares what it buys, a fixed price and the
小微企业 deductions; the committee's criteria are refused outside 87号令 55's bounds; the chair
records a bid's 小微企业 status; too few responsive bids refuse the report and the procurement is
declared failed (废标, 政府采购法 36(一)). Every refusal is problem+json and changes nothing.

The evaluated-price math through the use cases is in tests/core/test_price_policy_service.py.
"""

from __future__ import annotations

from sqlalchemy import select

from core.model.audit import AuditEntry
from core.model.notice import Notice
from core.model.tendering import Round
from tests.api.conftest import Api
from tests.api.test_api_evaluation import GOV_CRITERIA, Opened, outbox_types

NO_PRICE = [
    {"code": "technical", "name_zh": "技术方案", "weight": "70", "category": "technical"},
    {"code": "service", "name_zh": "售后服务", "weight": "30", "category": "commercial"},
]


def _criteria(price: str) -> list[dict[str, str]]:
    rest = str(100 - int(price))
    return [{"code": "technical", "name_zh": "技术方案", "weight": rest, "category": "technical"},
            {"code": "price", "name_zh": "价格分", "weight": price, "category": "price"}]


def _body(t: Opened, criteria: list[dict[str, str]]) -> dict[str, object]:
    return {"members": t.members(5), "method": "comprehensive", "criteria": criteria}


def test_mof87_55_the_price_weight_is_refused_below_the_goods_floor(api: Api) -> None:
    """§5 case 1: goods at price weight 5 (or 29.99) refused when the committee is assigned;
    30 is accepted — a floor, not a range."""
    t = Opened(api, domain="gov_procurement")
    url = f"{t.base}/committee"
    for weight in ("5", "29"):
        problem = api.unchanged_after("POST", url, 422, "PRICE_WEIGHT_OUT_OF_RANGE_MOF87_55",
                                      json=_body(t, _criteria(weight)), headers=t.staff)
        assert "不得低于30%" in problem["message_zh"] and problem["field"] == "criteria"
    out = t.assign(criteria=_criteria("70"))  # 87号令 55 sets no cap
    assert [c["weight"] for c in out["criteria"] if c["category"] == "price"] == ["70"]


def test_mof87_55_a_round_that_does_not_say_what_it_buys_is_refused(api: Api) -> None:
    t = Opened(api, domain="gov_procurement", procurement_object=None)
    problem = api.unchanged_after("POST", f"{t.base}/committee", 422,
                                  "PROCUREMENT_OBJECT_REQUIRED_MOF87_55",
                                  json=_body(t, GOV_CRITERIA), headers=t.staff)
    assert problem["field"] == "procurement_object"


def test_mof87_55_a_fixed_price_round_takes_no_price_criterion(api: Api) -> None:
    """§5 case 8: at a 统一定价/固定价格 the price criterion is refused, and none is demanded."""
    t = Opened(api, domain="gov_procurement", procurement_object="services", fixed_price=True)
    api.unchanged_after("POST", f"{t.base}/committee", 422,
                        "PRICE_CRITERION_NOT_ALLOWED_MOF87_55", json=_body(t, GOV_CRITERIA),
                        headers=t.staff)
    out = t.assign(criteria=NO_PRICE)
    assert {c["category"] for c in out["criteria"]} == {"technical", "commercial"}


def test_mof46_9_the_round_declares_its_policy_within_the_ranges(api: Api) -> None:
    """The 小微企业 deduction of 46号 9 as raised by 19号 (10–20 %, 联合体 4–6 %) at
    configuration; an engineering round declares none of the price policy."""
    _, owner = api.register("owner", "MA2Y0001", ["purchaser"])
    project = api.project(owner, name="设备采购项目", domain="gov_procurement",
                          industry_code="F51")
    tp = api.tender_project(owner, project["code"], name="设备采购", tender_mode="public_tender",
                            tender_project_type=None)
    section = api.section(owner, tp["code"], price="1200000.00")["code"]
    url = f"/api/v1/sections/{section}/rounds"
    base = api.round_body()
    for extra, code, field in (
            ({"procurement_object": "goods", "sme_deduction": "6"},  # 46号's old 6 %
             "SME_DEDUCTION_OUT_OF_RANGE_MOF46_9", "sme_deduction"),
            ({"procurement_object": "goods", "sme_deduction": "20.01"},
             "SME_DEDUCTION_OUT_OF_RANGE_MOF46_9", "sme_deduction"),
            ({"procurement_object": "services", "sme_deduction": "10",
              "sme_joint_deduction": "3"}, "SME_DEDUCTION_OUT_OF_RANGE_MOF46_9",
             "sme_joint_deduction"),
            ({"sme_deduction": "10"}, "PROCUREMENT_OBJECT_REQUIRED_MOF46_9",
             "procurement_object")):
        problem = api.unchanged_after("POST", url, 422, code, json={**base, **extra},
                                      headers=owner)
        assert problem["field"] == field
    api.unchanged_after("POST", url, 422, "VALIDATION_FAILED", headers=owner,
                        json={**base, "procurement_object": "land"})
    r = api.client.post(url, headers=owner, json={
        **base, "procurement_object": "goods", "sme_deduction": "10",
        "sme_joint_deduction": "4.5"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["procurement_object"], out["fixed_price"], out["sme_deduction"],
            out["sme_joint_deduction"]) == ("goods", False, "10.00", "4.50")

    _, tenderer = api.register("tenderer", "MA2Y0003", ["tenderer"])
    engineering = api.section(tenderer, api.tender_project(
        tenderer, api.project(tenderer)["code"])["code"])["code"]
    for extra in ({"procurement_object": "works"}, {"fixed_price": True},
                  {"sme_deduction": "3"}):
        api.unchanged_after("POST", f"/api/v1/sections/{engineering}/rounds", 422,
                            "GOV_PROCUREMENT_ONLY", json={**base, **extra}, headers=tenderer)


def test_mof46_9_the_chair_records_a_bids_small_firm_status(api: Api) -> None:
    t = Opened(api, domain="gov_procurement", sme=("10", "5"))
    t.assign()
    url = f"{t.base}/bids/{t.bid_ids['A']}/sme-declaration"
    body = {"status": "small_micro", "source": "中小企业声明函 第12页"}
    api.unchanged_after("PUT", url, 403, "NOT_COMMITTEE_CHAIR", json=body, headers=t.experts[1])
    api.unchanged_after("PUT", url, 403, "NOT_ON_COMMITTEE", json=body, headers=t.bidders["A"])
    api.unchanged_after("PUT", url, 422, "SME_SHARE_TOO_SMALL_MOF46_9", headers=t.experts[0],
                        json={"status": "joint_small_share", "small_share": "29.99"})
    api.unchanged_after("PUT", url, 422, "VALIDATION_FAILED", headers=t.experts[0],
                        json={"status": "medium"})
    api.unchanged_after("PUT", f"{t.base}/bids/999999/sme-declaration", 404, "BID_NOT_FOUND",
                        headers=t.experts[0], json=body)
    r = api.client.put(url, json=body, headers=t.experts[0])
    assert r.status_code == 200, r.text
    entry = r.json()["sme_declarations"][str(t.bid_ids["A"])]
    assert (entry["status"], entry["rate"], entry["source"]) == (
        "small_micro", "10.00", "中小企业声明函 第12页")
    joint = f"{t.base}/bids/{t.bid_ids['D']}/sme-declaration"
    r = api.client.put(joint, headers=t.experts[0],
                       json={"status": "joint_small_share", "small_share": "30"})
    assert r.json()["sme_declarations"][str(t.bid_ids["D"])]["rate"] == "5.00"
    assert api.client.delete(joint, headers=t.experts[0]).status_code == 200
    api.unchanged_after("DELETE", joint, 404, "SME_DECLARATION_NOT_FOUND", headers=t.experts[0])
    with api.container.session_factory() as s:
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"evaluation.declare_sme", "evaluation.withdraw_sme"} <= actions


def test_gpl_36_too_few_responsive_bids_refuse_the_report_and_the_round_fails(
        api: Api) -> None:
    """§5 case 7: 3 bids, 2 found invalid → no candidate; the purchaser declares 废标."""
    t = Opened(api, domain="gov_procurement",
               bids={"A": "1000000.00", "B": "950000.00", "C": "1100000.00"})
    t.assign()
    fail = f"/api/v1/sections/{t.section}/rounds/current/fail"
    reason = {"reason": "有效投标不足三家"}
    api.unchanged_after("POST", fail, 409, "ENOUGH_RESPONSIVE_BIDS", json=reason,
                        headers=t.owner)
    for name, ground in (("B", "above_budget"), ("C", "no_deposit")):
        r = api.client.put(f"{t.base}/bids/{t.bid_ids[name]}/rejection", headers=t.experts[0],
                           json={"grounds": [ground], "reason": "投标无效"})
        assert r.status_code == 200, r.text
    t.score_all(("A",))
    problem = api.unchanged_after("POST", f"{t.base}/report", 409, "TOO_FEW_RESPONSIVE_GPL_36",
                                  headers=t.experts[0])
    assert "应予废标" in problem["message_zh"]
    api.unchanged_after("POST", fail, 403, "NOT_PROJECT_OWNER", json=reason,
                        headers=t.bidders["A"])
    api.unchanged_after("POST", fail, 422, "VALIDATION_FAILED", json={"reason": ""},
                        headers=t.owner)
    r = api.client.post(fail, json=reason, headers=t.owner)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "failed"
    assert out["failure_reason"].startswith("TOO_FEW_RESPONSIVE_GPL_36: ")
    assert "有效投标不足三家" in out["failure_reason"]
    assert outbox_types(api) == ["round.failed"]
    with api.container.session_factory() as s:
        notice = s.scalars(select(Notice).where(Notice.notice_type == "failed")).one()
        assert "废标公告" in notice.title and "第三十六条" in notice.content
        assert s.scalars(select(Round)).one().status == "failed"
        actions = set(s.scalars(select(AuditEntry.action)))
    assert "round.declare_failed" in actions
    api.unchanged_after("POST", fail, 409, "ROUND_NOT_IN_EVALUATION", json=reason,
                        headers=t.owner)
