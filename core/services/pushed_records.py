"""Reading the fields of a record pushed to us in a national data set (法人, 专家, 信用 …).

A pushed record arrives as the standard writes it: field codes to strings, times as
yyyyMMddHHmmss Beijing time, dates as yyyyMMdd, flags as 0/1 (TRUE_OR_FALSE). Each reader here
refuses a bad value with a stable code and the field code in ``details['field']``, so the SOAP
answer can name the field the peer must correct. An empty string counts as absent: XML carries
an optional field as an empty element as often as it leaves it out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime

from core.clock import SHANGHAI
from core.errors import DomainError
from core.services.validation import check_characters

# Carried by every record of every data set; they say who sent it and when, not what it says.
COMMON_FIELDS = frozenset({"PLATFORM_CODE", "PUB_SERVICE_PLAT_CODE", "DATA_TIMESTAMP",
                           "TRADE_PLAT", "PUB_SERVICE_PLAT"})

_DT14 = re.compile("[0-9]{14}")
_D8 = re.compile("[0-9]{8}")


def as_fields(record: object) -> dict[str, str]:
    """The record as field code -> string; anything else is a malformed push."""
    if not isinstance(record, Mapping):
        raise DomainError("RECORD_MALFORMED", "推送的记录不是字段集合",
                          "the pushed record is not a set of fields")
    fields: dict[str, str] = {}
    for key, value in record.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise DomainError("RECORD_MALFORMED", f"字段 {key!s} 的值须为字符串",
                              f"field {key!s} must be a string", field=str(key))
        fields[key] = value
    return fields


def substance(fields: Mapping[str, str]) -> dict[str, str]:
    """What a record says, without the sender's envelope fields (a resend differs only there)."""
    return {k: v for k, v in fields.items() if k not in COMMON_FIELDS and v != ""}


def optional_text(fields: Mapping[str, str], code: str, max_len: int, *,
                  name: bool = False) -> str | None:
    """``name``: the field names someone (the name rule of core/services/validation.py)."""
    value = check_characters(fields.get(code, ""), code, name=name).strip()
    if not value:
        return None
    if len(value) > max_len:
        raise DomainError("FIELD_TOO_LONG", f"字段 {code} 超过 {max_len} 个字符",
                          f"field {code} is longer than {max_len} characters", field=code)
    return value


def text(fields: Mapping[str, str], code: str, max_len: int, *, name: bool = False) -> str:
    value = optional_text(fields, code, max_len, name=name)
    if value is None:
        raise DomainError("FIELD_REQUIRED", f"缺少必填字段 {code}", f"field {code} is required",
                          field=code)
    return value


def exact(fields: Mapping[str, str], code: str, length: int) -> str:
    value = text(fields, code, length)
    if len(value) != length:
        raise DomainError("FIELD_LENGTH_INVALID", f"字段 {code} 的长度应为 {length}",
                          f"field {code} must be {length} characters long", field=code)
    return value


def flag(fields: Mapping[str, str], code: str) -> bool:
    """A TRUE_OR_FALSE field: "1" is true, "0" false."""
    value = text(fields, code, 1)
    if value not in ("0", "1"):
        raise DomainError("FIELD_FLAG_INVALID", f"字段 {code} 的取值应为 0 或 1",
                          f"field {code} must be 0 or 1", field=code)
    return value == "1"


def _instant(value: str, code: str) -> datetime:
    try:
        if _DT14.fullmatch(value):
            local = datetime.strptime(value, "%Y%m%d%H%M%S")
        elif _D8.fullmatch(value):
            local = datetime.strptime(value, "%Y%m%d")
        else:
            raise ValueError(value)
    except ValueError as err:
        raise DomainError("FIELD_DATETIME_INVALID",
                          f"字段 {code} 应为北京时间 yyyyMMddHHmmss（或日期 yyyyMMdd）",
                          f"field {code} must be yyyyMMddHHmmss Beijing time (or yyyyMMdd)",
                          field=code) from err
    return local.replace(tzinfo=SHANGHAI).astimezone(UTC)


def optional_instant(fields: Mapping[str, str], code: str) -> datetime | None:
    """A dt14 (or, as some peers send it, d8 = that day's 00:00) Beijing time, as aware UTC."""
    value = fields.get(code, "").strip()
    return _instant(value, code) if value else None


def instant(fields: Mapping[str, str], code: str) -> datetime:
    moment = optional_instant(fields, code)
    if moment is None:
        raise DomainError("FIELD_REQUIRED", f"缺少必填字段 {code}", f"field {code} is required",
                          field=code)
    return moment


def day(fields: Mapping[str, str], code: str) -> date:
    """A d8 (yyyyMMdd) date field."""
    value = text(fields, code, 8)
    try:
        if not _D8.fullmatch(value):
            raise ValueError(value)
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError as err:
        raise DomainError("FIELD_DATE_INVALID", f"字段 {code} 应为日期 yyyyMMdd",
                          f"field {code} must be a date yyyyMMdd", field=code) from err
