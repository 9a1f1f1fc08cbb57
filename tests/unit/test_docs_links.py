"""The README and docs/ speak of files a clone has (issue 10 §1): `../shared/...` does not
exist outside the workplace, so nothing may point there, and every `docs/*.md` named exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_nothing_points_outside_the_project() -> None:
    for text in TEXTS:
        assert "../shared" not in text.read_text(), text


def test_every_named_doc_exists() -> None:
    named = {m for text in TEXTS for m in re.findall(r"docs/[a-z0-9-]+\.md", text.read_text())}
    assert "docs/architecture.md" in named
    missing = sorted(n for n in named if not (ROOT / n).is_file())
    assert missing == []
