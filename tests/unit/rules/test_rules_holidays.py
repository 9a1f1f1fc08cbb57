"""The provisional calendar: statutory holidays from their rules, and the safe side of unknown 调休.

The official schedules of 2015–2026 (chinese-calendar's data, the State Council's notices) are the
yardstick: each is hidden from a calendar in turn, and what the rules forecast for that year must
bracket what the notice then said.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from chinese_calendar import constants as official_data
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.errors import DomainError, ErrorKind
from core.rules.calendar import (
    CALENDAR_OUT_OF_RANGE,
    DayCount,
    DayKind,
    HolidayCalendar,
    Reading,
    YearStatus,
)
from core.rules.holidays import is_weekend, plausible_year, statutory_holidays
from core.rules.packaged_calendar import packaged_calendar, packaged_years

OFFICIAL_YEARS = range(2020, 2027)
CHECKED_YEARS = range(2016, 2027)  # 2015 had a one-off (70th anniversary) no rule foresees


def holidays_of(year: int) -> dict[str, tuple[date, ...]]:
    return {h.name: h.days for h in statutory_holidays(year)}


def test_2027_statutory_holidays_from_the_rules() -> None:
    # legal-review §3: computed with the lunar calendar and the solar terms.
    h = holidays_of(2027)
    assert h["元旦"] == (date(2027, 1, 1),)
    assert h["春节"] == tuple(date(2027, 2, d) for d in (5, 6, 7, 8))  # 除夕 Fri 02-05
    assert h["清明节"] == (date(2027, 4, 5),)
    assert h["劳动节"] == (date(2027, 5, 1), date(2027, 5, 2))
    assert h["端午节"] == (date(2027, 6, 9),)
    assert h["中秋节"] == (date(2027, 9, 15),)
    assert h["国庆节"] == (date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3))


def test_the_2024_revision_gives_new_years_eve_and_a_second_may_day_from_2025() -> None:
    assert len(holidays_of(2024)["春节"]) == 3 and len(holidays_of(2025)["春节"]) == 4
    assert holidays_of(2025)["春节"][0] == date(2025, 1, 28)  # 除夕
    assert len(holidays_of(2024)["劳动节"]) == 1 and len(holidays_of(2025)["劳动节"]) == 2


@pytest.mark.parametrize("year", OFFICIAL_YEARS)
def test_every_statutory_holiday_was_a_rest_day_in_the_official_year(year: int) -> None:
    for holiday in statutory_holidays(year):
        for day in holiday.days:
            assert day in official_data.holidays, (holiday.name, day)


@pytest.mark.parametrize("year", CHECKED_YEARS)
def test_the_forecast_brackets_every_official_tiaoxiu_day(year: int) -> None:
    own, following = plausible_year(year), plausible_year(year + 1)
    may_rest = own.may_rest | following.may_rest | own.rest_days
    may_work = own.may_work | following.may_work
    rest_weekdays = {d for d in official_data.holidays if d.year == year and not is_weekend(d)}
    worked_weekends = {d for d in official_data.workdays if d.year == year and is_weekend(d)}
    assert rest_weekdays <= may_rest, sorted(rest_weekdays - may_rest)
    assert worked_weekends <= may_work, sorted(worked_weekends - may_work)


def calendar_without(year: int) -> HolidayCalendar:
    """The official years with ``year`` hidden, as if its notice were not out yet."""
    return HolidayCalendar.of(y for y in packaged_years() if y.year != year)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(list(OFFICIAL_YEARS)), st.integers(0, 364), st.integers(1, 30),
       st.sampled_from(list(DayCount)))
def test_the_provisional_readings_bracket_the_official_answer(
        year: int, offset: int, days: int, unit: DayCount) -> None:
    """The safety property of issue 9: a minimum period reckoned provisionally (LATEST) never ends
    before the law's answer, a due date (EARLIEST) never after it."""
    start = date(year, 1, 1) + timedelta(days=offset)
    provisional = calendar_without(year)
    official = packaged_calendar().count_period(start, days, unit, Reading.LATEST)
    assume(not official.provisional)  # late December 2026 waits for 2027's notice itself
    latest = provisional.count_period(start, days, unit, Reading.LATEST)
    earliest = provisional.count_period(start, days, unit, Reading.EARLIEST)
    assert earliest.day <= official.day <= latest.day
    if (start + timedelta(days=1)).year == year:  # the period runs in the hidden year
        assert latest.provisional and earliest.provisional


def test_a_provisional_year_reckons_with_its_unsettled_days_on_either_side() -> None:
    cal = packaged_calendar()
    assert cal.status(2027) is YearStatus.PROVISIONAL
    assert cal.kind(date(2027, 2, 6)) is DayKind.REST  # 春节 初一: certain
    assert cal.kind(date(2027, 2, 10)) is DayKind.UNSETTLED  # a weekday the notice may give off
    assert cal.kind(date(2027, 2, 13)) is DayKind.UNSETTLED  # a Saturday it may make worked
    assert cal.kind(date(2027, 3, 10)) is DayKind.WORK  # far from any holiday
    assert not cal.is_settled(date(2027, 3, 10))
    # 20 days from 2027-01-20 end 02-09, in the 春节 window: the strict reading waits it out.
    latest = cal.period_end(date(2027, 1, 20), 20, Reading.LATEST)
    earliest = cal.period_end(date(2027, 1, 20), 20, Reading.EARLIEST)
    assert earliest.day == date(2027, 2, 9) and latest.day == date(2027, 2, 15)
    assert latest.provisional and earliest.provisional


def test_december_of_an_official_year_waits_for_next_years_new_year_arrangement() -> None:
    cal = packaged_calendar()  # 2026 official, 2027 provisional
    assert cal.is_settled(date(2026, 12, 1))
    assert cal.kind(date(2026, 12, 31)) is DayKind.UNSETTLED  # 元旦 2027 may reach back
    assert not cal.is_settled(date(2026, 12, 31))
    assert cal.period_end(date(2026, 12, 10), 20, Reading.LATEST).provisional  # ends 12-30
    assert not cal.period_end(date(2026, 11, 1), 20, Reading.LATEST).provisional


def test_a_year_beyond_the_lunar_tables_is_unavailable_not_the_callers_fault() -> None:
    with pytest.raises(DomainError) as err:
        packaged_calendar().kind(date(2100, 3, 1))
    assert err.value.code == CALENDAR_OUT_OF_RANGE
    assert err.value.kind is ErrorKind.UNAVAILABLE
    assert err.value.details["year"] == 2100
