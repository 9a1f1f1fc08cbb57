"""The statutory holidays of a year computed from their rules, and the days the State Council's
yearly notice may still move around them — the *provisional* calendar of a year whose notice is
not loaded yet.

Why this exists: the yearly notice (国务院办公厅关于 YYYY 年部分节假日安排的通知) arrives in late
October to mid-November, and packages that carry it lag behind. Refusing every deadline that ends
in a year without a notice stops a trading centre in December. The holidays themselves are fixed
by law, so a year can be reckoned before its notice; only the 调休 around them is unknown.

The rules (《全国年节及纪念日放假办法》)
---------------------------------------
* revision of 2013-12-11, in force 2014-01-01 to 2024-12-31: 元旦 1 day; 春节 3 days
  (正月初一至初三); 清明节 1 day (the day of the 清明 solar term); 劳动节 1 day (5-01);
  端午节 1 day (五月初五); 中秋节 1 day (八月十五); 国庆节 3 days (10-01 to 10-03).
* revision of 2024-11-10, in force 2025-01-01: 元旦 1; 春节 4 (农历除夕至正月初三); 清明 1;
  劳动节 2 (5-01, 5-02); 端午 1; 中秋 1; 国庆 3.

Lunar dates and the 清明 solar term come from ``lunar_python`` (6tail/lunar-python, maintained).

What the notice may still change (the *unsettled* days)
------------------------------------------------------
Each year's notice joins holidays to the weekend (调休): some weekdays near a holiday become rest
days, and some weekends near it become working days (调休上班); a holiday on a weekend gets a
补假 day. Measured on the official schedules of 2015–2026 (chinese-calendar's data, see
tests/unit/rules/test_rules_holidays.py), every 调休 rest weekday lay within 2 days before to 5
days after a holiday's block, and every working weekend within 8 days before to 10 days after it.
Those windows are the unsettled days here. Two one-off arrangements fall outside any rule and
cannot be foreseen (2015-09-03/04, the 70th anniversary of the victory; the 2020 春节 extension
for the epidemic): an approved notice always wins, and deadlines that move are re-reckoned and
reported (core.services.deadlines).

A window may reach into the previous December (元旦 on a Monday moved 2018-12-31 to a rest day),
so December days of a year can stay unsettled until the next year's notice is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar

#: Years lunar_python reckons reliably; outside them there is no provisional calendar.
FIRST_COMPUTABLE_YEAR = 1901
LAST_COMPUTABLE_YEAR = 2099

#: 调休 windows around a holiday's block, measured on 2015–2026 (module doc), in days.
REST_WINDOW = (2, 5)  # weekdays that may become rest days: 2 before, 5 after
WORK_WINDOW = (8, 10)  # weekends that may become working days: 8 before, 10 after


@dataclass(frozen=True)
class Holiday:
    """One statutory holiday of a year: its name and the days the law gives."""

    name: str
    days: tuple[date, ...]

    @property
    def first(self) -> date:
        return self.days[0]

    @property
    def last(self) -> date:
        return self.days[-1]


@dataclass(frozen=True)
class PlausibleYear:
    """A year reckoned from the rules: the certain rest days, and the days the notice may turn.

    ``may_rest``: weekdays near a holiday the notice may give off; ``may_work``: weekends near a
    holiday it may make working days. Both may contain days of the previous December.
    """

    year: int
    holidays: tuple[Holiday, ...]
    may_rest: frozenset[date]
    may_work: frozenset[date]

    @property
    def rest_days(self) -> frozenset[date]:
        return frozenset(d for h in self.holidays for d in h.days)


def _solar(lunar: Lunar) -> date:
    solar = lunar.getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _lunar(year: int, month: int, day: int) -> date:
    return _solar(Lunar.fromYmd(year, month, day))


def _qingming(year: int) -> date:
    """The day of the 清明 solar term (always 4–6 April)."""
    for day in (4, 5, 6, 3):
        if Solar.fromYmd(year, 4, day).getLunar().getJieQi() == "清明":
            return date(year, 4, day)
    raise ValueError(f"no 清明 found in April {year}")  # pragma: no cover - lunar_python bug


def _days(first: date, count: int) -> tuple[date, ...]:
    return tuple(first + timedelta(days=i) for i in range(count))


def statutory_holidays(year: int) -> tuple[Holiday, ...]:
    """The days the law itself gives off in ``year`` (without the notice's 调休), in order."""
    if not FIRST_COMPUTABLE_YEAR <= year <= LAST_COMPUTABLE_YEAR:
        raise ValueError(f"holidays are computable for {FIRST_COMPUTABLE_YEAR}–"
                         f"{LAST_COMPUTABLE_YEAR}, not {year}")
    new_year = _lunar(year, 1, 1)
    since_2025 = year >= 2025
    spring = (_days(new_year - timedelta(days=1), 4) if since_2025  # 除夕 to 初三
              else _days(new_year, 3))  # 初一 to 初三
    return (
        Holiday("元旦", (date(year, 1, 1),)),
        Holiday("春节", spring),
        Holiday("清明节", (_qingming(year),)),
        Holiday("劳动节", _days(date(year, 5, 1), 2 if since_2025 else 1)),
        Holiday("端午节", (_lunar(year, 5, 5),)),
        Holiday("中秋节", (_lunar(year, 8, 15),)),
        Holiday("国庆节", _days(date(year, 10, 1), 3)),
    )


def _around(h: Holiday, before: int, after: int) -> Iterator[date]:
    day = h.first - timedelta(days=before)
    while day <= h.last + timedelta(days=after):
        yield day
        day += timedelta(days=1)


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


@lru_cache(maxsize=256)
def plausible_year(year: int) -> PlausibleYear:
    """``year`` reckoned from the holiday rules, with the days its notice may still turn."""
    holidays = statutory_holidays(year)
    fixed = {d for h in holidays for d in h.days}
    may_rest = {d for h in holidays for d in _around(h, *REST_WINDOW)
                if not is_weekend(d) and d not in fixed}
    may_work = {d for h in holidays for d in _around(h, *WORK_WINDOW)
                if is_weekend(d) and d not in fixed}
    return PlausibleYear(year, holidays, frozenset(may_rest), frozenset(may_work))
