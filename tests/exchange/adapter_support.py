"""What the SOAP platform adapter tests share: valid records, targets with a secret file, a
scripted HTTP server, the sandbox peers' JSON side, and one ``Profile`` per platform.

A ``Profile`` pairs an adapter with a sandbox peer registered for the same sender, so a test can
run the same exchange against all three platforms. The fixtures ``peer`` and ``adapter`` build
both for the ``profile`` fixture: parametrized over every profile here, and overridden by a
per-profile test module with its own ``profile``. Test modules import the fixtures they use.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from adapters.outbound.fujian import FujianAdapter
from adapters.outbound.national import NationalAdapter
from adapters.outbound.shanxi import ShanxiAdapter
from adapters.outbound.soap_base import SoapAdapter
from core.clock import SHANGHAI, Clock, MovableClock
from exchange.model import Target
from exchange.outcome import OutboundMessage, Outcome
from mappings.records import CONTENT_TYPE, DataSetRecord, Operation
from sandbox.platforms import fujian, national, shanxi
from sandbox.platforms.app import PlatformApp
from sandbox.platforms.clock import beijing_now
from sandbox.platforms.serve import serving

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


# -- targets, messages, documents --------------------------------------------------------------

def target(kind: str, endpoint: str, options: dict[str, Any], timeout: float = 5.0) -> Target:
    return Target(name=f"t-{kind}", kind=kind, endpoint=endpoint, timeout_seconds=timeout,
                  options=options, retry_statuses=[408, 425, 429, 500, 502, 503, 504])


def message(*records: DataSetRecord) -> OutboundMessage:
    return OutboundMessage(tuple(records), CONTENT_TYPE, "ev-1:t", records[0].key if records
                           else "k", 1, "test")


def send_once(adapter: SoapAdapter, *records: DataSetRecord) -> Outcome:
    """One message through an adapter made for this send alone."""
    try:
        return adapter.send(message(*records))
    finally:
        adapter.close()


def secret_file(tmp_path: Path, value: str) -> str:
    path = tmp_path / f"secret-{abs(hash(value))}"
    path.write_text(value + "\n  \nsecond line ignored\n", encoding="utf-8")
    return str(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PARSER = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False,
                         load_dtd=False, huge_tree=False)


def parse(text: str) -> etree._Element:
    """A document an adapter wrote, read as hardened as the peers read it (and without DOCTYPE)."""
    root = etree.fromstring(text.encode(), PARSER)
    assert root.getroottree().docinfo.doctype == ""
    return root


def soap11_reply(inner: str, prolog: str = "") -> bytes:
    return (f'{prolog}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            f"<soap:Body>{inner}</soap:Body></soap:Envelope>").encode()


DOCTYPE_PROLOG = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY boom "EXPANDED-ENTITY-TEXT">]>'


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

    def impersonate(self, peer: PeerHttp, *replies: Reply) -> None:
        """Serve ``peer``'s WSDL and answer the calls with ``replies``: what a gateway or a broken
        peer in front of a well-described service would send."""
        wsdl = peer.wsdl()
        self.script.wsdl = lambda: Reply(200, wsdl)
        self.script.replies.extend(replies)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()


# -- the three profiles: an adapter and the sandbox peer that knows its sender ---------------------

FIRST = datetime(2025, 3, 1, 10, 0, 5, tzinfo=SHANGHAI)
"""Where the peers' clocks stand in the fixtures: the receive time the adapters report."""

PeerFactory = Callable[[Path, PeerClock | None], PlatformApp]


@dataclass(frozen=True)
class Profile:
    kind: str
    adapter_class: type[SoapAdapter]
    options: dict[str, str]            # the target options, but the secret
    secret: str
    start_peer: PeerFactory            # the peer with the sender registered, on a store file
    receipt_time: datetime | None      # the official time acknowledged while the peer is at FIRST
    adapter_clock: datetime | None = None

    def target(self, endpoint: str, tmp_path: Path, *, secret: str | None = None,
               timeout: float = 5.0, options: Mapping[str, str] | None = None) -> Target:
        """The target the peer knows, ``options`` over the profile's own, and the secret (the
        profile's unless given) in a file."""
        path = secret_file(tmp_path, self.secret if secret is None else secret)
        return target(self.kind, endpoint,
                      {**self.options, "secret_file": path, **(options or {})}, timeout=timeout)

    def adapter(self, endpoint: str, tmp_path: Path, *, secret: str | None = None,
                timeout: float = 5.0, options: Mapping[str, str] | None = None,
                clock: Clock | None = None) -> SoapAdapter:
        if clock is None and self.adapter_clock is not None:
            clock = MovableClock(self.adapter_clock)
        made = self.target(endpoint, tmp_path, secret=secret, timeout=timeout, options=options)
        return self.adapter_class(made, clock=clock)


FUJIAN = Profile(
    "fujian_v4", FujianAdapter, {"system_no": "0001", "ca_key": "CA-0001", "route_way": "1"},
    "fj-secret-0001",
    # the peer checks the token's age against its own clock, the adapter seals with the real one
    lambda path, clock: fujian.create_app(path, senders={"0001": "fj-secret-0001"}),
    receipt_time=None)
SHANXI = Profile(
    "shanxi_pspde", ShanxiAdapter, {"user_id": "1400000001", "credit_code": "91140000MA0TEST01X"},
    "sx-key-0001",
    lambda path, clock: shanxi.create_app(
        path, users={"1400000001": "sx-key-0001"},
        credit_codes={"1400000001": "91140000MA0TEST01X"}, clock=clock or beijing_now),
    receipt_time=FIRST, adapter_clock=FIRST)
NATIONAL = Profile(
    "national_xml", NationalAdapter, {"platform_code": "E3500000001"}, "nat-pass-1",
    lambda path, clock: national.create_app(path, platforms={"E3500000001": "nat-pass-1"},
                                            clock=clock or beijing_now),
    receipt_time=FIRST)
PROFILES = {p.kind: p for p in (FUJIAN, SHANXI, NATIONAL)}


def kind_of(value: object) -> str | None:
    """The test id of a parameter that is a profile (pytest names the others)."""
    return value.kind if isinstance(value, Profile) else None


@pytest.fixture(params=sorted(PROFILES))
def profile(request: pytest.FixtureRequest) -> Profile:
    return PROFILES[request.param]


@pytest.fixture
def peer_clock() -> PeerClock:
    return PeerClock(FIRST)


@pytest.fixture
def peer(profile: Profile, tmp_path: Path, peer_clock: PeerClock) -> Iterator[PeerHttp]:
    app = profile.start_peer(tmp_path / "peer.db", peer_clock)
    with serving(app) as base:
        yield PeerHttp(base)
    app.close()


@pytest.fixture
def adapter(profile: Profile, peer: PeerHttp, tmp_path: Path) -> Iterator[SoapAdapter]:
    made = profile.adapter(peer.endpoint, tmp_path)
    yield made
    made.close()
