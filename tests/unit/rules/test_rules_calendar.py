"""The Beijing legal calendar: working days with 调休, and 民法典 第二百零一条/第二百零三条 periods.

Dates come from chinese_calendar's own data (checked when these tests were written):
2025 National Day: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are 调休 working days.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.clock import SHANGHAI
from core.errors import DomainError
from core.rules.calendar import (
    DATETIME_NOT_AWARE,
    DayCount,
    LegalDay,
    Reading,
    add_days,
    beijing_date,
    end_of_day,
    start_of_day,
)
from core.rules.packaged_calendar import packaged_calendar

CAL = packaged_calendar()  # the official years chinese-calendar carries (2004–2026)
FIRST_YEAR, LAST_YEAR = min(CAL.official), max(CAL.official)
LATEST = Reading.LATEST


def is_working_day(day: date) -> bool:
    return CAL.is_working_day(day)


def is_legal_rest_day(day: date) -> bool:
    return CAL.is_legal_rest_day(day)


def period_end(start: date, days: int) -> date:
    return CAL.period_end(start, days, LATEST).day


def add_working_days(start: date, n: int) -> date:
    return CAL.add_working_days(start, n, LATEST).day


def working_days_between(start: date, end: date) -> int:
    return CAL.working_days_between(start, end, LATEST)


def count_period(start: date, days: int, unit: DayCount) -> date:
    return CAL.count_period(start, days, unit, LATEST).day


# Leave room at the edges of the data so that walking forward never leaves the official years.
covered_days = st.dates(min_value=date(FIRST_YEAR, 3, 1), max_value=date(LAST_YEAR, 11, 30))
aware_moments = st.datetimes(
    min_value=datetime(FIRST_YEAR, 1, 2),
    max_value=datetime(LAST_YEAR, 11, 30),
    timezones=st.just(UTC),
)


def test_tiaoxiu_sunday_and_saturday_are_working_days() -> None:
    assert date(2025, 9, 28).weekday() == 6 and is_working_day(date(2025, 9, 28))
    assert date(2025, 10, 11).weekday() == 5 and is_working_day(date(2025, 10, 11))


def test_national_day_2025_is_eight_rest_days() -> None:
    days = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]
    assert [is_working_day(d) for d in days] == [False] * 8
    assert is_working_day(date(2025, 10, 9))


def test_an_ordinary_weekend_is_a_legal_rest_day() -> None:
    assert is_legal_rest_day(date(2025, 3, 22)) and is_legal_rest_day(date(2025, 3, 23))
    assert not is_legal_rest_day(date(2025, 3, 24))


def test_official_years_are_settled_and_every_reckoning_on_them_is_official() -> None:
    assert CAL.is_settled(date(2025, 10, 4))
    assert CAL.period_end(date(2025, 9, 11), 20, LATEST) == LegalDay(date(2025, 10, 9), False)
    assert not CAL.add_working_days(date(2025, 9, 26), 3, Reading.EARLIEST).provisional


def test_both_readings_agree_on_official_years() -> None:
    for start in (date(2025, 9, 11), date(2026, 2, 1), date(2024, 4, 28)):
        for days in (1, 3, 5, 15, 20):
            assert (CAL.period_end(start, days, Reading.LATEST)
                    == replace(CAL.period_end(start, days, Reading.EARLIEST), reading=LATEST))


def test_a_moment_is_taken_at_its_beijing_date() -> None:
    evening_utc = datetime(2025, 9, 30, 17, 0, tzinfo=UTC)  # 01:00 on 10-01 in Beijing
    assert beijing_date(evening_utc) == date(2025, 10, 1)
    assert not is_working_day(evening_utc)  # the UTC date, 09-30, was a working day
    assert is_working_day(evening_utc.date())


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(DomainError) as err:
        beijing_date(datetime(2025, 3, 3, 9, 30))
    assert err.value.code == DATETIME_NOT_AWARE


def test_end_of_day_is_the_last_instant_of_the_beijing_day() -> None:
    end = end_of_day(date(2025, 3, 6))
    assert end.tzinfo is SHANGHAI
    assert end.time() == time(23, 59, 59, 999999)
    assert end + timedelta(microseconds=1) == start_of_day(date(2025, 3, 7))
    assert beijing_date(end) == date(2025, 3, 6)
    assert end.astimezone(UTC) == datetime(2025, 3, 6, 15, 59, 59, 999999, tzinfo=UTC)


def test_add_working_days_crosses_the_holiday_and_uses_the_tiaoxiu_sunday() -> None:
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Fri -> make-up Sunday
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert add_working_days(date(2025, 10, 4), 0) == date(2025, 10, 4)


def test_add_working_days_takes_a_moment_at_its_beijing_date() -> None:
    moment = datetime(2025, 9, 30, 16, 30, tzinfo=UTC)  # 00:30 on 10-01 in Beijing
    assert add_working_days(moment, 1) == date(2025, 10, 9)


def test_add_days_counts_calendar_days_only() -> None:
    moment = datetime(2025, 9, 30, 1, 30, tzinfo=UTC)
    assert add_days(moment, 20) == datetime(2025, 10, 20, 9, 30, tzinfo=SHANGHAI)


def test_civil_code_201_the_start_day_does_not_count() -> None:
    assert period_end(date(2025, 3, 3), 20) == date(2025, 3, 24)  # 03-23 is a Sunday
    assert period_end(date(2025, 3, 4), 20) == date(2025, 3, 24)  # the 20th day, a Monday
    assert period_end(date(2025, 3, 4), 1) == date(2025, 3, 5)


def test_civil_code_203_a_last_day_on_a_holiday_moves_past_the_holiday() -> None:
    # 2025-09-11 + 20 days = 10-01, National Day: the period ends the day after the holiday.
    assert period_end(date(2025, 9, 11), 20) == date(2025, 10, 9)
    assert period_end(datetime(2025, 9, 11, 10, tzinfo=SHANGHAI), 20) == date(2025, 10, 9)


def test_civil_code_203_a_tiaoxiu_working_sunday_is_not_a_rest_day() -> None:
    assert period_end(date(2025, 9, 8), 20) == date(2025, 9, 28)


def test_count_period_uses_the_unit() -> None:
    assert count_period(date(2025, 9, 26), 3, DayCount.WORKING) == date(2025, 9, 30)
    assert count_period(date(2025, 9, 26), 3, DayCount.CALENDAR) == date(2025, 9, 29)
    with pytest.raises(ValueError):
        count_period(date(2025, 9, 26), 0, DayCount.WORKING)
    with pytest.raises(ValueError):
        period_end(date(2025, 9, 26), 0)


def test_working_days_between_excludes_the_start_and_includes_the_end() -> None:
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 9)) == 4  # 28, 29, 30, 10-09
    assert working_days_between(date(2025, 10, 9), date(2025, 9, 26)) == 0


@given(covered_days, st.integers(min_value=1, max_value=30))
def test_period_end_is_the_first_working_day_on_or_after_the_nominal_end(
    start: date, days: int
) -> None:
    end = period_end(start, days)
    nominal = start + timedelta(days=days)
    assert end >= nominal
    assert is_working_day(end)
    assert all(not is_working_day(nominal + timedelta(days=i)) for i in range((end - nominal).days))


@given(covered_days, st.integers(min_value=1, max_value=25))
def test_add_working_days_lands_on_the_nth_working_day(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert is_working_day(end)
    assert working_days_between(start, end) == n
    back = add_working_days(end, -n)
    assert back <= start
    assert (back == start) == is_working_day(start)


@given(aware_moments)
def test_beijing_date_is_utc_plus_eight(moment: datetime) -> None:
    assert beijing_date(moment) == (moment.astimezone(UTC) + timedelta(hours=8)).date()
    other_zone = moment.astimezone(timezone(timedelta(hours=-5)))
    assert beijing_date(other_zone) == beijing_date(moment)
    assert start_of_day(beijing_date(moment)) <= moment <= end_of_day(beijing_date(moment))
