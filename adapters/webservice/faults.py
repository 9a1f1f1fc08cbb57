"""Every refusal of the Web Service as a SOAP Fault with a stable code.

One mapping, used for every path a request can fail on (the XML gateway, the credentials, a
core refusal, spyne's own checks, an unexpected error), so a peer sees the same shape whatever
went wrong:

* ``faultcode`` ``Client.<CODE>`` (the caller can fix it) or ``Server.<CODE>`` (we failed); in
  SOAP 1.2 that is ``env:Sender`` / ``env:Receiver`` with ``<CODE>`` as the subcode. The two
  faults the SOAP specifications name for the envelope itself keep their own fault code:
  ``VersionMismatch.<CODE>`` / ``env:VersionMismatch`` (a wrong envelope namespace, answered
  with an Upgrade header that names what we speak) and ``MustUnderstand.<CODE>`` /
  ``env:MustUnderstand`` (a mandatory header we do not understand, listed in SOAP 1.2
  ``NotUnderstood`` headers).
* ``faultstring`` (SOAP 1.2 ``Reason``) in Chinese and English: ``<中文> / <English>``.
* ``detail`` holds ``{urn:ggzy-hub:ws:fault:1}Error`` with ``Code`` (the same code),
  ``MessageZh``, ``MessageEn`` and, where known, ``Field`` (the input at fault) and ``Cause``
  (the core's narrower code when the fault code is a general one).

The code is the core's own ``DomainError.code``, the same the REST API puts in its problem
documents, with one exception: the core's ``<THING>_NOT_FOUND`` codes are reported as
``NOT_FOUND`` (the operation already says which thing), the original code in ``Cause``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from spyne import Fault

from core.errors import DomainError, ErrorKind

FAULT_NS = "urn:ggzy-hub:ws:fault:1"
VERSION_MISMATCH = "VersionMismatch"
MUST_UNDERSTAND = "MustUnderstand"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# spyne's own refusals (raised before our code runs) and the stable codes we answer them with
_SPYNE_CLIENT_CODES = {
    "Client.ResourceNotFound": "UNKNOWN_OPERATION",
    "Client.RequestTooLong": "BODY_TOO_LARGE",
    "Client.RequestNotAllowed": "METHOD_NOT_ALLOWED",
}


class WsFault(Fault):
    """A Fault that knows its stable code and, when it is not the protocol's default, the HTTP
    status it travels with (413 for a body over the limit)."""

    def __init__(self, code: str, message_zh: str, message_en: str, *, server: bool = False,
                 field: str | None = None, cause: str | None = None,
                 http_status: int | None = None, soap_code: str | None = None,
                 reply_version: str | None = None,
                 not_understood: tuple[str, ...] = ()) -> None:
        error: dict[str, str] = {_q("Code"): code, _q("MessageZh"): message_zh,
                                 _q("MessageEn"): message_en}
        if field:
            error[_q("Field")] = field
        if cause and cause != code:
            error[_q("Cause")] = cause
        side = soap_code or ("Server" if server else "Client")
        super().__init__(f"{side}.{code}",
                         f"{message_zh} / {message_en}", detail={_q("Error"): error},
                         lang="zh")
        self.code = code
        self.server = server
        self.message_zh = message_zh
        self.message_en = message_en
        self.error = error
        self.http_status = http_status
        # VERSION_MISMATCH or MUST_UNDERSTAND in place of Client/Server (Sender/Receiver)
        self.soap_code = soap_code
        # "soap11" when a SOAP 1.2 endpoint answers a SOAP 1.1 envelope (SOAP 1.2 part 1, A)
        self.reply_version = reply_version
        self.not_understood = not_understood  # Clark names of the headers not understood
        self.audited = False  # set once the refusal has its audit entry


def _q(name: str) -> str:
    return f"{{{FAULT_NS}}}{name}"


def from_domain(err: DomainError) -> WsFault:
    """A core refusal: the caller's to fix (``Client``), unless what deciding it needs is
    missing on our side (``Server``, retry later)."""
    code = err.code
    if err.kind is ErrorKind.NOT_FOUND and code.endswith("_NOT_FOUND"):
        code = "NOT_FOUND"
    field = err.details.get("field")
    return WsFault(code, err.message_zh, err.message_en,
                   field=field if isinstance(field, str) else None, cause=err.code,
                   server=err.kind is ErrorKind.UNAVAILABLE)


def internal() -> WsFault:
    """What an unexpected error looks like from outside: no trace, no internals."""
    return WsFault("INTERNAL", "服务内部错误，请稍后重试", "internal error, please retry later",
                   server=True)


def normalise(error: Any) -> WsFault:
    """Any error spyne is about to answer with, as one of ours."""
    if isinstance(error, WsFault):
        return error
    if isinstance(error, DomainError):
        return from_domain(error)
    if isinstance(error, Fault):
        faultcode = str(error.faultcode or "")
        if faultcode == "Client" or faultcode.startswith("Client."):
            code = _SPYNE_CLIENT_CODES.get(faultcode, "INVALID_REQUEST")
            reason = str(error.faultstring or "")[:500]
            return WsFault(code, f"请求不符合服务描述（WSDL）：{reason}",
                           f"the request does not match the service description: {reason}")
    return internal()


def http_status(fault: WsFault, soap_version: str) -> int:
    """SOAP 1.1 answers every fault with 500 (WS-I Basic Profile R1126); SOAP 1.2 with 400 for
    the sender's faults and 500 for ours, for VersionMismatch and for MustUnderstand (SOAP 1.2
    part 2, 7.5.1.2). A body over the limit is 413 and a method other than POST 405 in both."""
    if fault.http_status is not None:
        return fault.http_status
    if (fault.reply_version or soap_version) == "soap12" and not fault.server and (
            fault.soap_code is None):
        return 400
    return 500


def envelope(fault: WsFault, soap_version: str) -> bytes:
    """The Fault as a whole SOAP envelope, for refusals made before spyne parses anything; the
    same shape spyne gives the faults it serialises itself."""
    version = fault.reply_version or soap_version
    ns = SOAP12_ENV if version == "soap12" else SOAP11_ENV
    env = "soap12env" if version == "soap12" else "soap11env"
    root = etree.Element(f"{{{ns}}}Envelope", nsmap={env: ns})
    _fault_headers(root, fault, ns, soap_version)
    body = etree.SubElement(root, f"{{{ns}}}Body")
    node = etree.SubElement(body, f"{{{ns}}}Fault")
    if version == "soap12":
        code = etree.SubElement(node, f"{{{ns}}}Code")
        side = fault.soap_code or ("Receiver" if fault.server else "Sender")
        etree.SubElement(code, f"{{{ns}}}Value").text = f"{env}:{side}"
        sub = etree.SubElement(code, f"{{{ns}}}Subcode")
        etree.SubElement(sub, f"{{{ns}}}Value").text = fault.code
        reason = etree.SubElement(node, f"{{{ns}}}Reason")
        text = etree.SubElement(reason, f"{{{ns}}}Text")
        text.set(f"{{{XML_NS}}}lang", "zh")
        text.text = fault.faultstring
        detail = etree.SubElement(node, f"{{{ns}}}Detail")
    else:
        side = fault.soap_code or ("Server" if fault.server else "Client")
        etree.SubElement(node, "faultcode").text = f"{env}:{side}.{fault.code}"
        etree.SubElement(node, "faultstring").text = fault.faultstring
        detail = etree.SubElement(node, "detail")
    error = etree.SubElement(detail, _q("Error"), nsmap={"ggzyf": FAULT_NS})
    for key, value in fault.error.items():
        etree.SubElement(error, key).text = value
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _fault_headers(root: etree._Element, fault: WsFault, ns: str, endpoint: str) -> None:
    """SOAP 1.2's headers of its two envelope faults: ``Upgrade`` names the envelope this
    endpoint speaks (part 1, 5.4.7; in a SOAP 1.1 answer too, appendix A), and one
    ``NotUnderstood`` per mandatory header we do not understand (5.4.8)."""
    upgrade = fault.soap_code == VERSION_MISMATCH and endpoint == "soap12"
    if not upgrade and not (fault.not_understood and ns == SOAP12_ENV):
        return
    header = etree.SubElement(root, f"{{{ns}}}Header")
    if upgrade:
        node = etree.SubElement(header, f"{{{SOAP12_ENV}}}Upgrade", nsmap={"upg": SOAP12_ENV})
        supported = etree.SubElement(node, f"{{{SOAP12_ENV}}}SupportedEnvelope",
                                     nsmap={"ns1": SOAP12_ENV})
        supported.set("qname", "ns1:Envelope")
        return
    for index, clark in enumerate(fault.not_understood, start=1):
        name = etree.QName(clark)
        prefix = f"nu{index}"
        node = etree.SubElement(header, f"{{{SOAP12_ENV}}}NotUnderstood",
                                nsmap={prefix: name.namespace} if name.namespace else None)
        node.set("qname", f"{prefix}:{name.localname}" if name.namespace else name.localname)
