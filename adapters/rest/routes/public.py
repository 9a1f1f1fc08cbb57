"""Public reads, no sign-in: published notices, the national code tables and the OCDS export."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Request, Response

from adapters.rest.deps import Deps, Paging, UoW
from adapters.rest.fields import Day, PathCode, PathId, QueryCode, SearchCursor, SearchText
from adapters.rest.schemas import NoticeOut, NoticeSearchOut, notice_out, notice_search_out
from core.codes.tables import CODE_TABLES
from core.errors import not_found
from core.services import notices
from exchange.ocds import packages as ocds
from exchange.ocds import settings as ocds_settings
from mappings.ocds.blocks import Links
from mappings.ocds.jsonout import dumps
from mappings.ocds.publication import PublicationSettings

router = APIRouter(prefix="/api/v1/public", tags=["public"])


@router.get("/notices", response_model=NoticeSearchOut)
def published_notices(uow: UoW, paging: Paging, domain: QueryCode = None,
                      region: QueryCode = None, published_from: Day | None = None,
                      published_to: Day | None = None, notice_type: QueryCode = None,
                      q: SearchText = None, cursor: SearchCursor = None) -> NoticeSearchOut:
    """Search published notices, newest first; ``region`` 350000 matches the whole province,
    350100 a city; ``q`` finds words in the title, content, 项目编号 or 招标人. ``page`` reaches
    the first 10,000 rows; page on from there with ``next_cursor``. ``total`` is exact up to
    1,000 (``total_relation`` ``eq``), an estimate above (``approx``)."""
    f = notices.PublicNoticeFilter(domain=domain or None, region_code=region or None,
                                   published_from=published_from, published_to=published_to,
                                   notice_type=notice_type or None, text=q or None)
    return notice_search_out(uow.session, notices.list_published(uow, paging, f, cursor or None))


@router.get("/notices/{notice_id}", response_model=NoticeOut)
def published_notice(notice_id: PathId, uow: UoW) -> NoticeOut:
    return notice_out(uow.session, notices.get_published(uow, notice_id))


@router.get("/code-tables")
def code_tables() -> list[dict[str, str]]:
    return [{"name": key, "title": t.name, "title_en": t.name_en, "source": t.source}
            for key, t in CODE_TABLES.items()]


@router.get("/code-tables/{name}")
def code_table(name: PathCode) -> dict[str, Any]:
    table = CODE_TABLES.get(name)
    if table is None:
        raise not_found("代码表", "code table", name)
    return {"name": name, "title": table.name, "title_en": table.name_en,
            "source": table.source,
            "entries": [{"code": c, "zh": zh, "en": en} for c, (zh, en) in table.entries.items()]}


# -- OCDS 1.1 (docs/ocds.md) ---------------------------------------------------------------------

OCDS_JSON = "application/json"
OCDS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {OCDS_JSON: {}}, "description": "an OCDS 1.1 package"},
    404: {"description": "no such section, or nothing of it is published yet"},
}


def _publication(c: Deps) -> PublicationSettings:
    return ocds_settings.from_env(os.environ, c.settings.platform)


def _links(request: Request, section_code: str) -> Links:
    return Links(base_url=str(request.base_url),
                 record_url=str(request.url_for("ocds_record", section_code=section_code)))


@router.get("/ocds/sections/{section_code}/releases", response_class=Response,
            responses=OCDS_RESPONSES)
def ocds_releases(section_code: PathCode, request: Request, uow: UoW, c: Deps) -> Response:
    """Release package: every release of every tendering round of a published section."""
    package = ocds.release_package(uow.session, section_code, _publication(c),
                                   uri=str(request.url), published=uow.clock.now(),
                                   links=_links(request, section_code))
    return Response(dumps(package), media_type=OCDS_JSON)


@router.get("/ocds/sections/{section_code}/record", response_class=Response,
            responses=OCDS_RESPONSES)
def ocds_record(section_code: PathCode, request: Request, uow: UoW, c: Deps) -> Response:
    """Record package: per ocid the releases and the compiled release (OCDS merge rules)."""
    package = ocds.record_package(
        uow.session, section_code, _publication(c), uri=str(request.url),
        published=uow.clock.now(), links=_links(request, section_code),
        releases_uri=str(request.url_for("ocds_releases", section_code=section_code)))
    return Response(dumps(package), media_type=OCDS_JSON)
