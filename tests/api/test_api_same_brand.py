"""87号令 31 through the API: the chair records the brand of each bid's 核心产品; the report ranks
one bid per brand and lists the others with the bid kept, the reason and the article; the 3
suppliers of 政府采购法 36 are counted one per brand; a tie inside a brand waits for the
documents' choice or an audited draw. Every refusal is problem+json and changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.evaluation.draw import reproduces
from core.model.audit import AuditEntry
from tests.api.conftest import Api
from tests.api.test_api_evaluation import Opened, outbox_types

PRODUCT = "台式计算机"


def _brand(t: Opened, name: str, brand: str, chair: int = 0, **extra: Any) -> Any:
    return t.api.client.put(f"{t.base}/bids/{t.bid_ids[name]}/core-brand", headers=t.experts[chair],
                            json={"core_product": PRODUCT, "brand": brand, **extra})


def _brands(t: Opened, brands: dict[str, str]) -> None:
    for name, brand in brands.items():
        r = _brand(t, name, brand)
        assert r.status_code == 200, r.text


def test_mof87_31_lowest_price_ranks_the_cheapest_of_a_brand_the_others_invalid(
        api: Api) -> None:
    t = Opened(api, domain="gov_procurement")  # A 100万, B 95万, C 110万, D 98万
    t.assign(method="lowest_evaluated_price", criteria=[])
    r = _brand(t, "A", "联想", source="开标一览表 第2页", model="M720")
    assert r.status_code == 200, r.text
    entry = r.json()["core_brands"][str(t.bid_ids["A"])]
    assert (entry["core_product"], entry["brand"], entry["model"], entry["source"]) == (
        PRODUCT, "联想", "M720", "开标一览表 第2页")
    _brands(t, {"B": "ＬＥＮＯＶＯ", "C": "戴尔", "D": "惠普"})
    _brands(t, {"B": " 联想 "})  # recorded again: replaced
    out = t.report()
    ids = {v: k for k, v in t.bid_ids.items()}
    result = out["result"]
    assert [ids[x["bid_id"]] for x in result["ranking"]] == ["B", "D", "C"]
    same = result["same_brand"]
    assert same["suppliers_counted"] == 3 and same["article"].endswith("第三十一条")
    [excluded] = same["excluded"]
    assert (ids[excluded["bid_id"]], ids[excluded["kept_bid_id"]], excluded["consequence"],
            excluded["price"], excluded["bidder_name"]) == (
        "A", "B", "invalid", "1000000.00", "投标人A公司")
    assert "投标无效" in excluded["reason_zh"] and excluded["article"].endswith("第三十一条")
    assert [ids[c["bid_id"]] for c in out["candidates"]] == ["B", "D", "C"]
    assert outbox_types(api) == []  # evaluation steps are audited, not announced
    with api.container.session_factory() as s:
        assert "evaluation.record_brand" in set(s.scalars(select(AuditEntry.action)))


def test_mof87_31_comprehensive_keeps_the_best_score_the_others_are_not_ranked(
        api: Api) -> None:
    """A (91.50) and B (87.00) offer one brand: B is scored — its price stays the base price
    (it is a valid bid) — but not ranked and not a candidate."""
    t = Opened(api, domain="gov_procurement")
    t.assign()
    _brands(t, {"A": "HP", "B": "hp"})
    t.score_all()
    out = t.report()
    ids = {v: k for k, v in t.bid_ids.items()}
    result = out["result"]
    assert result["lowest_valid_price"] == "950000.00"  # B's
    assert "B" not in [ids[x["bid_id"]] for x in result["ranking"]]
    top = result["ranking"][0]
    assert (ids[top["bid_id"]], top["score"]) == ("A", "91.50")
    [excluded] = result["same_brand"]["excluded"]
    assert (ids[excluded["bid_id"]], excluded["consequence"], excluded["score"]) == (
        "B", "not_candidate", "87.00")
    assert "不作为中标候选人" in excluded["reason_zh"]
    assert str(t.bid_ids["B"]) in result["scores"]


def test_mof87_31_same_brand_bids_count_once_for_the_three_suppliers(api: Api) -> None:
    """4 bids, 2 brands: 2 suppliers — the report is refused and the procurement may fail."""
    t = Opened(api, domain="gov_procurement")
    t.assign(method="lowest_evaluated_price", criteria=[])
    _brands(t, {"A": "联想", "B": "联想", "C": "戴尔", "D": "戴尔"})
    problem = api.unchanged_after("POST", f"{t.base}/report", 409, "TOO_FEW_RESPONSIVE_GPL_36",
                                  headers=t.experts[0])
    assert "只有 2 家" in problem["message_zh"]
    r = api.client.post(f"/api/v1/sections/{t.section}/rounds/current/fail",
                        json={"reason": "同品牌投标按一家计算，不足三家"}, headers=t.owner)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "failed"


def test_mof87_31_a_tie_inside_a_brand_waits_for_the_documents_or_a_draw(api: Api) -> None:
    t = Opened(api, domain="gov_procurement",
               bids={"A": "950000.00", "B": "950000.00", "C": "990000.00", "D": "980000.00"})
    t.assign(method="lowest_evaluated_price", criteria=[])
    _brands(t, {"A": "联想", "B": "联想"})
    problem = api.unchanged_after("POST", f"{t.base}/report", 409,
                                  "SAME_BRAND_TIE_UNRESOLVED_MOF87_31", headers=t.experts[0])
    a, b = t.bid_ids["A"], t.bid_ids["B"]
    first, second = sorted([a, b])
    assert f"品牌“联想”：投标 {first}、{second}" in problem["message_zh"]
    url = f"{t.base}/same-brand-ties"
    for body, status, code in (
            ({"bids": [a, t.bid_ids["C"]], "method": "draw"}, 422, "SAME_BRAND_NOT_TIED_MOF87_31"),
            ({"bids": [a, b], "method": "documents", "chosen": t.bid_ids["C"],
              "reason": "招标文件第二章 3.4"}, 422, "SAME_BRAND_NOT_TIED_MOF87_31"),
            ({"bids": [a, b], "method": "documents", "chosen": a}, 422, "FIELD_REQUIRED"),
            ({"bids": [a, b], "method": "draw", "chosen": a}, 422, "SAME_BRAND_DRAW_CHOOSES")):
        api.unchanged_after("PUT", url, status, code, json=body, headers=t.experts[0])
    api.unchanged_after("PUT", url, 403, "NOT_COMMITTEE_CHAIR", headers=t.experts[1],
                        json={"bids": [a, b], "method": "draw"})
    r = api.client.put(url, json={"bids": [b, a], "method": "draw"}, headers=t.experts[0])
    assert r.status_code == 200, r.text
    settled = r.json()["same_brand_ties"]["联想"]
    assert settled["method"] == "draw" and reproduces(settled["draw"])
    chosen = settled["chosen"]
    assert chosen == settled["draw"]["order"][0] and chosen in (a, b)
    out = t.report()
    ranked = [x["bid_id"] for x in out["result"]["ranking"]]
    other = b if chosen == a else a
    assert chosen in ranked and other not in ranked
    assert out["result"]["same_brand"]["excluded"][0]["kept_bid_id"] == chosen
    with api.container.session_factory() as s:
        assert "evaluation.settle_same_brand" in set(s.scalars(select(AuditEntry.action)))


def test_mof87_31_the_documents_clause_chooses_among_tied_bids(api: Api) -> None:
    t = Opened(api, domain="gov_procurement",
               bids={"A": "950000.00", "B": "950000.00", "C": "990000.00", "D": "980000.00"})
    t.assign(method="lowest_evaluated_price", criteria=[])
    _brands(t, {"A": "联想", "B": "联想"})
    a, b = t.bid_ids["A"], t.bid_ids["B"]
    r = api.client.put(f"{t.base}/same-brand-ties", headers=t.experts[0], json={
        "bids": [a, b], "method": "documents", "chosen": b,
        "reason": "招标文件第二章 3.4：报价相同的，以技术响应偏离少者参加评标"})
    assert r.status_code == 200, r.text
    ranked = [x["bid_id"] for x in t.report()["result"]["ranking"]]
    assert b in ranked and a not in ranked


def test_mof87_31_brands_are_the_chairs_on_a_government_tender_of_one_core_product(
        api: Api) -> None:
    t = Opened(api, domain="gov_procurement")
    t.assign(method="lowest_evaluated_price", criteria=[])
    url = f"{t.base}/bids/{t.bid_ids['A']}/core-brand"
    body = {"core_product": PRODUCT, "brand": "联想"}
    api.unchanged_after("PUT", url, 403, "NOT_COMMITTEE_CHAIR", json=body, headers=t.experts[1])
    api.unchanged_after("PUT", url, 403, "NOT_ON_COMMITTEE", json=body, headers=t.bidders["A"])
    api.unchanged_after("PUT", url, 422, "VALIDATION_FAILED", headers=t.experts[0],
                        json={"core_product": PRODUCT, "brand": ""})
    api.unchanged_after("PUT", f"{t.base}/bids/999999/core-brand", 404, "BID_NOT_FOUND",
                        json=body, headers=t.experts[0])
    assert _brand(t, "A", "联想").status_code == 200
    api.unchanged_after("PUT", f"{t.base}/bids/{t.bid_ids['B']}/core-brand", 409,
                        "CORE_PRODUCT_MISMATCH_MOF87_31", headers=t.experts[0],
                        json={"core_product": "打印机", "brand": "联想"})
    assert api.client.delete(url, headers=t.experts[0]).status_code == 200
    api.unchanged_after("DELETE", url, 404, "CORE_BRAND_NOT_FOUND", headers=t.experts[0])


def test_mof87_31_has_no_place_in_engineering(api: Api) -> None:
    t = Opened(api)
    t.assign()
    api.unchanged_after("PUT", f"{t.base}/bids/{t.bid_ids['A']}/core-brand", 409,
                        "SAME_BRAND_NOT_APPLICABLE_MOF87_31", headers=t.experts[0],
                        json={"core_product": PRODUCT, "brand": "联想"})
