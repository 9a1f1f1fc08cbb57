"""Mapping specs over REST: oversight reads, administrators store new versions (audited,
immutable), previews name every problem, routes refuse unknown specs, targets refuse secrets."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from core.events import DomainEvent, EventType
from core.model.account import AccountKind
from core.model.audit import AuditEntry
from mappings.specs import shipped_specs
from tests.api.conftest import Api
from tests.conftest import lenient_uow

SECTION = shipped_specs()["gcjs.section@1"]


def _section_event(api: Api, **changes: Any) -> str:
    payload = {"project_code": "E3501000001000001", "tender_project_code": "E3501000001000001001",
               "section_code": "E3501000001000001001001", "tender_count": 1,
               "unified_deal_code": "E48-91350100M000100Y43-20260302-000001-D",
               "name": "第一标段", "content": "道路工程", "estimated_price": "41200000.00",
               "currency": "156", "price_unit": "0", "duration_days": 540,
               "qualification": "市政二级", "created_at": "2026-03-02T01:00:00+00:00",
               "tender_mode": "1", "region_code": "350102", "tender_project_type": "A02",
               **changes}
    event = DomainEvent(EventType.SECTION_CREATED, "section", payload["section_code"],
                        "project:E3501000001000001", payload)
    with lenient_uow(api.container) as uow:  # only what the spec reads, and changes to it
        uow.emit(event, "test")
        uow.commit()
    return event.event_id


def test_oversight_lists_and_reads_specs_parties_may_not(api: Api) -> None:
    supervisor = api.account("sup", AccountKind.SUPERVISOR)
    _, party = api.register("p", "MA2Y0001", ["bidder"])
    listing = api.client.get("/api/v1/exchange/mapping-specs", headers=supervisor)
    assert listing.status_code == 200
    refs = {s["ref"]: s for s in listing.json()}
    assert refs["gcjs.section@1"]["origin"] == "shipped"
    assert refs["gcjs.section@1"]["data_set"] == "502"
    one = api.client.get("/api/v1/exchange/mapping-specs/gcjs.section@1", headers=supervisor)
    assert one.json()["fields"]["BID_SECTION_CODE"] == "payload.section_code"
    assert api.client.get("/api/v1/exchange/mapping-specs", headers=party).status_code == 403
    assert api.client.get("/api/v1/exchange/mapping-specs").status_code == 401
    missing = api.client.get("/api/v1/exchange/mapping-specs/gcjs.none@1", headers=supervisor)
    assert missing.status_code == 404 and missing.json()["code"] == "MAPPING_SPEC_NOT_FOUND"


def test_an_admin_stores_a_new_version_audited_and_immutable(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    v2 = dict(copy.deepcopy(SECTION), version=2)
    v2["fields"]["BID_SECTION_NAME"] = {"template": "{payload.name}（第{payload.tender_count}次）"}
    api.unchanged_after("POST", "/api/v1/exchange/mapping-specs", 403, "ROLE_NOT_ALLOWED",
                        headers=staff, json={"body": v2})
    r = api.client.post("/api/v1/exchange/mapping-specs", headers=admin,
                        json={"body": v2, "note": "name carries the tender count"})
    assert r.status_code == 201, r.text
    assert r.json()["ref"] == "gcjs.section@2" and r.json()["origin"] == "database"
    with api.container.session_factory() as s:
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "exchange.mapping_spec.add")).one()
        assert entry.object_id == "gcjs.section@2" and entry.actor == "admin:admin"
    again = api.unchanged_after("POST", "/api/v1/exchange/mapping-specs", 409,
                                "MAPPING_VERSION_EXISTS", headers=admin, json={"body": v2})
    assert "2" in again["message_en"]
    shipped_again = dict(copy.deepcopy(SECTION))
    api.unchanged_after("POST", "/api/v1/exchange/mapping-specs", 409, "MAPPING_VERSION_EXISTS",
                        headers=admin, json={"body": shipped_again})


def test_a_spec_that_misses_a_mandatory_field_is_refused(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    broken = dict(copy.deepcopy(SECTION), version=3)
    del broken["fields"]["BID_QUALIFICATION"]
    problem = api.unchanged_after("POST", "/api/v1/exchange/mapping-specs", 422,
                                  "MAPPING_SPEC_INVALID", headers=admin, json={"body": broken})
    assert "BID_QUALIFICATION" in problem["message_en"]


def test_preview_shows_the_records_or_every_problem(api: Api) -> None:
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    good = _section_event(api)
    r = api.client.post("/api/v1/exchange/mapping-specs/gcjs.section@1/preview",
                        headers=staff, json={"event_id": good})
    assert r.status_code == 200, r.text
    (record,) = r.json()["records"]
    assert record["data_set"] == "502" and record["fields"]["CONTRACT_RECKON_PRICE"] == "41200000"
    assert record["fields"]["CREATE_TIME"] == "20260302090000"
    bad = _section_event(api, section_code="E350100000100000100100", qualification=None,
                         estimated_price="四千万")
    problems = api.client.post("/api/v1/exchange/mapping-specs/gcjs.section@1/preview",
                               headers=staff, json={"event_id": bad}).json()["problems"]
    assert {(p["field"], p["rule"]) for p in problems} >= {
        ("BID_SECTION_CODE", "LENGTH_EXACT"), ("CONTRACT_RECKON_PRICE", "CONVERSION")}


def test_routes_need_a_known_spec_and_targets_refuse_secrets(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    target = {"kind": "fujian_v4", "endpoint": "http://127.0.0.1:9/",
              "options": {"system_no": "0001", "secret_env": "GGZY_FJ_SECRET"}}
    assert api.client.put("/api/v1/exchange/targets/fujian", json=target,
                          headers=admin).status_code == 200
    api.unchanged_after("POST", "/api/v1/exchange/routes", 404, "MAPPING_SPEC_NOT_FOUND",
                        headers=admin,
                        json={"event_type": "section.created", "target": "fujian",
                              "mapping": "gcjs.section@9"})
    ok = api.client.post("/api/v1/exchange/routes", headers=admin, json={
        "event_type": "section.created", "target": "fujian", "mapping": "gcjs.section@1"})
    assert ok.status_code == 201, ok.text
    leaked = dict(target, options={"system_no": "0001", "secret": "hunter2"})
    api.unchanged_after("PUT", "/api/v1/exchange/targets/fujian", 422,
                        "TARGET_SECRET_IN_OPTIONS", headers=admin, json=leaked)
