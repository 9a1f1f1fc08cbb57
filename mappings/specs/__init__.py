"""The mapping specs shipped with the hub: one JSON file per spec version, `<set>_<what>@<v>`.

They are the defaults; an administrator stores new versions in the database
(``exchange.mapping_specs``), and routes name the version they use.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


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
