"""What the three SOAP platform adapters share (adapters.outbound.soap_base): secrets, Beijing
time, reply unwrapping, a WSDL that is missing, broken, hostile (DOCTYPE) or behind a port where
nothing listens — against a scripted HTTP server over loopback; then the exchanges every profile
must get right the same way, against each sandbox peer.

The helpers (records, targets, the scripted server, the profiles) are in ``adapter_support``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.outbound.beijing_time import parse_beijing
from adapters.outbound.kinds import ADAPTER_KINDS
from adapters.outbound.soap_base import SoapAdapter
from adapters.outbound.soap_replies import MalformedReply, reply_text, reply_time, reply_value
from adapters.outbound.target_secrets import SecretError, read_secret
from core.clock import SHANGHAI
from exchange.outcome import OutboundMessage, Outcome, Verdict
from mappings.records import CONTENT_TYPE, DataSetRecord, Operation, encode
from sandbox.platforms.serve import serving
from tests.exchange.adapter_support import (
    DOCTYPE_PROLOG,
    FUJIAN,
    NATIONAL,
    PROFILES,
    SHANXI,
    PeerClock,
    PeerHttp,
    Profile,
    Reply,
    ScriptedServer,
    free_port,
    kind_of,
    message,
    project,
    secret_file,
    section,
    send_once,
    soap11_reply,
    target,
    tender_project,
    without,
)

HOSTILE_WSDL = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY boom "EXPANDED-ENTITY-TEXT">]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="&boom;"
  targetNamespace="http://tempuri.org/"/>"""


def test_every_kind_is_registered_with_its_factory() -> None:
    assert set(ADAPTER_KINDS) == {"http_json", "fujian_v4", "shanxi_pspde", "national_xml"}
    for kind, each in PROFILES.items():
        assert ADAPTER_KINDS[kind] is each.adapter_class


def test_secret_from_env_or_file_first_line(tmp_path: Path) -> None:
    assert read_secret({"secret_env": "X"}, {"X": " abc \n"}) == "abc"
    assert read_secret({"secret_file": secret_file(tmp_path, " k1 ")}) == "k1"
    for options, environ, why in [
        ({}, {}, "name no secret"),
        ({"secret_env": "MISSING"}, {}, "MISSING is not set"),
        ({"secret_env": "X"}, {"X": "  "}, "X is not set or empty"),
        ({"secret_file": str(tmp_path / "nope")}, {}, "cannot read secret_file"),
    ]:
        with pytest.raises(SecretError, match=why):
            read_secret(options, environ)
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(SecretError, match="is empty"):
        read_secret({"secret_file": str(empty)})


def test_missing_secret_parks_before_anything_is_sent(profile: Profile, scripted: ScriptedServer
                                                      ) -> None:
    adapter = profile.adapter_class(target(profile.kind, scripted.url, {
        **profile.options, "secret_env": "GGZY_TEST_NO_SUCH_VAR"}))
    outcome = send_once(adapter, tender_project())
    assert outcome.verdict == Verdict.PARK
    assert "GGZY_TEST_NO_SUCH_VAR is not set" in (outcome.error or "")
    assert scripted.script.gets == [] and scripted.script.posts == []


@pytest.mark.parametrize(("profile", "bad"), [
    (FUJIAN, {"system_no": "01"}), (FUJIAN, {"system_no": "00-1"}), (FUJIAN, {"ca_key": ""}),
    (SHANXI, {"user_id": "14000"}), (SHANXI, {"user_id": "14000000AB"}),
    (SHANXI, {"credit_code": "short"}),
    (NATIONAL, {"platform_code": "E35"}), (NATIONAL, {"platform_code": "e3500000001"}),
    (NATIONAL, {"soap_version": "2.0"}),
], ids=kind_of)
def test_bad_options_park(profile: Profile, bad: dict[str, str], tmp_path: Path) -> None:
    adapter = profile.adapter("http://127.0.0.1:9/", tmp_path, options=bad)
    outcome = send_once(adapter, tender_project())
    assert outcome.verdict == Verdict.PARK and "option" in (outcome.error or "")


def test_beijing_time_is_aware() -> None:
    moment = parse_beijing("2025-03-01 10:00:00", "%Y-%m-%d %H:%M:%S")
    assert moment.tzinfo is SHANGHAI
    assert moment.utcoffset() == timedelta(hours=8)
    assert moment == datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_beijing("20250301", "%Y-%m-%d %H:%M:%S")


def test_a_reply_time_in_another_shape_is_malformed_naming_the_pattern() -> None:
    assert reply_time("RECEIVED_AT", "20250301100005", "%Y%m%d%H%M%S") == datetime(
        2025, 3, 1, 10, 0, 5, tzinfo=SHANGHAI)
    with pytest.raises(MalformedReply, match="receiveTime '2025/03/01' is not yyyy-MM-dd HH:mm:ss"):
        reply_time("receiveTime", "2025/03/01", "%Y-%m-%d %H:%M:%S")


