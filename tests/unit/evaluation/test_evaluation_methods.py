"""The rejection grounds of 招标投标法实施条例 第五十一条 as a code table; the error registry."""

from __future__ import annotations

from core.evaluation import ERROR_CODES, EvaluationMethod, RejectionGround


def test_reg_51_every_item_has_a_ground() -> None:
    assert {g.item for g in RejectionGround} == {1, 2, 3, 4, 5, 6, 7}
    assert {g.value for g in RejectionGround} == {
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
