"""SOAP plumbing the peers share: versions, hand-made faults, and the served WSDL.

spyne writes each peer's WSDL from its service definition; ``WsdlTemplate`` then lets a peer
adjust the names the real system uses (ports, soapAction) and puts the address the client
actually called into ``soap:address`` on every request, so a client built from ``/?wsdl`` on any
host or port posts back to the same peer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from spyne.interface.wsdl import Wsdl11

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
CONTENT_TYPES = {"1.1": "text/xml; charset=utf-8", "1.2": "application/soap+xml; charset=utf-8"}
_PLACEHOLDER = "http://ggzy-sandbox.invalid/"
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def version_of(root: Any) -> str | None:
    """"1.1" or "1.2" for a SOAP Envelope, None for anything else."""
    if root.tag == f"{{{SOAP11_ENV}}}Envelope":
        return "1.1"
    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        return "1.2"
    return None


def fault(version: str, sender_at_fault: bool, message: str,
          code: str | None = None) -> bytes:
    """A Fault envelope: Client/Sender when the request is to blame, Server/Receiver otherwise."""
    text = escape(message)
    if version == "1.2":
        value = code or ("soap:Sender" if sender_at_fault else "soap:Receiver")
        return (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP12_ENV}">'
                f"<soap:Body><soap:Fault><soap:Code><soap:Value>{value}</soap:Value></soap:Code>"
                f'<soap:Reason><soap:Text xml:lang="en">{text}</soap:Text></soap:Reason>'
                "</soap:Fault></soap:Body></soap:Envelope>").encode()
    value = code or ("soap:Client" if sender_at_fault else "soap:Server")
    return (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP11_ENV}">'
            f"<soap:Body><soap:Fault><faultcode>{value}</faultcode>"
            f"<faultstring>{text}</faultstring></soap:Fault></soap:Body></soap:Envelope>").encode()


def base_url(environ: dict[str, Any]) -> str:
    """The URL the client called this peer by, for ``soap:address``; the server's own if the
    Host header is not a plain host[:port] (it is echoed into the WSDL)."""
    host = environ.get("HTTP_HOST", "")
    if not _HOST.fullmatch(host):
        host = f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '80')}"
    scheme = "https" if environ.get("wsgi.url_scheme") == "https" else "http"
    script = environ.get("SCRIPT_NAME", "").rstrip("/")
    return f"{scheme}://{host}{script}/"


def spyne_wsdl(wsgi_app: Any) -> Any:
    """spyne's WSDL for ``wsgi_app`` (a spyne WsgiApplication), as an lxml tree to adjust."""
    wsdl = Wsdl11(wsgi_app.app.interface)
    wsdl.build_interface_document(_PLACEHOLDER)
    return etree.fromstring(wsdl.get_interface_document())


class WsdlTemplate:
    """A finished WSDL document whose addresses are filled in per request."""

    def __init__(self, tree: Any) -> None:
        self._text = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
        if _PLACEHOLDER.encode() not in self._text:
            raise ValueError("the WSDL has no soap:address to fill in")

    def render(self, environ: dict[str, Any]) -> bytes:
        location = quoteattr(base_url(environ))[1:-1].encode()
        return self._text.replace(_PLACEHOLDER.encode(), location)


def rename(tree: Any, kind: str, old: str, new: str) -> None:
    """Rename a wsdl:``kind`` (portType, binding, port) and the references to it."""
    for element in tree.iter(f"{{{WSDL_NS}}}{kind}"):
        if element.get("name") == old:
            element.set("name", new)
    attribute = {"portType": "type", "binding": "binding"}.get(kind)
    if attribute is None:
        return
    for element in tree.iter():
        value = element.get(attribute)
        if value is not None and value.split(":")[-1] == old and ":" in value:
            element.set(attribute, value.rsplit(":", 1)[0] + ":" + new)


def set_soap_actions(tree: Any, action: Callable[[str], str]) -> None:
    """soapAction of every operation binding, from the operation name."""
    for operation in tree.iter(f"{{{WSDL_NS}}}operation"):
        for child in operation:
            if child.tag in (f"{{{WSDL_SOAP11}}}operation", f"{{{WSDL_SOAP12}}}operation"):
                child.set("soapAction", action(operation.get("name")))
