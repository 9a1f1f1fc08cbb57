"""The core's character and number rules (core/services/validation.py), which REST, SOAP and the
CLI all go through: what a name, a free text, an amount and a phone number may hold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from core.services.validation import (
    amount,
    check_characters,
    checked,
    optional_phone,
    required_name,
    required_text,
)

# One of each kind a name refuses, with why it matters.
NAME_HOSTILE = {
    "\x00": "NUL: PostgreSQL refuses it in text",
    "\x07": "a C0 control",
    "\x85": "a C1 control (NEL)",
    "\t": "tab: a name is one line",
    "\n": "newline",
    "\u200b": "zero-width space: two names that look the same",
    "\u200d": "zero-width joiner",
    "\u202e": "right-to-left override: the name reads backwards",
    "\u2066": "left-to-right isolate",
    "\u2069": "pop directional isolate",
    "\ufeff": "byte order mark / zero-width no-break space",
    "\u00ad": "soft hyphen: invisible",
    "\u2028": "line separator",
    "\ue000": "private use: renders as anything a font likes",
    "\u0378": "unassigned",
    "\ud800": "a lone surrogate: cannot even be encoded as UTF-8",
}


@pytest.mark.parametrize("ch", list(NAME_HOSTILE), ids=[f"U+{ord(c):04X}" for c in NAME_HOSTILE])
def test_a_name_refuses_invisible_and_reordering_characters(ch: str) -> None:
    with pytest.raises(DomainError) as err:
        required_name(f"福州{ch}建设有限公司", "name", 200)
    assert err.value.code == "TEXT_INVALID_CHARACTER"
    assert err.value.details["field"] == "name"
    assert f"U+{ord(ch):04X}" in err.value.message_en


@pytest.mark.parametrize("name", ["福州市城市建设投资有限公司", "买买提·艾力",
                                  "ACME (China) Co., Ltd.", "中铁十七局集团　第一工程有限公司",
                                  "Müller & Söhne"])
def test_real_names_pass_unchanged(name: str) -> None:
    assert required_name(f"  {name} ", "name", 200) == name


@pytest.mark.parametrize("ch", ["\x00", "\x01", "\x1b", "\x7f", "\x9f", "\ud800"])
def test_free_text_refuses_nul_and_other_controls(ch: str) -> None:
    with pytest.raises(DomainError) as err:
        required_text(f"第一段{ch}第二段", "content", 1000)
    assert err.value.code == "TEXT_INVALID_CHARACTER"


def test_free_text_keeps_its_layout_and_format_characters() -> None:
    text = "1. 招标条件\n\t本项目已批准。\r\n2. 👩‍💻 范围"  # the emoji holds a zero-width joiner
    assert required_text(text, "content", 1000) == text.strip()


def test_text_that_is_not_a_string_is_refused_with_a_code() -> None:
    for rule in (required_text, required_name):
        with pytest.raises(DomainError) as err:
            rule({"zh": "名称"}, "name", 100)
        assert err.value.code == "FIELD_NOT_TEXT"
    with pytest.raises(DomainError) as err:
        checked(str.upper, 350100, "region_code")  # type: ignore[arg-type]
    assert err.value.code == "FIELD_NOT_TEXT"


@settings(max_examples=200, derandomize=True)
@given(st.text(alphabet=st.characters(categories=["Cc", "Cf", "Co", "Cs", "Zl", "Zp"]),
               min_size=1, max_size=3))
def test_any_control_or_format_character_is_refused_in_a_name(bad: str) -> None:
    with pytest.raises(DomainError) as err:
        check_characters(f"名称{bad}", "name", name=True)
    assert err.value.code == "TEXT_INVALID_CHARACTER"


@pytest.mark.parametrize("text", ["１２３", "١٢٣", "٣", "۳", "१२३", "১২", "12３.00", "1_000",
                                  " 100", "100 ", "+5", "1e3", "Infinity", "NaN", "0x10",
                                  "1" * 19, "1.2.3", "", "-1"])
def test_an_amount_is_ascii_digits_only(text: str) -> None:
    """Decimal() reads '１２３' as 123 and '٣' as 3, and accepts '1_000', ' 100' and '1e3'."""
    with pytest.raises(DomainError) as err:
        amount(text, "total_investment")
    assert err.value.code == "AMOUNT_INVALID"
    assert err.value.details["field"] == "total_investment"


@settings(max_examples=100, derandomize=True)
@given(st.text(alphabet=st.characters(categories=["Nd"]).filter(lambda c: not c.isascii()),
               min_size=1, max_size=6))
def test_no_digit_of_another_script_makes_an_amount(digits: str) -> None:
    with pytest.raises(DomainError) as err:
        amount(digits + ".00", "amount")
    assert err.value.code == "AMOUNT_INVALID"


def test_amounts_at_the_edge_of_the_column() -> None:
    assert amount("9" * 18 + ".99", "amount") == Decimal("9" * 18 + ".99")
    for too_big in ("1" + "0" * 18, Decimal("1e18"), Decimal("1e30")):
        with pytest.raises(DomainError) as err:
            amount(too_big, "amount")
        assert err.value.code == "AMOUNT_INVALID"


@pytest.mark.parametrize("phone", ["０５９１-８８０００００１", "0591\u202e88", "call me", "٠٥٩١"])
def test_a_phone_number_is_ascii(phone: str) -> None:
    with pytest.raises(DomainError) as err:
        optional_phone(phone, "contact_phone")
    assert err.value.code in {"PHONE_INVALID", "TEXT_INVALID_CHARACTER"}


def test_real_phone_numbers_pass() -> None:
    for phone in ("0591-88000001", "+86 591 8800 0001", "(0591) 88000001"):
        assert optional_phone(phone, "contact_phone") == phone
    assert optional_phone(None, "contact_phone") is None
    assert optional_phone("  ", "contact_phone") is None
