"""Turning code-rule failures into domain errors, so every caller sees one error shape.

The character rules for text live here too, so REST, SOAP and the CLI refuse the same input:
PostgreSQL cannot store NUL, and a name holding a bidi override or a zero-width character can be
made to display as someone else's (docs/input.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from core.codes.errors import CodeError
from core.codes.tables import CODE_TABLES
from core.errors import DomainError, ErrorKind


def checked(rule: Callable[[str], str], value: str, field: str) -> str:
    """Apply a code rule; its CodeError becomes a DomainError that names the field."""
    if not isinstance(value, str):  # a partial update may carry any JSON value
        raise DomainError("FIELD_NOT_TEXT", f"{field} 须为文本", f"{field} must be text",
                          field=field)
    try:
        return rule(value)
    except CodeError as err:
        raise DomainError(err.code, err.message_zh, err.message_en, ErrorKind.INVALID,
                          field=field) from err


def table_value(table: str, value: str, field: str) -> str:
    return checked(CODE_TABLES[table].validate, value, field)


CENT = Decimal("0.01")
MAX_AMOUNT_DIGITS = 18  # Numeric(20, 2): 18 digits before the point
# [0-9], never \d: Decimal() and \d also take fullwidth '１２３' and Arabic-Indic '٣'.
AMOUNT_TEXT = re.compile(rf"[0-9]{{1,{MAX_AMOUNT_DIGITS}}}(\.[0-9]+)?")


def amount(value: object, field: str) -> Decimal | None:
    """Money arrives as Decimal or decimal text; refuse negatives and sub-分 precision."""
    if value is None:
        return None
    if not isinstance(value, Decimal | str):  # a JSON float has already lost exactness
        raise DomainError("AMOUNT_INVALID", f"{field} 须以十进制字符串表示，如 \"1000.00\"",
                          f"{field} must be a decimal string such as \"1000.00\"", field=field)
    if isinstance(value, str) and not AMOUNT_TEXT.fullmatch(value):
        raise DomainError(
            "AMOUNT_INVALID",
            f"{field} 须为 ASCII 数字的金额，至多 {MAX_AMOUNT_DIGITS} 位整数，如 \"1000.00\"",
            f"{field} must be ASCII digits with at most {MAX_AMOUNT_DIGITS} before the point, "
            "such as \"1000.00\"", field=field)
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError) as err:
        raise DomainError("AMOUNT_INVALID", f"{field} 不是有效金额", f"{field} is not an amount",
                          field=field) from err
    if (not number.is_finite() or number < 0 or number >= 10 ** MAX_AMOUNT_DIGITS
            or number != number.quantize(CENT)):
        raise DomainError(
            "AMOUNT_INVALID",
            f"{field} 必须为非负金额，最多两位小数：{value}",
            f"{field} must be a non-negative amount with at most 2 decimals: {value}",
            field=field,
        )
    return number.quantize(CENT)  # 2 decimals everywhere, not only after a database round trip


# Names (of parties, people, projects, accounts; titles) show who or what something is, so
# they refuse everything invisible or reordering: controls (Cc, tab and newline included),
# format characters (Cf: U+200B zero-width space, U+202E and U+2066-2069 bidi controls, U+FEFF),
# surrogates, private-use and unassigned code points, line and paragraph separators.
NAME_REFUSED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Free text (content, reasons, descriptions) keeps its layout: tab, newline, carriage return.
TEXT_REFUSED = frozenset({"Cc", "Cs"})
LAYOUT = frozenset("\t\n\r")


def refused_character(value: str, *, name: bool) -> str | None:
    """The first character ``value`` may not hold, or None. ``name``: the rule for names."""
    for ch in value:
        category = unicodedata.category(ch)
        if name:
            if category in NAME_REFUSED:
                return ch
        elif category in TEXT_REFUSED and ch not in LAYOUT:
            return ch
    return None


def codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def check_characters(value: str, field: str, *, name: bool) -> str:
    """``value`` unchanged, or TEXT_INVALID_CHARACTER naming the field and the character."""
    bad = refused_character(value, name=name)
    if bad is not None:
        kind_zh, kind_en = ("名称", "a name") if name else ("文本", "text")
        raise DomainError(
            "TEXT_INVALID_CHARACTER",
            f"{field} 含有{kind_zh}中不允许的字符 {codepoint(bad)}",
            f"{field} holds {codepoint(bad)}, a character not allowed in {kind_en}",
            field=field)
    return value


def _text(value: object, field: str, max_len: int, *, name: bool) -> str:
    if not isinstance(value, str):
        raise DomainError("FIELD_NOT_TEXT", f"{field} 须为文本", f"{field} must be text",
                          field=field)
    text = check_characters(value, field, name=name).strip()
    if len(text) > max_len:
        raise DomainError("FIELD_TOO_LONG", f"{field} 超过 {max_len} 个字符",
                          f"{field} is longer than {max_len} characters", field=field)
    return text


def _required(text: str, field: str) -> str:
    if not text:
        raise DomainError("FIELD_REQUIRED", f"{field} 不能为空", f"{field} is required",
                          field=field)
    return text


def required_text(value: object, field: str, max_len: int) -> str:
    """Free text, trimmed: may keep tab and newline, never NUL or another control."""
    return _required(_text("" if value is None else value, field, max_len, name=False), field)


def required_name(value: object, field: str, max_len: int) -> str:
    """A name or title, trimmed: printable characters only (NAME_REFUSED)."""
    return _required(_text("" if value is None else value, field, max_len, name=True), field)


def optional_text(value: object, field: str, max_len: int) -> str | None:
    """Like required_text; None or blank is None."""
    return None if value is None else _text(value, field, max_len, name=False) or None


def optional_name(value: object, field: str, max_len: int) -> str | None:
    """Like required_name; None or blank is None."""
    return None if value is None else _text(value, field, max_len, name=True) or None


PHONE = re.compile(r"[0-9+()\- ]{1,20}")  # ASCII digits: '０５９１' is not a phone number


def optional_phone(value: object, field: str) -> str | None:
    text = optional_name(value, field, 20)
    if text is not None and not PHONE.fullmatch(text):
        raise DomainError("PHONE_INVALID", f"{field} 只能包含 ASCII 数字、空格和 + - ( )",
                          f"{field} holds only ASCII digits, spaces and + - ( )", field=field)
    return text
