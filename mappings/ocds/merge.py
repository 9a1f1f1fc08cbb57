"""The compiled release of a process: its releases merged by the OCDS 1.1 merge rules.

The rules, as the standard states them (schema/merging): releases apply in date order and the
latest value of a field wins; objects merge field by field; ``null`` removes a field; an array of
objects that all carry an ``id`` merges item by item on that ``id`` (new ids are appended in
order); any other array, and the arrays the schema marks ``wholeListMerge``, is replaced whole.
``id``, ``date`` and ``tag`` are omitted when merging (``omitWhenMerged``); the compiled release
gets ``tag`` ``["compiled"]``, the latest ``date`` and the id ``<ocid>-<date>``.

This is the few dozen lines our own releases need, with no schema download at run time; the tests
check it against ``ocdsmerge`` run on the offline 1.1.5 schema.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

OMIT_WHEN_MERGED = frozenset({"id", "date", "tag"})
# Fields whose arrays of objects the 1.1.5 release schema marks ``wholeListMerge``.
WHOLE_LIST_MERGE = frozenset({"additionalIdentifiers", "additionalClassifications"})


def _by_id(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "id" in i for i in items)


def _merge_list(target: list[Any], source: list[Any]) -> list[Any]:
    merged = copy.deepcopy(target)
    index = {str(item["id"]): item for item in merged}
    for item in source:
        key = str(item["id"])
        if key in index:
            _merge_object(index[key], item)
        else:
            fresh: dict[str, Any] = {}
            _merge_object(fresh, item)
            merged.append(fresh)
            index[key] = fresh
    return merged


def _merge_object(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = target[key] = {}
            _merge_object(current, value)
        elif isinstance(value, list) and key not in WHOLE_LIST_MERGE and _by_id(value):
            current_list = target.get(key)
            target[key] = _merge_list(current_list if isinstance(current_list, list)
                                      and _by_id(current_list) else [], value)
        else:
            target[key] = copy.deepcopy(value)


def compile_releases(releases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Merge the releases of one ocid; they are sorted by ``date`` (stably) first."""
    if not releases:
        raise ValueError("a compiled release needs at least one release")
    ordered = sorted(releases, key=lambda r: r["date"])
    compiled: dict[str, Any] = {}
    for release in ordered:
        _merge_object(compiled, {k: v for k, v in release.items() if k not in OMIT_WHEN_MERGED})
    latest = ordered[-1]["date"]
    return {"ocid": compiled.pop("ocid"), "id": f"{ordered[-1]['ocid']}-{latest}",
            "date": latest, "tag": ["compiled"], **compiled}
