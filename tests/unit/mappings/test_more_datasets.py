"""The data sets added for issue 5 (504, 508, 509, 517, 650-653) load and validate like the rest.

The field lists are transcribed by hand from Fujian's ingest configs, so the expected codes are
spelled out here once more: a slip in a definition file shows up as a failed comparison instead
of as a record the real platform refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from mappings.standards.loader import DataSet, FieldDef, code_tables, dataset, datasets
from mappings.standards.validator import (
    RULE_BAD_DATE,
    RULE_BAD_DECIMAL,
    RULE_BAD_INTEGER,
    RULE_LENGTH_EXACT,
    RULE_LENGTH_MAX,
    RULE_MISSING_MANDATORY,
    RULE_NOT_IN_CODE_TABLE,
    Violation,
    validate_record,
)
from tests.unit.mappings.records import SECTION, UNIFIED, valid_record, valid_value

_ENVELOPE = ("PLATFORM_CODE", "PUB_SERVICE_PLAT_CODE", "DATA_TIMESTAMP")
_ENGINEERING = ("TRADE_PLAT", "PUB_SERVICE_PLAT")
_PLACE = (
    "NA_GEOGRAPHY_POSITION",
    "REGION_CODE",
    "TRA_PLACE_CODE",
    "TRA_AGENCY_NAME",
    "TRA_AGENCY_CODE",
)
_RESULT = (
    "NA_APP_NAME",
    "PUBLISHING_TIME",
    "UNIFIED_DEAL_CODE",
    "IN_BUY_KIND",
    "QT_PLAN_YEARS",
    "QT_TOTAL_AREA",
    *_PLACE,
    "NA_PUBLIC_BIDDER",
    "BIDDER_TYPE",
    "BIDDER_CODE",
    "BIDDER_ROLE",
    "QT_PUBLIC_PRICE",
    "NA_REG_ADDRESS",
    "NA_TD_ADDRESS",
    "DT_BUY_DATE",
    "IN_COST_STYLE",
    "DT_COST_DATE",
    "NA_AREA_COORDINATE",
    "URL",
)

EXPECTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "504": (
        "TENDER_FILE_CLARI_MODI",
        (
            "TENDER_PROJECT_CODE",
            "BID_SECTION_CODE",
            "UNIFIED_DEAL_CODES",
            "DOC_NO",
            "DOC_NAME",
            "BID_QUALIFICATION",
            "BID_DOC_REFER_END_TIME",
            "VALID_PERIOD",
            "BID_DOC_REFER_METHOD",
            "MARGIN_PAY_TYPE",
            "PRICE_FORM_CODE",
            "MARGIN_AMOUNT",
            "MARGIN_CURRENCY",
            "MARGIN_AMOUNT_UNIT",
            "MARGIN_PERCENT",
            "CONTROL_PRICE",
            "CONTROL_PRICE_CURRENCY",
            "CONTROL_PRICE_UNIT",
            "EVALUATING_METHOD",
            "BID_OPEN_TIME",
            "BID_OPEN_PLACE",
            "BID_OPEN_TYPE",
            "QUAL_TYPE",
            "CLARIFY_TIME",
            "IS_POSTPONE",
            "POST_OPEN_TIME",
            "POST_OPEN_ADDRESS",
            "CLARIFY_CONTENT",
            "SUBMIT_TIME",
            "URL",
            "EVALUATION_TYPE",
            *_ENVELOPE,
            *_ENGINEERING,
        ),
    ),
    "508": (
        "BID_EVALUATION_EXPERT",
        (
            "TENDER_PROJECT_CODE",
            "BID_SECTION_CODE",
            "UNIFIED_DEAL_CODE",
            "EXPERT_TYPE",
            "EXPERT_NAME",
            "ID_CARD",
            "ID_CARD_TYPE",
            "EXPERT_CHECK_IN_TIME",
            "IS_CHAIR_MAN",
            *_ENVELOPE,
            *_ENGINEERING,
        ),
    ),
    "509": (
        "EVALUATION_REPORT",
        (
            "TENDER_PROJECT_CODE",
            "BID_SECTION_CODE",
            "UNIFIED_DEAL_CODE",
            "NOTICE_NAME",
            "EVALUATION_CONTENT",
            "SUBMIT_TIME",
            "END_TIME",
            "EVALUATION_RESULT",
            "URL",
            *_ENVELOPE,
            *_ENGINEERING,
        ),
    ),
    "517": (
        "TENDER_ABNORMITY_REPORT",
        (
            "TENDER_PROJECT_CODE",
            "BID_SECTION_CODE",
            "UNIFIED_DEAL_CODE",
            "EXCEPITON_NAME",
            "EXCEPITON_INFOR",
            "APPROVAL_RESULT",
            "APPROVAL_TIME",
            "EXCEPITON_TYPE",
            *_ENVELOPE,
            *_ENGINEERING,
        ),
    ),
    "650": (
        "EXPLOR_BID_AUCTION_TRANS_ANN",
        (
            "NA_APP_NAME",
            "PUBLISHING_TIME",
            "UNIFIED_DEAL_CODE",
            "INVEST_PROJECT_CODE",
            "URL",
            "IN_BUY_KIND",
            "IN_MINE_COME",
            "QT_PLAN_YEARS",
            "QT_TOTAL_AREA",
            *_PLACE,
            "NA_AREA_COORDINATE",
            *_ENVELOPE,
        ),
    ),
    "651": (
        "MINING_BID_AUCTION_TRANS_ANN",
        (
            "NA_APP_NAME",
            "PUBLISHING_TIME",
            "UNIFIED_DEAL_CODE",
            "URL",
            "IN_BUY_KIND",
            "IN_MINE_COME",
            "QT_PLAN_YEARS",
            "QT_TOTAL_AREA",
            *_PLACE,
            "NA_AREA_COORDINATE",
            *_ENVELOPE,
        ),
    ),
    "652": ("EXPLOR_BID_AUC_TRANS_RES_ANN", (*_RESULT, *_ENVELOPE)),
    "653": ("MINING_BID_AUC_TRANS_RES_ANN", (*_RESULT, *_ENVELOPE)),
}
NEW = sorted(EXPECTED)


_KINDS: dict[str, Callable[[FieldDef], bool]] = {
    "mandatory": lambda f: f.mandatory,
    "exact": lambda f: f.exact_length is not None and f.code_table is None,
    "max": lambda f: f.max_length is not None,
    "enum": lambda f: f.code_table is not None,
}


def _fields(kind: str) -> Iterator[tuple[str, FieldDef]]:
    """(data set, field) of the new sets' own fields of one ``kind``, for parametrize."""
    for code in NEW:
        for f in dataset(code).fields:
            if f.code not in _ENVELOPE + _ENGINEERING and _KINDS[kind](f):
                yield code, f


