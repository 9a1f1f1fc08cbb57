"""The mapping specs shipped with the hub: one JSON file per spec version, `<set>_<what>@<v>`.

They are the defaults; an administrator stores new versions in the database
(``exchange.mapping_specs``), and routes name the version they use.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

#: The trading domain each family of specs is written for, by the family's name (the part of a
#: spec's name before the first dot): the national standard's 工程建设 sets (5xx, 'gcjs') carry
#: 工程建设 events only. A family not listed here (none ships yet) takes every domain.
FAMILY_DOMAINS = {"gcjs": "engineering"}


def spec_domain(name: str) -> str | None:
    """The trading domain of the spec ``name`` (or ``name@version``), None for every domain."""
    return FAMILY_DOMAINS.get(name.split("@", 1)[0].split(".", 1)[0])


@cache
def shipped_specs() -> dict[str, dict[str, Any]]:
    """Every shipped spec by reference (``name@version``)."""
    found: dict[str, dict[str, Any]] = {}
    for folder in resources.files(__package__).iterdir():
        if not folder.is_dir() or folder.name.startswith(("_", ".")):
            continue
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if item.name.endswith(".json"):
                raw = json.loads(item.read_text(encoding="utf-8"))
                found[f"{raw['name']}@{raw['version']}"] = raw
    return found
