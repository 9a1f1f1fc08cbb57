"""Format conversions a spec may name: how the standard writes times, amounts and flags.

Times arrive as ISO 8601 (UTC, aware) in event payloads and leave in Beijing time, because the
platforms read ``yyyyMMddHHmmss`` as local time. Amounts arrive as decimal strings in 元; 万元 is
exact division by 10,000 (Decimal, never float).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
TEN_THOUSAND = Decimal(10000)


class ConversionError(ValueError):
    """A value cannot be written in the asked format (the message says why)."""


def _instant(value: object) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError as err:
            raise ConversionError(f"not an ISO 8601 time: {value!r}") from err
    if moment.tzinfo is None:
        raise ConversionError(f"time without a zone: {value!r}")
    return moment.astimezone(BEIJING)


def dt14(value: object) -> str:
    return _instant(value).strftime("%Y%m%d%H%M%S")


def d8(value: object) -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    text = str(value)
    if len(text) == 10 and text[4] == "-":  # a calendar date carries no zone
        return text.replace("-", "")
    return _instant(value).strftime("%Y%m%d")


def beijing_seconds(value: object) -> str:
    """``yyyy-MM-dd HH:mm:ss`` Beijing, as Shanxi writes times."""
    return _instant(value).strftime("%Y-%m-%d %H:%M:%S")


def _decimal(value: object) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as err:
        raise ConversionError(f"not a decimal number: {value!r}") from err
    if not number.is_finite():
        raise ConversionError(f"not a finite number: {value!r}")
    return number


def decimal(value: object) -> str:
    return format(_decimal(value).normalize(), "f")


def yuan_to_wan(value: object) -> str:
    """元 → 万元, exact (a 元 amount with fen has at most 6 decimal places in 万元)."""
    return format((_decimal(value) / TEN_THOUSAND).normalize(), "f")


def integer(value: object) -> str:
    number = _decimal(value)
    if number != number.to_integral_value():
        raise ConversionError(f"not a whole number: {value!r}")
    return str(int(number))


def bool01(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "t"}:
        return "1"
    if text in {"0", "false", "no", "n", "f"}:
        return "0"
    raise ConversionError(f"not a yes/no value: {value!r}")


def present(value: object) -> str:
    """"1" for any value: a flag that says a field is filled (pair it with default "0")."""
    return "1"


def uscc_region(value: object) -> str:
    """The registering authority's region (characters 3-8 of a 统一社会信用代码, GB 32100): where
    a bidder is registered when only its code is known."""
    code = str(value)
    if len(code) != 18:
        raise ConversionError(f"not an 18-character 统一社会信用代码: {value!r}")
    return code[2:8]


def text(value: object) -> str:
    return str(value)


FORMATS: dict[str, Callable[[object], str]] = {
    "dt14": dt14, "d8": d8, "beijing_seconds": beijing_seconds, "decimal": decimal,
    "yuan_to_wan": yuan_to_wan, "integer": integer, "bool01": bool01, "present": present,
    "uscc_region": uscc_region,
    "text": text,
}
