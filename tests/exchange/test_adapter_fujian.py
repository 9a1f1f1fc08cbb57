"""The Fujian "FJ V4" adapter: its token, DATA_KEY, envelope and reply rules, then end to end
against the sandbox Fujian peer over loopback HTTP."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from lxml import etree

from adapters.outbound.fujian import (
    FujianAdapter,
    TripleDES,
    classify,
    data_key,
    data_xml,
    token,
    validation_xml,
)
from adapters.outbound.soap_base import MalformedReply, Refused, Taken
from core.clock import MovableClock
from exchange.outcome import Verdict
from mappings.records import Operation
from sandbox.platforms import fujian
from sandbox.platforms.serve import serving
from tests.exchange.test_adapter_common import (
    DOCTYPE_PROLOG,
    TENDER,
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
    without,
)

__all__ = ["scripted"]  # the fixture, imported for use here

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False,
                         load_dtd=False, huge_tree=False)


def parse(text: str) -> etree._Element:
    root = etree.fromstring(text.encode(), PARSER)
    assert root.getroottree().docinfo.doctype == ""
    return root


def des_decrypt(key8: bytes, data: bytes) -> bytes:
    decryptor = Cipher(TripleDES(key8 * 3), modes.CBC(key8)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(64).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


# -- token -----------------------------------------------------------------------------------------

def test_triple_des_with_a_repeated_key_is_single_des() -> None:
    """The classic DES known answer (key 133457799BBCDFF1): what the peer's DES computes."""
    key = bytes.fromhex("133457799BBCDFF1")
    encryptor = Cipher(TripleDES(key * 3), modes.ECB()).encryptor()  # noqa: S305 - known answer
    out = encryptor.update(bytes.fromhex("0123456789ABCDEF")) + encryptor.finalize()
    assert out.hex().upper() == "85E813540F0AB405"


def test_token_is_des_cbc_of_system_no_time_and_md5() -> None:
    made = token("0001", "abcdefgh-and-more", "20250301100000")
    plain = des_decrypt(b"abcdefgh", base64.b64decode(made)).decode("ascii")
    md5 = hashlib.md5(b"0001").hexdigest().upper()  # noqa: S324 - the protocol's digest
    assert plain == "0001" + "20250301100000" + md5
    assert len(plain) == 4 + 14 + 32
    # deterministic for the same second, different a second later or with another key
    assert made == token("0001", "abcdefgh", "20250301100000")
    assert made != token("0001", "abcdefgh", "20250301100001")
    assert made != token("0001", "abcdefgX", "20250301100000")


def test_token_key_is_the_first_eight_utf8_bytes() -> None:
    made = token("0002", "福建密钥xyz", "20250301100000")  # 4 CJK chars = 12 bytes
    key = "福建密钥xyz".encode()[:8]
    assert des_decrypt(key, base64.b64decode(made)).startswith(b"000220250301100000")
    with pytest.raises(ValueError, match="at least 8 bytes"):
        token("0001", "short", "20250301100000")


def test_validation_document() -> None:
    root = parse(validation_xml("0001", "T0K3N+/="))
    assert [(c.tag, c.text) for c in root] == [("TOKEN", "T0K3N+/="), ("SYSTEM_NO", "0001")]
    assert root.tag == "DATA"


# -- DATA_KEY ----------------------------------------------------------------------------------

def test_data_key_is_22_characters_deterministic_and_distinct() -> None:
    key = data_key("0001", tender_project())
    assert len(key) == 22
    assert key.startswith("00010501")
    digest = hashlib.sha256(f"501:{TENDER}".encode()).digest()
    assert key[8:] == base64.b32encode(digest).decode()[:14]
    assert re.fullmatch(r"[A-Z2-7]{14}", key[8:])
    # a resend and an update of the same record carry the same key; another record does not
    assert data_key("0001", tender_project(op=Operation.UPDATE, version="20250302")) == key
    assert data_key("0001", tender_project(TENDER[:-1] + "2")) != key
    assert data_key("0001", section()).startswith("00010502")
    assert data_key("0001", section())[8:] != key[8:]


# -- envelope ----------------------------------------------------------------------------------

def test_add_envelope_has_title_context_and_source_with_escaped_values() -> None:
    record = tender_project()
    text = data_xml(record, system_no="0001", route_way="1", ca_key="CA&KEY")
    assert "管网施工 &amp; 泵站 &lt;一期&gt;" in text  # escaped by lxml, not by hand
    root = parse(text)
    assert [c.tag for c in root] == ["TITLE", "CONTEXT", "SOURCE"]
    title = {c.tag: c.text for c in root.find("TITLE")}
    assert list(title) == ["DATA_NO", "DATA_EN", "DATA_CN", "DATA_KEY", "DATA_TYPE",
                           "ROUTE_WAY", "CA_KEY"]
    assert title == {"DATA_NO": "501", "DATA_EN": "TENDER_PROJECT", "DATA_CN": "招标项目",
                     "DATA_KEY": data_key("0001", record), "DATA_TYPE": "1",
                     "ROUTE_WAY": "1", "CA_KEY": "CA&KEY"}
    context = root.find("CONTEXT")
    assert [(c.tag, c.text) for c in context] == list(record.fields.items())
    assert len(root.find("SOURCE")) == 0