def test_reply_values_are_found_through_a_single_wrapper() -> None:
    wrapped = {"receiveInfoReturn": {"errorCode": "0", "success": True, "errorMessage": None}}
    assert reply_value(wrapped, "success") is True
    assert reply_text(wrapped, "errorCode") == "0"
    assert reply_text(wrapped, "errorMessage", required=False) == ""
    with pytest.raises(MalformedReply, match="empty"):
        reply_text(wrapped, "errorMessage")
    with pytest.raises(MalformedReply, match="no CODE"):
        reply_value({"a": 1, "b": 2}, "CODE")
    with pytest.raises(MalformedReply):
        reply_value(None, "CODE")


def test_nothing_listening_is_a_retry_and_the_next_send_tries_again(profile: Profile,
                                                                    tmp_path: Path) -> None:
    port = free_port()
    adapter = profile.adapter(f"http://127.0.0.1:{port}/", tmp_path, timeout=2.0)
    for _ in range(2):
        outcome = adapter.send(message(tender_project()))
        assert outcome.verdict == Verdict.RETRY, outcome
        assert "connection failed" in (outcome.error or "")
    adapter.close()


def test_a_wsdl_with_a_doctype_is_refused_unexpanded(profile: Profile, scripted: ScriptedServer,
                                                    tmp_path: Path) -> None:
    scripted.script.wsdl = lambda: Reply(200, HOSTILE_WSDL)
    outcome = send_once(profile.adapter(scripted.url, tmp_path, timeout=2.0), tender_project())
    assert outcome.verdict == Verdict.PARK, outcome
    assert "DTDForbidden" in (outcome.error or "")
    assert "EXPANDED-ENTITY-TEXT" not in repr(outcome)
    assert scripted.script.gets == ["/?wsdl"] and scripted.script.posts == []


@pytest.mark.parametrize(("reply", "verdict", "text"), [
    (Reply(503, b"busy"), Verdict.RETRY, "HTTP 503"),
    (Reply(404, b"not here"), Verdict.PARK, "HTTP 404 (not retryable)"),
    (Reply(200, b"<html><body>login</body></html>", "text/html"), Verdict.RETRY, "unreadable"),
    (Reply(200, b"not xml at all"), Verdict.RETRY, "unreadable"),
])
def test_a_wsdl_that_cannot_be_read(reply: Reply, verdict: Verdict, text: str,
                                    scripted: ScriptedServer, tmp_path: Path) -> None:
    scripted.script.wsdl = lambda: reply
    outcome = send_once(FUJIAN.adapter(scripted.url, tmp_path, timeout=2.0), tender_project())
    assert (outcome.verdict, text in (outcome.error or "")) == (verdict, True), outcome


def test_a_wsdl_without_the_service_parks_naming_it(scripted: ScriptedServer, tmp_path: Path
                                                   ) -> None:
    other = b"""<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:o"
      xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:o="urn:o">
      <portType name="P"/>
      <binding name="B" type="o:P"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
      </binding>
      <service name="Other"><port name="X" binding="o:B"><soap:address location="http://x/"/>
      </port></service></definitions>"""
    scripted.script.wsdl = lambda: Reply(200, other)
    outcome = send_once(NATIONAL.adapter(scripted.url, tmp_path, timeout=2.0), tender_project())
    assert outcome.verdict == Verdict.PARK
    assert "no service NationalExchange (has Other)" in (outcome.error or "")


def test_a_body_that_is_not_records_parks(tmp_path: Path) -> None:
    adapter = FUJIAN.adapter("http://127.0.0.1:9/", tmp_path, timeout=2.0)
    bad = OutboundMessage(b'{"event": 1}', "application/json", "k", "o", 1, "x")
    empty = OutboundMessage(encode([]), CONTENT_TYPE, "k", "o", 1, "x")
    outcomes: list[Outcome] = [adapter.send(bad), adapter.send(empty)]
    adapter.close()
    assert [o.verdict for o in outcomes] == [Verdict.PARK, Verdict.PARK]
    assert "not data-set records" in (outcomes[0].error or "")
    assert "no record" in (outcomes[1].error or "")


# -- every profile against its sandbox peer ------------------------------------------------------

def test_a_resend_is_delivered_with_the_first_receipt(profile: Profile, peer: PeerHttp,
                                                     peer_clock: PeerClock,
                                                     adapter: SoapAdapter) -> None:
    """The peer already holds the records: "already exists" counts as delivered, and where the
    profile reports a receive time it is the first one, not the resend's."""
    first = adapter.send(message(project(), tender_project()))
    peer_clock.moment += timedelta(hours=5)
    again = adapter.send(message(project(), tender_project()))
    assert (first.verdict, again.verdict) == (Verdict.DELIVERED, Verdict.DELIVERED)
    assert [a.official_time for a in again.acknowledgements] == [profile.receipt_time] * 2
    assert "already held" in (again.response or "")
    assert len(peer.records()) == 2
    assert peer.stats()["duplicates"] == 2


