"""Turning code-rule failures into domain errors, so every caller sees one error shape."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from core.codes.errors import CodeError
from core.codes.tables import CODE_TABLES
from core.errors import DomainError, ErrorKind


def checked(rule: Callable[[str], str], value: str, field: str) -> str:
    """Apply a code rule; its CodeError becomes a DomainError that names the field."""
    try:
        return rule(value)
    except CodeError as err:
        raise DomainError(err.code, err.message_zh, err.message_en, ErrorKind.INVALID,
                          field=field) from err


def table_value(table: str, value: str, field: str) -> str:
    return checked(CODE_TABLES[table].validate, value, field)


CENT = Decimal("0.01")


def amount(value: object, field: str) -> Decimal | None:
    """Money arrives as Decimal or decimal text; refuse negatives and sub-分 precision."""
    if value is None:
        return None
    if not isinstance(value, Decimal | str):  # a JSON float has already lost exactness
        raise DomainError("AMOUNT_INVALID", f"{field} 须以十进制字符串表示，如 \"1000.00\"",
                          f"{field} must be a decimal string such as \"1000.00\"", field=field)
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError) as err:
        raise DomainError("AMOUNT_INVALID", f"{field} 不是有效金额", f"{field} is not an amount",
                          field=field) from err
    if not number.is_finite() or number < 0 or number != number.quantize(CENT):
        raise DomainError(
            "AMOUNT_INVALID",
            f"{field} 必须为非负金额，最多两位小数：{value}",
            f"{field} must be a non-negative amount with at most 2 decimals: {value}",
            field=field,
        )
    return number.quantize(CENT)  # 2 decimals everywhere, not only after a database round trip


def required_text(value: str | None, field: str, max_len: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("FIELD_REQUIRED", f"{field} 不能为空", f"{field} is required",
                          field=field)
    if len(text) > max_len:
        raise DomainError("FIELD_TOO_LONG", f"{field} 超过 {max_len} 个字符",
                          f"{field} is longer than {max_len} characters", field=field)
    return text
