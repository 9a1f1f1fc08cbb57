"""Clarification, 流标, re-tender and 终止 of the demo's second section, as OCDS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.bootstrap import Container
from core.clock import MovableClock
from core.services.tendering import closing
from core.services.tendering.scheduler import run_due
from mappings.ocds.publication import PublicationSettings
from mappings.ocds.values import when
from tests.ocds import scenario
from tests.ocds.conftest import Demo, export
from tests.ocds.test_ocds_demo import assert_valid

# After the demo's contract: the demo runs on the tests' clock from 2026-11-24 for about two
# months; 2027 is reckoned on the provisional calendar unless its notice is loaded.
AFTER_DEMO = datetime(2027, 6, 15, 1, 30, tzinfo=UTC)
PRICE = "12345678.91"  # the one bid's price: must never appear, the bid is never opened


def _by_stage(package: dict[str, Any], ocid: str) -> dict[str, dict[str, Any]]:
    return {r["id"].removeprefix(ocid + "-"): r for r in package["releases"]
            if r["ocid"] == ocid}


def test_clarification_failure_retender_and_termination(
        container: Container, clock: MovableClock, demo: Demo,
        publication: PublicationSettings, tmp_path: Path) -> None:
    code = demo.sections[1]
    clock.set(AFTER_DEMO)
    first_deadline = scenario.open_round(container, code)
    _, package = export(container, publication, code)
    ocid = package["releases"][0]["ocid"]
    assert ocid.endswith("-" + code[-3:])

    clock.set(first_deadline - timedelta(days=5))  # too late for 法 23's 15 days: it moves
    moved = scenario.clarify(container, code)
    assert moved > first_deadline
    scenario.submit_bid(container, code, "MA2YRC01", "榕城路桥工程有限公司", PRICE, tmp_path)
    raw, package = export(container, publication, code)
    stages = _by_stage(package, ocid)
    assert list(stages) == ["notice-1", "documents", "clarification-1"]
    assert stages["documents"]["tender"]["tenderPeriod"]["endDate"] == when(first_deadline)
    amended = stages["clarification-1"]
    assert amended["tag"] == ["tenderAmendment"]
    assert amended["tender"]["tenderPeriod"]["endDate"] == when(moved)
    assert amended["tender"]["bidOpening"]["date"] == when(moved)
    assert amended["tender"]["amendments"][0]["date"] == when(clock.now())
    assert PRICE.encode() not in raw and b'"bids"' not in raw  # sealed
    assert "榕城路桥工程有限公司".encode() not in raw  # who bid stays secret too (法 22)

    clock.set(moved)
    assert run_due(container.uow, container.signer) == 1  # one bid of three needed: 流标
    raw, package = export(container, publication, code)
    failed = _by_stage(package, ocid)["failed"]
    assert failed["tag"] == ["tenderUpdate"]
    assert failed["tender"]["status"] == "unsuccessful"
    assert failed["tender"]["lots"][0]["status"] == "unsuccessful"
    assert failed["tender"]["documents"][-1]["title"] == "流标"
    assert PRICE.encode() not in raw and b'"bids"' not in raw  # never opened, never shown
    assert_valid(package)

    clock.advance(timedelta(days=1))  # re-tender: a new contracting process
    scenario.open_round(container, code)
    _, package = export(container, publication, code)
    second = f"{ocid}-2"
    assert [r["ocid"] for r in package["releases"]][-1] == second
    retender = _by_stage(package, second)
    assert list(retender) == ["documents"]
    assert retender["documents"]["tag"] == ["tender"]
    assert retender["documents"]["relatedProcesses"] == [{
        "id": "1", "relationship": ["unsuccessfulProcess"], "title": retender["documents"][
            "relatedProcesses"][0]["title"], "scheme": "ocid", "identifier": ocid,
        "uri": f"https://ggzy.example.cn/api/v1/public/ocds/sections/{code}/record"}]
    assert "documents" not in retender["documents"]["tender"]  # the notice was round 1's

    clock.advance(timedelta(days=1))
    with container.uow() as uow:
        closing.terminate_round(uow, scenario.principal(container, scenario.AGENCY), code,
                                "招标人调整建设方案，终止本次招标")
        uow.commit()
    _, record = export(container, publication, code, "record")
    assert [r["ocid"] for r in record["records"]] == [ocid, second]
    first_compiled, second_compiled = (r["compiledRelease"] for r in record["records"])
    assert first_compiled["tender"]["status"] == "unsuccessful"
    assert second_compiled["tender"]["status"] == "cancelled"
    cancelled = record["records"][1]["releases"][-1]
    assert cancelled["tag"] == ["tenderCancellation"]
    (reason,) = cancelled["tender"]["documents"]
    assert reason["documentType"] == "cancellationDetails"
    assert reason["description"] == "招标人调整建设方案，终止本次招标"
    assert_valid(record)
