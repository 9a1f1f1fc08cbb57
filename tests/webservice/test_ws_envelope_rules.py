"""The SOAP rules for the envelope itself, over raw HTTP at both versions: a wrong version is a
VersionMismatch (with the Upgrade header), a mandatory header we do not understand is a
MustUnderstand fault, and a Body must hold exactly one operation. Each refusal changes nothing
and is audited. Before, an empty Body gave a text/plain 500 without an audit entry, a second
operation was silently dropped and a mandatory header silently ignored."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.webservice.conftest import (
    PASSWORD,
    SOAP11_ENV,
    SOAP12_ENV,
    Live,
    post,
    raw_fault,
    refused,
    soap11,
    soap12,
    watch,
    wsse,
)

Q = "urn:ggzy-hub:ws:query:1"
SYSTEM = "system_client:ws-system"
ANON = "anonymous"
STATUS = {"soap11": 500, "soap12": 400}  # a sender's fault
BUILD = {"soap11": soap11, "soap12": soap12}
NS = {"soap11": SOAP11_ENV, "soap12": SOAP12_ENV}


def get_project(code: str) -> str:
    return f'<q:GetProject xmlns:q="{Q}"><q:ProjectCode>{code}</q:ProjectCode></q:GetProject>'


def credentials() -> str:
    return wsse("ws-system", PASSWORD)


def header_block(soap: str, must_understand: str | None, role: str | None = None,
                 name: str = "Routing") -> str:
    attributes = ""
    if must_understand is not None:
        attributes += f' soap:mustUnderstand="{must_understand}"'
    if role is not None:
        attributes += f' soap:{"role" if soap == "soap12" else "actor"}="{role}"'
    return f'<h:{name} xmlns:h="urn:partner:routing"{attributes}>x</h:{name}>'


def parsed(content: bytes) -> etree._Element:
    return etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))


# -- Body ------------------------------------------------------------------------------------

@pytest.mark.parametrize("soap", ["soap11", "soap12"])
@pytest.mark.parametrize("inside", ["", "   ", "<!-- no operation -->"])
def test_empty_body(live: Live, soap: str, inside: str) -> None:
    body = BUILD[soap](inside, credentials())
    error = refused(live, body, "SOAP_BODY_EMPTY", "ws.request:SOAP_BODY_EMPTY",
                    status=STATUS[soap], soap=soap)
    assert error["Side"] == "Client"


def test_self_closed_body(live: Live) -> None:
    body = (f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"><soap:Header>{credentials()}'
            "</soap:Header><soap:Body/></soap:Envelope>").encode()
    refused(live, body, "SOAP_BODY_EMPTY", "ws.request:SOAP_BODY_EMPTY")


@pytest.mark.parametrize("soap", ["soap11", "soap12"])
def test_two_operations(live: Live, soap: str) -> None:
    body = BUILD[soap](get_project(live.project_code) * 2, credentials())
    refused(live, body, "SOAP_BODY_MULTIPLE_OPERATIONS",
            "ws.GetProject:SOAP_BODY_MULTIPLE_OPERATIONS", status=STATUS[soap], soap=soap)


def test_a_fault_is_not_an_operation(live: Live) -> None:
    fault = ('<soap:Fault><faultcode>soap:Client</faultcode><faultstring>x</faultstring>'
             "</soap:Fault>")
    refused(live, soap11(fault, credentials()), "UNKNOWN_OPERATION",
            "ws.Fault:UNKNOWN_OPERATION")


@pytest.mark.parametrize("envelope", [
    f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"><soap:Header/></soap:Envelope>',
    f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"><soap:Body/><soap:Header/></soap:Envelope>',
    f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"><soap:Body/><soap:Body/></soap:Envelope>',
    f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"><soap:Body/><x:After xmlns:x="urn:x"/>'
    "</soap:Envelope>",
    f'<soap:Envelope xmlns:soap="{SOAP11_ENV}">text<soap:Body/></soap:Envelope>',
])
def test_envelope_structure(live: Live, envelope: str) -> None:
    refused(live, envelope.encode(), "SOAP_ENVELOPE_INVALID", "ws.request:SOAP_ENVELOPE_INVALID")


# -- mustUnderstand --------------------------------------------------------------------------

@pytest.mark.parametrize(("soap", "value"), [
    ("soap11", "1"), ("soap11", "true"), ("soap12", "true"), ("soap12", "1")])
def test_a_mandatory_header_we_do_not_understand(live: Live, soap: str, value: str) -> None:
    w = watch(live)
    body = BUILD[soap](get_project(live.project_code), credentials() + header_block(soap, value))
    response = post(live, body, soap=soap)
    assert response.status_code == 500  # SOAP 1.2 part 2, 7.5.1.2: MustUnderstand is a 500
    error = raw_fault(response)
    assert (error["Code"], error["Side"]) == ("MUST_UNDERSTAND", "MustUnderstand")
    assert "{urn:partner:routing}Routing" in error["MessageEn"]
    w.only_audited("ws.GetProject:MUST_UNDERSTAND", ANON)
    if soap == "soap12":  # part 1, 5.4.8: one NotUnderstood header per header block
        root = parsed(response.content)
        marks = root.findall(f"{{{SOAP12_ENV}}}Header/{{{SOAP12_ENV}}}NotUnderstood")
        assert len(marks) == 1
        prefix, _, local = marks[0].get("qname").partition(":")
        assert (marks[0].nsmap[prefix], local) == ("urn:partner:routing", "Routing")


@pytest.mark.parametrize(("soap", "value", "role"), [
    ("soap11", "0", None), ("soap12", "false", None), (  # not mandatory
        "soap11", "1", "urn:another:actor"), (  # meant for another node
        "soap12", "true", f"{SOAP12_ENV}/role/none"), ("soap12", "true", "urn:another:role")])
def test_headers_not_ours_to_understand_are_ignored(live: Live, soap: str, value: str,
                                                    role: str | None) -> None:
    body = BUILD[soap](get_project(live.project_code),
                       credentials() + header_block(soap, value, role))
    response = post(live, body, soap=soap)
    assert response.status_code == 200, response.text
    assert live.project_code in response.text


@pytest.mark.parametrize("role", [None, f"{SOAP12_ENV}/role/next",
                                  f"{SOAP12_ENV}/role/ultimateReceiver"])
def test_roles_we_play_must_be_understood(live: Live, role: str | None) -> None:
    body = soap12(get_project(live.project_code), credentials() + header_block("soap12", "1",
                                                                                  role))
    response = post(live, body, soap="soap12")
    assert raw_fault(response)["Code"] == "MUST_UNDERSTAND"


@pytest.mark.parametrize("soap", ["soap11", "soap12"])
def test_a_mandatory_security_header_is_understood(live: Live, soap: str) -> None:
    security = credentials().replace(
        "<wsse:Security ", '<wsse:Security soap:mustUnderstand="1" ')
    response = post(live, BUILD[soap](get_project(live.project_code), security), soap=soap)
    assert response.status_code == 200, response.text


def test_a_mustunderstand_that_is_not_a_boolean(live: Live) -> None:
    body = soap11(get_project(live.project_code), credentials() + header_block("soap11", "yes"))
    refused(live, body, "SOAP_HEADER_INVALID", "ws.GetProject:SOAP_HEADER_INVALID")


# -- versions --------------------------------------------------------------------------------

def _upgrade(root: etree._Element) -> list[str]:
    """The envelopes an Upgrade header names, as Clark names."""
    names = []
    for header in root:
        for supported in header.iter(f"{{{SOAP12_ENV}}}SupportedEnvelope"):
            prefix, _, local = supported.get("qname").partition(":")
            names.append(f"{{{supported.nsmap[prefix]}}}{local}")
    return names


def test_soap11_envelope_at_the_soap12_endpoint(live: Live) -> None:
    """SOAP 1.2 part 1, appendix A: a SOAP 1.1 message gets a SOAP 1.1 VersionMismatch fault
    that names the SOAP 1.2 envelope in an Upgrade header."""
    w = watch(live)
    response = post(live, soap11(get_project(live.project_code), credentials()), soap="soap12")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/xml")
    root = parsed(response.content)
    assert root.tag == f"{{{SOAP11_ENV}}}Envelope"
    assert _upgrade(root) == [f"{{{SOAP12_ENV}}}Envelope"]
    error = raw_fault(response)
    assert (error["Code"], error["Side"]) == ("VERSION_MISMATCH", "VersionMismatch")
    w.only_audited("ws.GetProject:VERSION_MISMATCH", ANON)


@pytest.mark.parametrize(("document", "code"), [
    ('<e:Envelope xmlns:e="urn:not-soap"><e:Body/></e:Envelope>', "VERSION_MISMATCH"),
    ("<Envelope><Body/></Envelope>", "VERSION_MISMATCH"),
    ("<hello>world</hello>", "NOT_SOAP_ENVELOPE"),
])
def test_other_roots_at_the_soap12_endpoint(live: Live, document: str, code: str) -> None:
    """Part 1, 5.4.7: anything but the SOAP 1.2 Envelope is env:VersionMismatch."""
    w = watch(live)
    response = post(live, document.encode(), soap="soap12")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/soap+xml")
    root = parsed(response.content)
    assert _upgrade(root) == [f"{{{SOAP12_ENV}}}Envelope"]
    error = raw_fault(response)
    assert (error["Code"], error["Side"]) == (code, "VersionMismatch")
    w.only_audited(f"ws.request:{code}", ANON)


def test_other_namespace_at_the_soap11_endpoint(live: Live) -> None:
    body = b'<e:Envelope xmlns:e="urn:not-soap"><e:Body/></e:Envelope>'
    error = refused(live, body, "VERSION_MISMATCH", "ws.request:VERSION_MISMATCH")
    assert error["Side"] == "VersionMismatch"


# -- what spyne no longer does on its own ------------------------------------------------------

def test_soap_encoding_references_are_not_followed(live: Live) -> None:
    """spyne resolved SOAP-encoding href/id references; a reference loop crashed it (a plain
    500). It never sees the ids now, so the reference is just an empty element."""
    body = soap11(f'<q:GetProject xmlns:q="{Q}"><q:ProjectCode href="#a"/>'
                  '<x:R xmlns:x="urn:x" id="a"><x:S href="#a"/></x:R></q:GetProject>',
                  credentials())
    refused(live, body, "INVALID_REQUEST", "ws.GetProject:INVALID_REQUEST", actor=SYSTEM)


@pytest.mark.parametrize("moment", ["9999-99-99T00:00:00Z", "2026-02-30T00:00:00+08:00"])
def test_a_datetime_that_matches_the_pattern_but_is_no_date(live: Live, moment: str) -> None:
    body = soap11(f'<q:ListProjects xmlns:q="{Q}"><q:From>{moment}</q:From></q:ListProjects>',
                  credentials())
    refused(live, body, "INVALID_REQUEST", "ws.ListProjects:INVALID_REQUEST", actor=SYSTEM)
