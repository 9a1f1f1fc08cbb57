"""Checking a payload's keys against its declared type (``core.event_payloads``), recursively,
and following a mapping spec's path into the types: what a strict unit of work and the tests
of the shipped specs ask."""

# No ``from __future__ import annotations``: the types are read from evaluated annotations.

import types
import typing
from collections.abc import Mapping
from typing import Any, Union, get_args, get_origin, get_type_hints

from core.event_payloads import PAYLOADS
from core.events import EventType


def is_typeddict(tp: Any) -> bool:
    return typing.is_typeddict(tp)


def fields_of(td: type) -> dict[str, Any]:
    """Every key of a TypedDict with its type (``NotRequired`` unwrapped)."""
    return get_type_hints(td)


def required_keys(td: type) -> frozenset[str]:
    return frozenset(getattr(td, "__required_keys__", frozenset()))


def _alternatives(tp: Any) -> tuple[Any, ...]:
    if get_origin(tp) in (Union, types.UnionType):
        return get_args(tp)
    return (tp,)


def _problems(tp: Any, value: Any, where: str) -> list[str]:
    if value is None:
        return []
    alternatives = [a for a in _alternatives(tp) if a is not type(None)]
    dicts = [a for a in alternatives if is_typeddict(a)]
    lists = [a for a in alternatives if get_origin(a) is list]
    if dicts and isinstance(value, Mapping):
        return check_keys(dicts[0], value, where)
    if lists and isinstance(value, list | tuple):
        (element,) = get_args(lists[0])
        out: list[str] = []
        for i, item in enumerate(value):
            out.extend(_problems(element, item, f"{where}[{i}]"))
        return out
    if dicts:
        return [f"{where}: expected an object ({dicts[0].__name__}), got {type(value).__name__}"]
    return []


def check_keys(td: type, payload: Mapping[str, Any], where: str = "payload") -> list[str]:
    """The keys of ``payload`` against the TypedDict ``td``, recursively."""
    hints = fields_of(td)
    problems = [f"{where}: missing key {k!r}" for k in sorted(required_keys(td) - payload.keys())]
    problems += [f"{where}: unexpected key {k!r}" for k in sorted(payload.keys() - hints.keys())]
    for key, tp in hints.items():
        if key in payload:
            problems += _problems(tp, payload[key], f"{where}.{key}")
    return problems


def check_payload(event_type: EventType | str, payload: Mapping[str, Any]) -> list[str]:
    """What is wrong with the keys of ``payload`` for ``event_type`` (nothing: an empty list)."""
    known = event_type in EventType._value2member_map_ or isinstance(event_type, EventType)
    declared = PAYLOADS.get(EventType(event_type)) if known else None
    if declared is None:
        return [f"{event_type}: no payload type declared"]
    return check_keys(declared, payload)


def path_problem(tp: Any, keys: list[str], where: str) -> tuple[str | None, Any]:
    """Follow ``keys`` into the type ``tp``: (a problem or None, the type reached). A plain
    ``dict``, ``Any`` or object type is open: anything below it is accepted."""
    for i, key in enumerate(keys):
        alternatives = [a for a in _alternatives(tp) if a is not type(None)]
        dicts = [a for a in alternatives if is_typeddict(a)]
        lists = [a for a in alternatives if get_origin(a) is list]
        if dicts:
            hints = fields_of(dicts[0])
            if key not in hints:
                return f"{where}: {dicts[0].__name__} has no key {key!r}", None
            tp = hints[key]
        elif lists:
            if not key.isdigit():
                return f"{where}: {'.'.join(keys[:i])} is a list, {key!r} is no index", None
            (tp,) = get_args(lists[0])
        elif any(a is Any or get_origin(a) is dict or a is dict for a in alternatives):
            return None, Any
        else:
            return f"{where}: {'.'.join(keys[:i])} is a scalar, it has no {key!r}", None
    return None, tp


