"""Legal time on the Beijing calendar: calendar days (日), working days (工作日), and where a period
ends — on the official holiday schedule where it is known, provisionally where it is not.

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
  日的截止时间为二十四时；有业务时间的，停止业务活动的时间为截止时间。" —
  :meth:`HolidayCalendar.period_end` implements the first sentence; :func:`end_of_day` gives the
  24:00 end of the last day.
* 第二百零四条 lets another law provide otherwise; the tendering laws do not, so we apply these
  rules.

A 法定休假日 (legal rest day) here is every day that is not a working day on the official calendar:
statutory holidays, their 调休 rest days, and Saturdays and Sundays — except the weekend days that
the State Council's yearly notice turns into working days (调休上班, e.g. Sunday 2025-09-28 and
Saturday 2025-10-11). Counting weekends as 法定休假日 follows the civil-procedure reading (民通意见
第198条: "星期日或者其他法定休假日"; labour law distinguishes 休息日 from 法定休假日); a
调休 weekday off counts as a rest day ("以实际休假日"), a 调休 working weekend does not.

Official and provisional years
------------------------------
The official schedule of a year is data (the approved State Council notice, kept in the database
and handed in as :class:`OfficialYear`). A year without one is *provisional*: its statutory
holidays are computed from their rules and the days the notice may still turn are *unsettled*
(:mod:`core.rules.holidays`). A question is then answered on the safe side, and the answer says it
is provisional (:class:`LegalDay`):

* :attr:`Reading.LATEST` — unsettled days are rest days, so a period ends as late as it
  plausibly can: the reading for *minimum* periods (a deadline accepted now still holds whatever
  the notice says);
* :attr:`Reading.EARLIEST` — unsettled days are working days, so a period ends as early as it
  plausibly can: the reading for *due dates* (remind by the earliest plausible day).

On an official span both readings give the same day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property

from core.clock import SHANGHAI
from core.errors import DomainError, ErrorKind
from core.rules.holidays import (
    FIRST_COMPUTABLE_YEAR,
    LAST_COMPUTABLE_YEAR,
    PlausibleYear,
    is_weekend,
    plausible_year,
)

CALENDAR_OUT_OF_RANGE = "CALENDAR_OUT_OF_RANGE"
DATETIME_NOT_AWARE = "DATETIME_NOT_AWARE"

ERROR_CODES: frozenset[str] = frozenset({CALENDAR_OUT_OF_RANGE, DATETIME_NOT_AWARE})

#: The last instant of a day that we still count as "that day" (民法典 第二百零三条: 二十四时).
#: Kept one microsecond short of midnight so that :func:`beijing_date` of the end is the same day.
_LAST_INSTANT = time(23, 59, 59, 999999)
_ONE_DAY = timedelta(days=1)


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


class DayKind(StrEnum):
    WORK = "work"
    REST = "rest"
    UNSETTLED = "unsettled"  # provisional: the year's notice may make it either


class Reading(StrEnum):
    """Which plausible schedule decides an unsettled day (module doc)."""

    LATEST = "latest"  # unsettled days rest: minimum periods
    EARLIEST = "earliest"  # unsettled days work: due dates


class YearStatus(StrEnum):
    OFFICIAL = "official"
    PROVISIONAL = "provisional"


@dataclass(frozen=True)
class OfficialYear:
    """A year's schedule as the State Council's notice gives it.

    ``rest_days``: the days given off (weekdays among them are what matters; weekend days may be
    listed too); ``working_days``: the Saturdays and Sundays that are working days (调休上班).
    Either may hold days of the previous December (a 元旦 arrangement can reach back).
    """

    year: int
    rest_days: frozenset[date]
    working_days: frozenset[date]
    source: str  # the notice's number, or the package a seeded year came from


@dataclass(frozen=True)
class LegalDay:
    """The last day of a legal period, and whether an unofficial day took part in deciding it."""

    day: date
    provisional: bool
    reading: Reading = Reading.LATEST  # how unsettled days were read (no matter when official)

    @property
    def ends_at(self) -> datetime:
        """24:00 of the day (民法典 第二百零三条), as the last instant of the Beijing day."""
        return end_of_day(self.day)

    @property
    def status(self) -> YearStatus:
        return YearStatus.PROVISIONAL if self.provisional else YearStatus.OFFICIAL


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


def as_date(day: date) -> date:
    """A plain date; an aware datetime is first converted to its Beijing date."""
    if isinstance(day, datetime):
        return beijing_date(day)
    return day


def start_of_day(day: date) -> datetime:
    """00:00 of ``day`` in Beijing, as an aware datetime."""
    return datetime.combine(as_date(day), time(0), tzinfo=SHANGHAI)


def end_of_day(day: date) -> datetime:
    """The end (二十四时, 民法典 第二百零三条) of ``day`` in Beijing, as an aware datetime.

    Returned as 23:59:59.999999 Asia/Shanghai, the last representable instant of the day: a moment
    ``m`` is "within the day" iff ``m <= end_of_day(day)``, and
    ``beijing_date(end_of_day(d)) == d``.
    """
    return datetime.combine(as_date(day), _LAST_INSTANT, tzinfo=SHANGHAI)


def add_days(moment: datetime, n: int) -> datetime:
    """``n`` calendar days later (earlier if negative), at the same Beijing wall-clock time.

    China has no daylight saving, so this is exactly ``n`` × 24 h. Needs no holiday data.
    """
    return to_beijing(moment) + timedelta(days=n)


# -- the calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Day:
    kind: DayKind
    settled: bool  # decided by an official notice (not by the holiday rules)


@dataclass
class HolidayCalendar:
    """The official years handed in, and the provisional reckoning of every other year."""

    official: Mapping[int, OfficialYear] = field(default_factory=dict)
    _days: dict[date, _Day] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def of(cls, years: Iterable[OfficialYear]) -> HolidayCalendar:
        return cls({y.year: y for y in years})

    @cached_property
    def _explicit(self) -> dict[date, DayKind]:
        days: dict[date, DayKind] = {}
        for year in sorted(self.official.values(), key=lambda y: y.year):
            days.update({d: DayKind.REST for d in year.rest_days})
            days.update({d: DayKind.WORK for d in year.working_days})
        return days

    def status(self, year: int) -> YearStatus:
        return YearStatus.OFFICIAL if year in self.official else YearStatus.PROVISIONAL

    def official_until(self, today: date) -> date | None:
        """The last day of the unbroken run of official years from ``today``'s year on."""
        year = today.year
        if year not in self.official:
            return None
        while year + 1 in self.official:
            year += 1
        return date(year, 12, 31)

    def _plausible(self, year: int) -> PlausibleYear:
        if not FIRST_COMPUTABLE_YEAR <= year <= LAST_COMPUTABLE_YEAR:
            raise DomainError(
                CALENDAR_OUT_OF_RANGE,
                f"{year} 年既无国务院节假日安排，也无法按放假办法推算，无法计算工作日",
                f"There is no holiday schedule for {year} and it cannot be reckoned from the "
                "holiday rules, so working days cannot be counted",
                ErrorKind.UNAVAILABLE,
                year=year,
            )
        return plausible_year(year)

    def _reckon(self, day: date) -> _Day:
        explicit = self._explicit.get(day)
        if explicit is not None:
            return _Day(explicit, True)
        ordinary = DayKind.REST if is_weekend(day) else DayKind.WORK
        settled = day.year in self.official
        if not settled:
            own = self._plausible(day.year)
            if day in own.rest_days:
                return _Day(DayKind.REST, False)
            if day in own.may_rest or day in own.may_work:
                return _Day(DayKind.UNSETTLED, False)
        if day.month == 12 and day.year + 1 not in self.official:
            following = self._plausible(day.year + 1)  # its 元旦 may reach back into December
            if day in following.may_rest or day in following.may_work:
                return _Day(DayKind.UNSETTLED, False)
        return _Day(ordinary, settled)

    def _day(self, day: date) -> _Day:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._reckon(day)
        return known

    def kind(self, day: date) -> DayKind:
        """Working, rest, or (provisional years) unsettled; a datetime at its Beijing date."""
        return self._day(as_date(day)).kind

    def is_settled(self, day: date) -> bool:
        """Whether an approved notice decides ``day`` (a datetime at its Beijing date)."""
        return self._day(as_date(day)).settled

    def is_working_day(self, day: date, reading: Reading = Reading.LATEST) -> bool:
        """Whether ``day`` is a working day; an unsettled day as ``reading`` says."""
        kind = self.kind(day)
        if kind is DayKind.UNSETTLED:
            return reading is Reading.EARLIEST
        return kind is DayKind.WORK

    def is_legal_rest_day(self, day: date, reading: Reading = Reading.LATEST) -> bool:
        """Whether ``day`` is a 法定休假日 in the sense of 民法典 第二百零三条 (module doc)."""
        return not self.is_working_day(day, reading)

    def _provisional(self, first: date, last: date) -> bool:
        day = first
        while day <= last:
            if not self._day(day).settled:
                return True
            day += _ONE_DAY
        return False

    def period_end(self, start: date, days: int, reading: Reading) -> LegalDay:
        """The last day of a period of ``days`` 日 counted from the event on ``start``.

        民法典 第二百零一条: the day of ``start`` is not counted, so the nominal last day is ``start
        + days``. 民法典 第二百零三条: if that day is a legal rest day (holiday, its 调休 rest days,
        or a weekend that is not a 调休 working day), the period ends on the first working day
        after the rest days.

        Examples (2025 National Day: 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked):
        ``period_end(2025-09-11, 20)`` -> nominal 10-01 (holiday) -> 2025-10-09;
        ``period_end(2025-09-08, 20)`` -> 2025-09-28 (a Sunday, but a 调休 working day).

        A datetime ``start`` is taken at its Beijing date. ``days`` must be ≥ 1.
        """
        if days < 1:
            raise ValueError("a period is at least one day long")
        first = as_date(start)
        last = first + timedelta(days=days)
        while self.is_legal_rest_day(last, reading):
            last += _ONE_DAY
        return LegalDay(last, self._provisional(first + _ONE_DAY, last), reading)

    def add_working_days(self, start: date, n: int, reading: Reading) -> LegalDay:
        """The ``n``-th working day after (``n`` < 0: before) the Beijing date of ``start``.

        The starting day itself never counts (民法典 第二百零一条), whether or not it is a working
        day: ``add_working_days(friday, 1)`` is the next Monday (or the next working day after a
        holiday), and ``add_working_days(d, 0)`` is ``d`` unchanged.
        """
        day = as_date(start)
        origin = day
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day, reading):
                remaining -= 1
        low, high = (origin + _ONE_DAY, day) if n >= 0 else (day, origin - _ONE_DAY)
        return LegalDay(day, self._provisional(low, high), reading)

    def working_days_between(self, start: date, end: date, reading: Reading) -> int:
        """How many working days lie in ``(start, end]`` — the start excluded, the end included.

        Zero when ``end <= start``. Datetimes are taken at their Beijing dates.
        """
        first, last = as_date(start), as_date(end)
        count = 0
        day = first
        while day < last:
            day += _ONE_DAY
            if self.is_working_day(day, reading):
                count += 1
        return count

    def count_period(self, start: date, days: int, unit: DayCount, reading: Reading) -> LegalDay:
        """The last day of a period of ``days`` in ``unit`` counted from the event on ``start``.

        Calendar days go through :meth:`period_end` (with the holiday rule); working days through
        :meth:`add_working_days` (the last day is a working day by construction).
        """
        if unit is DayCount.CALENDAR:
            return self.period_end(start, days, reading)
        if days < 1:
            raise ValueError("a period is at least one day long")
        return self.add_working_days(start, days, reading)
