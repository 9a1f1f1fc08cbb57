"""Reading untrusted XML and request bodies without letting them hurt the peer.

Every document a peer reads (the SOAP envelope, and the XML carried inside string parameters) goes
through one parser with no DTD loading, no entity resolution, no network and no huge trees, and a
document that carries a DOCTYPE at all is refused, before parsing (byte scan) and after (the
parsed tree's docinfo, which catches a DOCTYPE hidden from the scan by a UTF-16 encoding). A DTD
is how entity expansion ("billion laughs") and external fetches get in; no protocol here needs one.

The document is fed to a pull parser in chunks and its shape is counted while it is read:
elements, depth, attributes per element (namespace declarations included), and the length of
attribute values and text. Past a limit the parse stops (``TooComplex``), so a body of tens of
thousands of attributes costs linear time here instead of spyne's quadratic time later.

The envelope's encoding is settled first (``envelope_encoding``): the HTTP charset, a byte order
mark and the XML declaration must agree, name UTF-8, UTF-16 or a GB encoding, and fit the bytes.

The envelope is checked by the peer's WSGI wrapper before spyne sees it, and spyne then reads
the tree parsed here (``soap.PeerSoap11``/``PeerSoap12``), never the body again.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message
from typing import Any

from lxml import etree

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
MAX_ELEMENTS = 10_000
MAX_DEPTH = 32
MAX_ATTRIBUTES = 32
MAX_ATTRIBUTE_CHARS = 4096
MAX_TEXT_CHARS = 512 * 1024
_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 64 * 1024
_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "gbk",
                        "gb2312"})
_DECLARATION = re.compile(r"""<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][\w.:-]{0,39})["']""")


class UnsafeXml(ValueError):
    """A document the peer refuses to read (DOCTYPE, entity declarations)."""


class MalformedXml(ValueError):
    """Not well-formed XML."""


class TooComplex(ValueError):
    """More elements, depth, attributes or text than a peer reads."""


class EncodingRefused(ValueError):
    """An encoding declared in disagreeing ways, not supported, or not what the bytes are."""


class BodyTooLarge(ValueError):
    pass


def _options() -> dict[str, Any]:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False,
            "dtd_validation": False, "huge_tree": False, "remove_pis": True,
            "remove_comments": True, "collect_ids": False}


def _check_start(element: Any, depth: int, elements: int, declarations: int) -> None:
    if elements > MAX_ELEMENTS:
        raise TooComplex(f"more than {MAX_ELEMENTS} elements")
    if depth > MAX_DEPTH:
        raise TooComplex(f"elements nested more than {MAX_DEPTH} deep")
    if len(element.attrib) + declarations > MAX_ATTRIBUTES:
        raise TooComplex(f"an element with more than {MAX_ATTRIBUTES} attributes")
    if any(len(value) > MAX_ATTRIBUTE_CHARS for value in element.attrib.values()):
        raise TooComplex(f"an attribute value longer than {MAX_ATTRIBUTE_CHARS} characters")


def _check_end(element: Any) -> None:
    texts = [element.text, *(child.tail for child in element)]
    if any(text is not None and len(text) > MAX_TEXT_CHARS for text in texts):
        raise TooComplex(f"a text longer than {MAX_TEXT_CHARS} characters")


def parse(document: bytes | str, encoding: str | None = None) -> Any:
    """The root element of ``document``; UnsafeXml, MalformedXml or TooComplex if the peer will
    not read it. ``encoding`` tells the parser what the document does not say itself."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    upper = data.upper()
    if any(marker in upper for marker in _FORBIDDEN_MARKUP):
        raise UnsafeXml("DOCTYPE and entity declarations are refused")
    parser = etree.XMLPullParser(events=("start-ns", "start", "end"), encoding=encoding,
                                 **_options())
    depth = elements = declarations = 0
    try:
        for offset in range(0, max(len(data), 1), _CHUNK):
            parser.feed(data[offset:offset + _CHUNK])
            for event, item in parser.read_events():
                if event == "start-ns":
                    declarations += 1
                elif event == "start":
                    depth, elements = depth + 1, elements + 1
                    _check_start(item, depth, elements, declarations)
                    declarations = 0
                else:
                    depth -= 1
                    _check_end(item)
        root = parser.close()
    except TooComplex:
        raise
    except etree.XMLSyntaxError as err:
        raise MalformedXml(f"not well-formed XML: {err}") from None
    except (ValueError, LookupError) as err:  # e.g. an encoding name libxml2 does not know
        raise MalformedXml(str(err)) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXml("DOCTYPE and entity declarations are refused")
    return root


def _codec(name: str) -> str:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise EncodingRefused(f"unknown encoding {name[:40]}") from None
    if codec not in _ENCODINGS:
        raise EncodingRefused(f"encoding {codec} is not supported (UTF-8, UTF-16, GB18030)")
    return codec


def _byte_order_mark(body: bytes) -> str | None:
    if body.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    for mark, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(mark):
            return name
    if body.startswith(b"<\x00?\x00"):
        return "utf-16-le"
    if body.startswith(b"\x00<\x00?"):
        return "utf-16-be"
    return None


def envelope_encoding(body: bytes, content_type: str | None) -> str | None:
    """What to tell the parser about the body's encoding (None: the body says it, or UTF-8),
    or EncodingRefused when the HTTP charset, the byte order mark and the XML declaration
    disagree, name an encoding not read here, or the bytes are not valid in it."""
    message = Message()
    message["content-type"] = content_type or "text/xml"
    charset = message.get_content_charset()
    mark = _byte_order_mark(body)
    head = body[:512].decode(mark if mark and mark.startswith("utf-16") else "latin-1",
                             errors="replace")
    found = _DECLARATION.match(head.lstrip("\ufeff"))
    declared = found.group(1) if found else None
    named = [_codec(name) for name in (charset, mark, declared) if name]
    families = {"utf-16" if codec.startswith("utf-16") else codec for codec in named}
    if len(families) > 1:
        raise EncodingRefused("the HTTP charset, byte order mark and XML declaration disagree: "
                              + ", ".join(named))
    precise = [codec for codec in named if codec != "utf-16"] or named or ["utf-8"]
    codec = "utf-16-le" if precise[0] == "utf-16" and mark is None else precise[0]
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for offset in range(0, len(body), _CHUNK):
            decoder.decode(body[offset:offset + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as err:
        raise EncodingRefused(f"the body is not valid {codec}: {err.reason}") from None
    if mark is None and declared is None and codec != "utf-8":
        return {"utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE"}.get(codec, codec)
    return None


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
