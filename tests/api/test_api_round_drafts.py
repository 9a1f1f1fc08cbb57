"""A round before its issue (issue 10 §2): its legal limits are checked when it is configured,
a draft can be corrected until it is issued, and cancelling a draft sends no 517 异常 record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.clock import SystemClock
from core.model.outbox import OutboxEvent
from tests.api.conftest import Api
from tests.api.test_api_tendering import Tender, pem


def _body(t: Tender, days: int, **overrides: Any) -> dict[str, Any]:
    deadline = t.api.container.clock.now() + timedelta(days=days)
    return {"bid_deadline": deadline.isoformat(), "threshold": 2,
            "keyholders": [{"name": f"keyholder-{i}", "public_key_pem": pem(k)}
                           for i, k in enumerate(t.keyholders)], **overrides}


def _events(api: Api) -> list[str]:
    with api.container.session_factory() as s:
        return list(s.scalars(select(OutboxEvent.event_type).order_by(OutboxEvent.id)))


def test_law_24_a_deadline_too_soon_is_refused_when_the_round_is_configured(api: Api) -> None:
    t = Tender(api, days=30)  # a section with a valid round; a second section tries 19 days
    tp = api.client.get(f"/api/v1/sections/{t.section}", headers=t.owner).json()
    other = api.section(t.owner, tp["tender_project_code"], name="第二标段")["code"]
    problem = api.unchanged_after("POST", f"/api/v1/sections/{other}/rounds", 422,
                                  "BIDDING_PERIOD_TOO_SHORT_LAW_24", headers=t.owner,
                                  json=_body(t, 19))
    assert "20" in problem["message_zh"]


def test_law_24_a_draft_deadline_is_checked_again_at_issue(api: Api) -> None:
    t = Tender(api, days=21)
    assert t.configure.status_code == 201, t.configure.text
    api.container.clock.set(api.container.clock.now() + timedelta(days=2))  # type: ignore[attr-defined]
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/rounds/current/issue", 422,
                        "BIDDING_PERIOD_TOO_SHORT_LAW_24", headers=api.token("owner"))


def test_a_draft_round_is_corrected_until_it_is_issued(api: Api) -> None:
    t = Tender(api, days=25)
    assert t.configure.status_code == 201
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/rounds", 409,
                        "ROUND_DRAFT_EXISTS", headers=t.owner, json=_body(t, 30))
    url = f"/api/v1/sections/{t.section}/rounds/current"
    # the correction is held to the same limits, and a refused one changes nothing
    api.unchanged_after("PUT", url, 422, "BIDDING_PERIOD_TOO_SHORT_LAW_24", headers=t.owner,
                        json=_body(t, 10))
    api.unchanged_after("PUT", url, 422, "DEPOSIT_OVER_LIMIT_REG_26", headers=t.owner,
                        json=_body(t, 30, deposit="900000.00"))
    _, stranger = api.register("stranger", "MA2YB099", ["tenderer"])
    api.unchanged_after("PUT", url, 404, "ROUND_NOT_FOUND", headers=stranger,
                        json=_body(t, 30))  # a draft is not even visible to others
    r = api.client.put(url, headers=t.owner, json=_body(t, 30, deposit="500000.00",
                                                        opening_window_minutes=90))
    assert r.status_code == 200, r.text
    fixed = r.json()
    assert fixed["round_no"] == 1 and fixed["status"] == "draft"
    assert fixed["deposit"] == "500000.00" and fixed["opening_window_minutes"] == 90
    assert api.client.get(url, headers=t.owner).json()["bid_deadline"] == fixed["bid_deadline"]
    t.issue()
    api.unchanged_after("PUT", url, 409, "ROUND_NOT_DRAFT", headers=t.owner, json=_body(t, 40))


def test_cancelling_a_draft_round_sends_no_517_record(api: Api) -> None:
    t = Tender(api, days=25)
    url = f"/api/v1/sections/{t.section}/rounds/current/terminate"
    r = api.client.post(url, headers=t.owner, json={"reason": "项目调整，取消招标"})
    assert r.status_code == 200 and r.json()["status"] == "terminated", r.text
    assert "round.terminated" not in _events(api)  # 517_abnormity maps round.terminated
    with api.container.session_factory() as s:
        from core.model.audit import AuditEntry

        actions = s.scalars(select(AuditEntry.action)).all()
    assert "round.terminate" in actions  # still on record, where it belongs
    # an issued round that is terminated is an 异常 for the platforms
    again = api.client.post(f"/api/v1/sections/{t.section}/rounds", headers=t.owner,
                            json=_body(t, 25))
    assert again.status_code == 201 and again.json()["round_no"] == 2, again.text
    t.issue()
    r = api.client.post(url, headers=t.owner, json={"reason": "监督部门责令终止"})
    assert r.status_code == 200, r.text
    assert _events(api).count("round.terminated") == 1


def test_configuration_checks_the_deadline_on_the_real_date(api: Api) -> None:
    """The configure-time check is a date rule: exercised on the machine's own date too."""
    api.container.clock.set(SystemClock().now())  # type: ignore[attr-defined]
    t = Tender(api, days=10)
    assert t.configure.status_code == 422
    assert t.configure.json()["code"] == "BIDDING_PERIOD_TOO_SHORT_LAW_24"
    ok = api.client.post(f"/api/v1/sections/{t.section}/rounds", headers=t.owner,
                         json=_body(t, 40))
    assert ok.status_code == 201, ok.text


