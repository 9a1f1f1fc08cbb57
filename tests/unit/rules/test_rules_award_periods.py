"""The periods from the report to the contract (core/rules/award_periods.py), one test per
article, on the packaged calendar: 2025 National Day is 10-01..10-08 off with Sunday 09-28 and
Saturday 10-11 worked; 2025-03-03 is a Monday."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core.clock import SHANGHAI
from core.errors import DomainError
from core.rules import award_periods
from core.rules.calendar import Reading, end_of_day
from core.rules.packaged_calendar import packaged_calendar
from core.rules.procedures import procedure_for

CAL = packaged_calendar()
OPEN = procedure_for("engineering", "1")
GOV_TENDER = procedure_for("gov_procurement", "public_tender")
CONSULTATION = procedure_for("gov_procurement", "competitive_consultation")
NEGOTIATION = procedure_for("gov_procurement", "competitive_negotiation")


def bj(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=SHANGHAI)


def test_gpreg_43_the_purchaser_has_5_working_days_from_the_report() -> None:
    due = award_periods.decision_due(GOV_TENDER, CAL, bj(2025, 9, 26))  # a Friday
    assert due.day == date(2025, 10, 10)  # 09-28 (调休), 09-29, 09-30, 10-09, 10-10
    assert due.reading is Reading.LATEST  # a right of the purchaser: never cut short


def test_gpreg_43_every_government_method_decides_and_engineering_does_not() -> None:
    for procedure in (GOV_TENDER, CONSULTATION, NEGOTIATION):
        assert award_periods.decision_due(procedure, CAL, bj(2025, 3, 3)).day == date(2025, 3, 10)
    with pytest.raises(DomainError) as err:
        award_periods.decision_due(OPEN, CAL, bj(2025, 3, 3))
    assert err.value.code == "RULE_NOT_APPLICABLE"


def test_mof87_68_the_first_is_deemed_chosen_only_after_the_last_day() -> None:
    received = bj(2025, 3, 3)
    last = end_of_day(date(2025, 3, 10))
    with pytest.raises(DomainError) as err:
        award_periods.check_decision_period_over(GOV_TENDER, CAL, received, last)
    assert err.value.code == "DECISION_PERIOD_NOT_OVER_GPREG_43"
    assert err.value.code in award_periods.ERROR_CODES
    over = award_periods.check_decision_period_over(GOV_TENDER, CAL, received,
                                                    last + timedelta(seconds=1))
    assert over.day == date(2025, 3, 10)


def test_gpreg_43_the_notice_goes_out_within_2_working_days_of_the_decision() -> None:
    assert award_periods.notice_due(GOV_TENDER, CAL, bj(2025, 9, 30)).day == date(2025, 10, 10)
    assert award_periods.notice_due(GOV_TENDER, CAL, bj(2025, 3, 7)).day == date(2025, 3, 11)


def test_gpreg_53_a_challenge_runs_7_working_days_after_the_result_notice_ends() -> None:
    notice_ends = end_of_day(date(2025, 3, 4))  # published Monday 03-03, 1 个工作日
    assert award_periods.challenge_ends(GOV_TENDER, CAL, notice_ends).day == date(2025, 3, 13)
    # the day the notice ends does not count; a weekend in between does not either
    award_periods.check_challenge_in_time(GOV_TENDER, CAL, notice_ends,
                                          end_of_day(date(2025, 3, 13)))
    with pytest.raises(DomainError) as err:
        award_periods.check_challenge_in_time(GOV_TENDER, CAL, notice_ends,
                                              bj(2025, 3, 14, 0) + timedelta(minutes=1))
    assert err.value.code == "CHALLENGE_TOO_LATE_GPREG_53"
    assert err.value.code in award_periods.ERROR_CODES


def test_gpreg_53_a_challenge_the_day_after_the_notice_ended_is_in_time() -> None:
    """What the engineering flow refused: a 质疑 after the (1-day) notice period."""
    notice_ends = end_of_day(date(2025, 3, 4))
    award_periods.check_challenge_in_time(GOV_TENDER, CAL, notice_ends, bj(2025, 3, 5))


def test_reg_54_an_objection_is_answered_within_3_days() -> None:
    assert award_periods.answer_due(OPEN, CAL, bj(2025, 3, 3)).day == date(2025, 3, 6)
    # the 3rd day a Saturday: moved to Monday (民法典 203)
    assert award_periods.answer_due(OPEN, CAL, bj(2025, 3, 5)).day == date(2025, 3, 10)


def test_gpl_53_a_challenge_is_answered_within_7_working_days() -> None:
    due = award_periods.answer_due(GOV_TENDER, CAL, bj(2025, 9, 26))
    assert due.day == date(2025, 10, 13)  # 09-28 (调休), 29, 30, 10-09, 10, 11 (调休), 13
    assert due.reading is Reading.EARLIEST


def test_gpreg_33_unsuccessful_deposits_are_due_5_working_days_after_the_notice() -> None:
    """The review's example: notice 2026-11-02, contract 2026-11-30; the losers' day is
    2026-11-09, not 5 working days after the contract."""
    due = award_periods.unsuccessful_refund_due(GOV_TENDER, CAL, bj(2026, 11, 2))
    assert due.day == date(2026, 11, 9)
    with pytest.raises(DomainError) as err:
        award_periods.unsuccessful_refund_due(OPEN, CAL, bj(2026, 11, 2))
    assert err.value.code == "RULE_NOT_APPLICABLE"  # engineering: all after the contract


def test_law_46_and_gpl_46_the_contract_within_30_days_of_the_notice() -> None:
    assert award_periods.contract_due(OPEN, CAL, bj(2025, 3, 3)).day == date(2025, 4, 2)
    # the 30th day Saturday 2025-10-04 is in the holiday: moved to Thursday 10-09
    assert award_periods.contract_due(GOV_TENDER, CAL, bj(2025, 9, 4)).day == date(2025, 10, 9)
    assert GOV_TENDER.after_report.contract.ref.tag == "GPL_46"
    assert OPEN.after_report.contract.ref.tag == "LAW_46"
