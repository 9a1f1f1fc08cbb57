"""The recording peer's SOAP 1.1 door: its WSDL, a hardened reader, answers and faults.

Written by hand from the SOAP 1.1 and WSDL 1.1 texts (document/literal, wrapped), not generated
from our own adapters, so that a client the hub builds from this WSDL (zeep) is checked against
the protocol rather than against itself.

One operation::

    Deliver(idempotencyKey: string, orderingKey?: string, payload: string)
        -> DeliverResult(status: string, id: int)

Untrusted XML is read by one parser with no DTD, no entities, no network and no huge trees, and
a document that carries a DOCTYPE at all is refused before and after parsing (a DTD is how entity
expansion and external fetches get in).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

TNS = "urn:ggzy-sandbox:recorder"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
CONTENT_TYPE = "text/xml; charset=utf-8"

_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_HEADER = f"{{{SOAP_ENV}}}Header"
_BODY = f"{{{SOAP_ENV}}}Body"
_DELIVER = f"{{{TNS}}}Deliver"
_KEY = f"{{{TNS}}}idempotencyKey"
_ORDERING = f"{{{TNS}}}orderingKey"
_PAYLOAD = f"{{{TNS}}}payload"
_MUST_UNDERSTAND = f"{{{SOAP_ENV}}}mustUnderstand"

MAX_KEY_LENGTH = 256
_NO_DOCTYPE = "DOCTYPE and entity declarations are refused"


def wsdl(address: str) -> bytes:
    """The service description, with ``address`` as the endpoint a client should call."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="Recorder" targetNamespace="{TNS}"
    xmlns:tns="{TNS}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <wsdl:documentation>Sandbox recording peer: records each delivery once per idempotency key and
    counts repeats.</wsdl:documentation>
  <wsdl:types>
    <xsd:schema targetNamespace="{TNS}" elementFormDefault="qualified">
      <xsd:element name="Deliver">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="idempotencyKey" type="xsd:string"/>
            <xsd:element name="orderingKey" type="xsd:string" minOccurs="0"/>
            <xsd:element name="payload" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:complexType name="DeliverResult">
        <xsd:sequence>
          <xsd:element name="status" type="xsd:string"/>
          <xsd:element name="id" type="xsd:int"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="DeliverResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="DeliverResult" type="tns:DeliverResult"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="DeliverRequest">
    <wsdl:part name="parameters" element="tns:Deliver"/>
  </wsdl:message>
  <wsdl:message name="DeliverResponse">
    <wsdl:part name="parameters" element="tns:DeliverResponse"/>
  </wsdl:message>
  <wsdl:portType name="RecorderPortType">
    <wsdl:operation name="Deliver">
      <wsdl:input message="tns:DeliverRequest"/>
      <wsdl:output message="tns:DeliverResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="RecorderBinding" type="tns:RecorderPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Deliver">
      <soap:operation soapAction="{TNS}#Deliver" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="RecorderService">
    <wsdl:port name="RecorderPort" binding="tns:RecorderBinding">
      <soap:address location="{escape(address, {'"': "&quot;"})}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
""".encode()


class SoapFault(Exception):
    """A request the peer refuses; becomes a SOAP 1.1 Fault (HTTP 500, as SOAP 1.1 requires)."""

    def __init__(self, faultcode: str, code: str, faultstring: str) -> None:
        super().__init__(faultstring)
        self.faultcode = faultcode  # Client | Server | VersionMismatch | MustUnderstand
        self.code = code            # stable, machine-readable, in <detail>
        self.faultstring = faultstring


@dataclass(frozen=True)
class Delivery:
    idempotency_key: str
    ordering_key: str | None
    payload: str


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, dtd_validation=False, remove_pis=True,
                           remove_comments=True, collect_ids=False)


_PARSER = _parser()  # lxml parsers are not thread-safe; the peer parses on its loop only


def _child_text(parent: etree._Element, tag: str) -> str | None:
    element = parent.find(tag)
    if element is None:
        return None
    if len(element):
        raise SoapFault("Client", "INVALID_ELEMENT",
                        f"{etree.QName(tag).localname} must hold text, not elements")
    return element.text or ""


def read_delivery(body: bytes) -> Delivery:
    """Parse a Deliver request, or raise SoapFault saying what is wrong with it."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise SoapFault("Client", "DOCTYPE_FORBIDDEN", _NO_DOCTYPE)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as err:
        raise SoapFault("Client", "MALFORMED_XML", f"not well-formed XML: {err}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        # e.g. a DOCTYPE hidden from the byte scan by a UTF-16 encoding
        raise SoapFault("Client", "DOCTYPE_FORBIDDEN", _NO_DOCTYPE)
    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        raise SoapFault("VersionMismatch", "SOAP_VERSION", "this endpoint speaks SOAP 1.1 only")
    if root.tag != _ENVELOPE:
        raise SoapFault("Client", "NOT_AN_ENVELOPE", "the document is not a SOAP 1.1 Envelope")
    header = root.find(_HEADER)
    if header is not None:
        for block in header:
            if block.get(_MUST_UNDERSTAND) in ("1", "true"):
                raise SoapFault("MustUnderstand", "MUST_UNDERSTAND",
                                f"header {block.tag} is not understood")
    soap_body = root.find(_BODY)
    if soap_body is None or len(soap_body) != 1:
        raise SoapFault("Client", "NO_OPERATION", "the Body must hold exactly one operation")
    operation = soap_body[0]
    if operation.tag != _DELIVER:
        raise SoapFault("Client", "UNKNOWN_OPERATION",
                        f"unknown operation {operation.tag}; this service has {_DELIVER}")
    key = _child_text(operation, _KEY)
    if not key or not key.strip():
        raise SoapFault("Client", "MISSING_IDEMPOTENCY_KEY", "idempotencyKey is required")
    if len(key) > MAX_KEY_LENGTH:
        raise SoapFault("Client", "INVALID_IDEMPOTENCY_KEY",
                        f"idempotencyKey is longer than {MAX_KEY_LENGTH} characters")
    payload = _child_text(operation, _PAYLOAD)
    if payload is None:
        raise SoapFault("Client", "MISSING_PAYLOAD", "payload is required")
    return Delivery(key, _child_text(operation, _ORDERING) or None, payload)


def result_envelope(status: str, message_id: int) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:tns="{TNS}"><soap:Body>'
            f"<tns:DeliverResponse><tns:DeliverResult><tns:status>{escape(status)}</tns:status>"
            f"<tns:id>{int(message_id)}</tns:id></tns:DeliverResult></tns:DeliverResponse>"
            f"</soap:Body></soap:Envelope>").encode()


def fault_envelope(faultcode: str, code: str, faultstring: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:tns="{TNS}"><soap:Body><soap:Fault>'
            f"<faultcode>soap:{escape(faultcode)}</faultcode>"
            f"<faultstring>{escape(faultstring)}</faultstring>"
            f"<detail><tns:code>{escape(code)}</tns:code></detail>"
            f"</soap:Fault></soap:Body></soap:Envelope>").encode()


MALFORMED_ANSWER = (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}">'
                    "<soap:Body><tns:DeliverResponse><status>accep").encode()
