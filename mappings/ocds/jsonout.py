"""JSON with exact decimal amounts.

``json`` can only print a ``Decimal`` by way of ``float``, which would round an amount in 分 the
moment it grows past fifteen digits; OCDS wants amounts as JSON numbers, so this writer prints
each ``Decimal`` as the number literal it is.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a JSON number: {value}")
        out.append(format(value, "f"))
    elif isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys are strings, got {key!r}")
            out.append(("," if i else "") + json.dumps(key, ensure_ascii=False) + ":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        out.append(json.dumps(value, ensure_ascii=False, allow_nan=False))


def dumps(value: Any) -> bytes:
    """UTF-8 JSON of dicts, lists, strings, numbers (``Decimal`` exact), booleans and null."""
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode("utf-8")
