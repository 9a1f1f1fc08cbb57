"""Portal pages. They read through the same use cases as the public API, so the page can never
show a notice the API would hide."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from adapters.rest.deps import UoW
from adapters.rest.fields import PathId
from core.clock import SHANGHAI
from core.codes.regions import (
    cities,
    is_region,
    province_codes,
    region_full_name,
    region_name,
    validate_region,
)
from core.codes.tables import CODE_TABLES
from core.errors import DomainError
from core.services import notices, portal, tender_documents
from core.services.paging import MAX_PAGE, PageRequest

# the trading domains the portal's navigation names (the others are under 其他 in the list)
NAV_DOMAINS = ("engineering", "gov_procurement", "land_mineral", "state_property", "other")
# the notice categories, in the order a tender goes through them
NAV_TYPES = ("tender", "prequalification", "amendment", "clarification", "opening_record",
             "candidates", "result", "contract", "termination", "failed")


def _site(request: Request) -> dict[str, Any]:
    """What every page's frame shows: the centre (configured, docs/portal.md) and the nav."""
    centre = request.app.state.container.settings.centre
    return {"centre": centre,
            "nav_domains": [(c, CODE_TABLES["trading_domain"].label(c)) for c in NAV_DOMAINS],
            "nav_regions": [(centre.region, region_name(centre.region)),
                            *(cities(centre.region) if centre.region.endswith("0000") else [])],
            "nav_types": [(c, CODE_TABLES["notice_type"].label(c)) for c in NAV_TYPES]}


router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates",
                            context_processors=[_site])
PAGE_SIZE = 20
DOCUMENT_KINDS = {"tender_documents": "招标文件", "clarification": "澄清文件"}
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _beijing(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


templates.env.filters["beijing"] = _beijing


class BadParameter(Exception):
    """A list parameter the portal cannot read: answered as a Chinese page, never as JSON."""

    def __init__(self, message_zh: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh


def _optional_date(raw: str, label: str) -> date | None:
    if not raw:
        return None
    try:
        if not ISO_DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(f"{label}“{raw[:20]}”不是有效日期，请写作 2026-11-24 的形式") from None


def _page_number(raw: str) -> int:
    if not raw:
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadParameter(f"页码“{raw[:20]}”无效，须为 1 至 {MAX_PAGE} 之间的整数")
    return int(raw)


def _provinces() -> list[tuple[str, str]]:
    codes = (p + "0000" for p in province_codes())
    return sorted((code, region_name(code)) for code in codes if is_region(code))


LIST_PARAMS = ("domain", "region", "type", "published_from", "published_to", "q")


def _link(filters: dict[str, str], **extra: str) -> str:
    """A pager link: the same filters, plus the cursor (or nothing, for the first page)."""
    query = {k: v for k, v in filters.items() if v} | extra
    return "?" + urlencode(query) if query else "/"


@router.get("/", response_class=HTMLResponse)
def notice_list(
    request: Request,
    uow: UoW,
    domain: str = "",
    region: str = "",
    type: str = "",
    published_from: str = "",
    published_to: str = "",
    q: str = "",
    page: str = "",
    cursor: str = "",
) -> HTMLResponse:
    """The public list. Every parameter arrives as text and is read here, so a bad one gets a
    Chinese page with status 422 and the form to correct it, not a JSON problem."""
    filters = {"domain": domain, "region": region, "type": type,
               "published_from": published_from, "published_to": published_to, "q": q}
    context: dict[str, Any] = {
        "filters": filters, "domains": CODE_TABLES["trading_domain"].entries,
        "notice_types": CODE_TABLES["notice_type"].entries, "provinces": _provinces(),
        "region_full_name": region_full_name, "error": None, "page": None,
    }
    try:
        f = notices.PublicNoticeFilter(
            domain=domain or None, region_code=region or None,
            published_from=_optional_date(published_from, "发布日期自"),
            published_to=_optional_date(published_to, "发布日期至"),
            notice_type=type or None, text=q.strip() or None)
        if region:
            validate_region(region)
        result = notices.list_published(uow, PageRequest(_page_number(page), PAGE_SIZE), f,
                                        cursor or None)
    except (BadParameter, DomainError) as err:
        context["error"] = err.message_zh
        return templates.TemplateResponse(request, "notices.html", context, status_code=422)
    context["page"] = result
    context["first_link"] = _link(filters) if result.prev_cursor else None
    context["prev_link"] = (_link(filters, cursor=result.prev_cursor)
                            if result.prev_cursor else None)
    context["next_link"] = (_link(filters, cursor=result.next_cursor)
                            if result.next_cursor else None)
    return templates.TemplateResponse(request, "notices.html", context)


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(request: Request, notice_id: PathId, uow: UoW) -> HTMLResponse:
    detail = portal.notice_detail(uow, notice_id)
    documents = tender_documents.documents_of(uow.session, detail.notice.tender_project_id)
    return templates.TemplateResponse(request, "notice.html", {
        "n": detail.notice,
        "d": detail,
        "documents": [{"name": d.name, "kind": DOCUMENT_KINDS.get(d.kind, d.kind),
                       "size": d.size, "sha256": d.sha256, "uploaded_at": d.uploaded_at,
                       "url": f"/api/v1/tender-documents/{d.id}/content"} for d in documents],
        "domains": CODE_TABLES["trading_domain"].entries,
        "notice_types": CODE_TABLES["notice_type"].entries,
        "region_full_name": region_full_name,
    })


@router.get("/openings/today", response_class=HTMLResponse)
def openings_today(request: Request, uow: UoW) -> HTMLResponse:
    """今日开标: today in Beijing on the real clock (the one the server runs on)."""
    today = uow.clock.now().astimezone(SHANGHAI).date()
    return templates.TemplateResponse(request, "openings.html", {
        "day": today, "openings": portal.openings_on(uow, today),
        "region_full_name": region_full_name,
    })
