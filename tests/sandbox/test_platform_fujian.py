"""The Fujian peer (FJ V4 UploadData_G_V4) over real HTTP on loopback.

Envelopes and tokens are built here by hand from the protocol (docs/platform-protocols.md §3a),
not with the
peer's helpers, so a misreading on the peer's side shows up as a failing test; zeep drives the
same peer from the WSDL it serves.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pytest
import zeep
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from lxml import etree

from sandbox.platforms import fujian
from sandbox.platforms.samples import (
    TENDER_PROJECT_CODE,
    sample_fields,
    sample_fields_with_extensions,
)
from tests.sandbox.platform_peers import SHANGHAI, ZEEP_SETTINGS, arm, records, served, stats

SYSTEM_NO = "0001"
SECRET = "fj-secret-1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NAMES = {"500": ("PROJECT", "项目"), "501": ("TENDER_PROJECT", "招标项目"),
         "502": ("SECTION", "标段(包)"), "507": ("TENDER_LIST", "投标人名单")}


def token(moment: datetime, system_no: str = SYSTEM_NO, secret: str = SECRET) -> str:
    """DES-CBC(key = IV = first 8 bytes of the secret, PKCS7) of SYSTEM_NO + dt14 + MD5 upper."""
    key = secret.encode()[:8]
    plain = (system_no + moment.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")
             + hashlib.md5(system_no.encode(), usedforsecurity=False).hexdigest().upper())
    padder = padding.PKCS7(64).padder()
    data = padder.update(plain.encode()) + padder.finalize()
    encryptor = Cipher(TripleDES(key * 3), modes.CBC(key)).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def validation(moment: datetime | None = None, **kwargs: str) -> str:
    sealed = token(moment or datetime.now(SHANGHAI), **kwargs)
    return f"<DATA><TOKEN>{sealed}</TOKEN><SYSTEM_NO>{SYSTEM_NO}</SYSTEM_NO></DATA>"


def data_key(data_set: str, suffix: str) -> str:
    return SYSTEM_NO + data_set.zfill(4) + suffix.ljust(14, "0")[:14]


def des(data_set: str, key: str, data_type: str = "1", fields: dict[str, str] | None = None,
        title_extra: str = "") -> str:
    name_en, name_zh = NAMES[data_set]
    title = (f"<DATA_NO>{data_set}</DATA_NO><DATA_EN>{name_en}</DATA_EN>"
             f"<DATA_CN>{name_zh}</DATA_CN><DATA_KEY>{key}</DATA_KEY>"
             f"<DATA_TYPE>{data_type}</DATA_TYPE><ROUTE_WAY>1</ROUTE_WAY>"
             f"<CA_KEY>CA0001</CA_KEY>{title_extra}")
    if data_type == "3":
        return f"<DES><TITLE>{title}</TITLE></DES>"
    context = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in (fields or {}).items())
    return f"<DES><TITLE>{title}</TITLE><CONTEXT>{context}</CONTEXT><SOURCE/></DES>"


def envelope(validation_text: str, data_text: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}">'
            '<soap:Body><UploadData_G_V4 xmlns="http://tempuri.org/">'
            f"<validation>{escape(validation_text)}</validation><data>{escape(data_text)}</data>"
            "</UploadData_G_V4></soap:Body></soap:Envelope>").encode()


def post(url: str, body: bytes, **kwargs: float) -> httpx.Response:
    return httpx.post(url + "/", content=body, timeout=kwargs.get("timeout", 10.0),
                      headers={"Content-Type": "text/xml; charset=utf-8",
                               "SOAPAction": '"http://tempuri.org/UploadData_G_V4"'})


def result(response: httpx.Response) -> dict[str, str]:
    """The JSON string in UploadData_G_V4Response/UploadData_G_V4Result."""
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    text = root.findtext(f"{{{SOAP_ENV}}}Body/{{http://tempuri.org/}}UploadData_G_V4Response/"
                         "{http://tempuri.org/}UploadData_G_V4Result")
    assert text is not None, response.text
    answer: dict[str, str] = json.loads(text)
    return answer


def upload(url: str, data_set: str, key: str, data_type: str = "1", **fields: str
           ) -> dict[str, str]:
    body = envelope(validation(), des(data_set, key, data_type, sample_fields(data_set, **fields)))
    return result(post(url, body))


def upload_chain(url: str) -> None:
    for data_set in ("500", "501", "502"):
        assert upload(url, data_set, data_key(data_set, "A")) == {"STATUS": "1"}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "fujian.db"


@pytest.fixture
def url(store: Path) -> Iterator[str]:
    with served(fujian.create_app(store, senders={SYSTEM_NO: SECRET},
                                  max_body_bytes=64 * 1024)) as base:
        yield base


def test_wsdl_names_the_asmx_service_and_the_called_address(url: str) -> None:
    response = httpx.get(url + "/?wsdl")
    assert response.status_code == 200
    wsdl = etree.fromstring(response.content)
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/", "s": "http://schemas.xmlsoap.org/wsdl/soap/"}
    assert wsdl.get("targetNamespace") == "http://tempuri.org/"
    port = wsdl.find("w:service[@name='DataService']/w:port", ns)
    assert port is not None and port.get("name") == "DataServiceSoap"
    assert port.find("s:address", ns).get("location") == url + "/"
    action = wsdl.find(".//w:binding/w:operation[@name='UploadData_G_V4']/s:operation", ns)
    assert action.get("soapAction") == "http://tempuri.org/UploadData_G_V4"
    # The result element is the ASMX one: UploadData_G_V4Result inside the Response wrapper.
    assert b'name="UploadData_G_V4Result"' in response.content


def test_accepts_records_in_order_and_refuses_a_duplicate_add(url: str) -> None:
    upload_chain(url)
    rows = records(url)
    assert [(r["data_set"], r["key"], r["operation"]) for r in rows] == [
        ("500", data_key("500", "A"), "add"), ("501", data_key("501", "A"), "add"),
        ("502", data_key("502", "A"), "add")]
    assert rows[1]["fields"]["TENDER_PROJECT_CODE"] == TENDER_PROJECT_CODE
    assert str(rows[0]["received_at"]).endswith("+08:00")

    again = upload(url, "501", data_key("501", "A"))
    assert again["STATUS"] == "-1" and "已存在" in again["MSG"]
    assert len(records(url)) == 3
    assert stats(url)["duplicates"] == 1


def test_same_tender_project_under_another_data_key_is_a_duplicate(url: str) -> None:
    upload_chain(url)
    again = upload(url, "501", data_key("501", "B"))
    assert again["STATUS"] == "-1" and "已存在" in again["MSG"]


def test_child_before_parent_is_refused_until_the_parent_arrives(url: str) -> None:
    assert upload(url, "500", data_key("500", "A")) == {"STATUS": "1"}
    early = upload(url, "502", data_key("502", "A"))
    assert early["STATUS"] == "-1"
    assert "招标项目数据未上报，请先上报" in early["MSG"] and TENDER_PROJECT_CODE in early["MSG"]
    assert upload(url, "501", data_key("501", "A")) == {"STATUS": "1"}
    assert upload(url, "502", data_key("502", "A")) == {"STATUS": "1"}
    # A bidder list names one section: that 502 must be held as well.
    other_section = TENDER_PROJECT_CODE + "009"
    orphan = upload(url, "507", data_key("507", "A"), BID_SECTION_CODE=other_section)
    assert orphan["STATUS"] == "-1" and "标段(包)数据未上报" in orphan["MSG"]
    assert upload(url, "507", data_key("507", "B")) == {"STATUS": "1"}
    assert stats(url)["refused_by_reason"] == {"parent_missing": 2}


def test_update_and_delete_need_a_held_key(url: str) -> None:
    upload_chain(url)
    unknown = data_key("501", "ZZ")
    for data_type, verb in (("2", "修改"), ("3", "删除")):
        answer = upload(url, "501", unknown, data_type)
        assert answer["STATUS"] == "-1" and "不存在" in answer["MSG"] and verb in answer["MSG"]
    known = data_key("501", "A")
    assert upload(url, "501", known, "2", TENDER_PROJECT_NAME="改名") == {"STATUS": "1"}
    assert upload(url, "501", known, "3") == {"STATUS": "1"}
    again = upload(url, "501", known, "3")
    assert "不存在" in again["MSG"]
    assert [r["operation"] for r in records(url)][-2:] == ["update", "delete"]


def test_update_may_not_change_the_tender_project_code(url: str) -> None:
    upload_chain(url)
    answer = upload(url, "501", data_key("501", "A"), "2",
                    TENDER_PROJECT_CODE="E3500000717000001999")
    assert answer["STATUS"] == "-1" and "TENDER_PROJECT_CODE" in answer["MSG"]


@pytest.mark.parametrize(("data_set", "fields", "expected"), [
    ("501", {"TENDER_PROJECT_CODE": "E35000007170000010"}, "字段TENDER_PROJECT_CODE长度应为20"),
    ("501", {"TENDER_PROJECT_NAME": ""}, "字段TENDER_PROJECT_NAME不能为空"),
    ("501", {"IS_TO_LAW": "Y"}, "字段IS_TO_LAW取值应为0/1"),
    ("501", {"CREATE_TIME": "20241301000000"}, "字段CREATE_TIME格式应为yyyyMMddHHmmss"),
    ("501", {"PLATFORM_CODE": "E3500000717"}, "字段PLATFORM_CODE长度应为18"),
    ("501", {"TRADE_PLAT": "E35000007"}, "字段TRADE_PLAT长度应为11"),
    ("502", {"PRICE_UNIT": "2"}, "字段PRICE_UNIT取值应为0/1"),
    ("500", {"RELATE_CODE": "1"}, "字段INVEST_PROJECT_CODE在RELATE_CODE=1时不能为空"),
])
def test_validation_names_the_field(url: str, data_set: str, fields: dict[str, str],
                                    expected: str) -> None:
    if data_set != "500":
        upload(url, "500", data_key("500", "A"))
        upload(url, "501", data_key("501", "A"))
    before = len(records(url))
    answer = upload(url, data_set, data_key(data_set, "V"), **fields)
    assert answer == {"STATUS": "-1", "MSG": expected}
    assert len(records(url)) == before


def test_title_rules(url: str) -> None:
    bad_key = envelope(validation(), des("500", "0002" + "0500" + "A" * 14, "1",
                                         sample_fields("500")))
    assert "DATA_KEY" in result(post(url, bad_key))["MSG"]
    no_route = des("500", data_key("500", "A"), "1", sample_fields("500")).replace(
        "<ROUTE_WAY>1</ROUTE_WAY>", "")
    assert result(post(url, envelope(validation(), no_route)))["MSG"] == "字段ROUTE_WAY不能为空"
    wrong_name = des("500", data_key("500", "A"), "1", sample_fields("500")).replace(
        "<DATA_EN>PROJECT</DATA_EN>", "<DATA_EN>TENDER_PROJECT</DATA_EN>")
    assert "DATA_EN" in result(post(url, envelope(validation(), wrong_name)))["MSG"]
    assert records(url) == []


@pytest.mark.parametrize(("validation_text", "hint"), [
    (lambda: validation(secret="wrong-secret"), "令牌"),
    (lambda: validation(system_no="0009"), "令牌"),   # token sealed for another system number
    (lambda: "<DATA><TOKEN>not-base64!</TOKEN><SYSTEM_NO>0001</SYSTEM_NO></DATA>", "令牌"),
    (lambda: "<DATA><TOKEN>x</TOKEN><SYSTEM_NO>9999</SYSTEM_NO></DATA>", "令牌"),
    (lambda: validation(datetime.now(SHANGHAI) - timedelta(hours=13)), "令牌已过期"),
    (lambda: validation(datetime.now(SHANGHAI) + timedelta(hours=13)), "令牌已过期"),
])
def test_bad_tokens_are_refused(url: str, validation_text: object, hint: str) -> None:
    assert callable(validation_text)
    body = envelope(validation_text(), des("500", data_key("500", "A"), "1",
                                           sample_fields("500")))
    answer = result(post(url, body))
    assert answer["STATUS"] == "-1" and hint in answer["MSG"]
    assert records(url) == []
    assert stats(url)["refused_by_reason"] == {"auth": 1}


def test_a_token_eleven_hours_old_is_still_good(url: str) -> None:
    body = envelope(validation(datetime.now(SHANGHAI) - timedelta(hours=11)),
                    des("500", data_key("500", "A"), "1", sample_fields("500")))
    assert result(post(url, body)) == {"STATUS": "1"}


def test_zeep_client_from_the_served_wsdl(url: str) -> None:
    client = zeep.Client(url + "/?wsdl", settings=ZEEP_SETTINGS)
    first = client.service.UploadData_G_V4(
        validation(), des("500", data_key("500", "Z"), "1", sample_fields("500")))
    assert json.loads(first) == {"STATUS": "1"}
    again = client.service.UploadData_G_V4(
        validation(), des("500", data_key("500", "Z"), "1", sample_fields("500")))
    assert "已存在" in json.loads(again)["MSG"]
    early = client.service.UploadData_G_V4(
        validation(), des("502", data_key("502", "Z"), "1", sample_fields("502")))
    assert "未上报" in json.loads(early)["MSG"]


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                  b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
                  b"<soap:Body><UploadData_G_V4 xmlns=\"http://tempuri.org/\">"
                  b"<validation>&lol2;</validation><data>&lol2;</data>"
                  b"</UploadData_G_V4></soap:Body></soap:Envelope>")


def test_doctype_in_the_envelope_is_refused_before_spyne(url: str) -> None:
    response = post(url, BILLION_LAUGHS)
    assert response.status_code == 400
    assert b"Fault" in response.content and b"DOCTYPE" in response.content
    # The same, hidden from a byte scan by UTF-16.
    utf16 = BILLION_LAUGHS.replace(b'<?xml version="1.0"?>',
                                   b'<?xml version="1.0" encoding="UTF-16"?>').decode()
    response = httpx.post(url + "/", content=utf16.encode("utf-16"), timeout=10,
                          headers={"Content-Type": "text/xml; charset=utf-16"})
    assert response.status_code == 400 and b"Fault" in response.content
    assert records(url) == []
    assert stats(url)["refused_by_reason"] == {"unsafe_xml": 2}


def test_doctype_inside_the_data_string_is_refused(url: str) -> None:
    data = ('<!DOCTYPE DES [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + des("500", data_key("500", "A"), "1", sample_fields("500", PROJECT_NAME="&x;")))
    answer = result(post(url, envelope(validation(), data)))
    assert answer["STATUS"] == "-1" and "DOCTYPE" in answer["MSG"]
    assert records(url) == []


def test_oversized_body_is_refused_with_413(url: str) -> None:
    huge = des("500", data_key("500", "A"), "1",
               sample_fields("500", PROJECT_SCALE="x" * 70_000))
    response = post(url, envelope(validation(), huge))
    assert response.status_code == 413 and b"Fault" in response.content
    assert records(url) == []


def test_not_a_soap_envelope_and_soap12_are_refused(url: str) -> None:
    assert post(url, b"<hello/>").status_code == 400
    soap12 = envelope(validation(), "<DES/>").replace(
        SOAP_ENV.encode(), b"http://www.w3.org/2003/05/soap-envelope")
    response = post(url, soap12)
    assert response.status_code == 500 and b"VersionMismatch" in response.content


def test_injected_faults(url: str) -> None:
    body = envelope(validation(), des("500", data_key("500", "A"), "1", sample_fields("500")))
    arm(url, mode="soap_fault", count=2)
    for _ in range(2):
        response = post(url, body)
        assert response.status_code == 500
        assert etree.fromstring(response.content).find(f".//{{{SOAP_ENV}}}Fault") is not None
    arm(url, mode="http_500")
    response = post(url, body)
    assert response.status_code == 500 and b"Envelope" not in response.content
    arm(url, mode="malformed")
    response = post(url, body)
    assert response.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content)
    arm(url, mode="refuse_parent")
    assert "未上报" in result(post(url, body))["MSG"]
    arm(url, mode="timeout", seconds=3)
    with pytest.raises(httpx.ReadTimeout):
        post(url, body, timeout=0.5)
    assert records(url) == []
    assert stats(url)["faults_injected"] == {"http_500": 1, "malformed": 1, "refuse_parent": 1,
                                             "soap_fault": 2, "timeout": 1}
    assert result(post(url, body)) == {"STATUS": "1"}   # the plans are spent


def test_slow_fault_stores_the_record_but_loses_the_answer(url: str) -> None:
    body = envelope(validation(), des("500", data_key("500", "A"), "1", sample_fields("500")))
    arm(url, mode="slow", seconds=2)
    with pytest.raises(httpx.ReadTimeout):
        post(url, body, timeout=0.5)
    assert len(records(url)) == 1
    assert "已存在" in result(post(url, body))["MSG"]


def test_control_api_refuses_bad_plans_and_resets(url: str) -> None:
    assert httpx.post(url + "/control/faults", json={"mode": "explode"}).status_code == 400
    assert httpx.post(url + "/control/faults",
                      json={"mode": "timeout", "count": 0}).status_code == 400
    upload_chain(url)
    arm(url, mode="soap_fault", count=5)
    assert httpx.post(url + "/control/reset").status_code == 200
    assert records(url) == [] and stats(url)["faults_armed"] == []
    assert upload(url, "500", data_key("500", "A")) == {"STATUS": "1"}


def test_records_survive_a_restart(store: Path) -> None:
    with served(fujian.create_app(store, senders={SYSTEM_NO: SECRET})) as url:
        upload_chain(url)
    with served(fujian.create_app(store, senders={SYSTEM_NO: SECRET})) as url:
        assert [r["data_set"] for r in records(url)] == ["500", "501", "502"]
        assert "已存在" in upload(url, "501", data_key("501", "A"))["MSG"]
        assert upload(url, "507", data_key("507", "A")) == {"STATUS": "1"}


def test_a_short_secret_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="8 bytes"):
        fujian.create_app(tmp_path / "x.db", senders={"0001": "short"})


def test_fujian_extensions_can_be_made_mandatory(tmp_path: Path) -> None:
    strict = fujian.create_app(tmp_path / "strict.db", senders={SYSTEM_NO: SECRET},
                               extensions_required=True)
    with served(strict) as url:
        plain = upload(url, "500", data_key("500", "A"))
        assert plain == {"STATUS": "-1", "MSG": "字段OPERATION_NAME不能为空"}
        body = envelope(validation(), des("500", data_key("500", "A"), "1",
                                          sample_fields_with_extensions("500")))
        assert result(post(url, body)) == {"STATUS": "1"}
