"""Hostile and broken requests, sent as raw bytes over loopback HTTP: each is answered with a
SOAP Fault carrying its stable code, changes nothing, and leaves exactly one audit entry."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.webservice.conftest import (
    PASSWORD,
    Live,
    post,
    raw_fault,
    refused,
    soap11,
    watch,
    wsse,
)

GET_PROJECT = ('<q:GetProject xmlns:q="urn:ggzy-hub:ws:query:1">'
               '<q:ProjectCode>{}</q:ProjectCode></q:GetProject>')
TEXT_XML = {"Content-Type": "text/xml; charset=utf-8"}
ANON = "anonymous"
SYSTEM = "system_client:ws-system"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<q:GetProject xmlns:q="urn:ggzy-hub:ws:query:1"><q:ProjectCode>&lol9;</q:ProjectCode>
</q:GetProject></soap:Body></soap:Envelope>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
<q:GetProject xmlns:q="urn:ggzy-hub:ws:query:1"><q:ProjectCode>&secret;</q:ProjectCode>
</q:GetProject></soap:Body></soap:Envelope>"""


def credentials(username: str = "ws-system", password: str = PASSWORD) -> str:
    return wsse(username, password)


def test_malformed_xml(live: Live) -> None:
    body = soap11(GET_PROJECT.format(live.project_code), credentials())[:-20]
    error = refused(live, body, "MALFORMED_XML", "ws.request:MALFORMED_XML")
    assert error["Side"] == "Client"


def test_billion_laughs_is_refused_before_parsing(live: Live) -> None:
    refused(live, BILLION_LAUGHS.encode(), "DOCTYPE_FORBIDDEN", "ws.request:DOCTYPE_FORBIDDEN")


def test_external_entity_is_refused(live: Live) -> None:
    error = refused(live, EXTERNAL_ENTITY.encode(), "DOCTYPE_FORBIDDEN",
                    "ws.request:DOCTYPE_FORBIDDEN")
    assert "root:" not in str(error)


def test_doctype_hidden_in_utf16_is_refused_after_parsing(live: Live) -> None:
    """The byte scan cannot see a UTF-16 DOCTYPE; the parsed document's own record can."""
    text = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'
            + soap11(GET_PROJECT.format("&a;"), credentials()).decode().split("?>", 1)[1])
    body = text.encode("utf-16")
    assert b"<!DOCTYPE" not in body
    refused(live, body, "DOCTYPE_FORBIDDEN", "ws.request:DOCTYPE_FORBIDDEN",
            headers={"Content-Type": "text/xml; charset=utf-16"})


def test_oversized_body_by_its_declared_length(live: Live) -> None:
    limit = live.container.settings.max_body_bytes
    padding = "x" * (limit + 1)
    body = soap11(GET_PROJECT.format(padding), credentials())
    refused(live, body, "BODY_TOO_LARGE", "ws.request:BODY_TOO_LARGE", status=413)