def _params(kind: str) -> list[object]:
    return [pytest.param(code, f, id=f"{code}-{f.code}") for code, f in _fields(kind)]


def _rules(violations: list[Violation]) -> set[tuple[str, str, str]]:
    return {(v.dataset, v.field, v.rule) for v in violations}


def _with(code: str, field: str, value: object) -> dict[str, object]:
    record: dict[str, object] = valid_record(dataset(code))
    record[field] = value
    return record


@pytest.mark.parametrize("code", NEW)
def test_each_new_set_loads_with_the_transcribed_fields(code: str) -> None:
    ds: DataSet = datasets()[code]
    name_en, codes = EXPECTED[code]
    assert ds.name_en == name_en
    assert ds.name_zh
    assert tuple(f.code for f in ds.fields) == codes


@pytest.mark.parametrize("code", NEW)
def test_each_new_set_names_its_source(code: str) -> None:
    source = dataset(code).source
    assert source.document.endswith(".md")
    assert source.confidence in {"V", "I", "?"}
    assert "lishanling/GGZY@d2b1adf" in source.note
    assert "DataConfig" in source.note or "DbEntity" in source.note


def test_engineering_sets_hang_under_a_tender_project() -> None:
    for code in ("504", "508", "509", "517"):
        f = dataset(code).field("TENDER_PROJECT_CODE")
        assert (f.mandatory, f.exact_length, f.check) == (True, 20, "tender_project_code")
    for code in ("508", "509", "517"):
        f = dataset(code).field("BID_SECTION_CODE")
        assert (f.exact_length, f.check, f.separator) == (23, "section_code", None)


def test_fujian_extension_and_inference_are_marked() -> None:
    assert "†" in dataset("504").field("EVALUATION_TYPE").note
    assert "INFERRED" in dataset("652").source.note
    assert "V3/509.json" in dataset("509").source.note
    assert "V3/650.json" in dataset("650").source.note


def test_new_code_table_holds_the_shanxi_values() -> None:
    table = code_tables()["EVALUATION_RESULT"]
    assert dict(table.values) == {"1": "招标失败", "2": "重新招标", "3": "评标结果公示"}
    assert "GCJSEVALUATIONREPORT" in table.source
    assert dataset("509").field("EVALUATION_RESULT").code_table == "EVALUATION_RESULT"
    assert dataset("517").field("EXCEPITON_TYPE").code_table == "EXCEPITON_TYPE"


