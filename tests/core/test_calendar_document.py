"""The holiday-schedule document as the CLI hands it to the core: parsed and checked before
anything is stored (the REST edge types the same fields first; the CLI reaches this directly)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.errors import DomainError
from core.services.calendar_document import parse_notice, remarks

SAMPLE = json.loads((Path(__file__).parents[1] / "fixtures" / "calendar-2027-sample.json")
                    .read_text(encoding="utf-8"))


def changed(path: list[Any], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(SAMPLE)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def test_the_sample_parses_into_the_days_of_the_notice() -> None:
    doc = parse_notice(SAMPLE, 2027)
    assert date(2027, 2, 9) in doc.rest_days and date(2027, 1, 31) in doc.working_days
    assert len(doc.sha256) == 64 and doc.sha256 == parse_notice(copy.deepcopy(SAMPLE)).sha256
    assert [r for r in remarks(doc) if "2027-02-20" in r]


@pytest.mark.parametrize(("path", "value", "field"), [
    (["year"], "2027", "year"),
    (["year"], True, "year"),
    (["year"], 2100, "year"),
    (["notice"], None, "notice"),
    (["notice", "number"], "", "notice.number"),
    (["notice", "title"], "标题\u202e", "notice.title"),
    (["notice", "date"], "2026-11-31", "notice.date"),
    (["holidays"], [], "holidays"),
    (["holidays", 0, "rest"], ["2027-13-01"], "holidays[0].rest"),
    (["holidays", 0, "rest"], ["２０２７-01-01"], "holidays[0].rest"),
    (["holidays", 0, "name"], "元旦\x00", "holidays[0].name"),
    (["holidays", 1, "work"], ["2027-02-17"], "holidays[1].work[0]"),
])
def test_what_cannot_be_a_notice_is_refused_naming_the_field(
        path: list[Any], value: Any, field: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_notice(changed(path, value))
    assert err.value.details["field"] == field


def test_the_year_given_must_be_the_documents() -> None:
    with pytest.raises(DomainError) as err:
        parse_notice(SAMPLE, 2028)
    assert err.value.code == "CALENDAR_DOCUMENT_INVALID" and "2028" in err.value.message_en
