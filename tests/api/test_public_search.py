"""The public search at a province's scale (issue 10 §3, docs/search.md), on real PostgreSQL.

What the old search could not do and this one must: find a word in the content, the 项目编号 or
the 招标人 (it searched titles only), page by an opaque keyset cursor that walks every row exactly
once (OFFSET pages drift and cost the rows before them), count without reading everything (capped,
then estimated, and saying so), answer a pager of first/previous/next instead of one link per
page, and refuse a bad parameter with a stable code (REST) or a Chinese page (portal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from adapters.bootstrap import build
from adapters.db.migrate import upgrade
from adapters.rest.app import create_app
from core.clock import MovableClock
from core.codes.tables import CODE_TABLES
from core.model.account import AccountKind
from core.model.notice import Notice, NoticeStatus
from core.model.notice_search import NoticeSearchEntry
from core.model.project import TenderProject
from core.services import notices
from core.services.paging import PageRequest
from core.services.public_search import PublicNoticeFilter
from tests.api.conftest import Api
from tests.api.test_api_notices import approve, submit, tender
from tests.conftest import START, settings_for

URL = "/api/v1/public/notices"


@dataclass
class Shelf:
    """Published notices of one tender project: ``ids`` newest first, as the list orders them."""

    ids: list[int]
    project_code: str
    tp_code: str


def shelve(api: Api, clock: MovableClock, count: int, *, title: str = "第{i}号道路工程招标公告",
           notice_type: str = "tender", tied: bool = True, tp_code: str | None = None
           ) -> Shelf:
    """``count`` notices published straight through the ORM, as the lifecycle publishes them.

    Every third one shares its publication time with the one before, so the order's tie-break
    (the id) is exercised.
    """
    if tp_code is None:
        t = tender(api, "shelf", "MA2Y0009", sections=1)
        tp_code = t.tp_code
    with api.container.uow() as uow:
        tp = uow.session.scalars(select(TenderProject).where(
            TenderProject.code == tp_code)).one()
        made = []
        at = clock.now()
        for i in range(count):
            if not (tied and i % 3 == 2):
                at += timedelta(minutes=1)
            n = Notice(tender_project=tp, notice_type=notice_type, title=title.format(i=i),
                       content=f"第{i}号公告正文", status=NoticeStatus.PUBLISHED.value,
                       created_by=1, created_at=at, updated_at=at, published_at=at)
            uow.session.add(n)
            made.append(n)
        uow.commit()
        order = sorted(made, key=lambda n: (n.published_at, n.id), reverse=True)
        return Shelf([n.id for n in order], tp.project.code, tp.code)


def search(api: Api, **params: Any) -> dict[str, Any]:
    r = api.client.get(URL, params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def ids(api: Api, **params: Any) -> list[int]:
    return [n["id"] for n in search(api, **params)["items"]]


@pytest.fixture
def staff(api: Api) -> dict[str, str]:
    return api.account("staff", AccountKind.CENTRE_STAFF)


def published(api: Api, staff: dict[str, str], title: str, content: str = "招标条件……",
              username: str = "tdr", body8: str = "MA2Y0001",
              name: str | None = None) -> tuple[int, str]:
    """A notice published by review; returns its id and its project's 项目编号."""
    _, owner = api.register(username, body8, ["tenderer"], name=name)
    p = api.project(owner, name=f"{username}项目")  # the project's name is searched too
    tp = api.tender_project(owner, p["code"])
    section = api.section(owner, tp["code"])["code"]
    n = api.notice(owner, tp["code"], [section], title=title, content=content)
    submit(api, owner, n["id"])
    approve(api, staff, n["id"])
    return n["id"], p["code"]


# --- what a keyword finds ---------------------------------------------------------------------

def test_keyword_finds_content_project_code_and_tenderer(api: Api,
                                                         staff: dict[str, str]) -> None:
    """Before, only the title was searched: none of these four found anything."""
    road, road_code = published(api, staff, "滨江道路提升工程施工招标公告",
                                content="工程地点：福州市鼓楼区鹭岛云谷片区",
                                name="福州市城市建设投资集团")
    other, _ = published(api, staff, "教学楼维修工程施工招标公告", content="工程地点：仓山区",
                         username="tdr2", body8="MA2Y0002", name="仓山区教育局")
    assert ids(api, q="鹭岛云谷") == [road]  # a rare four-character word, in the content only
    assert ids(api, q=road_code) == [road]  # 项目编号
    assert ids(api, q=road_code.lower()) == [road]  # case does not matter
    assert ids(api, q="城市建设投资") == [road]  # 招标人, part of its name
    assert ids(api, q="教育局") == [other]
    assert ids(api, q="工程") == [other, road]


