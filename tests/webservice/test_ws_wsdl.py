"""The served service descriptions: every endpoint's WSDL loads in a strict zeep client, names
its SOAP version's binding, and names the address the caller itself used."""

from __future__ import annotations

import httpx
import pytest
import zeep
from lxml import etree

from tests.webservice.conftest import SERVICES, ZEEP_SETTINGS, Live

WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
OPERATIONS = {
    "query": {"GetProject", "GetSection", "GetNotice", "ListNotices", "GetOpeningRecord",
              "GetCandidates", "GetResult", "GetContract", "ListProjects"},
    "push": {"ReceiveLegalPerson", "ReceiveCreditRecord", "ReceiveExpert"},
    "supervision": {"SuspendSection", "ResumeSection", "TerminateSection"},
}


def _wsdl(live: Live, soap: str, service: str, host: str | None = None) -> etree._Element:
    headers = {"Host": host} if host else {}
    response = httpx.get(live.url(soap, service) + "?wsdl", headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(response.content, parser)


def _address(root: etree._Element, soap: str) -> str:
    ns = WSDL_SOAP12 if soap == "soap12" else WSDL_SOAP11
    (address,) = root.iter(f"{{{ns}}}address")
    return str(address.get("location"))


@pytest.mark.parametrize("soap", ["soap11", "soap12"])
@pytest.mark.parametrize("service", SERVICES)
def test_every_endpoint_describes_itself(live: Live, soap: str, service: str) -> None:
    client = zeep.Client(live.url(soap, service) + "?wsdl", settings=ZEEP_SETTINGS)
    (port,) = [p for s in client.wsdl.services.values() for p in s.ports.values()]
    expected = "Soap12Binding" if soap == "soap12" else "Soap11Binding"
    assert type(port.binding).__name__ == expected
    assert set(port.binding._operations) == OPERATIONS[service]
    assert _address(_wsdl(live, soap, service), soap) == live.url(soap, service)
    assert port.binding_options["address"] == live.url(soap, service)


def test_the_address_is_the_callers_own_and_a_forged_host_is_not_echoed(live: Live) -> None:
    other = _wsdl(live, "soap11", "query", host="ggzy.example.gov.cn:8443")
    assert _address(other, "soap11") == "http://ggzy.example.gov.cn:8443/ws/soap11/query"
    forged = _wsdl(live, "soap11", "query", host='evil"><x a="')
    assert "evil" not in _address(forged, "soap11")
    # the first caller's host is not kept for the next one
    assert _address(_wsdl(live, "soap11", "query"), "soap11") == live.url("soap11", "query")


def test_unknown_endpoint(live: Live) -> None:
    response = httpx.get(f"{live.base}/ws/soap11/nothing?wsdl", timeout=30)
    assert response.status_code == 404
