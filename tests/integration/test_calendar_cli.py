"""The calendar as an operator maintains it: a live `ggzy serve` on the real clock, the year after
this one provisional until two administrators load and approve its notice with `ggzy calendar`,
then official — and the deadlines the approval moved are printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.live import ROOT, LiveServer, ggzy, live_server

SAMPLE = Path(__file__).parents[1] / "fixtures" / "calendar-2027-sample.json"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("calendar")) as live:
        yield live


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def sample_for(year: int, folder: Path) -> Path:
    """The 2027 test sample, shifted to ``year`` when the suite runs later (same weekdays are not
    needed: only the format and the maker-checker path are exercised then)."""
    if year == 2027:
        return SAMPLE
    text = SAMPLE.read_text(encoding="utf-8").replace("2027-", f"{year}-").replace(
        "2026-", f"{year - 1}-").replace('"year": 2027', f'"year": {year}')
    document = json.loads(text)
    for holiday in document["holidays"]:
        holiday["work"] = []  # weekdays differ in another year
    path = folder / f"calendar-{year}.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_year_turns_official_through_two_administrators(server: LiveServer,
                                                          tmp_path: Path) -> None:
    env = server.env
    year = next(y for y in range(datetime.now(UTC).year, datetime.now(UTC).year + 10)
                if httpx.get(f"{server.base}/api/v1/public/calendar/{y}").json()["status"]
                == "provisional")
    before = httpx.get(f"{server.base}/api/v1/public/calendar/{year}").json()
    assert before["status"] == "provisional"
    for name in ("cal-maker", "cal-checker"):
        ggzy({**env, "GGZY_NEW_PASSWORD": "a long pass phrase"}, "account", "create",
             "--username", name, "--kind", "admin")

    shown = run(env, "calendar", "show", "--year", str(year))
    assert shown.returncode == 0 and f"{year}: provisional" in shown.stdout
    loaded = run(env, "calendar", "import", "--year", str(year), str(sample_for(year, tmp_path)),
                 "--as", "cal-maker")
    assert loaded.returncode == 0, loaded.stderr
    proposal = loaded.stdout.split()[1].rstrip(":")
    assert httpx.get(f"{server.base}/api/v1/public/calendar/{year}").json()["status"] == (
        "provisional")

    own = run(env, "calendar", "approve", proposal, "--as", "cal-maker")
    assert own.returncode == 2 and "CALENDAR_APPROVER_IS_PROPOSER" in own.stderr
    assert "Traceback" not in own.stderr
    wrong_year = run(env, "calendar", "import", "--year", str(year + 1), str(SAMPLE),
                     "--as", "cal-maker")
    assert wrong_year.returncode == 2 and "CALENDAR_DOCUMENT_INVALID" in wrong_year.stderr

    approved = run(env, "calendar", "approve", proposal, "--as", "cal-checker")
    assert approved.returncode == 0, approved.stderr
    assert f"{year} official" in approved.stdout and "deadlines moved" in approved.stdout
    after = httpx.get(f"{server.base}/api/v1/public/calendar/{year}").json()
    assert after["status"] == "official" and after["approved_at"]
    listed = run(env, "calendar", "proposals", "--as", "cal-checker", "--year", str(year))
    assert f"{proposal}\t{year}\tapproved" in listed.stdout
    assert "approved by admin:cal-checker" in listed.stdout


def test_readiness_says_how_long_the_official_calendar_lasts(server: LiveServer) -> None:
    ready = httpx.get(f"{server.base}/readyz").json()
    days_left = ready["calendar"]["days_left"]
    assert ready["status"] == "ready" and isinstance(days_left, int)
    assert (ready["calendar"]["warning"] is not None) == (days_left <= 60)
    metrics = httpx.get(f"{server.base}/metrics").text
    assert f"ggzy_calendar_official_days_left {days_left}" in metrics
    log = (Path(server.env["GGZY_VAR_DIR"]) / "serve.log").read_text()
    assert "calendar:" in log


def test_the_cli_names_no_year_it_cannot_reckon(server: LiveServer) -> None:
    bad = run({**os.environ, **server.env}, "calendar", "show", "--year", "2100")
    assert bad.returncode == 2 and "2100" in bad.stderr and "Traceback" not in bad.stderr
