"""公民身份号码 (GB 11643-1999), used for natural-person bidders, experts and contacts.

Layout: 6-digit address code (GB/T 2260) + 8-digit birth date YYYYMMDD + 3-digit sequence (odd =
male) + 1 check character (ISO 7064 MOD 11-2, 'X' standing for 10).

Rules and why:

* Address code: only the first two digits are checked against the provincial codes. The full code
  is the one in force when the number was issued; regions merged since then keep their old codes
  in millions of valid numbers, so looking up the current table would refuse real people.
  Prefixes 81, 82 and 83 are also accepted: 港澳台居民居住证 numbers follow GB 11643 with address
  codes 810000 / 820000 / 830000 (83 is not a GB/T 2260 province, so it is added explicitly).
* Birth date: a real calendar date, not before 1900-01-01 and not after today in Beijing time
  (UTC+8; China has no daylight saving time). The standard's own 1880 example is thus refused.
* 15-digit numbers (pre-1999, no check digit) are refused: they cannot be checked, and each
  holder has since been issued an 18-digit number.
* Lower-case 'x' is accepted and stored as 'X'.
* Not covered: the 2017/2023 外国人永久居留身份证 numbers (starting with 9 or another layout).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from core.codes.errors import (
    ID_NUMBER_BAD_CHECK,
    ID_NUMBER_BAD_DATE,
    ID_NUMBER_INVALID_FORMAT,
    CodeError,
    shown,
)
from core.codes.iso7064 import mod11_2_check
from core.codes.regions import province_codes

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
RESIDENCE_PERMIT_PREFIXES = frozenset({"81", "82", "83"})

_ID_RE = re.compile("[0-9]{17}[0-9X]")
_LEGACY_RE = re.compile("[0-9]{15}")


def _beijing_today() -> date:
    return datetime.now(BEIJING).date()


def _format_error(number: object, zh: str, en: str) -> CodeError:
    return CodeError(
        ID_NUMBER_INVALID_FORMAT,
        f"公民身份号码 {shown(number)} 格式错误：{zh}",
        f"ID number {shown(number)} is malformed: {en}",
        value=number,
    )


def validate_resident_id(number: str, *, today: date | None = None) -> str:
    """Check an 18-character citizen ID number and return it with 'X' upper-cased.

    ``today`` exists for tests and for re-checking old records; it defaults to today in Beijing.
    """
    if not isinstance(number, str) or not number.isascii():
        raise _format_error(
            number, "须为 18 位数字（末位可为 X）", "expected 18 digits (last may be X)"
        )
    normal = number.upper()
    if _LEGACY_RE.fullmatch(normal):
        raise _format_error(
            number,
            "不受理 15 位旧号码，须提供 18 位公民身份号码",
            "15-digit legacy numbers are not accepted; the 18-digit number is required",
        )
    if not _ID_RE.fullmatch(normal):
        raise _format_error(
            number, "须为 18 位数字（末位可为 X）", "expected 18 digits (last may be X)"
        )
    if normal[:2] not in province_codes() | RESIDENCE_PERMIT_PREFIXES:
        raise _format_error(
            number,
            f"前两位 {normal[:2]} 不是 GB/T 2260 省级行政区划代码",
            f"the first two digits {normal[:2]} are not a GB/T 2260 province code",
        )
    _check_birth_date(normal, number, today if today is not None else _beijing_today())
    expected = mod11_2_check(normal[:17])
    if normal[17] != expected:
        raise CodeError(
            ID_NUMBER_BAD_CHECK,
            f"公民身份号码 {normal} 校验码错误，应为 {expected}",
            f"ID number {normal} has a bad check character; expected {expected}",
            value=number,
            expected=expected,
        )
    return normal


def _check_birth_date(normal: str, original: object, today: date) -> date:
    digits = normal[6:14]
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        born = None
    if born is None or not EARLIEST_BIRTH_DATE <= born <= today:
        raise CodeError(
            ID_NUMBER_BAD_DATE,
            f"公民身份号码 {normal} 的出生日期 {digits} 无效：须为 1900-01-01 至今天之间的真实日期",
            f"ID number {normal} has an invalid birth date {digits}: it must be a real date "
            "between 1900-01-01 and today",
            value=original,
        )
    return born


def id_birth_date(number: str) -> date:
    """Birth date encoded in a valid ID number (positions 7-14)."""
    normal = validate_resident_id(number)
    return date(int(normal[6:10]), int(normal[10:12]), int(normal[12:14]))


def id_sex(number: str) -> str:
    """Sex from the parity of position 17 (last digit of the sequence code): odd "M", even "F"."""
    normal = validate_resident_id(number)
    return "M" if int(normal[16]) % 2 == 1 else "F"