def test_update_and_delete_envelopes() -> None:
    update = parse(data_xml(tender_project(op=Operation.UPDATE), system_no="0001",
                            route_way="2", ca_key="CA"))
    assert update.findtext("TITLE/DATA_TYPE") == "2"
    assert update.findtext("TITLE/ROUTE_WAY") == "2"
    delete = parse(data_xml(tender_project(op=Operation.DELETE), system_no="0001",
                            route_way="1", ca_key="CA"))
    assert [c.tag for c in delete] == ["TITLE"]
    assert delete.findtext("TITLE/DATA_TYPE") == "3"


def test_a_value_xml_cannot_carry_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="field TENDER_CONTENT"):
        data_xml(tender_project(TENDER_CONTENT="bad\x01char"), system_no="0001",
                 route_way="1", ca_key="CA")
    with pytest.raises(ValueError, match="'BAD NAME' is not an XML element name"):
        record = tender_project()
        record.fields["BAD NAME"] = "x"
        data_xml(record, system_no="0001", route_way="1", ca_key="CA")


# -- replies -----------------------------------------------------------------------------------

def verdict_of(reply: str, op: Operation = Operation.ADD) -> tuple[str, str]:
    record = tender_project(op=op)
    result = classify(record, "KEY", reply)
    if isinstance(result, Taken):
        assert result.acknowledgement.reference == "KEY"
        assert result.acknowledgement.record_key == record.key
        return "delivered", result.note
    assert isinstance(result, Refused)
    return result.verdict.value, result.error


@pytest.mark.parametrize(("reply", "op", "verdict", "words"), [
    ('{"STATUS":"1"}', Operation.ADD, "delivered", "accepted"),
    ('{"STATUS":1,"MSG":""}', Operation.UPDATE, "delivered", "accepted"),
    ('{"STATUS":"-1","MSG":"DATA_KEY已存在"}', Operation.ADD, "delivered", "already held"),
    ('{"STATUS":"-1","MSG":"DATA_KEY已存在"}', Operation.UPDATE, Verdict.PARK, "已存在"),
    ('{"STATUS":"-1","MSG":"招标项目数据未上报，请先上报"}', Operation.ADD, Verdict.RETRY,
     "parent missing"),
    ('{"STATUS":"-1","MSG":"令牌验证失败"}', Operation.ADD, Verdict.PARK, "token refused"),
    ('{"STATUS":"-1","MSG":"数据不存在"}', Operation.DELETE, Verdict.PARK, "unknown DATA_KEY"),
    ('{"STATUS":"-1","MSG":"字段TENDER_PROJECT_CODE长度应为20"}', Operation.ADD, Verdict.PARK,
     "TENDER_PROJECT_CODE长度应为20"),
])
def test_reply_classification(reply: str, op: Operation, verdict: str, words: str) -> None:
    got, text = verdict_of(reply, op)
    assert got == verdict
    assert words in text


@pytest.mark.parametrize("reply", ["", "OK", "[1]", '{"MSG":"x"}', '{"STATUS":"0"}'])
def test_replies_outside_the_protocol_are_malformed(reply: str) -> None:
    with pytest.raises(MalformedReply):
        classify(tender_project(), "KEY", reply)



# -- end to end against the sandbox Fujian peer ------------------------------------------------

SYSTEM_NO = "0001"
SECRET = "fj-secret-0001"


@pytest.fixture
def peer(tmp_path: Path) -> Iterator[PeerHttp]:
    app = fujian.create_app(tmp_path / "fj.db", senders={SYSTEM_NO: SECRET})
    with serving(app) as base:
        yield PeerHttp(base)
    app.close()


def fj_adapter(endpoint: str, tmp_path: Path, secret: str = SECRET, timeout: float = 5.0,
               clock: MovableClock | None = None) -> FujianAdapter:
    return FujianAdapter(target("fujian_v4", endpoint, {
        "system_no": SYSTEM_NO, "ca_key": "CA-0001", "route_way": "1",
        "secret_file": secret_file(tmp_path, secret)}, timeout=timeout), clock=clock)


@pytest.fixture
def adapter(peer: PeerHttp, tmp_path: Path) -> Iterator[FujianAdapter]:
    made = fj_adapter(peer.endpoint, tmp_path)
    yield made
    made.close()


