"""统一社会信用代码 (GB 32100-2015) and 组织机构代码 (GB 11714-1997).

Every legal person bidding, tendering or buying is identified by its USCC, and the USCC is also
part of the 统一交易标识码, so a wrong one spreads to every record. Layout of the 18 characters:

* 1 登记管理部门代码, 2 机构类别代码 (GB 32100-2015 附录A, with the departments added since:
  A 军队, N 农业农村 — :data:`DEPARTMENTS`). An unknown department or category is refused
  (``USCC_DEPARTMENT_UNKNOWN``, ``USCC_CATEGORY_UNKNOWN``). The research review suggested only
  warning on an unknown category, since the table has grown; we refuse it (the issue's own
  counterexample ``95…`` must not pass) and keep the table as data, to extend with a new entry
  when a 赋码 authority adds a category;
* 3-8 登记管理机关行政区划码 (GB/T 2260). The county may be an abolished one, so only the
  province is checked: its first 2 digits name a province, or 10 (central registration,
  100000) — else ``USCC_REGION_UNKNOWN``;
* 9-17 主体标识码 = the GB 11714 organisation code, whose own check character is position 17;
* 18 GB 32100 check character.

Embedded organisation-code check: GB 32100 says positions 9-17 are a GB 11714 code, and GB 11714
check characters are only 0-9 or X. So when position 17 is 0-9 or X we verify it as a GB 11714
check over positions 9-16; when it is any other letter, positions 9-17 cannot be a GB 11714 code
and the check is not applied (the GB 32100 check at position 18 still is). Known limit: some real
codes issued before 2016 (e.g. in Xiamen) fail even the position-18 check and are refused here;
accepting them needs an explicit, audited allow-list upstream, not a weaker rule.

Input is normalised to upper case. Whitespace and full-width characters are not repaired: a value
that needs repair is refused, so that what is stored is exactly what was checked.
"""

from __future__ import annotations

import re
import secrets

from core.codes.errors import (
    ORG_CODE_BAD_CHECK,
    ORG_CODE_INVALID_FORMAT,
    USCC_BAD_CHECK,
    USCC_CATEGORY_UNKNOWN,
    USCC_DEPARTMENT_UNKNOWN,
    USCC_INVALID_FORMAT,
    USCC_REGION_UNKNOWN,
    CodeError,
    shown,
)
from core.codes.regions import province_codes, validate_region