def test_one_and_two_character_keywords(api: Api, staff: dict[str, str]) -> None:
    road, _ = published(api, staff, "滨江道路提升工程施工招标公告")
    school, _ = published(api, staff, "教学楼维修工程招标公告", username="tdr2",
                          body8="MA2Y0002")
    assert ids(api, q="道路") == [road]
    assert ids(api, q="路") == [road]  # one character: the unigram tokens
    assert ids(api, q="楼") == [school]
    assert ids(api, q="招标") == [school, road]
    assert ids(api, q="路工") == []  # a bigram across no text of either
    assert search(api, q="道路")["total"] == 1


def test_longer_word_needs_its_characters_together(api: Api, staff: dict[str, str]) -> None:
    """All bigrams of 滨江道路 occur in the second notice, but apart: the recheck refuses it."""
    together, _ = published(api, staff, "滨江道路提升工程招标公告")
    _apart, _ = published(api, staff, "江道 滨江 道路 工程招标公告", username="tdr2",
                          body8="MA2Y0002")
    assert ids(api, q="滨江道路") == [together]
    assert ids(api, q="滨江 道路") == [_apart, together]  # two words: each anywhere


def test_several_words_must_all_occur(api: Api, staff: dict[str, str]) -> None:
    road, _ = published(api, staff, "鼓楼区道路工程招标公告")
    published(api, staff, "鼓楼区设备采购公告", username="tdr2", body8="MA2Y0002")
    assert ids(api, q="鼓楼 道路") == [road]
    assert ids(api, q="道路　鼓楼") == [road]  # an ideographic space separates words too
    assert ids(api, q="鼓楼 隧道") == []


def test_every_notice_type_of_the_code_table_is_a_filter(api: Api, clock: MovableClock) -> None:
    """Notices generated by the lifecycle (new codes of the table) are searchable by type."""
    shelf = shelve(api, clock, 1)
    made = {}
    for code in CODE_TABLES["notice_type"].entries:
        made[code] = shelve(api, clock, 1, notice_type=code, title=f"{code} 公告",
                            tp_code=shelf.tp_code).ids[0]
    for code, notice_id in made.items():
        found = ids(api, notice_type=code, q=f"{code} 公告")
        assert found == [notice_id], code
    with api.container.uow() as uow:  # one search row per published notice, no more
        rows = uow.session.scalar(select(func.count()).select_from(NoticeSearchEntry))
        assert rows == len(made) + 1


# --- pages ------------------------------------------------------------------------------------

def walk(api: Api, key: str, first: dict[str, Any], **params: Any) -> list[list[int]]:
    pages, page = [], first
    while True:
        pages.append([n["id"] for n in page["items"]])
        if page[key] is None:
            return pages
        page = search(api, cursor=page[key], **params)


def test_cursor_walks_every_row_once_in_order_and_back(api: Api, clock: MovableClock) -> None:
    shelf = shelve(api, clock, 23)
    first = search(api, page_size=5)
    assert first["prev_cursor"] is None and first["page"] == 1
    forward = walk(api, "next_cursor", first, page_size=5)
    assert [len(p) for p in forward] == [5, 5, 5, 5, 3]
    assert [i for p in forward for i in p] == shelf.ids  # each once, newest first, ties by id
    last = search(api, page_size=5, cursor=search(api, page_size=5)["next_cursor"])
    assert last["page"] is None and last["prev_cursor"] is not None
    # from the last page back to the first, by prev_cursor
    page = first
    while page["next_cursor"]:
        page = search(api, page_size=5, cursor=page["next_cursor"])
    backward = walk(api, "prev_cursor", page, page_size=5)
    assert list(reversed(backward)) == forward


