"""87号令 31, same brand one supplier (core.evaluation.same_brand): which same-brand bids count
under each method, how a tie inside a brand waits for the documents or a draw, and how the
suppliers are counted for 政府采购法 36."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.evaluation import EvaluationMethod
from core.evaluation.same_brand import (
    BrandedBid,
    Consequence,
    Tie,
    brand_key,
    select_same_brand,
    suppliers_counted,
)

D = Decimal
LOW = EvaluationMethod.LOWEST_EVALUATED_PRICE
SCORED = EvaluationMethod.COMPREHENSIVE


def test_mof87_31_brands_compare_folded_but_not_translated() -> None:
    assert brand_key("ＨＰ") == brand_key(" hp ") == brand_key("HP") == "hp"
    assert brand_key("Dell  Inc") == "dell inc"
    assert brand_key("华为") != brand_key("HUAWEI")  # one brand only if recorded so
    assert brand_key(None) is None and brand_key("  ") is None


def test_mof87_31_lowest_price_keeps_the_cheapest_of_a_brand_the_others_invalid() -> None:
    bids = [BrandedBid("1", "联想", D("100")), BrandedBid("2", "联想", D("95")),
            BrandedBid("3", "戴尔", D("99")), BrandedBid("4", None, D("120"))]
    s = select_same_brand(LOW, bids)
    assert s.counted == ("2", "3", "4")
    assert [(x.bid_id, x.kept, x.consequence) for x in s.excluded] == [
        ("1", "2", Consequence.INVALID)]
    assert s.excluded[0].article_zh.endswith("第三十一条")
    assert s.suppliers == 3 and s.resolved and s.kept == {"联想": "2"}


def test_mof87_31_the_evaluated_price_decides_within_a_brand() -> None:
    """Our reading: 31's 报价 is the price the ranking compares (after the 小微 deduction)."""
    small = BrandedBid("1", "HP", D("90.00"))  # declared 100, 10 % deducted
    large = BrandedBid("2", "hp", D("95.00"))
    assert select_same_brand(LOW, [small, large]).counted == ("1",)


def test_mof87_31_comprehensive_keeps_the_highest_score_the_others_not_candidates() -> None:
    bids = [BrandedBid("1", "HP", D("100"), D("88.5")), BrandedBid("2", "HP", D("90"), D("91")),
            BrandedBid("3", "HP", D("80"), D("70"))]
    s = select_same_brand(SCORED, bids)
    assert s.counted == ("2",)
    assert {(x.bid_id, x.consequence) for x in s.excluded} == {
        ("1", Consequence.NOT_CANDIDATE), ("3", Consequence.NOT_CANDIDATE)}
    assert s.suppliers == 1


def test_mof87_31_a_tie_inside_a_brand_waits_for_the_documents_or_a_draw() -> None:
    """Equal scores are not broken by the price (57's tie-break) but by 31's own rule."""
    bids = [BrandedBid("7", "HP", D("100"), D("90")), BrandedBid("3", "HP", D("95"), D("90")),
            BrandedBid("5", "HP", D("90"), D("80")), BrandedBid("9", "Dell", D("99"), D("85"))]
    s = select_same_brand(SCORED, bids)
    assert s.unresolved == (Tie("hp", ("3", "7")),) and not s.resolved
    assert [x.bid_id for x in s.excluded] == ["5"] and s.excluded[0].kept is None
    settled = select_same_brand(SCORED, bids, {frozenset({"3", "7"}): "7"})
    assert settled.resolved and settled.counted == ("7", "9")
    assert {x.bid_id: x.kept for x in settled.excluded} == {"3": "7", "5": "7"}


def test_mof87_31_a_choice_for_another_set_of_bids_is_not_used() -> None:
    bids = [BrandedBid("1", "HP", D("90")), BrandedBid("2", "HP", D("90")),
            BrandedBid("3", "HP", D("90"))]
    stale = {frozenset({"1", "2"}): "1"}  # made before bid 3 tied with them
    assert select_same_brand(LOW, bids, stale).unresolved == (Tie("hp", ("1", "2", "3")),)
    assert select_same_brand(LOW, bids, {frozenset({"1", "2", "3"}): "9"}).unresolved


def test_mof87_31_without_brands_every_bid_counts() -> None:
    bids = [BrandedBid(str(i), None, D(100 + i)) for i in range(3)]
    s = select_same_brand(LOW, bids)
    assert s.counted == ("0", "1", "2") and s.excluded == () and s.suppliers == 3


def test_gpl_36_suppliers_are_counted_one_per_brand() -> None:
    assert suppliers_counted(["HP", "ＨＰ", "Dell", None, None]) == 4
    assert suppliers_counted([]) == 0


def test_mof87_31_refuses_what_it_cannot_compare() -> None:
    with pytest.raises(ValueError):
        select_same_brand(LOW, [BrandedBid("1", "HP", D(1)), BrandedBid("1", "HP", D(2))])
    with pytest.raises(TypeError):
        select_same_brand(SCORED, [BrandedBid("1", "HP", D(1))])  # no score
    with pytest.raises(TypeError):
        select_same_brand(LOW, [BrandedBid("1", "HP", 1.0)])  # type: ignore[arg-type]
