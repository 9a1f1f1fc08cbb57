"""Identifiers of a trade: platform, project / tender project / section, 统一交易标识码.

Codes (技术规范 附录B; lengths [V], composition [I] from samples such as E5300000177|000447|001):

* 交易平台标识码: 11 chars [0-9A-Z], assigned by 中国招标投标公共服务平台 (e.g. E3500000717).
* 项目编号 (17) = platform code + 6-digit sequence; 招标项目编号 (20) = project code + 3 digits;
  标段(包)编号 (23) = tender project code + 3 digits. The prefix chain is what lets a receiver tie
  a section to its tender project, so ``parent_code`` is plain truncation.

Generators refuse sequence 0 (nothing issues it); validators check shape only, because codes from
other platforms (e.g. Fujian's supervisory variant letter + region + yyMMdd + 4 digits) keep the
lengths but not our numbering.

Codes are normalised to upper case, as the XSD character class is upper case only.
"""

from __future__ import annotations

import re
from datetime import date

from core.codes.errors import (
    PLATFORM_CODE_INVALID,
    TRADE_CODE_INVALID,
    UNIFIED_DEAL_CODE_BAD_CHECK,
    UNIFIED_DEAL_CODE_INVALID,
    CodeError,
    shown,
)
from core.codes.industries import validate_industry
from core.codes.iso7064 import mod37_2_check
from core.codes.uscc import validate_uscc

PROJECT_CODE_LENGTH = 17
TENDER_PROJECT_CODE_LENGTH = 20
SECTION_CODE_LENGTH = 23
UNIFIED_DEAL_CODE_LENGTH = 40

_PLATFORM_RE = re.compile("[0-9A-Z]{11}")
_KINDS = {
    PROJECT_CODE_LENGTH: ("项目编号", "project code", re.compile("[0-9A-Z]{11}[0-9]{6}")),
    TENDER_PROJECT_CODE_LENGTH: (
        "招标项目编号",
        "tender project code",
        re.compile("[0-9A-Z]{11}[0-9]{9}"),
    ),
    SECTION_CODE_LENGTH: ("标段(包)编号", "section code", re.compile("[0-9A-Z]{11}[0-9]{12}")),
}
_UNIFIED_RE = re.compile(
    "(?P<industry>[A-Z][0-9]{2})-(?P<uscc>[0-9A-Z]{18})-(?P<day>[0-9]{8})-(?P<seq>[0-9]{6})"
    "-(?P<check>[0-9A-Z*])"
)


def _upper(value: object) -> str:
    """Upper-cased ASCII string, or "" (which no pattern matches) for anything else."""
    return value.upper() if isinstance(value, str) and value.isascii() else ""


def _sequence(seq: int, digits: int, what_zh: str, what_en: str, code: str) -> str:
    top = 10**digits - 1
    # bool is an int subclass; True must not silently become sequence 000001.
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= top:
        raise CodeError(
            code,
            f"{what_zh}流水号 {shown(seq)} 须为 1 至 {top} 的整数",
            f"{what_en} sequence {shown(seq)} must be an integer from 1 to {top}",
            value=seq,
        )
    return f"{seq:0{digits}d}"


def validate_platform_code(code: str) -> str:
    """Check an 11-character 交易平台标识码 and return it upper-cased."""
    normal = _upper(code)
    if not _PLATFORM_RE.fullmatch(normal):
        raise CodeError(
            PLATFORM_CODE_INVALID,
            f"交易平台标识码 {shown(code)} 须为 11 位数字或大写字母",
            f"trading platform code {shown(code)} must be 11 digits or capital letters",
            value=code,
        )
    return normal


def _validate_trade_code(code: str, length: int) -> str:
    what_zh, what_en, pattern = _KINDS[length]
    normal = _upper(code)
    if not pattern.fullmatch(normal):
        raise CodeError(
            TRADE_CODE_INVALID,
            f"{what_zh} {shown(code)} 须为 {length} 位：11 位交易平台标识码加 {length - 11} 位数字",
            f"{what_en} {shown(code)} must be {length} characters: an 11-character platform code "
            f"followed by {length - 11} digits",
            value=code,
        )
    return normal


def validate_project_code(code: str) -> str:
    """Check a 17-character 项目编号 and return it upper-cased."""
    return _validate_trade_code(code, PROJECT_CODE_LENGTH)


def validate_tender_project_code(code: str) -> str:
    """Check a 20-character 招标项目编号 and return it upper-cased."""
    return _validate_trade_code(code, TENDER_PROJECT_CODE_LENGTH)


def validate_section_code(code: str) -> str:
    """Check a 23-character 标段(包)编号 and return it upper-cased."""
    return _validate_trade_code(code, SECTION_CODE_LENGTH)


def project_code(platform_code: str, seq: int) -> str:
    """项目编号: platform code + ``seq`` as 6 digits (1..999999)."""
    platform = validate_platform_code(platform_code)
    return platform + _sequence(seq, 6, "项目编号", "project code", TRADE_CODE_INVALID)


