"""Load and check the national data-set definitions kept as JSON next to this module.

Files (package data):

* ``datasets/<code>_<NAME_EN>.json`` — one data set: ``code``, ``name_en``, ``name_zh``,
  ``source`` (research file, section, ``confidence`` V/I/?, note), ``common_groups`` (names of
  groups in ``common.json`` whose fields every record of the set carries) and ``fields``.
* ``common.json`` — the envelope fields shared by data sets (``ALL``; ``ENGINEERING`` for 5xx).
* ``codetables.json`` — the code tables fields refer to by name.

A field is ``{code, name_zh, type, length, mandatory, code_table, pattern, check, separator,
note}``: ``type`` one of ``TYPES``; ``length`` ``null``, ``{"exact": n}`` or ``{"max": n}``
(characters); ``code_table`` a key of ``codetables.json`` (required for, and only for, ``enum``);
``pattern`` a regular expression the whole value must match; ``check`` one of ``CHECKS`` (a
national identifier rule from ``core.codes``); ``separator`` set when the value holds several
codes — then an exact length, the pattern, the code table and the check apply to each code and a
max length to the whole value.

Every malformed definition raises ``DefinitionError`` naming the file and the fault: a definition
that silently lost a rule would let bad records through, so nothing here is lenient.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

TYPES = frozenset({"string", "date", "datetime", "decimal", "integer", "enum"})
CHECKS = frozenset(
    {
        "uscc",
        "org_code",
        "resident_id",
        "region",
        "industry",
        "platform_code",
        "project_code",
        "tender_project_code",
        "section_code",
        "unified_deal_code",
    }
)
CONFIDENCES = frozenset({"V", "I", "?"})
_PACKAGE = "mappings.standards"

_UPPER_SNAKE = re.compile("[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
_DATASET_CODE = re.compile("[0-9]{3,4}")
_FIELD_KEYS = frozenset(
    {
        "code",
        "name_zh",
        "type",
        "length",
        "mandatory",
        "code_table",
        "pattern",
        "check",
        "separator",
        "note",
    }
)
_DATASET_KEYS = frozenset({"code", "name_en", "name_zh", "source", "common_groups", "fields"})
_SOURCE_KEYS = frozenset({"document", "section", "confidence", "note"})
_TABLE_KEYS = frozenset({"name_zh", "source", "values"})


class DefinitionError(ValueError):
    """A data-set, common-field or code-table definition breaks the format above."""


@dataclass(frozen=True)
class Source:
    document: str
    section: str
    confidence: str
    note: str


@dataclass(frozen=True)
class CodeTableDef:
    key: str
    name_zh: str
    source: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class FieldDef:
    code: str
    name_zh: str
    type: str
    exact_length: int | None
    max_length: int | None
    mandatory: bool
    code_table: str | None
    pattern: re.Pattern[str] | None
    check: str | None
    separator: str | None
    note: str


@dataclass(frozen=True)
class DataSet:
    code: str
    name_en: str
    name_zh: str
    source: Source
    fields: tuple[FieldDef, ...]
    """The data set's own fields followed by the common fields of its groups."""

    def field(self, code: str) -> FieldDef:
        for f in self.fields:
            if f.code == code:
                return f
        raise KeyError(f"data set {self.code} has no field {code}")


def _fail(origin: str, message: str) -> DefinitionError:
    return DefinitionError(f"{origin}: {message}")


