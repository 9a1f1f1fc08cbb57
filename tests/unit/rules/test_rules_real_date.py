"""Every date rule on the machine's real date, not a pinned one.

A fixed year in the tests hid a calendar that stopped working on 2026-12-12 (every period ending in
a year without holiday data was refused). These run each legal period of each procedure from
today and from every day of the coming year and a half, on the calendar a fresh install has: they
fail on the first day a rule cannot be reckoned, whatever day the suite runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.errors import DomainError
from core.rules import (
    award_periods,
    complaint_periods,
    deposit_limits,
    documents_limits,
    expert_draw,
    limits,
    reporting_periods,
    single_source,
)
from core.rules.calendar import Reading, beijing_date, end_of_day
from core.rules.packaged_calendar import packaged_calendar
from core.rules.procedures import PROCEDURES, ObjectionStage, Procedure, Timing

CAL = packaged_calendar()
TODAY = datetime.now(UTC)
COMING = [TODAY + timedelta(days=n) for n in range(0, 550, 3)]
PROCEDURE_LIST = sorted(PROCEDURES.values(), key=lambda p: (p.domain, p.key))


@pytest.mark.parametrize("procedure", PROCEDURE_LIST, ids=lambda p: f"{p.domain}-{p.key}")
def test_every_period_of_every_procedure_can_be_reckoned_from_today_on(
        procedure: Procedure) -> None:
    for now in COMING:
        earliest = limits.earliest_deadline(procedure, CAL, now)
        if earliest is not None:
            deadline = end_of_day(earliest.day)
            assert limits.check_bidding_period(procedure, CAL, now, deadline) == earliest
            later = deadline + timedelta(days=40)
            clarified = limits.deadline_after_clarification(procedure, CAL, now, later)
            assert clarified.deadline >= later
        if procedure.publicity is not None:
            ends = limits.publicity_end(procedure, CAL, now)
            assert beijing_date(ends.ends_at) > beijing_date(now)
            limits.check_publicity(procedure, CAL, now, ends.ends_at,
                                   report_received_at=now - timedelta(hours=2))
        if procedure.refund_after_contract is not None:
            due = limits.refund_due(procedure, CAL, now)
            assert due.day > beijing_date(now) and due.reading is Reading.EARLIEST
        withdrawn = limits.refund_after_withdrawal(CAL, now)  # 条例 35
        assert withdrawn.day > beijing_date(now) and withdrawn.reading is Reading.EARLIEST
        _after_report(procedure, now)
        _missing_limits(procedure, now)
        _remedies(procedure, now)


def _missing_limits(procedure: Procedure, now: datetime) -> None:
    """The limits of issue 12 §3 (documents on sale, reports, 单一来源, the draw, money)."""
    today = beijing_date(now)
    on_sale = documents_limits.documents_on_sale_until(procedure, CAL, now)  # 条例 16, 87号令 18
    if on_sale is not None:
        assert documents_limits.check_documents_on_sale(procedure, CAL, now,
                                                        on_sale.ends_at) == on_sale
        # 条例 16: obtained from the issue to the period's end, not a second after
        documents_limits.check_on_sale_now(procedure, now, on_sale.ends_at, on_sale.ends_at)
        with pytest.raises(DomainError) as err:
            documents_limits.check_on_sale_now(procedure, now, on_sale.ends_at,
                                               on_sale.ends_at + timedelta(seconds=1))
        assert err.value.code == documents_limits.not_on_sale_code(procedure)
    notice = documents_limits.tender_notice_end(CAL, now)  # 87号令 16
    documents_limits.check_tender_notice(CAL, now, notice.ends_at)
    periods = procedure.after_report
    if periods.award_report is not None:  # 法 47
        assert reporting_periods.award_report_due(procedure, CAL, now).day \
            >= today + timedelta(days=15)
    if periods.contract_filing is not None:  # 政府采购法 47
        assert reporting_periods.contract_filing_due(procedure, CAL, now).day > today
    if periods.contract_publication is not None:  # 政采条例 50: our notice is immediate
        reporting_periods.check_contract_published(procedure, CAL, now, now)
    published = now - timedelta(days=20)  # 政采条例 38
    last = single_source.check_publicity_before(
        procedure, CAL, budget=limits.CENTRAL_THRESHOLDS.goods_services,
        threshold=limits.CENTRAL_THRESHOLDS.goods_services, published_at=published,
        issued_at=single_source.publicity_end(CAL, published).ends_at + timedelta(seconds=1))
    assert (last is not None) == (procedure.key == "single_source")
    evaluation = now + timedelta(days=10)  # 198号 14
    earliest = expert_draw.earliest_draw(procedure, CAL, evaluation)
    if earliest is not None:
        assert today < earliest < beijing_date(evaluation)
        expert_draw.check_draw_time(procedure, CAL, evaluation - timedelta(hours=1), evaluation)
    # 条例 57 and 87号令 38: money over a month from today
    assert deposit_limits.deposit_interest(Decimal("100000.00"), now,
                                           now + timedelta(days=36)) == Decimal("35.00")
    assert deposit_limits.overdue_fee(Decimal("100000.00"), now, now + timedelta(days=10)) \
        == Decimal("145.00")


def _after_report(procedure: Procedure, now: datetime) -> None:
    """The periods from the report to the contract (core/rules/award_periods.py)."""
    periods = procedure.after_report
    today = beijing_date(now)
    assert award_periods.answer_due(procedure, CAL, now).day > today
    assert award_periods.contract_due(procedure, CAL, now).day > today + timedelta(days=29)
    if periods.decision is not None:
        decided = award_periods.decision_due(procedure, CAL, now)
        assert decided.day > today and decided.reading is Reading.LATEST
        award_periods.check_decision_period_over(procedure, CAL, now,
                                                 decided.ends_at + timedelta(seconds=1))
        assert award_periods.notice_due(procedure, CAL, decided.ends_at).day > decided.day
    if periods.challenge is not None:
        challenge = award_periods.challenge_ends(procedure, CAL, end_of_day(today))
        assert challenge.day > today
        award_periods.check_challenge_in_time(procedure, CAL, end_of_day(today),
                                              challenge.ends_at)
    if periods.refund_unsuccessful is not None:
        assert award_periods.unsuccessful_refund_due(procedure, CAL, now).day > today


def _remedies(procedure: Procedure, now: datetime) -> None:
    """Objections by stage and 投诉 (core/rules/complaint_periods.py)."""
    today = beijing_date(now)
    for stage, rule in procedure.remedies.stages.items():
        due = complaint_periods.answer_due(procedure, CAL, stage, now)
        assert due is None or due.day > today
        if rule.timing is Timing.AFTER_STAGE:
            last = complaint_periods.check_challenge_in_time(procedure, CAL, stage, now, now)
            assert last.day > today
    if ObjectionStage.DOCUMENTS in procedure.remedies.stages and (
            procedure.remedies.stages[ObjectionStage.DOCUMENTS].timing is Timing.BEFORE_DEADLINE):
        complaint_periods.check_documents_objection_in_time(procedure, now + timedelta(days=30),
                                                            now)
    last = complaint_periods.check_complaint_in_time(procedure, CAL, now, knew_at=now,
                                                     answer_ends_at=now)
    assert last.day > today
    assert complaint_periods.acceptance_due(procedure, CAL, now).day > today
    assert complaint_periods.decision_due(procedure, CAL, now, now).day > today
    cap = complaint_periods.check_suspension_within(procedure, CAL, now, now)
    assert cap is None or cap.day > today


def test_a_deadline_in_a_year_without_its_notice_is_decided_and_says_provisional() -> None:
    provisional_year = next(y for y in range(TODAY.year, TODAY.year + 10) if y not in CAL.official)
    issued = datetime(provisional_year, 3, 2, 2, tzinfo=UTC)
    earliest = limits.earliest_deadline(PROCEDURES[next(iter(PROCEDURES))], CAL, issued)
    assert earliest is not None and earliest.provisional
