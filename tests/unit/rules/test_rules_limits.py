"""One test (or a few) per legal limit, named after its article; boundaries on both sides.

Calendar facts used (from chinese_calendar's data): 2025-03-03 is a Monday; 2025 National Day is
10-01..10-08 off with Sunday 09-28 and Saturday 10-11 worked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.clock import SHANGHAI
from core.errors import DomainError, ErrorKind
from core.evaluation.methods import EvaluationMethod
from core.rules import limits
from core.rules.calendar import DATETIME_NOT_AWARE, Reading, beijing_date, end_of_day
from core.rules.limits import (
    CommitteeCase,
    CommitteeFloor,
    CommitteeMember,
    MemberKind,
    OpenTenderThresholds,
    award_choice,
    check_bidding_period,
    check_candidates,
    check_committee,
    check_committee_parties,
    check_deposit,
    check_enough_bids,
    check_evaluation_method,
    check_late_bid,
    check_legal_expert,
    check_publicity,
    check_ties_settled,
    committee_floor,
    deadline_after_clarification,
    earliest_deadline,
    publicity_end,
    refund_after_withdrawal,
    refund_due,
)
from core.rules.packaged_calendar import packaged_calendar
from core.rules.procedures import procedure_for

CAL = packaged_calendar()  # the official years chinese-calendar carries

OPEN = procedure_for("engineering", "1")
INVITED = procedure_for("engineering", "2")
GOV_TENDER = procedure_for("gov_procurement", "public_tender")
GOV_INVITED = procedure_for("gov_procurement", "invited_tender")
NEGOTIATION = procedure_for("gov_procurement", "competitive_negotiation")
INQUIRY = procedure_for("gov_procurement", "inquiry")
CONSULTATION = procedure_for("gov_procurement", "competitive_consultation")
SINGLE = procedure_for("gov_procurement", "single_source")

EXPERT = MemberKind.TECHNICAL_ECONOMIC_EXPERT
OWNER = MemberKind.TENDERER_REPRESENTATIVE


def bj(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def refused(call: object, *args: object, **kwargs: object) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    assert err.value.code in limits.ERROR_CODES or err.value.code == DATETIME_NOT_AWARE
    return err.value


def committee(experts: int, owners: int) -> list[CommitteeMember]:
    return [CommitteeMember(f"e{i}", EXPERT) for i in range(experts)] + [
        CommitteeMember(f"o{i}", OWNER) for i in range(owners)
    ]


# -- 招标投标法 第二十四条 -------------------------------------------------------------------------


def test_law_24_bidding_period_at_least_20_days() -> None:
    issued = bj(2025, 3, 4)  # Tuesday; day 20 is Monday 03-24
    check_bidding_period(OPEN, CAL, issued, bj(2025, 3, 24, 9, 30))  # exactly 20 days
    err = refused(check_bidding_period, OPEN, CAL, issued, bj(2025, 3, 23, 9, 30))  # 19 days
    assert err.code == "BIDDING_PERIOD_TOO_SHORT_LAW_24"
    assert err.kind is ErrorKind.INVALID
    assert "第二十四条" in err.message_zh and "art. 24" in err.message_en
    assert err.details["earliest"] == "2025-03-24"
    check_bidding_period(INVITED, CAL, issued, bj(2025, 3, 24, 9, 30))


def test_law_24_the_issue_day_does_not_count_and_the_time_of_day_does_not_matter() -> None:
    issued = bj(2025, 3, 4, 23, 59)
    check_bidding_period(OPEN, CAL, issued, bj(2025, 3, 24, 0, 1))
    assert earliest_deadline(OPEN, CAL, issued).day == date(2025, 3, 24)
    # The same instants in UTC give the same answer.
    check_bidding_period(OPEN, CAL, issued.astimezone(UTC), bj(2025, 3, 24, 0, 1).astimezone(UTC))


def test_law_24_with_civil_code_203_a_20th_day_on_a_weekend_moves_to_monday() -> None:
    issued = bj(2025, 3, 3)  # day 20 is Sunday 03-23
    err = refused(check_bidding_period, OPEN, CAL, issued, bj(2025, 3, 23, 9, 30))
    assert err.code == "BIDDING_PERIOD_TOO_SHORT_LAW_24"
    check_bidding_period(OPEN, CAL, issued, bj(2025, 3, 24, 9, 30))


def test_law_24_with_civil_code_203_a_20th_day_in_the_national_day_holiday() -> None:
    issued = bj(2025, 9, 11)  # day 20 is 10-01
    for day in range(1, 9):
        err = refused(check_bidding_period, OPEN, CAL, issued, bj(2025, 10, day, 9, 30))
        assert err.details["earliest"] == "2025-10-09"
    check_bidding_period(OPEN, CAL, issued, bj(2025, 10, 9, 9, 30))


def test_law_24_a_tiaoxiu_sunday_is_a_working_day() -> None:
    issued = bj(2025, 9, 8)  # day 20 is Sunday 09-28, a make-up working day
    check_bidding_period(OPEN, CAL, issued, bj(2025, 9, 28, 9, 30))
    refused(check_bidding_period, OPEN, CAL, issued, bj(2025, 9, 27, 9, 30))


def test_law_24_the_deadline_must_come_after_the_issue() -> None:
    err = refused(check_bidding_period, OPEN, CAL, bj(2025, 3, 4), bj(2025, 3, 4))
    assert err.code == limits.DEADLINE_NOT_AFTER_ISSUE


def test_law_24_naive_datetimes_are_refused() -> None:
    err = refused(check_bidding_period, OPEN, CAL, datetime(2025, 3, 4), bj(2025, 4, 4))
    assert err.code == DATETIME_NOT_AWARE


def test_gpl_35_government_tender_also_needs_20_days() -> None:
    check_bidding_period(GOV_TENDER, CAL, bj(2025, 3, 4), bj(2025, 3, 24))
    err = refused(check_bidding_period, GOV_TENDER, CAL, bj(2025, 3, 4), bj(2025, 3, 21))
    assert err.code == "BIDDING_PERIOD_TOO_SHORT_GPL_35"
    assert "政府采购法" in err.message_zh


def test_mof74_29_negotiation_needs_3_working_days_counting_the_tiaoxiu_sunday() -> None:
    issued = bj(2025, 9, 26)  # Friday; working days after it: Sun 09-28, Mon 09-29, Tue 09-30
    check_bidding_period(NEGOTIATION, CAL, issued, bj(2025, 9, 30, 9, 30))
    err = refused(check_bidding_period, NEGOTIATION, CAL, issued, bj(2025, 9, 29, 17, 0))
    assert err.code == "BIDDING_PERIOD_TOO_SHORT_MOF74_29"
    assert "[unverified]" in err.message_en and "待核实" in err.message_zh
    assert err.details["unit"] == "working"


def test_mof74_45_inquiry_needs_3_working_days_across_the_holiday() -> None:
    issued = bj(2025, 9, 29)  # working days after: 09-30, 10-09, 10-10
    check_bidding_period(INQUIRY, CAL, issued, bj(2025, 10, 10, 9, 30))
    err = refused(check_bidding_period, INQUIRY, CAL, issued, bj(2025, 10, 9, 9, 30))
    assert err.code == "BIDDING_PERIOD_TOO_SHORT_MOF74_45"


def test_mof214_10_consultation_needs_10_days() -> None:
    check_bidding_period(CONSULTATION, CAL, bj(2025, 3, 4), bj(2025, 3, 14))
    err = refused(check_bidding_period, CONSULTATION, CAL, bj(2025, 3, 4), bj(2025, 3, 13))
    assert err.code == "BIDDING_PERIOD_TOO_SHORT_MOF214_10"


def test_single_source_has_no_minimum_period() -> None:
    check_bidding_period(SINGLE, CAL, bj(2025, 3, 4), bj(2025, 3, 4, 11))
    assert earliest_deadline(SINGLE, CAL, bj(2025, 3, 4)) is None


@given(
    st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 10, 31)),
    st.integers(min_value=1, max_value=40),
)
def test_law_24_passes_exactly_when_the_deadline_is_on_or_after_the_period_end(
    issued: date, offset: int
) -> None:
    issue_at = datetime.combine(issued, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=9)
    deadline = issue_at + timedelta(days=offset)
    ok = deadline.date() >= CAL.period_end(issued, 20, Reading.LATEST).day
    try:
        check_bidding_period(OPEN, CAL, issue_at, deadline)
    except DomainError as err:
        assert not ok and err.code == "BIDDING_PERIOD_TOO_SHORT_LAW_24"
    else:
        assert ok


# -- 招标投标法 第二十三条 / 实施条例 第二十一条 ---------------------------------------------------


def test_law_23_a_late_clarification_moves_the_deadline_so_15_days_remain() -> None:
    deadline = bj(2025, 3, 24, 9, 30)
    moved = deadline_after_clarification(OPEN, CAL, bj(2025, 3, 15, 16, 0), deadline).deadline
    # 03-15 + 15 days = Sunday 03-30 -> Monday 03-31, at the original 09:30.
    assert moved == bj(2025, 3, 31, 9, 30)
    assert moved.tzinfo is SHANGHAI


def test_law_23_exactly_15_days_leaves_the_deadline_unchanged() -> None:
    deadline = bj(2025, 3, 24, 9, 30)
    kept = deadline_after_clarification(OPEN, CAL, bj(2025, 3, 9, 18), deadline)
    assert kept.deadline is deadline
    # 14 days: moved by one day.
    assert deadline_after_clarification(OPEN, CAL, bj(2025, 3, 10, 8), deadline).deadline == bj(
        2025, 3, 25, 9, 30
    )


def test_law_23_keeps_the_beijing_time_when_the_deadline_is_given_in_utc() -> None:
    deadline = bj(2025, 3, 24, 9, 30).astimezone(UTC)
    moved = deadline_after_clarification(OPEN, CAL, bj(2025, 3, 20), deadline).deadline
    assert moved == bj(2025, 4, 7, 9, 30)  # 03-20 + 15 = 04-04 (清明) .. 04-06 -> 04-07


def test_gpreg_31_government_tender_clarification_15_days() -> None:
    deadline = bj(2025, 3, 24, 9, 30)
    assert deadline_after_clarification(GOV_TENDER, CAL, bj(2025, 3, 12), deadline).deadline == bj(
        2025, 3, 27, 9, 30
    )


def test_mof74_29_negotiation_clarification_3_working_days() -> None:
    deadline = bj(2025, 9, 29, 9, 30)
    moved = deadline_after_clarification(NEGOTIATION, CAL, bj(2025, 9, 26), deadline).deadline
    assert moved == bj(2025, 9, 30, 9, 30)


def test_mof214_10_consultation_clarification_5_days() -> None:
    deadline = bj(2025, 3, 10, 9, 30)
    kept = deadline_after_clarification(CONSULTATION, CAL, bj(2025, 3, 5), deadline)
    assert kept.deadline is deadline
    assert deadline_after_clarification(CONSULTATION, CAL, bj(2025, 3, 6), deadline).deadline == bj(
        2025, 3, 11, 9, 30
    )


def test_law_23_no_clarification_after_the_deadline() -> None:
    deadline = bj(2025, 3, 24, 9, 30)
    err = refused(deadline_after_clarification, OPEN, CAL, deadline, deadline)
    assert err.code == limits.CLARIFICATION_AFTER_DEADLINE
    assert err.kind is ErrorKind.CONFLICT


@given(
    st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2026, 10, 31)),
    st.integers(min_value=1, max_value=60 * 24 * 30),
)
def test_law_23_the_new_deadline_is_never_earlier_and_always_leaves_15_days(
    clarified_naive: datetime, minutes: int
) -> None:
    clarified = clarified_naive.replace(tzinfo=SHANGHAI)
    deadline = clarified + timedelta(minutes=minutes)
    new = deadline_after_clarification(OPEN, CAL, clarified, deadline).deadline
    assert new >= deadline
    earliest = CAL.period_end(beijing_date(clarified), 15, Reading.LATEST).day
    assert beijing_date(new) >= earliest
    if new != deadline:
        assert beijing_date(new) == earliest
        assert new.astimezone(SHANGHAI).time() == deadline.astimezone(SHANGHAI).time()


# -- 实施条例 第二十六条 --------------------------------------------------------------------------


def test_reg_26_deposit_at_most_2_percent_of_the_estimate() -> None:
    check_deposit(OPEN, Decimal("20000.00"), Decimal("1000000.00"))
    err = refused(check_deposit, OPEN, Decimal("20000.01"), Decimal("1000000.00"))
    assert err.code == "DEPOSIT_OVER_LIMIT_REG_26"
    assert err.details["limit"] == "20000.0000"
    assert "第二十六条" in err.message_zh


def test_reg_26_the_comparison_is_exact_not_rounded() -> None:
    # 2 % of 123,456.78 is 2,469.1356: 2,469.13 is within, 2,469.14 is over.
    check_deposit(OPEN, Decimal("2469.13"), Decimal("123456.78"))
    check_deposit(OPEN, Decimal("2469.1356"), Decimal("123456.78"))
    refused(check_deposit, OPEN, Decimal("2469.1357"), Decimal("123456.78"))
    refused(check_deposit, OPEN, Decimal("2469.14"), Decimal("123456.78"))
    # Amounts far beyond the default 28-digit precision still compare exactly.
    huge = Decimal("1" + "0" * 40)  # 1e40; 2 % of it is 2e38
    check_deposit(OPEN, Decimal("2" + "0" * 38), huge)
    refused(check_deposit, OPEN, Decimal("2" + "0" * 38 + ".01"), huge)


@pytest.mark.parametrize("bad", [20000.0, 20000, "20000"])
def test_reg_26_refuses_anything_but_decimal(bad: object) -> None:
    with pytest.raises(TypeError):
        check_deposit(OPEN, bad, Decimal("1000000"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        check_deposit(OPEN, Decimal("1"), bad)  # type: ignore[arg-type]


def test_reg_26_refuses_negative_nonfinite_and_zero_estimate() -> None:
    assert refused(check_deposit, OPEN, Decimal("-1"), Decimal("100")).code == "DEPOSIT_NEGATIVE"
    assert refused(check_deposit, OPEN, Decimal("NaN"), Decimal("100")).code == "AMOUNT_NOT_FINITE"
    assert refused(check_deposit, OPEN, Decimal("1"), Decimal("Infinity")).code == (
        "AMOUNT_NOT_FINITE"
    )
    assert refused(check_deposit, OPEN, Decimal("0"), Decimal("0")).code == (
        "ESTIMATED_PRICE_NOT_POSITIVE"
    )


def test_gpreg_33_government_deposit_at_most_2_percent_of_the_budget() -> None:
    for procedure in (GOV_TENDER, NEGOTIATION, INQUIRY):
        check_deposit(procedure, Decimal("2000"), Decimal("100000"))
        err = refused(check_deposit, procedure, Decimal("2000.01"), Decimal("100000"))
        assert err.code == "DEPOSIT_OVER_LIMIT_GPREG_33"
    err = refused(check_deposit, CONSULTATION, Decimal("2000.01"), Decimal("100000"))
    assert err.code == "DEPOSIT_OVER_LIMIT_MOF214"
    check_deposit(SINGLE, Decimal("50000"), Decimal("100000"))  # no cap known


@given(
    st.decimals(min_value=0, max_value=10**9, places=2),
    st.decimals(min_value=Decimal("0.01"), max_value=10**11, places=2),
)
def test_reg_26_passes_exactly_when_the_deposit_is_within_2_percent(
    deposit: Decimal, estimate: Decimal
) -> None:
    within = Fraction(deposit) <= Fraction(estimate) * Fraction(2, 100)
    try:
        check_deposit(OPEN, deposit, estimate)
    except DomainError as err:
        assert not within and err.code == "DEPOSIT_OVER_LIMIT_REG_26"
    else:
        assert within


# -- 招标投标法 第二十八条 -------------------------------------------------------------------------


def test_law_28_a_bid_after_the_deadline_is_refused() -> None:
    deadline = bj(2025, 3, 24, 9, 30)
    check_late_bid(deadline, deadline)  # at the deadline instant: on time
    check_late_bid(deadline, deadline - timedelta(seconds=1))
    check_late_bid(deadline, deadline.astimezone(UTC))
    err = refused(check_late_bid, deadline, deadline + timedelta(microseconds=1))
    assert err.code == "BID_LATE_LAW_28"
    assert err.kind is ErrorKind.CONFLICT
    assert "第二十八条" in err.message_zh


def test_law_28_fewer_than_3_bids_cannot_be_opened() -> None:
    check_enough_bids(OPEN, 3)
    err = refused(check_enough_bids, OPEN, 2)
    assert err.code == "TOO_FEW_BIDS_LAW_28"
    assert err.kind is ErrorKind.CONFLICT
    assert "第四十四条" in err.message_zh
    assert refused(check_enough_bids, GOV_TENDER, 2).code == "TOO_FEW_BIDS_GPL_36"
    assert refused(check_enough_bids, NEGOTIATION, 2).code == "TOO_FEW_BIDS_MOF74"
    assert refused(check_enough_bids, CONSULTATION, 2).code == "TOO_FEW_BIDS_MOF214"
    check_enough_bids(SINGLE, 1)
    assert refused(check_enough_bids, SINGLE, 0).code == "TOO_FEW_BIDS_GPL_31"
    with pytest.raises(ValueError):
        check_enough_bids(OPEN, -1)


# -- 招标投标法 第三十七条 -------------------------------------------------------------------------


def test_law_37_five_members_with_four_experts_is_valid() -> None:
    check_committee(committee(experts=4, owners=1))
    check_committee(committee(experts=5, owners=0))
    check_committee(committee(experts=5, owners=2))  # 5/7 >= 2/3
    check_committee(committee(experts=6, owners=3))  # exactly 2/3


def test_law_37_an_even_committee_is_refused() -> None:
    err = refused(check_committee, committee(experts=5, owners=1))
    assert err.code == "COMMITTEE_INVALID_LAW_37"
    assert err.details["failed"] == ["even"]
    assert "第三十七条" in err.message_zh


def test_law_37_five_members_with_three_experts_is_refused() -> None:
    err = refused(check_committee, committee(experts=3, owners=2))
    assert err.details["failed"] == ["experts_below_two_thirds"]


def test_law_37_fewer_than_five_and_several_failures_are_all_listed() -> None:
    assert refused(check_committee, committee(3, 0)).details["failed"] == ["too_few"]
    err = refused(check_committee, committee(1, 3))
    assert err.details["failed"] == ["too_few", "even", "experts_below_two_thirds"]
    twice = [*committee(4, 0), CommitteeMember("e0", EXPERT)]
    assert refused(check_committee, twice).details["failed"] == ["duplicate_member"]


def test_government_panels_have_their_own_minimum() -> None:
    check_committee(committee(experts=2, owners=1), NEGOTIATION)  # 3 members, 2/3 experts
    err = refused(check_committee, committee(experts=2, owners=1), GOV_TENDER)
    assert err.code == "COMMITTEE_INVALID_MOF87_47"
    err = refused(check_committee, committee(experts=5, owners=0), GOV_TENDER, min_members=7)
    assert err.details["failed"] == ["too_few"]
    check_committee([], SINGLE)  # 单一来源: no committee rule


# -- 财政部令第87号 第四十七条, 第74号 第七条, 财库〔2014〕214号 第十四条 --------------------------

PURCHASER, AGENCY = 11, 12


def wan(amount: str) -> Decimal:
    """An amount in 万元, as 元."""
    return Decimal(amount) * 10000


def test_mof87_47_seven_members_from_a_budget_of_1000_wan() -> None:
    # "采购预算金额在1000万元以上": 以上 includes the amount (民法典 第一千二百五十九条)
    assert committee_floor(GOV_TENDER, CommitteeCase(Decimal("9999999.99"))) == CommitteeFloor(5)
    assert committee_floor(GOV_TENDER, CommitteeCase(wan("1000"))) == CommitteeFloor(7, ("budget",))
    assert committee_floor(GOV_INVITED, CommitteeCase(wan("1000"))) == CommitteeFloor(
        7, ("budget",))
    big = CommitteeCase(wan("4120"))
    check_committee(committee(experts=5, owners=0), GOV_TENDER,
                    case=CommitteeCase(Decimal("9999999.99")))
    err = refused(check_committee, committee(experts=5, owners=0), GOV_TENDER, case=big)
    assert err.code == "COMMITTEE_INVALID_MOF87_47"
    assert err.details["failed"] == ["too_few"] and err.details["minimum"] == 7
    assert err.details["because"] == ["budget"]
    assert "第四十七条" in err.message_zh and "1000万元以上" in err.message_zh
    assert "［待核实］" not in err.message_zh  # checked against sources (core.rules.procedures)
    check_committee(committee(experts=5, owners=2), GOV_TENDER, case=big)  # 7, 5/7 experts
    refused(check_committee, committee(experts=6, owners=2), GOV_TENDER, case=big)  # even
    # engineering keeps 法 37 whatever the amount
    check_committee(committee(experts=5, owners=0), OPEN, case=big)
    assert committee_floor(OPEN, big) == CommitteeFloor(5)
    assert committee_floor(SINGLE, big) is None
    with pytest.raises(TypeError):
        committee_floor(GOV_TENDER, CommitteeCase(10_000_000))  # type: ignore[arg-type]


def test_mof87_47_seven_members_when_technically_complex_or_of_large_social_impact() -> None:
    complex_ = CommitteeCase(Decimal("1200000.00"), technically_complex=True)
    impact = CommitteeCase(None, large_social_impact=True)  # no budget known: the flags still count
    both = CommitteeCase(wan("1000"), technically_complex=True, large_social_impact=True)
    assert committee_floor(GOV_TENDER, complex_) == CommitteeFloor(7, ("technically_complex",))
    assert committee_floor(GOV_TENDER, impact) == CommitteeFloor(7, ("large_social_impact",))
    assert committee_floor(GOV_TENDER, both) == CommitteeFloor(
        7, ("budget", "technically_complex", "large_social_impact"))
    assert committee_floor(GOV_TENDER, CommitteeCase(None)) == CommitteeFloor(5)
    err = refused(check_committee, committee(experts=4, owners=1), GOV_TENDER, case=complex_)
    assert err.details["because"] == ["technically_complex"] and "技术复杂" in err.message_zh
    # 74号令 and 214号 do not enlarge a panel for these declarations
    assert committee_floor(NEGOTIATION, complex_) == CommitteeFloor(3)
    assert committee_floor(CONSULTATION, both) == CommitteeFloor(3)


def test_mof87_47_agency_staff_never_sit_on_a_government_committee() -> None:
    owners = CommitteeMember("owner", OWNER, PURCHASER)
    experts = [CommitteeMember(f"e{i}", EXPERT) for i in range(4)]
    check_committee_parties(GOV_TENDER, [*experts, owners], owner_party_id=PURCHASER,
                            agency_party_id=AGENCY)
    for staff in (CommitteeMember("agent", OWNER, AGENCY),  # as the purchaser's representative
                  CommitteeMember("agent", EXPERT, AGENCY)):  # or as an expert
        err = refused(check_committee_parties, GOV_TENDER, [*experts, staff],
                      owner_party_id=PURCHASER, agency_party_id=AGENCY)
        assert err.code == "COMMITTEE_AGENCY_STAFF_MOF87_47"
        assert err.details["members"] == ["agent"] and "采购代理机构" in err.message_zh
    # the committee is 采购人代表 and 评审专家: a representative acts for the purchaser
    err = refused(check_committee_parties, GOV_TENDER, [*experts, CommitteeMember("x", OWNER)],
                  owner_party_id=PURCHASER, agency_party_id=None)
    assert err.code == "COMMITTEE_REPRESENTATIVE_NOT_PURCHASER_MOF87_47"
    # engineering (法 37): the tenderer's agency may still act for it
    check_committee_parties(OPEN, [*experts, CommitteeMember("agent", OWNER, AGENCY)],
                            owner_party_id=PURCHASER, agency_party_id=AGENCY)
    check_committee_parties(SINGLE, [CommitteeMember("agent", OWNER, AGENCY)],
                            owner_party_id=PURCHASER, agency_party_id=AGENCY)


def test_mof74_7_five_members_once_the_budget_reaches_the_open_tender_threshold() -> None:
    for p in (NEGOTIATION, INQUIRY):
        assert committee_floor(p, CommitteeCase(Decimal("1999999.99"))) == CommitteeFloor(3)
        assert committee_floor(p, CommitteeCase(wan("200"))) == CommitteeFloor(
            5, ("open_tender_threshold",))
        # 政府采购工程: the 招标规模标准 (施工 400万元)
        assert committee_floor(p, CommitteeCase(wan("399.9999"), works=True)) == CommitteeFloor(3)
        assert committee_floor(p, CommitteeCase(wan("400"), works=True)) == CommitteeFloor(
            5, ("open_tender_threshold",))
    assert committee_floor(NEGOTIATION, CommitteeCase(None)) == CommitteeFloor(3)
    # the threshold is the centre's government's: a province at 400万元
    province = OpenTenderThresholds(goods_services=wan("400"), works=wan("400"))
    assert committee_floor(NEGOTIATION, CommitteeCase(wan("200")), province) == CommitteeFloor(3)
    err = refused(check_committee, committee(experts=2, owners=1), NEGOTIATION,
                  case=CommitteeCase(wan("200")))
    assert err.code == "COMMITTEE_INVALID_MOF74_7"
    assert err.details["minimum"] == 5 and err.details["because"] == ["open_tender_threshold"]
    assert "第七条" in err.message_zh and "［待核实］" in err.message_zh
    check_committee(committee(experts=2, owners=1), NEGOTIATION, case=CommitteeCase(wan("200")),
                    thresholds=province)
    check_committee(committee(experts=4, owners=1), INQUIRY, case=CommitteeCase(wan("200")))
    err = refused(check_committee_parties, INQUIRY, [CommitteeMember("agent", OWNER, AGENCY)],
                  owner_party_id=PURCHASER, agency_party_id=AGENCY)
    assert err.code == "COMMITTEE_AGENCY_STAFF_MOF74_7"


def test_mof214_14_a_complex_consultation_needs_a_legal_expert() -> None:
    complex_ = CommitteeCase(wan("5000"), technically_complex=True)
    panel = [CommitteeMember("e0", EXPERT), CommitteeMember("e1", EXPERT),
             CommitteeMember("o", OWNER, PURCHASER)]
    assert committee_floor(CONSULTATION, complex_) == CommitteeFloor(3)  # no larger number
    check_committee(panel, CONSULTATION, case=complex_)
    check_legal_expert(CONSULTATION, panel, CommitteeCase(wan("5000")))  # not complex
    err = refused(check_legal_expert, CONSULTATION, panel, complex_)
    assert err.code == "COMMITTEE_NO_LEGAL_EXPERT_MOF214_14"
    assert "法律专家" in err.message_zh and "第十四条" in err.message_zh
    # "评审专家中": a representative declared a lawyer does not count
    lawyer_rep = [*panel[:2], CommitteeMember("o", OWNER, PURCHASER, legal_expert=True)]
    refused(check_legal_expert, CONSULTATION, lawyer_rep, complex_)
    lawyer = [CommitteeMember("e0", EXPERT, legal_expert=True), *panel[1:]]
    check_legal_expert(CONSULTATION, lawyer, complex_)
    check_legal_expert(GOV_TENDER, panel, complex_)  # 87号令 asks for none
    err = refused(check_committee_parties, CONSULTATION,
                  [*panel[:2], CommitteeMember("agent", EXPERT, AGENCY)],
                  owner_party_id=PURCHASER, agency_party_id=AGENCY)
    assert err.code == "COMMITTEE_AGENCY_STAFF_MOF214_14"


@given(st.integers(min_value=0, max_value=15), st.integers(min_value=0, max_value=15))
def test_law_37_valid_exactly_when_odd_at_least_5_and_two_thirds_experts(
    experts: int, owners: int
) -> None:
    size = experts + owners
    assume(size > 0)
    valid = size >= 5 and size % 2 == 1 and 3 * experts >= 2 * size
    try:
        check_committee(committee(experts, owners))
    except DomainError as err:
        assert not valid and err.code == "COMMITTEE_INVALID_LAW_37"
    else:
        assert valid


# -- 实施条例 第五十三条 --------------------------------------------------------------------------


def test_reg_53_at_most_3_candidates() -> None:
    for n in range(4):
        check_candidates(n)
    err = refused(check_candidates, 4)
    assert err.code == "TOO_MANY_CANDIDATES"
    assert "第五十三条" in err.message_zh
    with pytest.raises(ValueError):
        check_candidates(-1)


def test_mof87_68_no_publicity_or_award_while_candidates_are_tied() -> None:
    for procedure in (OPEN, GOV_TENDER, CONSULTATION):
        check_ties_settled(procedure, [])  # nothing tied: nothing to settle
    gov = refused(check_ties_settled, GOV_TENDER, [12, 11])
    assert gov.code == "CANDIDATE_TIE_UNSETTLED_MOF87_68"
    assert gov.kind is ErrorKind.CONFLICT
    assert gov.details["tied_bids"] == [11, 12]
    assert "第六十八条" in gov.message_zh and "随机抽取" in gov.message_zh
    assert "art. 68" in gov.message_en
    engineering = refused(check_ties_settled, OPEN, [3, 4])
    assert engineering.code == "CANDIDATE_TIE_UNSETTLED_MOF87_68"
    assert "招标文件" in engineering.message_zh and "第五十五条" in engineering.message_zh
    assert "87" not in engineering.message_zh and "art. 55" in engineering.message_en


# -- 实施条例 第五十四条 --------------------------------------------------------------------------


def test_reg_54_publicity_at_least_3_days() -> None:
    start = bj(2025, 3, 3, 10)  # Monday; the 3 days are Tue, Wed, Thu
    assert publicity_end(OPEN, CAL, start).ends_at == end_of_day(date(2025, 3, 6))
    check_publicity(OPEN, CAL, start, end_of_day(date(2025, 3, 6)))
    check_publicity(OPEN, CAL, start, bj(2025, 3, 6, 23, 59).replace(second=59))  # 23:59:59 is fine
    err = refused(check_publicity, OPEN, CAL, start, bj(2025, 3, 6, 18, 0))
    assert err.code == "PUBLICITY_TOO_SHORT_REG_54"
    assert "第五十四条" in err.message_zh
    refused(check_publicity, OPEN, CAL, start, end_of_day(date(2025, 3, 5)))


def test_reg_54_publicity_ending_in_a_holiday_runs_to_the_day_after() -> None:
    start = bj(2025, 9, 28, 10)  # +3 days = 10-01
    assert publicity_end(OPEN, CAL, start).ends_at == end_of_day(date(2025, 10, 9))
    refused(check_publicity, OPEN, CAL, start, end_of_day(date(2025, 10, 8)))


def test_reg_54_publicity_starts_within_3_days_of_the_report() -> None:
    report = bj(2025, 3, 3, 17)
    start = bj(2025, 3, 6, 9)
    check_publicity(OPEN, CAL, start, publicity_end(OPEN, CAL, start).ends_at,
                    report_received_at=report)
    late = bj(2025, 3, 7, 9)
    err = refused(check_publicity, OPEN, CAL, late, publicity_end(OPEN, CAL, late).ends_at,
                  report_received_at=report)
    assert err.code == "PUBLICITY_STARTED_LATE_REG_54"


def test_gov_result_notice_lasts_1_working_day() -> None:
    start = bj(2025, 9, 26, 15)  # Friday; next working day is the make-up Sunday 09-28
    assert publicity_end(GOV_TENDER, CAL, start).ends_at == end_of_day(date(2025, 9, 28))
    err = refused(check_publicity, GOV_TENDER, CAL, start, bj(2025, 9, 27, 23, 0))
    assert err.code == "PUBLICITY_TOO_SHORT_MOF87"
    err = refused(check_publicity, INQUIRY, CAL, start, bj(2025, 9, 27, 23, 0))
    assert err.code == "PUBLICITY_TOO_SHORT_MOF135"


def test_publicity_must_end_after_it_starts() -> None:
    start = bj(2025, 3, 3)
    assert refused(check_publicity, OPEN, CAL, start, start).code == "PUBLICITY_END_BEFORE_START"


# -- 实施条例 第五十七条 --------------------------------------------------------------------------


def test_reg_57_deposits_refunded_within_5_days_of_the_contract() -> None:
    assert refund_due(OPEN, CAL, bj(2025, 9, 25, 15)).ends_at == end_of_day(date(2025, 9, 30))
    # Signed on Saturday 09-27: day 5 is 10-02, inside the holiday -> 10-09.
    assert refund_due(OPEN, CAL, bj(2025, 9, 27, 15)).ends_at == end_of_day(date(2025, 10, 9))
    assert refund_due(INVITED, CAL, bj(2025, 3, 3).astimezone(UTC)).ends_at == end_of_day(
        date(2025, 3, 10))


def test_gpreg_33_government_refund_within_5_working_days() -> None:
    # 09-26, 09-28 (make-up Sunday), 09-29, 09-30, 10-09.
    assert refund_due(GOV_TENDER, CAL, bj(2025, 9, 25, 15)).ends_at == end_of_day(date(2025, 10, 9))
    err = refused(refund_due, SINGLE, CAL, bj(2025, 9, 25))
    assert err.code == "RULE_NOT_APPLICABLE"


# -- 实施条例 第三十五条 --------------------------------------------------------------------------


def test_reg_35_a_withdrawn_bids_deposit_is_refunded_within_5_days() -> None:
    # deemed withdrawn Thursday 09-25: the day does not count, day 5 is Tuesday 09-30
    due = refund_after_withdrawal(CAL, bj(2025, 9, 25, 15))
    assert due.ends_at == end_of_day(date(2025, 9, 30)) and due.reading is Reading.EARLIEST
    # Saturday 09-27: day 5 is 10-02, inside the National Day holiday -> 10-09
    assert refund_after_withdrawal(CAL, bj(2025, 9, 27, 15)).ends_at == end_of_day(
        date(2025, 10, 9))
    # the Beijing date decides: 2025-03-03 00:30 in Beijing is still 03-02 in UTC
    assert refund_after_withdrawal(CAL, bj(2025, 3, 3, 0, 30).astimezone(UTC)).ends_at == (
        end_of_day(date(2025, 3, 10)))  # 03-08 is a Saturday: Monday 03-10
    assert limits.REFUND_AFTER_WITHDRAWAL.ref.tag == "REG_35"
    err = refused(refund_after_withdrawal, CAL, datetime(2025, 9, 25, 15))
    assert err.code == DATETIME_NOT_AWARE


# -- 实施条例 第五十五条 --------------------------------------------------------------------------


def test_reg_55_state_funded_awards_the_first_candidate() -> None:
    ranked = ["A", "B", "C"]
    assert award_choice(True, ranked, set()) == "A"
    assert award_choice(True, ranked, set(), chosen="A") == "A"
    err = refused(award_choice, True, ranked, set(), chosen="B")
    assert err.code == "AWARD_NOT_FIRST_RANKED_REG_55"
    assert err.kind is ErrorKind.CONFLICT


def test_reg_55_falls_back_in_rank_order_when_the_first_declines() -> None:
    assert award_choice(True, ["A", "B", "C"], {"A"}) == "B"
    assert award_choice(True, ["A", "B", "C"], {"A", "B"}) == "C"
    err = refused(award_choice, True, ["A", "B", "C"], {"A", "B", "C"})
    assert err.code == "NO_CANDIDATE_LEFT_REG_55"
    assert refused(award_choice, True, [], set()).code == "NO_CANDIDATE_LEFT_REG_55"


def test_law_40_other_projects_may_choose_any_remaining_candidate() -> None:
    assert award_choice(False, ["A", "B", "C"], set(), chosen="C") == "C"
    assert award_choice(False, ["A", "B", "C"], {"A"}) == "B"
    assert refused(award_choice, False, ["A", "B"], {"A"}, chosen="A").code == (
        "AWARD_NOT_A_CANDIDATE_LAW_40"
    )
    assert refused(award_choice, False, ["A", "B"], set(), chosen="Z").code == (
        "AWARD_NOT_A_CANDIDATE_LAW_40"
    )


@given(
    st.lists(st.integers(0, 9), unique=True, max_size=3),
    st.sets(st.integers(0, 9)),
)
def test_reg_55_always_the_first_remaining_in_rank_order(
    ranked: list[int], declined: set[int]
) -> None:
    remaining = [c for c in ranked if c not in declined]
    try:
        chosen = award_choice(True, ranked, declined)
    except DomainError as err:
        assert not remaining and err.code == "NO_CANDIDATE_LEFT_REG_55"
    else:
        assert chosen == remaining[0]


# -- 招标投标法 第四十一条 / 政府采购法实施条例 第三十四条 -----------------------------------------


def test_law_41_evaluation_methods_allowed_by_procedure() -> None:
    check_evaluation_method(OPEN, EvaluationMethod.COMPREHENSIVE)
    check_evaluation_method(OPEN, EvaluationMethod.LOWEST_EVALUATED_PRICE)
    err = refused(check_evaluation_method, INQUIRY, EvaluationMethod.COMPREHENSIVE)
    assert err.code == "EVALUATION_METHOD_NOT_ALLOWED"
    refused(check_evaluation_method, SINGLE, EvaluationMethod.LOWEST_PRICE)


def test_gpreg_34_mof87_54_standardised_goods_and_services_take_the_lowest_evaluated_price(
) -> None:
    for tender in (GOV_TENDER, GOV_INVITED):
        limits.check_standardised(tender, True)
        limits.check_standardised_method(tender, True, EvaluationMethod.LOWEST_EVALUATED_PRICE)
        err = refused(limits.check_standardised_method, tender, True,
                      EvaluationMethod.COMPREHENSIVE)
        assert err.code == "EVALUATION_METHOD_NOT_LOWEST_PRICE_GPREG_34"
        assert "第三十四条" in err.message_zh and "第五十四条" in err.message_zh
        assert err.details["required"] == "lowest_evaluated_price"
        # not declared: both 招标 methods stay open
        limits.check_standardised_method(tender, False, EvaluationMethod.COMPREHENSIVE)
    # the declaration decides nothing elsewhere, so it is refused there
    for other in (OPEN, INVITED, NEGOTIATION, INQUIRY, CONSULTATION, SINGLE):
        limits.check_standardised(other, False)
        err = refused(limits.check_standardised, other, True)
        assert err.code == "STANDARDISED_NOT_APPLICABLE_GPREG_34", other.key
    limits.check_standardised_method(OPEN, True, EvaluationMethod.COMPREHENSIVE)  # 法 41 rules
    assert {"EVALUATION_METHOD_NOT_LOWEST_PRICE_GPREG_34",
            "STANDARDISED_NOT_APPLICABLE_GPREG_34"} <= limits.ERROR_CODES


def test_the_documented_codes_are_stable() -> None:
    assert {
        "BIDDING_PERIOD_TOO_SHORT_LAW_24",
        "DEPOSIT_OVER_LIMIT_REG_26",
        "BID_LATE_LAW_28",
        "TOO_FEW_BIDS_LAW_28",
        "COMMITTEE_INVALID_LAW_37",
        "TOO_MANY_CANDIDATES",
        "PUBLICITY_TOO_SHORT_REG_54",
        "NO_CANDIDATE_LEFT_REG_55",
    } <= limits.ERROR_CODES
    assert all(code.replace("_", "").isalnum() and code.isupper() for code in limits.ERROR_CODES)
