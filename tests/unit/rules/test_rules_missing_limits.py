"""The limits of issue 12 §3, one test per article, on the packaged calendar: 2025 National Day
is 10-01..10-08 off with Sunday 09-28 and Saturday 10-11 worked; 2025-03-03 is a Monday.

core/rules/documents_limits.py, deposit_limits.py, reporting_periods.py, single_source.py,
must_tender.py and expert_draw.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from core.clock import SHANGHAI
from core.errors import DomainError
from core.rules import (
    deposit_limits,
    documents_limits,
    expert_draw,
    must_tender,
    reporting_periods,
    single_source,
)
from core.rules.calendar import Reading, end_of_day
from core.rules.limits import CENTRAL_THRESHOLDS
from core.rules.must_tender import ContractKind, InvitationGround
from core.rules.packaged_calendar import packaged_calendar
from core.rules.procedures import PROCEDURES, procedure_for

CAL = packaged_calendar()
OPEN = procedure_for("engineering", "1")
INVITED = procedure_for("engineering", "2")
GOV_TENDER = procedure_for("gov_procurement", "public_tender")
GOV_INVITED = procedure_for("gov_procurement", "invited_tender")
CONSULTATION = procedure_for("gov_procurement", "competitive_consultation")
NEGOTIATION = procedure_for("gov_procurement", "competitive_negotiation")
INQUIRY = procedure_for("gov_procurement", "inquiry")
SINGLE = procedure_for("gov_procurement", "single_source")
THRESHOLD = CENTRAL_THRESHOLDS.goods_services


def bj(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=SHANGHAI)


def closing(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


def refused(code: str, call: object, *args: object, **kwargs: object) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    assert err.value.code == code, err.value.code
    return err.value


# -- 条例 16 / 87号令 18 / 214号 10: documents on sale --------------------------------------------


def test_reg_16_engineering_documents_are_on_sale_at_least_5_days() -> None:
    issued = bj(2025, 3, 3)  # Monday; the 5th day, Saturday 03-08, moves to Monday 03-10
    last = documents_limits.documents_on_sale_until(OPEN, CAL, issued)
    assert last is not None and last.day == date(2025, 3, 10)
    assert documents_limits.check_documents_on_sale(OPEN, CAL, issued, closing(2025, 3, 10)) == last
    err = refused("DOCUMENTS_ON_SALE_TOO_SHORT_REG_16", documents_limits.check_documents_on_sale,
                  OPEN, CAL, issued, bj(2025, 3, 10, 17))
    assert err.details["last_day"] == "2025-03-10"
    assert "第十六条" in err.message_zh
    assert documents_limits.check_documents_on_sale(INVITED, CAL, issued,
                                                    closing(2025, 3, 10)) is not None


def test_mof87_18_government_tender_documents_are_provided_5_working_days() -> None:
    issued = bj(2025, 9, 26)  # Friday: 09-28 (调休), 09-29, 09-30, 10-09, 10-10
    for procedure in (GOV_TENDER, GOV_INVITED):
        last = documents_limits.documents_on_sale_until(procedure, CAL, issued)
        assert last is not None and last.day == date(2025, 10, 10)
        refused("DOCUMENTS_ON_SALE_TOO_SHORT_MOF87_18", documents_limits.check_documents_on_sale,
                procedure, CAL, issued, closing(2025, 10, 9))
        documents_limits.check_documents_on_sale(procedure, CAL, issued, closing(2025, 10, 10))


def test_mof214_10_consultation_documents_on_sale_5_working_days_and_none_for_the_others() -> None:
    refused("DOCUMENTS_ON_SALE_TOO_SHORT_MOF214_10", documents_limits.check_documents_on_sale,
            CONSULTATION, CAL, bj(2025, 3, 3), closing(2025, 3, 7))  # Friday is the 4th
    assert documents_limits.check_documents_on_sale(CONSULTATION, CAL, bj(2025, 3, 3),
                                                    closing(2025, 3, 10)) is not None
    for procedure in (NEGOTIATION, INQUIRY, SINGLE):
        assert documents_limits.check_documents_on_sale(procedure, CAL, bj(2025, 3, 3),
                                                        bj(2025, 3, 3, 11)) is None


def test_reg_16_the_documents_are_obtained_only_while_on_sale() -> None:
    issued, until = bj(2025, 3, 3), closing(2025, 3, 10)
    for now in (issued, bj(2025, 3, 7), until):  # from the issue to the last instant, inclusive
        documents_limits.check_on_sale_now(OPEN, issued, until, now)
    err = refused("DOCUMENTS_NOT_ON_SALE_REG_16", documents_limits.check_on_sale_now,
                  OPEN, issued, until, bj(2025, 3, 11, 0))
    assert "第十六条" in err.message_zh and err.details["available_until"].startswith("2025-03-10")
    refused("DOCUMENTS_NOT_ON_SALE_REG_16", documents_limits.check_on_sale_now,
            OPEN, issued, until, bj(2025, 3, 3, 9))  # an hour before the issue
    refused("DOCUMENTS_NOT_ON_SALE_REG_16", documents_limits.check_on_sale_now,
            OPEN, None, until, bj(2025, 3, 5))  # never issued
    refused("DOCUMENTS_NOT_ON_SALE_MOF87_18", documents_limits.check_on_sale_now,
            GOV_TENDER, issued, until, bj(2025, 3, 11))
    refused("DOCUMENTS_NOT_ON_SALE_MOF214_10", documents_limits.check_on_sale_now,
            CONSULTATION, issued, until, bj(2025, 3, 11))
    refused("DOCUMENTS_NOT_ON_SALE", documents_limits.check_on_sale_now,  # no legal period
            NEGOTIATION, issued, until, bj(2025, 3, 11))
    assert {"DOCUMENTS_NOT_ON_SALE_REG_16", "DOCUMENTS_NOT_ON_SALE"} <= documents_limits.ERROR_CODES


def test_mof87_16_the_tender_notice_lasts_5_working_days() -> None:
    published = bj(2025, 3, 3)
    assert documents_limits.tender_notice_end(CAL, published).day == date(2025, 3, 10)
    refused("TENDER_NOTICE_TOO_SHORT_MOF87_16", documents_limits.check_tender_notice, CAL,
            published, bj(2025, 3, 10, 18))
    documents_limits.check_tender_notice(CAL, published, closing(2025, 3, 10))


def test_documents_codes_are_listed() -> None:
    assert {"DOCUMENTS_ON_SALE_TOO_SHORT_REG_16", "DOCUMENTS_ON_SALE_TOO_SHORT_MOF87_18",
            "DOCUMENTS_ON_SALE_TOO_SHORT_MOF214_10",
            "TENDER_NOTICE_TOO_SHORT_MOF87_16", "DOCUMENTS_NOT_ON_SALE_REG_16",
            "DOCUMENTS_NOT_ON_SALE_MOF87_18", "DOCUMENTS_NOT_ON_SALE_MOF214_10",
            "DOCUMENTS_NOT_ON_SALE"} == documents_limits.ERROR_CODES
    assert documents_limits.MOF87_16.verified and GOV_TENDER.documents_on_sale is not None \
        and GOV_TENDER.documents_on_sale.ref.verified
    assert CONSULTATION.documents_on_sale is not None \
        and not CONSULTATION.documents_on_sale.ref.verified


# -- 条例 58 / 政采条例 48: 履约保证金 ----------------------------------------------------------


def test_reg_58_the_performance_bond_is_at_most_10_percent_of_the_contract() -> None:
    deposit_limits.check_performance_bond(OPEN, Decimal("100000.00"), Decimal("1000000.00"))
    err = refused("PERFORMANCE_BOND_OVER_LIMIT_REG_58", deposit_limits.check_performance_bond,
                  OPEN, Decimal("100000.01"), Decimal("1000000.00"))
    assert err.details["limit"] == "100000.0000"
    refused("PERFORMANCE_BOND_NEGATIVE", deposit_limits.check_performance_bond, OPEN,
            Decimal("-1"), Decimal("1000000.00"))
    with pytest.raises(TypeError):
        deposit_limits.check_performance_bond(OPEN, 100000.0, Decimal("1000000.00"))  # type: ignore[arg-type]


def test_gpreg_48_every_government_method_caps_the_bond_alike() -> None:
    for procedure in (GOV_TENDER, NEGOTIATION, CONSULTATION, SINGLE):
        refused("PERFORMANCE_BOND_OVER_LIMIT_GPREG_48", deposit_limits.check_performance_bond,
                procedure, Decimal("50000.01"), Decimal("500000.00"))
        deposit_limits.check_performance_bond(procedure, Decimal("50000.00"), Decimal("500000.00"))
    assert all(p.performance_bond_ref is not None for p in PROCEDURES.values())


# -- 条例 57: interest; 87号令 38: the overdue fee ------------------------------------------------


def test_reg_57_the_refund_carries_bank_deposit_interest_actual_days_over_360() -> None:
    paid, refunded = bj(2025, 3, 3), bj(2025, 4, 2)  # 30 days, the arrival day counted
    assert deposit_limits.interest_days(paid, refunded) == 30
    assert deposit_limits.deposit_interest(Decimal("800000.00"), paid, refunded) \
        == Decimal("233.33")  # 800000 × 0.35 % × 30 / 360 = 233.333…
    assert deposit_limits.deposit_interest(Decimal("800000.00"), paid, bj(2025, 3, 3, 18)) \
        == Decimal("0.00")
    other = deposit_limits.InterestBasis(annual_rate=Decimal("0.015"), day_basis=365)
    assert deposit_limits.deposit_interest(Decimal("730000.00"), paid, refunded, other) \
        == Decimal("900.00")  # 730000 × 1.5 % × 30 / 365
    refused("REFUND_BEFORE_PAYMENT", deposit_limits.deposit_interest, Decimal("1.00"),
            refunded, paid)
    assert OPEN.refund_interest and not GOV_TENDER.refund_interest


def test_mof87_38_a_late_refund_owes_the_lending_rate_plus_20_percent() -> None:
    due = end_of_day(date(2025, 3, 10))
    assert deposit_limits.DEFAULT_OVERDUE_FEE.annual_rate == Decimal("0.052200")
    assert deposit_limits.overdue_days(due, bj(2025, 3, 20)) == 10
    assert deposit_limits.overdue_fee(Decimal("200000.00"), due, bj(2025, 3, 20)) \
        == Decimal("290.00")  # 200000 × 5.22 % × 10 / 360
    assert deposit_limits.overdue_fee(Decimal("200000.00"), due, bj(2025, 3, 10, 23)) \
        == Decimal("0.00")  # on the last day: in time
    assert deposit_limits.overdue_fee(Decimal("200000.00"), due, bj(2025, 3, 11, 0)) \
        == Decimal("29.00")  # one day late
    assert GOV_TENDER.late_refund_fee and not OPEN.late_refund_fee
    assert not deposit_limits.MOF87_38.verified  # the article number is the review's


# -- 法 47, 政府采购法 47, 政采条例 50: after the award and the contract -----------------------


def test_law_47_the_written_report_is_due_15_days_after_the_award() -> None:
    due = reporting_periods.award_report_due(OPEN, CAL, bj(2025, 9, 19))
    assert due.day == date(2025, 10, 9)  # 10-04 falls in the holiday: the next working day
    assert due.reading is Reading.EARLIEST
    assert reporting_periods.award_report_due(OPEN, CAL, bj(2025, 3, 3)).day == date(2025, 3, 18)
    refused("RULE_NOT_APPLICABLE", reporting_periods.award_report_due, GOV_TENDER, CAL,
            bj(2025, 3, 3))


def test_gpl_47_the_contract_copy_is_filed_within_7_working_days() -> None:
    assert reporting_periods.contract_filing_due(GOV_TENDER, CAL, bj(2025, 3, 3)).day \
        == date(2025, 3, 12)
    assert reporting_periods.contract_filing_due(SINGLE, CAL, bj(2025, 9, 26)).day \
        == date(2025, 10, 13)  # 09-28 (调休), 09-29, 09-30, 10-09, 10-10, 10-11 (调休), 10-13
    refused("RULE_NOT_APPLICABLE", reporting_periods.contract_filing_due, OPEN, CAL,
            bj(2025, 3, 3))


def test_gpreg_50_the_contract_is_published_within_2_working_days() -> None:
    signed = bj(2025, 3, 7)  # Friday: Monday 03-10, Tuesday 03-11
    assert reporting_periods.contract_publication_due(GOV_TENDER, CAL, signed).day \
        == date(2025, 3, 11)
    reporting_periods.check_contract_published(GOV_TENDER, CAL, signed, bj(2025, 3, 11, 23))
    refused("CONTRACT_PUBLISHED_LATE_GPREG_50", reporting_periods.check_contract_published,
            GOV_TENDER, CAL, signed, bj(2025, 3, 12, 0))


# -- 政采条例 38: 单一来源 公示 -----------------------------------------------------------------


def test_gpreg_38_single_source_is_publicised_5_working_days_before() -> None:
    published = bj(2025, 9, 26)
    last = single_source.check_publicity_before(SINGLE, CAL, budget=THRESHOLD,
                                                threshold=THRESHOLD, published_at=published,
                                                issued_at=bj(2025, 10, 11, 9))
    assert last is not None and last.day == date(2025, 10, 10)
    err = refused("SINGLE_SOURCE_PUBLICITY_TOO_SHORT_GPREG_38",
                  single_source.check_publicity_before, SINGLE, CAL, budget=THRESHOLD,
                  threshold=THRESHOLD, published_at=published, issued_at=bj(2025, 10, 10, 22))
    assert err.details["last_day"] == "2025-10-10"
    refused("SINGLE_SOURCE_PUBLICITY_MISSING_GPREG_38", single_source.check_publicity_before,
            SINGLE, CAL, budget=None, threshold=THRESHOLD, published_at=None,
            issued_at=bj(2025, 10, 10))


def test_gpreg_38_only_at_or_above_the_threshold_and_only_single_source() -> None:
    below = THRESHOLD - Decimal("0.01")
    assert single_source.check_publicity_before(SINGLE, CAL, budget=below, threshold=THRESHOLD,
                                                published_at=None, issued_at=bj(2025, 3, 3)) \
        is None
    assert single_source.check_publicity_before(GOV_TENDER, CAL, budget=THRESHOLD * 10,
                                                threshold=THRESHOLD, published_at=None,
                                                issued_at=bj(2025, 3, 3)) is None


# -- 发改委令16号 5, 条例 8, 法 17: must tender, and when to invite ------------------------------


def test_ndrc16_5_the_must_tender_thresholds_include_the_amount() -> None:
    assert must_tender.must_tender(ContractKind.WORKS, Decimal("4000000.00"))
    assert not must_tender.must_tender(ContractKind.WORKS, Decimal("3999999.99"))
    assert must_tender.must_tender(ContractKind.GOODS, Decimal("2000000.00"))
    assert not must_tender.must_tender(ContractKind.GOODS, Decimal("1999999.99"))
    assert must_tender.must_tender(ContractKind.SERVICES, Decimal("1000000.00"))
    assert not must_tender.must_tender(ContractKind.SERVICES, Decimal("999999.99"))
    assert must_tender.must_tender(None, Decimal("1000000.00"))  # undeclared: the lowest
    assert must_tender.must_tender(ContractKind.WORKS, None)  # no price: reached


def test_reg_8_a_state_funded_must_tender_project_invites_only_on_a_ground() -> None:
    case = {"state_funded": True, "kind": ContractKind.WORKS,
            "estimated_price": Decimal("41200000.00")}
    err = refused("INVITED_TENDER_NOT_ALLOWED_REG_8", must_tender.check_invited_tender,
                  INVITED, ground=None, **case)
    assert "few_bidders" in err.details["grounds"]
    for ground in InvitationGround:
        must_tender.check_invited_tender(INVITED, ground=ground, **case)
    must_tender.check_invited_tender(OPEN, ground=None, **case)  # open tender: always
    must_tender.check_invited_tender(GOV_INVITED, ground=None, **case)  # not 条例 8's
    must_tender.check_invited_tender(INVITED, state_funded=False, kind=ContractKind.WORKS,
                                     estimated_price=Decimal("41200000.00"), ground=None)
    must_tender.check_invited_tender(INVITED, state_funded=True, kind=ContractKind.WORKS,
                                     estimated_price=Decimal("3999999.99"), ground=None)


def test_law_17_an_invited_tender_invites_at_least_3() -> None:
    must_tender.check_invitations(3)
    err = refused("INVITATIONS_TOO_FEW_LAW_17", must_tender.check_invitations, 2)
    assert err.details["minimum"] == 3


# -- 财库〔2016〕198号 14: the expert draw ------------------------------------------------------


def test_mof198_14_the_experts_are_drawn_no_earlier_than_2_working_days_before() -> None:
    evaluation = bj(2025, 3, 10, 9)  # Monday: Friday 03-07 and Thursday 03-06 before it
    assert expert_draw.earliest_draw(GOV_TENDER, CAL, evaluation) == date(2025, 3, 6)
    assert expert_draw.check_draw_time(GOV_TENDER, CAL, bj(2025, 3, 6, 8), evaluation) \
        == date(2025, 3, 6)
    expert_draw.check_draw_time(GOV_TENDER, CAL, bj(2025, 3, 8), evaluation)  # the Saturday
    err = refused("EXPERT_DRAW_TOO_EARLY_MOF198", expert_draw.check_draw_time, GOV_TENDER, CAL,
                  bj(2025, 3, 5, 17), evaluation)
    assert err.details["earliest"] == "2025-03-06"
    refused("DRAW_AFTER_EVALUATION", expert_draw.check_draw_time, GOV_TENDER, CAL,
            bj(2025, 3, 10, 10), evaluation)
    # across the holiday: the two working days before an evaluation on 10-09 are 09-30, 09-29
    assert expert_draw.earliest_draw(GOV_TENDER, CAL, bj(2025, 10, 9)) == date(2025, 9, 29)
    assert not expert_draw.MOF198.verified


def test_mof198_14_not_for_negotiation_consultation_remote_or_engineering() -> None:
    early, evaluation = bj(2025, 3, 1), bj(2025, 3, 10)
    for procedure in (NEGOTIATION, CONSULTATION, OPEN, SINGLE):
        assert expert_draw.check_draw_time(procedure, CAL, early, evaluation) is None
    assert expert_draw.check_draw_time(GOV_TENDER, CAL, early, evaluation,
                                       remote_evaluation=True) is None
    assert expert_draw.earliest_draw(INQUIRY, CAL, evaluation) == date(2025, 3, 6)


def test_every_new_code_names_its_article_and_is_upper_case() -> None:
    codes = (documents_limits.ERROR_CODES | deposit_limits.ERROR_CODES
             | reporting_periods.ERROR_CODES | single_source.ERROR_CODES
             | must_tender.ERROR_CODES | expert_draw.ERROR_CODES)
    assert all(c.replace("_", "").isalnum() and c.isupper() for c in codes)
