"""Valid example records built from the rule table, for the demo, tests and hand-driving a peer.

Values satisfy the peers' own rules (lengths, formats, enumerations) and chain by default: the
500 ``PROJECT_CODE`` is the prefix of the 501 ``TENDER_PROJECT_CODE``, which prefixes the 502
``BID_SECTION_CODE``, so a 500 → 501 → 502 → 5xx sequence passes the parent rules.
"""

from __future__ import annotations

from sandbox.platforms.rules import DATA_SETS, ENUMS, FieldRule

PROJECT_CODE = "E3500000717000001"
TENDER_PROJECT_CODE = PROJECT_CODE + "001"
BID_SECTION_CODE = TENDER_PROJECT_CODE + "001"
UNIFIED_DEAL_CODE = "A01-91350100M000100Y43-20240101-000001-X"

_KNOWN = {
    "PLATFORM_CODE": "91350100M000100Y43",
    "PUB_SERVICE_PLAT_CODE": "11350000003591037R",
    "DATA_TIMESTAMP": "20240102093000",
    "TRADE_PLAT": "E3500000717",
    "PUB_SERVICE_PLAT": "E3500000001",
    "PROJECT_CODE": PROJECT_CODE,
    "TENDER_PROJECT_CODE": TENDER_PROJECT_CODE,
    "BID_SECTION_CODE": BID_SECTION_CODE,
    "BID_SECTION_CODES": BID_SECTION_CODE,
    "UNIFIED_DEAL_CODE": UNIFIED_DEAL_CODE,
    "UNIFIED_DEAL_CODES": UNIFIED_DEAL_CODE,
    "CURRENCY_CODE": "156",
}


def _value(rule: FieldRule) -> str:
    if rule.kind == "dt14":
        return "20240101093000"
    if rule.kind == "d8":
        return "20240101"
    if rule.kind == "num":
        return "100"
    if rule.kind == "gb2260":
        return "350100"
    if rule.kind == "code11":
        return "E3500000717"
    if rule.kind in ENUMS:
        return ENUMS[rule.kind][0]
    if rule.exact is not None:
        return "1" * rule.exact
    return "示例"[: rule.maximum or 2]


def sample_fields(data_set: str, **overrides: str) -> dict[str, str]:
    """Every mandatory field of ``data_set`` with a valid value; ``overrides`` win."""
    return _fields(data_set, False, overrides)


def sample_fields_with_extensions(data_set: str, **overrides: str) -> dict[str, str]:
    """As ``sample_fields``, plus Fujian's V4 extension fields (for ``extensions_required``)."""
    return _fields(data_set, True, overrides)


def _fields(data_set: str, extensions: bool, overrides: dict[str, str]) -> dict[str, str]:
    rules = DATA_SETS[data_set].fields
    fields = {name: _KNOWN.get(name) or _value(rule) for name, rule in rules.items()
              if rule.required or (extensions and rule.extension)}
    fields.update(overrides)
    return fields
