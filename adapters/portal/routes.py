"""Portal pages. They read through the same use cases as the public API, so the page can never
show a notice the API would hide."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from adapters.rest.deps import UoW
from adapters.rest.fields import PageNo, PathId
from core.clock import SHANGHAI
from core.codes.regions import is_region, province_codes, region_full_name, region_name
from core.codes.tables import CODE_TABLES
from core.errors import DomainError
from core.services import notices
from core.services.paging import PageRequest

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
PAGE_SIZE = 20


def _beijing(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


templates.env.filters["beijing"] = _beijing


def _optional_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _provinces() -> list[tuple[str, str]]:
    codes = (p + "0000" for p in province_codes())
    return sorted((code, region_name(code)) for code in codes if is_region(code))


@router.get("/", response_class=HTMLResponse)
def notice_list(
    request: Request,
    uow: UoW,
    domain: str = "",
    region: str = "",
    published_from: str = "",
    published_to: str = "",
    q: str = "",
    page: PageNo = 1,
) -> HTMLResponse:
    error = None
    f = notices.PublicNoticeFilter(
        domain=domain if domain in CODE_TABLES["trading_domain"] else None,
        region_code=region or None,
        published_from=_optional_date(published_from),
        published_to=_optional_date(published_to),
        text=q.strip() or None,
    )
    try:
        result = notices.list_published(uow, PageRequest(page, PAGE_SIZE), f)
    except DomainError as err:
        error = err.message_zh
        result = notices.list_published(uow, PageRequest(1, PAGE_SIZE),
                                        notices.PublicNoticeFilter())
    return templates.TemplateResponse(request, "notices.html", {
        "page": result,
        "pages": max(1, -(-result.total // PAGE_SIZE)),
        "filters": {"domain": domain, "region": region, "published_from": published_from,
                    "published_to": published_to, "q": q},
        "domains": CODE_TABLES["trading_domain"].entries,
        "notice_types": CODE_TABLES["notice_type"].entries,
        "provinces": _provinces(),
        "region_full_name": region_full_name,
        "error": error,
    })


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(request: Request, notice_id: PathId, uow: UoW) -> HTMLResponse:
    notice = notices.get_published(uow, notice_id)
    return templates.TemplateResponse(request, "notice.html", {
        "n": notice,
        "domains": CODE_TABLES["trading_domain"].entries,
        "notice_types": CODE_TABLES["notice_type"].entries,
        "region_full_name": region_full_name,
    })
