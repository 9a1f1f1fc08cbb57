"""What one record's SOAP call came to: taken, or refused with a verdict; and the readers of a
reply that turn a reply not in the protocol's shape into ``MalformedReply``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import zeep.helpers

from adapters.outbound.beijing_time import parse_beijing
from exchange.outcome import PeerAcknowledgement, Verdict


class MalformedReply(Exception):
    """The peer answered, but not in the shape its protocol promises."""


@dataclass(frozen=True)
class Taken:
    """The peer holds the record (accepted now, or already held from an earlier send)."""

    acknowledgement: PeerAcknowledgement
    note: str


@dataclass(frozen=True)
class Refused:
    """The record was not taken; ``verdict`` is RETRY or PARK."""

    verdict: Verdict
    error: str

    @classmethod
    def retry(cls, error: str) -> Refused:
        return cls(Verdict.RETRY, error)

    @classmethod
    def park(cls, error: str) -> Refused:
        return cls(Verdict.PARK, error)


RecordResult = Taken | Refused


def reply_value(reply: Any, name: str) -> Any:
    """A named value of a zeep reply, whether zeep unwrapped the response element or not
    (document/literal wrapped answers come back as the single child or as the wrapper)."""
    data = zeep.helpers.serialize_object(reply, dict)
    while isinstance(data, dict):
        if name in data:
            return data[name]
        if len(data) != 1:
            break
        data = next(iter(data.values()))
    raise MalformedReply(f"reply has no {name}")


def reply_text(reply: Any, name: str, *, required: bool = True) -> str:
    value = reply_value(reply, name)
    if value is None:
        if required:
            raise MalformedReply(f"reply {name} is empty")
        return ""
    if isinstance(value, bool | dict | list):
        raise MalformedReply(f"reply {name} is not text")
    return str(value).strip()


# strftime directives as the protocols write their patterns (yyyyMMddHHmmss)
_PATTERN_LETTERS = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}


def reply_time(name: str, text: str, fmt: str) -> datetime:
    """A timestamp the reply carried (``text`` of its ``name``), read as Beijing time. A time in
    another shape means the reply is not an answer of the protocol: MalformedReply."""
    try:
        return parse_beijing(text, fmt)
    except ValueError as err:
        pattern = fmt
        for directive, letters in _PATTERN_LETTERS.items():
            pattern = pattern.replace(directive, letters)
        raise MalformedReply(f"{name} {text!r} is not {pattern}") from err


def refusal(code: str, text: str, known: Mapping[str, Refused]) -> Refused | None:
    """The profile's refusal for a reply code it documents (its verdict, its wording then the
    peer's ``text``), or None for a code the profile does not know."""
    meaning = known.get(code)
    if meaning is None:
        return None
    return Refused(meaning.verdict, f"{meaning.error}: {text}")
