"""回避 through the API: each member's declaration before evaluating (实施条例 第四十六条第三款,
评标委员会和评标方法暂行规定 第十二条; 政府采购法实施条例 第九条), the expert registry's facts
checked against the bidders, standing aside and the replacement (招标投标法 第三十七条第四款)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.model.audit import AuditEntry
from core.model.credit import CreditRecord
from core.model.expert import Expert
from core.model.party import Party
from tests.api.conftest import Api
from tests.api.test_api_evaluation import Opened

EXPERT_ID_NUMBER = "11010519491231002X"


def registry_expert(api: Api, company: str) -> int:
    now = api.container.clock.now()
    with api.container.session_factory() as s:
        expert = Expert(id_number=EXPERT_ID_NUMBER, name="李专家", sex="1", phone="13800000000",
                        company=company, area="350102001", industry="E48", base_type="1",
                        available=True, fields={}, created_at=now, updated_at=now, majors=[])
        s.add(expert)
        s.commit()
        return expert.id


def penalise(api: Api) -> None:
    """A 300 违法违规 record pushed on the expert's 身份证号码 (a natural-person subject)."""
    now = api.container.clock.now()
    with api.container.session_factory() as s:
        person = Party(kind="person", name="李专家", id_number=EXPERT_ID_NUMBER,
                       region_code="350102", created_at=now, updated_at=now)
        s.add(person)
        s.flush()
        s.add(CreditRecord(data_set="300", record_code="WG-2025-007", party_id=person.id,
                           body_code=EXPERT_ID_NUMBER, body_name="李专家", reason="评标中违规",
                           government="福州市住房和城乡建设局", document_code="榕建罚〔2025〕7号",
                           recorded_at=now, revoked=False, fields={}, received_at=now))
        s.commit()


def member_of(evaluation: dict[str, Any], account_id: int) -> dict[str, Any]:
    return next(m for m in evaluation["members"] if m["account_id"] == account_id)


def test_reg_46_every_member_declares_before_scoring_and_the_report_waits(api: Api) -> None:
    t = Opened(api)
    t.assign(declare=False)
    e0 = t.account_id("expert0")
    api.unchanged_after("PUT", f"{t.base}/bids/{t.bid_ids['A']}/scores", 409,
                        "RECUSAL_NOT_DECLARED", json={"scores": {"technical": "40"}},
                        headers=t.experts[0])
    api.unchanged_after("POST", f"{t.base}/report", 409, "RECUSAL_NOT_DECLARED",
                        headers=t.experts[0])
    for bad in ([{"ground": "close_relative"}],  # which bidder?
                [{"ground": "close_relative", "bid_id": 999999}],
                [{"ground": "past_penalty", "bid_id": t.bid_ids["A"]}]):
        api.unchanged_after("POST", f"{t.base}/recusal", 422, "RECUSAL_RELATION_INVALID",
                            json={"relations": bad}, headers=t.experts[0])
    api.unchanged_after("POST", f"{t.base}/recusal", 422, "VALIDATION_FAILED",
                        json={"relations": [{"ground": "friend"}]}, headers=t.experts[0])
    api.unchanged_after("POST", f"{t.base}/recusal", 403, "NOT_ON_COMMITTEE",
                        json={"relations": []}, headers=t.bidders["A"])

    r = t.declare(e0)
    assert r.status_code == 201, r.text
    declared = r.json()
    assert declared["excluded"] is False and declared["grounds"] == []
    assert len(declared["statement_sha256"]) == 64 and declared["declared_at"]
    api.unchanged_after("POST", f"{t.base}/recusal", 409, "RECUSAL_ALREADY_DECLARED",
                        json={"relations": []}, headers=t.experts[0])
    assert t.score(0, "A", {"technical": "45", "service": "18"}).status_code == 200
    with api.container.session_factory() as s:
        audit = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "evaluation.declare_recusal")).one()
    assert audit.object_type == "recusal_declaration" and audit.after_digest


