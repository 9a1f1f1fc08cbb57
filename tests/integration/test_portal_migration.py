"""Migrations on an embedded (SQLite) database that holds data. SQLite alters a table by copying
it; with foreign keys enforced, rebuilding ``notices`` cascaded into notice_sections (every notice
lost its sections) and rebuilding ``accounts`` failed outright. Down past 0010 and up again, the
tender notice keeps its two sections and nothing points at a missing row."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tests.live import ggzy


def _counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        sections = conn.execute("SELECT count(*) FROM notice_sections").fetchone()[0]
        notices = conn.execute("SELECT count(*) FROM notices").fetchone()[0]
    return int(sections), int(notices)


def test_0010_keeps_the_sections_of_every_notice_on_sqlite(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GGZY_DATABASE_URL"}
    env["GGZY_VAR_DIR"] = str(tmp_path)
    db = tmp_path / "ggzy.db"
    ggzy(env, "migrate")
    ggzy(env, "demo")
    # the engineering tender notice names both sections, its 4 lifecycle notices one each; the
    # 政府采购 tender beside it: its notice, 1 section, and 3 lifecycle notices
    assert _counts(db) == (6 + 4, 5 + 4)
    ggzy(env, "migrate", "--down", "0009")
    assert _counts(db) == (2 + 1, 2)  # the generated notices go; the tender notices keep theirs
    ggzy(env, "migrate")
    assert _counts(db) == (2 + 1, 2)
