"""Public reads, no sign-in: published notices and the national code tables."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from adapters.rest.deps import Paging, UoW
from adapters.rest.schemas import NoticeOut, PageOut, notice_out, page_out
from core.codes.tables import CODE_TABLES
from core.errors import not_found
from core.services import notices

router = APIRouter(prefix="/api/v1/public", tags=["public"])


@router.get("/notices", response_model=PageOut[NoticeOut])
def published_notices(uow: UoW, paging: Paging, domain: str | None = None,
                      region: str | None = None, published_from: date | None = None,
                      published_to: date | None = None, notice_type: str | None = None,
                      q: str | None = None) -> dict[str, Any]:
    """Search published notices; ``region`` 350000 matches the whole province, 350100 a city."""
    f = notices.PublicNoticeFilter(domain=domain or None, region_code=region or None,
                                   published_from=published_from, published_to=published_to,
                                   notice_type=notice_type or None, text=q or None)
    return page_out(notices.list_published(uow, paging, f), notice_out)


@router.get("/notices/{notice_id}", response_model=NoticeOut)
def published_notice(notice_id: int, uow: UoW) -> NoticeOut:
    return notice_out(notices.get_published(uow, notice_id))


@router.get("/code-tables")
def code_tables() -> list[dict[str, str]]:
    return [{"name": key, "title": t.name, "title_en": t.name_en, "source": t.source}
            for key, t in CODE_TABLES.items()]


@router.get("/code-tables/{name}")
def code_table(name: str) -> dict[str, Any]:
    table = CODE_TABLES.get(name)
    if table is None:
        raise not_found("代码表", "code table", name)
    return {"name": name, "title": table.name, "title_en": table.name_en,
            "source": table.source,
            "entries": [{"code": c, "zh": zh, "en": en} for c, (zh, en) in table.entries.items()]}
