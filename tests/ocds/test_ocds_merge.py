"""The compiled release (our merge against ocdsmerge), the exact JSON writer, the settings."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import ocdsmerge
import pytest

from adapters.bootstrap import Container
from adapters.config import SAMPLE_PLATFORM_CODE, SAMPLE_PLATFORM_USCC
from core.platform import PlatformIdentity
from exchange.ocds.settings import from_env
from mappings.ocds.jsonout import dumps
from mappings.ocds.merge import compile_releases
from mappings.ocds.publication import DEFAULT_OCID_PREFIX, PublicationSettings
from tests.ocds.conftest import Demo, export
from tests.ocds.offline import patched_release_schema


def release(date: str, **fields: Any) -> dict[str, Any]:
    return {"ocid": "ocds-ggzy00-1", "id": f"r-{date}", "date": date, "tag": ["tender"],
            "initiationType": "tender", **fields}


RELEASES = [
    release("2026-03-02T09:00:00+08:00",
            parties=[{"id": "A", "name": "甲", "roles": ["buyer", "procuringEntity"],
                      "additionalIdentifiers": [{"id": "1", "scheme": "X"},
                                                {"id": "2", "scheme": "Y"}]}],
            tender={"id": "T", "status": "active", "title": "一",
                    "documents": [{"id": "d1", "title": "公告"}]}),
    release("2026-03-05T09:00:00+08:00",
            parties=[{"id": "A", "roles": ["buyer"], "additionalIdentifiers": [
                {"id": "1", "scheme": "Z"}]},
                     {"id": "B", "name": "乙", "roles": ["tenderer"]}],
            tender={"id": "T", "status": "complete", "title": None,
                    "documents": [{"id": "d2", "title": "开标记录"},
                                  {"id": "d1", "url": "https://x.example/1"}]}),
]


def test_merge_rules() -> None:
    compiled = compile_releases(list(reversed(RELEASES)))  # sorted by date first
    assert compiled["id"] == "ocds-ggzy00-1-2026-03-05T09:00:00+08:00"
    assert compiled["date"] == "2026-03-05T09:00:00+08:00" and compiled["tag"] == ["compiled"]
    a, b = compiled["parties"]
    assert a["name"] == "甲" and a["roles"] == ["buyer"]  # arrays of strings: replaced whole
    assert a["additionalIdentifiers"] == [{"id": "1", "scheme": "Z"}]  # wholeListMerge
    assert b["id"] == "B"
    assert compiled["tender"]["status"] == "complete" and "title" not in compiled["tender"]
    assert compiled["tender"]["documents"] == [  # by id, in order of first appearance
        {"id": "d1", "title": "公告", "url": "https://x.example/1"},
        {"id": "d2", "title": "开标记录"}]
    assert RELEASES[0]["tender"]["documents"] == [{"id": "d1", "title": "公告"}]  # untouched


def test_merge_agrees_with_ocdsmerge(container: Container, demo: Demo,
                                     publication: PublicationSettings) -> None:
    merger = ocdsmerge.Merger(schema=patched_release_schema())
    assert merger.create_compiled_release(
        RELEASES) == compile_releases(RELEASES)
    for code in demo.sections:
        _, record = export(container, publication, code, "record")
        for r in record["records"]:
            assert r["compiledRelease"] == merger.create_compiled_release(r["releases"])


def test_decimals_are_written_exactly() -> None:
    amount = Decimal("123456789012345678.91")  # more digits than a float keeps
    raw = dumps({"value": {"amount": amount, "currency": "CNY"}, "名称": "第一标段",
                 "list": [Decimal("0.10"), 3, True, None]})
    assert raw == ('{"value":{"amount":123456789012345678.91,"currency":"CNY"},'
                   '"名称":"第一标段","list":[0.10,3,true,null]}').encode()
    assert json.loads(raw, parse_float=Decimal)["value"]["amount"] == amount
    assert float(json.loads(raw)["value"]["amount"]) != amount  # what float would have done
    for bad in (Decimal("NaN"), Decimal("Infinity"), float("nan")):
        with pytest.raises(ValueError):
            dumps({"amount": bad})
    with pytest.raises(TypeError):
        dumps({1: "key not a string"})


def test_publication_settings() -> None:
    platform = PlatformIdentity(SAMPLE_PLATFORM_CODE, SAMPLE_PLATFORM_USCC)
    default = from_env({}, platform)
    assert default.ocid_prefix == DEFAULT_OCID_PREFIX == "ocds-ggzy00"
    assert default.publisher_uid == platform.uscc
    chosen = from_env({"GGZY_OCID_PREFIX": "ocds-7x9k2m",
                       "GGZY_OCDS_PUBLISHER_NAME": "福州市公共资源交易中心"}, platform)
    assert (chosen.ocid_prefix, chosen.publisher_name) == ("ocds-7x9k2m", "福州市公共资源交易中心")
    for bad in ("ocds-ggzy", "ocds-GGZY00", "ggzy00", "ocds-ggzy00-x"):
        with pytest.raises(ValueError):
            from_env({"GGZY_OCID_PREFIX": bad}, platform)
