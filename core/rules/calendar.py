"""Legal time on the Beijing calendar: calendar days (日), working days (工作日), and where a period
ends.

Every legal deadline of the trading core is reckoned in Beijing (Asia/Shanghai) dates, whatever the
zone of the stored moment (UTC in storage, see ``core.clock``). Functions here take aware datetimes
and refuse naive ones (``DATETIME_NOT_AWARE``): a naive value has no Beijing date.

Which limits count which days
-----------------------------
Chinese rules say either 日 (calendar days) or 工作日 (working days); the unit is part of the rule.

* 日 (calendar days):
  - bidding period, engineering, ≥20 — 招标投标法 第二十四条;
  - clarification before the deadline, engineering, ≥15 — 招标投标法 第二十三条, 条例 第二十一条;
  - tender documents on sale, ≥5 — 招标投标法实施条例 第十六条;
  - candidate publicity ≥3, started within 3 — 招标投标法实施条例 第五十四条;
  - deposit refund after the contract, ≤5 — 招标投标法实施条例 第五十七条;
  - bidding period, government tender, ≥20 — 政府采购法 第三十五条;
  - clarification before the deadline, government tender, ≥15 — 政府采购法实施条例 第三十一条;
  - consultation period ≥10, clarification ≥5 — 财库〔2014〕214号 第十条.
* 工作日 (working days):
  - tender documents available, government tender, ≥5 — 政府采购法实施条例 第三十一条;
  - deposit refund, government procurement, ≤5 — 政府采购法实施条例 第三十三条;
  - award notice and result notice, ≤2 — 政府采购法实施条例 第四十三条;
  - single-source publicity, ≥5 — 政府采购法实施条例 第三十八条;
  - negotiation / inquiry period and clarification, ≥3 — 财政部令第74号 第二十九条 / 第四十五条.

How a period counted in days is reckoned (民法典 第二百零一条、第二百零三条)
------------------------------------------------------------------------
* 第二百零一条: "按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算。" — the day of the
  triggering event (issue of documents, clarification, signature) does not count; day 1 is the next
  day.
* 第二百零三条: "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。期间的最后一
  日的截止时间为二十四时；有业务时间的，停止业务活动的时间为截止时间。" — :func:`period_end`
  implements the first sentence; :func:`end_of_day` gives the 24:00 end of the last day.
* 第二百零四条 lets another law provide otherwise; the tendering laws do not, so we apply these
  rules.

A 法定休假日 (legal rest day) here is every day that is not a working day on the official calendar:
statutory holidays, their 调休 rest days, and Saturdays and Sundays — except the weekend days that
the State Council's yearly notice turns into working days (调休上班, e.g. Sunday 2025-09-28 and
Saturday 2025-10-11). Counting weekends as 法定休假日 follows the older judicial reading (民通意见
第198条: "星期日或者其他法定休假日") **[unverified: superseded text, quoted from memory]**.

Working days come from ``chinese_calendar`` (which encodes the State Council notices, with 调休).
It has data only for the years it was released with; outside them we refuse with
``CALENDAR_OUT_OF_RANGE`` instead of guessing — upgrade the package when the next year's notice is
published (usually in November).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import overload

import chinese_calendar
from chinese_calendar import constants as _calendar_data

from core.clock import SHANGHAI
from core.errors import DomainError, ErrorKind

CALENDAR_OUT_OF_RANGE = "CALENDAR_OUT_OF_RANGE"
DATETIME_NOT_AWARE = "DATETIME_NOT_AWARE"

ERROR_CODES: frozenset[str] = frozenset({CALENDAR_OUT_OF_RANGE, DATETIME_NOT_AWARE})

#: The last instant of a day that we still count as "that day" (民法典 第二百零三条: 二十四时).
#: Kept one microsecond short of midnight so that :func:`beijing_date` of the end is the same day.
_LAST_INSTANT = time(23, 59, 59, 999999)


class DayCount(StrEnum):
    """The unit a legal period is counted in."""

    CALENDAR = "calendar"  # 日 (calendar days; the last day moves past a legal rest day)
    WORKING = "working"  # 工作日 (working days on the official calendar, with 调休)

    @property
    def label_zh(self) -> str:
        return "日" if self is DayCount.CALENDAR else "个工作日"

    @property
    def label_en(self) -> str:
        return "days" if self is DayCount.CALENDAR else "working days"


def _years() -> tuple[int, int]:
    known = _calendar_data.holidays.keys()
    return min(known).year, max(known).year


FIRST_YEAR, LAST_YEAR = _years()


# -- moments ------------------------------------------------------------------------------------


def require_aware(moment: datetime, name: str = "moment") -> datetime:
    """Return ``moment`` if it carries a zone; refuse a naive datetime (it has no Beijing date)."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise DomainError(
            DATETIME_NOT_AWARE,
            f"{name} 缺少时区，无法换算为北京时间",
            f"{name} has no time zone, so it has no Beijing date",
            field=name,
        )
    return moment


def to_beijing(moment: datetime) -> datetime:
    """The same instant expressed in Asia/Shanghai."""
    return require_aware(moment).astimezone(SHANGHAI)


def beijing_date(moment: datetime) -> date:
    """The legal (Beijing) date of an aware moment, e.g. 2025-09-30T17:00Z -> 2025-10-01."""
    return to_beijing(moment).date()


