"""The README's walkthrough, run word for word against a live server: the docs cannot rot."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.live import ROOT, live_server

MARKER = "<!-- walkthrough:"


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text()
    after = readme[readme.index(MARKER):]
    match = re.search(r"```bash\n(.*?)```", after, re.S)
    assert match, "the README lost its walkthrough block"
    return match.group(1)


def test_readme_walkthrough_publishes_a_notice(tmp_path: Path) -> None:
    with live_server(tmp_path) as live:
        env = {**live.env, "API": live.base + "/api/v1",
               "GGZY": f"{sys.executable} -m adapters.cli"}
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough()], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
        assert "submitted" in out and '"status": "published"' in out
        assert '"城区供水管网改造工程施工招标公告"' in out
        public = httpx.get(live.base + "/api/v1/public/notices", params={"q": "供水"}).json()
        assert public["total"] == 1
        assert len(public["items"][0]["section_codes"]) == 2
        portal = httpx.get(live.base + "/", params={"q": "供水"}).text
        assert "城区供水管网改造工程施工招标公告" in portal
