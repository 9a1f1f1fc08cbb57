"""Price score: lowest valid price ÷ price × weight, Decimal, rounded half-up to 2 places."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError
from core.evaluation import price_score

D = Decimal


def test_the_lowest_valid_price_scores_the_full_weight() -> None:
    assert price_score(D("900000"), D("900000"), D("30")) == D("30.00")


def test_a_published_notice_recomputed() -> None:
    # 珠海 2016 notice: base 2,288,231.72, price weight 20 (scores as published).
    lowest = D("2288231.72")
    assert price_score(lowest, D("2296472.00"), D("20")) == D("19.93")
    assert price_score(lowest, D("2299360.00"), D("20")) == D("19.90")
    assert price_score(lowest, D("2311110.40"), D("20")) == D("19.80")


def test_rounding_is_half_up_not_bankers() -> None:
    assert price_score(D("1"), D("8"), D("1")) == D("0.13")  # 0.125: half-even would give 0.12
    assert price_score(D("1"), D("8"), D("1"), places=3) == D("0.125")
    assert price_score(D("90"), D("100"), D("30")) == D("27.00")
    assert price_score(D("1"), D("3"), D("10")) == D("3.33")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        price_score(90.0, D("100"), D("30"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        price_score(D("90"), D("100"), 30)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lowest", "price", "weight", "code"),
    [
        ("0", "100", "30", "PRICE_NOT_POSITIVE"),
        ("90", "-1", "30", "PRICE_NOT_POSITIVE"),
        ("100", "90", "30", "PRICE_BELOW_LOWEST"),
        ("90", "100", "101", "WEIGHT_OUT_OF_RANGE"),
        ("90", "100", "-1", "WEIGHT_OUT_OF_RANGE"),
        ("90", "Infinity", "30", "AMOUNT_NOT_FINITE"),
    ],
)
def test_bad_inputs_are_refused_with_a_code(
    lowest: str, price: str, weight: str, code: str
) -> None:
    with pytest.raises(DomainError) as err:
        price_score(D(lowest), D(price), D(weight))
    assert err.value.code == code


prices = st.decimals(min_value=D("0.01"), max_value=D("1e10"), places=2)
weights = st.decimals(min_value=D("0"), max_value=D("100"), places=2)


@given(prices, prices, prices, weights)
def test_score_is_within_the_weight_and_falls_as_the_price_rises(
    lowest: Decimal, a: Decimal, b: Decimal, weight: Decimal
) -> None:
    low, high = sorted((lowest + a, lowest + b))
    s_low = price_score(lowest, low, weight)
    s_high = price_score(lowest, high, weight)
    assert D(0) <= s_high <= s_low <= weight
    assert s_low.as_tuple().exponent == -2
    assert abs(s_low - lowest * weight / low) <= D("0.005")
