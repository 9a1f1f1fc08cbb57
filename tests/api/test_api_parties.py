"""交易主体 through the API: registration rules, identifier checks, ownership of edits."""

from __future__ import annotations

from sqlalchemy import select

from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from tests.api.conftest import PASSWORD, Api, make_uscc


def registration(**overrides: object) -> dict[str, object]:
    return {"kind": "organisation", "name": "福州市城市建设投资有限公司",
            "uscc": make_uscc("MA2Y0001"), "region_code": "350100", "roles": ["tenderer"],
            "username": "fzcj", "password": PASSWORD, **overrides}


def test_organisation_registers_and_signs_in(api: Api) -> None:
    r = api.client.post("/api/v1/parties/register", json=registration())
    assert r.status_code == 201, r.text
    party = r.json()["party"]
    assert party["uscc"] == make_uscc("MA2Y0001")
    assert party["roles"] == ["tenderer"]
    assert party["region_name"] == "福州市"
    me = api.client.get("/api/v1/me", headers=api.token("fzcj")).json()
    assert me["party_id"] == party["id"] and me["kind"] == "party_user"
    with api.container.uow() as uow:
        events = uow.session.scalars(select(OutboxEvent)).all()
        assert [e.event_type for e in events] == ["party.registered"]
        assert events[0].payload["uscc"] == party["uscc"]


def test_the_standards_published_uscc_is_accepted(api: Api) -> None:
    r = api.client.post("/api/v1/parties/register",
                        json=registration(uscc="91350100M000100Y43"))
    assert r.status_code == 201, r.text


def test_person_registers_with_resident_id(api: Api) -> None:
    r = api.client.post("/api/v1/parties/register", json=registration(
        kind="person", name="张三", uscc=None, id_number="11010519491231002X",
        region_code="110105", roles=["bidder", "transferee"], username="zhangsan"))
    assert r.status_code == 201, r.text
    assert r.json()["party"]["id_number"] == "11010519491231002X"


def test_broken_uscc_is_refused(api: Api) -> None:
    p = api.unchanged_after("POST", "/api/v1/parties/register", 422, "USCC_BAD_CHECK",
                            json=registration(uscc="91350100M000100Y4A"))
    assert p["field"] == "uscc"


def test_broken_id_number_is_refused(api: Api) -> None:
    api.unchanged_after("POST", "/api/v1/parties/register", 422, "ID_NUMBER_BAD_CHECK",
                        json=registration(kind="person", uscc=None,
                                          id_number="110105194912310021", roles=["bidder"]))


def test_duplicate_uscc_is_refused(api: Api) -> None:
    api.client.post("/api/v1/parties/register", json=registration())
    api.unchanged_after("POST", "/api/v1/parties/register", 409, "PARTY_ALREADY_REGISTERED",
                        json=registration(username="other"))


def test_taken_username_is_refused(api: Api) -> None:
    api.client.post("/api/v1/parties/register", json=registration())
    api.unchanged_after("POST", "/api/v1/parties/register", 409, "USERNAME_TAKEN",
                        json=registration(uscc=make_uscc("MA2Y0002")))


def test_person_cannot_be_tenderer(api: Api) -> None:
    api.unchanged_after("POST", "/api/v1/parties/register", 422, "ROLE_NEEDS_ORGANISATION",
                        json=registration(kind="person", uscc=None,
                                          id_number="11010519491231002X", roles=["tenderer"]))


def test_unknown_role_region_and_short_password_are_refused(api: Api) -> None:
    api.unchanged_after("POST", "/api/v1/parties/register", 422, "CODE_TABLE_VALUE_UNKNOWN",
                        json=registration(roles=["emperor"]))
    api.unchanged_after("POST", "/api/v1/parties/register", 422, "REGION_CODE_UNKNOWN",
                        json=registration(region_code="999999"))
    api.unchanged_after("POST", "/api/v1/parties/register", 422, "PASSWORD_TOO_SHORT",
                        json=registration(password="short"))


def test_party_reads_itself_but_not_another(api: Api) -> None:
    mine, headers = api.register("a", "MA2Y0001", ["bidder"])
    other, _ = api.register("b", "MA2Y0002", ["bidder"])
    assert api.client.get(f"/api/v1/parties/{mine}", headers=headers).status_code == 200
    r = api.client.get(f"/api/v1/parties/{other}", headers=headers)
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"


def test_party_list_is_for_oversight_only(api: Api) -> None:
    _, party = api.register("a", "MA2Y0001", ["bidder"])
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    assert api.client.get("/api/v1/parties", headers=party).json()["code"] == "ROLE_NOT_ALLOWED"
    listing = api.client.get("/api/v1/parties?role=bidder", headers=staff).json()
    assert listing["total"] == 1 and listing["items"][0]["roles"] == ["bidder"]


def test_party_edits_itself_and_the_change_is_an_event(api: Api) -> None:
    pid, headers = api.register("a", "MA2Y0001", ["bidder"])
    r = api.client.patch(f"/api/v1/parties/{pid}", headers=headers,
                         json={"name": "新名称有限公司", "roles": ["bidder", "supplier"]})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "新名称有限公司"
    assert r.json()["roles"] == ["bidder", "supplier"]
    with api.container.uow() as uow:
        types = uow.session.scalars(select(OutboxEvent.event_type).order_by(OutboxEvent.id))
        assert list(types) == ["party.registered", "party.updated"]


def test_identifier_cannot_change(api: Api) -> None:
    pid, headers = api.register("a", "MA2Y0001", ["bidder"])
    api.unchanged_after("PATCH", f"/api/v1/parties/{pid}", 409, "IDENTIFIER_IMMUTABLE",
                        headers=headers, json={"uscc": make_uscc("MA2Y0009")})


def test_non_owner_cannot_edit_a_party(api: Api) -> None:
    victim, _ = api.register("a", "MA2Y0001", ["bidder"])
    _, intruder = api.register("b", "MA2Y0002", ["bidder"])
    api.unchanged_after("PATCH", f"/api/v1/parties/{victim}", 403, "FORBIDDEN",
                        headers=intruder, json={"name": "篡改"})
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    api.unchanged_after("PATCH", f"/api/v1/parties/{victim}", 403, "NOT_PARTY_OWNER",
                        headers=staff, json={"name": "篡改"})
