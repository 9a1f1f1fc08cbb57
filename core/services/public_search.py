"""The public notice search at a province's scale: filters, keyword, capped count, keyset pages.

Every query reads the one-row-per-notice search table (core/model/notice_search.py) through an
index that ends in the list's order, stops after the page, and never counts the whole list: the
count stops at ``count_cap`` rows and above it says "about N" (PostgreSQL's own estimate) or "at
least N". Deep pages go by cursor; page numbers stay for the first pages only, since an OFFSET
reads and discards every row before it. Measured and explained in docs/search.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, Text, bindparam, cast, func, select, tuple_
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from core.clock import SHANGHAI
from core.errors import DomainError
from core.model.notice import Notice
from core.model.notice_search import NoticeSearchEntry as S
from core.search import cursor as cursors
from core.search.tokens import term_tokens, terms, tsquery_literal
from core.services.paging import PageRequest
from core.services.validation import check_characters, table_value
from core.uow import UnitOfWork

MAX_SEARCH_TEXT = 100  # a title is at most 300; a longer query is no search, only load
FIRST_DAY = date(1970, 1, 1)  # the searchable publication dates; outside them the day's
LAST_DAY = date(2999, 12, 31)  # start in Beijing cannot even be converted to UTC near the ends
COUNT_CAP = 1000  # counted exactly up to here; above, the planner's estimate
MAX_OFFSET = 10_000  # page x page_size beyond this goes by cursor (page 500 of 20 is the last)

Relation = Literal["eq", "gte", "approx"]  # total is exact / a lower bound / an estimate


@dataclass(frozen=True)
class PublicNoticeFilter:
    domain: str | None = None
    region_code: str | None = None  # a province or city code matches everything under it
    published_from: date | None = None  # Beijing dates, inclusive
    published_to: date | None = None
    notice_type: str | None = None
    text: str | None = None  # words (space-separated) in title, content, 项目编号 or 招标人


@dataclass(frozen=True)
class SearchPage:
    items: list[Notice]
    total: int
    total_relation: Relation
    page: int | None  # None when the page was reached by cursor
    page_size: int
    next_cursor: str | None
    prev_cursor: str | None


def _region_prefix(code: str) -> str:
    """350000 covers 35xxxx, 350100 covers 3501xx, 350102 only itself (GB/T 2260 levels)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def _check_filter(f: PublicNoticeFilter) -> None:
    for field, day in (("published_from", f.published_from), ("published_to", f.published_to)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise DomainError("DATE_OUT_OF_RANGE",
                              f"{field} 须在 {FIRST_DAY} 至 {LAST_DAY} 之间",
                              f"{field} must lie between {FIRST_DAY} and {LAST_DAY}", field=field)
    if f.published_from and f.published_to and f.published_from > f.published_to:
        raise DomainError("DATE_RANGE_REVERSED", "发布日期的起始日不能晚于截止日",
                          "published_from is after published_to", field="published_from")
    if f.text is not None:
        check_characters(f.text, "q", name=False)
        if len(f.text) > MAX_SEARCH_TEXT:
            raise DomainError("SEARCH_TEXT_TOO_LONG",
                              f"搜索词至多 {MAX_SEARCH_TEXT} 个字符",
                              f"the search text has at most {MAX_SEARCH_TEXT} characters",
                              field="q")
    for field, value in (("domain", f.domain), ("region", f.region_code),
                         ("notice_type", f.notice_type)):
        if value is not None:
            check_characters(value, field, name=True)
    if f.domain:
        table_value("trading_domain", f.domain, "domain")
    if f.notice_type:
        table_value("notice_type", f.notice_type, "notice_type")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def _text_conditions(words: list[str], dialect: str) -> list[ColumnElement[bool]]:
    """Index lookup by the words' bigrams, then a substring recheck where bigrams are not enough.

    One or two characters are exact as tokens; a longer word's bigrams may all occur apart, so
    its rows are rechecked against the text (on SQLite, which has no index, the recheck is all).
    """
    conds: list[ColumnElement[bool]] = []
    if dialect == "postgresql":
        tokens = [t for w in words for t in term_tokens(w)]
        # inlined, not bound: the planner must see the words to weigh the GIN index against
        # reading the list in order, and a prepared generic plan would not
        query = cast(bindparam("tsq", tsquery_literal(tokens), type_=Text, literal_execute=True),
                     TSQUERY)
        conds.append(S.tokens.op("@@")(query))
    conds += [S.haystack.contains(w, autoescape=True) for w in words
              if dialect != "postgresql" or len(w) > 2]
    return conds


def _conditions(f: PublicNoticeFilter, dialect: str) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.domain:
        conds.append(S.domain == f.domain)
    if f.notice_type:
        conds.append(S.notice_type == f.notice_type)
    if f.region_code:
        prefix = _region_prefix(f.region_code)
        column = {2: S.province, 4: S.city}.get(len(prefix), S.region_code)
        conds.append(column == prefix)
    if f.published_from:
        conds.append(S.published_at >= _day_start(f.published_from))
    if f.published_to:
        conds.append(S.published_at < _day_start(f.published_to + timedelta(days=1)))
    words = terms(f.text or "")
    if words:
        conds += _text_conditions(words, dialect)
    return conds


def _fingerprint(f: PublicNoticeFilter) -> str:
    region = _region_prefix(f.region_code) if f.region_code else None
    return cursors.fingerprint(f.domain, f.notice_type, region, f.published_from,
                               f.published_to, terms(f.text or ""))


def _estimate(session: Session, query: Select[Any]) -> int | None:
    """PostgreSQL's row estimate for the uncapped query (what EXPLAIN says), no rows read."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    compiled = query.compile(dialect=session.get_bind().dialect,
                             compile_kwargs={"render_postcompile": True})
    conn = session.connection()
    plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + compiled.string,
                                compiled.params).scalar()
    document = plan if isinstance(plan, list) else json.loads(str(plan))
    return int(document[0]["Plan"]["Plan Rows"])


def _total(session: Session, conds: list[ColumnElement[bool]], cap: int) -> tuple[int, Relation]:
    matching = select(S.notice_id).where(*conds)
    capped = session.scalar(select(func.count()).select_from(
        matching.limit(cap + 1).subquery())) or 0
    if capped <= cap:
        return capped, "eq"
    estimate = _estimate(session, matching)
    if estimate is None:
        return cap, "gte"
    return max(estimate, cap + 1), "approx"


def _notices(session: Session, ids: list[int]) -> list[Notice]:
    found = {n.id: n for n in session.scalars(select(Notice).where(Notice.id.in_(ids))).unique()}
    return [found[i] for i in ids if i in found]


def _after(c: cursors.Cursor | None) -> ColumnElement[bool] | None:
    if c is None:
        return None
    key = tuple_(S.published_at, S.notice_id)
    position = tuple_(bindparam("cursor_at", c.published_at, type_=S.published_at.type),
                      bindparam("cursor_id", c.notice_id))
    return key < position if c.direction == "after" else key > position


def search(uow: UnitOfWork, request: PageRequest, f: PublicNoticeFilter,
           cursor: str | None = None, count_cap: int = COUNT_CAP) -> SearchPage:
    """Published notices, newest first; a page number for the first pages, a cursor for any."""
    _check_filter(f)
    session = uow.session
    size = request.page_size
    made_for = _fingerprint(f)
    position = cursors.decode(cursor, made_for) if cursor else None
    if position is not None and request.page != 1:
        raise DomainError("CURSOR_WITH_PAGE", "翻页游标与页码不能同时使用",
                          "give either a cursor or a page number, not both", field="cursor")
    offset = (request.page - 1) * size
    if offset >= MAX_OFFSET:
        raise DomainError("PAGE_TOO_DEEP",
                          f"页码只到前 {MAX_OFFSET} 条；更后面请用“下一页”（cursor）翻页",
                          f"page numbers reach the first {MAX_OFFSET} rows; page further with "
                          "the cursor (next_cursor)", field="page")
    conds = _conditions(f, session.get_bind().dialect.name)
    keyset = _after(position)
    backwards = position is not None and position.direction == "before"
    order = ((S.published_at.asc(), S.notice_id.asc()) if backwards
             else (S.published_at.desc(), S.notice_id.desc()))
    query = select(S.notice_id, S.published_at).where(*conds).order_by(*order).limit(size + 1)
    if keyset is not None:
        query = query.where(keyset)
    elif offset:
        query = query.offset(offset)
    rows = list(session.execute(query).all())
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    total, relation = _total(session, conds, count_cap)

    def token(direction: cursors.Direction, row: Any) -> str:
        return cursors.encode(cursors.Cursor(direction, row.published_at, row.notice_id,
                                             made_for))

    has_next = more or backwards
    has_prev = (more if backwards else (position is not None or offset > 0))
    return SearchPage(
        items=_notices(session, [r.notice_id for r in rows]), total=total,
        total_relation=relation, page=None if position else request.page, page_size=size,
        next_cursor=token("after", rows[-1]) if rows and has_next else None,
        prev_cursor=token("before", rows[0]) if rows and has_prev else None)
