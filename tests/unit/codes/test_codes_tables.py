"""National code tables: contents as agreed, validate/label behaviour, immutability."""

from __future__ import annotations

import pytest

from core.codes.errors import CodeError
from core.codes.tables import CODE_TABLES, CodeTable

EXPECTED_CODES = {
    "tender_mode": {"1", "2", "9"},
    "tender_organize_form": {"1", "2", "3", "9"},
    "tender_project_type": {f"A{n:02d}" for n in range(1, 15)} | {"A99"},
    "price_unit": {"0", "1"},
    "currency": {"156", "840", "978", "344"},
    "trading_domain": {
        "engineering", "gov_procurement", "land_mineral", "state_property", "forest_right",
        "carbon_emission", "pollutant_discharge", "vaccine", "hospital_drugs", "other",
    },
    "party_role": {
        "tenderer", "tender_agency", "bidder", "purchaser", "procurement_agency", "supplier",
        "transferor", "transferee",
    },
    "notice_type": {"tender", "prequalification", "amendment", "clarification",
                    "opening_record", "candidates", "result", "contract", "termination",
                    "failed"},  # the last six are published by the lifecycle itself
    "procurement_method": {
        "public_tender", "invited_tender", "competitive_negotiation",
        "competitive_consultation", "inquiry", "single_source",
    },
}  # fmt: skip

LABELS = [
    ("tender_mode", "1", "公开招标"),
    ("tender_mode", "2", "邀请招标"),
    ("tender_organize_form", "1", "自行招标"),
    ("tender_organize_form", "2", "委托招标"),
    ("tender_organize_form", "3", "自行集中"),
    ("tender_organize_form", "9", "其他"),
    ("tender_project_type", "A01", "房建"),
    ("tender_project_type", "A11", "城市轨道"),
    ("price_unit", "0", "元"),
    ("price_unit", "1", "万元"),
    ("currency", "156", "人民币"),
    ("trading_domain", "engineering", "工程建设"),
    ("trading_domain", "land_mineral", "土地使用权和矿业权"),
    ("trading_domain", "vaccine", "二类疫苗"),
    ("party_role", "transferee", "竞买人/受让人"),
    ("party_role", "tender_agency", "招标代理机构"),
    ("notice_type", "prequalification", "资格预审公告"),
    ("procurement_method", "competitive_consultation", "竞争性磋商"),
    ("procurement_method", "single_source", "单一来源"),
]


def test_registry_holds_exactly_the_agreed_tables() -> None:
    assert set(CODE_TABLES) == set(EXPECTED_CODES)
    for key, table in CODE_TABLES.items():
        assert isinstance(table, CodeTable)
        assert table.key == key


@pytest.mark.parametrize("key", sorted(EXPECTED_CODES))
def test_each_table_has_the_agreed_codes_and_complete_metadata(key: str) -> None:
    table = CODE_TABLES[key]
    assert set(table.entries) == EXPECTED_CODES[key]
    assert table.name and table.name_en
    assert any(tag in table.source for tag in ("[V", "[I", "[?", "Hub-internal"))
    for code in EXPECTED_CODES[key]:
        assert table.validate(code) == code
        zh, en = table.entries[code]
        assert zh and en
        assert table.label(code) == zh
        assert table.label(code, "en") == en


@pytest.mark.parametrize(("key", "code", "zh"), LABELS)
def test_labels(key: str, code: str, zh: str) -> None:
    assert CODE_TABLES[key].label(code) == zh


BAD_VALUES = ("", "7", "A00", "Engineering", " 1", "1 ", "other_thing")


@pytest.mark.parametrize(("key", "bad"), [(k, bad) for k in sorted(EXPECTED_CODES)
                                          for bad in BAD_VALUES if bad not in EXPECTED_CODES[k]])
def test_unknown_values_are_refused_naming_the_table(key: str, bad: str) -> None:
    table = CODE_TABLES[key]
    for call in (table.validate, table.label):
        with pytest.raises(CodeError) as info:
            call(bad)
        assert info.value.code == "CODE_TABLE_VALUE_UNKNOWN"
        assert key in info.value.message_en
        assert table.name in info.value.message_zh
        assert info.value.details["table"] == key
    assert bad not in table


def test_values_are_codes_not_numbers() -> None:
    with pytest.raises(CodeError):
        CODE_TABLES["tender_mode"].validate(1)  # type: ignore[arg-type]
    assert 1 not in CODE_TABLES["tender_mode"]


def test_tables_and_registry_are_read_only() -> None:
    table = CODE_TABLES["tender_mode"]
    with pytest.raises(TypeError):
        table.entries["3"] = ("x", "x")  # type: ignore[index]
    with pytest.raises(TypeError):
        CODE_TABLES["x"] = table  # type: ignore[index]
    with pytest.raises(AttributeError):
        table.name = "changed"  # type: ignore[misc]


def test_a_table_copies_its_entries() -> None:
    entries = {"a": ("甲", "A")}
    table = CodeTable(key="t", name="测试", name_en="Test", source="test", entries=entries)
    entries["b"] = ("乙", "B")
    assert "b" not in table
