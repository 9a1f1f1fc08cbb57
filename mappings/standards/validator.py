"""Check one record against its national data-set definition, reporting every violation at once.

``validate_record("501", record)`` returns a list of ``Violation`` (empty when the record passes),
in field order. A record is a flat mapping of field code to value as it would be sent: strings,
with ``int`` / ``Decimal`` also accepted for numeric fields. ``None`` and ``""`` count as absent.

Per field the checks run in layers: presence; Python type; length; pattern; format of the type
(date, datetime, decimal, integer); code table; national identifier rule (``core.codes``). Every
failing layer before the national rule is reported; the national rule runs only on a value that
passed the others, so one mistyped code does not also raise a cascade of identical complaints.

Rule codes are stable (peers and the UI switch on them): the ``RULE_*`` constants below, plus the
``core.codes.errors`` code of a failed national rule (e.g. ``USCC_BAD_CHECK``,
``REGION_CODE_UNKNOWN``, ``TRADE_CODE_INVALID``, ``UNIFIED_DEAL_CODE_BAD_CHECK``). Fields not in
the definition are ignored: provincial profiles add their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from core.codes.errors import CodeError, shown
from core.codes.idcard import validate_resident_id
from core.codes.industries import validate_industry
from core.codes.regions import validate_region
from core.codes.trade_codes import (
    validate_platform_code,
    validate_project_code,
    validate_section_code,
    validate_tender_project_code,
    validate_unified_deal_code,
)
from core.codes.uscc import validate_org_code, validate_uscc
from mappings.standards.loader import FieldDef, code_tables, dataset

RULE_MISSING_MANDATORY = "MISSING_MANDATORY"
RULE_WRONG_TYPE = "WRONG_TYPE"
RULE_LENGTH_EXACT = "LENGTH_EXACT"
RULE_LENGTH_MAX = "LENGTH_MAX"
RULE_PATTERN = "PATTERN_MISMATCH"
RULE_BAD_DATE = "BAD_DATE"
RULE_BAD_DATETIME = "BAD_DATETIME"
RULE_BAD_DECIMAL = "BAD_DECIMAL"
RULE_BAD_INTEGER = "BAD_INTEGER"
RULE_NOT_IN_CODE_TABLE = "NOT_IN_CODE_TABLE"

RULES: frozenset[str] = frozenset(
    {
        RULE_MISSING_MANDATORY,
        RULE_WRONG_TYPE,
        RULE_LENGTH_EXACT,
        RULE_LENGTH_MAX,
        RULE_PATTERN,
        RULE_BAD_DATE,
        RULE_BAD_DATETIME,
        RULE_BAD_DECIMAL,
        RULE_BAD_INTEGER,
        RULE_NOT_IN_CODE_TABLE,
    }
)
"""The validator's own rule codes; national rules add the ``core.codes.errors`` codes."""

def _remembered(check: Callable[[str], str]) -> Callable[[str], str]:
    """The national checks are pure functions of the code: the same codes recur in every record
    of a tender, so a pass is remembered (a failure raises and is never cached)."""
    return lru_cache(maxsize=65536)(check)


_NATIONAL: Mapping[str, Callable[[str], str]] = {
    name: _remembered(check) for name, check in {
        "uscc": validate_uscc,
        "org_code": validate_org_code,
        "resident_id": validate_resident_id,
        "region": validate_region,
        "industry": validate_industry,
        "platform_code": validate_platform_code,
        "project_code": validate_project_code,
        "tender_project_code": validate_tender_project_code,
        "section_code": validate_section_code,
        "unified_deal_code": validate_unified_deal_code,
    }.items()
}
_INTEGER_RE = re.compile("-?[0-9]+")
_DECIMAL_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_FORMATS = {
    "date": ("%Y%m%d", 8, RULE_BAD_DATE),
    "datetime": ("%Y%m%d%H%M%S", 14, RULE_BAD_DATETIME),
}