def _keys(raw: Any, expected: frozenset[str], origin: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(origin, f"expected an object, got {type(raw).__name__}")
    missing = expected - raw.keys()
    unknown = raw.keys() - expected
    if missing or unknown:
        raise _fail(origin, f"missing keys {sorted(missing)}, unknown keys {sorted(unknown)}")
    return raw


def _str(raw: dict[str, Any], key: str, origin: str, *, empty: bool = False) -> str:
    value = raw[key]
    if not isinstance(value, str) or (not empty and not value):
        raise _fail(origin, f"{key} must be a {'' if empty else 'non-empty '}string")
    return value


def _opt_str(raw: dict[str, Any], key: str, origin: str) -> str | None:
    return None if raw[key] is None else _str(raw, key, origin)


def parse_code_tables(raw: Any, origin: str = "codetables.json") -> dict[str, CodeTableDef]:
    if not isinstance(raw, dict) or not raw:
        raise _fail(origin, "expected a non-empty object of code tables")
    tables = {}
    for key, body in raw.items():
        where = f"{origin}: {key}"
        if not _UPPER_SNAKE.fullmatch(key):
            raise _fail(where, "table name must be UPPER_SNAKE")
        body = _keys(body, _TABLE_KEYS, where)
        values = body["values"]
        if not isinstance(values, dict) or not values:
            raise _fail(where, "values must be a non-empty object")
        if not all(isinstance(k, str) and k and isinstance(v, str) for k, v in values.items()):
            raise _fail(where, "values must map non-empty codes to labels")
        tables[key] = CodeTableDef(
            key=key,
            name_zh=_str(body, "name_zh", where),
            source=_str(body, "source", where),
            values=MappingProxyType(dict(values)),
        )
    return tables


def parse_field(raw: Any, tables: Mapping[str, CodeTableDef], origin: str) -> FieldDef:
    where = f"{origin}: field {raw.get('code') if isinstance(raw, dict) else raw!r}"
    raw = _keys(raw, _FIELD_KEYS, where)
    code = _str(raw, "code", where)
    if not _UPPER_SNAKE.fullmatch(code):
        raise _fail(where, "field code must be UPPER_SNAKE")
    kind = raw["type"]
    if kind not in TYPES:
        raise _fail(where, f"type must be one of {sorted(TYPES)}, not {kind!r}")
    exact = maximum = None
    length = raw["length"]
    if length is not None:
        if not isinstance(length, dict) or len(length) != 1 or not {"exact", "max"} & length.keys():
            raise _fail(where, 'length must be null, {"exact": n} or {"max": n}')
        ((rule, n),) = length.items()
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise _fail(where, "length must be a positive integer")
        exact, maximum = (n, None) if rule == "exact" else (None, n)
    if not isinstance(raw["mandatory"], bool):
        raise _fail(where, "mandatory must be true or false")
    table = _opt_str(raw, "code_table", where)
    if (kind == "enum") != (table is not None):
        raise _fail(where, "type enum needs a code_table, and only enum may have one")
    if table is not None and table not in tables:
        raise _fail(where, f"unknown code table {table!r}")
    pattern_text = _opt_str(raw, "pattern", where)
    try:
        pattern = None if pattern_text is None else re.compile(pattern_text)
    except re.error as e:
        raise _fail(where, f"bad pattern {pattern_text!r}: {e}") from e
    check = _opt_str(raw, "check", where)
    if check is not None and check not in CHECKS:
        raise _fail(where, f"check must be one of {sorted(CHECKS)}, not {check!r}")
    return FieldDef(
        code=code,
        name_zh=_str(raw, "name_zh", where),
        type=kind,
        exact_length=exact,
        max_length=maximum,
        mandatory=raw["mandatory"],
        code_table=table,
        pattern=pattern,
        check=check,
        separator=_opt_str(raw, "separator", where),
        note=_str(raw, "note", where, empty=True),
    )


def parse_common(
    raw: Any, tables: Mapping[str, CodeTableDef], origin: str = "common.json"
) -> dict[str, tuple[FieldDef, ...]]:
    raw = _keys(raw, frozenset({"source", "groups"}), origin)
    _parse_source(raw["source"], origin)
    groups = raw["groups"]
    if not isinstance(groups, dict) or not groups:
        raise _fail(origin, "groups must be a non-empty object")
    parsed = {}
    for name, fields in groups.items():
        if not isinstance(fields, list) or not fields:
            raise _fail(origin, f"group {name} must be a non-empty list of fields")
        parsed[name] = tuple(parse_field(f, tables, f"{origin}: {name}") for f in fields)
    return parsed


def _parse_source(raw: Any, origin: str) -> Source:
    where = f"{origin}: source"
    raw = _keys(raw, _SOURCE_KEYS, where)
    if raw["confidence"] not in CONFIDENCES:
        raise _fail(where, f"confidence must be one of {sorted(CONFIDENCES)}")
    return Source(
        document=_str(raw, "document", where),
        section=_str(raw, "section", where),
        confidence=raw["confidence"],
        note=_str(raw, "note", where, empty=True),
    )


def parse_dataset(
    raw: Any,
    tables: Mapping[str, CodeTableDef],
    common: Mapping[str, tuple[FieldDef, ...]],
    origin: str,
) -> DataSet:
    raw = _keys(raw, _DATASET_KEYS, origin)
    code = _str(raw, "code", origin)
    name_en = _str(raw, "name_en", origin)
    if not _DATASET_CODE.fullmatch(code) or not _UPPER_SNAKE.fullmatch(name_en):
        raise _fail(origin, "code must be 3-4 digits and name_en UPPER_SNAKE")
    groups = raw["common_groups"]
    if not isinstance(groups, list) or any(g not in common for g in groups):
        raise _fail(origin, f"common_groups must list groups of common.json {sorted(common)}")
    if not isinstance(raw["fields"], list) or not raw["fields"]:
        raise _fail(origin, "fields must be a non-empty list")
    own = [parse_field(f, tables, origin) for f in raw["fields"]]
    fields = own + [f for g in groups for f in common[g]]
    seen: set[str] = set()
    for f in fields:
        if f.code in seen:
            raise _fail(origin, f"field {f.code} is defined twice")
        seen.add(f.code)
    return DataSet(
        code=code,
        name_en=name_en,
        name_zh=_str(raw, "name_zh", origin),
        source=_parse_source(raw["source"], origin),
        fields=tuple(fields),
    )


def _read(name: str) -> Any:
    path = resources.files(_PACKAGE).joinpath(name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise _fail(name, f"not valid JSON: {e}") from e


@cache
def code_tables() -> Mapping[str, CodeTableDef]:
    """The code tables of ``codetables.json``, by name."""
    return MappingProxyType(parse_code_tables(_read("codetables.json")))


@cache
def common_fields() -> Mapping[str, tuple[FieldDef, ...]]:
    """The shared envelope fields of ``common.json``, by group."""
    return MappingProxyType(parse_common(_read("common.json"), code_tables()))


@cache
def datasets() -> Mapping[str, DataSet]:
    """Every data set under ``datasets/``, by code; raises DefinitionError on any fault."""
    tables, common = code_tables(), common_fields()
    found: dict[str, DataSet] = {}
    folder = resources.files(_PACKAGE).joinpath("datasets")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        origin = f"datasets/{entry.name}"
        try:
            raw = json.loads(entry.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise _fail(origin, f"not valid JSON: {e}") from e
        ds = parse_dataset(raw, tables, common, origin)
        if entry.name != f"{ds.code}_{ds.name_en}.json":
            raise _fail(origin, f"file name must be {ds.code}_{ds.name_en}.json")
        if ds.code in found:
            raise _fail(origin, f"data set {ds.code} is defined twice")
        found[ds.code] = ds
    if not found:
        raise DefinitionError("datasets/: no data-set definitions found")
    return MappingProxyType(found)


def dataset(code: str) -> DataSet:
    """One data set by code (e.g. "501"); KeyError if it is not defined."""
    try:
        return datasets()[code]
    except KeyError:
        raise KeyError(f"no data-set definition {code!r}") from None
