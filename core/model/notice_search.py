"""The public search's own table: one row per published notice, everything a list filters on.

The public list used to join notices, tender projects and projects and count the join on every
page; at a province's 10^6 notices that count alone took a second. This row holds what the list
filters and orders by (denormalised from the project, which never changes once a notice on it is
published) and the search tokens, so every filter is one composite index ending in the list's
order ``(published_at, notice_id)`` and no query needs a join before its LIMIT.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, TypeDecorator, event, inspect
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from core.db.base import Base, UTCDateTime
from core.model.notice import Notice, NoticeStatus
from core.model.party import Party
from core.search.tokens import haystack, text_tokens, tsvector_literal


class SearchTokens(TypeDecorator[list[str]]):
    """A token list: a ``tsvector`` (GIN-indexed) on PostgreSQL, space-separated text elsewhere.

    SQLite has no tsvector; there the search rechecks the text alone (docs/search.md).
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return tsvector_literal(value)
        return " ".join(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else [t.strip("'") for t in str(value).split(" ") if t]


def _ordered(name: str, *columns: str) -> Index:
    """An index ending in the list's order, so a filtered page is read in order and stops."""
    return Index(f"ix_notice_search_{name}", *columns, "published_at", "notice_id")


class NoticeSearchEntry(Base):
    __tablename__ = "notice_search"
    __table_args__ = (
        _ordered("published"), _ordered("domain", "domain"), _ordered("type", "notice_type"),
        _ordered("province", "province"), _ordered("city", "city"),
        _ordered("region", "region_code"),
        # PostgreSQL only: SQLite has no GIN and no tsvector (there the search reads the text)
        Index("ix_notice_search_tokens", "tokens", postgresql_using="gin").ddl_if(
            dialect="postgresql"),
    )

    notice_id: Mapped[int] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notice_type: Mapped[str] = mapped_column(String(32))
    domain: Mapped[str] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(2))  # GB/T 2260: 35 福建
    city: Mapped[str] = mapped_column(String(4))  # 3501 福州
    region_code: Mapped[str] = mapped_column(String(6))  # 350102 鼓楼区
    tokens: Mapped[list[str]] = mapped_column(SearchTokens())
    haystack: Mapped[str] = mapped_column(Text)

    notice: Mapped[Notice] = relationship()


def searched_fields(session: Session, notice: Notice) -> list[str | None]:
    """What the public search finds a notice by: title, 项目编号 and other codes, 招标人, text."""
    tp = notice.tender_project
    owner = session.get(Party, tp.project.owner_party_id)
    return [notice.title, tp.project.code, tp.code, tp.unified_deal_code,
            owner.name if owner else None, tp.project.name, notice.content]


def index_notice(session: Session, notice: Notice) -> NoticeSearchEntry:
    """Write (or rewrite) the search row of a published notice from the notice and its project."""
    entry = session.get(NoticeSearchEntry, notice.id) if notice.id is not None else None
    if entry is None:
        entry = NoticeSearchEntry(notice=notice)
        session.add(entry)
    project = notice.tender_project.project
    fields = searched_fields(session, notice)
    assert notice.published_at is not None
    entry.published_at = notice.published_at
    entry.notice_type = notice.notice_type
    entry.domain = project.domain
    entry.province = project.region_code[:2]
    entry.city = project.region_code[:4]
    entry.region_code = project.region_code
    entry.tokens = text_tokens(fields)
    entry.haystack = haystack(fields)
    return entry


@event.listens_for(Session, "before_flush")
def _keep_search_rows(session: Session, _context: Any, _instances: Any) -> None:
    """Every published notice has its search row, however it was published.

    Notices are published by centre review and, for the lifecycle notices (开标记录, 中标候选人公示,
    结果, 合同, 终止), generated by the engine; keeping the row at the ORM's flush covers every such
    path in the same transaction, so the search can never miss or outlive a notice.
    """
    with session.no_autoflush:
        for obj in [*session.new, *session.dirty]:
            if not isinstance(obj, Notice):
                continue
            if obj.status == NoticeStatus.PUBLISHED and obj.published_at is not None:
                index_notice(session, obj)
            elif NoticeStatus.PUBLISHED in inspect(obj).attrs.status.history.deleted:
                stale = session.get(NoticeSearchEntry, obj.id)
                if stale is not None:
                    session.delete(stale)
