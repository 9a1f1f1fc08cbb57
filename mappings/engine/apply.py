"""Running a spec: rules compiled once into small functions, records validated before they leave.

Compiling resolves every path into a tuple of keys and every rule into a closure, so applying a
spec to an event is a handful of dictionary reads per field; the benchmark (tests/bench) holds
it against building the same XML by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mappings.engine.convert import FORMATS, ConversionError, dt14
from mappings.engine.spec import PLACEHOLDER, Rule, Spec, SpecError, parse_spec
from mappings.records import DataSetRecord, Operation
from mappings.standards.loader import dataset
from mappings.standards.validator import validate_record

Document = Mapping[str, Any]
Resolver = Callable[[Document], Any]
Writer = Callable[[Document], str | None]

# Fields every record of a group carries, filled from the platform context unless a spec says
# otherwise: one place, so no spec forgets them or spells them differently.
COMMON_RULES: dict[str, Rule] = {
    "PLATFORM_CODE": Rule("path", "context.platform_uscc"),
    "PUB_SERVICE_PLAT_CODE": Rule("path", "context.pub_service_plat_code"),
    "DATA_TIMESTAMP": Rule("path", "event.occurred_at", format="dt14"),
    "TRADE_PLAT": Rule("path", "context.platform_code"),
    "PUB_SERVICE_PLAT": Rule("path", "context.pub_service_plat"),
}


@dataclass(frozen=True)
class MappingContext:
    """Who we are on the national scheme, and where our public pages live."""

    platform_code: str  # 交易平台标识码 (11)
    platform_uscc: str  # the operator's 统一社会信用代码 (18): PLATFORM_CODE
    pub_service_plat: str  # 公共服务平台标识码 (11)
    pub_service_plat_code: str  # 公共服务平台 18-character code
    portal_url: str  # base of our public pages, for URL fields

    def as_document(self) -> dict[str, str]:
        return {"platform_code": self.platform_code, "platform_uscc": self.platform_uscc,
                "pub_service_plat": self.pub_service_plat,
                "pub_service_plat_code": self.pub_service_plat_code,
                "portal_url": self.portal_url.rstrip("/")}


@dataclass(frozen=True)
class Problem:
    field: str
    rule: str  # a validator RULE_* code, a national code error, LOOKUP_MISSING or CONVERSION
    message: str


@dataclass
class RecordInvalid(Exception):
    """A record the standard would refuse; nothing was sent."""

    spec: str
    data_set: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        listed = "; ".join(f"{p.field} {p.rule}: {p.message}" for p in self.problems)
        return f"data set {self.data_set} (spec {self.spec}): {listed}"


class _FieldFailure(Exception):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def _getter(path: str) -> Resolver:
    keys = tuple(path.split("."))

    def get(doc: Document) -> Any:
        value: Any = doc
        for key in keys:
            if value.__class__ is dict or isinstance(value, Mapping):  # dict: the fast path
                value = value.get(key)
            elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                value = value[int(key)]
            else:
                return None
            if value is None:
                return None
        return value
    return get


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _resolver(rule: Rule, lookups: Mapping[str, Mapping[str, str]]) -> Resolver:
    if rule.source == "path":
        return _getter(rule.value)
    if rule.source == "const":
        constant = rule.value
        return lambda doc: constant
    if rule.source == "template":
        template: str = rule.value
        parts = [(m.group(0), _getter(m.group(1))) for m in PLACEHOLDER.finditer(template)]

        def fill(doc: Document) -> Any:
            out = template
            for placeholder, get in parts:
                value = get(doc)
                if _empty(value):
                    return None  # a template with a hole is no value at all
                out = out.replace(placeholder, str(value))
            return out
        return fill
    writers = [_writer(r, lookups) for r in rule.value]

    def first(doc: Document) -> Any:
        for write in writers:
            value = write(doc)
            if value is not None:
                return value
        return None
    return first


def _writer(rule: Rule, lookups: Mapping[str, Mapping[str, str]]) -> Writer:
    resolve = _resolver(rule, lookups)
    table = lookups.get(rule.lookup) if rule.lookup else None
    convert = FORMATS[rule.format] if rule.format else None

    def one(value: Any) -> str:
        if table is not None:
            key = str(value)
            if key not in table:
                raise _FieldFailure("LOOKUP_MISSING",
                                    f"{key!r} is not in lookup table {rule.lookup!r}")
            value = table[key]
        if convert is not None:
            try:
                return convert(value)
            except ConversionError as err:
                raise _FieldFailure("CONVERSION", str(err)) from err
        return value if isinstance(value, str) else str(value)

    def write(doc: Document) -> str | None:
        value = resolve(doc)
        if _empty(value):
            return rule.default
        if isinstance(value, list):
            if rule.join is None:
                raise _FieldFailure("CONVERSION", "a list value needs a join separator")
            return rule.join.join(one(v) for v in value)
        return one(value)
    return write


@dataclass(frozen=True)
class CompiledSpec:
    spec: Spec
    name_en: str
    name_zh: str
    writers: tuple[tuple[str, Writer], ...]
    key: Writer
    each: Resolver | None
    when: Resolver | None

    @property
    def ref(self) -> str:
        return self.spec.ref

    def handles(self, event_type: str) -> bool:
        return event_type in self.spec.events

    def apply(self, event: Document, context: MappingContext | Document) -> list[DataSetRecord]:
        """The records ``event`` produces (none when the spec does not take it); raises
        ``RecordInvalid`` naming every broken field of the first record that fails."""
        operation = self.spec.events.get(str(event.get("event_type")))
        if operation is None:
            return []
        ctx = context.as_document() if isinstance(context, MappingContext) else context
        doc: dict[str, Any] = {"event": event, "payload": event.get("payload") or {},
                               "context": ctx, "item": None}
        condition = self.spec.when
        if self.when is not None and condition is not None and (
                str(self.when(doc)) not in condition.values):
            return []
        items: list[Any] = [None]
        if self.each is not None:
            listed = self.each(doc)
            items = listed if isinstance(listed, list) else []
        version = dt14(event["occurred_at"])
        return [self._record(dict(doc, item=item), operation, version) for item in items]

    def _record(self, doc: Document, operation: Operation, version: str) -> DataSetRecord:
        problems: list[Problem] = []
        fields: dict[str, str] = {}
        for code, write in self.writers:
            try:
                value = write(doc)
            except _FieldFailure as failure:
                problems.append(Problem(code, failure.rule, str(failure)))
                continue
            if value is not None:
                fields[code] = value
        try:
            key = self.key(doc)
        except _FieldFailure as failure:
            problems.append(Problem("(key)", failure.rule, str(failure)))
            key = None
        if not key:
            problems.append(Problem("(key)", "MISSING_MANDATORY", "the record has no key"))
        if operation is not Operation.DELETE:
            failed = {p.field for p in problems}  # already named: no "missing" echo
            problems.extend(Problem(v.field, v.rule, v.message)
                            for v in validate_record(self.spec.data_set, fields)
                            if v.field not in failed)
        if problems:
            raise RecordInvalid(self.ref, self.spec.data_set, problems)
        return DataSetRecord(self.spec.data_set, self.name_en, self.name_zh, operation,
                             str(key), version, fields)


def compile_spec(raw: Mapping[str, Any] | Spec) -> CompiledSpec:
    """Check a spec against its data set (every field exists, every mandatory field is
    covered) and compile it; raises ``SpecError``."""
    spec = raw if isinstance(raw, Spec) else parse_spec(raw)
    try:
        ds = dataset(spec.data_set)
    except KeyError as err:
        raise SpecError(f"spec {spec.ref}: no data set {spec.data_set!r}") from err
    known = {f.code for f in ds.fields}
    unknown = sorted(set(spec.fields) - known)
    if unknown:
        raise SpecError(f"spec {spec.ref}: data set {ds.code} has no fields {unknown}")
    rules = {code: rule for code, rule in COMMON_RULES.items() if code in known}
    rules.update(spec.fields)
    uncovered = [f.code for f in ds.fields if f.mandatory and f.code not in rules]
    if uncovered:
        raise SpecError(f"spec {spec.ref}: mandatory fields of {ds.code} not mapped: "
                        f"{uncovered}")
    order = [f.code for f in ds.fields if f.code in rules]  # the definition's field order
    return CompiledSpec(
        spec=spec, name_en=ds.name_en, name_zh=ds.name_zh,
        writers=tuple((code, _writer(rules[code], spec.lookups)) for code in order),
        key=_writer(spec.key, spec.lookups),
        each=_getter(spec.each) if spec.each else None,
        when=_getter(spec.when.path) if spec.when else None)
