"""The Shanxi "pspde" adapter: receiveInfo's parameters and reply rules, then end to end against
the sandbox Shanxi peer over loopback HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.outbound.shanxi import (
    DATASET_CODES,
    SerialCounter,
    classify,
    xml_content,
)
from adapters.outbound.soap_base import SoapAdapter
from adapters.outbound.soap_replies import MalformedReply, Refused, Taken
from core.clock import SHANGHAI, MovableClock
from exchange.outcome import Verdict
from mappings.records import DataSetRecord, Operation
from tests.exchange.adapter_support import (
    FIRST,
    SHANXI,
    STAMP,
    TENDER,
    UNIFIED,
    PeerClock,
    PeerHttp,
    Profile,
    Reply,
    ScriptedServer,
    common,
    message,
    parse,
    project,
    section,
    send_once,
    soap11_reply,
    tender_project,
)

USER_ID = SHANXI.options["user_id"]
CREDIT = SHANXI.options["credit_code"]
UNUSED = "http://127.0.0.1:9/"  # nothing is sent there


def built(adapter: SoapAdapter, record: DataSetRecord) -> dict[str, Any]:
    arguments = adapter.build(record, "sx-key-1")
    assert isinstance(arguments, dict)
    return arguments


# -- request -----------------------------------------------------------------------------------

def test_receive_info_parameters(tmp_path: Path) -> None:
    clock = MovableClock(datetime(2025, 3, 1, 16, 30, 5, tzinfo=UTC))  # 00:30:05 on 2 March
    adapter = SHANXI.adapter(UNUSED, tmp_path, clock=clock)
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
    root = parse(text)
    assert root.tag == "GCJS_TENDER_PROJECT"
    assert [(c.tag, c.text) for c in root] == list(record.fields.items())
    assert "&amp; 泵站 &lt;一期&gt;" in text
    deleted = parse(xml_content(tender_project(op=Operation.DELETE), "GCJS_TENDER_PROJECT"))
    assert deleted[-1].tag == "DELETE_FLAG" and deleted[-1].text == "1"
    assert [c.tag for c in deleted].count("DELETE_FLAG") == 1


def test_dataset_codes_and_a_set_not_carried_parks(tmp_path: Path) -> None:
    assert DATASET_CODES["502"] == "GCJS_SECTION"
    assert DATASET_CODES["517"] == "GCJS_EXCEPTION_REPORT"
    assert "505" not in DATASET_CODES and "550" not in DATASET_CODES
    adapter = SHANXI.adapter(UNUSED, tmp_path)
    purchase = DataSetRecord("550", "PURCHASE_PROJECT", "采购项目", Operation.ADD, "CG-1",
                             "20250301100000", {"PURCHASE_PROJECT_CODE": "CG-1"})
    result = adapter.build(purchase, "k")
    assert isinstance(result, Refused) and result.verdict == Verdict.PARK
    assert "not carried by the Shanxi profile" in result.error
    outcome = adapter.send(message(purchase))  # parks before any WSDL is fetched
    assert outcome.verdict == Verdict.PARK
    assert "550" in (outcome.error or "")
    adapter.close()



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


# -- end to end against the sandbox Shanxi peer (what every profile does: test_adapter_common) ----

@pytest.fixture
def profile() -> Profile:
    return SHANXI


def test_a_project_chain_is_delivered_with_receive_times(peer: PeerHttp, adapter: SoapAdapter
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
    assert SHANXI.secret not in (outcome.response or "")
    assert "<ns0:KEY>***</ns0:KEY>" in (outcome.response or "")


def test_a_notice_gets_its_official_publication_time(peer: PeerHttp, peer_clock: PeerClock,
                                                     adapter: SoapAdapter) -> None:
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


def test_a_reply_of_the_wrong_shape_is_retried(peer: PeerHttp, scripted: ScriptedServer,
                                               tmp_path: Path) -> None:
    no_time = ('<r:receiveInfoResponse xmlns:r="http://server.webservice.pspde.sxca.com/">'
               "<r:receiveInfoReturn><r:errorCode>0</r:errorCode><r:errorMessage/>"
               "<r:success>true</r:success></r:receiveInfoReturn></r:receiveInfoResponse>")
    scripted.impersonate(peer, Reply(200, soap11_reply(no_time)))
    outcome = send_once(SHANXI.adapter(scripted.url, tmp_path), project())
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
