"""The Shanxi "pspde" adapter: receiveInfo's parameters and reply rules, then end to end against
the sandbox Shanxi peer over loopback HTTP."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from adapters.outbound.shanxi import (
    DATASET_CODES,
    SerialCounter,
    ShanxiAdapter,
    classify,
    xml_content,
)
from adapters.outbound.soap_base import MalformedReply, Refused, Taken
from core.clock import SHANGHAI, MovableClock
from exchange.outcome import Verdict
from mappings.records import DataSetRecord, Operation
from sandbox.platforms import shanxi
from sandbox.platforms.serve import serving
from tests.exchange.test_adapter_common import (
    DOCTYPE_PROLOG,
    STAMP,
    TENDER,
    UNIFIED,
    PeerClock,
    PeerHttp,
    Reply,
    ScriptedServer,
    common,
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
USER_ID = "1400000001"
CREDIT = "91140000MA0TEST01X"


def options(tmp_path: Path, key: str = "sx-key-1") -> dict[str, Any]:
    return {"user_id": USER_ID, "credit_code": CREDIT, "secret_file": secret_file(tmp_path, key)}


def built(adapter: ShanxiAdapter, record: DataSetRecord) -> dict[str, Any]:
    arguments = adapter.build(record, "sx-key-1")
    assert isinstance(arguments, dict)
    return arguments


# -- request -----------------------------------------------------------------------------------

def test_receive_info_parameters(tmp_path: Path) -> None:
    clock = MovableClock(datetime(2025, 3, 1, 16, 30, 5, tzinfo=UTC))  # 00:30:05 on 2 March
    adapter = ShanxiAdapter(target("shanxi_pspde", "http://127.0.0.1:9/", options(tmp_path)),
                            clock=clock)
    record = tender_project(version="20250301163000")
    args = built(adapter, record)
    assert list(args) == ["USERID", "KEY", "SERIALNUMBER", "DATASETCODE", "XMLCONTENT",
                          "REQUESTTIME", "VERSIONNUMBER", "PLATID", "CREDITCODE"]
    assert args["USERID"] == USER_ID and args["KEY"] == "sx-key-1"
    assert re.fullmatch(USER_ID + r"20250302\d{6}", args["SERIALNUMBER"])  # Beijing date
    assert args["DATASETCODE"] == "GCJS_TENDER_PROJECT"
    assert args["REQUESTTIME"] == "2025-03-02 00:30:05"
    assert args["VERSIONNUMBER"] == "20250301163000"
    assert (args["PLATID"], args["CREDITCODE"]) == (TENDER, CREDIT)
    again = built(adapter, record)
    assert again["SERIALNUMBER"] != args["SERIALNUMBER"]
    adapter.close()


def test_serials_differ_and_wrap_at_six_digits() -> None:
    counter = SerialCounter(999_998)
    assert [counter.next() for _ in range(3)] == ["999998", "999999", "000000"]
    seen = {SerialCounter().next() for _ in range(3)}
    assert all(re.fullmatch(r"\d{6}", s) for s in seen)


def test_xml_content_root_is_the_dataset_code_and_values_are_escaped() -> None:
    record = tender_project()
    text = xml_content(record, "GCJS_TENDER_PROJECT")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?><GCJS_TENDER_PROJECT>')
    root = etree.fromstring(text.encode(), PARSER)
    assert root.tag == "GCJS_TENDER_PROJECT"
    assert [(c.tag, c.text) for c in root] == list(record.fields.items())
    assert "&amp; 泵站 &lt;一期&gt;" in text
    deleted = etree.fromstring(xml_content(tender_project(op=Operation.DELETE),
                                           "GCJS_TENDER_PROJECT").encode(), PARSER)
    assert deleted[-1].tag == "DELETE_FLAG" and deleted[-1].text == "1"
    assert [c.tag for c in deleted].count("DELETE_FLAG") == 1


def test_dataset_codes_and_a_set_not_carried_parks(tmp_path: Path) -> None:
    assert DATASET_CODES["502"] == "GCJS_SECTION"
    assert DATASET_CODES["517"] == "GCJS_EXCEPTION_REPORT"
    assert "505" not in DATASET_CODES and "550" not in DATASET_CODES
    adapter = ShanxiAdapter(target("shanxi_pspde", "http://127.0.0.1:9/", options(tmp_path)))
    purchase = DataSetRecord("550", "PURCHASE_PROJECT", "采购项目", Operation.ADD, "CG-1",
                             "20250301100000", {"PURCHASE_PROJECT_CODE": "CG-1"})
    result = adapter.build(purchase, "k")
    assert isinstance(result, Refused) and result.verdict == Verdict.PARK
    assert "not carried by the Shanxi profile" in result.error
    outcome = adapter.send(message(purchase))  # parks before any WSDL is fetched
    assert outcome.verdict == Verdict.PARK
    assert "550" in (outcome.error or "")
    adapter.close()


@pytest.mark.parametrize("bad", [{"user_id": "14000"}, {"user_id": "14000000AB"},
                                 {"credit_code": "short"}])
def test_bad_options_park(bad: dict[str, str], tmp_path: Path) -> None:
    adapter = ShanxiAdapter(target("shanxi_pspde", "http://127.0.0.1:9/",
                                   {**options(tmp_path), **bad}))
    outcome = adapter.send(message(tender_project()))
    assert outcome.verdict == Verdict.PARK and "option" in (outcome.error or "")


# -- replies -----------------------------------------------------------------------------------

def reply(code: str, message_text: str = "", when: str | None = "2025-03-01 10:00:05",
          success: bool | None = None) -> dict[str, Any]:
    return {"receiveInfoReturn": {"errorCode": code, "errorMessage": message_text,
                                  "receiveTime": when,
                                  "success": code == "0" if success is None else success}}


def test_accepted_and_already_exists_carry_receive_time_as_beijing_time() -> None:
    record = section()
    for code in ("0", "3002"):
        result = classify(record, "SERIAL", reply(code, "已存在" if code == "3002" else ""))
        assert isinstance(result, Taken)
        ack = result.acknowledgement
        assert (ack.data_set, ack.record_key, ack.reference) == ("502", record.key, "SERIAL")
        assert ack.official_time == datetime(2025, 3, 1, 10, 0, 5, tzinfo=SHANGHAI)
        assert ack.official_time is not None and ack.official_time.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(("code", "verdict", "words"), [
    ("1001", Verdict.PARK, "USERID/KEY refused"),
    ("1002", Verdict.PARK, "CREDITCODE not registered"),
    ("2001", Verdict.PARK, "TENDER_PROJECT_CODE"),
    ("3001", Verdict.RETRY, "parent missing"),
    ("9999", Verdict.RETRY, "internal"),
    ("4711", Verdict.PARK, "unknown errorCode 4711"),
])
def test_refusals(code: str, verdict: Verdict, words: str) -> None:
    result = classify(section(), "S", reply(code, "字段TENDER_PROJECT_CODE长度应为20", None))
    assert isinstance(result, Refused)
    assert result.verdict == verdict and words in result.error


@pytest.mark.parametrize("answer", [
    reply("0", when=None), reply("0", when="2025/03/01 10:00"), reply("0", success=False),
    reply("3002", when=""), reply("2001", success=True), {"receiveInfoReturn": None},
    {"errorMessage": "no code"},
])
def test_replies_outside_the_protocol_are_malformed(answer: dict[str, Any]) -> None:
    with pytest.raises(MalformedReply):
        classify(section(), "S", answer)


# -- end to end against the sandbox Shanxi peer ------------------------------------------------

KEY = "sx-key-0001"
FIRST = datetime(2025, 3, 1, 10, 0, 5, tzinfo=SHANGHAI)


@pytest.fixture
def peer_clock() -> PeerClock:
    return PeerClock(FIRST)


@pytest.fixture
def peer(tmp_path: Path, peer_clock: PeerClock) -> Iterator[PeerHttp]:
    app = shanxi.create_app(tmp_path / "sx.db", users={USER_ID: KEY},
                            credit_codes={USER_ID: CREDIT}, clock=peer_clock)
    with serving(app) as base:
        yield PeerHttp(base)
    app.close()


def sx_adapter(endpoint: str, tmp_path: Path, key: str = KEY, *, timeout: float = 5.0,
               **extra: str) -> ShanxiAdapter:
    return ShanxiAdapter(target("shanxi_pspde", endpoint, {
        **options(tmp_path, key), **extra}, timeout=timeout),
        clock=MovableClock(FIRST))


@pytest.fixture
def adapter(peer: PeerHttp, tmp_path: Path) -> Iterator[ShanxiAdapter]:
    made = sx_adapter(peer.endpoint, tmp_path)
    yield made
    made.close()


def test_a_project_chain_is_delivered_with_receive_times(peer: PeerHttp, adapter: ShanxiAdapter
                                                         ) -> None:
    records = [project(), tender_project(), section()]
    outcome = adapter.send(message(*records))
    assert outcome.verdict == Verdict.DELIVERED, outcome.error
    acks = outcome.acknowledgements
    assert [(a.data_set, a.record_key, a.official_time) for a in acks] == [
        (r.data_set, r.key, FIRST) for r in records]
    serials = [a.reference for a in acks]
    assert all(s and re.fullmatch(USER_ID + r"20250301\d{6}", s) for s in serials)
    assert len(set(serials)) == 3
    held = peer.records()
    assert [(r["data_set"], r["key"], r["operation"], r["version"]) for r in held] == [
        (r.data_set, r.key, "add", r.version) for r in records]
    assert held[1]["fields"] == records[1].fields
    assert KEY not in (outcome.response or "")
    assert "<ns0:KEY>***</ns0:KEY>" in (outcome.response or "")


def test_a_resend_is_delivered_with_the_original_receive_time(peer: PeerHttp,
                                                              peer_clock: PeerClock,
                                                              adapter: ShanxiAdapter) -> None:
    assert adapter.send(message(project(), tender_project())).verdict == Verdict.DELIVERED
    peer_clock.moment = FIRST + timedelta(hours=3)
    again = adapter.send(message(project(), tender_project()))
    assert again.verdict == Verdict.DELIVERED
    assert [a.official_time for a in again.acknowledgements] == [FIRST, FIRST]
    assert "already held" in (again.response or "")
    assert len(peer.records()) == 2


def test_a_notice_gets_its_official_publication_time(peer: PeerHttp, peer_clock: PeerClock,
                                                     adapter: ShanxiAdapter) -> None:
    """receiveTime is the official publication time of 503/511/513: it must come back as an
    aware moment equal to the peer's Beijing wall clock."""
    assert adapter.send(message(project(), tender_project())).verdict == Verdict.DELIVERED
    peer_clock.moment = datetime(2025, 3, 2, 0, 30, tzinfo=UTC)  # 08:30 in Beijing
    notice = DataSetRecord("503", "TENDER_ANN_QUA_INQUERY_ANN", "招标公告与资格预审公告",
                           Operation.ADD, TENDER + "-N1", STAMP, notice_fields())
    outcome = adapter.send(message(notice))
    assert outcome.verdict == Verdict.DELIVERED, outcome.error
    (ack,) = outcome.acknowledgements
    assert ack.official_time == datetime(2025, 3, 2, 8, 30, tzinfo=SHANGHAI)
    assert peer.records()[-1]["data_set"] == "503"


