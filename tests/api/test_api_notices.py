"""公告 through the API: drafting, centre review, publication, the public search and the portal.

The rules checked here: only centre staff publish, and only what was submitted; a published notice
is never edited (a change is an amendment that is reviewed in turn); whoever is not a party to
the project gets "not found" for its notices; the public sees published notices only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.clock import MovableClock
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from tests.api.conftest import Api

NOTICE_EVENTS = ("notice.submitted", "notice.returned", "notice.published")


@dataclass
class Tender:
    """A project of one owner with one tender project and its sections."""

    owner: dict[str, str]
    project_code: str
    tp_code: str
    section_codes: list[str]


def tender(api: Api, username: str = "tdr", body8: str = "MA2Y0001", sections: int = 2,
           **project: Any) -> Tender:
    _, owner = api.register(username, body8, ["tenderer"])
    p = api.project(owner, **project)
    tp = api.tender_project(owner, p["code"])
    codes = [api.section(owner, tp["code"], name=f"第{i + 1}标段")["code"]
             for i in range(sections)]
    return Tender(owner, p["code"], tp["code"], codes)


def procurement(api: Api, username: str, body8: str, region_code: str) -> Tender:
    """A 政府采购 project: a purchaser owns it and names a procurement method as tender mode."""
    _, owner = api.register(username, body8, ["purchaser"])
    p = api.project(owner, name="设备采购项目", domain="gov_procurement",
                    region_code=region_code, industry_code="F51")
    tp = api.tender_project(owner, p["code"], name="设备采购", tender_mode="public_tender",
                            tender_project_type=None)
    return Tender(owner, p["code"], tp["code"], [api.section(owner, tp["code"])["code"]])


def submit(api: Api, owner: dict[str, str], notice_id: int) -> dict[str, Any]:
    r = api.client.post(f"/api/v1/notices/{notice_id}/submit", headers=owner)
    assert r.status_code == 200, r.text
    return dict(r.json())


def approve(api: Api, staff: dict[str, str], notice_id: int) -> dict[str, Any]:
    r = api.client.post(f"/api/v1/notices/{notice_id}/approve", headers=staff)
    assert r.status_code == 200, r.text
    return dict(r.json())


def publish(api: Api, t: Tender, staff: dict[str, str], **overrides: Any) -> dict[str, Any]:
    n = api.notice(t.owner, t.tp_code, t.section_codes, **overrides)
    submit(api, t.owner, n["id"])
    return approve(api, staff, n["id"])


@dataclass(frozen=True)
class Event:
    event_type: str
    ordering_key: str
    aggregate_id: str
    actor: str
    payload: dict[str, Any]


def notice_events(api: Api) -> list[Event]:
    """The notice events of the outbox, in the order they were written."""
    with api.container.uow() as uow:
        rows = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type.in_(NOTICE_EVENTS))
            .order_by(OutboxEvent.id))
        return [Event(e.event_type, e.ordering_key, e.aggregate_id, e.actor, e.payload)
                for e in rows]


def public_ids(api: Api, **params: Any) -> list[int]:
    r = api.client.get("/api/v1/public/notices", params=params)
    assert r.status_code == 200, r.text
    return [n["id"] for n in r.json()["items"]]


def edit_body(t: Tender, **overrides: Any) -> dict[str, Any]:
    return {"notice_type": "tender", "title": "修改后的招标公告", "content": "修改后的内容",
            "section_codes": t.section_codes, **overrides}


# --- the workflow -----------------------------------------------------------------------------

def test_tender_notice_is_drafted_submitted_approved_and_then_public(
        api: Api, clock: MovableClock) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    draft = api.notice(t.owner, t.tp_code, t.section_codes, title="滨江道路提升工程施工招标公告")
    assert draft["status"] == "draft" and draft["published_at"] is None
    assert draft["section_codes"] == sorted(t.section_codes)

    clock.advance(timedelta(hours=1))
    submitted = submit(api, t.owner, draft["id"])
    assert submitted["status"] == "submitted"
    assert datetime.fromisoformat(submitted["submitted_at"]) == clock.now()

    clock.advance(timedelta(hours=1))
    published = approve(api, staff, draft["id"])
    assert published["status"] == "published"
    assert datetime.fromisoformat(published["published_at"]) == clock.now()

    listing = api.client.get("/api/v1/public/notices").json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == draft["id"]
    one = api.client.get(f"/api/v1/public/notices/{draft['id']}")
    assert one.status_code == 200 and one.json()["section_codes"] == sorted(t.section_codes)
    portal = api.client.get("/")
    assert portal.status_code == 200 and "滨江道路提升工程施工招标公告" in portal.text
    page = api.client.get(f"/notices/{draft['id']}")
    assert page.status_code == 200 and "滨江道路提升工程施工招标公告" in page.text
    assert all(code in page.text for code in t.section_codes)


def test_submission_and_publication_are_events_ordered_under_the_project(api: Api) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    n = publish(api, t, staff)
    events = notice_events(api)
    assert [e.event_type for e in events] == ["notice.submitted", "notice.published"]
    assert {e.ordering_key for e in events} == {f"project:{t.project_code}"}
    assert [e.payload["status"] for e in events] == ["submitted", "published"]
    assert all(e.aggregate_id == str(n["id"]) for e in events)
    assert events[1].actor == "centre_staff:staff"
    with api.container.uow() as uow:  # the project's whole history shares the one key
        keys = set(uow.session.scalars(select(OutboxEvent.ordering_key).where(
            OutboxEvent.event_type != "party.registered")))
    assert keys == {f"project:{t.project_code}"}


def test_a_draft_that_was_never_submitted_cannot_be_approved(api: Api) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/approve", 409,
                        "NOTICE_NOT_SUBMITTED", headers=staff)


def test_a_published_notice_cannot_be_approved_or_returned_again(api: Api) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    n = publish(api, t, staff)
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/approve", 409,
                        "NOTICE_NOT_SUBMITTED", headers=staff)
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/return", 409,
                        "NOTICE_NOT_SUBMITTED", headers=staff, json={"reason": "再审"})


@pytest.mark.parametrize("kind", [AccountKind.SUPERVISOR, AccountKind.ADMIN, AccountKind.EXPERT])
def test_only_centre_staff_approve_or_return(api: Api, kind: AccountKind) -> None:
    t = tender(api)
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    submit(api, t.owner, n["id"])
    other = api.account("other", kind)
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/approve", 403, "ROLE_NOT_ALLOWED",
                        headers=other)
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/return", 403, "ROLE_NOT_ALLOWED",
                        headers=other, json={"reason": "不予通过"})


def test_the_owning_party_cannot_approve_its_own_notice(api: Api) -> None:
    t = tender(api)
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    submit(api, t.owner, n["id"])
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/approve", 403, "ROLE_NOT_ALLOWED",
                        headers=t.owner)
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/return", 403, "ROLE_NOT_ALLOWED",
                        headers=t.owner, json={"reason": "自己退回"})


def test_submitted_and_published_notices_cannot_be_edited(api: Api) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    submit(api, t.owner, n["id"])
    api.unchanged_after("PUT", f"/api/v1/notices/{n['id']}", 409, "NOTICE_NOT_EDITABLE",
                        headers=t.owner, json=edit_body(t))
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/submit", 409,
                        "NOTICE_NOT_SUBMITTABLE", headers=t.owner)
    approve(api, staff, n["id"])
    api.unchanged_after("PUT", f"/api/v1/notices/{n['id']}", 409, "NOTICE_NOT_EDITABLE",
                        headers=t.owner, json=edit_body(t))
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/submit", 409,
                        "NOTICE_NOT_SUBMITTABLE", headers=t.owner)


def test_a_draft_is_edited_by_its_owner(api: Api) -> None:
    t = tender(api)
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    r = api.client.put(f"/api/v1/notices/{n['id']}", headers=t.owner,
                       json=edit_body(t, section_codes=t.section_codes[:1]))
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "修改后的招标公告"
    assert r.json()["section_codes"] == t.section_codes[:1]
    assert r.json()["status"] == "draft"


def test_another_party_is_told_the_notice_does_not_exist(api: Api) -> None:
    t = tender(api)
    intruder = tender(api, "intruder", "MA2Y0002").owner  # a tenderer with its own project
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    url = f"/api/v1/notices/{n['id']}"
    missing = api.unchanged_after("GET", "/api/v1/notices/999999", 404, "NOTICE_NOT_FOUND",
                                  headers=intruder)
    hidden = api.unchanged_after("GET", url, 404, "NOTICE_NOT_FOUND", headers=intruder)
    assert hidden["message_en"] == missing["message_en"].replace("999999", str(n["id"]))
    api.unchanged_after("PUT", url, 404, "NOTICE_NOT_FOUND", headers=intruder,
                        json=edit_body(t))
    api.unchanged_after("POST", f"{url}/submit", 404, "NOTICE_NOT_FOUND", headers=intruder)
    mine = api.client.get("/api/v1/notices", headers=intruder).json()
    assert mine["total"] == 0


def test_staff_read_every_notice_but_do_not_edit_one(api: Api) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    assert api.client.get(f"/api/v1/notices/{n['id']}", headers=staff).status_code == 200
    api.unchanged_after("PUT", f"/api/v1/notices/{n['id']}", 403, "NOT_PROJECT_OWNER",
                        headers=staff, json=edit_body(t))


def test_a_notice_cannot_cite_a_section_of_another_tender_project(api: Api) -> None:
    t = tender(api)
    other_tp = api.tender_project(t.owner, t.project_code, name="同一项目的另一个招标项目")
    foreign = api.section(t.owner, other_tp["code"])["code"]
    p = api.unchanged_after("POST", f"/api/v1/tender-projects/{t.tp_code}/notices", 422,
                            "SECTION_NOT_IN_TENDER_PROJECT", headers=t.owner,
                            json=edit_body(t, section_codes=[t.section_codes[0], foreign]))
    assert p["field"] == "section_codes" and foreign in p["message_en"]


def test_a_tender_notice_needs_a_section(api: Api) -> None:
    t = tender(api)
    api.unchanged_after("POST", f"/api/v1/tender-projects/{t.tp_code}/notices", 422,
                        "NOTICE_NEEDS_SECTION", headers=t.owner,
                        json=edit_body(t, section_codes=[]))


def test_an_amendment_must_refer_to_a_published_notice(api: Api) -> None:
    t = tender(api)
    draft = api.notice(t.owner, t.tp_code, t.section_codes)
    url = f"/api/v1/tender-projects/{t.tp_code}/notices"
    amendment = edit_body(t, notice_type="amendment", section_codes=[])
    api.unchanged_after("POST", url, 422, "RELATED_NOTICE_INVALID", headers=t.owner,
                        json={**amendment, "related_notice_id": draft["id"]})
    api.unchanged_after("POST", url, 422, "RELATED_NOTICE_INVALID", headers=t.owner,
                        json={**amendment, "related_notice_id": 999999})
    api.unchanged_after("POST", url, 422, "RELATED_NOTICE_INVALID", headers=t.owner,
                        json=amendment)


def test_an_amendment_cannot_refer_to_another_tender_projects_notice(api: Api) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    other_tp = api.tender_project(t.owner, t.project_code, name="另一个招标项目")
    other_section = api.section(t.owner, other_tp["code"])["code"]
    elsewhere = publish(api, Tender(t.owner, t.project_code, other_tp["code"],
                                    [other_section]), staff)
    api.unchanged_after("POST", f"/api/v1/tender-projects/{t.tp_code}/notices", 422,
                        "RELATED_NOTICE_INVALID", headers=t.owner,
                        json=edit_body(t, notice_type="amendment", section_codes=[],
                                       related_notice_id=elsewhere["id"]))


def test_a_tender_notice_does_not_refer_to_another_notice(api: Api) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    first = publish(api, t, staff)
    api.unchanged_after("POST", f"/api/v1/tender-projects/{t.tp_code}/notices", 422,
                        "RELATED_NOTICE_NOT_ALLOWED", headers=t.owner,
                        json=edit_body(t, related_notice_id=first["id"]))


@pytest.mark.parametrize("body", [{}, {"reason": ""}], ids=["no-reason", "empty-reason"])
def test_returning_a_notice_needs_a_reason(api: Api, body: dict[str, str]) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    submit(api, t.owner, n["id"])
    api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/return", 422, "VALIDATION_FAILED",
                        headers=staff, json=body)


def test_returned_notice_is_edited_resubmitted_and_then_published(api: Api) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    submit(api, t.owner, n["id"])
    r = api.client.post(f"/api/v1/notices/{n['id']}/return", headers=staff,
                        json={"reason": "投标截止时间不足二十日"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "returned"
    assert r.json()["review_reason"] == "投标截止时间不足二十日"
    seen = api.client.get(f"/api/v1/notices/{n['id']}", headers=t.owner).json()
    assert seen["review_reason"] == "投标截止时间不足二十日"
    assert api.client.get(f"/api/v1/public/notices/{n['id']}").status_code == 404

    r = api.client.put(f"/api/v1/notices/{n['id']}", headers=t.owner, json=edit_body(t))
    assert r.status_code == 200, r.text
    assert submit(api, t.owner, n["id"])["status"] == "submitted"
    published = approve(api, staff, n["id"])
    assert published["title"] == "修改后的招标公告"
    assert published["review_reason"] is None

    events = notice_events(api)
    assert [e.event_type for e in events] == ["notice.submitted", "notice.returned",
                                              "notice.submitted", "notice.published"]
    assert events[1].payload["review_reason"] == "投标截止时间不足二十日"
    public = api.client.get(f"/api/v1/public/notices/{n['id']}").json()
    assert public["title"] == "修改后的招标公告"


def test_an_amendment_of_a_published_notice_is_published_after_review(api: Api) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    original = publish(api, t, staff)
    amendment = api.notice(t.owner, t.tp_code, [], notice_type="amendment",
                           title="滨江道路提升工程施工招标变更公告",
                           content="投标截止时间顺延。", related_notice_id=original["id"])
    assert amendment["related_notice_id"] == original["id"]
    assert public_ids(api) == [original["id"]]  # not public until reviewed
    submit(api, t.owner, amendment["id"])
    assert public_ids(api) == [original["id"]]
    done = approve(api, staff, amendment["id"])
    assert done["status"] == "published" and done["notice_type_name"] == "变更公告"
    assert set(public_ids(api)) == {original["id"], amendment["id"]}
    assert public_ids(api, notice_type="amendment") == [amendment["id"]]
    page = api.client.get(f"/notices/{amendment['id']}")
    assert page.status_code == 200 and "滨江道路提升工程施工招标变更公告" in page.text
    # the original stays as it was published
    kept = api.client.get(f"/api/v1/public/notices/{original['id']}").json()
    assert kept["title"] == original["title"] and kept["status"] == "published"


@pytest.mark.parametrize("stage", ["draft", "submitted", "returned"])
def test_unpublished_notices_are_invisible_to_the_public(api: Api, stage: str) -> None:
    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    n = api.notice(t.owner, t.tp_code, t.section_codes, title="尚未发布的秘密公告")
    if stage != "draft":
        submit(api, t.owner, n["id"])
    if stage == "returned":
        api.client.post(f"/api/v1/notices/{n['id']}/return", headers=staff,
                        json={"reason": "补充资格条件"})
    status = api.client.get(f"/api/v1/notices/{n['id']}", headers=t.owner).json()["status"]
    assert status == stage
    api.unchanged_after("GET", f"/api/v1/public/notices/{n['id']}", 404, "NOTICE_NOT_FOUND")
    assert api.client.get("/api/v1/public/notices").json()["total"] == 0
    page = api.client.get(f"/notices/{n['id']}")  # the portal's page says so as a page
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "页面不存在" in page.text and "NOTICE_NOT_FOUND" in page.text
    assert "尚未发布的秘密公告" not in page.text
    portal = api.client.get("/", params={"q": "秘密"})
    assert portal.status_code == 200 and "尚未发布的秘密公告" not in portal.text


# --- the public search ------------------------------------------------------------------------

@dataclass
class Catalogue:
    """Four published notices; publication times are given in Beijing time."""

    gulou_road: int  # engineering, 350102 福州鼓楼, 2026-11-24 09:30
    gulou_goods: int  # gov_procurement, 350102, 2026-11-27 01:00 (still 11-26 in UTC)
    siming_goods: int  # gov_procurement, 350203 厦门思明, 2026-11-30 09:30
    chaoyang_road: int  # engineering, 110105 北京朝阳, 2026-12-01 09:30


@pytest.fixture
def catalogue(api: Api, clock: MovableClock) -> Catalogue:
    api.account("staff", AccountKind.CENTRE_STAFF)
    gulou = tender(api, "gulou", "MA2Y0001", sections=1, region_code="350102")
    chaoyang = tender(api, "chaoyang", "MA2Y0002", sections=1, region_code="110105",
                      name="朝阳区道路工程")
    goods = procurement(api, "gljy", "MA2Y0003", "350102")
    siming = procurement(api, "smyy", "MA2Y0004", "350203")
    drafts = [
        (gulou, "鼓楼区滨江道路工程施工招标公告", timedelta(0)),
        (goods, "鼓楼区教育局多媒体设备采购公告", timedelta(days=2, hours=15, minutes=30)),
        (siming, "思明区医院医疗设备采购公告", timedelta(days=3, hours=8, minutes=30)),
        (chaoyang, "朝阳区道路工程施工招标公告", timedelta(days=1)),
    ]
    ids = []
    notices = [(api.notice(t.owner, t.tp_code, t.section_codes, title=title), step)
               for t, title, step in drafts]
    for (t, _, _), (n, _) in zip(drafts, notices, strict=True):
        submit(api, t.owner, n["id"])
    for n, step in notices:
        clock.advance(step)
        approve(api, api.token("staff"), n["id"])  # a fresh token: days pass between reviews
        ids.append(n["id"])
    assert clock.now() == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    return Catalogue(*ids)


def test_public_list_is_newest_first(api: Api, catalogue: Catalogue) -> None:
    c = catalogue
    assert public_ids(api) == [c.chaoyang_road, c.siming_goods, c.gulou_goods, c.gulou_road]


def test_public_search_by_trading_domain(api: Api, catalogue: Catalogue) -> None:
    c = catalogue
    assert public_ids(api, domain="engineering") == [c.chaoyang_road, c.gulou_road]
    assert public_ids(api, domain="gov_procurement") == [c.siming_goods, c.gulou_goods]
    assert public_ids(api, domain="land_mineral") == []
    api.unchanged_after("GET", "/api/v1/public/notices?domain=nonsense", 422,
                        "CODE_TABLE_VALUE_UNKNOWN")


REGION_CASES = {
    "350000": {"gulou_road", "gulou_goods", "siming_goods"},  # 福建省: the whole province
    "350100": {"gulou_road", "gulou_goods"},  # 福州市: the city, not 厦门
    "350102": {"gulou_road", "gulou_goods"},  # 鼓楼区: exactly
    "350200": {"siming_goods"},  # 厦门市
    "110000": {"chaoyang_road"},  # 北京市
    "110105": {"chaoyang_road"},  # 朝阳区: exactly
    "110101": set(),  # 东城区: a sibling district matches nothing
}

DATE_CASES: list[tuple[dict[str, str], set[str]]] = [
    ({"published_from": "2026-11-27"}, {"gulou_goods", "siming_goods", "chaoyang_road"}),
    ({"published_to": "2026-11-26"}, {"gulou_road"}),  # 11-27 01:00 Beijing is not 11-26
    ({"published_from": "2026-11-27", "published_to": "2026-11-27"}, {"gulou_goods"}),
    ({"published_from": "2026-11-24", "published_to": "2026-11-24"}, {"gulou_road"}),
    ({"published_to": "2026-11-30"}, {"gulou_road", "gulou_goods", "siming_goods"}),
    ({"published_from": "2026-12-01"}, {"chaoyang_road"}),
    ({"published_from": "2026-12-02"}, set()),
]


def named(catalogue: Catalogue, ids: list[int]) -> set[str]:
    names = {v: k for k, v in vars(catalogue).items()}
    return {names[i] for i in ids}


def test_public_search_by_region_covers_everything_under_it(api: Api,
                                                            catalogue: Catalogue) -> None:
    found = {region: named(catalogue, public_ids(api, region=region))
             for region in REGION_CASES}
    assert found == REGION_CASES


def test_public_search_by_beijing_publication_date_is_inclusive(api: Api,
                                                                catalogue: Catalogue) -> None:
    for params, expected in DATE_CASES:
        assert named(catalogue, public_ids(api, **params)) == expected, params


def test_public_search_by_title_text(api: Api, catalogue: Catalogue) -> None:
    c = catalogue
    assert public_ids(api, q="采购") == [c.siming_goods, c.gulou_goods]
    assert public_ids(api, q="鼓楼区") == [c.gulou_goods, c.gulou_road]
    assert public_ids(api, q="朝阳") == [c.chaoyang_road]
    assert public_ids(api, q="不存在的词") == []


def test_title_search_takes_wildcard_characters_literally(api: Api,
                                                          catalogue: Catalogue) -> None:
    """A `%` or `_` typed into the search box is text, not a LIKE pattern matching anything."""
    assert public_ids(api, q="%") == []
    assert public_ids(api, q="_") == []
    assert public_ids(api, q="鼓楼区%公告") == []


def test_public_search_filters_combine(api: Api, catalogue: Catalogue) -> None:
    c = catalogue
    assert public_ids(api, domain="gov_procurement", region="350100") == [c.gulou_goods]
    assert public_ids(api, domain="engineering", region="350000",
                      published_from="2026-11-25") == []
    assert public_ids(api, q="道路", published_from="2026-11-25") == [c.chaoyang_road]


def test_public_list_is_paged(api: Api, catalogue: Catalogue) -> None:
    c = catalogue
    first = api.client.get("/api/v1/public/notices", params={"page_size": 1}).json()
    assert first["total"] == 4 and first["page"] == 1 and first["page_size"] == 1
    assert [n["id"] for n in first["items"]] == [c.chaoyang_road]
    assert public_ids(api, page_size=1, page=2) == [c.siming_goods]
    assert public_ids(api, page_size=3, page=2) == [c.gulou_road]
    beyond = api.client.get("/api/v1/public/notices", params={"page_size": 1, "page": 5})
    assert beyond.json()["total"] == 4 and beyond.json()["items"] == []


def test_portal_page_shows_the_same_search(api: Api, catalogue: Catalogue) -> None:
    everything = api.client.get("/")
    assert everything.status_code == 200
    assert '<span id="total">4</span>' in everything.text
    fuzhou = api.client.get("/", params={"region": "350100"}).text
    assert '<span id="total">2</span>' in fuzhou
    assert "鼓楼区滨江道路工程施工招标公告" in fuzhou and "鼓楼区教育局多媒体设备采购公告" in fuzhou
    assert "朝阳区道路工程施工招标公告" not in fuzhou and "思明区医院" not in fuzhou
    procurement_page = api.client.get("/", params={"domain": "gov_procurement",
                                                   "published_to": "2026-11-27"}).text
    assert '<span id="total">1</span>' in procurement_page
    assert "鼓楼区教育局多媒体设备采购公告" in procurement_page


# --- issue 10: a notice lacking what the national standard requires is refused then ---

MISSING_503 = ["503.BID_DOC_REFER_END_TIME", "503.BID_OPEN_TIME", "503.DOC_GET_END_TIME",
               "503.DOC_GET_START_TIME"]


def test_a_tender_notice_without_rounds_is_refused_at_submit_naming_what_is_missing(
        api: Api) -> None:
    """It used to be published and then parked at all three platforms (503 MISSING_MANDATORY
    DOC_GET_START_TIME …), where a replay only parked it again."""
    t = tender(api)
    n = api.notice(t.owner, t.tp_code, t.section_codes, rounds=False)
    problem = api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/submit", 422,
                                  "NOTICE_INCOMPLETE", headers=t.owner)
    assert problem["missing"] == {"sections": t.section_codes, "fields": MISSING_503}
    assert t.section_codes[0] in problem["message_zh"]
    assert "DOC_GET_START_TIME" in problem["message_en"]


def test_every_section_of_a_tender_notice_needs_its_round(api: Api) -> None:
    t = tender(api)
    api.round(t.owner, t.section_codes[0])
    n = api.notice(t.owner, t.tp_code, t.section_codes, rounds=False)
    problem = api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/submit", 422,
                                  "NOTICE_INCOMPLETE", headers=t.owner)
    # the 503 record takes its times from the first section's round: complete; the second
    # section would still be announced without a deadline
    assert problem["missing"] == {"sections": [t.section_codes[1]], "fields": []}
    api.round(t.owner, t.section_codes[1])
    assert submit(api, t.owner, n["id"])["status"] == "submitted"


def test_approval_is_refused_when_the_round_was_terminated_after_submission(api: Api) -> None:
    t = tender(api, sections=1)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    submit(api, t.owner, n["id"])
    r = api.client.post(f"/api/v1/sections/{t.section_codes[0]}/rounds/current/terminate",
                        headers=t.owner, json={"reason": "项目调整"})
    assert r.status_code == 200, r.text
    problem = api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/approve", 422,
                                  "NOTICE_INCOMPLETE", headers=staff)
    assert problem["missing"]["sections"] == t.section_codes


def test_a_published_tender_notice_maps_to_a_valid_503_record(api: Api) -> None:
    """What the check let through, the platforms take: the shipped 503 spec maps the event."""
    from adapters.exchange_runtime import mapping_context
    from exchange.delivery import event_document
    from mappings.engine import compile_spec
    from mappings.specs import shipped_specs

    t = tender(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    publish(api, t, staff)
    with api.container.uow() as uow:
        event = uow.session.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "notice.published")).one()
        document = event_document(event)
    spec = compile_spec(shipped_specs()["gcjs.tender_notice@1"])
    (record,) = spec.apply(document, mapping_context(api.container.settings))
    assert record.fields["DOC_GET_START_TIME"] and record.fields["BID_DOC_REFER_END_TIME"]


def test_the_check_uses_the_spec_version_a_route_names(api: Api) -> None:
    """An administrator's stored version of the 503 spec takes the tenderer's phone with no
    fallback; a route to it makes a tenderer without a phone number refused at submit, where
    the shipped version (default 未登记) lets it through."""
    from exchange import config
    from exchange.mapping_specs import save_version
    from mappings.specs import shipped_specs

    body = json.loads(json.dumps(shipped_specs()["gcjs.tender_notice@1"]))
    body["version"] = 2
    body["fields"]["TENDERER_PHONE_NUMBER"] = "payload.tenderer.contact_phone"
    with api.container.session_factory() as s:
        now = api.container.clock.now()
        save_version(s, body, "no fallback for the phone", "admin:test", now)
        config.upsert_target(s, "province", {"kind": "http_json",
                                             "endpoint": "http://127.0.0.1:9/inbox"},
                             "admin:test", now)
        config.add_route(s, "notice.published", "province", "gcjs.tender_notice@2", True,
                         "admin:test", now)
        s.commit()
    t = tender(api, sections=1)  # registered without a contact phone
    n = api.notice(t.owner, t.tp_code, t.section_codes)
    problem = api.unchanged_after("POST", f"/api/v1/notices/{n['id']}/submit", 422,
                                  "NOTICE_INCOMPLETE", headers=t.owner)
    assert problem["missing"] == {"sections": [], "fields": ["503.TENDERER_PHONE_NUMBER"]}
