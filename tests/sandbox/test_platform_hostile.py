"""The same hostile set sent to every binding of every platform peer (Fujian and Shanxi speak
SOAP 1.1, the national peer 1.1 and 1.2): each answer is a SOAP Fault in a SOAP envelope, never
a plain-text 500, and the peer stores nothing. Before, an empty Body, a body in another encoding
than its charset, or (national, SOAP 1.2) any request spyne's schema refused crashed the peer
into ``text/plain`` 500s."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from sandbox.platforms import fujian, national, shanxi
from sandbox.platforms.app import PlatformApp
from tests.sandbox.platform_peers import records, served, stats

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
CONTENT_TYPES = {"1.1": "text/xml; charset=utf-8", "1.2": "application/soap+xml; charset=utf-8"}
# each peer, its one operation (what an envelope here calls) and the versions it serves
PEERS: dict[str, tuple[Callable[[Path], PlatformApp], str, str, tuple[str, ...]]] = {
    "fujian": (lambda p: fujian.create_app(p, senders={"0001": "secret01"}),
               "http://tempuri.org/", "UploadData_G_V4", ("1.1",)),
    "shanxi": (lambda p: shanxi.create_app(p, users={"1234567890": "key"},
                                           credit_codes={"1234567890": "91350100M000100Y43"}),
               "http://server.webservice.pspde.sxca.com/", "receiveInfo", ("1.1",)),
    "national": (lambda p: national.create_app(p, platforms={"E3500000717": "secret"}),
                 "urn:ggzy-hub:national-exchange:1", "SubmitRecord", ("1.1", "1.2")),
}
BINDINGS = [(peer, version) for peer in PEERS for version in ("1.1", "1.2")]


def _env(version: str) -> str:
    return SOAP12 if version == "1.2" else SOAP11


def envelope(version: str, body: str, header: str = "", declaration: str = "") -> bytes:
    return (f'{declaration}<s:Envelope xmlns:s="{_env(version)}"><s:Header>{header}'
            f"</s:Header><s:Body>{body}</s:Body></s:Envelope>").encode()


def operation(peer: str, inner: str = "", attributes: str = "") -> str:
    _, tns, name, _ = PEERS[peer]
    return f'<o:{name} xmlns:o="{tns}"{attributes}>{inner}</o:{name}>'


def hostile(peer: str, version: str) -> dict[str, bytes]:
    call = operation(peer, "<o:x>y</o:x>")
    return {
        "malformed": envelope(version, call)[:-25],
        "empty http body": b"",
        "empty soap body": envelope(version, ""),
        "self-closed body": f'<s:Envelope xmlns:s="{_env(version)}"><s:Body/></s:Envelope>'
                            .encode(),
        "no body": f'<s:Envelope xmlns:s="{_env(version)}"><s:Header/></s:Envelope>'.encode(),
        "two operations": envelope(version, call * 2),
        "unknown operation": envelope(version, '<u:Nothing xmlns:u="urn:nothing"/>'),
        "other envelope namespace": b'<e:Envelope xmlns:e="urn:not-soap"><e:Body/></e:Envelope>',
        "other soap version": envelope("1.2" if version == "1.1" else "1.1", call),
        "not soap": b"<hello>world</hello>",
        "many attributes": envelope(version, operation(
            peer, "", "".join(f' a{i}="1"' for i in range(20_000)))),
        "many elements": envelope(version, operation(peer, "<o:x/>" * 20_000)),
        "deep nesting": envelope(version, operation(peer, "<o:d>" * 200 + "</o:d>" * 200)),
        "latin-1 bytes said to be utf-8": envelope(version, operation(peer, "<o:x>café</o:x>"))
                                          .replace("é".encode(), b"\xe9"),
        "declaration against charset": envelope(version, operation(peer, "<o:x>中</o:x>"),
                                                declaration='<?xml version="1.0" '
                                                            'encoding="GB18030"?>')
                                       .replace("中".encode(), "中".encode("gb18030")),
        "utf-32": envelope(version, call).decode().encode("utf-32"),
        "doctype": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + envelope(version,
                                                                                     call),
        "mandatory unknown header": envelope(version, call, '<h:Route xmlns:h="urn:route" '
                                             's:mustUnderstand="1"/>'),
    }


@pytest.fixture(scope="module")
def urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile-peers")
    with served(PEERS["fujian"][0](folder / "f.db")) as f, \
            served(PEERS["shanxi"][0](folder / "s.db")) as s, \
            served(PEERS["national"][0](folder / "n.db")) as n:
        yield {"fujian": f, "shanxi": s, "national": n}


def _fault(response: httpx.Response) -> tuple[str, str]:
    """(envelope version, fault code without its dotted detail) of a SOAP Fault answer."""
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith(("text/xml", "application/soap+xml")), (
        response.status_code, content_type, response.text[:200])
    root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False,
                                                              no_network=True))
    for version, ns in (("1.1", SOAP11), ("1.2", SOAP12)):
        fault = root.find(f"{{{ns}}}Body/{{{ns}}}Fault")
        if fault is not None:
            code = (fault.findtext("faultcode") if version == "1.1"
                    else fault.findtext(f"{{{ns}}}Code/{{{ns}}}Value"))
            return version, (code or "").rsplit(":", 1)[-1].split(".")[0]
    raise AssertionError(f"no SOAP Fault in {response.text[:300]}")


CASES = tuple(hostile("national", "1.1"))
SENDER = ("Client", "Sender")
# well-formed envelopes of a version the peer may serve: spyne's schema check answers them
SPYNE_ANSWERS = ("unknown operation", "other soap version")


def expected(case: str, served_here: bool) -> tuple[str, ...]:
    """The fault codes a case may get: a SOAP 1.1-only peer answers every SOAP 1.2 envelope
    with VersionMismatch first; otherwise the sender is at fault, save for the two envelope
    faults the specifications name."""
    if not served_here and case not in (
            "malformed", "empty http body", "other envelope namespace", "not soap", "doctype",
            "utf-32", "latin-1 bytes said to be utf-8", "declaration against charset",
            "many attributes", "many elements", "deep nesting", "other soap version"):
        return ("VersionMismatch",)
    if case == "mandatory unknown header":
        return ("MustUnderstand",)
    if case == "other soap version":
        return ("VersionMismatch", *SENDER)  # 1.2 at a 1.1-only peer; else the body is wrong
    return SENDER


@pytest.mark.parametrize(("peer", "version"), BINDINGS)
class TestEveryBindingAnswersWithAFault:
    @pytest.mark.parametrize("case", CASES)
    def test_hostile_input(self, urls: dict[str, str], peer: str, version: str,
                           case: str) -> None:
        url = urls[peer]
        before = stats(url)["refused"]
        response = httpx.post(url + "/", content=hostile(peer, version)[case], timeout=30,
                              headers={"Content-Type": CONTENT_TYPES[version]})
        assert response.status_code in (400, 413, 500), response.status_code
        _, code = _fault(response)
        assert code in expected(case, version in PEERS[peer][3]), code
        assert records(url) == []
        if case not in SPYNE_ANSWERS:  # the shell refused it, and counts that
            assert stats(url)["refused"] > before