def test_a_child_before_its_parent_is_retried_then_delivered(peer: PeerHttp,
                                                             adapter: ShanxiAdapter) -> None:
    early = adapter.send(message(section()))
    assert early.verdict == Verdict.RETRY and "parent missing" in (early.error or "")
    assert adapter.send(message(project(), tender_project(), section())).verdict == \
        Verdict.DELIVERED
    assert [r["data_set"] for r in peer.records()] == ["500", "501", "502"]


def test_an_invalid_record_parks_naming_the_field(peer: PeerHttp, adapter: ShanxiAdapter
                                                  ) -> None:
    outcome = adapter.send(message(project(), tender_project(IS_TO_LAW="7")))
    assert outcome.verdict == Verdict.PARK
    assert "IS_TO_LAW" in (outcome.error or "") and "record 2 of 2" in (outcome.error or "")
    assert [r["data_set"] for r in peer.records()] == ["500"]


def test_a_newer_version_updates_and_a_delete_flag_deletes(peer: PeerHttp,
                                                           adapter: ShanxiAdapter) -> None:
    assert adapter.send(message(project(), tender_project())).verdict == Verdict.DELIVERED
    newer = tender_project(op=Operation.UPDATE, version="20250302100000",
                           TENDER_CONTENT="管网施工（变更）")
    assert adapter.send(message(newer)).verdict == Verdict.DELIVERED
    assert adapter.send(message(tender_project(op=Operation.DELETE, version="20250303100000"))
                        ).verdict == Verdict.DELIVERED
    held = peer.records()
    assert [r["operation"] for r in held] == ["add", "add", "update", "delete"]
    assert held[2]["fields"]["TENDER_CONTENT"] == "管网施工（变更）"
    unknown = adapter.send(message(section(op=Operation.DELETE)))
    assert unknown.verdict == Verdict.PARK and "PLATID" in (unknown.error or "")