def test_cursor_keeps_its_filters(api: Api, clock: MovableClock) -> None:
    shelf = shelve(api, clock, 12, title="第{i}号道路工程招标公告")
    odd = shelve(api, clock, 12, title="第{i}号桥梁工程招标公告", tp_code=shelf.tp_code)
    first = search(api, q="桥梁", page_size=5)
    pages = walk(api, "next_cursor", first, q="桥梁", page_size=5)
    assert [i for p in pages for i in p] == odd.ids


def test_page_numbers_still_reach_the_first_pages(api: Api, clock: MovableClock) -> None:
    shelf = shelve(api, clock, 12)
    assert ids(api, page=2, page_size=5) == shelf.ids[5:10]
    third = search(api, page=3, page_size=5)
    assert [n["id"] for n in third["items"]] == shelf.ids[10:]
    assert third["next_cursor"] is None and third["prev_cursor"] is not None
    back = search(api, page_size=5, cursor=third["prev_cursor"])
    assert [n["id"] for n in back["items"]] == shelf.ids[5:10]


# --- counts -----------------------------------------------------------------------------------

def test_counts_are_exact_when_small_and_capped_when_large(api: Api,
                                                           clock: MovableClock) -> None:
    shelf = shelve(api, clock, 12)
    small = search(api, page_size=5)
    assert (small["total"], small["total_relation"]) == (12, "eq")
    with api.container.uow() as uow:
        exact = notices.list_published(uow, PageRequest(1, 5), PublicNoticeFilter(),
                                       count_cap=12)
        capped = notices.list_published(uow, PageRequest(1, 5), PublicNoticeFilter(),
                                        count_cap=11)
        narrow = notices.list_published(uow, PageRequest(1, 5),
                                        PublicNoticeFilter(text="第3号"), count_cap=11)
        capped_ids = [n.id for n in capped.items]
    assert (exact.total, exact.total_relation) == (12, "eq")
    # above the cap: PostgreSQL's estimate, never below what was counted
    assert capped.total_relation == "approx" and capped.total >= 12
    assert capped_ids == shelf.ids[:5]
    assert (narrow.total, narrow.total_relation) == (1, "eq")


def test_portal_says_about_when_the_count_is_an_estimate(api: Api,
                                                         clock: MovableClock) -> None:
    shelve(api, clock, 1001, tied=False)
    listing = search(api)
    assert listing["total_relation"] == "approx" and listing["total"] >= 1001
    page = api.client.get("/")
    assert page.status_code == 200
    assert "共约" in page.text and "（估算）" in page.text
    # the pager is first/previous/next: never a link per page (before: one for each of 51)
    assert page.text.count("page=") == 0 and "下一页" in page.text and "上一页" not in page.text


# --- the portal's pager -----------------------------------------------------------------------

