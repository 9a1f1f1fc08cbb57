"""The spec format, checked once when a spec is loaded or saved.

::

    {
      "name": "gcjs.tender_project",            # [a-z0-9_.-]+, with the version: "name@1"
      "version": 1,
      "data_set": "501",
      "description": "why this mapping looks the way it does",
      "events": {"tender_project.created": "add", "tender_project.updated": "update"},
      "when": {"path": "payload.notice_type", "in": ["tender"]},        # optional
      "each": "payload.candidates",                        # optional: a record per item
      "key": "payload.tender_project_code",                             # a rule, see below
      "lookups": {"tender_mode": {"open": "1", "invited": "2"}},
      "fields": {"TENDER_MODE": {"path": "payload.tender_mode", "lookup": "tender_mode"}, ...}
    }

A rule is a path string (shorthand for ``{"path": ...}``) or an object with exactly one source —
``path`` (dots into ``event``, ``payload``, ``item`` or ``context``), ``const``, ``template``
(``"{payload.name}开标记录"``) or ``first`` (a list of rules, the first non-empty wins) — and,
optionally, ``default`` (when the source is empty), ``lookup`` (a table of the spec), ``format``
(see ``convert.FORMATS``) and ``join`` (a separator, for list values). Lookups and formats apply
to each element of a list before it is joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mappings.engine.convert import FORMATS
from mappings.records import Operation

NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,47}")
ROOTS = frozenset({"event", "payload", "item", "context"})
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")
_SPEC_KEYS = frozenset({"name", "version", "data_set", "description", "events", "when", "each",
                        "key", "lookups", "fields"})
_SOURCES = ("path", "const", "template", "first")
_RULE_KEYS = frozenset({*_SOURCES, "default", "lookup", "format", "join"})


class SpecError(ValueError):
    """A spec breaks the format; the message names the spec and the place."""


@dataclass(frozen=True)
class Rule:
    source: str  # one of _SOURCES
    value: Any  # path, constant, template or tuple of Rules
    default: str | None = None
    lookup: str | None = None
    format: str | None = None
    join: str | None = None


@dataclass(frozen=True)
class Condition:
    path: str
    values: frozenset[str]


@dataclass(frozen=True)
class Spec:
    name: str
    version: int
    data_set: str
    description: str
    events: dict[str, Operation]
    key: Rule
    fields: dict[str, Rule]
    lookups: dict[str, dict[str, str]]
    each: str | None = None
    when: Condition | None = None

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


def _check_path(path: Any, where: str) -> str:
    if not isinstance(path, str) or path.split(".", 1)[0] not in ROOTS:
        raise SpecError(f"{where}: a path starts with one of {sorted(ROOTS)}, not {path!r}")
    return path


def parse_rule(raw: Any, where: str, lookups: dict[str, dict[str, str]]) -> Rule:
    if isinstance(raw, str):
        return Rule("path", _check_path(raw, where))
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: a rule is a path or an object")
    unknown = raw.keys() - _RULE_KEYS
    sources = [s for s in _SOURCES if s in raw]
    if unknown or len(sources) != 1:
        raise SpecError(f"{where}: exactly one of {list(_SOURCES)} and only "
                        f"{sorted(_RULE_KEYS - set(_SOURCES))} beside it (got {sorted(raw)})")
    source = sources[0]
    value: Any = raw[source]
    if source == "path":
        _check_path(value, where)
    elif source == "const":
        if not isinstance(value, str):
            raise SpecError(f"{where}: const is a string (values are written as text)")
    elif source == "template":
        if not isinstance(value, str) or not PLACEHOLDER.search(value):
            raise SpecError(f"{where}: a template is a string with {{path}} placeholders")
        for path in PLACEHOLDER.findall(value):
            _check_path(path, where)
    else:
        if not isinstance(value, list) or not value:
            raise SpecError(f"{where}: first is a non-empty list of rules")
        value = tuple(parse_rule(r, f"{where}.first[{i}]", lookups) for i, r in enumerate(value))
    lookup, fmt, join, default = (raw.get(k) for k in ("lookup", "format", "join", "default"))
    if lookup is not None and lookup not in lookups:
        raise SpecError(f"{where}: no lookup table {lookup!r} in the spec")
    if fmt is not None and fmt not in FORMATS:
        raise SpecError(f"{where}: format is one of {sorted(FORMATS)}, not {fmt!r}")
    for name, given in (("join", join), ("default", default)):
        if given is not None and not isinstance(given, str):
            raise SpecError(f"{where}: {name} is a string")
    return Rule(source, value, default, lookup, fmt, join)


def parse_spec(raw: Any) -> Spec:
    if not isinstance(raw, dict):
        raise SpecError("a spec is a JSON object")
    name = raw.get("name")
    where = f"spec {name!r}"
    missing = {"name", "version", "data_set", "events", "key", "fields"} - raw.keys()
    unknown = raw.keys() - _SPEC_KEYS
    if missing or unknown:
        raise SpecError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise SpecError(f"{where}: name must match {NAME.pattern}")
    version = raw["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SpecError(f"{where}: version is a positive integer")
    where = f"spec {name}@{version}"
    events = raw["events"]
    if not isinstance(events, dict) or not events:
        raise SpecError(f"{where}: events maps event types to add/update/delete")
    try:
        operations = {str(k): Operation(v) for k, v in events.items()}
    except ValueError as err:
        raise SpecError(f"{where}: events: {err}") from err
    lookups = raw.get("lookups", {})
    if not isinstance(lookups, dict) or not all(
            isinstance(t, dict) and all(isinstance(k, str) and isinstance(v, str)
                                        for k, v in t.items()) for t in lookups.values()):
        raise SpecError(f"{where}: lookups maps names to tables of strings")
    fields = raw["fields"]
    if not isinstance(fields, dict) or not fields:
        raise SpecError(f"{where}: fields maps field codes to rules")
    when = raw.get("when")
    condition = None
    if when is not None:
        if (not isinstance(when, dict) or set(when) != {"path", "in"}
                or not isinstance(when["in"], list)):
            raise SpecError(f"{where}: when is {{\"path\": ..., \"in\": [...]}}")
        condition = Condition(_check_path(when["path"], f"{where}.when"),
                              frozenset(str(v) for v in when["in"]))
    each = raw.get("each")
    if each is not None:
        _check_path(each, f"{where}.each")
    return Spec(
        name=name, version=version, data_set=str(raw["data_set"]),
        description=str(raw.get("description", "")), events=operations,
        key=parse_rule(raw["key"], f"{where}.key", lookups),
        fields={str(code): parse_rule(rule, f"{where}.fields.{code}", lookups)
                for code, rule in fields.items()},
        lookups=lookups, each=each, when=condition)
