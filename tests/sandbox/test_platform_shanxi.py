"""The Shanxi peer (pspde receiveInfo) over real HTTP on loopback.

Raw envelopes are written here from docs/platform-protocols.md §3b; zeep drives the same
peer from its WSDL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest
import zeep
from lxml import etree

from sandbox.platforms import shanxi
from sandbox.platforms.app import PlatformApp
from sandbox.platforms.samples import TENDER_PROJECT_CODE, sample_fields
from tests.sandbox.platform_peers import SHANGHAI, ZEEP_SETTINGS, arm, records, served, stats

TNS = "http://server.webservice.pspde.sxca.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
USER = "1234567890"
KEY = "sx-key-1"
CREDIT = "91350100M000100Y43"
ROOTS = {"500": "GCJS_PROJECT", "501": "GCJS_TENDER_PROJECT", "502": "GCJS_SECTION",
         "503": "GCJS_NOTICE", "513": "GCJS_RESULT_NOTICE"}
_serial = iter(range(1, 1_000_000))


def xml_content(data_set: str, fields: dict[str, str], delete: bool = False) -> str:
    root = ROOTS[data_set]
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    flag = "<DELETE_FLAG>1</DELETE_FLAG>" if delete else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><{root}>{body}{flag}</{root}>'


def params(data_set: str, plat_id: str, version: str = "20240101090000", *,
           delete: bool = False, fields: dict[str, str] | None = None,
           override: dict[str, str] | None = None) -> dict[str, str]:
    now = datetime.now(SHANGHAI)
    p = {"USERID": USER, "KEY": KEY,
         "SERIALNUMBER": f"{USER}{now:%Y%m%d}{next(_serial):06d}",
         "DATASETCODE": ROOTS[data_set],
         "XMLCONTENT": xml_content(data_set, fields if fields is not None
                                   else sample_fields(data_set), delete),
         "REQUESTTIME": f"{now:%Y-%m-%d %H:%M:%S}", "VERSIONNUMBER": version,
         "PLATID": plat_id, "CREDITCODE": CREDIT}
    p.update(override or {})
    return p


def envelope(p: dict[str, str]) -> bytes:
    parts = "".join(f"<tns:{k}>{escape(v)}</tns:{k}>" for k, v in p.items())
    return (f'<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" '
            f'xmlns:tns="{TNS}"><soapenv:Body><tns:receiveInfo>{parts}</tns:receiveInfo>'
            "</soapenv:Body></soapenv:Envelope>").encode()


def post(url: str, body: bytes, timeout: float = 10.0) -> httpx.Response:
    return httpx.post(url + "/", content=body, timeout=timeout,
                      headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})


def result(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    answer = root.find(f"{{{SOAP_ENV}}}Body/{{{TNS}}}receiveInfoResponse/"
                       f"{{{TNS}}}receiveInfoReturn")
    assert answer is not None, response.text
    return {etree.QName(child).localname: child.text or "" for child in answer}


def receive(url: str, data_set: str, plat_id: str, version: str = "20240101090000",
            **kwargs: Any) -> dict[str, str]:
    return result(post(url, envelope(params(data_set, plat_id, version, **kwargs))))


def beijing(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "shanxi.db"


def make(store: Path, clock: Any = None) -> PlatformApp:
    kwargs = {"clock": clock} if clock else {}
    return shanxi.create_app(store, users={USER: KEY}, credit_codes={USER: CREDIT},
                             max_body_bytes=64 * 1024, **kwargs)


@pytest.fixture
def url(store: Path) -> Iterator[str]:
    with served(make(store)) as base:
        yield base


def chain(url: str) -> None:
    for data_set in ("500", "501", "502"):
        answer = receive(url, data_set, f"P{data_set}")
        assert (answer["errorCode"], answer["success"]) == ("0", "true"), answer


def test_wsdl(url: str) -> None:
    response = httpx.get(url + "/?wsdl")
    wsdl = etree.fromstring(response.content)
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/", "s": "http://schemas.xmlsoap.org/wsdl/soap/",
          "xs": "http://www.w3.org/2001/XMLSchema"}
    assert wsdl.get("targetNamespace") == TNS
    assert wsdl.find("w:service[@name='PspdeWSService']/w:port/s:address", ns).get(
        "location") == url + "/"
    names = [e.get("name") for e in wsdl.findall(
        ".//xs:complexType[@name='receiveInfo']//xs:element", ns)]
    assert names == ["USERID", "KEY", "SERIALNUMBER", "DATASETCODE", "XMLCONTENT",
                     "REQUESTTIME", "VERSIONNUMBER", "PLATID", "CREDITCODE"]
    result_fields = [e.get("name") for e in wsdl.findall(
        ".//xs:complexType[@name='result']//xs:element", ns)]
    assert result_fields == ["errorCode", "errorMessage", "receiveTime", "success"]


def test_accept_then_same_version_is_a_duplicate_with_the_original_time(store: Path) -> None:
    moments = iter([datetime(2024, 3, 1, 9, 0, 0, tzinfo=SHANGHAI),
                    datetime(2024, 3, 1, 10, 30, 0, tzinfo=SHANGHAI)])
    current = {"now": next(moments)}
    with served(make(store, clock=lambda: current["now"])) as url:
        first = receive(url, "500", "P500")
        assert first == {"errorCode": "0", "errorMessage": "接收成功",
                         "receiveTime": "2024-03-01 09:00:00", "success": "true"}
        current["now"] = next(moments)
        again = receive(url, "500", "P500")
        assert again["errorCode"] == "3002" and again["success"] == "false"
        assert again["receiveTime"] == "2024-03-01 09:00:00"
        older = receive(url, "500", "P500", "20231231000000")
        assert older["errorCode"] == "3002"
        assert len(records(url)) == 1 and stats(url)["duplicates"] == 2


def test_receive_time_is_beijing_now(url: str) -> None:
    before = datetime.now(SHANGHAI).replace(microsecond=0)
    answer = receive(url, "500", "P500")
    after = datetime.now(SHANGHAI)
    assert before <= beijing(answer["receiveTime"]) <= after


def test_newer_version_is_an_update_and_delete_flag_deletes(url: str) -> None:
    chain(url)
    newer = receive(url, "501", "P501", "20240102090000",
                    fields=sample_fields("501", TENDER_PROJECT_NAME="新名称"))
    assert newer["errorCode"] == "0"
    deleted = receive(url, "501", "P501", "20240103090000", delete=True)
    assert deleted["errorCode"] == "0"
    resent_delete = receive(url, "501", "P501", "20240103090000", delete=True)
    assert resent_delete["errorCode"] == "3002"
    unknown = receive(url, "501", "NOPE", "20240103090000", delete=True)
    assert unknown["errorCode"] == "2001" and "PLATID" in unknown["errorMessage"]
    ops = [(r["key"], r["operation"], r["version"]) for r in records(url)][-2:]
    assert ops == [("P501", "update", "20240102090000"), ("P501", "delete", "20240103090000")]
    assert records(url)[-2]["fields"]["TENDER_PROJECT_NAME"] == "新名称"


def test_child_before_parent(url: str) -> None:
    receive(url, "500", "P500")
    early = receive(url, "503", "P503")
    assert early["errorCode"] == "3001" and TENDER_PROJECT_CODE in early["errorMessage"]
    assert receive(url, "501", "P501")["errorCode"] == "0"
    assert receive(url, "503", "P503")["errorCode"] == "0"


def test_same_business_code_under_another_platid_is_a_duplicate(url: str) -> None:
    chain(url)
    assert receive(url, "501", "OTHER")["errorCode"] == "3002"


@pytest.mark.parametrize(("override", "code"), [
    ({"KEY": "wrong"}, "1001"),
    ({"USERID": "0987654321"}, "1001"),
    ({"CREDITCODE": "91350100M000100Y4A"}, "1002"),
])
def test_credentials(url: str, override: dict[str, str], code: str) -> None:
    answer = result(post(url, envelope(params("500", "P500", override=override))))
    assert answer["errorCode"] == code and answer["success"] == "false"
    assert records(url) == []
    assert stats(url)["refused_by_reason"] == {"auth": 1}


@pytest.mark.parametrize(("data_set", "override", "fields", "named"), [
    ("500", {"SERIALNUMBER": "123"}, None, "SERIALNUMBER"),
    ("500", {"REQUESTTIME": "20240101 09:00"}, None, "REQUESTTIME"),
    ("500", {"VERSIONNUMBER": "2024-01-01"}, None, "VERSIONNUMBER"),
    ("500", {"DATASETCODE": "GCJS_UNKNOWN"}, None, "DATASETCODE"),
    ("500", {"DATASETCODE": "GCJS_SECTION"}, None, "XMLCONTENT"),   # root differs
    ("500", {}, {"PROJECT_CODE": "E35"}, "PROJECT_CODE"),
    ("500", {}, {"CREATE_TIME": "2024"}, "CREATE_TIME"),
])
def test_invalid_input_names_the_field(url: str, data_set: str, override: dict[str, str],
                                       fields: dict[str, str] | None, named: str) -> None:
    record = sample_fields(data_set, **(fields or {}))
    p = params(data_set, "P500", fields=record, override=override)
    answer = result(post(url, envelope(p)))
    assert answer["errorCode"] == "2001" and named in answer["errorMessage"], answer
    assert records(url) == []


def test_zeep_client(url: str) -> None:
    client = zeep.Client(url + "/?wsdl", settings=ZEEP_SETTINGS)
    answer = client.service.receiveInfo(**params("500", "Z500"))
    assert (answer.errorCode, answer.success) == ("0", True)
    again = client.service.receiveInfo(**params("500", "Z500"))
    assert again.errorCode == "3002" and again.receiveTime == answer.receiveTime
    orphan = client.service.receiveInfo(**params("502", "Z502"))
    assert orphan.errorCode == "3001"


def test_doctype_and_size_limits(url: str) -> None:
    doctype = envelope(params("500", "P500")).replace(
        b"<?xml version=\"1.0\" encoding=\"utf-8\"?>",
        b'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE x [<!ENTITY e "boom">]>')
    response = post(url, doctype)
    assert response.status_code == 400 and b"Fault" in response.content
    inner = params("500", "P500")
    inner["XMLCONTENT"] = inner["XMLCONTENT"].replace(
        "<GCJS_PROJECT>", '<!DOCTYPE GCJS_PROJECT [<!ENTITY e "boom">]><GCJS_PROJECT>')
    answer = result(post(url, envelope(inner)))
    assert answer["errorCode"] == "2001" and "DOCTYPE" in answer["errorMessage"]
    big = params("500", "P500", fields=sample_fields("500", PROJECT_SCALE="x" * 70_000))
    assert post(url, envelope(big)).status_code == 413
    assert records(url) == []


def test_faults(url: str) -> None:
    body = envelope(params("500", "P500"))
    for mode, status in (("soap_fault", 500), ("http_500", 500), ("malformed", 200)):
        arm(url, mode=mode)
        assert post(url, body).status_code == status
    arm(url, mode="refuse_parent")
    assert result(post(url, body))["errorCode"] == "3001"
    arm(url, mode="timeout", seconds=3)
    with pytest.raises(httpx.ReadTimeout):
        post(url, body, timeout=0.5)
    assert records(url) == []
    assert result(post(url, body))["errorCode"] == "0"


def test_restart_keeps_records_and_original_receive_time(store: Path) -> None:
    with served(make(store)) as url:
        chain(url)
        original = records(url)[0]["received_at"]
    with served(make(store)) as url:
        assert len(records(url)) == 3
        again = receive(url, "500", "P500")
        assert again["errorCode"] == "3002"
        held = datetime.fromisoformat(original)
        assert beijing(again["receiveTime"]) == held
        assert receive(url, "503", "P503")["errorCode"] == "0"


def test_user_ids_must_have_ten_digits(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="10 digits"):
        shanxi.create_app(tmp_path / "x.db", users={"123": "k"}, credit_codes={})


def test_requests_from_yesterday_are_not_refused_for_their_time(url: str) -> None:
    # Shanxi has no freshness rule on REQUESTTIME (research §7b): only its format is checked.
    yesterday = datetime.now(SHANGHAI) - timedelta(days=1)
    p = params("500", "P500", override={"REQUESTTIME": f"{yesterday:%Y-%m-%d %H:%M:%S}"})
    assert result(post(url, envelope(p)))["errorCode"] == "0"
