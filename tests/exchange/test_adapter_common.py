"""What the three SOAP platform adapters share (adapters.outbound.soap_base), tested through a
scripted HTTP server over loopback: secrets, Beijing time, reply unwrapping, and a WSDL that is
missing, broken, hostile (DOCTYPE) or behind a port where nothing listens.

The helpers here (records, targets, the scripted server) are used by the per-profile tests.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.outbound.fujian import FujianAdapter
from adapters.outbound.kinds import ADAPTER_KINDS
from adapters.outbound.national import NationalAdapter
from adapters.outbound.shanxi import ShanxiAdapter
from adapters.outbound.soap_base import (
    MalformedReply,
    SecretError,
    parse_beijing,
    read_secret,
    reply_text,
    reply_value,
)
from core.clock import SHANGHAI
from exchange.model import Target
from exchange.outcome import OutboundMessage, Outcome, Verdict
from mappings.records import CONTENT_TYPE, DataSetRecord, Operation, encode

# -- records with valid values (the common fields and each set's mandatory fields) -------------

PLATFORM_CODE = "91350000MA2XYZ1234"  # 18
PUB_SERVICE_PLAT_CODE = "11350000MB0123456X"  # 18
TRADE_PLAT = "E3500000001"  # 11
PUB_SERVICE_PLAT = "P3500000001"  # 11
PROJECT = "E3500000001000001"  # 17
TENDER = PROJECT + "001"  # 20
SECTION = TENDER + "001"  # 23
UNIFIED = "A01-91350000MA2XYZ1234-20250301-000001-7".ljust(40, "0")[:40]
STAMP = "20250301100000"


def common(stamp: str = STAMP) -> dict[str, str]:
    return {"PLATFORM_CODE": PLATFORM_CODE, "PUB_SERVICE_PLAT_CODE": PUB_SERVICE_PLAT_CODE,
            "DATA_TIMESTAMP": stamp, "TRADE_PLAT": TRADE_PLAT,
            "PUB_SERVICE_PLAT": PUB_SERVICE_PLAT}


def project(code: str = PROJECT, op: Operation = Operation.ADD, version: str = STAMP,
            **extra: str) -> DataSetRecord:
    fields = {**common(version), "PROJECT_CODE": code,
              "PROJECT_NAME": f"福州滨海供水工程{code[-3:]}", "REGION_CODE": "350100",
              "RELATE_CODE": "1",
              "INVEST_PROJECT_CODE": "2025-350100-46-01-000001", "ADDRESS": "福州市长乐区",
              "LEGAL_PERSON": "福州水务集团有限公司", "CLASS_VER_CODE": "1",
              "INDUSTRIES_TYPE": "D46", "FUND_SOURCE": "财政资金", "PROJECT_SCALE": "日供水10万吨",
              "CONTACTOR": "林工", "CONTACT_INFORMATION": "0591-88888888",
              "APPROVAL_NAME": "关于滨海供水工程可行性研究报告的批复",
              "APPROVAL_NUMBER": "榕发改审批〔2025〕1号",
              "APPROVAL_AUTHORITY": "福州市发展和改革委员会",
              "CREATE_TIME": "20250301090000", "OPERATION_NAME": "张三", **extra}
    return DataSetRecord("500", "PROJECT", "项目", op, code, version, fields)


def tender_project(code: str = TENDER, op: Operation = Operation.ADD, version: str = STAMP,
                   **extra: str) -> DataSetRecord:
    fields = {**common(version), "PROJECT_CODE": code[:17], "TENDER_PROJECT_CODE": code,
              "UNIFIED_DEAL_CODE": UNIFIED, "IS_TO_LAW": "1",
              "TENDER_PROJECT_NAME": f"滨海供水工程施工招标{code[-3:]}",
              "TENDER_PROJECT_TYPE": "A02",
              "REGION_CODE": "350100", "TENDER_CONTENT": "管网施工 & 泵站 <一期>",
              "OWNER_NAME": "福州水务集团有限公司", "TENDERER_NAME": "福州水务集团有限公司",
              "TENDERER_CODE_TYPE": "1", "TENDERER_CODE": "91350100MA0000001X",
              "ISUNION": "0", "TENDERER_ROLE": "01", "TENDER_AGENCY_NAME": "福建招标代理有限公司",
              "TENDER_AGENCY_CODE_TYPE": "1", "TENDER_AGENCY_CODE": "91350100MA0000002Y",
              "TENDER_AGENCY_ROLE": "02", "TENDER_MODE": "1", "TENDER_ORGANIZE_FORM": "2",
              "CREATE_TIME": "20250301093000", "SUPERVISE_DEPT_NAME": "福州市住房和城乡建设局",
              "SUPERVISE_DEPT_CODE": "11350100003591234K",
              "APPROVE_DEPT_NAME": "福州市发展和改革委员会",
              "APPROVE_DEPT_CODE": "11350100003591235L", "REPORT_DUTY": "李四",
              "TENDERER_REGION_CODE": "350100", "TENDERER_PROPERTY": "1",
              "TENDER_AGENCY_REGION_CODE": "350100", **extra}
    return DataSetRecord("501", "TENDER_PROJECT", "招标项目", op, code, version, fields)


def section(code: str = SECTION, op: Operation = Operation.ADD, version: str = STAMP,
            **extra: str) -> DataSetRecord:
    fields = {**common(version), "TENDER_PROJECT_CODE": code[:20], "BID_SECTION_CODE": code,
              "BID_SECTION_NAME": f"滨海供水工程施工{code[-3:]}标段", "BID_ECTION_NUM": "1",
              "UNIFIED_DEAL_CODE": UNIFIED, "BID_TENDER_MODE": "1", "REGION_CODE": "350100",
              "TRA_PLACE_CODE": "350100", "BID_SECTION_CONTENT": "管网施工",
              "TENDER_PROJECT_CLASSIFY_CODE": "A080000", "CONTRACT_RECKON_PRICE": "12345678.90",
              "CURRENCY_CODE": "156", "PRICE_UNIT": "0",
              "BID_QUALIFICATION": "市政公用工程施工总承包二级",
              "BEGIN_DATE": "20250601", "LIMITE_TIME": "365", "CREATE_TIME": "20250301094000",
              **extra}
    return DataSetRecord("502", "SECTION", "标段(包)", op, code, version, fields)


def without(record: DataSetRecord, field_code: str) -> DataSetRecord:
    fields = {k: v for k, v in record.fields.items() if k != field_code}
    return DataSetRecord(record.data_set, record.name_en, record.name_zh, record.operation,
                         record.key, record.version, fields)


def target(kind: str, endpoint: str, options: dict[str, Any], timeout: float = 5.0) -> Target:
    return Target(name=f"t-{kind}", kind=kind, endpoint=endpoint, timeout_seconds=timeout,
                  options=options, retry_statuses=[408, 425, 429, 500, 502, 503, 504])


def message(*records: DataSetRecord) -> OutboundMessage:
    return OutboundMessage(encode(records), CONTENT_TYPE, "ev-1:t", records[0].key if records
                           else "k", 1, "test")


def secret_file(tmp_path: Path, value: str) -> str:
    path = tmp_path / f"secret-{abs(hash(value))}"
    path.write_text(value + "\n  \nsecond line ignored\n", encoding="utf-8")
    return str(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the sandbox peers' plain JSON side ---------------------------------------------------------

@dataclass
class PeerHttp:
    """A running sandbox peer: its base URL and its JSON control endpoints."""

    base: str

    @property
    def endpoint(self) -> str:
        return self.base + "/"

    def _get(self, path: str) -> Any:
        answer = httpx.get(self.base + path, timeout=5.0)
        answer.raise_for_status()
        return answer.json()

    def records(self) -> list[dict[str, Any]]:
        return list(self._get("/records")["records"])

    def refusals(self) -> list[dict[str, Any]]:
        return list(self._get("/refusals")["refusals"])

    def stats(self) -> dict[str, Any]:
        return dict(self._get("/stats"))

    def fault(self, mode: str, count: int = 1, seconds: float | None = None) -> None:
        plan: dict[str, Any] = {"mode": mode, "count": count}
        if seconds is not None:
            plan["seconds"] = seconds
        httpx.post(self.base + "/control/faults", json=plan, timeout=5.0).raise_for_status()

    def wsdl(self) -> bytes:
        answer = httpx.get(self.base + "/?wsdl", timeout=5.0)
        answer.raise_for_status()
        return answer.content


class PeerClock:
    """A settable clock for a peer (its receive times), as the peers take a callable."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def soap11_reply(inner: str, prolog: str = "") -> bytes:
    return (f'{prolog}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            f"<soap:Body>{inner}</soap:Body></soap:Envelope>").encode()


DOCTYPE_PROLOG = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY boom "EXPANDED-ENTITY-TEXT">]>'