@pytest.mark.parametrize("code", NEW)
def test_generated_valid_record_passes(code: str) -> None:
    assert validate_record(code, valid_record(dataset(code))) == []


@pytest.mark.parametrize("code", NEW)
def test_optional_fields_may_be_left_out(code: str) -> None:
    ds = dataset(code)
    record = {k: v for k, v in valid_record(ds).items() if ds.field(k).mandatory}
    assert len(record) < len(ds.fields) or all(f.mandatory for f in ds.fields)
    assert validate_record(code, record) == []


@pytest.mark.parametrize(("code", "field"), _params("mandatory"))
def test_missing_mandatory_field_is_reported(code: str, field: FieldDef) -> None:
    record = valid_record(dataset(code))
    del record[field.code]
    assert _rules(validate_record(code, record)) == {(code, field.code, RULE_MISSING_MANDATORY)}


@pytest.mark.parametrize(("code", "field"), _params("exact"))
def test_wrong_exact_length_is_reported(code: str, field: FieldDef) -> None:
    assert field.exact_length is not None
    value = "X" * (field.exact_length + 1)
    violations = validate_record(code, _with(code, field.code, value))
    assert _rules(violations) == {(code, field.code, RULE_LENGTH_EXACT)}


def _too_long(field: FieldDef) -> str:
    """A value that breaks only the max length: valid codes, URLs and text, just too many."""
    assert field.max_length is not None
    good = valid_value(field)
    if field.separator is not None:
        copies = field.max_length // (len(good) + 1) + 2
        return field.separator.join([good] * copies)
    if field.pattern is not None:
        return good + "a" * field.max_length
    return "名" * (field.max_length + 1)


@pytest.mark.parametrize(("code", "field"), _params("max"))
def test_too_long_value_is_reported(code: str, field: FieldDef) -> None:
    violations = validate_record(code, _with(code, field.code, _too_long(field)))
    assert _rules(violations) == {(code, field.code, RULE_LENGTH_MAX)}


def _outside(field: FieldDef) -> str:
    """A value of the right length and shape that the field's code table does not hold."""
    assert field.code_table is not None and field.exact_length is not None
    values = code_tables()[field.code_table].values
    return next(
        d * field.exact_length for d in "0123456789" if d * field.exact_length not in values
    )


@pytest.mark.parametrize(("code", "field"), _params("enum"))
def test_value_outside_code_table_is_reported(code: str, field: FieldDef) -> None:
    violations = validate_record(code, _with(code, field.code, _outside(field)))
    assert _rules(violations) == {(code, field.code, RULE_NOT_IN_CODE_TABLE)}


@pytest.mark.parametrize(
    ("code", "field", "value", "rule"),
    [
        ("504", "VALID_PERIOD", "90.5", RULE_BAD_INTEGER),
        ("504", "CONTROL_PRICE", "1,000", RULE_BAD_DECIMAL),
        ("650", "QT_TOTAL_AREA", "12km2", RULE_BAD_DECIMAL),
        ("653", "DT_BUY_DATE", "20240102093000", RULE_BAD_DATE),
        ("651", "REGION_CODE", "999999", "REGION_CODE_UNKNOWN"),
        ("508", "BID_SECTION_CODE", "E35000007170000010010A1", "TRADE_CODE_INVALID"),
    ],
)
def test_typed_fields_reject_malformed_values(code: str, field: str, value: str, rule: str) -> None:
    assert _rules(validate_record(code, _with(code, field, value))) == {(code, field, rule)}


def test_tender_file_may_name_several_sections_and_deals() -> None:
    record = _with("504", "BID_SECTION_CODE", f"{SECTION},{SECTION}")
    record["UNIFIED_DEAL_CODES"] = f"{UNIFIED},{UNIFIED}"
    assert validate_record("504", record) == []
    bad = _with("504", "BID_SECTION_CODE", f"{SECTION},E350000071700000100100X")
    assert _rules(validate_record("504", bad)) == {
        ("504", "BID_SECTION_CODE", "TRADE_CODE_INVALID")
    }


def test_mining_sets_carry_no_engineering_envelope() -> None:
    for code in ("650", "651", "652", "653"):
        codes = {f.code for f in dataset(code).fields}
        assert set(_ENVELOPE) <= codes
        assert not set(_ENGINEERING) & codes