def test_a_project_chain_is_delivered_in_order(peer: PeerHttp, adapter: FujianAdapter) -> None:
    records = [project(), tender_project(), section()]
    outcome = adapter.send(message(*records))
    assert outcome.verdict == Verdict.DELIVERED, outcome.error
    assert [(a.data_set, a.record_key, a.reference) for a in outcome.acknowledgements] == [
        (r.data_set, r.key, data_key(SYSTEM_NO, r)) for r in records]
    held = peer.records()
    assert [(r["data_set"], r["key"], r["operation"]) for r in held] == [
        (r.data_set, data_key(SYSTEM_NO, r), "add") for r in records]
    assert held[1]["fields"] == records[1].fields  # escaping survived the round trip
    assert outcome.status_code == 200
    assert '{"STATUS":"1"}' in (outcome.response or "")
    assert SECRET not in (outcome.response or "")
    assert "<TOKEN>***</TOKEN>" in html.unescape(outcome.response or "")


def test_a_resend_is_delivered_because_the_peer_already_holds_it(peer: PeerHttp,
                                                                 adapter: FujianAdapter) -> None:
    first = adapter.send(message(project(), tender_project()))
    again = adapter.send(message(project(), tender_project()))
    assert (first.verdict, again.verdict) == (Verdict.DELIVERED, Verdict.DELIVERED)
    assert len(again.acknowledgements) == 2
    assert "already held" in (again.response or "")
    assert len(peer.records()) == 2
    assert peer.stats()["duplicates"] == 2


def test_a_child_before_its_parent_is_retried_then_delivered(peer: PeerHttp,
                                                             adapter: FujianAdapter) -> None:
    early = adapter.send(message(section()))
    assert early.verdict == Verdict.RETRY
    assert "parent missing" in (early.error or "") and "未上报" in (early.error or "")
    assert adapter.send(message(project(), tender_project())).verdict == Verdict.DELIVERED
    assert adapter.send(message(section())).verdict == Verdict.DELIVERED
    assert [r["data_set"] for r in peer.records()] == ["500", "501", "502"]


def test_an_invalid_record_parks_naming_the_field(peer: PeerHttp, adapter: FujianAdapter
                                                  ) -> None:
    outcome = adapter.send(message(project(), without(tender_project(), "TENDER_PROJECT_NAME")))
    assert outcome.verdict == Verdict.PARK
    assert "TENDER_PROJECT_NAME" in (outcome.error or "")
    assert "record 2 of 2" in (outcome.error or "")
    # the first record was taken; once the record is right, the resend completes the message
    assert [r["data_set"] for r in peer.records()] == ["500"]
    fixed = adapter.send(message(project(), tender_project()))
    assert fixed.verdict == Verdict.DELIVERED and len(fixed.acknowledgements) == 2


def test_update_and_delete_reach_the_record_the_add_created(peer: PeerHttp,
                                                            adapter: FujianAdapter) -> None:
    assert adapter.send(message(project(), tender_project())).verdict == Verdict.DELIVERED
    changed = tender_project(op=Operation.UPDATE, version="20250302100000",
                             TENDER_CONTENT="管网施工（变更）")
    assert adapter.send(message(changed)).verdict == Verdict.DELIVERED
    assert adapter.send(message(tender_project(op=Operation.DELETE))).verdict == \
        Verdict.DELIVERED
    held = peer.records()
    assert [r["operation"] for r in held] == ["add", "add", "update", "delete"]
    assert held[2]["fields"]["TENDER_CONTENT"] == "管网施工（变更）"
    unknown = adapter.send(message(section(op=Operation.UPDATE)))
    assert unknown.verdict == Verdict.PARK and "unknown DATA_KEY" in (unknown.error or "")


def test_a_wrong_secret_parks(peer: PeerHttp, tmp_path: Path) -> None:
    wrong = fj_adapter(peer.endpoint, tmp_path, secret="not-the-secret")
    outcome = wrong.send(message(project()))
    wrong.close()
    assert outcome.verdict == Verdict.PARK and "token refused" in (outcome.error or "")
    assert peer.records() == []


def test_a_token_from_a_clock_13_hours_off_parks(peer: PeerHttp, tmp_path: Path) -> None:
    skewed = fj_adapter(peer.endpoint, tmp_path,
                        clock=MovableClock(datetime.now(UTC) - timedelta(hours=13)))
    outcome = skewed.send(message(project()))
    skewed.close()
    assert outcome.verdict == Verdict.PARK and "令牌" in (outcome.error or "")


