"""/docs (Swagger UI) and /redoc in real Chromium with every request to a non-loopback host
blocked (issue 10 §4): they used to load their scripts from a CDN and stayed blank offline."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, sync_playwright

from tests.conftest import create_database, drop_database
from tests.live import free_port, ggzy, ggzy_serve

pytestmark = pytest.mark.browser
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty `ggzy serve` (the docs need no data)."""
    var = tmp_path_factory.mktemp("var")
    url = create_database()
    port = free_port()
    env = {**os.environ, "GGZY_DATABASE_URL": url, "GGZY_PORT": str(port),
           "GGZY_VAR_DIR": str(var), "GGZY_SERVE_ENGINE": "no"}
    try:
        ggzy(env, "migrate")
        with ggzy_serve(env, Path(var) / "serve.log") as base:
            yield base
    finally:
        drop_database(url)


@pytest.fixture(scope="module")
def offline() -> Iterator[tuple[Page, list[str]]]:
    """A page whose every request off loopback is aborted, and the list of those requests."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("chromium is required for browser tests (make test installs it)")
    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        context = browser.new_context()
        context.route("**/*", only_loopback)
        yield context.new_page(), blocked
        browser.close()


def test_swagger_ui_renders_the_operations_offline(server: str,
                                                   offline: tuple[Page, list[str]]) -> None:
    page, blocked = offline
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 50
    approve = page.locator(".opblock-summary-path",
                           has_text="/api/v1/notices/{notice_id}/approve")
    assert approve.count() == 1
    assert page.title() == "ggzy-hub — API"
    assert blocked == []


def test_redoc_renders_the_operations_offline(server: str,
                                              offline: tuple[Page, list[str]]) -> None:
    page, blocked = offline
    page.goto(server + "/redoc")
    page.locator("h2", has_text="Approve").first.wait_for(timeout=60_000)
    assert "/api/v1/notices/{notice_id}/approve" in page.content()
    assert blocked == []
