"""The document an administrator loads a year's holiday schedule from, checked before it is kept.

It mirrors the State Council's notice (国务院办公厅关于 YYYY 年部分节假日安排的通知), holiday by
holiday — "春节：2月5日（除夕）至13日放假调休，共9天。1月31日（星期日）、2月20日（星期六）上班。" —
so that whoever types it in can hold it against the notice line by line (docs/calendar.md)::

    {"year": 2027,
     "notice": {"number": "国办发明电〔2026〕N号", "date": "2026-11-10",
                "title": "国务院办公厅关于2027年部分节假日安排的通知"},
     "holidays": [
       {"name": "春节", "rest": ["2027-02-05", "2027-02-13"],
        "work": ["2027-01-31", "2027-02-20"]}, …]}

``rest`` is the first and last day off (one date for a single day), ``work`` the weekend days
worked. What a notice cannot say is refused (a weekday "worked", overlapping blocks, days far
from the year); what is merely unusual — a statutory holiday missing, a 调休 day outside the
windows seen since 2015 — is reported to the approving administrator, not refused: the notice is
the law, our rules are only a forecast of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from core.errors import DomainError
from core.rules.holidays import (
    FIRST_COMPUTABLE_YEAR,
    LAST_COMPUTABLE_YEAR,
    is_weekend,
    plausible_year,
)
from core.services import validation

DOCUMENT_INVALID = "CALENDAR_DOCUMENT_INVALID"
MAX_HOLIDAYS = 12
MAX_BLOCK_DAYS = 15  # the longest block ever given (春节 2020 with its extension) was 14 days


@dataclass(frozen=True)
class NoticeDay:
    day: date
    kind: str  # rest | work
    holiday: str


@dataclass(frozen=True)
class NoticeDocument:
    year: int
    number: str
    notice_date: date | None
    title: str
    days: tuple[NoticeDay, ...]

    @property
    def rest_days(self) -> frozenset[date]:
        return frozenset(d.day for d in self.days if d.kind == "rest")

    @property
    def working_days(self) -> frozenset[date]:
        return frozenset(d.day for d in self.days if d.kind == "work")

    def canonical(self) -> dict[str, Any]:
        return {"year": self.year,
                "notice": {"number": self.number, "title": self.title,
                           "date": self.notice_date.isoformat() if self.notice_date else None},
                "days": [[d.day.isoformat(), d.kind, d.holiday] for d in self.days]}

    @property
    def sha256(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _invalid(field: str, zh: str, en: str) -> DomainError:
    return DomainError(DOCUMENT_INVALID, f"节假日安排文件无效：{field}：{zh}",
                       f"invalid holiday schedule document: {field}: {en}", field=field)


def _text(value: object, field: str, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(field, "须为非空文本", "must be non-empty text")
    return validation.required_name(value, field, max_len)


def _date(value: object, field: str) -> date:
    if not isinstance(value, str) or len(value) != 10 or not value.isascii():
        raise _invalid(field, "须为 YYYY-MM-DD 日期", "must be a YYYY-MM-DD date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid(field, "须为 YYYY-MM-DD 日期", "must be a YYYY-MM-DD date") from None


def _list(value: object, field: str, max_len: int) -> list[Any]:
    if not isinstance(value, list) or len(value) > max_len:
        raise _invalid(field, f"须为不超过 {max_len} 项的列表",
                       f"must be a list of at most {max_len} items")
    return value


def parse_notice(document: Mapping[str, Any], year: int | None = None) -> NoticeDocument:
    """The document as days, or ``CALENDAR_DOCUMENT_INVALID`` naming the first thing wrong.

    ``year``, when given (the CLI's ``--year``, the URL's year), must match the document's.
    """
    if not isinstance(document, Mapping):
        raise _invalid("document", "须为 JSON 对象", "must be a JSON object")
    declared = document.get("year")
    if not isinstance(declared, int) or isinstance(declared, bool) or not (
            FIRST_COMPUTABLE_YEAR <= declared <= LAST_COMPUTABLE_YEAR):
        raise _invalid("year", f"须为 {FIRST_COMPUTABLE_YEAR}–{LAST_COMPUTABLE_YEAR} 的年份",
                       f"must be a year in {FIRST_COMPUTABLE_YEAR}–{LAST_COMPUTABLE_YEAR}")
    if year is not None and year != declared:
        raise _invalid("year", f"文件为 {declared} 年，而非 {year} 年",
                       f"the document is for {declared}, not {year}")
    notice = document.get("notice")
    if not isinstance(notice, Mapping):
        raise _invalid("notice", "须给出通知的文号、日期和标题",
                       "must give the notice's number, date and title")
    number = _text(notice.get("number"), "notice.number", 100)
    title = _text(notice.get("title"), "notice.title", 200)
    issued = _date(notice["date"], "notice.date") if notice.get("date") is not None else None
    first_allowed, last_allowed = date(declared - 1, 12, 1), date(declared, 12, 31)
    days: dict[date, NoticeDay] = {}
    holidays = _list(document.get("holidays"), "holidays", MAX_HOLIDAYS)
    if not holidays:
        raise _invalid("holidays", "至少列出一个节日", "must list at least one holiday")
    for i, entry in enumerate(holidays):
        where = f"holidays[{i}]"
        if not isinstance(entry, Mapping):
            raise _invalid(where, "须为 JSON 对象", "must be a JSON object")
        name = _text(entry.get("name"), f"{where}.name", 20)
        rest = _list(entry.get("rest"), f"{where}.rest", 2)
        if not rest:
            raise _invalid(f"{where}.rest", "须给出放假的首日和末日", "must give the first and "
                           "last day off")
        first, last = _date(rest[0], f"{where}.rest"), _date(rest[-1], f"{where}.rest")
        if not first_allowed <= first <= last <= last_allowed:
            raise _invalid(f"{where}.rest",
                           f"须为 {first_allowed} 至 {last_allowed} 之间、首日不晚于末日的日期",
                           f"must be days between {first_allowed} and {last_allowed}, the first "
                           "not after the last")
        if (last - first).days >= MAX_BLOCK_DAYS:
            raise _invalid(f"{where}.rest", f"放假不超过 {MAX_BLOCK_DAYS} 天",
                           f"a block is at most {MAX_BLOCK_DAYS} days")
        for offset in range((last - first).days + 1):
            _add(days, NoticeDay(first + timedelta(days=offset), "rest", name), where)
        for j, raw in enumerate(_list(entry.get("work", []), f"{where}.work", 4)):
            day = _date(raw, f"{where}.work[{j}]")
            if not is_weekend(day) or not first_allowed <= day <= last_allowed:
                raise _invalid(f"{where}.work[{j}]",
                               "调休上班日须为当年（或上年十二月）的周六或周日",
                               "a day worked must be a Saturday or Sunday of the year (or the "
                               "December before)")
            _add(days, NoticeDay(day, "work", name), f"{where}.work[{j}]")
    return NoticeDocument(declared, number, issued, title,
                          tuple(sorted(days.values(), key=lambda d: d.day)))


def _add(days: dict[date, NoticeDay], day: NoticeDay, where: str) -> None:
    if day.day in days:
        raise _invalid(where, f"{day.day} 重复出现", f"{day.day} appears twice")
    days[day.day] = day


def remarks(doc: NoticeDocument) -> list[str]:
    """What the approving administrator should look at twice: where the document departs from
    the statutory holidays or from the 调休 seen since 2015 (not errors: the notice decides)."""
    forecast = plausible_year(doc.year)
    notes = [f"法定节假日 {d}（{h.name}）未列为休息日 / statutory holiday {d} ({h.name}) is not "
             "listed as a day off"
             for h in forecast.holidays for d in h.days if d not in doc.rest_days]
    following = forecast.may_rest | forecast.may_work
    notes += [f"{d.day} {('休息' if d.kind == 'rest' else '上班')}不在常见调休范围内 / "
              f"{d.day} ({d.kind}) lies outside the usual 调休 windows"
              for d in doc.days
              if not (d.day in forecast.rest_days or d.day in following
                      or (d.kind == "rest" and is_weekend(d.day)))]
    return notes
