"""政府采购's price policy (core.rules.price_policy): one test or a few per rule, named after its
article; boundaries on both sides. The review's §5 cases 1, 5, 6 and 8 are here with the math."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import DomainError, ErrorKind
from core.evaluation import EvaluatedBid, EvaluationMethod, price_score, rank_bids
from core.evaluation.ranking import GOV_PROCUREMENT_TIE_BREAKS
from core.rules import price_policy
from core.rules.price_policy import (
    ProcurementObject,
    SmeRates,
    SmeStatus,
    bidders_counted,
    check_enough_responsive,
    check_gov_only,
    check_price_criterion,
    check_price_weight,
    check_sme_declaration,
    check_sme_rates,
    evaluated_price,
)
from core.rules.procedures import PROCEDURES, Domain

GOV, ENG = Domain.GOV_PROCUREMENT, Domain.ENGINEERING
TENDER = PROCEDURES[GOV, "public_tender"]
INVITED = PROCEDURES[GOV, "invited_tender"]
CONSULTATION = PROCEDURES[GOV, "competitive_consultation"]
NEGOTIATION = PROCEDURES[GOV, "competitive_negotiation"]
WORKS_TENDER = PROCEDURES[ENG, "open_tender"]
D = Decimal


def refused(code: str, call: object, *args: object, **kwargs: object) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    assert info.value.code == code, info.value.code
    assert info.value.code in price_policy.ERROR_CODES
    return info.value


# -- 87号令 55: price weight floors ------------------------------------------------------------


def test_mof87_55_goods_price_weight_at_least_30() -> None:
    """§5 case 1: goods with price weight 5 is refused; 30 and anything above pass (no cap)."""
    error = refused("PRICE_WEIGHT_OUT_OF_RANGE_MOF87_55", check_price_weight, TENDER, "goods",
                    D(5))
    assert "不得低于30%" in error.message_zh and "第五十五条" in error.message_zh
    refused("PRICE_WEIGHT_OUT_OF_RANGE_MOF87_55", check_price_weight, TENDER,
            ProcurementObject.GOODS, D("29.99"))
    for weight in ("30", "60", "60.01", "100"):
        check_price_weight(TENDER, "goods", D(weight))  # floors only: no upper bound
    check_price_weight(INVITED, "goods", D(30))


def test_mof87_55_services_price_weight_at_least_10() -> None:
    refused("PRICE_WEIGHT_OUT_OF_RANGE_MOF87_55", check_price_weight, TENDER, "services",
            D("9.99"))
    for weight in ("10", "29", "31", "80"):
        check_price_weight(TENDER, "services", D(weight))


def test_mof87_55_the_weight_needs_the_procurement_object() -> None:
    refused("PROCUREMENT_OBJECT_REQUIRED_MOF87_55", check_price_weight, TENDER, None, D(40))
    check_price_weight(TENDER, None, None)  # no price criterion: nothing to bound
    check_price_weight(TENDER, "works", D(5))  # 87号令 and 214号 bound goods and services only


def test_mof214_24_consultation_price_weights_are_ranges() -> None:
    refused("PRICE_WEIGHT_OUT_OF_RANGE_MOF214_24", check_price_weight, CONSULTATION, "goods",
            D("29.99"))
    refused("PRICE_WEIGHT_OUT_OF_RANGE_MOF214_24", check_price_weight, CONSULTATION, "goods",
            D("60.01"))
    refused("PRICE_WEIGHT_OUT_OF_RANGE_MOF214_24", check_price_weight, CONSULTATION,
            "services", D("30.01"))
    refused("PRICE_WEIGHT_OUT_OF_RANGE_MOF214_24", check_price_weight, CONSULTATION,
            "services", D("9.99"))
    for obj, weight in (("goods", "30"), ("goods", "60"), ("services", "10"),
                        ("services", "30")):
        check_price_weight(CONSULTATION, obj, D(weight))


def test_engineering_and_lowest_price_procedures_have_no_weight_bounds() -> None:
    check_price_weight(WORKS_TENDER, None, D(5))
    check_price_weight(NEGOTIATION, "goods", D(5))  # 谈判 ranks by price, no criteria


# -- 87号令 55: no price criterion at a fixed price ------------------------------------------------


def test_mof87_55_a_fixed_price_project_takes_no_price_criterion() -> None:
    """§5 case 8: a 统一定价/固定价格 project refuses one and is not asked for one."""
    error = refused("PRICE_CRITERION_NOT_ALLOWED_MOF87_55", check_price_criterion, TENDER,
                    fixed_price=True, has_price=True)
    assert "价格不列为评审因素" in error.message_zh
    check_price_criterion(TENDER, fixed_price=True, has_price=False)
    refused("PRICE_CRITERION_NOT_ALLOWED_MOF214_24", check_price_criterion, CONSULTATION,
            fixed_price=True, has_price=True)


def test_mof87_55_any_other_government_scored_evaluation_needs_one() -> None:
    refused("PRICE_CRITERION_MISSING", check_price_criterion, TENDER, fixed_price=False,
            has_price=False)
    check_price_criterion(TENDER, fixed_price=False, has_price=True)
    check_price_criterion(WORKS_TENDER, fixed_price=False, has_price=False)  # engineering


def test_the_price_policy_is_government_procurements_only() -> None:
    refused("GOV_PROCUREMENT_ONLY", check_gov_only, WORKS_TENDER, procurement_object="goods",
            fixed_price=False, rates=SmeRates())
    refused("GOV_PROCUREMENT_ONLY", check_gov_only, WORKS_TENDER, procurement_object=None,
            fixed_price=True, rates=SmeRates())
    refused("GOV_PROCUREMENT_ONLY", check_gov_only, WORKS_TENDER, procurement_object=None,
            fixed_price=False, rates=SmeRates(D(10)))
    check_gov_only(WORKS_TENDER, procurement_object=None, fixed_price=False, rates=SmeRates())
    check_gov_only(TENDER, procurement_object="goods", fixed_price=True, rates=SmeRates(D(10)))


# -- 46号 9 as raised by 19号: the 小微企业 deduction -------------------------------------------


def test_mof46_9_small_firm_deduction_is_10_to_20_percent_for_goods_and_services() -> None:
    for obj in ("goods", "services"):
        for rate in ("10", "15.5", "20"):
            check_sme_rates(obj, SmeRates(D(rate)))
        for rate in ("9.99", "20.01", "6"):  # 6 %: 46号's old range, raised by 19号
            error = refused("SME_DEDUCTION_OUT_OF_RANGE_MOF46_9", check_sme_rates, obj,
                            SmeRates(D(rate)))
            assert error.details["field"] == "sme_deduction"


def test_mof46_9_joint_or_subcontracted_deduction_is_4_to_6_percent() -> None:
    check_sme_rates("goods", SmeRates(D(10), D(4)))
    check_sme_rates("services", SmeRates(None, D(6)))
    for rate in ("3.99", "6.01", "2"):
        error = refused("SME_DEDUCTION_OUT_OF_RANGE_MOF46_9", check_sme_rates, "goods",
                        SmeRates(D(10), D(rate)))
        assert error.details["field"] == "sme_joint_deduction"


def test_mof46_9_works_keep_3_to_5_and_1_to_2_percent() -> None:
    check_sme_rates("works", SmeRates(D(3), D(2)))
    refused("SME_DEDUCTION_OUT_OF_RANGE_MOF46_9", check_sme_rates, "works", SmeRates(D(10)))
    refused("SME_DEDUCTION_OUT_OF_RANGE_MOF46_9", check_sme_rates, "works", SmeRates(None, D(4)))


def test_mof46_9_the_deduction_needs_the_procurement_object() -> None:
    refused("PROCUREMENT_OBJECT_REQUIRED_MOF46_9", check_sme_rates, None, SmeRates(D(10)))
    check_sme_rates(None, SmeRates())  # no deduction: nothing to know


def test_mof46_9_a_declared_status_needs_a_deduction_in_the_documents() -> None:
    error = refused("SME_DEDUCTION_NOT_DECLARED_MOF46_9", check_sme_declaration, SmeRates(),
                    "small_micro")
    assert error.kind is ErrorKind.CONFLICT
    refused("SME_DEDUCTION_NOT_DECLARED_MOF46_9", check_sme_declaration, SmeRates(D(10)),
            "joint_small_share", D(40))
    assert check_sme_declaration(SmeRates(D(10)), "prison") is SmeStatus.PRISON
    assert check_sme_declaration(SmeRates(D(10)), "disabled_welfare") \
        is SmeStatus.DISABLED_WELFARE


def test_mof46_9_a_joint_bid_needs_a_small_share_of_30_percent_or_more() -> None:
    rates = SmeRates(D(10), D(5))
    for share in (None, D("29.99"), D("100.01")):
        refused("SME_SHARE_TOO_SMALL_MOF46_9", check_sme_declaration, rates,
                "joint_small_share", share)
    assert check_sme_declaration(rates, "joint_small_share", D(30)) \
        is SmeStatus.JOINT_SMALL_SHARE
    refused("SME_SHARE_NOT_APPLICABLE", check_sme_declaration, rates, "small_micro", D(50))
    with pytest.raises(ValueError):
        check_sme_declaration(rates, "medium")


def test_mof46_9_prison_and_disabled_welfare_units_are_deducted_as_small_firms() -> None:
    rates = SmeRates(D(10), D(5))
    price = D("1000000.00")
    assert evaluated_price(price, None, rates) == price
    for status in (SmeStatus.SMALL_MICRO, SmeStatus.PRISON, SmeStatus.DISABLED_WELFARE):
        assert evaluated_price(price, status, rates) == D("900000.00")
    assert evaluated_price(price, SmeStatus.JOINT_SMALL_SHARE, rates) == D("950000.00")
    assert str(evaluated_price(price, SmeStatus.SMALL_MICRO, SmeRates(D("10.00")))) == "900000.00"
    # exact where 分 are not: never rounded before the price score
    assert evaluated_price(D("1234567.89"), SmeStatus.SMALL_MICRO, SmeRates(D(15))) \
        == D("1049382.7065")
    assert evaluated_price(price, SmeStatus.SMALL_MICRO, SmeRates(None, D(5))) == price


def test_mof87_55_the_deducted_price_sets_the_base_and_the_score() -> None:
    """§5 case 6: goods, price weight 30; A (小微) 1,000,000, B (large) 950,000, 10 %: A's
    900,000 is the base (87号令 55 "以调整后的价格计算评标基准价和投标报价"): A 30.00, B 28.42."""
    rates = SmeRates(D(10))
    a = evaluated_price(D("1000000.00"), SmeStatus.SMALL_MICRO, rates)
    b = evaluated_price(D("950000.00"), None, rates)
    base = min(a, b)
    assert base == a == D("900000.00")
    assert price_score(base, a, D(30)) == D("30.00")
    assert price_score(base, b, D(30)) == D("28.42")


def test_mof87_56_equal_evaluated_prices_tie_after_the_deduction() -> None:
    """§5 case 5: 最低评标价, A (小微) 100 → 90, B 90: 并列 at 90, the raw price breaks nothing."""
    a = evaluated_price(D(100), SmeStatus.SMALL_MICRO, SmeRates(D(10)))
    ranking = rank_bids(EvaluationMethod.LOWEST_EVALUATED_PRICE,
                        [EvaluatedBid("A", D(100), evaluated_price=a),
                         EvaluatedBid("B", D(90), evaluated_price=D(90))],
                        tie_breaks=GOV_PROCUREMENT_TIE_BREAKS)
    assert [(x.bid.bid_id, x.rank, x.tied_with) for x in ranking.ranked] == [
        ("A", 1, ("B",)), ("B", 1, ("A",))]


# -- 政府采购法 36(一), 87号令 43: too few responsive bids ---------------------------------------


def test_gpl_36_a_government_tender_fails_below_three_responsive_bids() -> None:
    """§5 case 7: 3 bids opened, 2 found invalid → 废标, no candidate."""
    for count in (0, 1, 2):
        error = refused("TOO_FEW_RESPONSIVE_GPL_36", check_enough_responsive, TENDER, count)
        assert error.kind is ErrorKind.CONFLICT and error.details["minimum"] == 3
        assert "应予废标" in error.message_zh and "第三十六条" in error.message_zh
    check_enough_responsive(TENDER, 3)
    check_enough_responsive(INVITED, 3)
    refused("TOO_FEW_RESPONSIVE_GPL_36", check_enough_responsive, INVITED, 2)
    with pytest.raises(ValueError):
        check_enough_responsive(TENDER, -1)


def test_engineering_keeps_its_own_rule_on_responsive_bids() -> None:
    check_enough_responsive(WORKS_TENDER, 1)  # 暂行规定 27 is not modelled


# -- 87号令 31: same brand ----------------------------------------------------------------------


def test_mof87_31_same_brand_bids_count_as_one_bidder() -> None:
    assert bidders_counted(["华为", "华为 ", "联想"]) == 2
    assert bidders_counted(["Dell", "dell", None, None, ""]) == 4
    assert bidders_counted([]) == 0


def test_every_code_names_its_article() -> None:
    assert {"PRICE_WEIGHT_OUT_OF_RANGE_MOF87_55", "PRICE_WEIGHT_OUT_OF_RANGE_MOF214_24",
            "PRICE_CRITERION_NOT_ALLOWED_MOF87_55", "TOO_FEW_RESPONSIVE_GPL_36",
            "SME_DEDUCTION_OUT_OF_RANGE_MOF46_9"} <= price_policy.ERROR_CODES
