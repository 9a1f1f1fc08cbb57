"""CodeError is the contract other layers switch on: stable codes, two languages, a ValueError."""

from __future__ import annotations

import pytest

from core.codes.errors import ERROR_CODES, CodeError
from core.codes.uscc import validate_uscc
from core.errors import DomainError, ErrorKind

STABLE_CODES = {
    "USCC_INVALID_FORMAT",
    "USCC_BAD_CHECK",
    "ORG_CODE_INVALID_FORMAT",
    "ORG_CODE_BAD_CHECK",
    "ID_NUMBER_INVALID_FORMAT",
    "ID_NUMBER_BAD_DATE",
    "ID_NUMBER_BAD_CHECK",
    "REGION_CODE_UNKNOWN",
    "INDUSTRY_CODE_UNKNOWN",
    "PLATFORM_CODE_INVALID",
    "TRADE_CODE_INVALID",
    "UNIFIED_DEAL_CODE_INVALID",
    "UNIFIED_DEAL_CODE_BAD_CHECK",
    "CODE_TABLE_VALUE_UNKNOWN",
    "USCC_DEPARTMENT_UNKNOWN",
    "USCC_CATEGORY_UNKNOWN",
    "USCC_REGION_UNKNOWN",
}


def test_every_agreed_code_is_registered() -> None:
    assert STABLE_CODES == ERROR_CODES


def test_code_error_is_a_value_error_and_an_invalid_domain_error() -> None:
    err = CodeError("TRADE_CODE_INVALID", "中文", "english", value="x")
    assert isinstance(err, ValueError)
    assert isinstance(err, DomainError)
    assert err.kind is ErrorKind.INVALID
    assert (err.code, err.message_zh, err.message_en) == ("TRADE_CODE_INVALID", "中文", "english")
    assert str(err) == "english"
    assert err.details == {"value": "x"}


def test_an_unregistered_code_is_a_programming_error() -> None:
    with pytest.raises(AssertionError):
        CodeError("USCC_TYPO", "中文", "english")


def test_published_bad_uscc_message_names_value_and_expected_check() -> None:
    with pytest.raises(CodeError) as info:
        validate_uscc("91350100M000100Y4A")
    err = info.value
    assert err.code == "USCC_BAD_CHECK"
    assert err.message_zh == "统一社会信用代码 91350100M000100Y4A 校验码错误，应为 3"
    assert err.message_en == "USCC 91350100M000100Y4A has a bad check character; expected 3"
    assert str(err) == err.message_en
