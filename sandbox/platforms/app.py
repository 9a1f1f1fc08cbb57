"""The WSGI application around a peer's spyne service: routes, hardening, injected faults.

Every peer is the same outer shell with a different spyne service inside:

- ``GET /?wsdl`` serves the peer's WSDL with the caller's address in ``soap:address``;
- ``POST /`` reads the body (413 past the limit), refuses DOCTYPE/entities, a disagreeing or
  unsupported encoding, documents past the parser's limits, non-SOAP documents and envelopes
  that break the SOAP rules (a Body without exactly one operation, a mandatory header not
  understood) with a SOAP Fault before spyne sees them, picks the spyne application for the
  envelope's SOAP version, applies an armed fault plan, and hands the parsed envelope on;
- the JSON routes of ``control``.

The envelope the shell parsed is left in the WSGI environ (``ENVELOPE_KEY``) for spyne (which
reads it instead of the body) and for a service that reads SOAP headers itself (the national
peer's WS-Security), and an armed ``refuse_parent`` plan sets ``REFUSE_PARENT_KEY`` so the service
answers its own "parent missing" reply. Whatever fails inside spyne is still answered with a
Server/Receiver Fault in the caller's SOAP version: no input gets a plain-text 500.
"""

from __future__ import annotations

import io
import json
import logging
import math
import threading
from collections.abc import Callable, Iterable
from typing import Any

import spyne.const

from sandbox.platforms import control, hardening, soap
from sandbox.platforms.clock import Clock, beijing_now
from sandbox.platforms.faults import FaultBook, FaultMode
from sandbox.platforms.store import Store

ENVELOPE_KEY = soap.ENVELOPE_KEY
REFUSE_PARENT_KEY = "ggzy.platforms.refuse_parent"
StartResponse = Callable[..., Any]

log = logging.getLogger(__name__)

_MALFORMED = b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="'


