"""Settling a 并列 among the candidates through the API (87号令 68; engineering: the documents):
by the documents with the clause cited, by a draw whose record reproduces the order, refused to
bidders and on bad input with nothing changed, and the publicity and the award refused while a
tie is open.

As in test_api_award, the round is put in 'evaluating' by inserting rows; the tie is made by
giving the first two candidates the shared rank 1 (what the report stores for a 并列).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from core.evaluation.draw import reproduces
from core.model.account import AccountKind
from core.model.tendering import Candidate
from core.rules import limits
from tests.api.conftest import Api
from tests.api.test_api_award import CAL, ENGINEERING, Evaluated

CLAUSE = "招标文件第二章投标人须知前附表第7.1款：综合评分和投标报价均相等的，以技术得分高者优先"


def tie_first_two(e: Evaluated) -> list[int]:
    """Candidates 1 and 2 tied at rank 1; their bid ids, ascending."""
    with e.api.container.session_factory() as s:
        s.execute(update(Candidate).where(Candidate.round_id == e.round_id, Candidate.rank <= 2)
                  .values(rank=1, tied=True))
        s.commit()
    return sorted(c["bid_id"] for c in ties(e)["candidates"] if c["tied"])


def ties(e: Evaluated, who: str = "owner") -> dict[str, Any]:
    r = e.api.client.get(e.url("ties"), headers=e.signed_in(who))
    assert r.status_code == 200, r.text
    return dict(r.json())


def publicity_body(e: Evaluated) -> dict[str, str]:
    return {"ends_at": limits.publicity_end(ENGINEERING, CAL, e.clock.now()).ends_at.isoformat()}


def test_mof87_68_settled_by_the_documents_then_published(api: Api) -> None:
    e = Evaluated(api)
    first, second = tie_first_two(e)
    before = ties(e)
    assert [(c["rank"], c["bid_id"], c["tied"]) for c in before["candidates"]][:2] == [
        (1, first, True), (1, second, True)]
    assert before["settlements"] == []
    problem = api.unchanged_after("POST", e.url("publicity"), 409,
                                  "CANDIDATE_TIE_UNSETTLED_MOF87_68", headers=e.owner,
                                  json=publicity_body(e))
    assert "招标文件" in problem["message_zh"]

    r = api.client.post(e.url("ties"), headers=e.owner, json={
        "rank": 1, "method": "documents", "order": [second, first], "reason": CLAUSE})
    assert r.status_code == 201, r.text
    out = r.json()
    assert [(c["rank"], c["bid_id"], c["tied"]) for c in out["candidates"]][:2] == [
        (1, second, False), (2, first, False)]
    [settled] = out["settlements"]
    assert (settled["method"], settled["order"], settled["reason"], settled["draw"]) == (
        "documents", [second, first], CLAUSE, None)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    oversight = api.client.get(e.url("ties"), headers=staff)
    assert oversight.status_code == 200 and oversight.json()["settlements"] == out["settlements"]
    published = e.publish()
    assert [c["bid_id"] for c in published["candidates"]][:2] == [second, first]


def test_mof87_68_settled_by_a_draw_the_response_reproduces(api: Api) -> None:
    e = Evaluated(api)
    tied = tie_first_two(e)
    r = api.client.post(e.url("ties"), headers=e.owner,
                        json={"rank": 1, "method": "draw", "reason": "招标文件未规定，随机抽取"})
    assert r.status_code == 201, r.text
    [settled] = r.json()["settlements"]
    draw = settled["draw"]
    assert draw["bids"] == tied and len(draw["seed"]) == 64 and reproduces(draw)
    assert settled["order"] == draw["order"]
    assert [c["bid_id"] for c in r.json()["candidates"]][:2] == draw["order"]
    assert not reproduces({**draw, "order": list(reversed(draw["order"]))})
    api.unchanged_after("POST", e.url("ties"), 422, "CANDIDATE_TIE_NOT_FOUND", headers=e.owner,
                        json={"rank": 1, "method": "draw"})  # settled once, for good


def test_a_bidder_cannot_settle_and_bad_input_changes_nothing(api: Api) -> None:
    e = Evaluated(api)
    first, second = tie_first_two(e)
    good = {"rank": 1, "method": "documents", "order": [second, first], "reason": CLAUSE}
    bidder = e.signed_in("b1")
    api.unchanged_after("POST", e.url("ties"), 403, "NOT_PROJECT_OWNER", headers=bidder,
                        json=good)
    api.unchanged_after("POST", e.url("ties"), 403, "NOT_PROJECT_OWNER", headers=bidder,
                        json={"rank": 1, "method": "draw"})
    api.unchanged_after("GET", e.url("ties"), 403, "FORBIDDEN", headers=bidder)
    owner = e.owner
    api.unchanged_after("POST", e.url("ties"), 422, "FIELD_REQUIRED", headers=owner,
                        json={**good, "reason": None})
    api.unchanged_after("POST", e.url("ties"), 422, "TIE_ORDER_MISMATCH", headers=owner,
                        json={**good, "order": [second]})
    api.unchanged_after("POST", e.url("ties"), 422, "TIE_ORDER_NOT_WITH_DRAW", headers=owner,
                        json={"rank": 1, "method": "draw", "order": [first, second]})
    api.unchanged_after("POST", e.url("ties"), 422, "CANDIDATE_TIE_NOT_FOUND", headers=owner,
                        json={**good, "rank": 3})
    api.unchanged_after("POST", e.url("ties"), 422, "VALIDATION_FAILED", headers=owner,
                        json={**good, "method": "coin"})
    assert all(c["tied"] for c in ties(e)["candidates"][:2])


def test_the_award_is_refused_while_a_tie_is_open(api: Api) -> None:
    """Not reachable through the publicity (it refuses a tie): the award's own guard."""
    e = Evaluated(api)
    e.publish_and_end()
    tie_first_two(e)
    owner = e.signed_in("owner")  # the clock has moved past the first token's life
    api.unchanged_after("POST", e.url("award"), 409, "CANDIDATE_TIE_UNSETTLED_MOF87_68",
                        headers=owner, json={})
    api.unchanged_after("POST", e.url("ties"), 409, "ROUND_NOT_EVALUATING", headers=owner,
                        json={"rank": 1, "method": "draw"})
