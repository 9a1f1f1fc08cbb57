"""Migration 0011 on a database that already has published notices: each gets its search row,
cut as the application cuts it, and nothing else does (a draft stays out of the public search)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from adapters.bootstrap import build
from adapters.db.migrate import upgrade
from core.services import notices
from core.services.paging import PageRequest
from core.services.public_search import PublicNoticeFilter
from tests.conftest import settings_for

ROWS = [
    "INSERT INTO accounts (id, username, password_hash, kind, display_name, is_active, "
    "created_at) VALUES (1, 'a', 'x', 'centre_staff', 'a', true, :at)",
    "INSERT INTO parties (id, kind, name, uscc, region_code, created_at, updated_at) VALUES "
    "(1, 'organisation', '福州市城市建设投资集团', '91350102MA2Y00010X', '350102', :at, :at)",
    "INSERT INTO projects (id, code, name, domain, region_code, industry_code, owner_party_id, "
    "currency, price_unit, created_by, created_at, updated_at) VALUES (1, 'E3501020000000001', "
    "'滨江项目', 'engineering', '350102', 'E48', 1, '156', '0', 1, :at, :at)",
    "INSERT INTO tender_projects (id, project_id, code, unified_deal_code, name, tender_mode, "
    "organize_form, created_at, updated_at) VALUES (1, 1, 'E3501020000000001001', "
    "'U3501020000000001001', '滨江施工', '1', '1', :at, :at)",
    "INSERT INTO notices (id, tender_project_id, notice_type, title, content, status, "
    "created_by, created_at, updated_at, published_at) VALUES "
    "(1, 1, 'tender', '滨江道路提升工程招标公告', '鹭岛云谷片区', 'published', 1, :at, :at, :at), "
    "(2, 1, 'tender', '尚未发布的道路公告', '草稿', 'draft', 1, :at, :at, NULL)",
]


def test_notices_published_before_the_search_get_their_rows(empty_database: str,
                                                            tmp_path: Path) -> None:
    upgrade(empty_database, "0010")
    engine = create_engine(empty_database)
    at = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
    with engine.begin() as conn:
        for statement in ROWS:  # SQLite's driver keeps no offset: UTC written naive, as the app
            conn.execute(text(statement), {"at": at if conn.dialect.name != "sqlite"
                                           else at.replace(tzinfo=None)})
    engine.dispose()
    upgrade(empty_database)
    c = build(settings_for({"GGZY_DATABASE_URL": empty_database,
                             "GGZY_VAR_DIR": str(tmp_path)}))
    try:
        with c.uow() as uow:
            def found(q: str) -> list[int]:
                page = notices.list_published(uow, PageRequest(), PublicNoticeFilter(text=q))
                return [n.id for n in page.items]
            assert found("道路") == [1]  # the draft's title has 道路 too
            assert found("鹭岛云谷") == [1] and found("城市建设") == [1]
            assert found("e3501020000000001") == [1]
            everything = notices.list_published(uow, PageRequest(), PublicNoticeFilter())
            assert [n.id for n in everything.items] == [1] and everything.total == 1
            assert everything.items[0].published_at == at
    finally:
        c.close()
