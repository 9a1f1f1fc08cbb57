"""Valid records generated from the definitions themselves (shared by the mappings tests)."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.codes import trade_codes
from mappings.standards.loader import DataSet, FieldDef, code_tables

USCC = "91350100M000100Y43"
PLATFORM = "E3500000717"
PROJECT = trade_codes.project_code(PLATFORM, 1)
TENDER_PROJECT = trade_codes.tender_project_code(PROJECT, 1)
SECTION = trade_codes.section_code(TENDER_PROJECT, 1)
UNIFIED = trade_codes.unified_deal_code("E48", USCC, date(2024, 1, 2), 1)

_BY_CHECK = {
    "uscc": USCC,
    "org_code": "M000100Y4",
    "resident_id": "11010519491231002X",
    "region": "350102",
    "industry": "E48",
    "platform_code": PLATFORM,
    "project_code": PROJECT,
    "tender_project_code": TENDER_PROJECT,
    "section_code": SECTION,
    "unified_deal_code": UNIFIED,
}
_BY_TYPE = {"date": "20240102", "datetime": "20240102093000", "decimal": "1234.50", "integer": "3"}


def valid_value(f: FieldDef) -> str:
    if f.check is not None:
        return _BY_CHECK[f.check]
    if f.code_table is not None:
        return next(iter(code_tables()[f.code_table].values))
    if f.type in _BY_TYPE:
        return _BY_TYPE[f.type]
    if f.pattern is not None and f.pattern.pattern.startswith("https?"):
        return "https://ggzy.example.cn/notice/1"
    size = f.exact_length or min(f.max_length or 8, 8)
    return "X" * size


def valid_record(ds: DataSet) -> dict[str, Any]:
    return {f.code: valid_value(f) for f in ds.fields}