def tender_project_code(project_code: str, seq: int) -> str:
    """招标项目编号: project code + ``seq`` as 3 digits (1..999)."""
    parent = validate_project_code(project_code)
    return parent + _sequence(seq, 3, "招标项目编号", "tender project code", TRADE_CODE_INVALID)


def section_code(tender_project_code: str, seq: int) -> str:
    """标段(包)编号: tender project code + ``seq`` as 3 digits (1..999)."""
    parent = validate_tender_project_code(tender_project_code)
    return parent + _sequence(seq, 3, "标段(包)编号", "section code", TRADE_CODE_INVALID)


def parent_code(code: str) -> str:
    """The code one level up: section -> tender project (20), tender project -> project (17)."""
    normal = _upper(code)
    if len(normal) == SECTION_CODE_LENGTH:
        return validate_section_code(normal)[:TENDER_PROJECT_CODE_LENGTH]
    if len(normal) == TENDER_PROJECT_CODE_LENGTH:
        return validate_tender_project_code(normal)[:PROJECT_CODE_LENGTH]
    raise CodeError(
        TRADE_CODE_INVALID,
        f"只有 20 位招标项目编号和 23 位标段(包)编号有上级编号，{shown(code)} 不是",
        f"only 20-character tender project codes and 23-character section codes have a parent; "
        f"{shown(code)} is neither",
        value=code,
    )


def unified_deal_code(industry: str, uscc: str, day: date, seq: int) -> str:
    """统一交易标识码 in its 40-character form ``{industry}-{uscc}-{yyyyMMdd}-{seq}-{check}``.

    Documented inference (research notes §4): Fujian's generator emits 36 characters
    ``USCC-yyyyMMdd-NNNNNN-C`` but computes the ISO 7064 MOD 37-2 check over
    industry + USCC + date + sequence, while its ingest requires exactly 40 characters. We read
    the 40 as the GB/T 4754 industry code (门类+大类, 3 chars) + '-' + that 36-character body, with
    the check over the same 35 characters, hyphens excluded. Not confirmed against the national
    spec text. ``uscc`` is the trading platform operator's own USCC; ``day`` the project's date.
    """
    industry_code = validate_industry(industry)
    credit_code = validate_uscc(uscc)
    if not isinstance(day, date):
        raise CodeError(
            UNIFIED_DEAL_CODE_INVALID,
            f"统一交易标识码的日期 {shown(day)} 须为日期",
            f"the date of a unified deal code must be a date, not {shown(day)}",
            value=day,
        )
    ymd = day.strftime("%Y%m%d")
    sequence = _sequence(seq, 6, "统一交易标识码", "unified deal code", UNIFIED_DEAL_CODE_INVALID)
    check = mod37_2_check(industry_code + credit_code + ymd + sequence)
    return f"{industry_code}-{credit_code}-{ymd}-{sequence}-{check}"


def _invalid_part(code: str, part_zh: str, part_en: str, cause: CodeError) -> CodeError:
    return CodeError(
        UNIFIED_DEAL_CODE_INVALID,
        f"统一交易标识码 {shown(code)} 的{part_zh}无效：{cause.message_zh}",
        f"unified deal code {shown(code)} has an invalid {part_en}: {cause.message_en}",
        value=code,
        cause=cause.code,
    )


def validate_unified_deal_code(code: str) -> str:
    """Check a 40-character 统一交易标识码 and return it upper-cased.

    Order: shape, then the MOD 37-2 check (a mistyped code is reported as such), then the parts.
    A bad part is reported as UNIFIED_DEAL_CODE_INVALID carrying the part's own error code in
    ``details["cause"]``, so that a caller validating this one field sees one family of codes.
    """
    normal = _upper(code)
    match = _UNIFIED_RE.fullmatch(normal)
    if match is None:
        raise CodeError(
            UNIFIED_DEAL_CODE_INVALID,
            f"统一交易标识码 {shown(code)} 格式错误：应为 40 位"
            "“3 位行业代码-18 位统一社会信用代码-8 位日期-6 位流水号-1 位校验码”",
            f"unified deal code {shown(code)} is malformed: expected 40 characters "
            "'industry(3)-USCC(18)-yyyyMMdd-sequence(6)-check(1)'",
            value=code,
        )
    body = match["industry"] + match["uscc"] + match["day"] + match["seq"]
    expected = mod37_2_check(body)
    if match["check"] != expected:
        raise CodeError(
            UNIFIED_DEAL_CODE_BAD_CHECK,
            f"统一交易标识码 {normal} 校验码错误，应为 {expected}",
            f"unified deal code {normal} has a bad check character; expected {expected}",
            value=code,
            expected=expected,
        )
    try:
        validate_industry(match["industry"])
    except CodeError as e:
        raise _invalid_part(code, "行业代码", "industry code", e) from e
    try:
        validate_uscc(match["uscc"])
    except CodeError as e:
        raise _invalid_part(code, "统一社会信用代码", "USCC", e) from e
    day = match["day"]
    try:
        date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError as e:
        raise CodeError(
            UNIFIED_DEAL_CODE_INVALID,
            f"统一交易标识码 {normal} 的日期 {day} 不是真实日期",
            f"unified deal code {normal} has an impossible date {day}",
            value=code,
        ) from e
    return normal
