"""87号令 60 through the API: the committee asks a bidder to explain an abnormally low price by a
deadline, the bidder answers for its own bid only, and the committee accepts the answer or finds
the bid invalid (abnormally_low_unexplained) — never on that ground without asking, before the
answer or the deadline, or against an accepted answer. Every refusal is problem+json and changes
nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.clock import MovableClock
from core.model.audit import AuditEntry
from tests.api.conftest import Api
from tests.api.test_api_evaluation import Opened, outbox_types

UNEXPLAINED = {"grounds": ["abnormally_low_unexplained"], "reason": "报价明显偏低且未能证明合理性"}


def _request(t: Opened, name: str, hours: float = 2, chair: int = 0) -> Any:
    deadline = t.api.container.clock.now() + timedelta(hours=hours)
    return t.api.client.post(f"{t.base}/bids/{t.bid_ids[name]}/price-explanation",
                             headers=t.experts[chair],
                             json={"deadline": deadline.isoformat(),
                                   "reason": "报价明显低于其他通过符合性审查投标人的报价"})


def _url(t: Opened, name: str, tail: str = "") -> str:
    return f"{t.base}/bids/{t.bid_ids[name]}/price-explanation{tail}"


def test_mof87_60_the_bidder_is_asked_before_its_bid_is_found_invalid(api: Api) -> None:
    t = Opened(api, domain="gov_procurement")
    t.assign(method="lowest_evaluated_price", criteria=[])
    rejection = f"{t.base}/bids/{t.bid_ids['B']}/rejection"
    problem = api.unchanged_after("PUT", rejection, 409, "PRICE_EXPLANATION_NOT_REQUESTED_MOF87_60",
                                  json=UNEXPLAINED, headers=t.experts[0])
    assert "第六十条" in problem["message_zh"] and problem["field"] == "grounds"

    now = api.container.clock.now()
    body = {"deadline": (now + timedelta(hours=2)).isoformat(), "reason": "明显低价"}
    url = _url(t, "B")
    api.unchanged_after("POST", url, 403, "NOT_COMMITTEE_CHAIR", json=body, headers=t.experts[1])
    api.unchanged_after("POST", url, 403, "NOT_ON_COMMITTEE", json=body, headers=t.bidders["B"])
    api.unchanged_after("POST", url, 422, "PRICE_EXPLANATION_DEADLINE_NOT_FUTURE_MOF87_60",
                        headers=t.experts[0], json={**body, "deadline": now.isoformat()})
    api.unchanged_after("POST", url, 422, "DATETIME_NOT_AWARE", headers=t.experts[0],
                        json={**body, "deadline": "2030-01-01T09:00:00"})
    r = _request(t, "B")
    assert r.status_code == 201, r.text
    note = r.json()["price_explanations"][str(t.bid_ids["B"])]
    assert (note["price"], note["answer"], note["decision"]) == ("950000.00", None, None)
    api.unchanged_after("POST", url, 409, "PRICE_EXPLANATION_ALREADY_REQUESTED_MOF87_60",
                        json=body, headers=t.experts[0])
    api.unchanged_after("PUT", rejection, 409, "PRICE_EXPLANATION_PENDING_MOF87_60",
                        json=UNEXPLAINED, headers=t.experts[0])
    api.unchanged_after("PUT", _url(t, "B", "/decision"), 409,
                        "PRICE_EXPLANATION_PENDING_MOF87_60", headers=t.experts[0],
                        json={"accepted": True, "reason": "说明合理"})
    api.unchanged_after("POST", f"{t.base}/report", 409, "PRICE_EXPLANATION_UNDECIDED_MOF87_60",
                        headers=t.experts[0])

    # The bidder reads its own request (not who asked) and answers it; nobody else does.
    mine = api.client.get(url, headers=t.bidders["B"])
    assert mine.status_code == 200, mine.text
    assert (mine.json()["state"], mine.json()["decision"]) == ("requested", None)
    assert "expert" not in mine.text
    api.unchanged_after("GET", url, 403, "NOT_ON_COMMITTEE", headers=t.bidders["A"])
    answer = {"text": "我公司为生产厂家，成本构成见附件",
              "evidence": ["成本核算表", "原材料采购合同"]}
    api.unchanged_after("PUT", _url(t, "B", "/answer"), 404, "BID_NOT_FOUND", json=answer,
                        headers=t.bidders["A"])
    api.unchanged_after("PUT", _url(t, "B", "/answer"), 403, "ROLE_NOT_ALLOWED", json=answer,
                        headers=t.experts[0])
    api.unchanged_after("PUT", _url(t, "A", "/answer"), 409,
                        "PRICE_EXPLANATION_NOT_REQUESTED_MOF87_60", json=answer,
                        headers=t.bidders["A"])
    api.unchanged_after("PUT", _url(t, "B", "/answer"), 422, "VALIDATION_FAILED",
                        json={"text": ""}, headers=t.bidders["B"])
    r = api.client.put(_url(t, "B", "/answer"), json=answer, headers=t.bidders["B"])
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "answered" and r.json()["answer"]["evidence"] == answer["evidence"]
    api.unchanged_after("PUT", _url(t, "B", "/answer"), 409,
                        "PRICE_EXPLANATION_ALREADY_ANSWERED_MOF87_60", json=answer,
                        headers=t.bidders["B"])

    # The committee accepts: the bid stays, and cannot be rejected as unexplained any more.
    full = api.client.get(url, headers=t.experts[2]).json()
    assert full["state"] == "answered" and full["answer"]["text"] == answer["text"]
    r = api.client.put(_url(t, "B", "/decision"), headers=t.experts[0],
                       json={"accepted": True, "reason": "成本说明和证明材料充分"})
    assert r.status_code == 200, r.text
    api.unchanged_after("PUT", rejection, 409, "PRICE_EXPLANATION_ACCEPTED_MOF87_60",
                        json=UNEXPLAINED, headers=t.experts[0])
    api.unchanged_after("PUT", _url(t, "B", "/decision"), 409,
                        "PRICE_EXPLANATION_ALREADY_DECIDED_MOF87_60", headers=t.experts[0],
                        json={"accepted": False, "reason": "改变认定"})
    assert api.client.get(url, headers=t.bidders["B"]).json()["state"] == "answered"
    out = t.report()
    assert t.bid_ids["B"] in [x["bid_id"] for x in out["result"]["ranking"]]
    assert outbox_types(api) == []  # audited, not announced
    with api.container.session_factory() as s:
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"evaluation.request_price_explanation", "evaluation.answer_price_explanation",
            "evaluation.decide_price_explanation"} <= actions


def test_mof87_60_an_unanswered_request_lapses_and_the_bid_is_invalid(api: Api,
                                                                       clock: MovableClock) -> None:
    t = Opened(api, domain="gov_procurement")
    t.assign(method="lowest_evaluated_price", criteria=[])
    assert _request(t, "D", hours=1).status_code == 201
    clock.advance(timedelta(hours=1))  # the deadline itself: too late
    api.unchanged_after("PUT", _url(t, "D", "/answer"), 409,
                        "PRICE_EXPLANATION_DEADLINE_PASSED_MOF87_60", json={"text": "迟到的说明"},
                        headers=t.bidders["D"])
    assert api.client.get(_url(t, "D"), headers=t.experts[1]).json()["state"] == "lapsed"
    api.unchanged_after("PUT", _url(t, "D", "/decision"), 409,
                        "PRICE_EXPLANATION_NOT_ANSWERED_MOF87_60", headers=t.experts[0],
                        json={"accepted": True, "reason": "不需要说明"})
    r = api.client.put(_url(t, "D", "/decision"), headers=t.experts[0],
                       json={"accepted": False, "reason": "未在规定时间内提供书面说明"})
    assert r.status_code == 200, r.text
    out = r.json()
    key = str(t.bid_ids["D"])
    assert out["rejections"][key]["grounds"] == ["abnormally_low_unexplained"]
    assert out["rejections"][key]["articles"] == ["财政部令第87号 第六十条"]
    assert out["price_explanations"][key]["decision"]["accepted"] is False
    seen = api.client.get(_url(t, "D"), headers=t.bidders["D"]).json()
    assert (seen["state"], seen["decision"]) == ("lapsed", None)  # the decision comes with 69

    # Taken back, the decision is open again; the rejection on the ground decides it anew.
    rejection = f"{t.base}/bids/{t.bid_ids['D']}/rejection"
    assert api.client.delete(rejection, headers=t.experts[0]).status_code == 200
    api.unchanged_after("POST", f"{t.base}/report", 409, "PRICE_EXPLANATION_UNDECIDED_MOF87_60",
                        headers=t.experts[0])
    r = api.client.put(rejection, json=UNEXPLAINED, headers=t.experts[0])
    assert r.status_code == 200, r.text
    assert r.json()["price_explanations"][key]["decision"]["accepted"] is False
    result = t.report()["result"]
    assert t.bid_ids["D"] not in [x["bid_id"] for x in result["ranking"]]
    assert [x["bid_id"] for x in result["rejected"]] == [t.bid_ids["D"]]


def test_mof87_60_no_request_for_a_rejected_bid_nor_after_the_report(api: Api) -> None:
    t = Opened(api, domain="gov_procurement")
    t.assign(method="lowest_evaluated_price", criteria=[])
    r = api.client.put(f"{t.base}/bids/{t.bid_ids['C']}/rejection", headers=t.experts[0],
                       json={"grounds": ["above_budget"], "reason": "超预算"})
    assert r.status_code == 200, r.text
    deadline = (api.container.clock.now() + timedelta(hours=1)).isoformat()
    api.unchanged_after("POST", _url(t, "C"), 409, "BID_REJECTED", headers=t.experts[0],
                        json={"deadline": deadline, "reason": "明显低价"})
    api.unchanged_after("GET", _url(t, "A"), 404, "PRICE_EXPLANATION_NOT_FOUND",
                        headers=t.experts[0])
    t.report()
    api.unchanged_after("POST", _url(t, "A"), 409, "EVALUATION_CLOSED", headers=t.experts[0],
                        json={"deadline": deadline, "reason": "明显低价"})