@pytest.mark.parametrize(("key", "credit_code", "words"), [
    ("wrong-key", CREDIT, "USERID/KEY refused"),
    (KEY, "91140000MA0OTHER9X", "CREDITCODE not registered"),
])
def test_a_wrong_key_or_credit_code_parks(key: str, credit_code: str, words: str,
                                          peer: PeerHttp, tmp_path: Path) -> None:
    wrong = sx_adapter(peer.endpoint, tmp_path, key, credit_code=credit_code)
    outcome = wrong.send(message(project()))
    wrong.close()
    assert outcome.verdict == Verdict.PARK and words in (outcome.error or "")
    assert peer.records() == []


@pytest.mark.parametrize(("mode", "words"), [
    ("soap_fault", "SOAP Fault"), ("http_500", "HTTP 500"), ("malformed", "malformed reply"),
    ("refuse_parent", "parent missing"),
])
def test_peer_failures_are_retried(mode: str, words: str, peer: PeerHttp,
                                   adapter: ShanxiAdapter) -> None:
    peer.fault(mode)
    failed = adapter.send(message(project()))
    assert failed.verdict == Verdict.RETRY, failed
    assert words in (failed.error or "")
    assert adapter.send(message(project())).verdict == Verdict.DELIVERED


def test_a_lost_acknowledgement_is_retried_and_the_resend_delivered(peer: PeerHttp,
                                                                    tmp_path: Path) -> None:
    impatient = sx_adapter(peer.endpoint, tmp_path, timeout=0.5)
    assert impatient.send(message(project())).verdict == Verdict.DELIVERED
    peer.fault("timeout", seconds=1.5)
    assert impatient.send(message(tender_project())).verdict == Verdict.RETRY
    peer.fault("slow", seconds=1.5)
    lost = impatient.send(message(tender_project()))
    assert lost.verdict == Verdict.RETRY and "timeout" in (lost.error or "")
    time.sleep(1.2)
    resent = impatient.send(message(tender_project()))
    impatient.close()
    assert resent.verdict == Verdict.DELIVERED and "already held" in (resent.response or "")
    assert [a.official_time for a in resent.acknowledgements] == [FIRST]
    assert len(peer.records()) == 2


