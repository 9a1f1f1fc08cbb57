"""The gateway in front of spyne: nothing reaches the SOAP stack that is too big, carries a DTD,
is not well-formed, or comes without a valid credential.

A request body is read at most once and only up to the limit plus one byte, so a client that
lies about (or omits) its length cannot make the server hold more. Any DOCTYPE or ENTITY
declaration is refused before parsing (a DTD is how entity expansion and external fetches get
in), and again after parsing in case the declaration hid in an encoding the byte scan does not
see. The document is parsed once by a hardened lxml parser (no DTD loading or validation, no
entity resolution, no network, no huge trees) so that malformed XML gets our Fault rather than
whatever the SOAP stack would say. ``GET ?wsdl`` (the service description) passes straight
through; any other method than POST is refused (405).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from lxml import etree

from adapters.webservice import faults
from adapters.webservice.faults import WsFault
from core.errors import DomainError

log = logging.getLogger(__name__)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]
# looks at the parsed envelope before spyne does; refuses by raising DomainError or WsFault
Admit = Callable[[Environ, etree._Element], None]
# told of every refusal, with the operation the body named (or "request")
Refused = Callable[[Environ, str, WsFault], None]

CONTENT_TYPES = {"soap11": "text/xml; charset=utf-8",
                 "soap12": "application/soap+xml; charset=utf-8"}
ENVELOPE_NS = {"soap11": faults.SOAP11_ENV, "soap12": faults.SOAP12_ENV}
_CHUNK = 64 * 1024
_OPERATION = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}")


def hardened_parser() -> etree.XMLParser:
    """A new parser each time: lxml parsers must not be shared between threads."""
    return etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False,
                           load_dtd=False, huge_tree=False, remove_pis=True,
                           collect_ids=False)


def _too_large(limit: int) -> WsFault:
    return WsFault("BODY_TOO_LARGE", f"请求体超过 {limit} 字节的上限",
                   f"the request body exceeds the limit of {limit} bytes", http_status=413)


def _doctype() -> WsFault:
    return WsFault("DOCTYPE_FORBIDDEN", "不接受含 DOCTYPE 或实体声明的文档",
                   "documents with a DOCTYPE or entity declarations are refused")


def read_body(environ: Environ, limit: int) -> bytes:
    """The whole body, or BODY_TOO_LARGE as soon as it is known to exceed ``limit``."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit)
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise _too_large(limit)
    return b"".join(chunks)


def parse(body: bytes, soap_version: str) -> etree._Element:
    """The envelope, parsed by the hardened parser, or the Fault that says why not."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise _doctype()
    try:
        root = etree.fromstring(body, hardened_parser())
    except etree.XMLSyntaxError as err:
        reason = str(err)[:300]
        raise WsFault("MALFORMED_XML", f"请求不是格式正确的 XML：{reason}",
                      f"the request is not well-formed XML: {reason}") from None
    if root.getroottree().docinfo.doctype:
        raise _doctype()
    expected = ENVELOPE_NS[soap_version]
    if root.tag != f"{{{expected}}}Envelope":
        version = "1.2" if soap_version == "soap12" else "1.1"
        raise WsFault("NOT_SOAP_ENVELOPE", f"根元素须为 SOAP {version} Envelope（{expected}）",
                      f"the root element must be a SOAP {version} Envelope ({expected})")
    return root


def is_wsdl_request(environ: Environ) -> bool:
    """``?wsdl`` (any case, with or without a value), as spyne recognises it."""
    query = str(environ.get("QUERY_STRING", ""))
    return query.split("=")[0].split("&")[0].lower() == "wsdl"


def operation_name(envelope: etree._Element) -> str:
    """The operation the body names, for the audit log; "request" when there is none fit to
    record (the name is the caller's, so only a plain identifier is kept)."""
    for body in envelope:
        if isinstance(body.tag, str) and etree.QName(body).localname == "Body":
            for child in body:
                if isinstance(child.tag, str):
                    name = etree.QName(child).localname
                    return name if _OPERATION.fullmatch(name) else "request"
    return "request"


class HardenedXml:
    """WSGI: size, DTD, well-formedness and admission checks, then the spyne application."""

    def __init__(self, app: WsgiApp, *, soap_version: str, max_bytes: int, admit: Admit,
                 refused: Refused) -> None:
        self.app = app
        self.soap_version = soap_version
        self.max_bytes = max_bytes
        self.admit = admit
        self.refused = refused

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        if method == "GET" and is_wsdl_request(environ):
            return self.app(environ, start_response)
        operation = "request"
        try:
            if method != "POST":
                raise WsFault("METHOD_NOT_ALLOWED", "调用须使用 POST；服务描述见 GET ?wsdl",
                              "calls are POSTed; GET ?wsdl for the service description",
                              http_status=405)
            body = read_body(environ, self.max_bytes)
            envelope = parse(body, self.soap_version)
            operation = operation_name(envelope)
            self.admit(environ, envelope)
        except WsFault as fault:
            return self._refuse(environ, operation, fault, start_response)
        except DomainError as err:
            return self._refuse(environ, operation, faults.from_domain(err), start_response)
        except Exception:
            log.exception("web service gateway failed on %s", operation)
            return self._refuse(environ, operation, faults.internal(), start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    def _refuse(self, environ: Environ, operation: str, fault: WsFault,
                start_response: StartResponse) -> list[bytes]:
        self.refused(environ, operation, fault)
        payload = faults.envelope(fault, self.soap_version)
        status = faults.http_status(fault, self.soap_version)
        start_response(f"{status} {HTTPStatus(status).phrase}", [
            ("Content-Type", CONTENT_TYPES[self.soap_version]),
            ("Content-Length", str(len(payload)))])
        return [payload]
