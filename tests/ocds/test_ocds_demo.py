"""The demo tender, exported as OCDS 1.1 and validated offline with libcoveocds."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from adapters.bootstrap import Container
from adapters.demo_lifecycle import BIDDERS as DEMO_BIDDERS
from core.model.party import Party
from core.model.tendering import Award, Bid
from mappings.ocds.publication import EXTENSIONS, PublicationSettings
from tests.ocds.conftest import Demo, export
from tests.ocds.offline import validate

PRICES = tuple(b[2] for b in DEMO_BIDDERS)  # the demo's sealed bid prices
BIDDERS = tuple(b[1] for b in DEMO_BIDDERS)


def assert_valid(package: dict[str, Any]) -> dict[str, Any]:
    context = validate(package)
    assert "json_deref_error" not in context
    assert context["validation_errors"] == []
    assert context["additional_fields"] == []  # every field is core or one of the extensions
    assert context["additional_closed_codelist_values"] == {}
    assert context["extensions"]["invalid_extensions"] == []
    assert {e["url"] for e in context["extensions"]["extensions"]} == set(EXTENSIONS)
    return context


def test_demo_packages_are_valid_ocds(container: Container, demo: Demo,
                                      publication: PublicationSettings) -> None:
    for code in demo.sections:
        for kind in ("releases", "record"):
            _, package = export(container, publication, code, kind)
            assert package["version"] == "1.1"
            assert package["extensions"] == list(EXTENSIONS)
            assert package["publisher"]["uid"] == container.settings.platform.uscc
            assert_valid(package)


def test_demo_releases_follow_the_lifecycle(container: Container, demo: Demo,
                                            publication: PublicationSettings) -> None:
    code = demo.sections[0]
    raw, package = export(container, publication, code)
    releases = package["releases"]
    assert {r["ocid"] for r in releases} == {releases[0]["ocid"]}
    ocid = releases[0]["ocid"]
    assert re.fullmatch(r"ocds-ggzy00-[A-Z][0-9]{2}-[0-9A-Z]{18}-[0-9]{8}-[0-9]{6}-[0-9A-Z*]-"
                        + code[-3:], ocid), ocid
    stages = {r["id"].removeprefix(ocid + "-"): r["tag"] for r in releases}
    assert next(iter(stages)).startswith("notice-") and releases[0]["tag"] == ["tender"]
    assert [(s, t[0]) for s, t in stages.items() if not s.startswith(("notice", "clar"))] == [
        ("documents", "tenderUpdate"), ("opening", "tenderUpdate"), ("candidates", "award"),
        ("award", "awardUpdate"), ("contract", "contract")]
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases)
    assert all(r["initiationType"] == "tender" for r in releases)
    # the estimated price, a Decimal, written as the exact number literal
    assert b'"value":{"amount":41200000.00,"currency":"CNY"}' in raw
    final = releases[-1]
    assert final["tender"]["status"] == "complete"
    assert final["tender"]["lots"][0]["id"] == code  # two sections: this one is a lot
    statuses = [d["status"] for d in final["bids"]["details"]]
    assert statuses == ["valid", "valid", "valid"]
    values = sorted(Decimal(str(d["value"]["amount"])) for d in final["bids"]["details"])
    assert values == sorted(Decimal(p) for p in PRICES)
    stats = {s["measure"]: s["value"] for s in final["bids"]["statistics"]}
    assert stats["bids"] == 3 and stats["validBids"] == 3
    assert Decimal(str(stats["lowestValidBidValue"])) == min(Decimal(p) for p in PRICES)
    with container.uow() as uow:
        winner, contract_amount = uow.session.execute(
            select(Party.name, Award.contract_amount).join(Bid, Bid.party_id == Party.id)
            .join(Award, Award.bid_id == Bid.id)
            .where(Party.name.in_(BIDDERS))).one()  # not the 政府采购 tender's award
    awards = {a["status"] for a in final["awards"]}
    assert awards == {"active", "unsuccessful"}
    active = next(a for a in final["awards"] if a["status"] == "active")
    assert active["suppliers"][0]["name"] == winner
    assert active["relatedBid"] in {d["id"] for d in final["bids"]["details"]}
    assert final["contracts"][0]["awardID"] == active["id"]
    assert Decimal(str(final["contracts"][0]["value"]["amount"])) == contract_amount
    roles = {p["name"]: p["roles"] for p in final["parties"]}
    assert roles[winner] == ["tenderer", "supplier"]
    assert sorted(n for n, r in roles.items() if r == ["tenderer"]) == sorted(
        set(BIDDERS) - {winner})
    assert roles["福州市城市建设投资有限公司"] == ["buyer"]
    assert roles["福建闽江工程咨询有限公司"] == ["procuringEntity"]
    uscc_ids = [p["identifier"] for p in final["parties"]]
    assert all(i["scheme"] == "CN-USCC" and len(i["id"]) == 18 for i in uscc_ids)
    # candidates while the publicity ran: pending, no winner yet
    candidates = next(r for r in releases if r["id"].endswith("-candidates"))
    assert {a["status"] for a in candidates["awards"]} == {"pending"}
    assert "contracts" not in candidates


def test_second_section_is_only_its_tender_notice(container: Container, demo: Demo,
                                                  publication: PublicationSettings) -> None:
    _, package = export(container, publication, demo.sections[1])
    (release,) = package["releases"]
    assert release["tag"] == ["tender"]
    assert release["tender"]["status"] == "active"
    assert "tenderPeriod" not in release["tender"]
    assert release["tender"]["documents"][0]["documentType"] == "tenderNotice"
    assert not {"bids", "awards", "contracts"} & set(release)


def test_bids_stay_sealed_until_the_opening_record(demo: Demo) -> None:
    before = [s for s in demo.snapshots if not s.record_signed]
    being_opened = [s for s in before if s.opened_rows]
    assert [s for s in before if s.sealed_bids], "the demo exported no sealed stage"
    assert being_opened, "the demo exported no state with keys handed in but no record"
    for s in before:
        if s.raw is None:
            continue
        text = s.raw.decode()
        package = json.loads(text)
        for release in package["releases"]:
            assert "bids" not in release, s.step
            assert "awards" not in release
            assert "tenderers" not in release["tender"]
            assert all(p["roles"] != ["tenderer"] for p in release["parties"])
        for price in PRICES:
            assert price not in text and price.split(".")[0] not in text, s.step
        for name in BIDDERS:
            assert name not in text, s.step
    after = [s for s in demo.snapshots if s.record_signed]
    assert after and all(s.raw is not None and b'"bids"' in s.raw for s in after)
    assert any(PRICES[1].encode() in (s.raw or b"") for s in after)


def test_record_compiles_the_releases(container: Container, demo: Demo,
                                      publication: PublicationSettings) -> None:
    _, package = export(container, publication, demo.sections[0], "record")
    (record,) = package["records"]
    _, releases = export(container, publication, demo.sections[0])
    assert record["releases"] == releases["releases"]
    compiled = record["compiledRelease"]
    last = releases["releases"][-1]
    assert compiled["tag"] == ["compiled"]
    assert compiled["date"] == last["date"]
    assert compiled["id"] == f"{record['ocid']}-{last['date']}"
    for key in ("tender", "bids", "awards", "contracts", "parties", "buyer"):
        assert compiled[key] == last[key], key  # each release is a full snapshot
    assert package["packages"] == ["https://ggzy.example.cn/releases"]


def _broken(package: dict[str, Any], breakage: Any) -> dict[str, Any]:
    """The package with only its last release, broken in one place."""
    broken = copy.deepcopy(package)
    broken["releases"] = [copy.deepcopy(package["releases"][-1])]
    breakage(broken["releases"][0])
    return broken


def test_extension_fields_are_validated(container: Container, demo: Demo,
                                        publication: PublicationSettings) -> None:
    """A wrong value in each extension's fields fails, so the patched schema is in force."""
    _, package = export(container, publication, demo.sections[0])
    schema_errors = {
        "releases/0/bids/statistics/0/value": lambda r: r["bids"]["statistics"][0].update(
            value="three"),
        "releases/0/bids/statistics/1": lambda r: r["bids"]["statistics"][1].pop(
            "measure"),
        "releases/0/tender/bidOpening/date": lambda r: r["tender"]["bidOpening"].update(
            date="开标当日"),
        "releases/0/bids/details/0/tenderers": lambda r: r["bids"]["details"][0].update(
            tenderers="海峡建工"),
    }
    for path, breakage in schema_errors.items():
        errors = validate(_broken(package, breakage))["validation_errors"]
        assert [e["path"] for e in errors] == [path], (path, errors)
    codelists = {  # closed codelists: libcove reports a value outside them apart from errors
        "releases/bids/details/status": ("bidStatus.csv", lambda r: r["bids"]["details"][0]
                                         .update(status="sealed")),
        "releases/tender/lots/status": ("tenderStatus.csv", lambda r: r["tender"]["lots"][0]
                                        .update(status="open")),
    }
    for path, (codelist, breakage) in codelists.items():
        found = validate(_broken(package, breakage))["additional_closed_codelist_values"]
        assert list(found) == [path] and found[path]["codelist"] == codelist, found
    plain = copy.deepcopy(package)
    del plain["extensions"]
    unknown = {f["path"] + "/" + f["field"] for f in validate(plain)["additional_fields"]}
    assert {"/releases/bids", "/releases/tender/lots",
            "/releases/tender/bidOpening"} <= unknown
