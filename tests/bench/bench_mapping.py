"""Benchmark: tendering records mapped and validated per second, against building the same XML
by hand with lxml, in the same process.

    .venv/bin/python -m tests.bench.bench_mapping [--records 20000 --repeat 5]

Engine: for each demo event of the tender (tests/fixtures/demo_events.json), the shipped spec of
its data set maps it (paths, lookups, conversions), validates every record against the national
definition (the full validator: lengths, formats, code tables, check characters), and the record
is written as the national profile's XML (``<RECORD DATASET=…><FIELD>…</FIELD></RECORD>``).

Raw: what a developer would write without the engine, for three representative sets (501
招标项目, 502 标段, 507 投标人名单): read the payload, format the values, build the same
elements with lxml; no validation at all. The ratio engine/raw is computed on those three sets,
interleaved over ``--repeat`` rounds (median of per-round ratios; rates from the best round).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree

from mappings.engine import MappingContext, compile_spec
from mappings.records import DataSetRecord
from mappings.specs import shipped_specs

EVENTS = json.loads((Path(__file__).parents[1] / "fixtures" / "demo_events.json")
                    .read_text(encoding="utf-8"))
CONTEXT = MappingContext("E3501000001", "91350100M000100Y43", "E3500000000",
                         "12350000MB0000000X", "https://ggzy.example.cn")
BEIJING = ZoneInfo("Asia/Shanghai")
SAME_SETS = ("gcjs.tender_project@1", "gcjs.section@1", "gcjs.bidder_list@1")


def record_xml(record: DataSetRecord) -> bytes:
    root = etree.Element("RECORD", DATASET=record.data_set, NAME=record.name_en)
    for code, value in record.fields.items():
        etree.SubElement(root, code).text = value
    return bytes(etree.tostring(root, encoding="utf-8"))


def _dt14(value: str) -> str:
    from datetime import datetime
    return datetime.fromisoformat(value).astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def _common(root: Any, event: dict[str, Any]) -> None:
    for code, value in (("PLATFORM_CODE", CONTEXT.platform_uscc),
                        ("PUB_SERVICE_PLAT_CODE", CONTEXT.pub_service_plat_code),
                        ("DATA_TIMESTAMP", _dt14(event["occurred_at"])),
                        ("TRADE_PLAT", CONTEXT.platform_code),
                        ("PUB_SERVICE_PLAT", CONTEXT.pub_service_plat)):
        etree.SubElement(root, code).text = value


def raw_501(event: dict[str, Any]) -> list[bytes]:
    p = event["payload"]
    t, a = p["tenderer"], p["agency"] or p["tenderer"]
    root = etree.Element("RECORD", DATASET="501", NAME="TENDER_PROJECT")
    for code, value in (
            ("PROJECT_CODE", p["project_code"]), ("TENDER_PROJECT_CODE", p["tender_project_code"]),
            ("TENDER_SELF_CODE", p["tender_project_code"]),
            ("UNIFIED_DEAL_CODE", p["unified_deal_code"]), ("IS_TO_LAW", "1"),
            ("TENDER_PROJECT_NAME", p["name"]), ("TENDER_PROJECT_TYPE", p["tender_project_type"]),
            ("REGION_CODE", p["region_code"]), ("TENDER_CONTENT", p["content"] or p["name"]),
            ("OWNER_NAME", t["name"]), ("TENDERER_NAME", t["name"]),
            ("TENDERER_CODE_TYPE", "1" if t["identifier_type"] == "uscc" else "3"),
            ("TENDERER_CODE", t["identifier"]), ("ISUNION", "0"), ("TENDERER_ROLE", "01"),
            ("TENDER_AGENCY_NAME", a["name"]), ("TENDER_AGENCY_CODE_TYPE", "1"),
            ("TENDER_AGENCY_CODE", a["identifier"]),
            ("TENDER_AGENCY_ROLE", "02" if p["organize_form"] == "2" else "01"),
            ("TENDER_MODE", p["tender_mode"]), ("TENDER_ORGANIZE_FORM", p["organize_form"]),
            ("CREATE_TIME", _dt14(p["created_at"])),
            ("SUPERVISE_DEPT_NAME", p["supervise_dept_name"] or "未登记"),
            ("APPROVE_DEPT_NAME", "未登记"),
            ("REPORT_DUTY", a["contact_name"] or t["contact_name"] or t["name"]),
            ("TENDERER_REGION_CODE", t["region_code"]), ("TENDERER_PROPERTY", "9"),
            ("TENDER_AGENCY_REGION_CODE", a["region_code"]), ("TENDER_AGENCY_PROPERTY", "9"),
            ("OPERATION_NAME", a["name"]), ("TRADE_SYSTEM_NO", CONTEXT.platform_code + "0"),
            ("TRADE_SYSTEM_FEE", "0")):
        etree.SubElement(root, code).text = value
    _common(root, event)
    return [bytes(etree.tostring(root, encoding="utf-8"))]


def raw_502(event: dict[str, Any]) -> list[bytes]:
    p = event["payload"]
    root = etree.Element("RECORD", DATASET="502", NAME="SECTION")
    for code, value in (
            ("TENDER_PROJECT_CODE", p["tender_project_code"]),
            ("BID_SECTION_CODE", p["section_code"]), ("BID_SECTION_NAME", p["name"]),
            ("BID_ECTION_NUM", str(p["tender_count"])),
            ("UNIFIED_DEAL_CODE", p["unified_deal_code"]), ("BID_TENDER_MODE", p["tender_mode"]),
            ("REGION_CODE", p["region_code"]), ("TRA_PLACE_CODE", p["region_code"]),
            ("BID_SECTION_CONTENT", p["content"] or p["name"]),
            ("TENDER_PROJECT_CLASSIFY_CODE", p["tender_project_type"] + "0000"),
            ("CONTRACT_RECKON_PRICE", format(Decimal(p["estimated_price"]).normalize(), "f")),
            ("CURRENCY_CODE", p["currency"]), ("PRICE_UNIT", p["price_unit"]),
            ("BID_QUALIFICATION", p["qualification"] or "未登记"),
            ("LIMITE_TIME", str(p["duration_days"])), ("CREATE_TIME", _dt14(p["created_at"]))):
        etree.SubElement(root, code).text = value
    _common(root, event)
    return [bytes(etree.tostring(root, encoding="utf-8"))]


def raw_507(event: dict[str, Any]) -> list[bytes]:
    p = event["payload"]
    out = []
    for b in p["opening"]["bids"]:
        root = etree.Element("RECORD", DATASET="507", NAME="TENDER_LIST")
        declared = b.get("declared") or {}
        for code, value in (
                ("TENDER_PROJECT_CODE", p["tender_project_code"]),
                ("BID_SECTION_CODE", p["section_code"]),
                ("UNIFIED_DEAL_CODE", p["unified_deal_code"]), ("BIDDER_NAME", b["bidder_name"]),
                ("IS_LOST", "0"),
                ("BIDDER_CODE_TYPE", "1" if b["identifier_type"] == "uscc" else "3"),
                ("BIDDER_ORG_CODE", b["bidder_id"]), ("BIDDER_ROLE", "03"),
                ("BID_MANAGER", declared.get("project_manager") or "未登记"),
                ("PM_CODE", declared.get("project_manager_id") or "未登记"),
                ("PM_CERTIFICATES", "未登记"),
                ("IS_COMMIT_MARGIN", "1" if b["deposit_paid"] else "0"),
                ("MARGIN_PAY_FORM", "1"), ("PRICE_FORM_CODE", "1"),
                ("MARGIN_RECEIVE_TIME", _dt14(b["deposit_paid_at"] or b["submitted_at"])),
                ("BID_PRICE", format(Decimal(b["price"]).normalize(), "f")),
                ("PRICE_CURRENCY", p["currency"]), ("PRICE_UNIT", p["price_unit"]),
                ("TIME_LIMIT", str(declared.get("duration_days"))),
                ("CHECKIN_TIME", _dt14(b["submitted_at"])),
                ("BIDDER_REGION_CODE", b["region_code"]), ("BIDDER_PROPERTY", "9"),
                ("BIDDER_OPERATION_PERSON", b["contact_name"] or b["bidder_name"]),
                ("BIDDER_OPERATION_PERSON_CON", b["contact_phone"] or "未登记")):
            etree.SubElement(root, code).text = value
        _common(root, event)
        out.append(bytes(etree.tostring(root, encoding="utf-8")))
    return out


RAW: dict[str, tuple[Callable[[dict[str, Any]], list[bytes]], str]] = {
    "gcjs.tender_project@1": (raw_501, "tender_project.created"),
    "gcjs.section@1": (raw_502, "section.created"),
    "gcjs.bidder_list@1": (raw_507, "round.opened"),
}


def _pairs(refs: list[str]) -> list[tuple[Any, dict[str, Any]]]:
    specs = {ref: compile_spec(shipped_specs()[ref]) for ref in refs}
    return [(spec, EVENTS[event]) for spec in specs.values() for event in spec.spec.events
            if event in EVENTS]


def time_engine(pairs: list[tuple[Any, dict[str, Any]]], records: int) -> tuple[float, int]:
    made = 0
    start = time.perf_counter()
    while made < records:
        for spec, event in pairs:
            for record in spec.apply(event, CONTEXT):
                record_xml(record)
                made += 1
    return time.perf_counter() - start, made


def time_raw(records: int) -> tuple[float, int]:
    made = 0
    start = time.perf_counter()
    while made < records:
        for build, event in RAW.values():
            made += len(build(EVENTS[event]))
    return time.perf_counter() - start, made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    all_pairs = _pairs(sorted(r for r in shipped_specs() if r.startswith("gcjs.")))
    same_pairs = _pairs(list(SAME_SETS))
    # the engine and the hand-written builders must write the same bytes
    for spec, event in same_pairs:
        mine = [record_xml(r) for r in spec.apply(event, CONTEXT)]
        theirs = RAW[spec.ref][0](event)
        assert mine == theirs, (spec.ref, mine[0][:200], theirs[0][:200])
    time_engine(all_pairs, 2000)
    time_raw(2000)  # warm-up
    all_rates, same_rates, raw_rates, ratios = [], [], [], []
    for _ in range(args.repeat):
        seconds, made = time_engine(all_pairs, args.records)
        all_rates.append(made / seconds)
        seconds, made = time_engine(same_pairs, args.records)
        same = made / seconds
        seconds, made = time_raw(args.records)
        raw = made / seconds
        same_rates.append(same)
        raw_rates.append(raw)
        ratios.append(same / raw)
    print(f"records mapped + validated + written as XML, {args.records} per run, "
          f"{args.repeat} rounds")
    print(f"  engine, every shipped tendering spec {max(all_rates):10,.0f} records/s (best)")
    print(f"  engine, 501/502/507                  {max(same_rates):10,.0f} records/s (best)")
    print(f"  raw lxml by hand, 501/502/507        {max(raw_rates):10,.0f} records/s (best), "
          "no validation")
    print(f"  ratio engine/raw (median of rounds)  {statistics.median(ratios):10.2f}   "
          "(target >= 0.3; target rate >= 5,000/s)")


if __name__ == "__main__":
    main()
