"""The public portal in real Chromium against a real `ggzy serve` process on PostgreSQL.

The server is started the way an operator starts it (migrate, demo, serve), so this also proves
the README's commands work against PostgreSQL, and that after `ggzy demo` the portal follows the
demo tender from its notice to its contract, each step on its own page (issue 10 §3).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.clock import SHANGHAI
from core.model.project import Section, TenderProject
from core.model.tendering import Round
from tests.live import LiveServer, live_server

pytestmark = pytest.mark.browser

CENTRE = {"GGZY_CENTRE_NAME": "榕城公共资源交易中心", "GGZY_CENTRE_LOGO_TEXT": "榕城交易",
          "GGZY_CENTRE_PHONE": "0591-12345678", "GGZY_CENTRE_ADDRESS": "福州市鼓楼区示例路1号"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("var"), CENTRE) as server:
        _a_round_opening_today(server)
        yield server


@pytest.fixture(scope="module")
def server(live: LiveServer) -> str:
    return live.base


def _a_round_opening_today(live: LiveServer) -> None:
    """The demo's second section gets a round issued and opening today, Beijing time on the
    machine's real date (the demo's own round opens about 30 days after it runs)."""
    engine = create_engine(live.env["GGZY_DATABASE_URL"])
    today = datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    with Session(engine) as s:
        section = s.scalars(select(Section).where(  # the engineering tender's second
            Section.tender_project.has(TenderProject.project.has(domain="engineering")))
            .order_by(Section.id.desc())).first()
        assert section is not None
        # The demo configures every section's round (a tender notice needs them): this one is
        # moved to bidding with its deadline tonight; a section without one gets a new round.
        r = s.scalars(select(Round).where(Round.section_id == section.id)
                      .order_by(Round.round_no.desc())).first()
        if r is None:
            r = Round(section_id=section.id, round_no=1, procedure="1", state_funded=False,
                      opening_window_minutes=60, deposit=Decimal("500000.00"),
                      committee_fallback=True, committee="{}",
                      created_at=today - timedelta(days=21))
            s.add(r)
        r.status = "bidding"
        r.documents_issued_at = today - timedelta(days=20)
        r.bid_deadline = (today + timedelta(hours=23, minutes=59)).astimezone(UTC)
        r.next_check = None
        r.updated_at = today
        s.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("chromium is required for browser tests (make test installs it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser.new_page()
        browser.close()


TITLE = "闽江北岸滨江道路提升工程施工招标公告"
STEPS = (("开标记录", "开标记录"), ("中标候选人公示", "第1名："), ("中标结果公告", "中标人："),
         ("合同订立", "合同金额："))


def test_published_notice_is_listed_and_opens(server: str, page: Page,
                                              tmp_path: Path) -> None:
    page.goto(server + "/")
    rows = page.locator("#notices tbody tr")
    # the engineering tender's notice and its 4 steps; the 政府采购 one's 采购公告 and its 3
    assert page.locator("#total").inner_text() == "9"
    assert TITLE in page.locator("#notices").inner_text()
    assert "福建省福州市鼓楼区" in rows.filter(has_text=TITLE).inner_text()
    page.screenshot(path=str(tmp_path / "portal.png"), full_page=True)
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url("**/notices/*")
    assert page.locator("#title").inner_text() == TITLE
    assert "E3501000001000001001001" in page.content()


def test_the_notice_page_shows_dates_parties_and_related_notices(server: str,
                                                                 page: Page) -> None:
    page.goto(server + "/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url("**/notices/*")
    deadline = page.locator("#schedule .bid-deadline").first.inner_text()
    assert deadline[:4].isdigit() and deadline[4] == "-"  # a Beijing date and time
    period = page.locator("#schedule .documents-period").first.inner_text()
    assert " 至 " in period and period.endswith(deadline)
    tenderer = page.locator("#tenderer").inner_text()
    assert "福州市城市建设投资有限公司" in tenderer and "林工" in tenderer
    assert "0591-88000001" in tenderer
    assert "福建闽江工程咨询有限公司" in page.locator("#agency").inner_text()
    related = page.locator("#related").inner_text()
    for label, _ in STEPS:
        assert label in related


def test_a_tender_from_notice_to_contract_page_by_page(server: str, page: Page) -> None:
    page.goto(server + "/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url("**/notices/*")
    tender_url = page.url
    for label, fact in STEPS:
        page.goto(tender_url)
        page.locator("#related a", has_text=label).click()
        page.wait_for_load_state()
        assert page.url != tender_url
        assert page.locator("#notice-type").inner_text() == label
        assert page.locator("#title").inner_text().endswith(label)
        content = page.locator("#content").inner_text()
        assert fact in content and "闽江北岸滨江道路提升工程施工" in content
        assert page.locator("#schedule").count() == 0  # a step's notice announces no dates
        assert TITLE in page.locator("#related").inner_text()  # and links back
    page.goto(tender_url)
    page.locator("#related a", has_text="开标记录").click()
    page.wait_for_load_state()
    record = page.locator("#content").inner_text()
    for bidder in ("福建榕城市政工程有限公司", "闽江路桥建设集团有限公司", "海峡建工集团有限公司"):
        assert bidder in record
    assert "40,180,000.00 元" in record
    assert "350102198" not in record  # no 身份证 of a project manager


def test_navigation_by_domain_region_and_category(server: str, page: Page) -> None:
    page.goto(server + "/")
    domains = page.locator("#nav-domains a")
    assert domains.all_inner_texts() == ["工程建设", "政府采购", "土地使用权和矿业权",
                                         "国有产权", "其他"]
    page.locator("#nav-domains a", has_text="政府采购").click()
    page.wait_for_url("**/?domain=gov_procurement")
    assert page.locator("#total").inner_text() == "4"  # 采购公告, 开标记录, 结果公告, 合同公告
    assert TITLE not in page.locator("#notices").inner_text()
    page.locator("#nav-domains a", has_text="工程建设").click()
    page.wait_for_url("**/?domain=engineering")
    assert page.locator("#total").inner_text() == "5"
    page.locator("#nav-regions a", has_text="厦门市").click()
    page.wait_for_url("**/?region=350200")
    assert page.locator("#total").inner_text() == "0"
    page.locator("#nav-regions a", has_text="福州市").click()
    page.wait_for_url("**/?region=350100")
    assert page.locator("#total").inner_text() == "9"  # both demo tenders are in 福州
    types = dict(zip(page.locator("#nav-types a").all_inner_texts(),
                     [a.get_attribute("href") for a in page.locator("#nav-types a").all()],
                     strict=True))
    assert types["开标记录"] == "/?type=opening_record"
    assert types["中标候选人公示"] == "/?type=candidates"
    assert types["中标结果公告"] == "/?type=result"
    assert types["合同订立"] == "/?type=contract"
    assert types["终止公告"] == "/?type=termination" and types["流标公告"] == "/?type=failed"
    response = page.goto(server + types["开标记录"])
    assert response is not None and response.status == 200


def test_the_centre_is_configured_not_hard_coded(server: str, page: Page) -> None:
    page.goto(server + "/")
    assert page.locator("#centre-name").inner_text() == CENTRE["GGZY_CENTRE_NAME"]
    assert page.locator("#logo").inner_text() == CENTRE["GGZY_CENTRE_LOGO_TEXT"]
    footer = page.locator("#centre-contacts").inner_text()
    assert CENTRE["GGZY_CENTRE_PHONE"] in footer and CENTRE["GGZY_CENTRE_ADDRESS"] in footer
    assert page.title().endswith(CENTRE["GGZY_CENTRE_NAME"])


def test_todays_openings_on_the_real_date(server: str, page: Page) -> None:
    page.goto(server + "/")
    page.locator("#nav-openings").click()
    page.wait_for_url("**/openings/today")
    today = datetime.now(SHANGHAI).date().isoformat()
    assert page.locator("#day").inner_text().startswith(today)
    rows = page.locator("#openings tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "第二标段" in row and f"{today} 23:59" in row and "投标中" in row
    rows.first.get_by_role("link", name="招标公告").click()
    page.wait_for_url("**/notices/*")
    assert page.locator("#title").inner_text() == TITLE


def test_errors_are_pages_in_chinese(server: str, page: Page) -> None:
    for url, status, words, code in (("/notices/999", 404, "页面不存在", "NOTICE_NOT_FOUND"),
                                     ("/no-such-page", 404, "页面不存在", "NOT_FOUND"),
                                     ("/notices/abc", 422, "请求有误", "VALIDATION_FAILED")):
        response = page.goto(server + url)
        assert response is not None and response.status == status, url
        assert response.headers["content-type"].startswith("text/html"), url
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.locator("#error-title").inner_text() == words
        assert page.locator("#error-code").inner_text() == code
        assert page.locator("#centre-name").inner_text() == CENTRE["GGZY_CENTRE_NAME"]
    api = page.goto(server + "/api/v1/public/notices/999")  # the API keeps problem+json
    assert api is not None and api.status == 404
    assert api.headers["content-type"].startswith("application/problem+json")


def test_a_bad_search_parameter_is_a_chinese_page(server: str, page: Page) -> None:
    """Before, the portal dropped a bad date silently (or, for a bad page number, answered
    JSON): now the list page says what is wrong, in Chinese, with status 422 and the form."""
    response = page.goto(server + "/?published_from=2026-13-01&q=道路")
    assert response is not None and response.status == 422
    assert "不是有效日期" in page.locator("#error").inner_text()
    assert page.locator("#q").input_value() == "道路"  # the form keeps what was typed
    response = page.goto(server + "/?page=abc")
    assert response is not None and response.status == 422
    assert "页码" in page.locator("#error").inner_text()


def test_type_filter_and_pager(server: str, page: Page) -> None:
    page.goto(server + "/")
    page.select_option("#type", "clarification")
    page.click("#search")
    page.wait_for_load_state()
    assert page.locator("#total").inner_text() == "0"
    page.select_option("#type", "tender")
    page.fill("#q", "滨江道路")
    page.click("#search")
    page.wait_for_load_state()
    assert page.locator("#total").inner_text() == "1"
    assert page.locator("nav.pager").count() == 0  # one page: no pager at all