class PlatformApp:
    """One platform peer as a WSGI callable. Owns its store (``close()``)."""

    def __init__(self, *, profile: str, store: Store, soap_apps: dict[str, Any],
                 wsdl: soap.WsdlTemplate, clock: Clock = beijing_now,
                 max_body_bytes: int = hardening.DEFAULT_MAX_BODY_BYTES,
                 understood: frozenset[str] = frozenset()) -> None:
        self.profile = profile
        self.store = store
        self.soap_apps = soap_apps          # "1.1"/"1.2" -> spyne WsgiApplication
        self.wsdl = wsdl
        self.clock = clock
        self.max_body_bytes = max_body_bytes
        self.understood = understood  # the header blocks the service reads itself
        self.faults = FaultBook()
        self._closing = threading.Event()
        self._spyne_lock = threading.Lock()
        # spyne ends every call with a full gc.collect() (once a second at most) for its
        # temporary files, which a peer never makes; in a process with a large heap (a test
        # run) that collection alone outlasts the caller's timeout.
        spyne.const.MIN_GC_INTERVAL = math.inf

    def close(self) -> None:
        """Release held calls and close the store."""
        self._closing.set()
        self.store.close()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/":
            if method == "GET" and environ.get("QUERY_STRING", "").lower() == "wsdl":
                return _answer(start_response, 200, "text/xml; charset=utf-8",
                               self.wsdl.render(environ))
            if method == "POST":
                return self._soap(environ, start_response)
            return _answer(start_response, 405, "text/plain; charset=utf-8",
                           b"POST a SOAP envelope, or GET /?wsdl", [("Allow", "GET, POST")])
        answer = control.handle(environ, path, method, profile=self.profile, store=self.store,
                                faults=self.faults)
        if answer is None:
            return _answer(start_response, 404, "application/json",
                           _json({"error": f"no route {path}"}))
        status, data = answer
        return _answer(start_response, status, "application/json", _json(data))

    # -- SOAP -------------------------------------------------------------------------------------

    def _refuse(self, start_response: StartResponse, status: int, version: str,
                message: str, reason: str, code: str | None = None) -> Iterable[bytes]:
        self.store.refuse(reason=reason, data_set=None, record_key=None, message=message,
                          at=self.clock().isoformat(timespec="seconds"))
        return _answer(start_response, status, soap.CONTENT_TYPES[version],
                       soap.fault(version, True, message, code=code))

    def _soap(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        content_type = environ.get("CONTENT_TYPE", "")
        declared = "1.2" if "application/soap+xml" in content_type else "1.1"
        try:
            body = hardening.read_body(environ, self.max_body_bytes)
        except hardening.BodyTooLarge as err:
            return self._refuse(start_response, 413, declared, str(err), "too_large")
        try:
            envelope = hardening.parse(body, hardening.envelope_encoding(body, content_type))
        except hardening.UnsafeXml as err:
            return self._refuse(start_response, 400, declared, str(err), "unsafe_xml")
        except hardening.EncodingRefused as err:
            return self._refuse(start_response, 400, declared, str(err), "encoding")
        except hardening.TooComplex as err:
            return self._refuse(start_response, 400, declared, str(err), "too_complex")
        except hardening.MalformedXml as err:
            return self._refuse(start_response, 400, declared, str(err), "malformed_xml")
        version = soap.version_of(envelope)
        if version is None:
            return self._refuse(start_response, 400, declared,
                                "the document is not a SOAP Envelope", "not_soap")
        spyne_app = self.soap_apps.get(version)
        if spyne_app is None:
            supported = " and ".join(sorted(self.soap_apps))
            return self._refuse(start_response, 500, "1.1",
                                f"this endpoint speaks SOAP {supported}", "soap_version",
                                code="soap:VersionMismatch")
        try:
            soap.check_envelope(envelope, version, self.understood)
        except soap.EnvelopeRefused as err:
            return self._refuse(start_response, 500 if err.code else 400, version, str(err),
                                "must_understand" if err.code else "soap_body", code=err.code)
        plan = self.faults.take()
        hold_after = 0.0
        if plan is not None:
            self.store.record_fault(plan.mode.value, self.clock().isoformat(timespec="seconds"))
            if plan.mode is FaultMode.HTTP_500:
                return _answer(start_response, 500, "text/plain; charset=utf-8",
                               b"Internal Server Error (injected)")
            if plan.mode is FaultMode.SOAP_FAULT:
                return _answer(start_response, 500, soap.CONTENT_TYPES[version],
                               soap.fault(version, False, "injected server fault"))
            if plan.mode is FaultMode.MALFORMED:
                return _answer(start_response, 200, soap.CONTENT_TYPES[version], _MALFORMED)
            if plan.mode is FaultMode.TIMEOUT:
                self._closing.wait(plan.seconds)
                return _answer(start_response, 504, "text/plain; charset=utf-8",
                               b"Gateway Timeout (injected)")
            if plan.mode is FaultMode.SLOW:
                hold_after = plan.seconds
            if plan.mode is FaultMode.REFUSE_PARENT:
                environ[REFUSE_PARENT_KEY] = True
        environ[ENVELOPE_KEY] = envelope
        environ["wsgi.input"] = io.BytesIO(b"")  # spyne reads the parsed envelope instead
        environ["CONTENT_LENGTH"] = "0"
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        # One spyne call at a time: its shared lxml schema validator is not documented as safe
        # across threads, and a peer's throughput is not what the sandbox measures.
        try:
            with self._spyne_lock:
                chunks = spyne_app(environ, capture)
                try:
                    answer = b"".join(chunks)
                finally:
                    close = getattr(chunks, "close", None)
                    if close is not None:
                        close()
        except Exception:
            log.exception("the %s peer failed inside spyne", self.profile)
            self.store.refuse(reason="internal", data_set=None, record_key=None,
                              message="internal error",
                              at=self.clock().isoformat(timespec="seconds"))
            return _answer(start_response, 500, soap.CONTENT_TYPES[version],
                           soap.fault(version, False, "internal error"))
        if hold_after:
            self._closing.wait(hold_after)
        start_response(captured["status"], _with_length(captured["headers"], len(answer)))
        return [answer]


def _with_length(headers: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
    return [*kept, ("Content-Length", str(length))]


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found",
            405: "Method Not Allowed", 413: "Payload Too Large", 500: "Internal Server Error",
            504: "Gateway Timeout"}


def _answer(start_response: StartResponse, status: int, content_type: str, body: bytes,
            headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    start_response(f"{status} {_REASONS.get(status, 'Status')}",
                   [("Content-Type", content_type), ("Content-Length", str(len(body))),
                    *(headers or [])])
    return [body]