@pytest.mark.parametrize(("mode", "words"), [
    ("soap_fault", "SOAP Fault"), ("http_500", "HTTP 500"), ("malformed", "malformed reply"),
    ("refuse_parent", "parent missing"),
])
def test_peer_failures_are_retried(mode: str, words: str, peer: PeerHttp,
                                   adapter: FujianAdapter) -> None:
    peer.fault(mode)
    failed = adapter.send(message(project()))
    assert failed.verdict == Verdict.RETRY, failed
    assert words in (failed.error or "")
    assert adapter.send(message(project())).verdict == Verdict.DELIVERED


def test_a_peer_that_does_not_answer_in_time_is_retried(peer: PeerHttp, tmp_path: Path) -> None:
    impatient = fj_adapter(peer.endpoint, tmp_path, timeout=0.5)
    assert impatient.send(message(project())).verdict == Verdict.DELIVERED  # WSDL loaded
    peer.fault("timeout", seconds=2.0)
    outcome = impatient.send(message(tender_project()))
    assert outcome.verdict == Verdict.RETRY and "timeout" in (outcome.error or "")
    time.sleep(1.6)  # let the peer finish holding the call
    assert impatient.send(message(tender_project())).verdict == Verdict.DELIVERED
    impatient.close()


def test_a_peer_down_at_start_is_a_retry_and_then_delivered(tmp_path: Path) -> None:
    port = free_port()
    adapter = fj_adapter(f"http://127.0.0.1:{port}/", tmp_path)
    down = adapter.send(message(project()))
    assert down.verdict == Verdict.RETRY and "connection failed" in (down.error or "")
    app = fujian.create_app(tmp_path / "late.db", senders={SYSTEM_NO: SECRET})
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
    result = ('<r:UploadData_G_V4Response xmlns:r="http://tempuri.org/"><r:UploadData_G_V4Result>'
              "&boom;</r:UploadData_G_V4Result></r:UploadData_G_V4Response>")
    scripted.script.replies.append(Reply(200, soap11_reply(result, DOCTYPE_PROLOG)))
    adapter = fj_adapter(scripted.url, tmp_path)
    outcome = adapter.send(message(project()))
    adapter.close()
    assert outcome.verdict == Verdict.PARK and "DTDForbidden" in (outcome.error or "")
    assert "EXPANDED-ENTITY-TEXT" not in (outcome.error or "")
    assert len(scripted.script.posts) == 1


@pytest.mark.parametrize(("reply", "words"), [
    (Reply(200, b"<html>gateway</html>", "text/html"), "malformed reply"),
    (Reply(200, soap11_reply("<x:Other xmlns:x='urn:x'/>")), "malformed reply"),
    (Reply(200, soap11_reply(
        '<r:UploadData_G_V4Response xmlns:r="http://tempuri.org/"><r:UploadData_G_V4Result>'
        "OK</r:UploadData_G_V4Result></r:UploadData_G_V4Response>")), "result is not JSON"),
    (Reply(502, b"bad gateway", "text/plain"), "HTTP 502"),
    (Reply(503, b"", "text/plain", headers={"Retry-After": "7"}), "HTTP 503"),
])
def test_replies_that_are_not_answers_are_retried(reply: Reply, words: str, peer: PeerHttp,
                                                  scripted: ScriptedServer, tmp_path: Path
                                                  ) -> None:
    wsdl = peer.wsdl()
    scripted.script.wsdl = lambda: Reply(200, wsdl)
    scripted.script.replies.append(reply)
    adapter = fj_adapter(scripted.url, tmp_path)
    outcome = adapter.send(message(project()))
    adapter.close()
    assert outcome.verdict == Verdict.RETRY, outcome
    assert words in (outcome.error or "")
    assert outcome.retry_after == (7.0 if reply.headers else None)


def test_a_403_from_a_gateway_parks(peer: PeerHttp, scripted: ScriptedServer, tmp_path: Path
                                    ) -> None:
    wsdl = peer.wsdl()
    scripted.script.wsdl = lambda: Reply(200, wsdl)
    scripted.script.replies.append(Reply(403, b"forbidden", "text/plain"))
    adapter = fj_adapter(scripted.url, tmp_path)
    outcome = adapter.send(message(project()))
    adapter.close()
    assert (outcome.verdict, outcome.status_code) == (Verdict.PARK, 403)


def test_a_lost_acknowledgement_is_retried_and_the_resend_delivered(peer: PeerHttp,
                                                                    tmp_path: Path) -> None:
    impatient = fj_adapter(peer.endpoint, tmp_path, timeout=0.5)
    peer.fault("slow", seconds=1.5)  # the peer stores the record, the answer comes too late
    lost = impatient.send(message(project()))
    assert lost.verdict == Verdict.RETRY and "timeout" in (lost.error or "")
    time.sleep(1.2)
    resent = impatient.send(message(project()))
    impatient.close()
    assert resent.verdict == Verdict.DELIVERED and "already held" in (resent.response or "")
    assert len(peer.records()) == 1
