"""The official years the installed chinese-calendar package carries, as schedules.

Why: the database seeds its official years from here at migration (so a fresh install decides
2004 to the package's last year without anyone loading a notice), and the pure rules' tests
reckon on the same data. After that, the database is the source: a year is loaded from the State
Council's notice by administrators, never by upgrading the package.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _data

from core.rules.calendar import HolidayCalendar, OfficialYear
from core.rules.holidays import is_weekend

SOURCE = f"chinese-calendar {chinese_calendar.__version__}"

#: The package names its holidays in English; the schedule speaks Chinese.
HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True)
class PackagedDay:
    day: date
    kind: str  # rest | work
    holiday: str


@lru_cache(maxsize=1)
def packaged_days() -> dict[int, tuple[PackagedDay, ...]]:
    """Per year, the days of each holiday block (weekends in it too) and the weekends worked,
    with the holiday's name."""
    years: defaultdict[int, list[PackagedDay]] = defaultdict(list)
    for day, name in _data.holidays.items():
        years[day.year].append(PackagedDay(day, "rest", HOLIDAY_ZH.get(name, name)))
    for day, name in _data.workdays.items():
        if is_weekend(day):
            years[day.year].append(PackagedDay(day, "work", HOLIDAY_ZH.get(name, name)))
    return {y: tuple(sorted(days, key=lambda d: d.day)) for y, days in sorted(years.items())}


def packaged_years() -> tuple[OfficialYear, ...]:
    return tuple(
        OfficialYear(
            year,
            frozenset(d.day for d in days if d.kind == "rest"),
            frozenset(d.day for d in days if d.kind == "work"),
            SOURCE,
        )
        for year, days in packaged_days().items()
    )


@lru_cache(maxsize=1)
def packaged_calendar() -> HolidayCalendar:
    """The package's official years; every later year provisional."""
    return HolidayCalendar.of(packaged_years())
