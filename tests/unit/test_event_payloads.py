"""The declared payload types (core/event_payloads.py): complete, checked, read rightly by the
shipped mapping specs, and documented in docs/events.md as they are declared."""

from __future__ import annotations

import re
import types
import typing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest

from core import event_payload_docs as docs
from core import event_payloads as ep
from core.event_payload_check import check_keys, check_payload, fields_of, path_problem
from core.event_payloads import BASES, PAYLOADS, EventEnvelope
from core.events import DomainEvent, EventType
from core.model.outbox import OutboxEvent
from core.uow import UnitOfWork
from exchange.delivery import event_document
from mappings.engine.apply import COMMON_RULES, MappingContext
from mappings.engine.spec import PLACEHOLDER, Rule, Spec, parse_spec
from mappings.specs import shipped_specs

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"

BRIEF = {"party_id": 1, "name": "福州市城投", "identifier": "91350100MA2YDEM1XX",
         "identifier_type": "uscc", "region_code": "350100", "legal_representative": None,
         "contact_name": "林工", "contact_phone": "0591-88000001", "address": None}
PARTY = {"party_id": 1, "kind": "organisation", "name": "福州市城投", "uscc": "91350100MA2YDEM1XX",
         "id_number": None, "region_code": "350100", "roles": ["tenderer"]}


def _tender_project(**change: Any) -> dict[str, Any]:
    payload = {key: None for key in fields_of(ep.TenderProjectPayload)}
    payload.update(tenderer=dict(BRIEF), agency=None)
    payload.update(change)
    return payload


# --- the declarations ---------------------------------------------------------------------


def test_every_event_type_has_a_declared_payload_type() -> None:
    assert set(PAYLOADS) == set(EventType)
    for event_type, declared in PAYLOADS.items():
        assert typing.is_typeddict(declared), event_type


def test_each_declared_base_is_part_of_what_extends_it() -> None:
    for child, bases in BASES.items():
        for base in bases:
            assert fields_of(base).items() <= fields_of(child).items(), (child, base)


def test_only_origin_is_ever_absent() -> None:
    """total=True everywhere; a NotRequired key is one some emitters leave out."""
    optional = {(td.__name__, k) for td in docs._ordered_types()
                for k in td.__optional_keys__}  # type: ignore[attr-defined]
    assert optional == {("PartyPayload", "origin")}


# --- the checker --------------------------------------------------------------------------


def test_a_payload_as_declared_passes() -> None:
    assert check_payload(EventType.PARTY_REGISTERED, PARTY) == []
    assert check_payload(EventType.PARTY_UPDATED, {**PARTY, "origin": "pushed"}) == []
    assert check_payload(EventType.TENDER_PROJECT_CREATED, _tender_project()) == []
    assert check_payload(EventType.TENDER_PROJECT_CREATED, _tender_project(tenderer=None)) == []


def test_an_unknown_type_is_named() -> None:
    assert check_payload("round.unheard_of", {}) == ["round.unheard_of: no payload type declared"]


def test_a_missing_key_is_named() -> None:
    payload = dict(PARTY)
    del payload["roles"]
    assert check_payload(EventType.PARTY_REGISTERED, payload) == [
        "payload: missing key 'roles'"]


def test_an_unexpected_key_is_named() -> None:
    assert check_payload("party.updated", {**PARTY, "email": "x@example.com"}) == [
        "payload: unexpected key 'email'"]


def test_a_nested_object_is_checked_too() -> None:
    brief = {**BRIEF, "fax": "0591"}
    del brief["contact_phone"]
    assert check_payload(EventType.TENDER_PROJECT_UPDATED, _tender_project(tenderer=brief)) == [
        "payload.tenderer: missing key 'contact_phone'",
        "payload.tenderer: unexpected key 'fax'"]
    assert check_payload(EventType.TENDER_PROJECT_UPDATED, _tender_project(agency="福建闽江")) == [
        "payload.agency: expected an object (PartyBrief), got str"]


def test_each_element_of_a_list_is_checked() -> None:
    deposit = {"party_id": 2, "party_identifier": "X", "deposit_status": "paid",
               "refund_due_at": None}
    payload = {key: None for key in fields_of(ep.ContractPayload)}
    payload.update(winner=None, deposits=[deposit, {**deposit, "paid_at": None}])
    problems = check_keys(ep.ContractPayload, payload)
    assert problems == ["payload.deposits[1]: unexpected key 'paid_at'"]


def test_a_strict_unit_of_work_refuses_a_payload_that_differs() -> None:
    uow = UnitOfWork(lambda: None, clock=None, strict_events=True)  # type: ignore[arg-type]
    event = DomainEvent(EventType.PARTY_REGISTERED, "party", "1", "party:X",
                        {**PARTY, "email": None})
    with pytest.raises(RuntimeError, match=re.escape(
            "party.registered payload differs from its declared type: "
            "payload: unexpected key 'email'")):
        uow.emit(event, "test")


# --- the mapping specs read what the payloads carry ------------------------------------------


