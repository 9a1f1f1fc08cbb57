"""The public portal in real Chromium against a real `ggzy serve` process on PostgreSQL.

The server is started the way an operator starts it (migrate, demo, serve), so this also proves
the README's commands work against PostgreSQL.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.live import live_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("var")) as live:
        yield live.base


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


def test_published_notice_is_listed_and_opens(server: str, page: Page,
                                              tmp_path: Path) -> None:
    page.goto(server + "/")
    rows = page.locator("#notices tbody tr")
    assert page.locator("#total").inner_text() == "1"
    assert TITLE in rows.first.inner_text()
    assert "福建省福州市鼓楼区" in rows.first.inner_text()
    page.screenshot(path=str(tmp_path / "portal.png"), full_page=True)
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url("**/notices/*")
    assert page.locator("#title").inner_text() == TITLE
    assert "E3501000001000001001001" in page.content()


def test_filters_narrow_the_list(server: str, page: Page) -> None:
    page.goto(server + "/")
    page.select_option("#domain", "gov_procurement")
    page.click("#search")
    page.wait_for_load_state()
    assert page.locator("#total").inner_text() == "0"
    assert "没有符合条件的公告" in page.locator("#notices").inner_text()
    page.select_option("#domain", "engineering")
    page.select_option("#region", "350000")
    page.click("#search")
    page.wait_for_load_state()
    assert page.locator("#total").inner_text() == "1"
    page.select_option("#region", "110000")
    page.click("#search")
    page.wait_for_load_state()
    assert page.locator("#total").inner_text() == "0"
    page.select_option("#region", "")
    page.fill("#published_from", "2000-01-01")
    page.fill("#published_to", "2000-12-31")
    page.click("#search")
    page.wait_for_load_state()
    assert page.locator("#total").inner_text() == "0"


def test_unpublished_notice_is_not_reachable(server: str, page: Page) -> None:
    response = page.goto(server + "/notices/999")
    assert response is not None and response.status == 404
