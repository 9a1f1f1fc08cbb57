"""Platform / project / tender project / section codes and the 40-character 统一交易标识码."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.codes.errors import CodeError
from core.codes.industries import INDUSTRY_DIVISIONS
from core.codes.trade_codes import (
    parent_code,
    project_code,
    section_code,
    tender_project_code,
    unified_deal_code,
    validate_platform_code,
    validate_project_code,
    validate_section_code,
    validate_tender_project_code,
    validate_unified_deal_code,
)
from tests.unit.codes.gb32100 import HEADS, PROVINCES

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALPHABET37 = ALNUM + "*"
USCC_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
INDUSTRIES = sorted(section + number for number, (section, _) in INDUSTRY_DIVISIONS.items())
PUBLISHED_USCC = "91350100M000100Y43"


def ref_mod37(payload: str) -> str:
    """ISO 7064 MOD 37-2, recursive form (independent of the weight-table form under test)."""
    p = 0
    for c in payload:
        p = (p + ALPHABET37.index(c)) * 2 % 37
    return ALPHABET37[(1 - p) % 37]


def ref_uscc(first17: str) -> str:
    total = sum(USCC_SET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_SET[(31 - total % 31) % 31]


def deal_code(industry: str, uscc: str, ymd: str, seq: str) -> str:
    """Assemble a 40-character code with a right check, whatever the parts are."""
    return f"{industry}-{uscc}-{ymd}-{seq}-{ref_mod37(industry + uscc + ymd + seq)}"


platforms = st.text(ALNUM, min_size=11, max_size=11)
# Valid USCCs whose position 17 is a letter other than X, so no GB 11714 check applies.
usccs = st.builds(
    lambda head, region, body, p17: ref_uscc(head + region + body + p17),
    st.sampled_from(HEADS),  # a GB 32100 登记管理部门 and category, a province (or 10)
    st.builds(lambda p, rest: p + rest, st.sampled_from([*PROVINCES, "10"]),
              st.text("0123456789", min_size=4, max_size=4)),
    st.text(USCC_SET, min_size=8, max_size=8),
    st.sampled_from("ABCDEFGHJKLMNPQRTUWY"),
)


# --- platform, project, tender project, section -------------------------------------------


@pytest.mark.parametrize("code", ["E1100000084", "E5300000177", "M3400000022", "e3500000717"])
def test_platform_codes_from_the_national_platform(code: str) -> None:
    assert validate_platform_code(code) == code.upper()


@pytest.mark.parametrize(
    "bad", ["", "E110000008", "E11000000845", "E-100000084", "E110000008 ", "Ｅ1100000084", None]
)
def test_malformed_platform_codes(bad: object) -> None:
    with pytest.raises(CodeError) as info:
        validate_platform_code(bad)  # type: ignore[arg-type]
    assert info.value.code == "PLATFORM_CODE_INVALID"


def test_published_sample_compositions() -> None:
    # Samples from cebpubservice data: E5300000177|000447|001 and E3702110182|000293|001|001.
    assert project_code("E5300000177", 447) == "E5300000177000447"
    assert tender_project_code("E5300000177000447", 1) == "E5300000177000447001"
    assert section_code("E3702110182000293001", 1) == "E3702110182000293001001"


@given(platforms, st.integers(1, 999_999), st.integers(1, 999), st.integers(1, 999))
def test_code_chain_lengths_and_parents(platform: str, p: int, t: int, s: int) -> None:
    project = project_code(platform, p)
    tender = tender_project_code(project, t)
    section = section_code(tender, s)
    assert (len(project), len(tender), len(section)) == (17, 20, 23)
    assert project.startswith(platform) and int(project[11:]) == p
    assert tender.startswith(project) and int(tender[17:]) == t
    assert section.startswith(tender) and int(section[20:]) == s
    assert validate_project_code(project) == project
    assert validate_tender_project_code(tender) == tender
    assert validate_section_code(section) == section
    assert parent_code(section) == tender
    assert parent_code(tender) == project


@pytest.mark.parametrize("seq", [0, -1, 1_000_000, True, 1.0, "1", None])
def test_project_sequence_bounds(seq: object) -> None:
    with pytest.raises(CodeError) as info:
        project_code("E3500000717", seq)  # type: ignore[arg-type]
    assert info.value.code == "TRADE_CODE_INVALID"


def test_sequence_limits_are_inclusive() -> None:
    assert project_code("E3500000717", 999_999).endswith("999999")
    assert tender_project_code("E3500000717000001", 999).endswith("999")
    assert section_code("E3500000717000001001", 999).endswith("999")
    for make, parent in ((tender_project_code, "E3500000717000001"),
                         (section_code, "E3500000717000001001")):  # fmt: skip
        for seq in (0, 1000):
            with pytest.raises(CodeError) as info:
                make(parent, seq)
            assert info.value.code == "TRADE_CODE_INVALID"


def test_generators_check_their_parent() -> None:
    with pytest.raises(CodeError) as info:
        project_code("E350000071", 1)
    assert info.value.code == "PLATFORM_CODE_INVALID"
    with pytest.raises(CodeError) as info:
        tender_project_code("E3500000717000001001", 1)  # a 20-char code is no project code
    assert info.value.code == "TRADE_CODE_INVALID"
    with pytest.raises(CodeError) as info:
        section_code("E3500000717000001", 1)
    assert info.value.code == "TRADE_CODE_INVALID"


def test_fujian_supervisory_variant_keeps_the_shape() -> None:
    # letter + region(6) + yyMMdd + 4-digit daily sequence = 17
    assert validate_project_code("J3501002405060001") == "J3501002405060001"


@pytest.mark.parametrize(
    ("validate", "bad"),
    [
        (validate_project_code, "E350000071700268"),
        (validate_project_code, "E35000007170026888"),
        (validate_project_code, "E35000007170026A8"),
        (validate_project_code, "E3500000717-02688"),
        (validate_tender_project_code, "E3500000717002688"),
        (validate_tender_project_code, "E350000071700268800A"),
        (validate_section_code, "E3500000717002688002"),
        (validate_section_code, "E3500000717002688002001\n"),
    ],
)
def test_malformed_trade_codes(validate: object, bad: str) -> None:
    with pytest.raises(CodeError) as info:
        validate(bad)  # type: ignore[operator]
    assert info.value.code == "TRADE_CODE_INVALID"


def test_trade_codes_are_upper_cased() -> None:
    assert validate_section_code("e3500000717002688002001") == "E3500000717002688002001"
    assert parent_code("e3500000717002688002001") == "E3500000717002688002"


@pytest.mark.parametrize(
    "bad",
    ["E3500000717002688", "E3500000717", "", "E350000071700268800A", "E35000007170026880020A1"],
)
def test_parent_code_only_for_valid_20_and_23_character_codes(bad: str) -> None:
    with pytest.raises(CodeError) as info:
        parent_code(bad)
    assert info.value.code == "TRADE_CODE_INVALID"


# --- 统一交易标识码 ---------------------------------------------------------------------------


@settings(deadline=None)
@given(
    st.sampled_from(INDUSTRIES),
    usccs,
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(1, 999_999),
)
def test_unified_deal_code_round_trip(industry: str, uscc: str, day: date, seq: int) -> None:
    code = unified_deal_code(industry, uscc, day, seq)
    assert len(code) == 40
    ymd = day.strftime("%Y%m%d")
    assert code.split("-") == [industry, uscc, ymd, f"{seq:06d}", code[-1]]
    assert code[-1] == ref_mod37(industry + uscc + ymd + f"{seq:06d}")
    assert validate_unified_deal_code(code) == code
    assert validate_unified_deal_code(code.lower()) == code


def test_unified_deal_code_normalises_its_inputs() -> None:
    code = unified_deal_code("e48", PUBLISHED_USCC.lower(), datetime(2024, 5, 6, 23, 59), 1)
    assert code.startswith("E48-91350100M000100Y43-20240506-000001-")
    assert validate_unified_deal_code(code) == code


def shape_allows(i: int, char: str) -> bool:
    """Whether ``char`` at position ``i`` keeps the 3-18-8-6-1 hyphenated shape."""
    if i in (3, 22, 31, 38):
        return char == "-"
    if i == 0:
        return char in ALNUM[10:]
    if i == 39:
        return char in ALPHABET37
    return char in (ALNUM if 4 <= i <= 21 else ALNUM[:10])


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(INDUSTRIES), usccs, st.integers(1, 999_999))
def test_every_single_substitution_of_a_deal_code_is_refused(
    industry: str, uscc: str, seq: int
) -> None:
    code = unified_deal_code(industry, uscc, date(2024, 2, 29), seq)
    for i, original in enumerate(code):
        for sub in ALPHABET37 + "-a ":
            if sub.upper() == original:
                continue
            tampered = code[:i] + sub + code[i + 1 :]
            with pytest.raises(CodeError) as info:
                validate_unified_deal_code(tampered)
            # A change that keeps the shape can only be caught by the MOD 37-2 check, which
            # runs before the parts are examined.
            expected = (
                "UNIFIED_DEAL_CODE_BAD_CHECK"
                if shape_allows(i, sub.upper())
                else "UNIFIED_DEAL_CODE_INVALID"
            )
            assert info.value.code == expected, tampered


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(INDUSTRIES), usccs, st.integers(1, 999_999))
def test_adjacent_transpositions_are_refused(industry: str, uscc: str, seq: int) -> None:
    code = unified_deal_code(industry, uscc, date(2023, 12, 31), seq)
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            with pytest.raises(CodeError):
                validate_unified_deal_code(code[:i] + code[i + 1] + code[i] + code[i + 2 :])


def test_wrong_check_reports_the_expected_character() -> None:
    good = deal_code("E48", PUBLISHED_USCC, "20240506", "000001")
    wrong = next(c for c in ALNUM if c != good[-1])
    with pytest.raises(CodeError) as info:
        validate_unified_deal_code(good[:-1] + wrong)
    assert info.value.code == "UNIFIED_DEAL_CODE_BAD_CHECK"
    assert info.value.details["expected"] == good[-1]


@pytest.mark.parametrize(
    ("industry", "uscc", "ymd", "cause"),
    [
        ("A48", PUBLISHED_USCC, "20240506", "INDUSTRY_CODE_UNKNOWN"),
        ("E48", "91350100M000100Y4A", "20240506", "USCC_BAD_CHECK"),
        ("E48", "91350100M000100Y4S", "20240506", "USCC_INVALID_FORMAT"),
        ("E48", PUBLISHED_USCC, "20230229", None),
        ("E48", PUBLISHED_USCC, "20241301", None),
    ],
)
def test_parts_are_validated_even_when_the_check_is_right(
    industry: str, uscc: str, ymd: str, cause: str | None
) -> None:
    with pytest.raises(CodeError) as info:
        validate_unified_deal_code(deal_code(industry, uscc, ymd, "000001"))
    assert info.value.code == "UNIFIED_DEAL_CODE_INVALID"
    assert info.value.details.get("cause") == cause


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "91350100M000100Y43-20240506-000001-K",  # Fujian's 36-character form
        "E48-91350100M000100Y43-20240506-000001-KK",
        "E48_91350100M000100Y43_20240506_000001_K",
        "E48-91350100M000100Y43-2024056-0000001-K",
        "E4-891350100M000100Y43-20240506-000001-K",
        "E48-91350100M000100Y43-20240506-000001-K\n",
        None,
    ],
)
def test_malformed_deal_codes(bad: object) -> None:
    with pytest.raises(CodeError) as info:
        validate_unified_deal_code(bad)  # type: ignore[arg-type]
    assert info.value.code == "UNIFIED_DEAL_CODE_INVALID"


@pytest.mark.parametrize(
    ("industry", "uscc", "day", "seq", "code"),
    [
        ("A48", PUBLISHED_USCC, date(2024, 5, 6), 1, "INDUSTRY_CODE_UNKNOWN"),
        ("E48", "91350100M000100Y4A", date(2024, 5, 6), 1, "USCC_BAD_CHECK"),
        ("E48", PUBLISHED_USCC, "20240506", 1, "UNIFIED_DEAL_CODE_INVALID"),
        ("E48", PUBLISHED_USCC, date(2024, 5, 6), 0, "UNIFIED_DEAL_CODE_INVALID"),
        ("E48", PUBLISHED_USCC, date(2024, 5, 6), 1_000_000, "UNIFIED_DEAL_CODE_INVALID"),
    ],
)
def test_generator_refuses_bad_parts(
    industry: str, uscc: str, day: object, seq: int, code: str
) -> None:
    with pytest.raises(CodeError) as info:
        unified_deal_code(industry, uscc, day, seq)  # type: ignore[arg-type]
    assert info.value.code == code
