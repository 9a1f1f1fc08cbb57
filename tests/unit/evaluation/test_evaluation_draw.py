"""The random draw that settles a 并列 (87号令 68): a pure function of the tied bids and the seed,
so the record reproduces the order."""

from __future__ import annotations

import hashlib
import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.evaluation.draw import (
    ALGORITHM,
    bids_digest,
    canonical_bids,
    draw,
    draw_order,
    reproduces,
    seed_commitment,
)

SEED = "9f" * 32


def test_the_record_reproduces_the_order_by_its_published_method() -> None:
    record = draw([42, 17, 23], SEED)
    assert record.bids == (17, 23, 42)
    assert record.bids_sha256 == hashlib.sha256(b"17,23,42").hexdigest()
    assert record.seed_sha256 == hashlib.sha256(SEED.encode()).hexdigest()
    # the method, written out: each bid keyed by sha256(seed + ":" + bid id), ascending
    by_hand = sorted((17, 23, 42),
                     key=lambda i: hashlib.sha256(f"{SEED}:{i}".encode()).hexdigest())
    assert record.order == tuple(by_hand) == draw_order([23, 42, 17], SEED)
    stored = record.as_json()
    assert stored["algorithm"] == ALGORITHM
    assert reproduces(stored)


@pytest.mark.parametrize("field, value", [
    ("order", None), ("seed", "00" * 32), ("bids", [17, 23, 43]), ("bids_sha256", "0" * 64),
    ("seed_sha256", "0" * 64), ("algorithm", "shuffle")])
def test_a_record_altered_in_any_field_no_longer_holds(field: str, value: object) -> None:
    stored = draw([42, 17, 23], SEED).as_json()
    if value is None:
        value = list(reversed(stored["order"]))
    assert not reproduces({**stored, field: value})


def test_a_record_missing_a_field_or_garbled_does_not_hold() -> None:
    stored = draw([1, 2], SEED).as_json()
    assert not reproduces({k: v for k, v in stored.items() if k != "seed"})
    assert not reproduces({**stored, "order": ["x", "y"]})


def test_a_draw_needs_two_distinct_bids_and_a_seed() -> None:
    with pytest.raises(ValueError):
        draw_order([7], SEED)
    with pytest.raises(ValueError):
        draw_order([7, 7], SEED)
    with pytest.raises(ValueError):
        draw_order([7, 8], "")
    with pytest.raises(TypeError):
        draw_order(["7", "8"], SEED)  # type: ignore[list-item]
    assert canonical_bids([10, 9]) == "9,10"
    assert bids_digest([10, 9]) == hashlib.sha256(b"9,10").hexdigest()
    assert seed_commitment("abc") == hashlib.sha256(b"abc").hexdigest()


@given(st.sets(st.integers(1, 2**31 - 1), min_size=2, max_size=8), st.text(min_size=1),
       st.randoms(use_true_random=False))
def test_the_order_is_a_permutation_that_ignores_the_input_order(
        bids: set[int], seed: str, rnd: random.Random) -> None:
    given_order = list(bids)
    rnd.shuffle(given_order)
    order = draw_order(given_order, seed)
    assert sorted(order) == sorted(bids)
    assert order == draw_order(sorted(bids), seed)
    assert reproduces(draw(given_order, seed).as_json())


def test_every_bid_can_come_first() -> None:
    """Not a test of randomness, only that no bid is favoured by construction: over 600 seeds each
    of three bids is drawn first a fair share of the time."""
    firsts = Counter(draw_order([1, 2, 3], f"seed-{n}")[0] for n in range(600))
    assert set(firsts) == {1, 2, 3}
    assert all(140 < count < 260 for count in firsts.values()), firsts