@dataclass(frozen=True)
class Violation:
    """One broken rule: which data set, which field, which rule (stable code), and why."""

    dataset: str
    field: str
    rule: str
    message: str
    value: Any = None


def validate_record(dataset_code: str, record: Mapping[str, Any]) -> list[Violation]:
    """Every violation of ``record`` against data set ``dataset_code``; KeyError if undefined."""
    ds = dataset(dataset_code)
    out: list[Violation] = []
    for f in ds.fields:
        for rule, message, value in _check_field(f, record.get(f.code)):
            out.append(
                Violation(ds.code, f.code, rule, f"{f.code} ({f.name_zh}): {message}", value)
            )
    return out


def _check_field(f: FieldDef, value: Any) -> list[tuple[str, str, Any]]:
    if value is None or value == "":
        return (
            [(RULE_MISSING_MANDATORY, "mandatory field is missing", value)] if f.mandatory else []
        )
    numeric = f.type in ("decimal", "integer")
    if isinstance(value, bool) or not (
        isinstance(value, str) or (numeric and isinstance(value, int | Decimal))
    ):
        return [(RULE_WRONG_TYPE, f"expected text, got {type(value).__name__}", value)]
    if not isinstance(value, str):
        return _check_number(f, value)
    found: list[tuple[str, str, Any]] = []
    if f.max_length is not None and len(value) > f.max_length:
        found.append((RULE_LENGTH_MAX, f"{len(value)} characters, at most {f.max_length}", value))
    items = value.split(f.separator) if f.separator else [value]
    for item in items:
        found.extend(_check_item(f, item))
    return found


def _check_item(f: FieldDef, item: str) -> list[tuple[str, str, Any]]:
    found: list[tuple[str, str, Any]] = []
    if f.exact_length is not None and len(item) != f.exact_length:
        found.append(
            (RULE_LENGTH_EXACT, f"{len(item)} characters, exactly {f.exact_length} needed", item)
        )
    if f.pattern is not None and not f.pattern.fullmatch(item):
        found.append((RULE_PATTERN, f"{shown(item)} does not match {f.pattern.pattern}", item))
    if f.type in _FORMATS:
        fmt, size, rule = _FORMATS[f.type]
        if not (len(item) == size and item.isdigit() and _parses(item, fmt)):
            found.append((rule, f"{shown(item)} is not a real {fmt.replace('%', '')}", item))
    elif f.type in ("decimal", "integer"):
        found.extend(_check_number(f, item))
    if f.code_table is not None:
        table = code_tables()[f.code_table]
        if item not in table.values:
            allowed = ", ".join(table.values)
            found.append(
                (
                    RULE_NOT_IN_CODE_TABLE,
                    f"{shown(item)} is not in {f.code_table} ({allowed})",
                    item,
                )
            )
    if f.check is not None and not found:
        try:
            _NATIONAL[f.check](item)
        except CodeError as e:
            found.append((e.code, e.message_en, item))
    return found


def _parses(text: str, fmt: str) -> bool:
    """Only the calendar is checked (the caller has checked length and digits). Built from the
    digits directly: strptime costs more than the rest of a record's checks together."""
    try:
        if len(text) == 8:
            datetime(int(text[:4]), int(text[4:6]), int(text[6:8]))
        else:
            datetime(int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]),
                     int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return True


def _check_number(f: FieldDef, value: str | int | Decimal) -> list[tuple[str, str, Any]]:
    if isinstance(value, int):
        return []
    if f.type == "integer":
        ok = isinstance(value, str) and _INTEGER_RE.fullmatch(value) is not None
        return [] if ok else [(RULE_BAD_INTEGER, f"{shown(value)} is not an integer", value)]
    ok = value.is_finite() if isinstance(value, Decimal) else bool(_DECIMAL_RE.fullmatch(value))
    return [] if ok else [(RULE_BAD_DECIMAL, f"{shown(value)} is not a decimal number", value)]