@pytest.mark.parametrize(("profile", "words"), [
    (FUJIAN, "未上报"), (SHANXI, "errorCode 3001"), (NATIONAL, "E300"),
], ids=kind_of)
def test_a_child_before_its_parent_is_retried_then_delivered(words: str, peer: PeerHttp,
                                                             adapter: SoapAdapter) -> None:
    early = adapter.send(message(project(), section()))
    assert early.verdict == Verdict.RETRY
    assert "parent missing" in (early.error or "") and words in (early.error or "")
    assert "record 2 of 2" in (early.error or "")
    assert adapter.send(message(project(), tender_project(), section())).verdict == \
        Verdict.DELIVERED
    assert [r["data_set"] for r in peer.records()] == ["500", "501", "502"]


@pytest.mark.parametrize(("profile", "invalid", "words"), [
    (FUJIAN, without(tender_project(), "TENDER_PROJECT_NAME"), "TENDER_PROJECT_NAME"),
    (SHANXI, tender_project(IS_TO_LAW="7"), "IS_TO_LAW"),
    (NATIONAL, tender_project(TENDER_PROJECT_TYPE="A0200"), "E200: TENDER_PROJECT_TYPE"),
], ids=kind_of)
def test_an_invalid_record_parks_naming_the_field(invalid: DataSetRecord, words: str,
                                                  peer: PeerHttp, adapter: SoapAdapter) -> None:
    outcome = adapter.send(message(project(), invalid))
    assert outcome.verdict == Verdict.PARK
    assert words in (outcome.error or "") and "record 2 of 2" in (outcome.error or "")
    # the first record was taken; once the record is right, the resend completes the message
    assert [r["data_set"] for r in peer.records()] == ["500"]
    fixed = adapter.send(message(project(), tender_project()))
    assert fixed.verdict == Verdict.DELIVERED and len(fixed.acknowledgements) == 2


@pytest.mark.parametrize(("profile", "unknown", "words"), [
    (FUJIAN, Operation.UPDATE, "unknown DATA_KEY"),
    # Shanxi has no operation: an "update" of a PLATID the peer does not hold is an add
    (SHANXI, Operation.DELETE, "PLATID"),
    (NATIONAL, Operation.UPDATE, "unknown DATA_KEY"),
], ids=kind_of)
def test_update_and_delete_reach_the_record_the_add_created(unknown: Operation, words: str,
                                                            peer: PeerHttp,
                                                            adapter: SoapAdapter) -> None:
    assert adapter.send(message(project(), tender_project())).verdict == Verdict.DELIVERED
    changed = tender_project(op=Operation.UPDATE, version="20250302100000",
                             TENDER_CONTENT="管网施工（变更）")
    assert adapter.send(message(changed)).verdict == Verdict.DELIVERED
    # Shanxi tells a delete from a stale resend by its VERSIONNUMBER: it must be newer
    deleted = tender_project(op=Operation.DELETE, version="20250303100000")
    assert adapter.send(message(deleted)).verdict == Verdict.DELIVERED
    held = peer.records()
    assert [r["operation"] for r in held] == ["add", "add", "update", "delete"]
    assert held[2]["fields"]["TENDER_CONTENT"] == "管网施工（变更）"
    refused = adapter.send(message(section(op=unknown)))
    assert refused.verdict == Verdict.PARK and words in (refused.error or "")


@pytest.mark.parametrize(("profile", "secret", "options", "words"), [
    (FUJIAN, "not-the-secret", {}, "token refused"),
    (SHANXI, "wrong-key", {}, "USERID/KEY refused"),
    (SHANXI, None, {"credit_code": "91140000MA0OTHER9X"}, "CREDITCODE not registered"),
    (NATIONAL, "not-the-password", {}, "authentication failed"),
], ids=kind_of)
def test_wrong_credentials_park(profile: Profile, secret: str | None, options: dict[str, str],
                                words: str, peer: PeerHttp, tmp_path: Path) -> None:
    wrong = profile.adapter(peer.endpoint, tmp_path, secret=secret, options=options)
    outcome = send_once(wrong, project())
    assert outcome.verdict == Verdict.PARK and words in (outcome.error or "")
    assert peer.records() == []


