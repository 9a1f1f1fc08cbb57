"""The "Payload types" section of ``docs/events.md``, written from the declared types, so the
document cannot lag the code (a test compares them).

    python -m core.event_payload_docs [--write docs/events.md]
"""

# No ``from __future__ import annotations``: the types are read from evaluated annotations.

import sys
import types
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

from core.event_payload_check import fields_of, is_typeddict
from core.event_payloads import BASES, PAYLOADS

_SCALARS: dict[Any, str] = {str: "text", int: "integer", bool: "boolean",
                            Decimal: "decimal string", datetime: "time (ISO 8601, UTC)",
                            date: "date (ISO 8601)", Any: "any JSON"}


def describe(tp: Any) -> str:
    if tp in _SCALARS:
        return _SCALARS[tp]
    if is_typeddict(tp):
        return f"`{tp.__name__}`"
    origin = get_origin(tp)
    if origin is list:
        return f"list of {describe(get_args(tp)[0])}"
    if origin is dict or tp is dict:
        return "object"
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        named = " or ".join(describe(a) for a in args if a is not type(None))
        return f"{named} or null" if type(None) in args else named
    return str(tp)


def _own_fields(td: type) -> dict[str, Any]:
    inherited: set[str] = set()
    for base in BASES.get(td, ()):
        inherited |= fields_of(base).keys()
    return {k: v for k, v in fields_of(td).items() if k not in inherited}


def _nested(tp: Any) -> list[type]:
    if is_typeddict(tp):
        return [tp]
    return [t for a in get_args(tp) for t in _nested(a)]


def _ordered_types() -> list[type]:
    """Each payload type and what it refers to, once, in first-mention order."""
    seen: list[type] = []

    def visit(td: type) -> None:
        if td in seen:
            return
        seen.append(td)
        for base in BASES.get(td, ()):
            visit(base)
        for tp in _own_fields(td).values():
            for inner in _nested(tp):
                visit(inner)
    for td in PAYLOADS.values():
        visit(td)
    return seen


def _summary(td: type) -> str:
    doc = (td.__doc__ or "").strip()
    if doc.startswith(f"{td.__name__}("):  # the functional form's generated docstring
        return ""
    return " ".join(doc.replace("``", "`").split())


def markdown() -> str:
    """The "Payload types" section of docs/events.md, between its markers."""
    lines = [
        BEGIN,
        "## Payload types",
        "",
        "Generated from `core/event_payloads.py` (do not edit here; regenerate with",
        "`python -m core.event_payload_docs --write docs/events.md`). Required keys are always",
        "present, possibly null; a key marked *optional* may be absent.",
        "",
        "| type | payload |",
        "|---|---|",
    ]
    lines += [f"| `{t.value}` | `{td.__name__}` |" for t, td in PAYLOADS.items()]
    for td in _ordered_types():
        lines += ["", f"### `{td.__name__}`", ""]
        summary = _summary(td)
        if summary:
            lines += [summary, ""]
        bases = BASES.get(td, ())
        if bases:
            lines += ["Every field of " + " and ".join(f"`{b.__name__}`" for b in bases)
                      + ", and:", ""]
        lines += ["| field | type |", "|---|---|"]
        optional = td.__optional_keys__  # type: ignore[attr-defined]
        for name, tp in _own_fields(td).items():
            mark = " (*optional*)" if name in optional else ""
            lines.append(f"| `{name}` | {describe(tp)}{mark} |")
    lines.append(END)
    return "\n".join(lines) + "\n"


BEGIN = "<!-- payload-types:begin -->"
END = "<!-- payload-types:end -->"


def doc_section(text: str) -> str | None:
    """The generated section of a document's text, markers included (None: no markers)."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start:end + len(END)] + "\n"


def with_section(text: str) -> str:
    """``text`` with its generated section replaced (or appended, the first time)."""
    current = doc_section(text)
    if current is None:
        return text.rstrip("\n") + "\n\n" + markdown()
    return text.replace(current.rstrip("\n"), markdown().rstrip("\n"))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write"] and len(argv) == 2:
        with open(argv[1], encoding="utf-8") as f:
            text = f.read()
        with open(argv[1], "w", encoding="utf-8") as f:
            f.write(with_section(text))
        return 0
    if argv:
        print("usage: python -m core.event_payload_docs [--write docs/events.md]", file=sys.stderr)
        return 2
    sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
