"""The encoding of a body is settled before it is parsed. When the HTTP charset, the byte order
mark and the XML declaration disagree, when the encoding is not one we read, or when the bytes
are not valid in it, the call is refused with its own Fault, changes nothing and is audited.
Before, a body in another encoding than its HTTP charset crashed spyne (a text/plain 500, no
audit entry), or was read by the two parsers as two different texts."""

from __future__ import annotations

import pytest

from adapters.webservice.encoding import document_encoding
from adapters.webservice.faults import WsFault
from adapters.webservice.xml_limits import XmlLimits, parse_bounded
from tests.webservice.conftest import PASSWORD, Live, post, refused, wsse

Q = "urn:ggzy-hub:ws:query:1"


def envelope(code: str, declaration: str = "", note: str = "") -> str:
    """GetProject with a header block holding ``note`` (ignored by the service)."""
    return (f'{declaration}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            f'<soap:Header>{wsse("ws-system", PASSWORD)}<n:Note xmlns:n="urn:note">{note}'
            f'</n:Note></soap:Header><soap:Body><q:GetProject xmlns:q="{Q}">'
            f"<q:ProjectCode>{code}</q:ProjectCode></q:GetProject></soap:Body></soap:Envelope>")


def xml_declaration(encoding: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>'


def charset(name: str) -> dict[str, str]:
    return {"Content-Type": f"text/xml; charset={name}"}


def test_latin1_bytes_in_a_body_said_to_be_utf8(live: Live) -> None:
    """The case that crashed spyne: the HTTP header says UTF-8, the bytes are not."""
    body = envelope(live.project_code, note="café").encode("latin-1")
    refused(live, body, "XML_ENCODING_INVALID", "ws.request:XML_ENCODING_INVALID",
            headers=charset("utf-8"))


def test_http_charset_and_declaration_disagree(live: Live) -> None:
    body = envelope(live.project_code, xml_declaration("GB18030"), "中文").encode("gb18030")
    error = refused(live, body, "XML_ENCODING_MISMATCH", "ws.request:XML_ENCODING_MISMATCH",
                    headers=charset("utf-8"))
    assert "gb18030" in error["MessageEn"] and "utf-8" in error["MessageEn"]


def test_byte_order_mark_and_declaration_disagree(live: Live) -> None:
    body = envelope(live.project_code, xml_declaration("UTF-8")).encode("utf-16")
    refused(live, body, "XML_ENCODING_MISMATCH", "ws.request:XML_ENCODING_MISMATCH",
            headers={"Content-Type": "text/xml"})


def test_utf16_body_said_to_be_utf8(live: Live) -> None:
    body = envelope(live.project_code, xml_declaration("UTF-16")).encode("utf-16")
    refused(live, body, "XML_ENCODING_MISMATCH", "ws.request:XML_ENCODING_MISMATCH",
            headers=charset("utf-8"))


@pytest.mark.parametrize("name", ["iso-8859-1", "utf-32", "x-no-such-encoding"])
def test_unsupported_encoding(live: Live, name: str) -> None:
    body = envelope(live.project_code).encode()
    refused(live, body, "XML_ENCODING_UNSUPPORTED", "ws.request:XML_ENCODING_UNSUPPORTED",
            headers=charset(name))


@pytest.mark.parametrize(("encoding", "headers"), [
    ("gb18030", charset("GB18030")),
    ("utf-16", charset("utf-16")),
    ("utf-8", {"Content-Type": "text/xml"}),
])
def test_agreeing_encodings_are_answered(live: Live, encoding: str,
                                         headers: dict[str, str]) -> None:
    body = envelope(live.project_code, xml_declaration(encoding.upper()), "中文").encode(encoding)
    response = post(live, body, headers=headers)
    assert response.status_code == 200, response.text
    assert live.project_code in response.text


def test_gbk_without_a_declaration_follows_the_http_charset() -> None:
    """Nothing in the document names its encoding: the HTTP charset is told to the parser, so
    the text is read as GBK and not as (invalid) UTF-8."""
    body = "<a>招标公告</a>".encode("gbk")
    encoding = document_encoding(body, "text/xml; charset=GBK")
    assert parse_bounded(body, XmlLimits(), encoding).text == "招标公告"


def test_an_unmarked_utf16_body_is_recognised() -> None:
    body = '<?xml version="1.0" encoding="UTF-16"?><a>标</a>'.encode("utf-16-le")
    assert document_encoding(body, "text/xml; charset=utf-16") is None  # lxml sees it itself
    assert parse_bounded(body, XmlLimits(), None).text == "标"


def test_gb_family_members_are_not_interchangeable() -> None:
    with pytest.raises(WsFault) as info:
        document_encoding(xml_declaration("GBK").encode(), "text/xml; charset=gb18030")
    assert info.value.code == "XML_ENCODING_MISMATCH"
