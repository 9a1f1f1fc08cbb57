"""The national "our reading" adapter: SubmitRecord's parameters, RECORD XML and reply rules,
then end to end against the sandbox national peer over loopback HTTP."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import zeep.exceptions
from lxml import etree

from adapters.outbound.kinds import ADAPTER_KINDS
from adapters.outbound.national import NationalAdapter, classify, record_xml
from adapters.outbound.soap_base import SoapAdapter
from adapters.outbound.soap_replies import MalformedReply, Refused, Taken
from core.clock import SHANGHAI
from exchange.outcome import Verdict
from exchange.registry import Registry
from mappings.records import Operation
from tests.exchange.adapter_support import (
    FIRST,
    NATIONAL,
    PARSER,
    TENDER,
    PeerHttp,
    Profile,
    Reply,
    ScriptedServer,
    message,
    parse,
    project,
    section,
    send_once,
    soap11_reply,
    tender_project,
)

PLATFORM = NATIONAL.options["platform_code"]
UNUSED = "http://127.0.0.1:9/"  # nothing is sent there


def test_record_xml_carries_the_fields_and_a_delete_none() -> None:
    record = tender_project()
    text = record_xml(record)
    assert not text.startswith("<?xml")
    root = parse(text)
    assert (root.tag, root.get("DATASET"), root.get("NAME")) == ("RECORD", "501",
                                                                 "TENDER_PROJECT")
    assert [(c.tag, c.text) for c in root] == list(record.fields.items())
    assert "&amp; 泵站 &lt;一期&gt;" in text
    deleted = parse(record_xml(tender_project(op=Operation.DELETE)))
    assert (len(deleted), deleted.get("DATASET"), deleted.get("NAME")) == (0, "501",
                                                                           "TENDER_PROJECT")


def test_submit_record_parameters(tmp_path: Path) -> None:
    adapter = NATIONAL.adapter(UNUSED, tmp_path)
    args = adapter.build(tender_project(op=Operation.UPDATE, version="20250302080000"), "pw")
    assert isinstance(args, dict)
    assert {k: v for k, v in args.items() if k != "RECORD"} == {
        "PLATFORM_CODE": PLATFORM, "DATASET_CODE": "501", "DATA_KEY": f"501:{TENDER}",
        "OPERATION": "update", "VERSION": "20250302080000"}
    token = adapter.wsse_token("pw")
    assert (token.username, token.password, token.use_digest) == (PLATFORM, "pw", False)
    adapter.close()



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
    adapter = NATIONAL.adapter(UNUSED, tmp_path)
    auth = adapter.fault(zeep.exceptions.Fault("bad token", code="wsse:FailedAuthentication"))
    other = adapter.fault(zeep.exceptions.Fault("boom", code="soap:Server"))
    adapter.close()
    assert (auth.verdict, other.verdict) == (Verdict.PARK, Verdict.RETRY)
    assert "authentication failed" in auth.error and "boom" in other.error


# -- end to end against the sandbox national peer (what every profile does: test_adapter_common) --

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


@pytest.fixture
def profile() -> Profile:
    return NATIONAL


def envelope_sent(outcome_response: str | None) -> etree._Element:
    """The request envelope of the last exchange, as recorded for the attempt log."""
    text = (outcome_response or "").split("\n>>> ", 1)[1]
    return etree.fromstring(text.encode(), PARSER)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_project_chain_is_delivered_with_received_at(version: str, peer: PeerHttp,
                                                       tmp_path: Path) -> None:
    records = [project(), tender_project(), section()]
    adapter = NATIONAL.adapter(peer.endpoint, tmp_path, options={"soap_version": version})
    outcome = send_once(adapter, *records)
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
    assert NATIONAL.secret not in (outcome.response or "")


def test_a_ws_security_fault_from_a_gateway_parks(peer: PeerHttp, scripted: ScriptedServer,
                                                  tmp_path: Path) -> None:
    fault = ('<soap:Fault xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
             'oasis-200401-wss-wssecurity-secext-1.0.xsd"><faultcode>wsse:FailedAuthentication'
             "</faultcode><faultstring>The security token could not be authenticated"
             "</faultstring></soap:Fault>")
    scripted.impersonate(peer, Reply(500, soap11_reply(fault)))
    outcome = send_once(NATIONAL.adapter(scripted.url, tmp_path), project())
    assert outcome.verdict == Verdict.PARK and "authentication failed" in (outcome.error or "")


def test_the_registry_builds_the_adapter_by_kind(peer: PeerHttp, tmp_path: Path) -> None:
    registry = Registry(adapter_kinds=ADAPTER_KINDS)
    built = registry.adapter_for(NATIONAL.target(peer.endpoint, tmp_path))
    assert isinstance(built, NationalAdapter)
    outcome = built.send(message(project()))
    registry.close()
    assert outcome.verdict == Verdict.DELIVERED


def test_one_adapter_serves_concurrent_deliveries(peer: PeerHttp, adapter: SoapAdapter) -> None:
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


def test_the_password_stays_out_of_debug_logs(peer: PeerHttp, adapter: SoapAdapter,
                                              caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        outcome = adapter.send(message(project()))
    assert outcome.verdict == Verdict.DELIVERED
    assert caplog.records  # zeep and urllib3 did log at DEBUG
    assert NATIONAL.secret not in caplog.text
