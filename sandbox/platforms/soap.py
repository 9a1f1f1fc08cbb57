"""SOAP plumbing the peers share: versions, envelope rules, hand-made faults, spyne's input
protocols, and the served WSDL.

The input protocols (``PeerSoap11``, ``PeerSoap12``) take the envelope the shell parsed
(``ENVELOPE_KEY``) instead of parsing the body again: one hardened parser, no decoding by the
HTTP charset behind its back, no SOAP-encoding ``href`` resolution. They also hand spyne's
schema-validation messages on as text: spyne made them bytes, which its SOAP 1.2 fault writer
could not take, so a SOAP 1.2 request that failed validation got a plain 500.

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
from spyne.protocol.soap import Soap11, Soap12
from spyne.protocol.xml import SchemaValidationError

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
CONTENT_TYPES = {"1.1": "text/xml; charset=utf-8", "1.2": "application/soap+xml; charset=utf-8"}
ENVELOPE_KEY = "ggzy.platforms.envelope"  # the parsed envelope, for spyne and the services
WSSE_SECURITY = ("{http://docs.oasis-open.org/wss/2004/01/"
                 "oasis-200401-wss-wssecurity-secext-1.0.xsd}Security")
_ENVELOPE_NS = {"1.1": SOAP11_ENV, "1.2": SOAP12_ENV}
_OUR_ROLES = {"1.1": ("http://schemas.xmlsoap.org/soap/actor/next",),
              "1.2": (f"{SOAP12_ENV}/role/next", f"{SOAP12_ENV}/role/ultimateReceiver")}
_PLACEHOLDER = "http://ggzy-sandbox.invalid/"
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def version_of(root: Any) -> str | None:
    """"1.1" or "1.2" for a SOAP Envelope, None for anything else."""
    if root.tag == f"{{{SOAP11_ENV}}}Envelope":
        return "1.1"
    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        return "1.2"
    return None


class EnvelopeRefused(ValueError):
    """The envelope breaks a SOAP rule; ``code`` is the fault code when it is not the sender's
    ordinary Client/Sender fault (VersionMismatch, MustUnderstand)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def check_envelope(envelope: Any, version: str, understood: frozenset[str]) -> None:
    """An optional Header, one Body with exactly one operation, and no header marked
    mustUnderstand for this node that it does not understand (SOAP 1.1 §4.2.3, 1.2 §5.2.3)."""
    ns = _ENVELOPE_NS[version]
    names = [child.tag for child in envelope]
    if names not in ([f"{{{ns}}}Body"], [f"{{{ns}}}Header", f"{{{ns}}}Body"]):
        raise EnvelopeRefused("the Envelope must hold an optional Header and one Body")
    if len(names) == 2:
        role_attribute = f"{{{ns}}}{'role' if version == '1.2' else 'actor'}"
        for block in envelope[0]:
            must = (block.get(f"{{{ns}}}mustUnderstand") or "").strip()
            role = block.get(role_attribute)
            if must in ("1", "true") and (role is None or role in _OUR_ROLES[version]) and (
                    block.tag not in understood):
                raise EnvelopeRefused(f"header {block.tag} is not understood",
                                      "soap:MustUnderstand")
    operations = list(envelope[-1])
    if len(operations) != 1:
        raise EnvelopeRefused(f"the Body must hold one operation, it holds {len(operations)}")


class _Parsed:
    def create_in_document(self, ctx: Any, charset: str | None = None) -> None:
        ctx.in_document = (ctx.transport.req_env[ENVELOPE_KEY], {})

    def validate_body(self, ctx: Any, message: Any) -> None:
        try:
            super().validate_body(ctx, message)  # type: ignore[misc]
        except SchemaValidationError as err:
            text = err.faultstring
            raise SchemaValidationError(text.decode("ascii", "replace")
                                        if isinstance(text, bytes) else text) from None


class PeerSoap11(_Parsed, Soap11):
    pass


class PeerSoap12(_Parsed, Soap12):
    pass


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
