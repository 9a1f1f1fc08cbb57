"""The definitions load, carry their sources, and a malformed definition fails loudly."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from mappings.standards.loader import (
    DefinitionError,
    code_tables,
    common_fields,
    dataset,
    datasets,
    parse_code_tables,
    parse_dataset,
)

REQUIRED = {"500", "501", "502", "503", "506", "510", "511", "512", "513"}


def _raw(code: str) -> dict[str, Any]:
    folder = resources.files("mappings.standards").joinpath("datasets")
    (entry,) = [e for e in folder.iterdir() if e.name.startswith(f"{code}_")]
    return dict(json.loads(entry.read_text(encoding="utf-8")))


def test_every_definition_loads_with_required_sets() -> None:
    loaded = datasets()
    assert set(loaded) >= REQUIRED
    assert all(ds.fields for ds in loaded.values())
    assert dataset("501").name_en == "TENDER_PROJECT"


def test_sources_name_research_file_and_confidence() -> None:
    for ds in datasets().values():
        assert ds.source.document.endswith(".md")
        assert ds.source.confidence in {"V", "I", "?"}
    for table in code_tables().values():
        assert table.source


def test_common_fields_are_shared() -> None:
    assert {f.code for f in common_fields()["ALL"]} == {
        "PLATFORM_CODE",
        "PUB_SERVICE_PLAT_CODE",
        "DATA_TIMESTAMP",
    }
    engineering = {f.code for f in dataset("502").fields}
    assert {"PLATFORM_CODE", "TRADE_PLAT"} <= engineering
    procurement = {f.code for f in dataset("550").fields}
    assert "PLATFORM_CODE" in procurement
    assert "TRADE_PLAT" not in procurement


def test_field_rules_are_read() -> None:
    tp = dataset("501")
    assert tp.field("TENDER_PROJECT_CODE").exact_length == 20
    assert tp.field("TENDER_PROJECT_CODE").check == "tender_project_code"
    assert tp.field("TENDER_PROJECT_NAME").max_length == 600
    assert tp.field("TENDER_MODE").code_table == "TENDER_MODE"
    assert tp.field("OWNER_NAME").mandatory is False
    assert tp.field("CREATE_TIME").type == "datetime"


def test_code_tables_hold_the_standard_values() -> None:
    tables = code_tables()
    assert set(tables["TENDER_MODE"].values) == {"1", "2", "9"}
    assert set(tables["TENDER_ORGANIZE_FORM"].values) == {"1", "2", "3", "9"}
    assert set(tables["PRICE_UNIT"].values) == {"0", "1"}
    assert set(tables["TRUE_OR_FALSE"].values) == {"0", "1"}
    assert set(tables["PRICE_FORM_CODE"].values) == {"1", "2", "3", "9"}
    assert set(tables["EXCEPITON_TYPE"].values) == {"1", "2", "3", "9"}
    assert "156" in tables["CURRENCY_CODE"].values


def test_unknown_dataset_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        dataset("999")


def _broken(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(_raw("501"))
    change(raw)
    return raw


BREAKAGES = {
    "missing key": lambda r: r.pop("name_zh"),
    "unknown key": lambda r: r.update(extra=1),
    "bad type": lambda r: r["fields"][0].update(type="text"),
    "bad length": lambda r: r["fields"][0].update(length={"min": 3}),
    "zero length": lambda r: r["fields"][0].update(length={"exact": 0}),
    "unknown table": lambda r: r["fields"][0].update(type="enum", code_table="NOPE"),
    "enum without table": lambda r: r["fields"][0].update(type="enum"),
    "bad pattern": lambda r: r["fields"][0].update(pattern="[0-9"),
    "bad check": lambda r: r["fields"][0].update(check="luhn"),
    "mandatory not bool": lambda r: r["fields"][0].update(mandatory="yes"),
    "lower-case field": lambda r: r["fields"][0].update(code="project_code"),
    "duplicate field": lambda r: r["fields"].append(r["fields"][0]),
    "duplicate of common": lambda r: r["fields"][0].update(code="PLATFORM_CODE"),
    "unknown group": lambda r: r.update(common_groups=["NOPE"]),
    "bad confidence": lambda r: r["source"].update(confidence="certain"),
    "no fields": lambda r: r.update(fields=[]),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_malformed_dataset_fails_loudly(breakage: str) -> None:
    raw = _broken(BREAKAGES[breakage])
    with pytest.raises(DefinitionError, match=r"bad\.json"):
        parse_dataset(raw, code_tables(), common_fields(), "bad.json")


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"lower": {"name_zh": "x", "source": "s", "values": {"1": "a"}}},
        {"T": {"name_zh": "x", "source": "s", "values": {}}},
        {"T": {"name_zh": "x", "source": "s"}},
        {"T": {"name_zh": "x", "source": "s", "values": {"1": 2}}},
    ],
)
def test_malformed_code_table_fails_loudly(raw: Any) -> None:
    with pytest.raises(DefinitionError):
        parse_code_tables(raw)
