"""Reading untrusted XML and request bodies without letting them hurt the peer.

Every document a peer reads (the SOAP envelope, and the XML carried inside string parameters) goes
through one parser with no DTD loading, no entity resolution, no network and no huge trees, and a
document that carries a DOCTYPE at all is refused, before parsing (byte scan) and after (the
parsed tree's docinfo, which catches a DOCTYPE hidden from the scan by a UTF-16 encoding). A DTD
is how entity expansion ("billion laughs") and external fetches get in; no protocol here needs one.

The envelope is checked by the peer's WSGI wrapper before spyne sees the body, so spyne's own
(also hardened) parser only ever gets documents that passed here.
"""

from __future__ import annotations

import threading
from typing import Any

from lxml import etree

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")


class UnsafeXml(ValueError):
    """A document the peer refuses to read (DOCTYPE, entity declarations)."""


class MalformedXml(ValueError):
    """Not well-formed XML."""


class BodyTooLarge(ValueError):
    pass


_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers keep state and are not safe to share between threads: one per thread.
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 dtd_validation=False, huge_tree=False, remove_pis=True,
                                 collect_ids=False)
        _local.parser = parser
    return parser


def parse(document: bytes | str) -> Any:
    """The root element of ``document``; UnsafeXml or MalformedXml if the peer will not read it."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    upper = data.upper()
    if any(marker in upper for marker in _FORBIDDEN_MARKUP):
        raise UnsafeXml("DOCTYPE and entity declarations are refused")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as err:
        raise MalformedXml(f"not well-formed XML: {err}") from None
    except ValueError as err:  # e.g. a str with an encoding declaration lxml will not take
        raise MalformedXml(str(err)) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXml("DOCTYPE and entity declarations are refused")
    return root


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The request body, or BodyTooLarge past ``limit`` bytes (checked before reading it)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise BodyTooLarge(f"request body of {length} bytes exceeds {limit}")
    if length <= 0:
        return b""
    body: bytes = environ["wsgi.input"].read(length)
    return body


def text_children(element: Any) -> dict[str, str]:
    """Child elements as {localname: text}; an element with element children is refused."""
    fields: dict[str, str] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments
        if len(child):
            raise MalformedXml(f"{etree.QName(child).localname} must hold text, not elements")
        name = etree.QName(child).localname
        if name in fields:
            raise MalformedXml(f"{name} appears twice")
        fields[name] = (child.text or "").strip()
    return fields
