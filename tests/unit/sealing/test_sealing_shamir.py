"""Shamir k-of-n over the P-256 group order: any k rebuild, fewer or bad shares are refused."""

from __future__ import annotations

import dataclasses
import itertools
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.sealing.errors import SealingError
from core.sealing.shamir import PRIME, SHARE_SIZE, Share, combine, split

FPR = bytes(range(32))


def code_of(shares: list[Share], k: int) -> str:
    with pytest.raises(SealingError) as info:
        combine(shares, k)
    return info.value.code


def test_every_3_of_5_combination_rebuilds_the_same_secret() -> None:
    secret = secrets.randbelow(PRIME)
    shares = split(secret, 3, 5, committee_fingerprint=FPR)
    for subset in itertools.combinations(shares, 3):
        assert combine(list(subset), 3) == secret
        assert combine(list(reversed(subset)), 3) == secret
    for four in itertools.combinations(shares, 4):
        assert combine(list(four), 3) == secret
    assert combine(shares, 3) == secret


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_k_of_n_rebuilds(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 12))
    k = data.draw(st.integers(1, n))
    secret = data.draw(st.integers(0, PRIME - 1))
    shares = split(secret, k, n)
    chosen = data.draw(st.lists(st.sampled_from(shares), min_size=k, max_size=n, unique=True))
    assert combine(chosen, k) == secret


def test_k_minus_one_shares_are_insufficient() -> None:
    shares = split(12345, 3, 5)
    for subset in itertools.combinations(shares, 2):
        assert code_of(list(subset), 3) == "SHARES_INSUFFICIENT"
    assert code_of([], 3) == "SHARES_INSUFFICIENT"


def test_k_minus_one_shares_fit_every_secret() -> None:
    """With k-1 shares, every candidate secret is reachable by some k-th share: nothing leaks."""
    a, b = split(777, 3, 5)[:2]
    base = combine([a, b, Share(5, 0, 3)], 3)
    slope = (combine([a, b, Share(5, 1, 3)], 3) - base) % PRIME
    for candidate in (0, 1, 778, PRIME - 1):
        y = (candidate - base) * pow(slope, -1, PRIME) % PRIME
        assert combine([a, b, Share(5, y, 3)], 3) == candidate


def test_duplicate_indexes_are_invalid() -> None:
    shares = split(99, 3, 5)
    assert code_of([shares[0], shares[0], shares[1]], 3) == "SHARES_INVALID"
    twin = dataclasses.replace(shares[0], value=(shares[0].value + 1) % PRIME)
    assert code_of([shares[0], twin, shares[1], shares[2]], 3) == "SHARES_INVALID"


def test_an_extra_share_off_the_polynomial_is_invalid() -> None:
    shares = split(99, 3, 5)
    bad = dataclasses.replace(shares[4], value=(shares[4].value + 1) % PRIME)
    assert code_of([*shares[:4], bad], 3) == "SHARES_INVALID"


def test_a_corrupted_share_among_exactly_k_gives_a_wrong_secret() -> None:
    """Shamir alone cannot see it: the committee's public-key check is what refuses it."""
    secret = secrets.randbelow(PRIME)
    shares = split(secret, 3, 5)
    bad = dataclasses.replace(shares[0], value=(shares[0].value + 1) % PRIME)
    assert combine([bad, shares[1], shares[2]], 3) != secret


def test_shares_for_another_threshold_or_committee_are_invalid() -> None:
    shares = split(5, 3, 5, committee_fingerprint=FPR)
    assert code_of(shares[:3], 2) == "SHARES_INVALID"
    other = split(5, 3, 5, committee_fingerprint=bytes(32))
    assert code_of(shares[:2] + other[2:3], 3) == "SHARES_INVALID"


@pytest.mark.parametrize("bad", [
    Share(0, 1, 3), Share(256, 1, 3), Share(1, PRIME, 3), Share(1, -1, 3),
    Share(1, 1, 3, b"short"), Share(True, 1, 3),
])
def test_malformed_shares_are_invalid(bad: Share) -> None:
    good = split(5, 3, 5)
    assert code_of([bad, *good[1:3]], 3) == "SHARES_INVALID"


def test_share_bytes_round_trip_and_hide_the_value() -> None:
    share = split(secrets.randbelow(PRIME), 3, 5, committee_fingerprint=FPR)[2]
    raw = share.to_bytes()
    assert len(raw) == SHARE_SIZE
    assert Share.from_bytes(raw) == share
    assert str(share.value) not in repr(share)
    for bad in (raw[:-1], b"\x02" + raw[1:], raw[:3] + raw[3:-32] + PRIME.to_bytes(32, "big")):
        with pytest.raises(SealingError) as info:
            Share.from_bytes(bad)
        assert info.value.code == "SHARES_INVALID"


def test_splitting_is_randomised_and_bounded() -> None:
    assert split(7, 3, 5) != split(7, 3, 5)
    for k, n in ((0, 3), (4, 3), (2, 256)):
        with pytest.raises(ValueError):
            split(7, k, n)
    for secret in (-1, PRIME):
        with pytest.raises(ValueError):
            split(secret, 2, 3)
