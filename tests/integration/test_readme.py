"""The README's walkthrough, run word for word against a live server: the docs cannot rot.

Run twice, as a newcomer does (issue 10 §1): both runs succeed, and afterwards nothing is parked
at any of the demo's sandbox platforms (the walkthrough used to publish a tender notice whose
503 records every platform refused for want of the round's times).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.live import ROOT, ggzy, live_server

MARKER = "<!-- walkthrough:"
OPEN = ("pending", "in_flight", "retrying", "held")


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text()
    after = readme[readme.index(MARKER):]
    match = re.search(r"```bash\n(.*?)```", after, re.S)
    assert match, "the README lost its walkthrough block"
    return match.group(1)


def settled(base: str, admin: dict[str, str], seconds: float = 90) -> dict[str, dict[str, int]]:
    """Deliveries per target and status once none is open any more (or the time is up)."""
    deadline = time.monotonic() + seconds
    while True:
        stats = httpx.get(base + "/api/v1/exchange/stats", headers=admin).json()
        by_target = {t["target"]: t["by_status"] for t in stats["targets"]}
        still_open = sum(n for counts in by_target.values() for s, n in counts.items()
                         if s in OPEN)
        if (not still_open and not stats["unrelayed_events"]) or time.monotonic() > deadline:
            return by_target
        time.sleep(0.5)


def test_readme_walkthrough_runs_twice_and_nothing_is_parked(tmp_path: Path) -> None:
    with live_server(tmp_path, {"GGZY_SANDBOX": "yes"}) as live:
        env = {**live.env, "API": live.base + "/api/v1",
               "GGZY": f"{sys.executable} -m adapters.cli"}
        outputs = []
        for _ in range(2):
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough()], cwd=ROOT,
                                  env=env, capture_output=True, text=True, timeout=180)
            assert done.returncode == 0, done.stdout + done.stderr
            out = done.stdout
            assert "submitted" in out and '"status": "published"' in out
            assert '"城区供水管网改造工程施工招标公告"' in out
            outputs.append(out)
        assert '"uscc": "913501009CUGYHGB2G"' in outputs[0]
        assert "already registered (PARTY_ALREADY_REGISTERED)" in outputs[1] or \
            "already registered (USERNAME_TAKEN)" in outputs[1]
        public = httpx.get(live.base + "/api/v1/public/notices", params={"q": "供水"}).json()
        assert public["total"] == 2  # one notice per run
        assert all(len(item["section_codes"]) == 2 for item in public["items"])
        portal = httpx.get(live.base + "/", params={"q": "供水"}).text
        assert "城区供水管网改造工程施工招标公告" in portal

        admin = {"Authorization": "Bearer " + ggzy(live.env, "token", "issue",
                                                   "admin").stdout.strip()}
        by_target = settled(live.base, admin)
        platforms = {t: counts for t, counts in by_target.items()
                     if t in ("fujian", "shanxi", "national")}
        assert set(platforms) == {"fujian", "shanxi", "national"}, by_target
        for target, counts in platforms.items():
            assert counts.get("parked", 0) == 0, (target, counts)
            assert not any(counts.get(s, 0) for s in OPEN), (target, counts)
            assert counts.get("delivered", 0) > 0, (target, counts)
