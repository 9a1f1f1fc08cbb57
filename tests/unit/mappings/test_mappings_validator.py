"""validate_record reports every violation, each with data set, field and a stable rule code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mappings.standards.loader import dataset, datasets
from mappings.standards.validator import (
    RULE_BAD_DATE,
    RULE_BAD_DATETIME,
    RULE_BAD_DECIMAL,
    RULE_BAD_INTEGER,
    RULE_LENGTH_EXACT,
    RULE_LENGTH_MAX,
    RULE_MISSING_MANDATORY,
    RULE_NOT_IN_CODE_TABLE,
    RULE_PATTERN,
    RULE_WRONG_TYPE,
    Violation,
    validate_record,
)
from tests.unit.mappings.records import SECTION, USCC, valid_record


def _with(code: str, **changes: object) -> dict[str, object]:
    record: dict[str, object] = valid_record(dataset(code))
    record.update(changes)
    return record


def _rules(violations: list[Violation]) -> set[tuple[str, str, str]]:
    return {(v.dataset, v.field, v.rule) for v in violations}


@pytest.mark.parametrize("code", sorted(datasets()))
def test_valid_generated_record_passes(code: str) -> None:
    assert validate_record(code, valid_record(dataset(code))) == []


def test_optional_fields_may_be_absent() -> None:
    ds = dataset("501")
    record = {f.code: v for f, v in zip(ds.fields, valid_record(ds).values(), strict=True)}
    for f in ds.fields:
        if not f.mandatory:
            record.pop(f.code)
    assert validate_record("501", record) == []


@pytest.mark.parametrize(
    ("code", "field", "value", "rule"),
    [
        ("501", "TENDER_PROJECT_NAME", None, RULE_MISSING_MANDATORY),
        ("501", "TENDER_PROJECT_NAME", "", RULE_MISSING_MANDATORY),
        ("501", "PLATFORM_CODE", None, RULE_MISSING_MANDATORY),
        ("502", "TRADE_PLAT", None, RULE_MISSING_MANDATORY),
        ("501", "TENDER_PROJECT_NAME", 12, RULE_WRONG_TYPE),
        ("501", "TENDER_PROJECT_NAME", "名" * 601, RULE_LENGTH_MAX),
        ("501", "PLATFORM_CODE", "X" * 17, RULE_LENGTH_EXACT),
        ("501", "TENDER_MODE", "3", RULE_NOT_IN_CODE_TABLE),
        ("501", "TENDER_ORGANIZE_FORM", "4", RULE_NOT_IN_CODE_TABLE),
        ("501", "IS_TO_LAW", "Y", RULE_NOT_IN_CODE_TABLE),
        ("502", "PRICE_UNIT", "2", RULE_NOT_IN_CODE_TABLE),
        ("502", "CURRENCY_CODE", "999", RULE_NOT_IN_CODE_TABLE),
        ("503", "URL", "ftp://x", RULE_PATTERN),
        ("502", "BEGIN_DATE", "20240230", RULE_BAD_DATE),
        ("501", "CREATE_TIME", "2024-01-02 09:30", RULE_BAD_DATETIME),
        ("501", "DATA_TIMESTAMP", "20241302093000", RULE_BAD_DATETIME),
        ("502", "CONTRACT_RECKON_PRICE", "1,000", RULE_BAD_DECIMAL),
        ("502", "CONTRACT_RECKON_PRICE", "1e5", RULE_BAD_DECIMAL),
        ("502", "BID_ECTION_NUM", "1.5", RULE_BAD_INTEGER),
        ("501", "REGION_CODE", "999999", "REGION_CODE_UNKNOWN"),
        ("500", "INDUSTRIES_TYPE", "Z99", "INDUSTRY_CODE_UNKNOWN"),
        ("500", "PROJECT_CODE", "E35000007170000A1", "TRADE_CODE_INVALID"),
        ("502", "BID_SECTION_CODE", "E35000007170000010010A1", "TRADE_CODE_INVALID"),
        ("502", "TRADE_PLAT", "e350000071_", "PLATFORM_CODE_INVALID"),
        ("513", "PROJECT_LEAD_ID", "110105194912310021", "ID_NUMBER_BAD_CHECK"),
    ],
)
def test_each_violation_kind_is_reported(code: str, field: str, value: object, rule: str) -> None:
    violations = validate_record(code, _with(code, **{field: value}))
    assert _rules(violations) == {(code, field, rule)}
    assert field in violations[0].message


def test_unified_deal_code_check_character() -> None:
    good = valid_record(dataset("502"))["UNIFIED_DEAL_CODE"]
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    violations = validate_record("502", _with("502", UNIFIED_DEAL_CODE=bad))
    assert _rules(violations) == {("502", "UNIFIED_DEAL_CODE", "UNIFIED_DEAL_CODE_BAD_CHECK")}


def test_published_uscc_examples() -> None:
    assert validate_record("511", _with("511", FIRST_BIDDER_CODE="91350100M000100Y43")) == []
    violations = validate_record("511", _with("511", SECOND_BIDDER_CODE="91350100M000100Y4A"))
    assert _rules(violations) == {("511", "SECOND_BIDDER_CODE", "USCC_BAD_CHECK")}
    assert violations[0].value == "91350100M000100Y4A"


def test_several_codes_in_one_field_are_each_checked() -> None:
    ok = validate_record("503", _with("503", BID_SECTION_CODES=f"{SECTION},{SECTION}"))
    assert ok == []
    bad = validate_record(
        "503", _with("503", BID_SECTION_CODES=f"{SECTION},E350000071700000100100X")
    )
    assert _rules(bad) == {("503", "BID_SECTION_CODES", "TRADE_CODE_INVALID")}


def test_numbers_may_be_python_numbers() -> None:
    record = _with("502", CONTRACT_RECKON_PRICE=Decimal("10.5"), BID_ECTION_NUM=2)
    assert validate_record("502", record) == []
    assert _rules(validate_record("502", _with("502", CONTRACT_RECKON_PRICE=True))) == {
        ("502", "CONTRACT_RECKON_PRICE", RULE_WRONG_TYPE)
    }


def test_layers_before_the_national_check_suppress_it() -> None:
    violations = validate_record("511", _with("511", FIRST_BIDDER_CODE="9135"))
    assert _rules(violations) == {("511", "FIRST_BIDDER_CODE", RULE_LENGTH_EXACT)}


def test_all_violations_are_reported_at_once() -> None:
    record = _with(
        "501",
        TENDER_PROJECT_NAME=None,
        TENDER_MODE="5",
        REGION_CODE="000000",
        CREATE_TIME="yesterday",
        TENDER_AGENCY_CODE="X" * 19,
        PLATFORM_CODE="short",
    )
    record.pop("DATA_TIMESTAMP")
    assert _rules(validate_record("501", record)) == {
        ("501", "TENDER_PROJECT_NAME", RULE_MISSING_MANDATORY),
        ("501", "TENDER_MODE", RULE_NOT_IN_CODE_TABLE),
        ("501", "REGION_CODE", "REGION_CODE_UNKNOWN"),
        ("501", "CREATE_TIME", RULE_BAD_DATETIME),
        ("501", "TENDER_AGENCY_CODE", RULE_LENGTH_MAX),
        ("501", "PLATFORM_CODE", RULE_LENGTH_EXACT),
        ("501", "DATA_TIMESTAMP", RULE_MISSING_MANDATORY),
    }


def test_extra_fields_are_ignored_and_unknown_dataset_raises() -> None:
    assert validate_record("500", _with("500", FJ_LOCAL_FIELD="x")) == []
    with pytest.raises(KeyError):
        validate_record("999", {})


def test_uscc_constant_is_the_published_example() -> None:
    assert USCC == "91350100M000100Y43"


def test_one_field_can_break_several_layers() -> None:
    violations = validate_record("502", _with("502", CURRENCY_CODE="CNY"))
    assert _rules(violations) == {
        ("502", "CURRENCY_CODE", RULE_PATTERN),
        ("502", "CURRENCY_CODE", RULE_NOT_IN_CODE_TABLE),
    }
