"""Which encoding a request body is in, decided before it is parsed, and refused when unclear.

A body can name its encoding three times: the HTTP ``charset``, a byte order mark and the XML
declaration. Where they disagree, one reader (lxml goes by the document, spyne went by the HTTP
header) sees other text than another, so a disagreement is refused (``XML_ENCODING_MISMATCH``)
instead of guessed. The encoding must be one we read (UTF-8, UTF-16 and the GB family Chinese
systems use; WS-I Basic Profile R1012 asks for UTF-8 or UTF-16) — else
``XML_ENCODING_UNSUPPORTED`` — and every byte must be valid in it (``XML_ENCODING_INVALID``),
checked by a streaming decoder so no second copy of the body is made.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message

from adapters.webservice.faults import WsFault

ACCEPTED = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "gbk",
                      "gb2312"})
_UTF16 = frozenset({"utf-16", "utf-16-le", "utf-16-be"})
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_DECLARATION = re.compile(
    r"""<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]{0,39})["']""")
_LIBXML_NAMES = {"utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE"}
_HEAD = 512
_CHUNK = 64 * 1024


def _unsupported(name: str) -> WsFault:
    return WsFault("XML_ENCODING_UNSUPPORTED",
                   f"不支持的字符编码 {name}（可用 UTF-8、UTF-16、GB18030）",
                   f"the encoding {name} is not supported (use UTF-8, UTF-16 or GB18030)")


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise _unsupported(name[:40]) from None


def http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_content_charset()
    return str(charset) if charset else None


def _bom(body: bytes) -> str | None:
    for mark, name in _BOMS:
        if body.startswith(mark):
            return name
    if body.startswith(b"<\x00?\x00"):  # UTF-16 without a mark (XML 1.0 appendix F)
        return "utf-16-le"
    if body.startswith(b"\x00<\x00?"):
        return "utf-16-be"
    return None


def _declared(body: bytes, family: str | None) -> str | None:
    head = body[:_HEAD]
    text = head.decode(family if family in _UTF16 else "latin-1", errors="replace")
    found = _DECLARATION.match(text.lstrip("\ufeff"))
    return found.group(1) if found else None


def _family(codec: str) -> str:
    return "utf-16" if codec in _UTF16 else codec


def document_encoding(body: bytes, content_type: str | None) -> str | None:
    """The encoding to tell the parser — None when the document names it itself (or is
    UTF-8 by default) — after checking that every name for it agrees, is supported, and fits
    the bytes."""
    named_http = http_charset(content_type)
    bom = _bom(body)
    named_doc = _declared(body, bom)
    names = [(_codec(name), source) for name, source in
             ((named_http, "HTTP charset"), (bom, "byte order mark"),
              (named_doc, "XML declaration")) if name]
    for codec, _ in names:
        if codec not in ACCEPTED:
            raise _unsupported(codec)
    if len({_family(codec) for codec, _ in names}) > 1:
        said = "; ".join(f"{source} {codec}" for codec, source in names)
        raise WsFault("XML_ENCODING_MISMATCH", f"字符编码的声明不一致：{said}",
                      f"the encoding is declared differently: {said}")
    # the most precise name decides: a mark or an explicit byte order over plain "UTF-16"
    precise = [codec for codec, _ in names if codec != "utf-16"] or [c for c, _ in names]
    codec = precise[0] if precise else "utf-8"
    if codec == "utf-16" and bom is None:
        codec = "utf-16-le"
    _check_bytes(body, codec)
    if bom is None and named_doc is None and codec != "utf-8":
        return _LIBXML_NAMES.get(codec, codec)
    return None


def _check_bytes(body: bytes, codec: str) -> None:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        for offset in range(0, len(body), _CHUNK):
            decoder.decode(body[offset:offset + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as err:
        raise WsFault("XML_ENCODING_INVALID", f"请求体含 {codec} 中无效的字节",
                      f"the body holds bytes that are not valid {codec} "
                      f"({err.reason})") from None
