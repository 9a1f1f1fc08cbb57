"""Ranking: responsive bids only, the documented tie-breaks of each domain, a 并列 kept as one,
at most 3 candidates once it is settled."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError
from core.evaluation import (
    CONSULTATION_TIE_BREAKS,
    DEFAULT_TIE_BREAKS,
    GOV_PROCUREMENT_TIE_BREAKS,
    EvaluatedBid,
    EvaluationMethod,
    RejectionGround,
    TieBreak,
    rank_bids,
    top_candidates,
)

D = Decimal
COMP = EvaluationMethod.COMPREHENSIVE
LOWEST = EvaluationMethod.LOWEST_EVALUATED_PRICE


def bid(
    bid_id: str,
    price: str,
    *,
    score: str | None = None,
    technical: str | None = None,
    evaluated: str | None = None,
    rejections: tuple[RejectionGround, ...] = (),
) -> EvaluatedBid:
    return EvaluatedBid(
        bid_id,
        D(price),
        score=None if score is None else D(score),
        technical_score=None if technical is None else D(technical),
        evaluated_price=None if evaluated is None else D(evaluated),
        rejections=rejections,
    )


def order(bids: list[EvaluatedBid], method: EvaluationMethod = COMP, **kw: object) -> list[str]:
    return [r.bid.bid_id for r in rank_bids(method, bids, **kw).ranked]  # type: ignore[arg-type]


def test_comprehensive_ranks_by_score_descending() -> None:
    bids = [bid("A", "100", score="80"), bid("B", "90", score="95"), bid("C", "95", score="85")]
    ranking = rank_bids(COMP, bids)
    assert [(r.rank, r.bid.bid_id) for r in ranking.ranked] == [(1, "B"), (2, "C"), (3, "A")]
    assert ranking.rejected == ()


def ranks(ranking: object) -> list[tuple[int, str]]:
    return [(r.rank, r.bid.bid_id) for r in ranking.ranked]  # type: ignore[attr-defined]


def test_engineering_lower_price_then_the_tenderer_decides() -> None:
    """标准施工招标文件 [unverified]: equal scores go to the lower bid price; equal prices too are
    the tenderer's to settle (a 并列 here). The review's case 4: A 90.00 (technical 60, price
    1,000,000), B 90.00 (technical 55, price 950,000) -> B first; the technical score decides
    nothing. Case 4b: nothing else (the receipt time used to) breaks an equal price."""
    assert DEFAULT_TIE_BREAKS == (TieBreak.LOWER_PRICE,)
    case_4 = [bid("A", "1000000", score="90.00", technical="60"),
              bid("B", "950000", score="90.00", technical="55")]
    assert order(case_4) == ["B", "A"]
    case_4b = [bid("A", "950000", score="90.00", technical="60"),
               bid("B", "950000", score="90.00", technical="55"),
               bid("C", "990000", score="89.99", technical="70")]
    ranking = rank_bids(COMP, case_4b)
    assert [(r.rank, r.bid.bid_id, r.tied_with) for r in ranking.ranked] == [
        (1, "A", ("B",)), (1, "B", ("A",)), (3, "C", ())]
    # 经评审的最低投标价法: equal evaluated prices go to the lower bid price as well
    lowest = [bid("A", "100", evaluated="90"), bid("B", "95", evaluated="90")]
    assert ranks(rank_bids(LOWEST, lowest)) == [(1, "B"), (2, "A")]


def test_a_bid_without_technical_score_comes_after_one_with_it() -> None:
    bids = [bid("A", "90", score="90"), bid("B", "100", score="90", technical="0")]
    assert order(bids, tie_breaks=(TieBreak.HIGHER_TECHNICAL_SCORE,)) == ["B", "A"]


def test_an_unbroken_tie_shares_the_rank_and_stays_on_the_candidate_list() -> None:
    bids = [
        bid("C", "100", score="90", technical="45"),
        bid("A", "100", score="95"),
        bid("B", "100", score="90", technical="45"),
        bid("D", "100", score="80"),
    ]
    ranking = rank_bids(COMP, bids)
    assert [(r.rank, r.bid.bid_id, r.tied_with) for r in ranking.ranked] == [
        (1, "A", ()),
        (2, "B", ("C",)),
        (2, "C", ("B",)),
        (4, "D", ()),
    ]
    assert [c.bid.bid_id for c in top_candidates(ranking, 1)] == ["A"]
    # the tie straddles the end of a list of two: both tied bids come in, the settlement decides
    assert [(c.rank, c.bid.bid_id) for c in top_candidates(ranking, 2)] == [
        (1, "A"), (2, "B"), (2, "C")]
    assert top_candidates(ranking, 3) == ranking.ranked[:3]  # inside the list: kept as tied


def test_a_tie_across_the_third_place_brings_every_tied_bid_in() -> None:
    bids = [bid("X", "100", score="99")] + [bid(c, "100", score="90") for c in "ABC"] + [
        bid("Y", "100", score="80")]
    chosen = top_candidates(rank_bids(COMP, bids))
    assert [(c.rank, c.bid.bid_id) for c in chosen] == [(1, "X"), (2, "A"), (2, "B"), (2, "C")]
    assert [c.tied_with for c in chosen][1:] == [("B", "C"), ("A", "C"), ("A", "B")]


def test_mof87_56_equal_evaluated_prices_tie() -> None:
    """87号令 56 最低评标价法: "投标报价相同的并列". The review's case 5: A (a small firm) bids 100,
    evaluated 90 after the policy deduction; B bids 90 -> a 并列 at 90 — the raw price (A's 100)
    does not break it."""
    bids = [bid("A", "100", evaluated="90"), bid("B", "90"), bid("C", "91")]
    ranking = rank_bids(LOWEST, bids, tie_breaks=GOV_PROCUREMENT_TIE_BREAKS)
    assert [(r.rank, r.bid.bid_id, r.tied_with) for r in ranking.ranked] == [
        (1, "A", ("B",)), (1, "B", ("A",)), (3, "C", ())]
    assert ranking.tie_breaks == (TieBreak.LOWER_EVALUATED_PRICE,)
    assert ranks(rank_bids(LOWEST, bids)) == [(1, "B"), (2, "A"), (3, "C")]  # engineering


def test_mof87_57_equal_scores_go_to_the_lower_evaluated_price_then_tie() -> None:
    """87号令 57 综合评分法: equal scores by the lower 投标报价 — the evaluated one, after the
    deduction (our reading) — then 并列; the technical score decides nothing. The review's case 2:
    A and B both at 90.00 and 100 -> 并列."""
    bids = [
        bid("A", "100", score="90", technical="50"),
        bid("B", "100", score="90", technical="10"),
        bid("C", "105", score="90", technical="40", evaluated="99"),
        bid("D", "98", score="89"),
    ]
    ranking = rank_bids(COMP, bids, tie_breaks=GOV_PROCUREMENT_TIE_BREAKS)
    assert [(r.rank, r.bid.bid_id, r.tied_with) for r in ranking.ranked] == [
        (1, "C", ()), (2, "A", ("B",)), (2, "B", ("A",)), (4, "D", ())]
    # the engineering rule reads the bid price: C's 105 puts it last of the three
    assert order(bids) == ["A", "B", "C", "D"]


def test_mof214_25_consultation_ties_go_to_the_lower_offer_then_the_technical_criteria(
) -> None:
    """The review's example: equal score and last offer, A technical 60, B 55 -> A first."""
    bids = [
        bid("B", "95", score="90", technical="55"),
        bid("A", "95", score="90", technical="60"),
        bid("C", "94", score="90", technical="10"),
    ]
    ranking = rank_bids(COMP, bids, tie_breaks=CONSULTATION_TIE_BREAKS)
    assert [(r.rank, r.bid.bid_id) for r in ranking.ranked] == [(1, "C"), (2, "A"), (3, "B")]


def test_rejected_bids_are_excluded_with_their_grounds() -> None:
    bids = [
        bid("A", "50", score="99", rejections=(RejectionGround.BELOW_COST,)),
        bid("B", "100", score="90"),
        bid("C", "200", score="95", rejections=(RejectionGround.ABOVE_CEILING,)),
        bid("D", "100", rejections=(RejectionGround.NO_SEAL_OR_SIGNATURE,)),  # no score needed
    ]
    ranking = rank_bids(COMP, bids)
    assert [r.bid.bid_id for r in ranking.ranked] == ["B"]
    assert [(b.bid_id, b.rejections) for b in ranking.rejected] == [
        ("A", (RejectionGround.BELOW_COST,)),
        ("C", (RejectionGround.ABOVE_CEILING,)),
        ("D", (RejectionGround.NO_SEAL_OR_SIGNATURE,)),
    ]


def test_lowest_evaluated_price_ranks_by_evaluated_price_ascending() -> None:
    bids = [
        bid("A", "100", evaluated="104"),
        bid("B", "102"),
        bid("C", "101", evaluated="98", rejections=(RejectionGround.NOT_RESPONSIVE,)),
        bid("D", "103", evaluated="102"),
    ]
    # B and D tie at 102: the engineering rule puts the lower bid price first (B 102 < D 103)
    assert order(bids, LOWEST) == ["B", "D", "A"]
    assert order(bids, EvaluationMethod.LOWEST_PRICE) == ["B", "D", "A"]


def test_top_candidates_at_most_three() -> None:
    bids = [bid(c, "100", score=str(90 - i)) for i, c in enumerate("ABCDE")]
    ranking = rank_bids(COMP, bids)
    assert [c.bid.bid_id for c in top_candidates(ranking)] == ["A", "B", "C"]
    assert [c.rank for c in top_candidates(ranking, 2)] == [1, 2]
    with pytest.raises(DomainError) as err:
        top_candidates(ranking, 4)
    assert err.value.code == "TOO_MANY_CANDIDATES"
    assert "第五十三条" in err.value.message_zh
    with pytest.raises(ValueError):
        top_candidates(ranking, 0)
    assert top_candidates(rank_bids(COMP, bids[:2])) == rank_bids(COMP, bids[:2]).ranked
    assert top_candidates(rank_bids(COMP, [])) == ()


def test_bad_bids_are_refused() -> None:
    with pytest.raises(DomainError) as err:
        rank_bids(COMP, [bid("A", "100", score="1"), bid("A", "90", score="2")])
    assert err.value.code == "BID_DUPLICATE"
    with pytest.raises(DomainError) as err:
        rank_bids(COMP, [bid("A", "100")])
    assert err.value.code == "BID_SCORE_MISSING"
    with pytest.raises(DomainError) as err:
        rank_bids(LOWEST, [bid("A", "0")])
    assert err.value.code == "PRICE_NOT_POSITIVE"
    with pytest.raises(TypeError):
        rank_bids(LOWEST, [EvaluatedBid("A", 100.0)])  # type: ignore[arg-type]


bid_lists = st.lists(
    st.tuples(
        st.integers(0, 5),  # score
        st.integers(0, 3),  # technical
        st.integers(1, 4),  # price
        st.booleans(),  # rejected
    ),
    max_size=8,
).map(
    lambda rows: [
        bid(
            f"B{i}",
            str(price),
            score=str(score),
            technical=str(tech),
            rejections=(RejectionGround.NOT_RESPONSIVE,) if rejected else (),
        )
        for i, (score, tech, price, rejected) in enumerate(rows)
    ]
)


@given(bid_lists, st.randoms(use_true_random=False))
def test_ranking_is_deterministic_ordered_and_complete(
    bids: list[EvaluatedBid], rnd: random.Random
) -> None:
    ranking = rank_bids(COMP, bids)
    shuffled = list(bids)
    rnd.shuffle(shuffled)
    again = rank_bids(COMP, shuffled)
    assert again.ranked == ranking.ranked
    assert {r.bid.bid_id for r in ranking.ranked} == {b.bid_id for b in bids if b.responsive}
    assert {b.bid_id for b in ranking.rejected} == {b.bid_id for b in bids if not b.responsive}
    keys = [(-r.bid.score, r.bid.price) for r in ranking.ranked]  # type: ignore[operator]
    assert keys == sorted(keys)
    for position, entry in enumerate(ranking.ranked):
        earlier = [k for k in keys[:position] if k < keys[position]]
        assert entry.rank == len(earlier) + 1
        assert (entry.tied_with != ()) == (keys.count(keys[position]) > 1)
