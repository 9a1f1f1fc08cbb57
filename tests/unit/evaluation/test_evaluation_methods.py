"""The rejection grounds (条例 51; 政府采购 87号令 63, 60) as a code table; the error registry."""

from __future__ import annotations

from core.evaluation import ERROR_CODES, EvaluationMethod, RejectionGround


def test_reg_51_every_item_has_a_ground() -> None:
    engineering = {g for g in RejectionGround if g.applies_to("engineering")}
    assert {g.item for g in engineering} == {1, 2, 3, 4, 5, 6, 7}
    assert {g.article_zh for g in engineering} == {"《招标投标法实施条例》第五十一条"}
    assert {g.value for g in engineering} == {
        "no_seal_or_signature",
        "no_joint_bid_agreement",
        "unqualified",
        "multiple_prices",
        "below_cost",
        "above_ceiling",
        "not_responsive",
        "collusion",
    }
    assert RejectionGround.BELOW_COST.item == RejectionGround.ABOVE_CEILING.item == 5
    assert RejectionGround.COLLUSION.label_zh.startswith("投标人有串通投标")
    assert all(g.label_zh and g.label_en for g in RejectionGround)


def test_mof87_63_government_invalidity_grounds_carry_their_items() -> None:
    """87号令 63 (一)(二)(四)(五)(六) are 政府采购's own; (三) is the shared ``unqualified``."""
    by_item = {g.item: g for g in RejectionGround if "第六十三条" in g.article_zh}
    assert {i: g.value for i, g in by_item.items()} == {
        1: "no_deposit", 2: "not_signed_as_required", 4: "above_budget",
        5: "unacceptable_conditions", 6: "other_invalidity"}
    assert all(g.domains == {"gov_procurement"} for g in by_item.values())
    assert "预算金额或者最高限价" in RejectionGround.ABOVE_BUDGET.label_zh
    # the 条例 51 grounds of engineering are not 政府采购's …
    assert not RejectionGround.BELOW_COST.applies_to("gov_procurement")
    assert not RejectionGround.ABOVE_CEILING.applies_to("gov_procurement")
    # … except those both laws give
    shared = {g.value for g in RejectionGround if g.domains == {"engineering", "gov_procurement"}}
    assert shared == {"unqualified", "not_responsive", "collusion"}


def test_mof87_60_an_unexplained_abnormally_low_price_is_a_ground() -> None:
    ground = RejectionGround.ABNORMALLY_LOW_UNEXPLAINED
    assert ground.article_zh == "财政部令第87号 第六十条"
    assert ground.applies_to("gov_procurement") and not ground.applies_to("engineering")
    assert "不能证明其报价合理性" in ground.label_zh


def test_methods_have_labels() -> None:
    assert EvaluationMethod.COMPREHENSIVE.label_zh == "综合评估法/综合评分法"
    assert all(m.label_zh and m.label_en for m in EvaluationMethod)


def test_the_evaluation_codes_are_stable() -> None:
    assert {
        "SCORE_OUT_OF_RANGE",
        "WEIGHTS_NOT_100",
        "EXPERT_SCORE_MISSING",
        "TOO_MANY_CANDIDATES",
    } <= ERROR_CODES
    assert "CANDIDATE_TIE_UNRESOLVED" not in ERROR_CODES  # a 并列 is reported, not refused
