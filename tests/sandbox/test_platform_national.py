"""The national peer (SubmitRecord, SOAP 1.1 and 1.2, WS-Security UsernameToken) over loopback.

Raw envelopes are written here from docs/platform-protocols.md §3c; zeep (with its
UsernameToken) drives the
same peer from the WSDL it serves, through both ports. One test runs the peer as its own process
with ``python -m sandbox.platforms``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest
import zeep
from lxml import etree
from zeep.wsse.username import UsernameToken

from sandbox.platforms import national
from sandbox.platforms.app import PlatformApp
from sandbox.platforms.samples import TENDER_PROJECT_CODE, sample_fields
from sandbox.recorder import free_port
from tests.sandbox.platform_peers import SHANGHAI, ZEEP_SETTINGS, arm, records, served, stats

ROOT = Path(__file__).resolve().parents[2]
TNS = "urn:ggzy-hub:national-exchange:1"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = ("http://docs.oasis-open.org/wss/2004/01/"
                 "oasis-200401-wss-username-token-profile-1.0#PasswordText")
PLATFORM = "E3500000717"
SECRET = "national-secret"
NAMES = {"500": "PROJECT", "501": "TENDER_PROJECT", "502": "SECTION", "503":
         "TENDER_ANN_QUA_INQUERY_ANN", "510": "TENDER_CANDIDATE"}


def record(data_set: str, fields: dict[str, str] | None = None, name: str | None = None) -> str:
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in (fields or {}).items())
    return f'<RECORD DATASET="{data_set}" NAME="{name or NAMES[data_set]}">{inner}</RECORD>'


def security(username: str = PLATFORM, password: str = SECRET,
             kind: str = PASSWORD_TEXT) -> str:
    return (f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
            f"<wsse:Username>{escape(username)}</wsse:Username>"
            f'<wsse:Password Type="{kind}">{escape(password)}</wsse:Password>'
            "</wsse:UsernameToken></wsse:Security>")


def envelope(data_set: str, key: str, operation: str = "add", version: str = "20240101090000",
             *, fields: dict[str, str] | None = None, soap: str = "1.1",
             header: str | None = None, platform: str = PLATFORM,
             record_text: str | None = None) -> bytes:
    if record_text is None:
        body_fields = {} if operation == "delete" else (
            fields if fields is not None else sample_fields(data_set))
        record_text = record(data_set, body_fields)
    params = {"PLATFORM_CODE": platform, "DATASET_CODE": data_set,
              "DATA_KEY": f"{data_set}:{key}", "OPERATION": operation, "VERSION": version,
              "RECORD": record_text}
    parts = "".join(f"<n:{k}>{escape(v)}</n:{k}>" for k, v in params.items())
    env = SOAP12 if soap == "1.2" else SOAP11
    head = security() if header is None else header
    return (f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{env}" '
            f'xmlns:n="{TNS}"><s:Header>{head}</s:Header><s:Body><n:SubmitRecord>{parts}'
            "</n:SubmitRecord></s:Body></s:Envelope>").encode()


def post(url: str, body: bytes, soap: str = "1.1", timeout: float = 10.0) -> httpx.Response:
    content_type = ('application/soap+xml; charset=utf-8; action="SubmitRecord"'
                    if soap == "1.2" else "text/xml; charset=utf-8")
    return httpx.post(url + "/", content=body, timeout=timeout,
                      headers={"Content-Type": content_type})


def result(response: httpx.Response, soap: str = "1.1") -> dict[str, str]:
    assert response.status_code == 200, response.text
    env = SOAP12 if soap == "1.2" else SOAP11
    answer = etree.fromstring(response.content).find(
        f"{{{env}}}Body/{{{TNS}}}SubmitRecordResponse/{{{TNS}}}SubmitResult")
    assert answer is not None, response.text
    return {etree.QName(child).localname: child.text or "" for child in answer}


def submit(url: str, data_set: str, key: str, operation: str = "add", **kwargs: Any
           ) -> dict[str, str]:
    soap = kwargs.get("soap", "1.1")
    return result(post(url, envelope(data_set, key, operation, **kwargs), soap), soap)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "national.db"


def make(store: Path) -> PlatformApp:
    return national.create_app(store, platforms={PLATFORM: SECRET, "E3500000999": "other"},
                               max_body_bytes=64 * 1024)


@pytest.fixture
def url(store: Path) -> Iterator[str]:
    with served(make(store)) as base:
        yield base


def test_wsdl_has_a_soap11_and_a_soap12_port_on_the_called_address(url: str) -> None:
    wsdl = etree.fromstring(httpx.get(url + "/?wsdl").content)
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/", "s11": "http://schemas.xmlsoap.org/wsdl/soap/",
          "s12": "http://schemas.xmlsoap.org/wsdl/soap12/"}
    service = wsdl.find("w:service[@name='NationalExchange']", ns)
    assert service.find("w:port[@name='NationalExchangeSoap']/s11:address", ns).get(
        "location") == url + "/"
    assert service.find("w:port[@name='NationalExchangeSoap12']/s12:address", ns).get(
        "location") == url + "/"
    assert wsdl.find("w:binding[@name='NationalExchangeSoap12']/s12:binding", ns) is not None


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_accept_duplicate_and_parent_rule(url: str, soap: str) -> None:
    early = submit(url, "501", TENDER_PROJECT_CODE, soap=soap)
    assert early["CODE"] == "E300" and "500" in early["MESSAGE"]
    first = submit(url, "500", "P", soap=soap)
    assert first["CODE"] == "0000"
    assert datetime.strptime(first["RECEIVED_AT"], "%Y%m%d%H%M%S")  # dt14
    assert submit(url, "501", TENDER_PROJECT_CODE, soap=soap)["CODE"] == "0000"
    again = submit(url, "500", "P", soap=soap)
    assert again["CODE"] == "E301" and again["RECEIVED_AT"] == first["RECEIVED_AT"]
    rows = records(url)
    assert [(r["data_set"], r["key"]) for r in rows] == [("500", "500:P"),
                                                         ("501", f"501:{TENDER_PROJECT_CODE}")]
    assert rows[0]["sender"] == PLATFORM and rows[0]["version"] == "20240101090000"
    assert stats(url)["refused_by_reason"] == {"duplicate": 1, "parent_missing": 1}


def test_soap12_answers_in_soap12(url: str) -> None:
    response = post(url, envelope("500", "P", soap="1.2"), "1.2")
    assert response.headers["content-type"].startswith("application/soap+xml")
    assert etree.fromstring(response.content).tag == f"{{{SOAP12}}}Envelope"


def test_update_and_delete(url: str) -> None:
    assert submit(url, "500", "P")["CODE"] == "0000"
    assert submit(url, "500", "NOPE", "update")["CODE"] == "E404"
    assert submit(url, "500", "NOPE", "delete")["CODE"] == "E404"
    changed = sample_fields("500", PROJECT_NAME="新项目名称")
    assert submit(url, "500", "P", "update", fields=changed,
                  version="20240102090000")["CODE"] == "0000"
    assert submit(url, "500", "P", "delete", version="20240103090000")["CODE"] == "0000"
    assert submit(url, "500", "P", "delete")["CODE"] == "E404"
    assert [r["operation"] for r in records(url)] == ["add", "update", "delete"]


@pytest.mark.parametrize(("header", "platform"), [
    (security(password="wrong"), PLATFORM),
    (security(username="E3500000000"), PLATFORM),
    (security(), "E3500000999"),                              # Username != PLATFORM_CODE
    (security(kind=PASSWORD_TEXT.replace("PasswordText", "PasswordDigest")), PLATFORM),
    ("", PLATFORM),                                           # no Security header
])
def test_authentication(url: str, header: str, platform: str) -> None:
    answer = submit(url, "500", "P", header=header, platform=platform)
    assert answer["CODE"] == "E100"
    assert records(url) == []


def test_another_platform_cannot_change_a_record(url: str) -> None:
    assert submit(url, "500", "P")["CODE"] == "0000"
    other = submit(url, "500", "P", "update", header=security("E3500000999", "other"),
                   platform="E3500000999")
    assert other["CODE"] == "E100" and "another platform" in other["MESSAGE"]


@pytest.mark.parametrize(("kwargs", "named"), [
    ({"fields": sample_fields("500", PROJECT_CODE="E350")}, "PROJECT_CODE: length must be 17"),
    ({"fields": {k: v for k, v in sample_fields("500").items() if k != "CREATE_TIME"}},
     "CREATE_TIME: mandatory"),
    ({"fields": sample_fields("500", PUB_SERVICE_PLAT="e35")}, "PUB_SERVICE_PLAT"),
    ({"version": "2024"}, "VERSION"),
    ({"record_text": record("500", sample_fields("500"), name="TENDER_PROJECT")}, "RECORD"),
    ({"record_text": "<RECORD DATASET='500' NAME='PROJECT'><A><B/></A></RECORD>"}, "RECORD"),
    ({"record_text": "not xml"}, "RECORD"),
    ({"platform": "e3500000717"}, "E100"),
])
def test_invalid_records_name_the_field(url: str, kwargs: dict[str, Any], named: str) -> None:
    answer = submit(url, "500", "P", **kwargs)
    if named == "E100":
        assert answer["CODE"] == "E100"
    else:
        assert answer["CODE"] == "E200" and named in answer["MESSAGE"], answer
    assert records(url) == []


def test_operation_and_data_key_shape(url: str) -> None:
    body = envelope("500", "P").replace(b"<n:OPERATION>add", b"<n:OPERATION>insert")
    assert "OPERATION" in result(post(url, body))["MESSAGE"]
    body = envelope("500", "P").replace(b"<n:DATA_KEY>500:P", b"<n:DATA_KEY>501:P")
    assert "DATA_KEY" in result(post(url, body))["MESSAGE"]


@pytest.mark.parametrize("port", ["NationalExchangeSoap", "NationalExchangeSoap12"])
def test_zeep_through_both_ports(url: str, port: str) -> None:
    client = zeep.Client(url + "/?wsdl", settings=ZEEP_SETTINGS,
                         wsse=UsernameToken(PLATFORM, SECRET))
    service = client.bind("NationalExchange", port)

    def send(data_set: str, key: str) -> Any:
        return service.SubmitRecord(PLATFORM, data_set, f"{data_set}:{key}", "add",
                                    "20240101090000", record(data_set, sample_fields(data_set)))

    assert send("500", "Z").CODE == "0000"
    assert send("500", "Z").CODE == "E301"
    assert send("502", "Z").CODE == "E300"
    wrong = zeep.Client(url + "/?wsdl", settings=ZEEP_SETTINGS,
                        wsse=UsernameToken(PLATFORM, "nope")).bind("NationalExchange", port)
    assert wrong.SubmitRecord(PLATFORM, "500", "500:Y", "add", "20240101090000",
                              record("500", sample_fields("500"))).CODE == "E100"


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_doctype_refused_in_either_soap_version(url: str, soap: str) -> None:
    body = envelope("500", "P", soap=soap).replace(
        b'<?xml version="1.0" encoding="utf-8"?>',
        b'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE s:Envelope [<!ENTITY a "aaaa">]>')
    response = post(url, body, soap)
    assert response.status_code == 400
    fault_env = SOAP12 if soap == "1.2" else SOAP11
    assert etree.fromstring(response.content).find(f".//{{{fault_env}}}Fault") is not None
    inner = record("500", sample_fields("500"))
    answer = submit(url, "500", "P", record_text='<!DOCTYPE RECORD [<!ENTITY a "b">]>' + inner,
                    soap=soap)
    assert answer["CODE"] == "E200" and "DOCTYPE" in answer["MESSAGE"]
    big = sample_fields("500", PROJECT_SCALE="x" * 70_000)
    assert post(url, envelope("500", "P", fields=big, soap=soap), soap).status_code == 413
    assert records(url) == []


def test_faults_in_soap12(url: str) -> None:
    arm(url, mode="soap_fault")
    response = post(url, envelope("500", "P", soap="1.2"), "1.2")
    assert response.status_code == 500
    code = etree.fromstring(response.content).findtext(
        f".//{{{SOAP12}}}Code/{{{SOAP12}}}Value")
    assert code is not None and code.endswith("Receiver")
    arm(url, mode="refuse_parent")
    assert submit(url, "500", "P", soap="1.2")["CODE"] == "E300"
    arm(url, mode="timeout", seconds=3)
    with pytest.raises(httpx.ReadTimeout):
        post(url, envelope("500", "P"), timeout=0.5)
    assert records(url) == []
    assert submit(url, "500", "P")["CODE"] == "0000"


def test_restart(store: Path) -> None:
    with served(make(store)) as url:
        assert submit(url, "500", "P")["CODE"] == "0000"
    with served(make(store)) as url:
        assert submit(url, "500", "P")["CODE"] == "E301"
        assert submit(url, "501", TENDER_PROJECT_CODE)["CODE"] == "0000"
        assert len(records(url)) == 2


def test_runs_as_its_own_process(tmp_path: Path) -> None:
    credentials = tmp_path / "national.json"
    credentials.write_text(json.dumps({"platforms": {PLATFORM: SECRET}}), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "sandbox.platforms", "national", "--port", str(port),
               "--store", str(tmp_path / "n.db"), "--credentials-file", str(credentials)]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/stats", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the peer did not come up"
            time.sleep(0.1)
        assert submit(url, "500", "P")["CODE"] == "0000"
    finally:
        process.terminate()
        assert process.wait(10) == 0
    assert process.stdout is not None
    assert b"national peer on" in process.stdout.read()


def test_beijing_received_at(url: str) -> None:
    answer = submit(url, "500", "P")
    stamp = datetime.strptime(answer["RECEIVED_AT"], "%Y%m%d%H%M%S").replace(tzinfo=SHANGHAI)
    assert abs((datetime.now(SHANGHAI) - stamp).total_seconds()) < 60


def test_concurrent_adds_of_one_key_accept_exactly_one(url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: submit(url, "500", "P")["CODE"], range(8)))
    assert sorted(codes) == ["0000"] + ["E301"] * 7
    assert len(records(url)) == 1
