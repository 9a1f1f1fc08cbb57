"""项目 / 招标项目 / 标段(包) through the API: national codes, who may act, codes never change."""

from __future__ import annotations

from sqlalchemy import select

from core.codes.trade_codes import validate_unified_deal_code
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from tests.api.conftest import Api

PLATFORM = "E3501000001"  # the embedded sample platform code (adapters.config)


def test_tenderer_builds_project_tender_project_and_two_sections(api: Api) -> None:
    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    project = api.project(owner)
    assert project["code"] == PLATFORM + "000001" and len(project["code"]) == 17
    assert project["total_investment"] == "86500000.00"
    tp = api.tender_project(owner, project["code"])
    assert tp["code"] == project["code"] + "001" and len(tp["code"]) == 20
    assert validate_unified_deal_code(tp["unified_deal_code"]) == tp["unified_deal_code"]
    assert tp["unified_deal_code"].startswith("E48-")
    first = api.section(owner, tp["code"], "第一标段")
    second = api.section(owner, tp["code"], "第二标段", "39800000.5")
    assert [first["code"], second["code"]] == [tp["code"] + "001", tp["code"] + "002"]
    assert second["estimated_price"] == "39800000.50"
    read = api.client.get(f"/api/v1/tender-projects/{tp['code']}", headers=owner).json()
    assert [s["code"] for s in read["sections"]] == [first["code"], second["code"]]
    with api.container.uow() as uow:
        events = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type != "party.registered")
            .order_by(OutboxEvent.id)).all()
        assert [e.event_type for e in events] == [
            "project.created", "tender_project.created", "section.created", "section.created"]
        assert {e.ordering_key for e in events} == {f"project:{project['code']}"}
        assert events[-1].payload["estimated_price"] == "39800000.50"


def test_codes_are_sequential_per_parent(api: Api) -> None:
    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    p1, p2 = api.project(owner), api.project(owner)
    assert p2["code"] == PLATFORM + "000002"
    tp1 = api.tender_project(owner, p1["code"])
    tp2 = api.tender_project(owner, p2["code"])
    assert tp1["code"].endswith("001") and tp2["code"].endswith("001")
    assert tp1["unified_deal_code"] != tp2["unified_deal_code"]


def test_agency_creates_a_project_for_its_owner(api: Api) -> None:
    owner_id, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    agency_id, agency = api.register("agency", "MA2Y0002", ["tender_agency"])
    project = api.project(agency, owner_party_id=owner_id)
    assert (project["owner_party_id"], project["agency_party_id"]) == (owner_id, agency_id)
    tp = api.tender_project(agency, project["code"], organize_form="2")
    assert tp["organize_form"] == "2"
    # the owner it acts for sees and may act on the project too
    assert api.client.get(f"/api/v1/projects/{project['code']}", headers=owner).status_code == 200


def test_entrusted_tender_needs_an_agency(api: Api) -> None:
    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    project = api.project(owner)
    api.unchanged_after("POST", f"/api/v1/projects/{project['code']}/tender-projects", 422,
                        "ORGANIZE_FORM_NEEDS_AGENCY", headers=owner,
                        json={"name": "x", "tender_mode": "1", "organize_form": "2",
                              "tender_project_type": "A02"})


def test_government_procurement_uses_procurement_methods(api: Api) -> None:
    _, buyer = api.register("buyer", "MA2Y0003", ["purchaser"])
    project = api.project(buyer, domain="gov_procurement", industry_code="I65")
    tp = api.tender_project(buyer, project["code"], tender_mode="competitive_consultation",
                            tender_project_type=None)
    assert tp["tender_mode"] == "competitive_consultation"
    api.unchanged_after("POST", f"/api/v1/projects/{project['code']}/tender-projects", 422,
                        "CODE_TABLE_VALUE_UNKNOWN", headers=buyer,
                        json={"name": "x", "tender_mode": "1", "organize_form": "1"})


def test_a_bidder_cannot_create_projects(api: Api) -> None:
    _, bidder = api.register("bidder", "MA2Y0004", ["bidder"])
    api.unchanged_after("POST", "/api/v1/projects", 403, "PARTY_LACKS_ROLE", headers=bidder,
                        json={"name": "x", "domain": "engineering", "region_code": "350102",
                              "industry_code": "E48"})


def test_staff_cannot_create_projects(api: Api) -> None:
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    api.unchanged_after("POST", "/api/v1/projects", 403, "ROLE_NOT_ALLOWED", headers=staff,
                        json={"name": "x", "domain": "engineering", "region_code": "350102",
                              "industry_code": "E48"})


