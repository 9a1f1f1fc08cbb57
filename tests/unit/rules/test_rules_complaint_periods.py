"""Objections by stage and 投诉 (core/rules/complaint_periods.py), one test per article, on the
packaged calendar: 2025-03-03 is a Monday; 2025 清明 is 04-04..04-06 off without 调休."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core.clock import SHANGHAI
from core.errors import DomainError
from core.rules import complaint_periods as cp
from core.rules.calendar import Reading, end_of_day
from core.rules.packaged_calendar import packaged_calendar
from core.rules.procedures import ObjectionStage, procedure_for

CAL = packaged_calendar()
OPEN = procedure_for("engineering", "1")
GOV_TENDER = procedure_for("gov_procurement", "public_tender")
CONSULTATION = procedure_for("gov_procurement", "competitive_consultation")
DOCUMENTS, OPENING, RESULT = ObjectionStage.DOCUMENTS, ObjectionStage.OPENING, ObjectionStage.RESULT


def bj(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def refused(code: str, call: object, *args: object, **kwargs: object) -> DomainError:
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)  # type: ignore[operator]
    assert err.value.code == code
    assert code in cp.ERROR_CODES
    return err.value


def test_reg_22_an_objection_to_the_documents_10_days_before_the_deadline() -> None:
    deadline = bj(2025, 3, 20)
    assert cp.documents_objection_last_day(OPEN, deadline) == date(2025, 3, 10)
    assert cp.check_documents_objection_in_time(OPEN, deadline, bj(2025, 3, 10, 23, 59)) \
        == date(2025, 3, 10)
    refused("OBJECTION_TOO_LATE_REG_22", cp.check_documents_objection_in_time, OPEN, deadline,
            bj(2025, 3, 11, 0, 1))


def test_reg_22_an_objection_to_the_prequalification_documents_2_days_before() -> None:
    deadline = bj(2025, 3, 20)
    assert cp.documents_objection_last_day(OPEN, deadline, prequalification=True) \
        == date(2025, 3, 18)
    cp.check_documents_objection_in_time(OPEN, deadline, bj(2025, 3, 18, 20),
                                         prequalification=True)
    refused("OBJECTION_TOO_LATE_REG_22", cp.check_documents_objection_in_time, OPEN, deadline,
            bj(2025, 3, 19), prequalification=True)


def test_reg_22_and_reg_54_an_objection_is_answered_within_3_days() -> None:
    for stage in (DOCUMENTS, RESULT):
        due = cp.answer_due(OPEN, CAL, stage, bj(2025, 3, 3))
        assert due is not None and due.day == date(2025, 3, 6)
        assert due.reading is Reading.EARLIEST
    late_week = cp.answer_due(OPEN, CAL, DOCUMENTS, bj(2025, 3, 5))
    assert late_week is not None and late_week.day == date(2025, 3, 10)  # Saturday → Monday


def test_reg_22_the_documents_objection_suspends_and_the_opening_one_does_not() -> None:
    stages = OPEN.remedies.stages
    assert stages[DOCUMENTS].suspends and stages[RESULT].suspends
    assert not stages[OPENING].suspends
    assert stages[DOCUMENTS].potential_bidders and stages[RESULT].interested_parties
    assert not any(s.suspends for s in GOV_TENDER.remedies.stages.values())  # 质疑: nothing


def test_reg_44_an_objection_to_the_opening_on_site_answered_there() -> None:
    starts, ends = bj(2025, 3, 20, 9), bj(2025, 3, 20, 10)
    cp.check_on_site(OPEN, starts, ends, bj(2025, 3, 20, 9, 30))
    cp.check_on_site(OPEN, starts, ends, ends)
    refused("OBJECTION_OUTSIDE_OPENING_REG_44", cp.check_on_site, OPEN, starts, ends,
            ends + timedelta(seconds=1))
    refused("OBJECTION_OUTSIDE_OPENING_REG_44", cp.check_on_site, OPEN, starts, ends,
            starts - timedelta(seconds=1))
    assert cp.answer_due(OPEN, CAL, OPENING, bj(2025, 3, 20, 9, 30)) is None  # 当场作出答复


def test_gpreg_53_a_challenge_to_the_documents_runs_from_receipt_or_the_notice_end() -> None:
    received, notice_ends = bj(2025, 3, 3), end_of_day(date(2025, 3, 7))
    assert cp.challenge_start(received, notice_ends) == notice_ends  # the later: never shorter
    assert cp.challenge_start(received, None) == received
    last = cp.challenge_ends(GOV_TENDER, CAL, DOCUMENTS, received)
    assert last.day == date(2025, 3, 12)  # 4, 5, 6, 7, 10, 11, 12
    assert last.reading is Reading.LATEST
    cp.check_challenge_in_time(GOV_TENDER, CAL, DOCUMENTS, received, end_of_day(last.day))
    err = refused("CHALLENGE_TOO_LATE_GPREG_53", cp.check_challenge_in_time, GOV_TENDER, CAL,
                  DOCUMENTS, received, bj(2025, 3, 13, 0, 1))
    assert err.details["stage"] == "documents"


def test_gpreg_53_a_challenge_to_the_process_within_7_working_days_of_its_stage() -> None:
    record_published = bj(2025, 9, 26)  # a Friday: 09-28 (调休), 29, 30, 10-09, 10, 11 (调休), 13
    assert cp.challenge_ends(CONSULTATION, CAL, OPENING, record_published).day \
        == date(2025, 10, 13)
    refused("CHALLENGE_TOO_LATE_GPREG_53", cp.check_challenge_in_time, CONSULTATION, CAL,
            OPENING, record_published, bj(2025, 10, 14, 8))
    refused("RULE_NOT_APPLICABLE", cp.challenge_ends, OPEN, CAL, OPENING, record_published)


def test_gpl_53_a_challenge_of_any_stage_is_answered_within_7_working_days() -> None:
    for stage in ObjectionStage:
        due = cp.answer_due(GOV_TENDER, CAL, stage, bj(2025, 3, 3))
        assert due is not None and due.day == date(2025, 3, 12)


def test_mof94_10_one_challenge_per_stage_per_supplier() -> None:
    cp.check_one_per_stage(GOV_TENDER, DOCUMENTS, 0)
    err = refused("CHALLENGE_ALREADY_RAISED_MOF94_10", cp.check_one_per_stage, GOV_TENDER,
                  DOCUMENTS, 1)
    assert err.details["stage"] == "documents"
    cp.check_one_per_stage(OPEN, RESULT, 3)  # engineering objections: no such limit


def test_reg_60_a_complaint_on_a_22_44_54_matter_follows_an_objection() -> None:
    for stage in ObjectionStage:
        refused("COMPLAINT_WITHOUT_OBJECTION_REG_60", cp.check_objection_first, OPEN, stage,
                False)
        cp.check_objection_first(OPEN, stage, True)
    cp.check_objection_first(OPEN, None, False)  # another matter: straight to the supervisor


def test_gpl_55_every_government_complaint_follows_a_challenge() -> None:
    refused("COMPLAINT_WITHOUT_OBJECTION_GPL_55", cp.check_objection_first, GOV_TENDER, RESULT,
            False)
    refused("COMPLAINT_WITHOUT_OBJECTION_GPL_55", cp.check_objection_first, GOV_TENDER, None,
            False)


def test_reg_60_a_complaint_waits_for_the_answer_or_the_end_of_its_period() -> None:
    due = end_of_day(date(2025, 3, 6))
    refused("COMPLAINT_BEFORE_ANSWER_REG_60", cp.check_answer_awaited, OPEN, None, due,
            bj(2025, 3, 5))
    cp.check_answer_awaited(OPEN, bj(2025, 3, 4), due, bj(2025, 3, 5))  # answered
    cp.check_answer_awaited(OPEN, None, due, due + timedelta(seconds=1))  # never answered
    refused("COMPLAINT_BEFORE_ANSWER_GPL_55", cp.check_answer_awaited, GOV_TENDER, None, due,
            bj(2025, 3, 5))


def test_reg_60_a_complaint_within_10_days_the_answer_time_not_counted() -> None:
    knew = bj(2025, 3, 3)
    assert cp.complaint_ends(OPEN, CAL, knew_at=knew).day == date(2025, 3, 13)
    with_objection = cp.complaint_ends(OPEN, CAL, knew_at=knew, objection_raised_at=knew,
                                       answer_ends_at=bj(2025, 3, 5))
    assert with_objection.day == date(2025, 3, 17)  # 03-15 + 2 answer days is a Saturday
    # knowing "later" than the objection was raised is read as the day of the objection
    assert cp.complaint_ends(OPEN, CAL, knew_at=bj(2025, 3, 9), objection_raised_at=knew,
                             answer_ends_at=bj(2025, 3, 5)).day == date(2025, 3, 17)
    cp.check_complaint_in_time(OPEN, CAL, end_of_day(date(2025, 3, 13)), knew_at=knew)
    refused("COMPLAINT_TOO_LATE_REG_60", cp.check_complaint_in_time, OPEN, CAL,
            bj(2025, 3, 14), knew_at=knew)


def test_gpl_55_a_complaint_within_15_working_days_after_the_answer_period() -> None:
    answer_ends = end_of_day(date(2025, 3, 12))
    last = cp.complaint_ends(GOV_TENDER, CAL, answer_ends_at=answer_ends)
    assert last.day == date(2025, 4, 2)
    refused("COMPLAINT_TOO_LATE_GPL_55", cp.check_complaint_in_time, GOV_TENDER, CAL,
            bj(2025, 4, 3), answer_ends_at=answer_ends)


def test_reg_61_accepted_within_3_working_days_decided_within_30_of_acceptance() -> None:
    assert cp.acceptance_due(OPEN, CAL, bj(2025, 3, 7)).day == date(2025, 3, 12)
    due = cp.decision_due(OPEN, CAL, bj(2025, 2, 28), bj(2025, 3, 3))
    assert due.day == date(2025, 4, 15)  # 清明 04-04 not counted
    assert due.reading is Reading.EARLIEST


def test_mof94_21_a_government_complaint_is_reviewed_within_5_working_days() -> None:
    assert cp.acceptance_due(GOV_TENDER, CAL, bj(2025, 3, 7)).day == date(2025, 3, 14)


def test_gpl_56_a_government_complaint_is_decided_within_30_working_days_of_receipt() -> None:
    assert cp.decision_due(GOV_TENDER, CAL, bj(2025, 3, 3), bj(2025, 3, 7)).day \
        == date(2025, 4, 15)


def test_gpl_57_a_suspension_for_a_complaint_lasts_at_most_30_days() -> None:
    suspended = bj(2025, 3, 3)
    last = cp.suspension_ends(GOV_TENDER, CAL, suspended)
    assert last is not None and last.day == date(2025, 4, 2)
    cp.check_suspension_within(GOV_TENDER, CAL, suspended, end_of_day(date(2025, 4, 2)))
    refused("COMPLAINT_SUSPENSION_OVER_LIMIT_GPL_57", cp.check_suspension_within, GOV_TENDER,
            CAL, suspended, bj(2025, 4, 3, 0, 1))
    assert cp.suspension_ends(OPEN, CAL, suspended) is None  # 条例 62: no cap
    assert cp.check_suspension_within(OPEN, CAL, suspended, bj(2026, 1, 1)) is None
