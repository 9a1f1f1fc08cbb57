"""The Web Service's composition: three services, each over SOAP 1.1 and SOAP 1.2.

``build_ws_apps(container)`` gives one WSGI application per endpoint::

    /ws/soap11/query        /ws/soap12/query        QueryService
    /ws/soap11/push         /ws/soap12/push         PushService
    /ws/soap11/supervision  /ws/soap12/supervision  SupervisionService

each answering its WSDL at ``<endpoint>?wsdl`` (no credential needed: it describes, it does
not disclose). ``webservice_app(container)`` routes ``/ws/...`` to them; the REST app mounts it.

Every endpoint is spyne behind the gateway of ``hardening`` (size, encoding, bounded parse,
envelope rules, credential). spyne never parses a body itself: its input protocol takes the
envelope the gateway parsed (``GatewayParsed``), so no second parser reads the request (and
spyne's SOAP-encoding ``href`` resolution, which a hostile body could send into a loop, never
runs). spyne's own refusals (a request that does not match the WSDL, an unknown operation) are
turned into our Faults and audited like the rest. SOAP 1.2 is spyne's
``Soap12`` protocol (marked experimental by spyne; checked here by tests with zeep's SOAP 1.2
binding).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import sys
import threading
from collections.abc import Iterable
from datetime import timedelta
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from xml.sax.saxutils import escape

import spyne.const
from a2wsgi import WSGIMiddleware
from lxml import etree
from spyne import Application, Fault
from spyne.protocol.soap import Soap11, Soap12
from spyne.server.wsgi import WsgiApplication
from starlette.types import ASGIApp

from adapters.bootstrap import Container
from adapters.memory import ThreadGate
from adapters.webservice import faults, security
from adapters.webservice.calls import audit_apart, endpoint
from adapters.webservice.digest_key import digest_box
from adapters.webservice.faults import WsFault
from adapters.webservice.hardening import (
    ENVELOPE_KEY,
    Admit,
    Environ,
    HardenedXml,
    Refused,
    StartResponse,
    WsgiApp,
)
from adapters.webservice.push import PushService
from adapters.webservice.query import QueryService
from adapters.webservice.supervision import SupervisionService
from adapters.webservice.xml_limits import XmlLimits
from core.security.principal import ANONYMOUS_ACTOR, Principal
from core.security.secret_box import SecretBox


class GatewayParsed:
    """An input protocol that takes the envelope the gateway parsed and checked, instead of
    parsing the body a second time (with the HTTP charset, which is how a body in another
    encoding used to crash it). No ids are collected, so no ``href`` is ever resolved.

    A value that passes spyne's patterns but not Python's own checks (``9999-99-99T00:00:00Z``
    matches the dateTime pattern; ``datetime`` refuses month 99) escaped spyne as a ValueError
    and became a plain 500; here it is what it is, a request that does not match the WSDL."""

    def create_in_document(self, ctx: Any, charset: str | None = None) -> None:
        envelope = ctx.transport.req_env.get(ENVELOPE_KEY)
        if envelope is None:  # only the gateway calls spyne; anything else is our bug
            raise RuntimeError("the web service was called around its gateway")
        ctx.in_document = (envelope, {})

    def deserialize(self, ctx: Any, message: Any) -> None:
        try:
            super().deserialize(ctx, message)  # type: ignore[misc]
        except (ValueError, TypeError, OverflowError, ArithmeticError) as err:
            raise Fault("Client.ValidationError", f"a value is out of range: {err}"[:300]
                        ) from None


class Soap11In(GatewayParsed, Soap11):
    pass


class Soap12In(GatewayParsed, Soap12):
    pass


WS_PREFIX = "/ws"
SOAP_PROTOCOLS = {"soap11": (Soap11In, Soap11), "soap12": (Soap12In, Soap12)}
SERVICES: dict[str, tuple[Any, str, str]] = {
    "query": (QueryService, "urn:ggzy-hub:ws:query:1", "QueryService"),
    "push": (PushService, "urn:ggzy-hub:ws:push:1", "PushService"),
    "supervision": (SupervisionService, "urn:ggzy-hub:ws:supervision:1", "SupervisionService"),
}
PORT_SUFFIX = {"soap11": "Soap", "soap12": "Soap12"}
GATEWAY_OBJECT = "ws_endpoint"  # the audit's object type for a call refused before dispatch

_ADDRESS_PLACEHOLDER = "http://ggzy-hub.invalid/ws-address"
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_OPERATION = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}")


class WsApplication(Application):
    """A spyne Application that knows the container its services work with."""

    def __init__(self, container: Container, *args: Any, **kwargs: Any) -> None:
        self.container = container
        super().__init__(*args, **kwargs)


def _status_line(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def _address(environ: Environ) -> str:
    """The endpoint's address as this caller reached it. A Host header that is not a plain
    host[:port] is not echoed into the WSDL."""
    scheme = "https" if environ.get("wsgi.url_scheme") == "https" else "http"
    host = str(environ.get("HTTP_HOST") or "")
    if not _HOST.fullmatch(host):
        host = f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    path = quote(f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}")
    return f"{scheme}://{host}{path}"


class WsWsgi(WsgiApplication):
    """spyne's WSGI server with our faults and a WSDL that names the caller's own address.

    spyne would build the WSDL once, with the address of whoever asked first, and serve that to
    everyone; a forged Host header could then point every client elsewhere. Here it is built
    once with a placeholder and each answer names the address its own request came to."""

    def __init__(self, app: WsApplication, soap_version: str, max_bytes: int) -> None:
        super().__init__(app, max_content_length=max_bytes)
        self.soap_version = soap_version
        self._template: bytes | None = None
        self._template_lock = threading.Lock()

    def _wsdl_template(self) -> bytes:
        with self._template_lock:
            if self._template is None:
                self.doc.wsdl11.build_interface_document(_ADDRESS_PLACEHOLDER)
                self._template = bytes(self.doc.wsdl11.get_interface_document())
            return self._template

    def handle_wsdl_request(self, req_env: Environ, start_response: StartResponse,
                            url: str) -> list[bytes]:
        address = escape(_address(req_env), {'"': "&quot;"}).encode()
        document = self._wsdl_template().replace(_ADDRESS_PLACEHOLDER.encode(), address)
        start_response(_status_line(200), [("Content-Type", "text/xml; charset=utf-8"),
                                           ("Content-Length", str(len(document)))])
        return [document]

    def handle_error(self, p_ctx: Any, others: Any, error: Any,
                     start_response: StartResponse) -> Iterable[bytes]:
        fault = faults.normalise(error)
        p_ctx.out_error = fault
        environ = p_ctx.transport.req_env
        if not fault.audited:
            principal = environ.get(security.PRINCIPAL_KEY)
            actor = principal.actor if isinstance(principal, Principal) else ANONYMOUS_ACTOR
            audit_apart(self.app.container, actor, _operation(p_ctx), GATEWAY_OBJECT,
                        endpoint(environ), environ, "fault", fault.code)
            fault.audited = True
        p_ctx.transport.resp_code = _status_line(faults.http_status(fault, self.soap_version))
        return super().handle_error(p_ctx, others, fault, start_response)


def _operation(p_ctx: Any) -> str:
    requested = str(getattr(p_ctx, "method_request_string", None) or "")
    name = requested.rsplit("}", 1)[-1]
    return name if _OPERATION.fullmatch(name) else "request"


def _gateway_hooks(container: Container) -> tuple[Admit, Refused]:
    window = timedelta(seconds=container.settings.limits.ws_created_window_seconds)

    @functools.cache
    def box() -> SecretBox:  # the key file is read (or made) when a digest first arrives
        return digest_box(container.settings)

    def admit(environ: Environ, envelope: etree._Element) -> None:
        presented = security.credential(envelope, environ.get("HTTP_AUTHORIZATION"))
        with container.uow() as uow:
            principal = security.authenticate(uow, presented, window=window, box=box)
            uow.commit()  # the nonce is used from now on, whatever the call does next
        environ[security.PRINCIPAL_KEY] = principal

    def refused(environ: Environ, operation: str, fault: WsFault) -> None:
        principal = environ.get(security.PRINCIPAL_KEY)
        actor = principal.actor if isinstance(principal, Principal) else ANONYMOUS_ACTOR
        audit_apart(container, actor, operation, GATEWAY_OBJECT, endpoint(environ), environ,
                    "fault", fault.code)
        fault.audited = True

    return admit, refused


def _quiet_spyne() -> None:
    """spyne logs every client fault with its traceback at ERROR; here each is an answered,
    audited refusal, not a failure of ours. Our own failures are logged by calls.py."""
    for name in ("spyne.application.client", "spyne.server._base"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _no_collection_per_call() -> None:
    """spyne ends a call with a full ``gc.collect()`` (at most once a second) to hand back the
    descriptors of its temporary files early. We give it no files, and a full collection in the
    serving process (the REST app, the engine and their caches) holds the GIL for as long as the
    heap takes to walk: seconds, on a busy heap, for every caller waiting behind it. Python's own
    generational collector is left to run as it always does."""
    spyne.const.MIN_GC_INTERVAL = math.inf


def build_ws_apps(container: Container) -> dict[str, WsgiApp]:
    """One gateway-wrapped spyne application per endpoint path (``/ws/<soap>/<service>``)."""
    _quiet_spyne()
    _no_collection_per_call()
    admit, refused = _gateway_hooks(container)
    limit = container.settings.max_body_bytes
    limits = container.settings.limits
    xml_limits = XmlLimits(max_elements=limits.xml_max_elements, max_depth=limits.xml_max_depth,
                           max_attributes=limits.xml_max_attributes,
                           max_attribute_chars=limits.xml_max_attribute_chars,
                           max_text_chars=limits.xml_max_text_chars)
    gate = ThreadGate(limits.large_body_concurrency)  # one for all endpoints of the process
    apps: dict[str, WsgiApp] = {}
    for version, (in_protocol, out_protocol) in SOAP_PROTOCOLS.items():
        for key, (service, tns, name) in SERVICES.items():
            application = WsApplication(
                container, [service], tns=tns, name=f"{name}{PORT_SUFFIX[version]}",
                in_protocol=in_protocol(validator="soft"), out_protocol=out_protocol())
            spyne_wsgi = WsWsgi(application, version, limit)
            apps[f"{WS_PREFIX}/{version}/{key}"] = HardenedXml(
                spyne_wsgi, soap_version=version, max_bytes=limit, limits=xml_limits,
                gate=gate, large_body_bytes=limits.large_body_bytes, admit=admit,
                refused=refused)
    return apps


class Dispatcher:
    """Routes ``/ws/<soap>/<service>`` (mounted at ``/ws``) to its application."""

    def __init__(self, apps: dict[str, WsgiApp]) -> None:
        self.apps = {path.removeprefix(WS_PREFIX): app for path, app in apps.items()}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", "")).rstrip("/")
        app = self.apps.get(path)
        if app is None:
            body = b"no such web service endpoint\n"
            start_response(_status_line(404), [("Content-Type", "text/plain; charset=utf-8"),
                                               ("Content-Length", str(len(body)))])
            return [body]
        environ["SCRIPT_NAME"] = f"{environ.get('SCRIPT_NAME', '')}{path}"
        environ["PATH_INFO"] = ""
        return app(environ, start_response)


def webservice_app(container: Container) -> Dispatcher:
    return Dispatcher(build_ws_apps(container))


def webservice_asgi(container: Container) -> ASGIApp:
    """The endpoints as one ASGI app for the REST app to mount at ``/ws`` (spyne is WSGI; a2wsgi
    runs it on a thread pool)."""
    return cast(ASGIApp, WSGIMiddleware(cast(Any, webservice_app(container))))


def ws_paths() -> tuple[str, ...]:
    return tuple(f"{WS_PREFIX}/{version}/{key}" for version in SOAP_PROTOCOLS for key in SERVICES)


def rest_body_limits() -> tuple[tuple[str, int], ...]:
    """For the REST app's BodySizeLimit: the SOAP endpoints enforce the same limit themselves,
    reading no more than it and answering with a SOAP Fault, so the outer cap steps aside for
    them instead of answering a SOAP client with problem+json."""
    return tuple((path, sys.maxsize) for path in ws_paths())
