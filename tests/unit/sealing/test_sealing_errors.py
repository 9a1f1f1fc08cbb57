"""SealingError is the contract the opening use case and the transports switch on."""

from __future__ import annotations

import pytest

from core.errors import DomainError, ErrorKind
from core.sealing import errors
from core.sealing.errors import ERROR_CODES, SealingError

AGREED = {
    "BID_TAMPERED",
    "BID_WRONG_SECTION",
    "BID_KEY_MISMATCH",
    "SHARES_INSUFFICIENT",
    "SHARES_INVALID",
    "KEY_UNWRAP_FAILED",
    "KEY_UNSUPPORTED",
    "COMMITTEE_INVALID",
    "RECEIPT_INVALID",
    "ENVELOPE_MALFORMED",
    "CONTENT_ADDRESS_INVALID",
}


def test_the_codes_are_exactly_the_agreed_ones() -> None:
    assert ERROR_CODES == AGREED
    for code in AGREED:
        assert getattr(errors, code) == code


@pytest.mark.parametrize("code", sorted(AGREED))
def test_every_code_has_a_chinese_and_an_english_message(code: str) -> None:
    err = SealingError(code)
    assert isinstance(err, DomainError)
    assert err.kind is ErrorKind.INVALID
    assert err.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message_zh)
    assert err.message_en.isascii() and err.message_en
    assert str(err) == err.message_en


def test_reason_and_details_travel_with_the_error() -> None:
    err = SealingError("BID_TAMPERED", reason="truncated", chunk=3)
    assert err.details == {"reason": "truncated", "chunk": 3}
    assert "truncated" in err.message_en


def test_an_unregistered_code_is_a_programming_error() -> None:
    with pytest.raises(AssertionError):
        SealingError("BID_TAMPERD")
