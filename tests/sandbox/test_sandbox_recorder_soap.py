"""The SOAP door: zeep reads the WSDL and calls Deliver; hostile XML is refused with a Fault."""

from __future__ import annotations

import httpx
import pytest
import zeep
import zeep.exceptions
from lxml import etree

from sandbox.recorder import RecordingPeerProcess

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "urn:ggzy-sandbox:recorder"
CT = {"content-type": "text/xml; charset=utf-8", "SOAPAction": f'"{TNS}#Deliver"'}


def zeep_client(peer: RecordingPeerProcess, channel: str) -> zeep.Client:
    return zeep.Client(peer.wsdl_url(channel), settings=zeep.Settings(forbid_dtd=True))


def envelope(inner: str, prolog: str = "") -> bytes:
    return (f'{prolog}<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:r="{TNS}"><soap:Body>'
            f"{inner}</soap:Body></soap:Envelope>").encode()


def deliver_xml(key: str, payload: str = "p") -> str:
    return (f"<r:Deliver><r:idempotencyKey>{key}</r:idempotencyKey>"
            f"<r:payload>{payload}</r:payload></r:Deliver>")


def fault_of(answer: httpx.Response) -> tuple[str, str, str]:
    """(faultcode, faultstring, detail code) of a SOAP Fault answer."""
    assert answer.status_code == 500, answer.text
    root = etree.fromstring(answer.content, etree.XMLParser(resolve_entities=False))
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, answer.text
    return (fault.findtext("faultcode") or "", fault.findtext("faultstring") or "",
            fault.findtext(f"detail/{{{TNS}}}code") or "")


def test_zeep_delivers_once_per_key_and_repeats_are_counted(peer: RecordingPeerProcess) -> None:
    client = zeep_client(peer, "contracts")
    first = client.service.Deliver(idempotencyKey="c-1", orderingKey="T1",
                                   payload='<合同 编号="1">供水</合同>')
    assert (first.status, type(first.id)) == ("accepted", int)
    again = client.service.Deliver(idempotencyKey="c-1", orderingKey="T1", payload="x")
    assert (again.status, again.id) == ("duplicate", first.id)
    second = client.service.Deliver(idempotencyKey="c-2", payload="{}")
    assert second.status == "accepted"

    stats = peer.control.stats()
    assert stats["by_channel"]["contracts"] == {"accepted": 2, "duplicates": 1,
                                                "faults_injected": 0}
    records = peer.control.messages(channel="contracts")
    assert [(m["transport"], m["idempotency_key"], m["ordering_key"], m["body"])
            for m in records] == [("soap", "c-1", "T1", '<合同 编号="1">供水</合同>'),
                                  ("soap", "c-2", None, "{}")]


def test_the_wsdl_points_at_the_channel_it_was_fetched_from(peer: RecordingPeerProcess,
                                                          client: httpx.Client) -> None:
    answer = client.get(peer.wsdl_url("bank.notices"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(answer.content)
    assert root.get("targetNamespace") == TNS
    address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address is not None
    assert address.get("location") == peer.soap_url("bank.notices")


def test_http_and_soap_doors_share_a_channel_and_its_keys(peer: RecordingPeerProcess,
                                                         client: httpx.Client) -> None:
    http = client.post(peer.http_url("shared"), content=b"{}", headers={"Idempotency-Key": "k"})
    assert http.json()["status"] == "accepted"
    soap = zeep_client(peer, "shared").service.Deliver(idempotencyKey="k", payload="{}")
    assert (soap.status, soap.id) == ("duplicate", http.json()["id"])


def test_a_refused_call_is_a_client_fault_through_zeep(peer: RecordingPeerProcess) -> None:
    with pytest.raises(zeep.exceptions.Fault) as caught:
        zeep_client(peer, "contracts").service.Deliver(idempotencyKey="", payload="p")
    assert caught.value.code == "soap:Client"
    assert "idempotencyKey" in caught.value.message
    assert peer.control.stats()["accepted"] == 0


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""

HOSTILE = {
    "internal entity": (envelope(deliver_xml("h-1", "&x;"),
                                 '<!DOCTYPE e [<!ENTITY x "boom">]>'), "DOCTYPE_FORBIDDEN"),
    "billion laughs": (envelope(deliver_xml("h-2", "&lol9;"), BILLION_LAUGHS),
                       "DOCTYPE_FORBIDDEN"),
    "external entity": (envelope(deliver_xml("h-3", "&xxe;"),
                                 '<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
                        "DOCTYPE_FORBIDDEN"),
    "doctype in UTF-16": (('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE e []>'
                           + envelope(deliver_xml("h-4")).decode()).encode("utf-16"),
                          "DOCTYPE_FORBIDDEN"),
    "not well-formed": (b"<soap:Envelope><unclosed>", "MALFORMED_XML"),
    "empty body": (b"", "MALFORMED_XML"),
    "not an envelope": (b"<Deliver/>", "NOT_AN_ENVELOPE"),
    "unknown operation": (envelope("<r:Cancel/>"), "UNKNOWN_OPERATION"),
    "no payload": (envelope("<r:Deliver><r:idempotencyKey>h-5</r:idempotencyKey></r:Deliver>"),
                   "MISSING_PAYLOAD"),
    "elements for a key": (envelope("<r:Deliver><r:idempotencyKey><b>x</b></r:idempotencyKey>"
                                    "<r:payload>p</r:payload></r:Deliver>"), "INVALID_ELEMENT"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_or_broken_xml_is_a_client_fault_and_nothing_is_recorded(
        name: str, peer: RecordingPeerProcess, client: httpx.Client) -> None:
    body, code = HOSTILE[name]
    faultcode, faultstring, detail = fault_of(client.post(peer.soap_url("contracts"),
                                                          content=body, headers=CT))
    assert (faultcode, detail) == ("soap:Client", code), faultstring
    assert "boom" not in faultstring and "root:" not in faultstring
    stats = peer.control.stats()
    assert (stats["accepted"], stats["duplicates"]) == (0, 0)


def test_soap_1_2_and_must_understand_headers_get_their_own_faultcodes(
        peer: RecordingPeerProcess, client: httpx.Client) -> None:
    soap12 = (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/>'
              b"</e:Envelope>")
    assert fault_of(client.post(peer.soap_url("c"), content=soap12, headers=CT)
                    )[0] == "soap:VersionMismatch"
    must = (f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:r="{TNS}"><soap:Header>'
            f'<x:Security xmlns:x="urn:x" soap:mustUnderstand="1"/></soap:Header><soap:Body>'
            f"{deliver_xml('mu')}</soap:Body></soap:Envelope>").encode()
    assert fault_of(client.post(peer.soap_url("c"), content=must, headers=CT)
                    )[0] == "soap:MustUnderstand"
    assert peer.control.stats()["accepted"] == 0
