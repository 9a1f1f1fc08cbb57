"""The limits of issue 12 §3 through the API, each refusal a problem+json that changes nothing:
documents on sale (条例 16, 87号令 18), 邀请招标 of a state-funded must-tender project (条例 8),
the 单一来源 公示 (政采条例 38), the 履约保证金 (条例 58), the written report (法 47) and the
interest shown with a refund (条例 57)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.clock import MovableClock
from core.model.account import AccountKind
from core.model.project import Section
from core.model.tendering import Round
from core.services.deadlines import deadlines_of
from tests.api.conftest import Api
from tests.api.test_api_award import Evaluated, beijing


def section(api: Api, *, gov: bool = False, mode: str | None = None,
            price: str | None = None) -> tuple[dict[str, str], str]:
    _, owner = api.register("owner", "MA2Y0001", ["purchaser" if gov else "tenderer"])
    project = api.project(owner, **({"name": "设备采购项目", "domain": "gov_procurement",
                                     "industry_code": "F51"} if gov else {}))
    tp = api.tender_project(owner, project["code"], **(
        {"name": "设备采购", "tender_mode": mode or "public_tender", "tender_project_type": None}
        if gov else {"tender_mode": mode or "1"}))
    code = api.section(owner, tp["code"], price=price or (
        "2400000.00" if gov else "41200000.00"))["code"]
    return owner, code


def round_body(api: Api, **extra: Any) -> dict[str, Any]:
    return {**api.round_body(), **extra}


def test_reg_16_documents_on_sale_less_than_5_days_are_refused(api: Api,
                                                               clock: MovableClock) -> None:
    clock.set(beijing(2026, 11, 23, 10))  # Monday: the 5th day is Saturday 11-28 → 11-30
    owner, code = section(api)
    url = f"/api/v1/sections/{code}/rounds"
    problem = api.unchanged_after(
        "POST", url, 422, "DOCUMENTS_ON_SALE_TOO_SHORT_REG_16", headers=owner,
        json=round_body(api, documents_available_until=beijing(2026, 11, 30, 17).isoformat()))
    assert "2026-11-30" in problem["message_zh"] and "第十六条" in problem["message_zh"]
    assert problem["field"] == "documents_available_until"
    until = beijing(2026, 11, 30, 23, 59, 59)
    r = api.client.post(url, headers=owner,
                        json=round_body(api, documents_available_until=until.isoformat()))
    assert r.status_code == 201, r.text
    assert datetime.fromisoformat(r.json()["documents_available_until"]) == until
    # issued on Thursday the same end is too short (the 5th day is Tuesday 12-01): the issue
    # checks again, and nothing changes
    clock.set(beijing(2026, 11, 26, 10))
    owner = api.token("owner")
    api.unchanged_after("POST", f"{url}/current/issue", 422, "DOCUMENTS_ON_SALE_TOO_SHORT_REG_16",
                        headers=owner)
    body = round_body(api, documents_available_until=beijing(2026, 12, 1, 23, 59, 59)
                      .isoformat())
    assert api.client.put(f"{url}/current", headers=owner, json=body).status_code == 200
    issued = api.client.post(f"{url}/current/issue", headers=owner)
    assert issued.status_code == 200, issued.text
    rules = {d["rule"]: d for d in issued.json()["deadlines"]}
    assert rules["documents_on_sale"]["ref"] == "REG_16"
    assert rules["documents_on_sale"]["last_day"] == "2026-12-01"


def test_mof87_18_a_government_tender_keeps_its_documents_5_working_days(
        api: Api, clock: MovableClock) -> None:
    clock.set(beijing(2026, 11, 23, 10))  # Monday: 5 个工作日 end Monday 11-30
    owner, code = section(api, gov=True)
    api.unchanged_after(
        "POST", f"/api/v1/sections/{code}/rounds", 422, "DOCUMENTS_ON_SALE_TOO_SHORT_MOF87_18",
        headers=owner, json=round_body(
            api, documents_available_until=beijing(2026, 11, 29, 23, 59, 59).isoformat()))


def test_reg_8_an_invited_state_funded_must_tender_round_needs_a_ground(api: Api) -> None:
    owner, code = section(api, mode="2")  # 邀请招标, 4120万元
    url = f"/api/v1/sections/{code}/rounds"
    problem = api.unchanged_after("POST", url, 422, "INVITED_TENDER_NOT_ALLOWED_REG_8",
                                  headers=owner, json=round_body(api, state_funded=True))
    assert "第八条" in problem["message_zh"]
    api.unchanged_after("POST", url, 422, "INVITED_TENDER_NOT_ALLOWED_REG_8", headers=owner,
                        json=round_body(api, state_funded=True, contract_kind="services"))
    api.unchanged_after("POST", url, 422, "INVITATION_GROUND_UNKNOWN", headers=owner,
                        json=round_body(api, state_funded=True, invitation_ground="convenient"))
    r = api.client.post(url, headers=owner, json=round_body(
        api, state_funded=True, contract_kind="works", invitation_ground="few_bidders"))
    assert r.status_code == 201, r.text
    assert r.json()["invitation_ground"] == "few_bidders"
    assert r.json()["contract_kind"] == "works"
    issued = api.client.post(f"{url}/current/issue", headers=owner)
    assert issued.status_code == 200, issued.text


def test_reg_8_an_invited_round_under_the_threshold_or_not_state_funded_needs_none(
        api: Api) -> None:
    owner, code = section(api, mode="2", price="3999999.99")
    r = api.client.post(f"/api/v1/sections/{code}/rounds", headers=owner,
                        json=round_body(api, state_funded=True, contract_kind="works"))
    assert r.status_code == 201, r.text


def test_gpreg_38_single_source_waits_for_its_5_working_day_publicity(
        api: Api, clock: MovableClock) -> None:
    clock.set(beijing(2026, 11, 23, 10))
    owner, code = section(api, gov=True, mode="single_source")  # 240万元 ≥ 200万元
    url = f"/api/v1/sections/{code}/rounds"
    assert api.client.post(url, headers=owner, json=round_body(api)).status_code == 201
    api.unchanged_after("POST", f"{url}/current/issue", 409,
                        "SINGLE_SOURCE_PUBLICITY_MISSING_GPREG_38", headers=owner)
    api.unchanged_after("PUT", f"{url}/current", 422, "PUBLICITY_IN_FUTURE", headers=owner,
                        json=round_body(api, single_source_publicity_at=beijing(
                            2026, 11, 24).isoformat()))
    published = beijing(2026, 11, 20, 9)  # Friday: 11-23 … 11-27 are the 5 个工作日
    put = api.client.put(f"{url}/current", headers=owner,
                         json=round_body(api, single_source_publicity_at=published.isoformat()))
    assert put.status_code == 200, put.text
    problem = api.unchanged_after("POST", f"{url}/current/issue", 409,
                                  "SINGLE_SOURCE_PUBLICITY_TOO_SHORT_GPREG_38", headers=owner)
    assert "2026-11-27" in problem["message_en"]
    clock.set(beijing(2026, 11, 28, 9))
    issued = api.client.post(f"{url}/current/issue", headers=api.token("owner"))
    assert issued.status_code == 200, issued.text


def test_reg_58_and_law_47_the_bond_the_report_and_the_interest(api: Api,
                                                                clock: MovableClock) -> None:
    e = Evaluated(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    assert e.deposit("b1", "confirm", staff).status_code == 200
    e.publish_and_end()
    clock.set(beijing(2026, 11, 28, 10, 0))
    assert e.award().status_code == 201
    owner = e.signed_in("owner")
    signed = beijing(2026, 11, 28, 10, 30)
    clock.set(beijing(2026, 11, 28, 11, 0))
    problem = api.unchanged_after(
        "POST", e.url("contract"), 422, "PERFORMANCE_BOND_OVER_LIMIT_REG_58", headers=owner,
        json={"amount": "39800000.00", "signed_at": signed.isoformat(),
              "performance_bond": "3980000.01"})
    assert "3980000.00" in problem["message_en"] and problem["field"] == "performance_bond"
    r = api.client.post(e.url("contract"), headers=owner, json={
        "amount": "39800000.00", "signed_at": signed.isoformat(),
        "performance_bond": "3980000.00"})
    assert r.status_code == 200, r.text
    assert r.json()["performance_bond"] == "3980000.00" and r.json()["report_submitted_at"] is None
    with api.container.session_factory() as s:
        r = s.scalars(select(Round).join(Round.section).where(Section.code == e.section)).one()
        report = next(d for d in deadlines_of(s, r) if d.rule == "award_report_due")
        assert report.ref_tag == "LAW_47" and report.bound == "due"
        assert report.last_day == date(2026, 12, 14)  # 15 日 end Sunday 12-13: Monday
    bidder = e.signed_in("b1")
    api.unchanged_after("POST", e.url("award/report"), 403, "NOT_PROJECT_OWNER",
                        headers=bidder)
    api.unchanged_after("POST", e.url("contract/filing"), 409, "RULE_NOT_APPLICABLE",
                        headers=owner)
    reported = api.client.post(e.url("award/report"), headers=owner)
    assert reported.status_code == 200, reported.text
    assert datetime.fromisoformat(reported.json()["report_submitted_at"]) == clock.now()
    clock.advance(timedelta(days=2))
    refund = e.deposit("b1", "refund", api.token("staff"))
    assert refund.status_code == 200, refund.text
    assert refund.json()["interest"] is not None and refund.json()["overdue_fee"] is None
