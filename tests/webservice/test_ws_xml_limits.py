"""The shape of a document is bounded while it is parsed: too many attributes, elements or
levels, or a too long text or attribute value, each gets its own Fault before spyne sees the
document, changes nothing and is audited. Before these limits an envelope with 20 000
attributes was answered (after seconds of work growing with the square of their number)."""

from __future__ import annotations

import pytest

from adapters.webservice.faults import WsFault
from adapters.webservice.xml_limits import XmlLimits, parse_bounded
from tests.webservice.conftest import PASSWORD, Live, post, refused, soap11, soap12, wsse

SYSTEM = "system_client:ws-system"
Q = "urn:ggzy-hub:ws:query:1"


def get_project(code: str, attributes: str = "", inner: str = "") -> str:
    return (f'<q:GetProject xmlns:q="{Q}"{attributes}><q:ProjectCode>{code}</q:ProjectCode>'
            f'{inner}</q:GetProject>')


def credentials() -> str:
    return wsse("ws-system", PASSWORD)


def test_many_attributes_on_the_operation(live: Live) -> None:
    attributes = "".join(f' a{i}="1"' for i in range(20_000))
    body = soap11(get_project(live.project_code, attributes), credentials())
    refused(live, body, "XML_TOO_MANY_ATTRIBUTES", "ws.request:XML_TOO_MANY_ATTRIBUTES")


def test_namespace_declarations_count_as_attributes(live: Live) -> None:
    limit = live.container.settings.limits.xml_max_attributes
    declarations = "".join(f' xmlns:n{i}="urn:n:{i}"' for i in range(limit + 1))
    body = soap11(get_project(live.project_code, declarations), credentials())
    refused(live, body, "XML_TOO_MANY_ATTRIBUTES", "ws.request:XML_TOO_MANY_ATTRIBUTES")


def test_many_sibling_elements(live: Live) -> None:
    siblings = "<q:Extra/>" * 20_000
    body = soap11(get_project(live.project_code, inner=siblings), credentials())
    refused(live, body, "XML_TOO_MANY_ELEMENTS", "ws.request:XML_TOO_MANY_ELEMENTS")


def test_many_header_elements_at_soap12(live: Live) -> None:
    header = credentials() + '<x:Pad xmlns:x="urn:pad">' + "<x:P/>" * 20_000 + "</x:Pad>"
    body = soap12(get_project(live.project_code), header)
    error = refused(live, body, "XML_TOO_MANY_ELEMENTS", "ws.request:XML_TOO_MANY_ELEMENTS",
                    status=400, soap="soap12")
    assert error["Side"] == "Client"


def test_deep_nesting(live: Live) -> None:
    depth = live.container.settings.limits.xml_max_depth
    nested = "<q:D>" * depth + "</q:D>" * depth
    body = soap11(get_project(live.project_code, inner=nested), credentials())
    refused(live, body, "XML_TOO_DEEP", "ws.request:XML_TOO_DEEP")


def test_long_text(live: Live) -> None:
    limit = live.container.settings.limits.xml_max_text_chars
    body = soap11(get_project("x" * (limit + 1)), credentials())
    assert len(body) < live.container.settings.max_body_bytes  # the size limit is not the one
    refused(live, body, "XML_TEXT_TOO_LONG", "ws.request:XML_TEXT_TOO_LONG")


def test_long_text_between_elements(live: Live) -> None:
    """A tail (text after a child element) is a text node too."""
    limit = live.container.settings.limits.xml_max_text_chars
    body = soap11(get_project(live.project_code, inner="y" * (limit + 1)), credentials())
    refused(live, body, "XML_TEXT_TOO_LONG", "ws.request:XML_TEXT_TOO_LONG")


def test_long_attribute_value(live: Live) -> None:
    limit = live.container.settings.limits.xml_max_attribute_chars
    body = soap11(get_project(live.project_code, f' a="{"z" * (limit + 1)}"'), credentials())
    refused(live, body, "XML_ATTRIBUTE_TOO_LONG", "ws.request:XML_ATTRIBUTE_TOO_LONG")


def test_a_document_at_the_limits_is_answered(live: Live) -> None:
    """The limits refuse only what passes them: an envelope with as many attributes on one
    element as allowed and padding headers is an ordinary call."""
    limits = live.container.settings.limits
    attributes = "".join(f' a{i}="1"' for i in range(limits.xml_max_attributes - 1))
    header = credentials() + '<x:Pad xmlns:x="urn:pad">' + "<x:P>text</x:P>" * 1000 + "</x:Pad>"
    response = post(live, soap11(get_project(live.project_code, attributes), header))
    assert response.status_code == 200, response.text
    assert live.project_code in response.text


# The parser on its own, limit by limit, at and one past each bound.

SMALL = XmlLimits(max_elements=5, max_depth=3, max_attributes=2, max_attribute_chars=4,
                  max_text_chars=6)


@pytest.mark.parametrize(("document", "code"), [
    (b"<a><b/><b/><b/><b/><b/></a>", "XML_TOO_MANY_ELEMENTS"),
    (b"<a><b><c><d/></c></b></a>", "XML_TOO_DEEP"),
    (b'<a x="1" y="2" z="3"/>', "XML_TOO_MANY_ATTRIBUTES"),
    (b'<a xmlns:p="urn:p" xmlns:q="urn:q" x="1"/>', "XML_TOO_MANY_ATTRIBUTES"),
    (b'<a x="12345"/>', "XML_ATTRIBUTE_TOO_LONG"),
    (b"<a>1234567</a>", "XML_TEXT_TOO_LONG"),
    (b"<a><b/>1234567</a>", "XML_TEXT_TOO_LONG"),
    (b'<!DOCTYPE a><a/>', "DOCTYPE_FORBIDDEN"),
    (b"<a><b></a>", "MALFORMED_XML"),
    (b"", "MALFORMED_XML"),
])
def test_one_past_a_limit(document: bytes, code: str) -> None:
    with pytest.raises(WsFault) as info:
        parse_bounded(document, SMALL)
    assert info.value.code == code


def test_at_every_limit() -> None:
    root = parse_bounded(b'<a xmlns:p="urn:p" x="1234"><b><c>123456</c></b><b/><b/>'
                         b"123456</a>", SMALL)
    assert [child.tag for child in root] == ["b", "b", "b"]


def test_comments_and_processing_instructions_are_dropped() -> None:
    root = parse_bounded(b"<a><!-- note --><?pi x?><b/></a>", SMALL)
    assert [child.tag for child in root] == ["b"]


def test_a_doctype_in_utf16_is_found_by_the_parse() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a/>'
    with pytest.raises(WsFault) as info:
        parse_bounded(document.encode("utf-16"), SMALL)
    assert info.value.code == "DOCTYPE_FORBIDDEN"
