"""GB 11643-1999 公民身份号码: published examples, date and province rules, and the MOD 11-2
guarantee that every single substitution is caught."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from core.codes.errors import CodeError
from core.codes.idcard import id_birth_date, id_sex, validate_resident_id

# Weights as printed in GB 11643-1999 (2^(18-i) mod 11) and its check table.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECKS = "10X98765432"
# GB/T 2260 provincial codes, typed from the standard (not read from the module under test).
PROVINCES = [
    str(n)
    for n in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
              50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82)
]  # fmt: skip
FIXED_TODAY = date(2024, 6, 15)


def ref_check(first17: str) -> str:
    return CHECKS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make(address: str, born: date, seq: str = "123") -> str:
    first17 = address + born.strftime("%Y%m%d") + seq
    return first17 + ref_check(first17)


@st.composite
def valid_numbers(draw: st.DrawFn) -> tuple[str, date, str]:
    province = draw(st.sampled_from([*PROVINCES, "83"]))
    address = province + draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=FIXED_TODAY))
    seq = draw(st.text("0123456789", min_size=3, max_size=3))
    return make(address, born, seq), born, seq


def test_published_example_and_its_broken_variant() -> None:
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    assert id_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_sex("11010519491231002X") == "F"  # the standard's example is a woman
    with pytest.raises(CodeError) as info:
        validate_resident_id("110105194912310021")
    assert info.value.code == "ID_NUMBER_BAD_CHECK"
    assert info.value.details["expected"] == "X"


def test_lower_case_x_is_stored_upper_case() -> None:
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"


def test_the_standards_1880_example_has_a_right_check_but_is_refused_by_the_1900_floor() -> None:
    with pytest.raises(CodeError) as info:
        validate_resident_id("440524188001010014")
    assert info.value.code == "ID_NUMBER_BAD_DATE"


def test_legacy_15_digit_numbers_are_refused_asking_for_18() -> None:
    with pytest.raises(CodeError) as info:
        validate_resident_id("110105491231002")
    assert info.value.code == "ID_NUMBER_INVALID_FORMAT"
    assert "15-digit" in info.value.message_en and "18-digit" in info.value.message_en
    assert "15 位" in info.value.message_zh and "18 位" in info.value.message_zh


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "11010519491231002",
        "11010519491231002XX",
        "1101051949123100X2",
        "11010519491231002Y",
        "11010519491231002X\n",
        "١1010519491231002X",
        "１1010519491231002X",
    ],
)
def test_malformed_numbers_are_refused(bad: str) -> None:
    with pytest.raises(CodeError) as info:
        validate_resident_id(bad)
    assert info.value.code == "ID_NUMBER_INVALID_FORMAT"


@pytest.mark.parametrize("bad", [None, 110105194912310021])
def test_non_strings_are_refused(bad: object) -> None:
    with pytest.raises(CodeError) as info:
        validate_resident_id(bad)  # type: ignore[arg-type]
    assert info.value.code == "ID_NUMBER_INVALID_FORMAT"


@pytest.mark.parametrize("prefix", ["00", "10", "16", "47", "66", "70", "84", "99"])
def test_unknown_province_prefix_is_refused_even_with_a_right_check(prefix: str) -> None:
    number = make(prefix + "0101", date(1980, 1, 1))
    with pytest.raises(CodeError) as info:
        validate_resident_id(number, today=FIXED_TODAY)
    assert info.value.code == "ID_NUMBER_INVALID_FORMAT"
    assert prefix in info.value.message_en


def test_abolished_address_codes_stay_valid() -> None:
    # 110103 崇文区 was merged in 2010 and is not in the current table; its numbers live on.
    number = make("110103", date(1975, 3, 8))
    assert validate_resident_id(number, today=FIXED_TODAY) == number


@pytest.mark.parametrize("address", ["810000", "820000", "830000", "710000"])
def test_hong_kong_macao_taiwan_prefixes_are_accepted(address: str) -> None:
    number = make(address, date(1990, 7, 1))
    assert validate_resident_id(number, today=FIXED_TODAY) == number


@pytest.mark.parametrize(
    ("born", "ok"),
    [
        ("19000101", True),
        ("18991231", False),
        ("20000229", True),  # 2000 is a leap year
        ("19000229", False),  # 1900 is not
        ("19801301", False),
        ("19800100", False),
        ("19800431", False),
        ("00000000", False),
        (FIXED_TODAY.strftime("%Y%m%d"), True),
        ((FIXED_TODAY + timedelta(days=1)).strftime("%Y%m%d"), False),
    ],
)
def test_birth_date_rules(born: str, ok: bool) -> None:
    first17 = "350102" + born + "001"
    number = first17 + ref_check(first17)
    if ok:
        assert validate_resident_id(number, today=FIXED_TODAY) == number
    else:
        with pytest.raises(CodeError) as info:
            validate_resident_id(number, today=FIXED_TODAY)
        assert info.value.code == "ID_NUMBER_BAD_DATE"


def test_default_today_refuses_a_birth_date_after_today_in_beijing() -> None:
    beijing_today = datetime.now(timezone(timedelta(hours=8))).date()
    with pytest.raises(CodeError) as info:
        validate_resident_id(make("350102", beijing_today + timedelta(days=2)))
    assert info.value.code == "ID_NUMBER_BAD_DATE"
    past = make("350102", beijing_today - timedelta(days=2))
    assert validate_resident_id(past) == past


@freeze_time("2024-06-15T17:30:00Z")  # already 2024-06-16 01:30 in Beijing
def test_today_is_the_beijing_date_not_the_utc_date() -> None:
    born_today_in_beijing = make("350102", date(2024, 6, 16))
    assert validate_resident_id(born_today_in_beijing) == born_today_in_beijing
    with pytest.raises(CodeError) as info:
        validate_resident_id(make("350102", date(2024, 6, 17)))
    assert info.value.code == "ID_NUMBER_BAD_DATE"


@given(valid_numbers())
def test_reference_generated_numbers_are_accepted_and_decoded(
    case: tuple[str, date, str],
) -> None:
    number, born, seq = case
    assert validate_resident_id(number, today=FIXED_TODAY) == number
    assert id_birth_date(number) == born
    assert id_sex(number) == ("M" if int(seq[2]) % 2 else "F")


@settings(max_examples=60, deadline=None)
@given(valid_numbers())
def test_every_single_substitution_is_refused(case: tuple[str, date, str]) -> None:
    number = case[0]
    for i, original in enumerate(number):
        for sub in "0123456789Xx -٣":
            if sub.upper() == original:
                continue
            with pytest.raises(CodeError):
                validate_resident_id(number[:i] + sub + number[i + 1 :], today=FIXED_TODAY)