def test_reg_46_a_member_declaring_a_close_relative_stands_aside_and_is_replaced(
        api: Api) -> None:
    t = Opened(api)
    t.assign("lowest_evaluated_price", criteria=[], declare=False)
    e1, e5 = t.account_id("expert1"), t.account_id("expert5")
    r = t.declare(e1, [{"ground": "close_relative", "bid_id": t.bid_ids["B"]}])
    assert r.status_code == 201, r.text
    (ground,) = r.json()["grounds"]
    assert r.json()["excluded"] is True
    assert (ground["rule"], ground["item"], ground["bid_id"], ground["sources"]) == (
        "REG_46", "一", t.bid_ids["B"], ["declared"])
    api.unchanged_after("POST", f"{t.base}/recusal", 403, "NOT_ON_COMMITTEE",
                        json={"relations": []}, headers=t.experts[1])

    evaluation = api.client.get(t.base, headers=t.supervisor).json()
    stood_aside = member_of(evaluation, e1)
    assert stood_aside["excluded_at"] and stood_aside["recusal"]["excluded"] is True
    url = f"{t.base}/committee/members/{stood_aside['id']}/replacement"
    sitting = member_of(evaluation, t.account_id("expert2"))
    api.unchanged_after("POST", f"{t.base}/committee/members/{sitting['id']}/replacement", 409,
                        "COMMITTEE_REPLACEMENT_WITHOUT_GROUND", json={"account_id": e5},
                        headers=t.staff)
    api.unchanged_after("POST", url, 403, "ROLE_NOT_ALLOWED", json={"account_id": e5},
                        headers=t.experts[0])
    api.unchanged_after("POST", url, 409, "COMMITTEE_MEMBER_DUPLICATE",
                        json={"account_id": t.account_id("expert2")}, headers=t.staff)
    r = api.client.post(url, json={"account_id": e5}, headers=t.staff)
    assert r.status_code == 200, r.text
    new = member_of(r.json(), e5)
    assert new["replaces_id"] == stood_aside["id"] and new["recusal"] is None
    api.unchanged_after("POST", url, 409, "COMMITTEE_MEMBER_ALREADY_REPLACED",
                        json={"account_id": t.account_id("expert6")}, headers=t.staff)

    t.declare_all()  # the five sitting, the replacement among them
    report = t.report()
    assert len(report["result"]["members"]) == 5
    assert stood_aside["id"] not in {m["member_id"] for m in report["result"]["members"]}


def test_reg_46_what_the_registry_knows_is_refused_even_when_nothing_is_declared(
        api: Api) -> None:
    t = Opened(api)
    works_for_b = registry_expert(api, "投标人B公司")
    members = t.members()
    members[1]["expert_id"] = works_for_b
    body = {"members": members, "method": "lowest_evaluated_price", "criteria": []}
    problem = api.unchanged_after("POST", f"{t.base}/committee", 409,
                                  "COMMITTEE_MEMBER_EXCLUDED_REG_46", json=body,
                                  headers=t.staff)
    assert (problem["item"], problem["recusal_grounds"][0]["ground"],
            problem["recusal_grounds"][0]["bid_id"]) == ("三", "employed_by_bidder", t.bid_ids["B"])

    with api.container.session_factory() as s:  # the registry corrects the employer
        expert = s.get(Expert, works_for_b)
        assert expert is not None
        expert.company = "福建某大学"
        s.commit()
    t.assign("lowest_evaluated_price", criteria=[], members=members, declare=False)
    penalise(api)  # a penalty arrives after the assignment
    e1 = t.account_id("expert1")
    problem = api.unchanged_after("POST", f"{t.base}/recusal", 409,
                                  "COMMITTEE_MEMBER_EXCLUDED_REG_46",
                                  json={"relations": []}, headers=t.experts[1])
    (ground,) = problem["recusal_grounds"]
    assert (ground["ground"], ground["item"], ground["sources"]) == (
        "past_penalty", "四", ["registry"])
    assert "WG-2025-007" in ground["detail"]

    # declared, it is recorded and the member stands aside; staff replace it
    r = t.declare(e1, [{"ground": "past_penalty"}])
    assert r.status_code == 201 and r.json()["excluded"] is True, r.text
    assert r.json()["grounds"][0]["sources"] == ["declared", "registry"]
    seat = member_of(api.client.get(t.base, headers=t.supervisor).json(), e1)["id"]
    r = api.client.post(f"{t.base}/committee/members/{seat}/replacement",
                        json={"account_id": t.account_id("expert5")}, headers=t.staff)
    assert r.status_code == 200, r.text


def test_gpreg_9_a_government_expert_employed_by_a_supplier_stands_aside(api: Api) -> None:
    t = Opened(api, "gov_procurement")
    t.assign(declare=False)
    e0 = t.account_id("expert0")
    r = t.declare(e0, [{"ground": "employed_by_bidder", "bid_id": t.bid_ids["C"]},
                       {"ground": "supervising_department"}])
    assert r.status_code == 201, r.text
    assert [(g["rule"], g["item"]) for g in r.json()["grounds"]] == [("GPREG_9", "一"),
                                                                     ("GPL", "")]
    assert "第九条第一款" in r.json()["grounds"][0]["article"]
    assert "待核实" in r.json()["grounds"][1]["article"]  # an unverified reading
    # the chair stood aside: nobody may generate the report until the seat is filled
    api.unchanged_after("POST", f"{t.base}/report", 403, "NOT_ON_COMMITTEE",
                        headers=t.experts[0])