def test_a_peer_down_at_start_is_a_retry_and_then_delivered(tmp_path: Path) -> None:
    port = free_port()
    adapter = sx_adapter(f"http://127.0.0.1:{port}/", tmp_path)
    down = adapter.send(message(project()))
    assert down.verdict == Verdict.RETRY and "connection failed" in (down.error or "")
    app = shanxi.create_app(tmp_path / "late.db", users={USER_ID: KEY},
                            credit_codes={USER_ID: CREDIT})
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
    result = ('<r:receiveInfoResponse xmlns:r="http://server.webservice.pspde.sxca.com/">'
              "<r:receiveInfoReturn><r:errorCode>0</r:errorCode>"
              "<r:errorMessage>&boom;</r:errorMessage>"
              "<r:receiveTime>2025-03-01 10:00:05</r:receiveTime><r:success>true</r:success>"
              "</r:receiveInfoReturn></r:receiveInfoResponse>")
    scripted.script.replies.append(Reply(200, soap11_reply(result, DOCTYPE_PROLOG)))
    adapter = sx_adapter(scripted.url, tmp_path)
    outcome = adapter.send(message(project()))
    adapter.close()
    assert outcome.verdict == Verdict.PARK and "DTDForbidden" in (outcome.error or "")
    assert "EXPANDED-ENTITY-TEXT" not in (outcome.error or "")