@pytest.mark.parametrize(("mode", "words"), [
    ("soap_fault", "SOAP Fault"), ("http_500", "HTTP 500"), ("malformed", "malformed reply"),
    ("refuse_parent", "parent missing"),
])
@pytest.mark.parametrize(("profile", "options"), [
    (FUJIAN, {}), (SHANXI, {}),
    (NATIONAL, {"soap_version": "1.1"}), (NATIONAL, {"soap_version": "1.2"}),
], ids=["fujian_v4", "shanxi_pspde", "national_xml-1.1", "national_xml-1.2"])
def test_peer_failures_are_retried(mode: str, words: str, profile: Profile,
                                   options: dict[str, str], peer: PeerHttp, tmp_path: Path
                                   ) -> None:
    adapter = profile.adapter(peer.endpoint, tmp_path, options=options)
    peer.fault(mode)
    failed = adapter.send(message(project()))
    assert failed.verdict == Verdict.RETRY, failed
    assert words in (failed.error or "")
    assert adapter.send(message(project())).verdict == Verdict.DELIVERED
    adapter.close()


def test_timeouts_and_a_lost_acknowledgement(profile: Profile, peer: PeerHttp, tmp_path: Path
                                             ) -> None:
    impatient = profile.adapter(peer.endpoint, tmp_path, timeout=1.0)
    # WSDL loaded and the parent delivered; on a loaded machine the first call may itself need
    # longer than 1 s, and a repeat of the same record is "already held", so try a few times
    warm = [impatient.send(message(project())).verdict for _ in range(5)]
    assert Verdict.DELIVERED in warm, warm
    peer.fault("timeout", seconds=3.0)  # the peer holds the call without reading the record
    timed_out = impatient.send(message(tender_project()))
    assert timed_out.verdict == Verdict.RETRY and "timeout" in (timed_out.error or "")
    peer.fault("slow", seconds=3.0)  # the peer stores the record, the answer comes too late
    lost = impatient.send(message(tender_project()))
    assert lost.verdict == Verdict.RETRY and "timeout" in (lost.error or "")
    time.sleep(2.5)  # the peer has stored it meanwhile
    for _ in range(3):  # a loaded machine may need more than 1 s for the resend too
        resent = impatient.send(message(tender_project()))
        if resent.verdict != Verdict.RETRY:
            break
    impatient.close()
    assert resent.verdict == Verdict.DELIVERED and "already held" in (resent.response or "")
    assert [a.official_time for a in resent.acknowledgements] == [profile.receipt_time]
    assert len(peer.records()) == 2


def test_a_peer_down_at_start_is_a_retry_and_then_delivered(profile: Profile, tmp_path: Path
                                                            ) -> None:
    port = free_port()
    adapter = profile.adapter(f"http://127.0.0.1:{port}/", tmp_path)
    down = adapter.send(message(project()))
    assert down.verdict == Verdict.RETRY and "connection failed" in (down.error or "")
    app = profile.start_peer(tmp_path / "late.db", None)
    with serving(app, port=port):
        up = adapter.send(message(project()))
    app.close()
    adapter.close()
    assert up.verdict == Verdict.DELIVERED, up.error


@pytest.mark.parametrize(("profile", "result"), [
    (FUJIAN, '<r:UploadData_G_V4Response xmlns:r="http://tempuri.org/"><r:UploadData_G_V4Result>'
             "&boom;</r:UploadData_G_V4Result></r:UploadData_G_V4Response>"),
    (SHANXI, '<r:receiveInfoResponse xmlns:r="http://server.webservice.pspde.sxca.com/">'
             "<r:receiveInfoReturn><r:errorCode>0</r:errorCode>"
             "<r:errorMessage>&boom;</r:errorMessage>"
             "<r:receiveTime>2025-03-01 10:00:05</r:receiveTime><r:success>true</r:success>"
             "</r:receiveInfoReturn></r:receiveInfoResponse>"),
    (NATIONAL, '<r:SubmitRecordResponse xmlns:r="urn:ggzy-hub:national-exchange:1">'
               "<r:SubmitResult><r:CODE>0000</r:CODE><r:MESSAGE>&boom;</r:MESSAGE>"
               "<r:RECEIVED_AT>20250301100005</r:RECEIVED_AT></r:SubmitResult>"
               "</r:SubmitRecordResponse>"),
], ids=kind_of)
def test_a_reply_carrying_a_doctype_is_refused_unexpanded(profile: Profile, result: str,
                                                          peer: PeerHttp,
                                                          scripted: ScriptedServer,
                                                          tmp_path: Path) -> None:
    scripted.impersonate(peer, Reply(200, soap11_reply(result, DOCTYPE_PROLOG)))
    outcome = send_once(profile.adapter(scripted.url, tmp_path), project())
    assert outcome.verdict == Verdict.PARK and "DTDForbidden" in (outcome.error or "")
    assert "EXPANDED-ENTITY-TEXT" not in (outcome.error or "")
    assert len(scripted.script.posts) == 1
