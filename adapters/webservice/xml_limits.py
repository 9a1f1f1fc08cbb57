"""The one hardened parse of an untrusted document, with its shape bounded while it is read.

A body under the size limit can still be costly: tens of thousands of attributes on one element
or sibling elements cost the SOAP stack time that grows with the square of their number, and
deep nesting costs recursion. So the document is fed to lxml in chunks through a pull parser
and each element is counted as it opens — elements, depth, attributes (namespace declarations
included) and the length of every attribute value and text node — and the parse stops at the
first limit passed, before spyne sees anything. What is counted is linear in the body; libxml2
itself (2.14, bundled with lxml) reads attributes in linear time, which the bench measured.

The parser has no DTD, no entity resolution, no network, no huge trees; comments and processing
instructions are dropped (nothing here reads them, and a comment must not pass for an
operation). A DOCTYPE is refused as soon as the first element shows the document had one (a
byte scan before parsing catches the usual spelling; this catches it in UTF-16 as well).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from adapters.webservice.faults import WsFault

CHUNK = 64 * 1024
HARDENED = {"resolve_entities": False, "no_network": True, "dtd_validation": False,
            "load_dtd": False, "huge_tree": False, "remove_pis": True,
            "remove_comments": True, "collect_ids": False}


@dataclass(frozen=True)
class XmlLimits:
    """How big the parsed document may be (each a setting; defaults in docs/webservice.md)."""

    max_elements: int = 5000
    max_depth: int = 32
    max_attributes: int = 32  # per element, namespace declarations included
    max_attribute_chars: int = 4096
    max_text_chars: int = 256 * 1024  # one text node


def doctype_forbidden() -> WsFault:
    return WsFault("DOCTYPE_FORBIDDEN", "不接受含 DOCTYPE 或实体声明的文档",
                   "documents with a DOCTYPE or entity declarations are refused")


def _over(code: str, zh: str, en: str) -> WsFault:
    return WsFault(code, zh, en)


class _Counter:
    def __init__(self, limits: XmlLimits) -> None:
        self.limits = limits
        self.elements = 0
        self.depth = 0
        self.declarations = 0  # namespace declarations on the element about to start

    def consume(self, events: Iterable[tuple[str, Any]]) -> None:
        for event, item in events:
            if event == "start-ns":
                self.declarations += 1
            elif event == "start":
                self._start(item)
            else:
                self._end(item)

    def _start(self, element: etree._Element) -> None:
        limits = self.limits
        if self.elements == 0:
            docinfo = element.getroottree().docinfo
            if docinfo.doctype or docinfo.internalDTD is not None:
                raise doctype_forbidden()
        self.elements += 1
        if self.elements > limits.max_elements:
            raise _over("XML_TOO_MANY_ELEMENTS", f"文档元素超过 {limits.max_elements} 个",
                        f"the document has more than {limits.max_elements} elements")
        self.depth += 1
        if self.depth > limits.max_depth:
            raise _over("XML_TOO_DEEP", f"元素嵌套超过 {limits.max_depth} 层",
                        f"elements are nested more than {limits.max_depth} deep")
        attributes = len(element.attrib) + self.declarations
        self.declarations = 0
        if attributes > limits.max_attributes:
            raise _over("XML_TOO_MANY_ATTRIBUTES",
                        f"一个元素的属性（含命名空间声明）超过 {limits.max_attributes} 个",
                        f"an element has more than {limits.max_attributes} attributes "
                        "(namespace declarations included)")
        for value in element.attrib.values():
            if len(value) > limits.max_attribute_chars:
                raise _over("XML_ATTRIBUTE_TOO_LONG",
                            f"属性值超过 {limits.max_attribute_chars} 个字符",
                            f"an attribute value is longer than {limits.max_attribute_chars} "
                            "characters")

    def _end(self, element: etree._Element) -> None:
        self.depth -= 1
        # an element's text is complete at its end; its children's tails are complete too
        texts = [element.text, *(child.tail for child in element)]
        if any(text is not None and len(text) > self.limits.max_text_chars for text in texts):
            limit = self.limits.max_text_chars
            raise _over("XML_TEXT_TOO_LONG", f"文本节点超过 {limit} 个字符",
                        f"a text node is longer than {limit} characters")


def parse_bounded(body: bytes, limits: XmlLimits, encoding: str | None = None
                  ) -> etree._Element:
    """The root of ``body``, or the Fault of the first limit it passes (or MALFORMED_XML).
    ``encoding`` overrides what the document says of itself (only when it says nothing)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise doctype_forbidden()
    parser = etree.XMLPullParser(events=("start-ns", "start", "end"), encoding=encoding,
                                 **HARDENED)
    counter = _Counter(limits)
    try:
        for offset in range(0, len(body), CHUNK):
            parser.feed(body[offset:offset + CHUNK])
            counter.consume(parser.read_events())
        root = parser.close()
        counter.consume(parser.read_events())
    except etree.XMLSyntaxError as err:
        reason = str(err)[:300]
        raise WsFault("MALFORMED_XML", f"请求不是格式正确的 XML：{reason}",
                      f"the request is not well-formed XML: {reason}") from None
    if root.getroottree().docinfo.doctype:
        raise doctype_forbidden()
    return root