def test_oversized_body_streamed_without_a_length(live: Live) -> None:
    """Chunked, so no Content-Length to refuse it by: cut off once the limit is passed."""
    limit = live.container.settings.max_body_bytes

    def chunks() -> Iterator[bytes]:
        yield soap11("")[:-30]
        for _ in range(limit // 4096 + 2):
            yield b" " * 4096

    w = watch(live)
    response = httpx.post(live.url("soap11", "query"), content=chunks(), headers=TEXT_XML,
                          timeout=30)
    assert response.status_code == 413
    assert raw_fault(response)["Code"] == "BODY_TOO_LARGE"
    w.only_audited("ws.request:BODY_TOO_LARGE", ANON)


def test_not_a_soap_envelope(live: Live) -> None:
    refused(live, b"<hello>world</hello>", "NOT_SOAP_ENVELOPE", "ws.request:NOT_SOAP_ENVELOPE")


def test_soap12_envelope_at_the_soap11_endpoint(live: Live) -> None:
    """SOAP 1.1 §4.4.1: an envelope of another namespace is a VersionMismatch."""
    body = (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/>'
            b'</e:Envelope>')
    error = refused(live, body, "VERSION_MISMATCH", "ws.request:VERSION_MISMATCH")
    assert error["Side"] == "VersionMismatch"


@pytest.mark.parametrize(("header", "code"), [
    ("", "NOT_AUTHENTICATED"),
    (wsse("ws-system", "wrong password"), "INVALID_CREDENTIALS"),
    (wsse("nobody-here", PASSWORD), "INVALID_CREDENTIALS"),
    (wsse("ws-system", PASSWORD, "PasswordHash"), "PASSWORD_TYPE_UNSUPPORTED"),
    (wsse("ws-system", PASSWORD, "PasswordDigest"), "SECURITY_HEADER_INVALID"),  # no Nonce
    (wsse("ws-system", PASSWORD) * 2, "SECURITY_HEADER_INVALID"),
])
def test_wrong_or_missing_credentials(live: Live, header: str, code: str) -> None:
    body = soap11(GET_PROJECT.format(live.project_code), header)
    error = refused(live, body, code, f"ws.GetProject:{code}")
    assert error["Side"] == "Client"


def test_wrong_bearer_token(live: Live) -> None:
    body = soap11(GET_PROJECT.format(live.project_code))
    refused(live, body, "TOKEN_INVALID", "ws.GetProject:TOKEN_INVALID",
            headers={"Authorization": "Bearer not-a-token"})


def test_bearer_token_over_raw_http(live: Live) -> None:
    body = soap11(GET_PROJECT.format(live.project_code))
    response = post(live, body, headers={"Authorization": f"Bearer {live.bearer}"})
    assert response.status_code == 200
    assert live.project_code in response.text


def test_unknown_operation(live: Live) -> None:
    body = soap11('<q:DropTables xmlns:q="urn:ggzy-hub:ws:query:1"/>', credentials())
    refused(live, body, "UNKNOWN_OPERATION", "ws.DropTables:UNKNOWN_OPERATION", actor=SYSTEM)


def test_request_that_does_not_match_the_wsdl(live: Live) -> None:
    body = soap11(GET_PROJECT.format("E35"), credentials())  # a project code has 17 characters
    refused(live, body, "INVALID_REQUEST", "ws.GetProject:INVALID_REQUEST", actor=SYSTEM)


def test_soap12_faults_are_sender_faults_with_http_400(live: Live) -> None:
    body = (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
            + GET_PROJECT.format(live.project_code).encode() + b"</e:Body></e:Envelope>")
    error = refused(live, body, "NOT_AUTHENTICATED", "ws.GetProject:NOT_AUTHENTICATED",
                    status=400, soap="soap12")
    assert error["Side"] == "Client"
    w = watch(live)
    response = post(live, b"<e:Envelope", soap="soap12")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/soap+xml")
    assert raw_fault(response)["Code"] == "MALFORMED_XML"
    w.only_audited("ws.request:MALFORMED_XML", ANON)


def test_the_audit_chain_still_verifies(live: Live) -> None:
    from adapters.audit_checkpoints import verify_anchored

    post(live, b"<not xml")
    assert verify_anchored(live.container).ok


def test_only_post_calls(live: Live) -> None:
    w = watch(live)
    response = httpx.get(live.url("soap11", "query"), timeout=30)
    assert response.status_code == 405
    assert raw_fault(response)["Code"] == "METHOD_NOT_ALLOWED"
    w.only_audited("ws.request:METHOD_NOT_ALLOWED", ANON)


@pytest.mark.parametrize("page", ["100001", "2147483648", "99999999999999999999", "9" * 5000])
def test_a_page_past_its_bound(live: Live, page: str) -> None:
    """Page × Size is the query's OFFSET: past the bound it overflowed the database and the
    caller got a Server fault; the WSDL bounds it now (a Client fault)."""
    body = soap11(f'<q:ListProjects xmlns:q="urn:ggzy-hub:ws:query:1"><q:Page>{page}</q:Page>'
                  "<q:Size>100</q:Size></q:ListProjects>", credentials())
    error = refused(live, body, "INVALID_REQUEST", "ws.ListProjects:INVALID_REQUEST",
                    actor=SYSTEM)
    assert error["Side"] == "Client"


def test_the_last_page_allowed_is_answered(live: Live) -> None:
    body = soap11('<q:ListProjects xmlns:q="urn:ggzy-hub:ws:query:1"><q:Page>100000</q:Page>'
                  "<q:Size>100</q:Size></q:ListProjects>", credentials())
    response = post(live, body)
    assert response.status_code == 200, response.text
    assert "<tns:Page>100000</tns:Page>" in response.text


def test_a_notice_id_past_the_column(live: Live) -> None:
    body = soap11('<q:GetNotice xmlns:q="urn:ggzy-hub:ws:query:1"><q:NoticeId>2147483648'
                  "</q:NoticeId></q:GetNotice>", credentials())
    refused(live, body, "INVALID_REQUEST", "ws.GetNotice:INVALID_REQUEST", actor=SYSTEM)
