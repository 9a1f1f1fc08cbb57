"""综合评分: weights add to 100, every expert scores every criterion, means per criterion."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError
from core.evaluation import (
    Criterion,
    CriterionCategory,
    ExpertScore,
    aggregate_scores,
    check_criteria,
    price_score,
)

D = Decimal
TECH = Criterion("tech", "技术方案", D("50"), CriterionCategory.TECHNICAL)
BIZ = Criterion("biz", "商务", D("20"), CriterionCategory.COMMERCIAL)
PRICE = Criterion("price", "价格", D("30"), CriterionCategory.PRICE, objective=True)
CRITERIA = [TECH, BIZ, PRICE]


def sheet(bid: str, tech: list[str], biz: list[str]) -> list[ExpertScore]:
    experts = [f"x{i}" for i in range(len(tech))]
    return [ExpertScore(e, bid, "tech", D(s)) for e, s in zip(experts, tech, strict=True)] + [
        ExpertScore(e, bid, "biz", D(s)) for e, s in zip(experts, biz, strict=True)
    ]


def experts(n: int) -> list[str]:
    return [f"x{i}" for i in range(n)]


def code_of(call: object, *args: object, **kwargs: object) -> str:
    assert callable(call)
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value.code


def test_weights_must_add_up_to_100() -> None:
    check_criteria(CRITERIA)
    assert code_of(check_criteria, [TECH, BIZ]) == "WEIGHTS_NOT_100"
    assert code_of(check_criteria, [TECH, Criterion("b", "b", D("50.01"))]) == "WEIGHTS_NOT_100"
    assert code_of(check_criteria, []) == "NO_CRITERIA"
    assert code_of(check_criteria, [TECH, TECH]) == "CRITERION_DUPLICATE"
    zero = Criterion("z", "z", D("0"))
    assert code_of(check_criteria, [zero, Criterion("a", "a", D("100"))]) == "WEIGHT_OUT_OF_RANGE"
    with pytest.raises(TypeError):
        check_criteria([Criterion("a", "a", 100.0)])  # type: ignore[arg-type]


def test_mean_of_five_experts_without_dropping() -> None:
    scores = sheet("B1", ["40", "42", "45", "38", "50"], ["15", "16", "17", "18", "19"])
    objective = {("B1", "price"): price_score(D("90"), D("100"), D("30"))}
    (result,) = aggregate_scores(CRITERIA, ["B1"], experts(5), scores, objective_scores=objective)
    assert result.score("tech") == D("43.00")
    assert result.score("biz") == D("17.00")
    assert result.score("price") == D("27.00")
    assert result.total == D("87.00")
    assert result.subtotal(CriterionCategory.TECHNICAL) == D("43.00")
    assert result.subtotal(CriterionCategory.PRICE) == D("27.00")
    assert not result.extremes_dropped


def test_dropping_extremes_with_seven_experts() -> None:
    tech = ["10", "40", "41", "42", "43", "44", "50"]
    scores = sheet("B1", tech, ["20"] * 7)
    objective = {("B1", "price"): D("30")}
    kept = aggregate_scores(
        CRITERIA, ["B1"], experts(7), scores, objective_scores=objective, drop_extremes=True
    )[0]
    assert kept.score("tech") == D("42.00")  # mean of 40..44
    assert kept.criteria[0].dropped == (D("10"), D("50"))
    assert kept.extremes_dropped
    plain = aggregate_scores(CRITERIA, ["B1"], experts(7), scores, objective_scores=objective)[0]
    assert plain.score("tech") == D("38.57")  # 270 / 7 = 38.571…
    assert not plain.extremes_dropped


def test_dropping_extremes_is_skipped_below_the_threshold() -> None:
    scores = sheet("B1", ["10", "40", "41", "42", "50"], ["20"] * 5)
    objective = {("B1", "price"): D("30")}
    result = aggregate_scores(
        CRITERIA, ["B1"], experts(5), scores, objective_scores=objective, drop_extremes=True
    )[0]
    assert result.score("tech") == D("36.60")
    assert not result.extremes_dropped
    lowered = aggregate_scores(
        CRITERIA,
        ["B1"],
        experts(5),
        scores,
        objective_scores=objective,
        drop_extremes=True,
        min_experts_to_drop=5,
    )[0]
    assert lowered.score("tech") == D("41.00")
    with pytest.raises(ValueError):
        aggregate_scores(CRITERIA, ["B1"], experts(5), scores, min_experts_to_drop=2)


def test_criterion_means_are_rounded_half_up_and_the_total_adds_them() -> None:
    only = [Criterion("a", "a", D("60")), Criterion("b", "b", D("40"))]
    scores = [
        ExpertScore("x0", "B1", "a", D("10.01")),
        ExpertScore("x1", "B1", "a", D("10.00")),
        ExpertScore("x0", "B1", "b", D("10.01")),
        ExpertScore("x1", "B1", "b", D("10.00")),
    ]
    (result,) = aggregate_scores(only, ["B1"], experts(2), scores)
    assert result.score("a") == D("10.01")  # 10.005 -> 10.01
    assert result.total == D("20.02")  # not round(20.01)


def test_a_missing_expert_score_is_refused() -> None:
    scores = sheet("B1", ["40"] * 5, ["15"] * 5)[:-1]
    objective = {("B1", "price"): D("30")}
    with pytest.raises(DomainError) as err:
        aggregate_scores(CRITERIA, ["B1"], experts(5), scores, objective_scores=objective)
    assert err.value.code == "EXPERT_SCORE_MISSING"
    assert err.value.details["missing"] == [{"expert": "x4", "bid": "B1", "criterion": "biz"}]


def test_a_missing_objective_score_is_refused() -> None:
    scores = sheet("B1", ["40"] * 5, ["15"] * 5)
    assert code_of(aggregate_scores, CRITERIA, ["B1"], experts(5), scores) == (
        "OBJECTIVE_SCORE_MISSING"
    )


@pytest.mark.parametrize(("value", "criterion"), [("50.01", "tech"), ("-0.01", "biz")])
def test_a_score_outside_zero_to_max_is_refused(value: str, criterion: str) -> None:
    scores = sheet("B1", ["40"] * 5, ["15"] * 5)
    scores[0] = ExpertScore("x0", "B1", criterion, D(value))
    objective = {("B1", "price"): D("30")}
    assert code_of(
        aggregate_scores, CRITERIA, ["B1"], experts(5), scores, objective_scores=objective
    ) == ("SCORE_OUT_OF_RANGE")


def test_an_objective_score_above_its_weight_is_refused() -> None:
    scores = sheet("B1", ["40"] * 5, ["15"] * 5)
    objective = {("B1", "price"): D("30.01")}
    assert code_of(
        aggregate_scores, CRITERIA, ["B1"], experts(5), scores, objective_scores=objective
    ) == ("SCORE_OUT_OF_RANGE")


def test_duplicates_and_unknown_references_are_refused() -> None:
    scores = sheet("B1", ["40"] * 5, ["15"] * 5)
    objective = {("B1", "price"): D("30")}
    doubled = [*scores, ExpertScore("x0", "B1", "tech", D("1"))]
    args = (CRITERIA, ["B1"], experts(5))
    assert code_of(aggregate_scores, *args, doubled, objective_scores=objective) == (
        "EXPERT_SCORE_DUPLICATE"
    )
    for stray in (
        ExpertScore("nobody", "B1", "tech", D("1")),
        ExpertScore("x0", "B9", "tech", D("1")),
        ExpertScore("x0", "B1", "nothing", D("1")),
        ExpertScore("x0", "B1", "price", D("1")),  # experts do not score objective criteria
    ):
        assert code_of(aggregate_scores, *args, [*scores, stray], objective_scores=objective) == (
            "SCORE_REFERENCE_UNKNOWN"
        )
    stray_objective = {**objective, ("B1", "tech"): D("1")}
    assert code_of(aggregate_scores, *args, scores, objective_scores=stray_objective) == (
        "SCORE_REFERENCE_UNKNOWN"
    )
    assert code_of(aggregate_scores, CRITERIA, ["B1"], [], scores) == "NO_EXPERTS"
    assert code_of(aggregate_scores, CRITERIA, ["B1"], ["x0", "x0"], scores) == "EXPERT_DUPLICATE"
    assert code_of(aggregate_scores, CRITERIA, ["B1", "B1"], experts(5), scores) == "BID_DUPLICATE"


def test_several_bids_keep_their_order() -> None:
    scores = sheet("B1", ["40"] * 5, ["15"] * 5) + sheet("B2", ["30"] * 5, ["10"] * 5)
    objective = {("B1", "price"): D("25"), ("B2", "price"): D("30")}
    results = aggregate_scores(
        CRITERIA, ["B2", "B1"], experts(5), scores, objective_scores=objective
    )
    assert [(r.bid_id, r.total) for r in results] == [("B2", D("70.00")), ("B1", D("80.00"))]


score_lists = st.integers(min_value=3, max_value=11).flatmap(
    lambda n: st.lists(st.decimals(min_value=0, max_value=50, places=2), min_size=n, max_size=n)
)


@given(score_lists, st.booleans())
def test_the_mean_lies_between_the_counted_extremes(values: list[Decimal], drop: bool) -> None:
    only = [Criterion("a", "a", D("50")), Criterion("b", "b", D("50"))]
    names = experts(len(values))
    scores = [ExpertScore(e, "B", "a", v) for e, v in zip(names, values, strict=True)] + [
        ExpertScore(e, "B", "b", D("0")) for e in names
    ]
    (result,) = aggregate_scores(only, ["B"], names, scores, drop_extremes=drop)
    ordered = sorted(values)
    counted = ordered[1:-1] if drop and len(values) >= 7 else ordered
    assert result.criteria[0].counted == tuple(counted)
    assert counted[0] <= result.score("a") <= counted[-1]
    assert result.extremes_dropped == (drop and len(values) >= 7)
    assert result.total == result.score("a") + result.score("b") <= D("100")
