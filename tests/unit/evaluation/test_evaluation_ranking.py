"""Ranking: responsive bids only, deterministic documented tie-breaks, at most 3 candidates."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError, ErrorKind
from core.evaluation import (
    CONSULTATION_TIE_BREAKS,
    GOV_PROCUREMENT_TIE_BREAKS,
    EvaluatedBid,
    EvaluationMethod,
    RejectionGround,
    TieBreak,
    rank_bids,
    top_candidates,
)

D = Decimal
T0 = datetime(2025, 3, 24, 1, 0, tzinfo=UTC)
COMP = EvaluationMethod.COMPREHENSIVE
LOWEST = EvaluationMethod.LOWEST_EVALUATED_PRICE


def bid(
    bid_id: str,
    price: str,
    *,
    score: str | None = None,
    technical: str | None = None,
    evaluated: str | None = None,
    minutes: int = 0,
    rejections: tuple[RejectionGround, ...] = (),
) -> EvaluatedBid:
    return EvaluatedBid(
        bid_id,
        D(price),
        T0 + timedelta(minutes=minutes),
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


def test_ties_go_to_the_higher_technical_score_first() -> None:
    bids = [
        bid("A", "90", score="90", technical="40"),
        bid("B", "100", score="90", technical="45"),
    ]
    assert order(bids) == ["B", "A"]


def test_then_to_the_lower_price() -> None:
    bids = [
        bid("A", "100", score="90", technical="45", minutes=1),
        bid("B", "99.99", score="90", technical="45", minutes=5),
    ]
    assert order(bids) == ["B", "A"]


def test_then_to_the_earlier_submission() -> None:
    bids = [
        bid("A", "100", score="90", technical="45", minutes=5),
        bid("B", "100", score="90", technical="45", minutes=1),
    ]
    assert order(bids) == ["B", "A"]


def test_a_bid_without_technical_score_comes_after_one_with_it() -> None:
    bids = [bid("A", "90", score="90"), bid("B", "100", score="90", technical="0")]
    assert order(bids) == ["B", "A"]


def test_an_unbroken_tie_shares_the_rank_and_blocks_the_candidate_list() -> None:
    bids = [
        bid("C", "100", score="90", technical="45"),
        bid("A", "100", score="95"),
        bid("B", "100", score="90", technical="45"),
        bid("D", "100", score="80"),
    ]
    ranking = rank_bids(COMP, bids)  # same submission instant for every bid
    assert [(r.rank, r.bid.bid_id, r.tied_with) for r in ranking.ranked] == [
        (1, "A", ()),
        (2, "B", ("C",)),
        (2, "C", ("B",)),
        (4, "D", ()),
    ]
    assert [c.bid.bid_id for c in top_candidates(ranking, 1)] == ["A"]
    with pytest.raises(DomainError) as err:
        top_candidates(ranking, 2)  # the tie straddles the end of the list
    assert err.value.code == "CANDIDATE_TIE_UNRESOLVED"
    assert err.value.kind is ErrorKind.CONFLICT
    assert err.value.details["tied"] == ["B", "C"]
    with pytest.raises(DomainError):
        top_candidates(ranking, 3)  # the tie is inside the list: its order is undefined


def test_gov_procurement_tie_breaks_use_price_only() -> None:
    bids = [
        bid("A", "100", score="90", technical="50"),
        bid("B", "99", score="90", technical="10"),
        bid("C", "99", score="90", technical="40", minutes=-5),
    ]
    ranking = rank_bids(COMP, bids, tie_breaks=GOV_PROCUREMENT_TIE_BREAKS)
    assert [(r.rank, r.bid.bid_id) for r in ranking.ranked] == [(1, "B"), (1, "C"), (3, "A")]
    assert ranking.tie_breaks == (TieBreak.LOWER_PRICE,)
    assert order(bids) == ["A", "C", "B"]  # the default order breaks the tie otherwise


def test_mof214_25_consultation_ties_go_to_the_lower_offer_then_the_technical_criteria(
) -> None:
    """The review's example: equal score and last offer, A technical 60, B 55 -> A first."""
    bids = [
        bid("B", "95", score="90", technical="55"),
        bid("A", "95", score="90", technical="60", minutes=5),  # later: the time decides nothing
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
        bid("D", "103", evaluated="102", minutes=-1),
    ]
    # B and D tie at 102: lower bid price first (B 102 < D 103), submission not reached.
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
        rank_bids(LOWEST, [EvaluatedBid("A", 100.0, T0)])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        rank_bids(LOWEST, [EvaluatedBid("A", D("100"), datetime(2025, 3, 24, 9))])


bid_lists = st.lists(
    st.tuples(
        st.integers(0, 5),  # score
        st.integers(0, 3),  # technical
        st.integers(1, 4),  # price
        st.integers(0, 3),  # submission minute
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
            minutes=minute,
            rejections=(RejectionGround.NOT_RESPONSIVE,) if rejected else (),
        )
        for i, (score, tech, price, minute, rejected) in enumerate(rows)
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
    keys = [
        (-r.bid.score, -r.bid.technical_score, r.bid.price, r.bid.submitted_at)  # type: ignore[operator]
        for r in ranking.ranked
    ]
    assert keys == sorted(keys)
    for position, entry in enumerate(ranking.ranked):
        earlier = [k for k in keys[:position] if k < keys[position]]
        assert entry.rank == len(earlier) + 1
        assert (entry.tied_with != ()) == (keys.count(keys[position]) > 1)
