"""One page of a list: every list endpoint is paged so no caller can ask for the whole table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core.errors import DomainError

T = TypeVar("T")
MAX_PAGE_SIZE = 100
MAX_PAGE = 2**31 - 1  # an offset beyond it is no page anyone reads, and overflows no column


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    page_size: int = 20

    def __post_init__(self) -> None:
        if not 1 <= self.page <= MAX_PAGE or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise DomainError(
                "PAGE_INVALID",
                f"页码须在 1 至 {MAX_PAGE} 之间，每页条数须在 1 至 {MAX_PAGE_SIZE} 之间",
                f"page must be 1 to {MAX_PAGE} and page_size 1 to {MAX_PAGE_SIZE}",
            )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


def paginate(session: Session, query: Select[Any], request: PageRequest) -> Page[Any]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(
        query.limit(request.page_size).offset((request.page - 1) * request.page_size)
    ).unique().all()
    return Page(list(rows), total, request.page, request.page_size)
