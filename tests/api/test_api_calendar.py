"""The official holiday schedule over the API: the public view of a year, maker-checker loading
of a notice, and the deadlines an approval moves — each one audited and announced.

The 2027 document is a test sample shaped like a State Council notice (tests/fixtures), not the
real notice.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.model.account import AccountKind
from core.model.audit import AuditEntry
from core.model.calendar import LegalDeadline
from core.model.outbox import OutboxEvent
from core.rules import limits
from tests.api.conftest import Api
from tests.api.test_api_award import CAL, ENGINEERING, Evaluated, beijing
from tests.api.test_api_tendering import Tender

SAMPLE = json.loads((Path(__file__).parents[1] / "fixtures" / "calendar-2027-sample.json")
                    .read_text(encoding="utf-8"))
PROPOSALS = "/api/v1/calendar/proposals"


def admins(api: Api) -> tuple[dict[str, str], dict[str, str]]:
    return (api.account("admin1", AccountKind.ADMIN), api.account("admin2", AccountKind.ADMIN))


def propose(api: Api, headers: dict[str, str], document: dict[str, Any] = SAMPLE) -> Any:
    r = api.client.post(PROPOSALS, headers=headers, json=document)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_year_without_its_notice_is_provisional_and_says_what_may_change(api: Api) -> None:
    body = api.client.get("/api/v1/public/calendar/2027").json()
    assert body["status"] == "provisional" and body["notice_number"] is None
    days = {d["day"]: d for d in body["days"]}
    assert days["2027-02-06"] == {"day": "2027-02-06", "kind": "rest", "holiday": "春节"}
    assert days["2027-02-10"]["kind"] == "may_rest"
    assert days["2027-02-13"]["kind"] == "may_work"
    official = api.client.get("/api/v1/public/calendar/2026").json()
    assert official["status"] == "official"
    assert {"day": "2026-02-14", "kind": "work", "holiday": "春节"} in official["days"]


@pytest.mark.parametrize("year", ["1800", "2100", "0", "-1", "99999999999999999999", "2027a"])
def test_a_year_out_of_range_is_a_clear_422(api: Api, year: str) -> None:
    r = api.client.get(f"/api/v1/public/calendar/{year}")
    assert r.status_code == 422 and r.json()["code"] == "VALIDATION_FAILED"


def test_maker_checker_one_admin_loads_another_approves(api: Api) -> None:
    maker, checker = admins(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    api.unchanged_after("POST", PROPOSALS, 403, "ROLE_NOT_ALLOWED", headers=staff, json=SAMPLE)
    made = propose(api, maker)
    proposal = made["proposal"]
    assert proposal["status"] == "proposed" and proposal["proposed_by"] == "admin:admin1"
    assert any("2027-02-20" in remark for remark in made["remarks"])  # unusual, not refused
    # loading decides nothing yet
    assert api.client.get("/api/v1/public/calendar/2027").json()["status"] == "provisional"
    url = f"{PROPOSALS}/{proposal['id']}/approve"
    api.unchanged_after("POST", url, 403, "CALENDAR_APPROVER_IS_PROPOSER", headers=maker)
    api.unchanged_after("POST", url, 403, "ROLE_NOT_ALLOWED", headers=staff)
    api.unchanged_after("POST", PROPOSALS, 409, "CALENDAR_ALREADY_LOADED", headers=checker,
                        json=SAMPLE)
    r = api.client.post(url, headers=checker)
    assert r.status_code == 200, r.text
    assert r.json()["proposal"]["status"] == "approved"
    assert r.json()["proposal"]["decided_by"] == "admin:admin2"
    api.unchanged_after("POST", url, 409, "CALENDAR_PROPOSAL_NOT_PENDING", headers=checker)

    year = api.client.get("/api/v1/public/calendar/2027").json()
    assert year["status"] == "official"
    assert year["notice_number"] == SAMPLE["notice"]["number"]
    kinds = {d["day"]: d["kind"] for d in year["days"]}
    assert kinds["2027-02-12"] == "rest" and kinds["2027-01-31"] == "work"
    with api.container.session_factory() as s:
        actions = [(a.action, a.actor) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "calendar_notice"))]
        events = s.scalars(select(OutboxEvent.event_type)).all()
    assert ("calendar.propose", "admin:admin1") in actions
    assert ("calendar.approve", "admin:admin2") in actions
    assert "calendar.year_approved" in events


def test_a_rejected_proposal_decides_nothing(api: Api) -> None:
    maker, checker = admins(api)
    proposal = propose(api, maker)["proposal"]
    url = f"{PROPOSALS}/{proposal['id']}"
    api.unchanged_after("POST", f"{url}/reject", 422, "VALIDATION_FAILED", headers=checker,
                        json={"reason": ""})
    r = api.client.post(f"{url}/reject", headers=checker, json={"reason": "春节调休日期有误"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    api.unchanged_after("POST", f"{url}/approve", 409, "CALENDAR_PROPOSAL_NOT_PENDING",
                        headers=checker)
    assert api.client.get("/api/v1/public/calendar/2027").json()["status"] == "provisional"
    listed = api.client.get(PROPOSALS, headers=checker, params={"year": 2027}).json()
    assert [(p["id"], p["status"], p["reason"]) for p in listed] == [
        (proposal["id"], "rejected", "春节调休日期有误")]


def broken(change: str) -> dict[str, Any]:
    doc = copy.deepcopy(SAMPLE)
    holidays = doc["holidays"]
    if change == "weekday_worked":
        holidays[1]["work"] = ["2027-02-17"]  # a Wednesday
    elif change == "overlap":
        holidays[2]["rest"] = ["2027-02-12", "2027-02-14"]
    elif change == "reversed":
        holidays[0]["rest"] = ["2027-01-03", "2027-01-01"]
    elif change == "other_year":
        holidays[0]["rest"] = ["2028-01-01"]
    elif change == "not_a_date":
        holidays[0]["rest"] = ["2027-13-01"]
    elif change == "too_long":
        holidays[1]["rest"] = ["2027-02-01", "2027-02-28"]
    return doc


@pytest.mark.parametrize("change", ["weekday_worked", "overlap", "reversed", "other_year",
                                    "not_a_date", "too_long"])
def test_what_a_notice_cannot_say_is_refused_and_changes_nothing(api: Api, change: str) -> None:
    maker, _ = admins(api)
    code = "VALIDATION_FAILED" if change == "not_a_date" else "CALENDAR_DOCUMENT_INVALID"
    problem = api.unchanged_after("POST", PROPOSALS, 422, code, headers=maker,
                                  json=broken(change))
    assert "holidays" in str(problem["field"])


def test_a_malformed_document_is_a_validation_error(api: Api) -> None:
    maker, _ = admins(api)
    for body in ({**SAMPLE, "year": "二〇二七"}, {**SAMPLE, "extra": 1},
                 {**SAMPLE, "holidays": []}, {k: v for k, v in SAMPLE.items() if k != "notice"}):
        api.unchanged_after("POST", PROPOSALS, 422, "VALIDATION_FAILED", headers=maker,
                            json=body)


def approve_sample(api: Api, document: dict[str, Any] = SAMPLE) -> dict[str, Any]:
    maker, checker = admins(api)
    proposal = propose(api, maker, document)["proposal"]
    r = api.client.post(f"{PROPOSALS}/{proposal['id']}/approve", headers=checker)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_approval_moves_a_provisional_refund_date_and_says_so(api: Api) -> None:
    """条例 57 refund: 5 日 from a Monday contract end on Saturday 2027-04-03 — an unsettled
    weekend before 清明, so the due date is the earliest plausible one. The notice makes
    04-03..05 rest days: the refund falls due on Tuesday 04-06, written onto every deposit."""
    api.container.clock.set(beijing(2027, 3, 22, 10))  # type: ignore[attr-defined]
    e = Evaluated(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    for name in ("b1", "b2"):
        assert e.deposit(name, "confirm", staff).status_code == 200
    e.publish_and_end()
    api.container.clock.set(beijing(2027, 3, 29, 9))  # type: ignore[attr-defined]
    assert e.award().status_code == 201
    api.container.clock.set(beijing(2027, 3, 29, 16))  # type: ignore[attr-defined]
    signed = beijing(2027, 3, 29, 15)
    r = api.client.post(e.url("contract"), headers=e.signed_in("owner"),
                        json={"amount": "39800000.00", "signed_at": signed.isoformat()})
    assert r.status_code == 200, r.text
    provisional = limits.refund_due(ENGINEERING, CAL, signed)
    assert provisional.day == date(2027, 4, 3) and provisional.provisional
    assert datetime.fromisoformat(r.json()["refund_due_at"]) == provisional.ends_at

    approved = approve_sample(api)
    moved = [m for m in approved["moved"] if m["rule"] == "refund_due"]
    assert moved == [{"rule": "refund_due", "subject": f"{e.section}/1",
                      "from_day": "2027-04-03", "to_day": "2027-04-06", "calendar": "official",
                      "at_risk": False, "chosen_day": None}]
    due = beijing(2027, 4, 6, 23, 59, 59).replace(microsecond=999999)
    regs = e.registrations()
    for name in ("b1", "b2"):
        assert datetime.fromisoformat(regs[e.party[name]]["refund_due_at"]) == due
    assert regs[e.party["b3"]]["refund_due_at"] is None  # never paid, owes no refund
    with api.container.session_factory() as s:
        event = s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "calendar.deadline_moved")).one()
        audited = s.scalars(select(AuditEntry.action).where(
            AuditEntry.action.in_(["deadline.recompute", "deposit.refund_due",
                                   "award.refund_due"]))).all()
        rows = s.scalars(select(LegalDeadline).where(LegalDeadline.current.is_(True))).all()
    assert event.payload["from"] == "2027-04-03" and event.payload["to"] == "2027-04-06"
    assert event.ordering_key == f"project:{e.project_code}"
    assert sorted(set(audited)) == ["award.refund_due", "deadline.recompute",
                                    "deposit.refund_due"]
    assert rows and not any(row.provisional for row in rows)


def test_a_minimum_the_notice_lengthens_past_the_chosen_deadline_is_flagged(api: Api) -> None:
    """法 24 on a provisional year: issued Monday 2027-03-01, 20 days end Sunday 03-21, so
    Monday 03-22 is the earliest deadline. A notice that (unusually) gives 03-22 off moves the
    earliest to 03-23: the round's deadline is then announced at risk, not silently wrong."""
    api.container.clock.set(beijing(2027, 3, 1, 10))  # type: ignore[attr-defined]
    t = Tender(api, days=21)  # deadline Monday 2027-03-22 10:00
    issued = t.issue()
    assert [(d["rule"], d["last_day"], d["calendar"]) for d in issued["deadlines"]] == [
        ("bidding_period", "2027-03-22", "provisional"),
        ("documents_on_sale", "2027-03-08", "provisional")]  # 条例 16: 5 日, Saturday → Monday
    document = copy.deepcopy(SAMPLE)
    document["holidays"].append({"name": "特别安排", "rest": ["2027-03-22"]})
    approved = approve_sample(api, document)
    assert approved["moved"] == [{
        "rule": "bidding_period", "subject": f"{t.section}/1", "from_day": "2027-03-22",
        "to_day": "2027-03-23", "calendar": "official", "at_risk": True,
        "chosen_day": "2027-03-22"}]
    current = api.client.get(f"/api/v1/sections/{t.section}/rounds/current",
                             headers=api.token("owner")).json()
    assert current["bid_deadline"].startswith("2027-03-22")  # the owner decides, by amendment
    assert current["deadlines"][0]["calendar"] == "official"