#: 登记管理部门码 -> its 机构类别码. Our reading of GB 32100-2015 附录A (as quoted by secondary
#: sources; the standard's own text was not at hand), with A and N added later.
DEPARTMENTS: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 群众团体, 其他
    "2": frozenset("19"),  # 外交: 外国常住新闻机构, 其他
    "3": frozenset("123459"),  # 司法行政: 律师, 公证, 基层法律服务, 司法鉴定, 仲裁, 其他
    "4": frozenset("19"),  # 文化: 外国在华文化中心, 其他
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": frozenset("129"),  # 旅游: 外国 / 港澳台旅游部门常驻代表机构, 其他
    "7": frozenset("129"),  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": frozenset("19"),  # 工会: 基层工会, 其他
    "9": frozenset("123"),  # 工商 (市场监管): 企业, 个体工商户, 农民专业合作社
    "A": frozenset("19"),  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": frozenset("1239"),  # 农业农村: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": frozenset("1"),  # 其他
}
CENTRAL_REGISTRATION = "10"  # 100000: registered by a central authority

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100 character set: digits and capitals except I, O, Z, S, V; value = index."""

_USCC_VALUES = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # W_i = 3^(i-1) mod 31
_USCC_CHAR = "[0-9A-HJ-NPQRTUWXY]"
# [0-9] rather than \d: \d also matches non-ASCII digits such as '٣'.
_USCC_RE = re.compile(f"{_USCC_CHAR}{{2}}[0-9]{{6}}{_USCC_CHAR}{{10}}")
_USCC_BODY_RE = re.compile(f"{_USCC_CHAR}{{2}}[0-9]{{6}}{_USCC_CHAR}{{9}}")

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_RE = re.compile("[0-9A-Z]{8}")
_ORG_RE = re.compile("[0-9A-Z]{8}[0-9X]")
ORG_CHECK_CHARS = frozenset("0123456789X")


def _upper_ascii(value: object) -> str | None:
    """Upper-cased value, or None when it is not an ASCII string.

    ASCII is required before upper-casing because some non-ASCII letters upper-case to ASCII
    ones ('ı' -> 'I', 'ſ' -> 'S') and would otherwise slip through as a different code.
    """
    if not isinstance(value, str) or not value.isascii():
        return None
    return value.upper()


def _org_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of the 8-character organisation-code body: C9 = 11 - (S mod 11),
    with 10 written as 'X' and 11 as '0'."""
    body = _upper_ascii(first8)
    if body is None or not _ORG_BODY_RE.fullmatch(body):
        raise CodeError(
            ORG_CODE_INVALID_FORMAT,
            f"组织机构代码本体码 {shown(first8)} 须为 8 位数字或大写字母",
            f"organisation code body {shown(first8)} must be 8 digits or capital letters",
            value=first8,
        )
    remainder = 11 - sum(_org_value(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def validate_org_code(code9: str) -> str:
    """Check a 9-character GB 11714 organisation code (no hyphen) and return it upper-cased."""
    code = _upper_ascii(code9)
    if code is None or not _ORG_RE.fullmatch(code):
        raise CodeError(
            ORG_CODE_INVALID_FORMAT,
            f"组织机构代码 {shown(code9)} 格式错误："
            "应为 8 位数字或大写字母加 1 位校验码（0-9 或 X）",
            f"organisation code {shown(code9)} is malformed: expected 8 digits or capital letters "
            "and a check character 0-9 or X",
            value=code9,
        )
    expected = org_code_check_char(code[:8])
    if code[8] != expected:
        raise CodeError(
            ORG_CODE_BAD_CHECK,
            f"组织机构代码 {code} 校验码错误，应为 {expected}",
            f"organisation code {code} has a bad check character; expected {expected}",
            value=code9,
            expected=expected,
        )
    return code


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters: C18 = 31 - (S mod 31), 31 -> 0."""
    body = _upper_ascii(first17)
    if body is None or not _USCC_BODY_RE.fullmatch(body):
        raise CodeError(
            USCC_INVALID_FORMAT,
            f"统一社会信用代码前 17 位 {shown(first17)} 格式错误",
            f"USCC body {shown(first17)} is malformed (17 characters of the GB 32100 set)",
            value=first17,
        )
    total = sum(_USCC_VALUES[ch] * w for ch, w in zip(body, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Check an 18-character USCC (format, position-18 check, embedded GB 11714 check) and return
    it upper-cased; raise CodeError otherwise."""
    normal = _upper_ascii(code)
    if normal is None or not _USCC_RE.fullmatch(normal):
        raise CodeError(
            USCC_INVALID_FORMAT,
            f"统一社会信用代码 {shown(code)} 格式错误：应为 18 位，第 3-8 位为数字，"
            "不使用 I、O、S、V、Z",
            f"USCC {shown(code)} is malformed: 18 characters, positions 3-8 digits, "
            "no I, O, S, V or Z",
            value=code,
        )
    _check_registration(normal, code)
    expected = uscc_check_char(normal[:17])
    if normal[17] != expected:
        raise CodeError(
            USCC_BAD_CHECK,
            f"统一社会信用代码 {normal} 校验码错误，应为 {expected}",
            f"USCC {normal} has a bad check character; expected {expected}",
            value=code,
            expected=expected,
        )
    if normal[16] in ORG_CHECK_CHARS:
        expected_org = org_code_check_char(normal[8:16])
        if normal[16] != expected_org:
            raise CodeError(
                USCC_BAD_CHECK,
                f"统一社会信用代码 {normal} 的主体标识码（组织机构代码）{normal[8:17]} "
                f"校验码错误，第 17 位应为 {expected_org}",
                f"USCC {normal}: its organisation code {normal[8:17]} has a bad check character; "
                f"position 17 should be {expected_org}",
                value=code,
                expected=expected_org,
            )
    return normal


def _check_registration(normal: str, given: str) -> None:
    """Positions 1-2 (who registered it, as what) and 3-4 (in which province)."""
    categories = DEPARTMENTS.get(normal[0])
    if categories is None:
        raise CodeError(
            USCC_DEPARTMENT_UNKNOWN,
            f"统一社会信用代码 {normal} 第 1 位登记管理部门码 {normal[0]} 不存在（GB 32100）",
            f"USCC {normal}: registration department {normal[0]} does not exist (GB 32100)",
            value=given,
        )
    if normal[1] not in categories:
        raise CodeError(
            USCC_CATEGORY_UNKNOWN,
            f"统一社会信用代码 {normal} 第 2 位机构类别码 {normal[1]} 不属于登记管理部门 "
            f"{normal[0]}（GB 32100）",
            f"USCC {normal}: category {normal[1]} does not exist for registration department "
            f"{normal[0]} (GB 32100)",
            value=given,
        )
    province = normal[2:4]
    if province != CENTRAL_REGISTRATION and province not in province_codes():
        raise CodeError(
            USCC_REGION_UNKNOWN,
            f"统一社会信用代码 {normal} 第 3-8 位登记管理机关行政区划码 {normal[2:8]} "
            "不属于任何省级行政区",
            f"USCC {normal}: registration region {normal[2:8]} is in no province",
            value=given,
        )


def uscc_region(code: str) -> str:
    """The registering authority's GB/T 2260 region (positions 3-8) of a valid USCC.

    Not looked up in the current region table: codes issued before a region was abolished stay
    valid for the life of the organisation.
    """
    return validate_uscc(code)[2:8]


def example_uscc(region: str = "350100") -> str:
    """A well-formed USCC for samples and tests: 9 (工商) 1 (企业), ``region``, a random
    organisation-code body (``secrets``; from the GB 32100 set, so the code stays in it) with
    its GB 11714 check, and the GB 32100 check. Well-formed is not registered: it names nobody
    real only by chance, and an operator's own USCC is not a sample to reuse."""
    body8 = "".join(secrets.choice(USCC_ALPHABET) for _ in range(8))
    first17 = "91" + validate_region(region) + body8 + org_code_check_char(body8)
    return first17 + uscc_check_char(first17)
