"""GB 32100 统一社会信用代码 and GB 11714 组织机构代码, against reference implementations written
from the standards' weight tables."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.codes.errors import CodeError
from core.codes.uscc import (
    org_code_check_char,
    uscc_check_char,
    uscc_region,
    validate_org_code,
    validate_uscc,
)
from tests.unit.codes.gb32100 import HEADS, PROVINCES

USCC_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weights as printed in GB 32100-2015 and GB 11714-1997.
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
ORG_SET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NOT_ORG_CHECK = [c for c in USCC_SET if c not in "0123456789X"]
# Substitutes: both alphabets, the letters GB 32100 excludes, lower case, and look-alikes.
SUBSTITUTES = ORG_SET + "abcxyz-* _\n٣９Ｙı"

PUBLISHED_VALID = "91350100M000100Y43"


def ref_uscc_check(first17: str) -> str:
    total = sum(USCC_SET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_SET[(31 - total % 31) % 31]


def ref_org_check(first8: str) -> str:
    total = sum(ORG_SET.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def ref_registration_error(code: str) -> str | None:
    """What positions 1-4 alone make of a code: the department, its category, the province."""
    if code[0] not in {h[0] for h in HEADS}:
        return "USCC_DEPARTMENT_UNKNOWN"
    if code[:2] not in HEADS:
        return "USCC_CATEGORY_UNKNOWN"
    if code[2:4] not in PROVINCES and code[2:4] != "10":
        return "USCC_REGION_UNKNOWN"
    return None


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(HEADS))
    region = draw(st.sampled_from([*PROVINCES, "10"])) + draw(
        st.text("0123456789", min_size=4, max_size=4))
    org_body = draw(st.text(USCC_SET, min_size=8, max_size=8))
    # Position 17 is either the right GB 11714 check or a letter that cannot be one.
    use_org_check = draw(st.booleans())
    pos17 = ref_org_check(org_body) if use_org_check else draw(st.sampled_from(NOT_ORG_CHECK))
    first17 = head + region + org_body + pos17
    return first17 + ref_uscc_check(first17)


def test_published_examples() -> None:
    assert validate_uscc(PUBLISHED_VALID) == PUBLISHED_VALID
    assert org_code_check_char("M000100Y") == "4"
    assert validate_org_code("M000100Y4") == "M000100Y4"
    with pytest.raises(CodeError) as info:
        validate_uscc("91350100M000100Y4A")
    assert info.value.code == "USCC_BAD_CHECK"
    assert info.value.details["expected"] == "3"


def test_a_real_code_quoted_in_a_public_bug_report_passes_both_checks() -> None:
    assert validate_uscc("12440600MB2C07549J") == "12440600MB2C07549J"


def test_known_nonconforming_real_code_is_refused() -> None:
    # A real pre-2016 Xiamen code that fails the position-18 check (reported against hutool).
    # Pinned so that accepting such codes is a deliberate decision (an allow-list), not a drift.
    with pytest.raises(CodeError) as info:
        validate_uscc("91350203M0001QKT19")
    assert info.value.code == "USCC_BAD_CHECK"


def test_lower_case_is_normalised() -> None:
    assert validate_uscc(PUBLISHED_VALID.lower()) == PUBLISHED_VALID
    assert validate_org_code("m000100y4") == "M000100Y4"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        PUBLISHED_VALID[:-1],
        PUBLISHED_VALID + "3",
        PUBLISHED_VALID + "\n",  # '$' would accept this; fullmatch must not
        " " + PUBLISHED_VALID,
        "913501O0M000100Y43",  # letter O among the region digits
        "9135010٣M000100Y43",  # Arabic-Indic digit matches \d but is not a digit here
        "９1350100M000100Y43",  # full-width digit
        "91350100M000100I43",  # I is not in the GB 32100 set
        "91350100M000100S43",
    ],
)
def test_malformed_usccs_are_refused_as_format_errors(bad: str) -> None:
    with pytest.raises(CodeError) as info:
        validate_uscc(bad)
    assert info.value.code == "USCC_INVALID_FORMAT"


@pytest.mark.parametrize("bad", [None, 91350100, b"91350100M000100Y43"])
def test_non_strings_are_refused_not_crashed_on(bad: object) -> None:
    with pytest.raises(CodeError) as info:
        validate_uscc(bad)  # type: ignore[arg-type]
    assert info.value.code == "USCC_INVALID_FORMAT"


@given(valid_usccs())
def test_reference_generated_codes_are_accepted(code: str) -> None:
    assert validate_uscc(code) == code
    assert uscc_check_char(code[:17]) == code[17]
    assert uscc_region(code) == code[2:8]


@given(valid_usccs())
def test_round_trip_body_plus_computed_check(code: str) -> None:
    body = code[:17]
    assert validate_uscc(body + uscc_check_char(body)) == body + code[17]


@settings(max_examples=60, deadline=None)
@given(valid_usccs())
def test_every_single_substitution_is_refused(code: str) -> None:
    for i, original in enumerate(code):
        for sub in SUBSTITUTES:
            if sub.upper() == original:
                continue
            tampered = code[:i] + sub + code[i + 1 :]
            with pytest.raises(CodeError) as info:
                validate_uscc(tampered)
            allowed = "0123456789" if 2 <= i <= 7 else USCC_SET
            keeps_format = sub.isascii() and sub.upper() in allowed
            expected = ((ref_registration_error(tampered.upper()) or "USCC_BAD_CHECK")
                        if keeps_format else "USCC_INVALID_FORMAT")
            assert info.value.code == expected, tampered


@given(
    st.sampled_from(HEADS),
    st.sampled_from(PROVINCES).map(lambda p: p + "0100"),
    st.text(USCC_SET, min_size=8, max_size=8),
    st.sampled_from("0123456789X"),
)
def test_embedded_org_code_check_is_enforced_when_position_17_is_0_9_or_x(
    head: str, region: str, org_body: str, pos17: str
) -> None:
    first17 = head + region + org_body + pos17
    code = first17 + ref_uscc_check(first17)  # position 18 right whatever position 17 is
    right = ref_org_check(org_body)
    if pos17 == right:
        assert validate_uscc(code) == code
    else:
        with pytest.raises(CodeError) as info:
            validate_uscc(code)
        assert info.value.code == "USCC_BAD_CHECK"
        assert info.value.details["expected"] == right


@given(st.text(USCC_SET, min_size=8, max_size=8), st.sampled_from(NOT_ORG_CHECK))
def test_embedded_check_is_not_applied_when_position_17_cannot_be_a_gb11714_check(
    org_body: str, pos17: str
) -> None:
    first17 = "913501" + "00" + org_body + pos17
    code = first17 + ref_uscc_check(first17)
    assert validate_uscc(code) == code


@given(st.text(ORG_SET, min_size=8, max_size=8))
def test_org_code_check_matches_reference(body: str) -> None:
    check = org_code_check_char(body)
    assert check == ref_org_check(body)
    assert validate_org_code(body + check) == body + check


@settings(max_examples=60, deadline=None)
@given(st.text(ORG_SET, min_size=8, max_size=8))
def test_org_code_single_check_substitution_is_refused(body: str) -> None:
    right = ref_org_check(body)
    for wrong in "0123456789X":
        if wrong != right:
            with pytest.raises(CodeError) as info:
                validate_org_code(body + wrong)
            assert info.value.code == "ORG_CODE_BAD_CHECK"


@pytest.mark.parametrize(
    "bad", ["", "M000100Y", "M000100Y44", "M000100YA", "M000-100Y", "M00010ſY4"]
)
def test_malformed_org_codes_are_refused(bad: str) -> None:
    with pytest.raises(CodeError) as info:
        validate_org_code(bad)
    assert info.value.code == "ORG_CODE_INVALID_FORMAT"


def test_non_ascii_letters_that_upper_case_to_ascii_are_refused() -> None:
    body = "S0000000"
    code = body + ref_org_check(body)
    assert validate_org_code(code.lower()) == code
    with pytest.raises(CodeError):
        validate_org_code("ſ" + code[1:])  # 'ſ'.upper() == 'S'


@pytest.mark.parametrize("bad", ["", "9135010", "91350100M000100YI", "9135010AM000100Y4"])
def test_check_char_helper_refuses_malformed_bodies(bad: str) -> None:
    with pytest.raises(CodeError) as info:
        uscc_check_char(bad)
    assert info.value.code == "USCC_INVALID_FORMAT"


def test_region_of_the_published_example() -> None:
    assert uscc_region(PUBLISHED_VALID) == "350100"
    with pytest.raises(CodeError):
        uscc_region("91350100M000100Y4A")


@pytest.mark.parametrize(("code", "error"), [
    ("003501001234567885", "USCC_DEPARTMENT_UNKNOWN"),
    ("W13501001234567885", "USCC_DEPARTMENT_UNKNOWN"),
    ("95350100123456788C", "USCC_CATEGORY_UNKNOWN"),
    ("Y9350100123456788A", "USCC_CATEGORY_UNKNOWN"),
    ("91000000123456788T", "USCC_REGION_UNKNOWN"),
])
def test_gb_32100_positions_1_to_4_are_checked(code: str, error: str) -> None:
    """The review's counterexamples: well-formed, right check characters, and no code at all
    (an unknown 登记管理部门, a 机构类别 its department does not have, no province)."""
    first17 = code[:17]
    code = first17 + ref_uscc_check(first17)  # whatever the review's 18th character was
    with pytest.raises(CodeError) as info:
        validate_uscc(code)
    assert info.value.code == error


def test_the_departments_table_is_the_standards() -> None:
    from core.codes.uscc import DEPARTMENTS

    assert sorted(d + c for d, cats in DEPARTMENTS.items() for c in cats) == sorted(HEADS)


def test_central_registration_and_every_province_are_accepted() -> None:
    for prefix in [*PROVINCES, "10"]:
        first17 = "91" + prefix + "0000" + "M000100Y4"
        assert validate_uscc(first17 + ref_uscc_check(first17))