def test_a_reply_of_the_wrong_shape_is_retried(peer: PeerHttp, scripted: ScriptedServer,
                                               tmp_path: Path) -> None:
    wsdl = peer.wsdl()
    scripted.script.wsdl = lambda: Reply(200, wsdl)
    no_time = ('<r:receiveInfoResponse xmlns:r="http://server.webservice.pspde.sxca.com/">'
               "<r:receiveInfoReturn><r:errorCode>0</r:errorCode><r:errorMessage/>"
               "<r:success>true</r:success></r:receiveInfoReturn></r:receiveInfoResponse>")
    scripted.script.replies.append(Reply(200, soap11_reply(no_time)))
    adapter = sx_adapter(scripted.url, tmp_path)
    outcome = adapter.send(message(project()))
    adapter.close()
    assert outcome.verdict == Verdict.RETRY and "malformed reply" in (outcome.error or "")


def notice_fields() -> dict[str, str]:
    return {**common(), "TENDER_PROJECT_CODE": TENDER, "NOTICE_BID_NUM": "1",
            "BID_SECTION_CODES": TENDER + "001", "UNIFIED_DEAL_CODES": UNIFIED,
            "TENDER_SELF_CODE": "FZSW-2025-001", "NOTICE_NAME": "滨海供水工程施工招标公告",
            "NOTICE_CONTENT": "<p>招标公告正文</p>", "NOTICE_SEND_TIME": "20250302083000",
            "NOTICE_MEDIA": "福建省公共资源交易电子公共服务平台",
            "URL": "https://ggzyfw.fujian.gov.cn/notice/1", "NOTICE_NATURE": "1",
            "BULLETIN_TYPE": "1", "DOC_GET_START_TIME": "20250302090000",
            "DOC_GET_END_TIME": "20250309170000", "TENDER_DOC_GET_METHOD": "网上下载",
            "BID_DOC_REFER_END_TIME": "20250325093000", "BID_OPEN_TIME": "20250325093000",
            "BID_DOC_REFER_METHOD": "网上递交", "SYNDICATED_FLAG": "0",
            "TENDERER_CODE": "91350100MA0000001X", "TENDERER_NAME": "福州水务集团有限公司",
            "TENDERER_ADDRESS": "福州市鼓楼区", "TENDERER_CONTACTOR": "林工",
            "TENDERER_PHONE_NUMBER": "0591-88888888", "TENDERER_EMAIL": "zb@example.cn",
            "BULLETIN_DUTY": "王五", "BULLETIN_DUTY_CODE_TYPE": "1"}
