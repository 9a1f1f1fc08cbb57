"""ISO 7064 MOD 11-2 and MOD 37-2 against an independent (iterative) reference and their
error-detection guarantees."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.codes.errors import CodeError
from core.codes.iso7064 import MOD37_2_ALPHABET, mod11_2_check, mod37_2_check

ALPHABET37 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"


def oracle_pure_check(values: list[int], modulus: int) -> int:
    """ISO 7064 pure system, recursive form: P = ((P + v) * 2) mod M, then C = (1 - P) mod M
    (the whole string, check included, must reduce to 1)."""
    p = 0
    for v in values:
        p = (p + v) * 2 % modulus
    return (1 - p) % modulus


def oracle_mod37(payload: str) -> str:
    return ALPHABET37[oracle_pure_check([ALPHABET37.index(c) for c in payload], 37)]


def oracle_mod11(digits: str) -> str:
    c = oracle_pure_check([int(d) for d in digits], 11)
    return "X" if c == 10 else str(c)


def is_valid37(code: str) -> bool:
    return mod37_2_check(code[:-1]) == code[-1]


payloads37 = st.text(ALPHABET37[:36], min_size=1, max_size=80)


def test_alphabet_is_the_standard_one() -> None:
    assert MOD37_2_ALPHABET == ALPHABET37


def test_mod11_2_published_examples() -> None:
    assert mod11_2_check("11010519491231002") == "X"  # GB 11643-1999 example
    assert mod11_2_check("44052418800101001") == "4"  # GB 11643-1999 example


@given(st.text("0123456789", min_size=17, max_size=17))
def test_mod11_2_matches_reference(digits: str) -> None:
    assert mod11_2_check(digits) == oracle_mod11(digits)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "1101051949123100",
        "110105194912310021",
        "1101051949123100A",
        "1101051949123100٣",
        " 1101051949123100",
    ],
)
def test_mod11_2_refuses_anything_but_17_ascii_digits(bad: str) -> None:
    with pytest.raises(CodeError) as info:
        mod11_2_check(bad)
    assert info.value.code == "ID_NUMBER_INVALID_FORMAT"


@given(payloads37)
def test_mod37_2_matches_reference_at_every_length(payload: str) -> None:
    # Lengths >= 31 are where floating-point 2**k % 37 (as in the Fujian code) goes wrong.
    assert mod37_2_check(payload) == oracle_mod37(payload)


@settings(max_examples=60, deadline=None)
@given(payloads37)
def test_mod37_2_detects_every_single_substitution(payload: str) -> None:
    code = payload + mod37_2_check(payload)
    assert is_valid37(code)
    for i, original in enumerate(code):
        for replacement in ALPHABET37:
            if replacement != original:
                assert not is_valid37(code[:i] + replacement + code[i + 1 :])


@settings(max_examples=60, deadline=None)
@given(payloads37)
def test_mod37_2_detects_every_adjacent_transposition(payload: str) -> None:
    code = payload + mod37_2_check(payload)
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not is_valid37(swapped)


def test_mod37_2_can_yield_the_star() -> None:
    # 36 ('*') is a legal check value; find a payload that produces it via the reference.
    payload = next(p for p in (f"{n:04d}" for n in range(10000)) if oracle_mod37(p) == "*")
    assert mod37_2_check(payload) == "*"


@pytest.mark.parametrize("bad", ["", "abc", "AB-C", "AB C", "ÄB"])
def test_mod37_2_refuses_characters_outside_the_alphabet(bad: str) -> None:
    with pytest.raises(CodeError) as info:
        mod37_2_check(bad)
    assert info.value.code == "UNIFIED_DEAL_CODE_INVALID"