def test_bad_codes_are_refused(api: Api) -> None:
    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    base = {"name": "x", "domain": "engineering", "region_code": "350102",
            "industry_code": "E48"}
    for change, code in (({"region_code": "350199"}, "REGION_CODE_UNKNOWN"),
                         ({"industry_code": "A48"}, "INDUSTRY_CODE_UNKNOWN"),
                         ({"domain": "lottery"}, "CODE_TABLE_VALUE_UNKNOWN"),
                         ({"price_unit": "7"}, "CODE_TABLE_VALUE_UNKNOWN"),
                         ({"invest_project_code": "2026-350102-48"},
                          "INVEST_PROJECT_CODE_INVALID")):
        api.unchanged_after("POST", "/api/v1/projects", 422, code, headers=owner,
                            json={**base, **change})
    project = api.project(owner)
    api.unchanged_after("POST", f"/api/v1/projects/{project['code']}/tender-projects", 422,
                        "CODE_TABLE_VALUE_UNKNOWN", headers=owner,
                        json={"name": "x", "tender_mode": "1", "organize_form": "1",
                              "tender_project_type": "Z99"})


def test_owner_edits_but_codes_stay(api: Api) -> None:
    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    project = api.project(owner)
    tp = api.tender_project(owner, project["code"])
    section = api.section(owner, tp["code"])
    r = api.client.patch(f"/api/v1/projects/{project['code']}", headers=owner,
                         json={"name": "改名后的工程", "total_investment": "90000000.00"})
    assert r.status_code == 200 and r.json()["name"] == "改名后的工程"
    assert r.json()["code"] == project["code"]
    for url, field, value in (
        (f"/api/v1/projects/{project['code']}", "code", PLATFORM + "999999"),
        (f"/api/v1/tender-projects/{tp['code']}", "code", tp["code"][:-3] + "999"),
        (f"/api/v1/tender-projects/{tp['code']}", "unified_deal_code", "X"),
        (f"/api/v1/sections/{section['code']}", "code", section["code"][:-3] + "999"),
        (f"/api/v1/projects/{project['code']}", "domain", "gov_procurement"),
    ):
        api.unchanged_after("PATCH", url, 409, "CODE_IMMUTABLE", headers=owner,
                            json={field: value})
    api.unchanged_after("PATCH", f"/api/v1/sections/{section['code']}", 422,
                        "FIELD_NOT_EDITABLE", headers=owner, json={"tender_project_id": 99})


def test_the_model_itself_refuses_a_new_code(api: Api) -> None:
    """Even code that bypasses the API cannot reassign an issued code."""
    import pytest

    from core.errors import DomainError
    from core.model.project import Project

    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    project = api.project(owner)
    with api.container.uow() as uow:
        row = uow.session.scalars(select(Project).where(Project.code == project["code"])).one()
        with pytest.raises(DomainError) as err:
            row.code = PLATFORM + "999999"
        assert err.value.code == "CODE_IMMUTABLE"


def test_non_owner_can_neither_read_nor_edit(api: Api) -> None:
    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    _, other = api.register("other", "MA2Y0002", ["tenderer"])
    project = api.project(owner)
    tp = api.tender_project(owner, project["code"])
    section = api.section(owner, tp["code"])
    api.unchanged_after("GET", f"/api/v1/projects/{project['code']}", 404,
                        "PROJECT_NOT_FOUND", headers=other)
    api.unchanged_after("PATCH", f"/api/v1/sections/{section['code']}", 404,
                        "SECTION_NOT_FOUND", headers=other, json={"name": "篡改"})
    api.unchanged_after("POST", f"/api/v1/tender-projects/{tp['code']}/sections", 404,
                        "TENDER_PROJECT_NOT_FOUND", headers=other, json={"name": "插入"})
    supervisor = api.account("sup", AccountKind.SUPERVISOR)
    assert api.client.get(f"/api/v1/projects/{project['code']}",
                          headers=supervisor).status_code == 200
    api.unchanged_after("PATCH", f"/api/v1/projects/{project['code']}", 403,
                        "NOT_PROJECT_OWNER", headers=supervisor, json={"name": "篡改"})
    assert api.client.get("/api/v1/projects", headers=other).json()["total"] == 0


def test_project_list_is_paged(api: Api) -> None:
    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    codes = [api.project(owner)["code"] for _ in range(3)]
    page2 = api.client.get("/api/v1/projects?page=2&page_size=2", headers=owner).json()
    assert page2["total"] == 3 and [p["code"] for p in page2["items"]] == codes[2:]