def test_the_same_deadline_reads_the_same_in_a_draft_and_once_issued(api: Api) -> None:
    """One output convention for people: Beijing time with its offset (docs/input.md), whether
    the moment was just sent (in UTC here), is read back from the database, or is issued."""
    t = Tender(api, days=25)
    body = _body(t, 30)
    utc = api.container.clock.now().astimezone(UTC) + timedelta(days=30)
    r = api.client.put(f"/api/v1/sections/{t.section}/rounds/current", headers=t.owner,
                       json={**body, "bid_deadline": utc.isoformat().replace("+00:00", "Z")})
    draft = r.json()["bid_deadline"]
    assert draft.endswith("+08:00"), draft
    assert datetime.fromisoformat(draft) == utc
    issued = t.issue()
    assert issued["bid_deadline"] == draft and issued["documents_issued_at"].endswith("+08:00")
    again = api.client.get(f"/api/v1/sections/{t.section}/rounds/current", headers=t.owner)
    assert again.json()["bid_deadline"] == draft
    token = api.client.post("/api/v1/auth/token", json={"username": "owner",
                                                        "password": "correct horse battery"})
    assert token.json()["expires_at"].endswith("+08:00")


def test_mof87_47_the_round_declares_a_complex_or_high_impact_project(api: Api) -> None:
    """技术复杂 / 社会影响较大 are the owner's or agency's judgment, declared when the round is
    configured (87号令 47 then wants 7 members, 214号 14 a 法律专家): off unless said."""
    t = Tender(api, days=25)
    assert t.configure.status_code == 201, t.configure.text
    created = t.configure.json()
    assert created["technically_complex"] is False and created["large_social_impact"] is False
    url = f"/api/v1/sections/{t.section}/rounds/current"
    r = api.client.put(url, headers=t.owner, json=_body(t, 30, technically_complex=True,
                                                        large_social_impact=True))
    assert r.status_code == 200, r.text
    assert r.json()["technically_complex"] is True and r.json()["large_social_impact"] is True
    read = api.client.get(url, headers=t.owner).json()
    assert read["technically_complex"] is True and read["large_social_impact"] is True
    api.unchanged_after("PUT", url, 422, "VALIDATION_FAILED", headers=t.owner,
                        json=_body(t, 30, technically_complex="很复杂"))