def _paths(rule: Rule) -> list[str]:
    if rule.source == "path":
        return [rule.value]
    if rule.source == "template":
        return PLACEHOLDER.findall(rule.value)
    if rule.source == "first":
        return [p for r in rule.value for p in _paths(r)]
    return []


def _read_paths(spec: Spec) -> list[tuple[str, str]]:
    """Every (where, path) a spec reads: key, fields (with the common ones), when, each."""
    out = [("key", p) for p in _paths(spec.key)]
    for code, rule in {**COMMON_RULES, **spec.fields}.items():
        out += [(f"fields.{code}", p) for p in _paths(rule)]
    if spec.when is not None:
        out.append(("when", spec.when.path))
    if spec.each is not None:
        out.append(("each", spec.each))
    return out


def _element(tp: Any) -> Any:
    alternatives = get_args(tp) if get_origin(tp) in (typing.Union, types.UnionType) else (tp,)
    for alternative in alternatives:
        if get_origin(alternative) is list:
            return get_args(alternative)[0]
    return None


CONTEXT_KEYS = set(MappingContext("P", "U", "S", "SC", "http://x").as_document())


def path_problems(spec: Spec) -> list[str]:
    problems: list[str] = []
    for event_type in spec.events:
        declared = PAYLOADS[EventType(event_type)]
        item: Any = None
        if spec.each is not None:
            root, *keys = spec.each.split(".")
            problem, listed = path_problem(declared, keys, f"{spec.ref} {event_type} each")
            item = _element(listed)
            if problem or root != "payload" or item is None:
                problems.append(problem or f"{spec.ref} {event_type}: each is no payload list")
        roots = {"payload": declared, "event": EventEnvelope, "item": item}
        for where, path in _read_paths(spec):
            root, *keys = path.split(".")
            label = f"{spec.ref} {event_type} {where} {path}"
            if root == "context":
                if keys[0] not in CONTEXT_KEYS or len(keys) > 1:
                    problems.append(f"{label}: no such context value")
                continue
            if roots[root] is None:
                problems.append(f"{label}: item without each")
                continue
            problem, _ = path_problem(roots[root], keys, label)
            if problem:
                problems.append(problem)
    return problems


SPECS = sorted(shipped_specs().items())


def test_thirteen_specs_are_shipped() -> None:
    assert len(SPECS) == 13


@pytest.mark.parametrize(("ref", "raw"), SPECS, ids=[ref for ref, _ in SPECS])
def test_every_path_a_shipped_spec_reads_is_in_the_payload_type(ref: str,
                                                                raw: dict[str, Any]) -> None:
    assert path_problems(parse_spec(raw)) == []


def test_a_path_the_payload_does_not_carry_is_found() -> None:
    raw = dict(shipped_specs()["gcjs.bidder_list@1"])
    raw["fields"] = {**raw["fields"], "BIDDER_NAME": "item.bidder_nmae",
                     "SECTION_NAME": {"first": ["payload.section_title", "payload.section_name"]},
                     "X": {"template": "{payload.tenderer.name.first}"}}
    assert path_problems(parse_spec(raw)) == [
        "gcjs.bidder_list@1 round.opened fields.BIDDER_NAME item.bidder_nmae: "
        "OpeningBid has no key 'bidder_nmae'",
        "gcjs.bidder_list@1 round.opened fields.SECTION_NAME payload.section_title: "
        "RoundOpenedPayload has no key 'section_title'",
        "gcjs.bidder_list@1 round.opened fields.X payload.tenderer.name.first: "
        "tenderer.name is a scalar, it has no 'first'"]


def test_the_envelope_is_what_a_mapping_sees_as_event() -> None:
    row = OutboxEvent(event_id="e", event_type="party.registered", aggregate_type="party",
                      aggregate_id="1", ordering_key="party:X",
                      occurred_at=datetime(2026, 11, 24, tzinfo=UTC), payload={}, actor="a")
    assert set(event_document(row)) == set(fields_of(EventEnvelope))


# --- docs/events.md -----------------------------------------------------------------------


def test_the_doc_section_is_generated_from_the_types() -> None:
    """Regenerate it with ``python -m core.event_payload_docs --write docs/events.md``."""
    assert docs.doc_section(DOC.read_text(encoding="utf-8")) == docs.markdown()


def _catalogue(text: str) -> list[str]:
    """The hand-written table's lines, from its header to the first line not a row."""
    lines = text[:text.index(docs.BEGIN)].splitlines()
    start = lines.index("| type | when | aggregate | payload fields |")
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return lines[start:end]


def test_every_event_type_is_a_row_of_the_catalogue_which_has_no_blank_line() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = _catalogue(text)
    listed = [m.group(1) for m in (re.match(r"\| `([a-z_.]+)` \|", r) for r in rows) if m]
    assert sorted(listed) == sorted(t.value for t in EventType)  # each once
    # a blank line would end the table: rows after it would render as text
    after = text[:text.index(docs.BEGIN)].split("\n".join(rows), 1)[1].lstrip("\n")
    assert not after.startswith("| `")
