"""The national "our reading" adapter: SubmitRecord's parameters, RECORD XML and reply rules,
then end to end against the sandbox national peer over loopback HTTP."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import zeep.exceptions
from lxml import etree

from adapters.outbound.kinds import ADAPTER_KINDS
from adapters.outbound.national import NationalAdapter, classify, record_xml
from adapters.outbound.soap_base import MalformedReply, Refused, Taken
from core.clock import SHANGHAI
from exchange.outcome import Verdict
from exchange.registry import Registry
from mappings.records import Operation
from sandbox.platforms import national
from sandbox.platforms.serve import serving
from tests.exchange.test_adapter_common import (
    DOCTYPE_PROLOG,
    TENDER,
    PeerClock,
    PeerHttp,
    Reply,
    ScriptedServer,
    free_port,
    message,
    project,
    scripted,
    secret_file,
    section,
    soap11_reply,
    target,
    tender_project,
)

__all__ = ["scripted"]  # the fixture, imported for use here

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False,
                         load_dtd=False, huge_tree=False)
PLATFORM = "E3500000001"
PASSWORD = "nat-pass-1"


def options(tmp_path: Path, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
    return {"platform_code": PLATFORM, "secret_file": secret_file(tmp_path, password), **extra}


def test_record_xml_carries_the_fields_and_a_delete_none() -> None:
    record = tender_project()
    text = record_xml(record)
    assert not text.startswith("<?xml")
    root = etree.fromstring(text.encode(), PARSER)
    assert (root.tag, root.get("DATASET"), root.get("NAME")) == ("RECORD", "501",
                                                                 "TENDER_PROJECT")
    assert [(c.tag, c.text) for c in root] == list(record.fields.items())
    assert "&amp; 泵站 &lt;一期&gt;" in text
    deleted = etree.fromstring(record_xml(tender_project(op=Operation.DELETE)).encode(), PARSER)
    assert (len(deleted), deleted.get("DATASET"), deleted.get("NAME")) == (0, "501",
                                                                           "TENDER_PROJECT")


def test_submit_record_parameters(tmp_path: Path) -> None:
    adapter = NationalAdapter(target("national_xml", "http://127.0.0.1:9/", options(tmp_path)))
    args = adapter.build(tender_project(op=Operation.UPDATE, version="20250302080000"), "pw")
    assert isinstance(args, dict)
    assert {k: v for k, v in args.items() if k != "RECORD"} == {
        "PLATFORM_CODE": PLATFORM, "DATASET_CODE": "501", "DATA_KEY": f"501:{TENDER}",
        "OPERATION": "update", "VERSION": "20250302080000"}
    token = adapter.wsse_token("pw")
    assert (token.username, token.password, token.use_digest) == (PLATFORM, "pw", False)
    adapter.close()


@pytest.mark.parametrize("bad", [{"platform_code": "E35"}, {"platform_code": "e3500000001"},
                                 {"soap_version": "2.0"}])
def test_bad_options_park(bad: dict[str, str], tmp_path: Path) -> None:
    adapter = NationalAdapter(target("national_xml", "http://127.0.0.1:9/",
                                     {**options(tmp_path), **bad}))
    outcome = adapter.send(message(tender_project()))
    assert outcome.verdict == Verdict.PARK and "option" in (outcome.error or "")


def result(code: str, msg: str = "", at: str | None = "20250301100005") -> dict[str, Any]:
    return {"SubmitResult": {"CODE": code, "MESSAGE": msg, "RECEIVED_AT": at}}


def test_accepted_and_already_exists() -> None:
    record = section()
    taken = classify(record, result("0000"))
    assert isinstance(taken, Taken)
    ack = taken.acknowledgement
    assert (ack.data_set, ack.record_key, ack.reference) == ("502", record.key,
                                                             f"502:{record.key}")
    assert ack.official_time == datetime(2025, 3, 1, 10, 0, 5, tzinfo=SHANGHAI)
    again = classify(record, result("E301", "already exists", None))
    assert isinstance(again, Taken) and again.acknowledgement.official_time is None
    assert "already held" in again.note


@pytest.mark.parametrize(("code", "verdict", "words"), [
    ("E100", Verdict.PARK, "authentication failed"),
    ("E200", Verdict.PARK, "BID_SECTION_CODE"),
    ("E300", Verdict.RETRY, "parent missing"),
    ("E404", Verdict.PARK, "unknown DATA_KEY 502:"),
    ("E500", Verdict.RETRY, "internal"),
    ("E999", Verdict.PARK, "unknown CODE E999"),
])
def test_refusals(code: str, verdict: Verdict, words: str) -> None:
    refused = classify(section(), result(code, "BID_SECTION_CODE: length must be 23", None))
    assert isinstance(refused, Refused)
    assert refused.verdict == verdict and words in refused.error


@pytest.mark.parametrize("answer", [result("0000", at=None), result("0000", at="2025-03-01"),
                                    result("E301", at="yesterday"), {"MESSAGE": "x"}])
def test_replies_outside_the_protocol_are_malformed(answer: dict[str, Any]) -> None:
    with pytest.raises(MalformedReply):
        classify(section(), answer)


def test_a_ws_security_fault_parks_and_other_faults_retry(tmp_path: Path) -> None:
    adapter = NationalAdapter(target("national_xml", "http://127.0.0.1:9/", options(tmp_path)))
    auth = adapter.fault(zeep.exceptions.Fault("bad token", code="wsse:FailedAuthentication"))
    other = adapter.fault(zeep.exceptions.Fault("boom", code="soap:Server"))
    adapter.close()
    assert (auth.verdict, other.verdict) == (Verdict.PARK, Verdict.RETRY)
    assert "authentication failed" in auth.error and "boom" in other.error


# -- end to end against the sandbox national peer ----------------------------------------------

FIRST = datetime(2025, 3, 1, 10, 0, 5, tzinfo=SHANGHAI)
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


@pytest.fixture
def peer_clock() -> PeerClock:
    return PeerClock(FIRST)


@pytest.fixture
def peer(tmp_path: Path, peer_clock: PeerClock) -> Iterator[PeerHttp]:
    app = national.create_app(tmp_path / "nat.db", platforms={PLATFORM: PASSWORD},
                              clock=peer_clock)
    with serving(app) as base:
        yield PeerHttp(base)
    app.close()


def nat_adapter(endpoint: str, tmp_path: Path, password: str = PASSWORD, timeout: float = 5.0,
                **extra: Any) -> NationalAdapter:
    return NationalAdapter(target("national_xml", endpoint, options(tmp_path, password, **extra),
                                  timeout=timeout))


@pytest.fixture
def adapter(peer: PeerHttp, tmp_path: Path) -> Iterator[NationalAdapter]:
    made = nat_adapter(peer.endpoint, tmp_path)
    yield made
    made.close()


def envelope_sent(outcome_response: str | None) -> etree._Element:
    """The request envelope of the last exchange, as recorded for the attempt log."""
    text = (outcome_response or "").split("\n>>> ", 1)[1]
    return etree.fromstring(text.encode(), PARSER)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_project_chain_is_delivered_with_received_at(version: str, peer: PeerHttp,
                                                       tmp_path: Path) -> None:
    adapter = nat_adapter(peer.endpoint, tmp_path, soap_version=version)
    records = [project(), tender_project(), section()]
    outcome = adapter.send(message(*records))
    adapter.close()
    assert outcome.verdict == Verdict.DELIVERED, outcome.error
    assert [(a.data_set, a.record_key, a.official_time, a.reference)
            for a in outcome.acknowledgements] == [
        (r.data_set, r.key, FIRST, f"{r.data_set}:{r.key}") for r in records]
    held = peer.records()
    assert [(r["data_set"], r["operation"], r["version"]) for r in held] == [
        (r.data_set, "add", r.version) for r in records]
    assert held[1]["fields"] == records[1].fields
    sent = envelope_sent(outcome.response)
    assert etree.QName(sent).namespace == (SOAP12 if version == "1.2" else
                                           "http://schemas.xmlsoap.org/soap/envelope/")
    token = sent.find(".//{*}Security/{*}UsernameToken")
    assert token is not None and token.findtext("{*}Username") == PLATFORM
    assert token.find("{*}Password").get("Type", "").endswith("#PasswordText")
    assert token.findtext("{*}Password") == "***"  # redacted in the log
    assert PASSWORD not in (outcome.response or "")


def test_a_resend_is_delivered_with_the_first_receipt_time(peer: PeerHttp,
                                                           peer_clock: PeerClock,
                                                           adapter: NationalAdapter) -> None:
    assert adapter.send(message(project(), tender_project())).verdict == Verdict.DELIVERED
    peer_clock.moment = FIRST + timedelta(hours=5)
    again = adapter.send(message(project(), tender_project()))
    assert again.verdict == Verdict.DELIVERED
    assert [a.official_time for a in again.acknowledgements] == [FIRST, FIRST]
    assert "already held" in (again.response or "")
    assert len(peer.records()) == 2


def test_a_child_before_its_parent_is_retried_then_delivered(peer: PeerHttp,
                                                             adapter: NationalAdapter) -> None:
    early = adapter.send(message(project(), section()))
    assert early.verdict == Verdict.RETRY
    assert "parent missing" in (early.error or "") and "record 2 of 2" in (early.error or "")
    assert adapter.send(message(project(), tender_project(), section())).verdict == \
        Verdict.DELIVERED
    assert [r["data_set"] for r in peer.records()] == ["500", "501", "502"]


def test_an_invalid_record_parks_naming_the_field(peer: PeerHttp, adapter: NationalAdapter
                                                  ) -> None:
    outcome = adapter.send(message(project(), tender_project(TENDER_PROJECT_TYPE="A0200")))
    assert outcome.verdict == Verdict.PARK
    assert "TENDER_PROJECT_TYPE" in (outcome.error or "") and "E200" in (outcome.error or "")
    assert [r["data_set"] for r in peer.records()] == ["500"]


def test_update_delete_and_an_unknown_key(peer: PeerHttp, adapter: NationalAdapter) -> None:
    assert adapter.send(message(project(), tender_project())).verdict == Verdict.DELIVERED
    changed = tender_project(op=Operation.UPDATE, version="20250302100000",
                             TENDER_CONTENT="管网施工（变更）")
    assert adapter.send(message(changed)).verdict == Verdict.DELIVERED
    assert adapter.send(message(tender_project(op=Operation.DELETE))).verdict == \
        Verdict.DELIVERED
    assert [r["operation"] for r in peer.records()] == ["add", "add", "update", "delete"]
    unknown = adapter.send(message(section(op=Operation.UPDATE)))
    assert unknown.verdict == Verdict.PARK and "unknown DATA_KEY" in (unknown.error or "")


def test_a_wrong_password_parks(peer: PeerHttp, tmp_path: Path) -> None:
    wrong = nat_adapter(peer.endpoint, tmp_path, password="not-the-password")
    outcome = wrong.send(message(project()))
    wrong.close()
    assert outcome.verdict == Verdict.PARK and "authentication failed" in (outcome.error or "")
    assert peer.records() == []


@pytest.mark.parametrize(("mode", "words"), [
    ("soap_fault", "SOAP Fault"), ("http_500", "HTTP 500"), ("malformed", "malformed reply"),
    ("refuse_parent", "parent missing"),
])
@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_peer_failures_are_retried(mode: str, words: str, version: str, peer: PeerHttp,
                                   tmp_path: Path) -> None:
    adapter = nat_adapter(peer.endpoint, tmp_path, soap_version=version)
    peer.fault(mode)
    failed = adapter.send(message(project()))
    assert failed.verdict == Verdict.RETRY, failed
    assert words in (failed.error or "")
    assert adapter.send(message(project())).verdict == Verdict.DELIVERED
    adapter.close()


def test_timeouts_and_a_lost_acknowledgement(peer: PeerHttp, tmp_path: Path) -> None:
    impatient = nat_adapter(peer.endpoint, tmp_path, timeout=0.5)
    assert impatient.send(message(project())).verdict == Verdict.DELIVERED
    peer.fault("timeout", seconds=1.5)
    timed_out = impatient.send(message(tender_project()))
    assert timed_out.verdict == Verdict.RETRY and "timeout" in (timed_out.error or "")
    peer.fault("slow", seconds=1.5)
    assert impatient.send(message(tender_project())).verdict == Verdict.RETRY
    time.sleep(1.2)
    resent = impatient.send(message(tender_project()))
    impatient.close()
    assert resent.verdict == Verdict.DELIVERED and "already held" in (resent.response or "")
    assert len(peer.records()) == 2


def test_a_peer_down_at_start_is_a_retry_and_then_delivered(tmp_path: Path) -> None:
    port = free_port()
    adapter = nat_adapter(f"http://127.0.0.1:{port}/", tmp_path)
    down = adapter.send(message(project()))
    assert down.verdict == Verdict.RETRY and "connection failed" in (down.error or "")
    app = national.create_app(tmp_path / "late.db", platforms={PLATFORM: PASSWORD})
    with serving(app, port=port):
        up = adapter.send(message(project()))
    app.close()
    adapter.close()
    assert up.verdict == Verdict.DELIVERED, up.error


def test_a_reply_carrying_a_doctype_is_refused_unexpanded(peer: PeerHttp,
                                                          scripted: ScriptedServer,
                                                          tmp_path: Path) -> None:
    wsdl = peer.wsdl()
    scripted.script.wsdl = lambda: Reply(200, wsdl)
    result = ('<r:SubmitRecordResponse xmlns:r="urn:ggzy-hub:national-exchange:1"><r:SubmitResult>'
              "<r:CODE>0000</r:CODE><r:MESSAGE>&boom;</r:MESSAGE>"
              "<r:RECEIVED_AT>20250301100005</r:RECEIVED_AT></r:SubmitResult>"
              "</r:SubmitRecordResponse>")
    scripted.script.replies.append(Reply(200, soap11_reply(result, DOCTYPE_PROLOG)))
    adapter = nat_adapter(scripted.url, tmp_path)
    outcome = adapter.send(message(project()))
    adapter.close()
    assert outcome.verdict == Verdict.PARK and "DTDForbidden" in (outcome.error or "")
    assert "EXPANDED-ENTITY-TEXT" not in (outcome.error or "")


def test_a_ws_security_fault_from_a_gateway_parks(peer: PeerHttp, scripted: ScriptedServer,
                                                  tmp_path: Path) -> None:
    wsdl = peer.wsdl()
    scripted.script.wsdl = lambda: Reply(200, wsdl)
    fault = ('<soap:Fault xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
             'oasis-200401-wss-wssecurity-secext-1.0.xsd"><faultcode>wsse:FailedAuthentication'
             "</faultcode><faultstring>The security token could not be authenticated"
             "</faultstring></soap:Fault>")
    scripted.script.replies.append(Reply(500, soap11_reply(fault)))
    adapter = nat_adapter(scripted.url, tmp_path)
    outcome = adapter.send(message(project()))
    adapter.close()
    assert outcome.verdict == Verdict.PARK and "authentication failed" in (outcome.error or "")


def test_the_registry_builds_the_adapter_by_kind(peer: PeerHttp, tmp_path: Path) -> None:
    registry = Registry(adapter_kinds=ADAPTER_KINDS)
    built = registry.adapter_for(target("national_xml", peer.endpoint, options(tmp_path)))
    assert isinstance(built, NationalAdapter)
    outcome = built.send(message(project()))
    registry.close()
    assert outcome.verdict == Verdict.DELIVERED


def test_one_adapter_serves_concurrent_deliveries(peer: PeerHttp, adapter: NationalAdapter
                                                  ) -> None:
    """The registry shares an adapter between delivery threads: the lazy WSDL load, the token
    and the recorded exchange must stay with the thread that sends."""
    codes = [f"E3500000001000{n:03d}" for n in range(101, 113)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda code: adapter.send(message(project(code))), codes))
    for code, outcome in zip(codes, outcomes, strict=True):
        assert outcome.verdict == Verdict.DELIVERED, outcome.error
        assert [a.record_key for a in outcome.acknowledgements] == [code]
        sent = envelope_sent(outcome.response)
        assert sent.findtext(".//{*}DATA_KEY") == f"500:{code}"
    assert sorted(r["key"].split(":")[-1] for r in peer.records()) == codes


def test_the_password_stays_out_of_debug_logs(peer: PeerHttp, adapter: NationalAdapter,
                                              caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        outcome = adapter.send(message(project()))
    assert outcome.verdict == Verdict.DELIVERED
    assert caplog.records  # zeep and urllib3 did log at DEBUG
    assert PASSWORD not in caplog.text