# -- a scripted HTTP server ----------------------------------------------------------------------

@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/xml; charset=utf-8"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Scripted:
    """GET answers the WSDL (a callable may fetch it lazily), POST pops the next reply."""

    wsdl: Callable[[], Reply] = field(default_factory=lambda: (lambda: Reply(404, b"no")))
    replies: deque[Reply] = field(default_factory=deque)
    gets: list[str] = field(default_factory=list)
    posts: list[bytes] = field(default_factory=list)


class ScriptedServer:
    def __init__(self) -> None:
        self.script = Scripted()
        script = self.script

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up (timeout test)

            def do_GET(self) -> None:
                script.gets.append(self.path)
                self._answer(script.wsdl())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                script.posts.append(self.rfile.read(length))
                self._answer(script.replies.popleft() if script.replies
                             else Reply(500, b"unscripted"))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()


HOSTILE_WSDL = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY boom "EXPANDED-ENTITY-TEXT">]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="&boom;"
  targetNamespace="http://tempuri.org/"/>"""

ADAPTERS: dict[str, tuple[type, dict[str, Any]]] = {
    "fujian_v4": (FujianAdapter, {"system_no": "0001", "ca_key": "CA-1"}),
    "shanxi_pspde": (ShanxiAdapter, {"user_id": "1400000001",
                                     "credit_code": "91140000MA0TEST01X"}),
    "national_xml": (NationalAdapter, {"platform_code": "E3500000001"}),
}


SECRET = "s3cret-key-0001"


def adapter_for(kind: str, endpoint: str, tmp_path: Path, secret: str = SECRET,
                **options: Any) -> Any:
    cls, base = ADAPTERS[kind]
    return cls(target(kind, endpoint, {**base, "secret_file": secret_file(tmp_path, secret),
                                       **options}, timeout=2.0))


# -- tests ---------------------------------------------------------------------------------------

def test_every_kind_is_registered_with_its_factory() -> None:
    assert set(ADAPTER_KINDS) == {"http_json", "fujian_v4", "shanxi_pspde", "national_xml"}
    for kind, (cls, _) in ADAPTERS.items():
        assert ADAPTER_KINDS[kind] is cls


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


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_missing_secret_parks_before_anything_is_sent(kind: str, scripted: ScriptedServer
                                                      ) -> None:
    cls, options = ADAPTERS[kind]
    adapter = cls(target(kind, scripted.url, {**options, "secret_env": "GGZY_TEST_NO_SUCH_VAR"}))
    outcome = adapter.send(message(tender_project()))
    adapter.close()
    assert outcome.verdict == Verdict.PARK
    assert "GGZY_TEST_NO_SUCH_VAR is not set" in (outcome.error or "")
    assert scripted.script.gets == [] and scripted.script.posts == []


def test_beijing_time_is_aware() -> None:
    moment = parse_beijing("2025-03-01 10:00:00", "%Y-%m-%d %H:%M:%S")
    assert moment.tzinfo is SHANGHAI
    assert moment.utcoffset() == timedelta(hours=8)
    assert moment == datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_beijing("20250301", "%Y-%m-%d %H:%M:%S")


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


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_nothing_listening_is_a_retry_and_the_next_send_tries_again(kind: str, tmp_path: Path
                                                                    ) -> None:
    port = free_port()
    adapter = adapter_for(kind, f"http://127.0.0.1:{port}/", tmp_path)
    for _ in range(2):
        outcome = adapter.send(message(tender_project()))
        assert outcome.verdict == Verdict.RETRY, outcome
        assert "connection failed" in (outcome.error or "")
    adapter.close()


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_a_wsdl_with_a_doctype_is_refused_unexpanded(kind: str, scripted: ScriptedServer,
                                                    tmp_path: Path) -> None:
    scripted.script.wsdl = lambda: Reply(200, HOSTILE_WSDL)
    adapter = adapter_for(kind, scripted.url, tmp_path)
    outcome = adapter.send(message(tender_project()))
    adapter.close()
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
    adapter = adapter_for("fujian_v4", scripted.url, tmp_path)
    outcome = adapter.send(message(tender_project()))
    adapter.close()
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
    adapter = adapter_for("national_xml", scripted.url, tmp_path)
    outcome = adapter.send(message(tender_project()))
    adapter.close()
    assert outcome.verdict == Verdict.PARK
    assert "no service NationalExchange (has Other)" in (outcome.error or "")


def test_a_body_that_is_not_records_parks(tmp_path: Path) -> None:
    adapter = adapter_for("fujian_v4", "http://127.0.0.1:9/", tmp_path)
    bad = OutboundMessage(b'{"event": 1}', "application/json", "k", "o", 1, "x")
    empty = OutboundMessage(encode([]), CONTENT_TYPE, "k", "o", 1, "x")
    outcomes: list[Outcome] = [adapter.send(bad), adapter.send(empty)]
    adapter.close()
    assert [o.verdict for o in outcomes] == [Verdict.PARK, Verdict.PARK]
    assert "not data-set records" in (outcomes[0].error or "")
    assert "no record" in (outcomes[1].error or "")