def test_deadlines_inside_official_years_are_not_touched(api: Api) -> None:
    t = Tender(api, days=30)  # the tests' clock: 2026-11-24, deadline in December
    issued = t.issue()
    assert issued["deadlines"][0]["calendar"] == "official"
    approved = approve_sample(api)
    assert approved["moved"] == [] and approved["confirmed"] == 0
    assert (datetime.fromisoformat(issued["bid_deadline"]) - t.deadline) == timedelta(0)


def test_a_corrected_notice_supersedes_the_first_and_re_reckons_what_it_decided(
        api: Api) -> None:
    api.container.clock.set(beijing(2027, 3, 1, 10))  # type: ignore[attr-defined]
    t = Tender(api, days=22)  # deadline Tuesday 2027-03-23
    t.issue()
    first = approve_sample(api)
    assert first["moved"] == [] and first["confirmed"] == 2  # 03-22 (and 条例 16's 03-08) stand
    corrected = copy.deepcopy(SAMPLE)
    corrected["notice"]["number"] = "测试样例（更正）"
    corrected["holidays"].append({"name": "特别安排", "rest": ["2027-03-22"]})
    maker = api.token("admin1")
    proposal = propose(api, maker, corrected)["proposal"]
    r = api.client.post(f"{PROPOSALS}/{proposal['id']}/approve", headers=api.token("admin2"))
    assert r.status_code == 200, r.text
    assert [(m["from_day"], m["to_day"], m["at_risk"]) for m in r.json()["moved"]] == [
        ("2027-03-22", "2027-03-23", False)]  # the chosen deadline still holds
    assert api.client.get("/api/v1/public/calendar/2027").json()["notice_number"] == (
        "测试样例（更正）")
    statuses = {p["notice_number"]: p["status"]
                for p in api.client.get(PROPOSALS, headers=maker).json()}
    assert statuses == {SAMPLE["notice"]["number"]: "superseded", "测试样例（更正）": "approved"}