def test_portal_pages_by_next_previous_and_first(api: Api, clock: MovableClock) -> None:
    shelf = shelve(api, clock, 45)
    first = api.client.get("/", params={"q": "道路"})
    assert '<span id="total">45</span>' in first.text and "共 " in first.text
    nav = first.text[first.text.index('<nav class="pager"'):]
    assert 'id="next"' in nav and 'id="prev"' not in nav and 'id="first"' not in nav
    href = nav.split('id="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = api.client.get("/" + href)
    assert second.status_code == 200
    assert f'href="/notices/{shelf.ids[20]}"' in second.text
    assert f'href="/notices/{shelf.ids[19]}"' not in second.text
    nav = second.text[second.text.index('<nav class="pager"'):]
    assert 'id="first" href="?q=' in nav and 'id="prev"' in nav and 'id="next"' in nav


# --- bad parameters ---------------------------------------------------------------------------

def test_bad_cursor_and_page_parameters_are_refused(api: Api, clock: MovableClock) -> None:
    shelve(api, clock, 6)
    cursor = search(api, page_size=2)["next_cursor"]
    body, check = cursor.split(".")
    api.unchanged_after("GET", f"{URL}?cursor=nonsense", 422, "CURSOR_INVALID")
    api.unchanged_after("GET", f"{URL}?cursor={body}.000000000000", 422, "CURSOR_INVALID")
    api.unchanged_after("GET", f"{URL}?cursor={body[:-2]}.{check}", 422, "CURSOR_INVALID")
    api.unchanged_after("GET", f"{URL}?cursor={cursor}&q=道路", 422, "CURSOR_STALE")
    api.unchanged_after("GET", f"{URL}?cursor={cursor}&page=2", 422, "CURSOR_WITH_PAGE")
    api.unchanged_after("GET", f"{URL}?page=501&page_size=20", 422, "PAGE_TOO_DEEP")
    api.unchanged_after("GET", f"{URL}?notice_type=nonsense", 422, "CODE_TABLE_VALUE_UNKNOWN")
    api.unchanged_after("GET", f"{URL}?published_from=2026-12-02&published_to=2026-12-01", 422,
                        "DATE_RANGE_REVERSED")


@pytest.mark.parametrize("params, says", [
    ({"published_from": "2026-13-01"}, "不是有效日期"),
    ({"published_to": "昨天"}, "不是有效日期"),
    ({"page": "abc"}, "页码"),
    ({"page": "0"}, "页码"),
    ({"type": "nonsense"}, "公告类型"),
    ({"domain": "nonsense"}, "交易领域"),
    ({"region": "999999"}, "行政区划代码"),
    ({"cursor": "nonsense"}, "翻页游标无效"),
    ({"q": "x" * 101}, "搜索词至多"),
    ({"page": "600"}, "页码只到前"),
])
def test_portal_answers_a_bad_parameter_with_a_chinese_page(
        api: Api, params: dict[str, str], says: str) -> None:
    r = api.client.get("/", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert says in r.text and 'id="error"' in r.text and '<form class="filters"' in r.text


def test_search_rows_follow_publication_only(api: Api, staff: dict[str, str]) -> None:
    """A draft or submitted notice has no search row; review publishes it into the search."""
    _, owner = api.register("tdr", "MA2Y0001", ["tenderer"])
    p = api.project(owner)
    tp = api.tender_project(owner, p["code"])
    section = api.section(owner, tp["code"])["code"]
    n = api.notice(owner, tp["code"], [section], title="尚在审核的道路公告")
    submit(api, owner, n["id"])
    assert ids(api, q="道路") == []
    with api.container.uow() as uow:
        assert uow.session.get(NoticeSearchEntry, n["id"]) is None
    approve(api, staff, n["id"])
    assert ids(api, q="道路") == [n["id"]]
    with api.container.uow() as uow:
        entry = uow.session.get(NoticeSearchEntry, n["id"])
        assert entry is not None and entry.region_code == "350102" and entry.city == "3501"
        assert isinstance(entry.published_at, datetime)


def test_sqlite_fallback_finds_the_same(tmp_path: Path) -> None:
    """`make run`'s SQLite has no tsvector: the same search by substring, documented as such."""
    url = f"sqlite:///{tmp_path / 'search.db'}"
    upgrade(url)
    c = build(settings_for({"GGZY_DATABASE_URL": url, "GGZY_VAR_DIR": str(tmp_path)}),
              MovableClock(START))
    try:
        with TestClient(create_app(c)) as client:
            api = Api(client, c)
            staff = api.account("staff", AccountKind.CENTRE_STAFF)
            road, code = published(api, staff, "滨江道路提升工程招标公告", content="鹭岛云谷片区")
            apart, _ = published(api, staff, "江道 滨江 道路 工程招标公告", username="tdr2",
                                 body8="MA2Y0002")
            assert ids(api, q="滨江道路") == [road]
            assert ids(api, q="路") == [apart, road]
            assert ids(api, q="鹭岛云谷") == [road] and ids(api, q=code) == [road]
            first = search(api, page_size=1)
            assert first["total_relation"] == "eq" and first["total"] == 2
            assert walk(api, "next_cursor", first, page_size=1) == [[apart], [road]]
            assert api.client.get(URL, params={"cursor": "x"}).json()["code"] == "CURSOR_INVALID"
    finally:
        c.close()


@pytest.mark.parametrize("q", ["'", "\\", "a'b", "道路:*", "!道路", "道|路", "(道路)", "& |",
                               "<->", "''道路''", "\\'"])
def test_query_syntax_characters_are_text(api: Api, staff: dict[str, str], q: str) -> None:
    """The words go into a tsquery: its operators and quotes typed in the box are only text."""
    published(api, staff, "滨江道路提升工程招标公告")
    assert ids(api, q=q) == []
    assert api.client.get("/", params={"q": q}).status_code == 200