def _as_date(day: date) -> date:
    """A plain date; an aware datetime is first converted to its Beijing date."""
    if isinstance(day, datetime):
        return beijing_date(day)
    return day


def start_of_day(day: date) -> datetime:
    """00:00 of ``day`` in Beijing, as an aware datetime."""
    return datetime.combine(_as_date(day), time(0), tzinfo=SHANGHAI)


def end_of_day(day: date) -> datetime:
    """The end (二十四时, 民法典 第二百零三条) of ``day`` in Beijing, as an aware datetime.

    Returned as 23:59:59.999999 Asia/Shanghai, the last representable instant of the day: a moment
    ``m`` is "within the day" iff ``m <= end_of_day(day)``, and
    ``beijing_date(end_of_day(d)) == d``.
    """
    return datetime.combine(_as_date(day), _LAST_INSTANT, tzinfo=SHANGHAI)


# -- the official calendar ----------------------------------------------------------------------


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day on the official calendar (调休 make-up days included).

    A datetime is taken at its Beijing date. Raises ``CALENDAR_OUT_OF_RANGE`` for a year the
    installed ``chinese_calendar`` has no data for.
    """
    plain = _as_date(day)
    if not FIRST_YEAR <= plain.year <= LAST_YEAR:
        raise DomainError(
            CALENDAR_OUT_OF_RANGE,
            f"{plain.year} 年的节假日安排尚未收录（仅支持 {FIRST_YEAR}–{LAST_YEAR} 年），"
            "无法计算工作日",
            f"No holiday data for {plain.year} (only {FIRST_YEAR}–{LAST_YEAR} are known), "
            "so working days cannot be counted; upgrade chinese-calendar",
            ErrorKind.INVALID,
            year=plain.year,
            first_year=FIRST_YEAR,
            last_year=LAST_YEAR,
        )
    return bool(chinese_calendar.is_workday(plain))


def is_legal_rest_day(day: date) -> bool:
    """Whether ``day`` is a 法定休假日 in the sense of 民法典 第二百零三条 (see the module doc)."""
    return not is_working_day(day)


# -- arithmetic ---------------------------------------------------------------------------------


@overload
def add_days(moment_or_date: datetime, n: int) -> datetime: ...
@overload
def add_days(moment_or_date: date, n: int) -> date: ...
def add_days(moment_or_date: date, n: int) -> date:
    """``n`` calendar days later (earlier if negative).

    A datetime keeps its Beijing wall-clock time and is returned in Asia/Shanghai (China has no
    daylight saving, so this is exactly ``n`` × 24 h). Needs no holiday data.
    """
    if isinstance(moment_or_date, datetime):
        return to_beijing(moment_or_date) + timedelta(days=n)
    return moment_or_date + timedelta(days=n)


@overload
def add_working_days(moment_or_date: datetime, n: int) -> datetime: ...
@overload
def add_working_days(moment_or_date: date, n: int) -> date: ...
def add_working_days(moment_or_date: date, n: int) -> date:
    """The ``n``-th working day after (``n`` < 0: before) the Beijing date of ``moment_or_date``.

    The starting day itself never counts (民法典 第二百零一条), whether or not it is a working day:
    ``add_working_days(friday, 1)`` is the next Monday (or the next working day after a holiday),
    and ``add_working_days(d, 0)`` is ``d`` unchanged. A datetime keeps its Beijing wall-clock time.
    """
    if isinstance(moment_or_date, datetime):
        local = to_beijing(moment_or_date)
        return datetime.combine(_shift_working_days(local.date(), n), local.timetz())
    return _shift_working_days(moment_or_date, n)


def _shift_working_days(day: date, n: int) -> date:
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days lie in ``(start, end]`` — the start day excluded, the end day included.

    Zero when ``end <= start``. Datetimes are taken at their Beijing dates.
    """
    first, last = _as_date(start), _as_date(end)
    count = 0
    day = first
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def period_end(start: date, days: int) -> date:
    """The last day of a period of ``days`` calendar days (日) counted from the event on ``start``.

    民法典 第二百零一条: the day of ``start`` is not counted, so the nominal last day is ``start +
    days``. 民法典 第二百零三条: "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一
    日" — if that day is a legal rest day (holiday, its 调休 rest days, or a weekend that is not a
    调休 working day), the period ends on the first working day after the rest days.

    Examples (2025 National Day: 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked):
    ``period_end(2025-09-11, 20)`` -> nominal 10-01 (holiday) -> 2025-10-09;
    ``period_end(2025-09-08, 20)`` -> 2025-09-28 (a Sunday, but a 调休 working day, so it stays).

    A datetime ``start`` is taken at its Beijing date. ``days`` must be ≥ 1.
    """
    if days < 1:
        raise ValueError("a period is at least one day long")
    last = _as_date(start) + timedelta(days=days)
    while is_legal_rest_day(last):
        last += timedelta(days=1)
    return last


def count_period(start: date, days: int, unit: DayCount) -> date:
    """The last day of a period of ``days`` in ``unit`` counted from the event on ``start``.

    Calendar days go through :func:`period_end` (with the holiday rule); working days through
    :func:`add_working_days` (the last day is a working day by construction).
    """
    if unit is DayCount.CALENDAR:
        return period_end(start, days)
    if days < 1:
        raise ValueError("a period is at least one day long")
    return add_working_days(_as_date(start), days)
