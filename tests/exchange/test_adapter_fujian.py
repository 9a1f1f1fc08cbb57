"""The Fujian "FJ V4" adapter: its token, DATA_KEY, envelope and reply rules, then end to end
against the sandbox Fujian peer over loopback HTTP."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, modes

from adapters.outbound.fujian import (
    TripleDES,
    classify,
    data_key,
    data_xml,
    token,
    validation_xml,
)
from adapters.outbound.soap_base import SoapAdapter
from adapters.outbound.soap_replies import MalformedReply, Refused, Taken
from core.clock import MovableClock
from exchange.outcome import Verdict
from mappings.records import Operation
from tests.exchange.adapter_support import (
    FUJIAN,
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

SYSTEM_NO = FUJIAN.options["system_no"]


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


# -- end to end against the sandbox Fujian peer (what every profile does: test_adapter_common) ----

@pytest.fixture
def profile() -> Profile:
    return FUJIAN


def test_a_project_chain_is_delivered_in_order(peer: PeerHttp, adapter: SoapAdapter) -> None:
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
    assert FUJIAN.secret not in (outcome.response or "")
    assert "<TOKEN>***</TOKEN>" in html.unescape(outcome.response or "")


def test_a_token_from_a_clock_13_hours_off_parks(peer: PeerHttp, tmp_path: Path) -> None:
    skewed = FUJIAN.adapter(peer.endpoint, tmp_path,
                            clock=MovableClock(datetime.now(UTC) - timedelta(hours=13)))
    outcome = send_once(skewed, project())
    assert outcome.verdict == Verdict.PARK and "令牌" in (outcome.error or "")


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
    scripted.impersonate(peer, reply)
    outcome = send_once(FUJIAN.adapter(scripted.url, tmp_path), project())
    assert outcome.verdict == Verdict.RETRY, outcome
    assert words in (outcome.error or "")
    assert outcome.retry_after == (7.0 if reply.headers else None)


def test_a_403_from_a_gateway_parks(peer: PeerHttp, scripted: ScriptedServer, tmp_path: Path
                                    ) -> None:
    scripted.impersonate(peer, Reply(403, b"forbidden", "text/plain"))
    outcome = send_once(FUJIAN.adapter(scripted.url, tmp_path), project())
    assert (outcome.verdict, outcome.status_code) == (Verdict.PARK, 403)
