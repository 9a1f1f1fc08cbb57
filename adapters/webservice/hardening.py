"""The gateway in front of spyne: nothing reaches the SOAP stack that is too big, carries a DTD,
is not well-formed, is bounded badly, breaks the SOAP envelope rules, or comes without a valid
credential.

A request body is read at most once and only up to the limit plus one byte, so a client that
lies about (or omits) its length cannot make the server hold more. Its encoding is settled
before parsing (``encoding``). The document is parsed once, by the hardened pull parser of
``xml_limits`` that counts elements, depth, attributes and text as it reads; the envelope rules
of ``envelope`` follow, then the credential. spyne then works on that same parsed tree
(``ENVELOPE_KEY``; see app.py) and never parses the body again, so there is one parser for
untrusted XML, not two that could read one body differently.

Large bodies (over ``large_body_bytes``, or of unknown length) are parsed and handled behind a
process-wide gate of a few slots (``adapters.memory``): a flood of them waits holding raw
bodies only, and memory is given back when the last one is done. Reading the body happens
before the gate, so a slow sender cannot hold a slot.

``GET ?wsdl`` (the service description) passes straight through; any other method than POST
is refused (405).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from http import HTTPStatus
from typing import Any

from lxml import etree

from adapters.memory import ThreadGate
from adapters.webservice import envelope as soap_rules
from adapters.webservice import faults
from adapters.webservice.encoding import document_encoding
from adapters.webservice.faults import WsFault
from adapters.webservice.xml_limits import XmlLimits, parse_bounded
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
ENVELOPE_KEY = "ggzy.ws.envelope"  # where the gateway leaves the parsed envelope for spyne
_CHUNK = 64 * 1024
_OPERATION = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}")


def _too_large(limit: int) -> WsFault:
    return WsFault("BODY_TOO_LARGE", f"请求体超过 {limit} 字节的上限",
                   f"the request body exceeds the limit of {limit} bytes", http_status=413)


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
    """WSGI: size, encoding, bounded parse, envelope rules and admission, then spyne."""

    def __init__(self, app: WsgiApp, *, soap_version: str, max_bytes: int, limits: XmlLimits,
                 gate: ThreadGate, large_body_bytes: int, admit: Admit,
                 refused: Refused) -> None:
        self.app = app
        self.soap_version = soap_version
        self.max_bytes = max_bytes
        self.limits = limits
        self.gate = gate
        self.large_body_bytes = large_body_bytes
        self.admit = admit
        self.refused = refused

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        if method == "GET" and is_wsdl_request(environ):
            return self.app(environ, start_response)
        try:
            if method != "POST":
                raise WsFault("METHOD_NOT_ALLOWED", "调用须使用 POST；服务描述见 GET ?wsdl",
                              "calls are POSTed; GET ?wsdl for the service description",
                              http_status=405)
            body = read_body(environ, self.max_bytes)
        except WsFault as fault:
            return self._refuse(environ, "request", fault, start_response)
        with self._slot(environ, body):
            return self._handle(environ, body, start_response)

    def _slot(self, environ: Environ, body: bytes) -> AbstractContextManager[None]:
        declared = str(environ.get("CONTENT_LENGTH") or "").strip()
        large = len(body) > self.large_body_bytes or not declared.isdigit()
        return self.gate.slot() if large and body else nullcontext()

    def _handle(self, environ: Environ, body: bytes,
                start_response: StartResponse) -> list[bytes]:
        operation = "request"
        try:
            envelope = parse_bounded(body, self.limits,
                                     document_encoding(body, environ.get("CONTENT_TYPE")))
            operation = operation_name(envelope)
            soap_rules.check(envelope, self.soap_version)
            self.admit(environ, envelope)
        except WsFault as fault:
            return self._refuse(environ, operation, fault, start_response)
        except DomainError as err:
            return self._refuse(environ, operation, faults.from_domain(err), start_response)
        except Exception:
            log.exception("web service gateway failed on %s", operation)
            return self._refuse(environ, operation, faults.internal(), start_response)
        environ[ENVELOPE_KEY] = envelope
        environ["wsgi.input"] = io.BytesIO(b"")  # spyne reads the parsed envelope, not this
        environ["CONTENT_LENGTH"] = "0"
        started = False

        def tracking(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            nonlocal started
            started = True
            return start_response(status, headers, exc_info)

        try:
            with _closing(self.app(environ, tracking)) as answer:
                return list(answer)  # inside the slot: the answer is built while it is held
        except Exception:
            # spyne turns what it knows into Faults; anything else still leaves as one of ours
            log.exception("web service call %s failed in the SOAP stack", operation)
            if started:
                raise
            return self._refuse(environ, operation, faults.internal(), start_response)

    def _refuse(self, environ: Environ, operation: str, fault: WsFault,
                start_response: StartResponse) -> list[bytes]:
        self.refused(environ, operation, fault)
        version = fault.reply_version or self.soap_version
        payload = faults.envelope(fault, self.soap_version)
        status = faults.http_status(fault, self.soap_version)
        start_response(f"{status} {HTTPStatus(status).phrase}", [
            ("Content-Type", CONTENT_TYPES[version]),
            ("Content-Length", str(len(payload)))])
        return [payload]


@contextmanager
def _closing(answer: Iterable[bytes]) -> Iterator[Iterable[bytes]]:
    """A WSGI answer, closed after use as PEP 3333 asks."""
    try:
        yield answer
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()
