"""A live server for the Web Service tests: uvicorn on a free loopback port, on a database of
its own, filled by the demo (a whole tender driven to its contract on a moved clock).

One server for the whole package: loading the demo takes a few seconds. Tests that change
records (pushes, supervision) work on objects no other test reads.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import zeep
import zeep.exceptions
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree
from sqlalchemy import func, inspect, select, text
from zeep.wsse.username import UsernameToken

from adapters.bootstrap import Container, build
from adapters.db.migrate import upgrade
from adapters.demo import load_sample_data
from adapters.rest.app import create_app
from core.model.account import Account, AccountKind
from core.model.audit import AuditEntry
from core.model.notice import Notice
from core.model.project import Project, Section
from core.security.principal import Principal
from core.security.tokens import issue_token
from core.services.accounts import NewAccount, create_account, principal_of
from core.services.tendering import rounds
from tests.builders.rounds import configure_or_correct
from tests.conftest import create_database, drop_database, settings_for
from tests.live import free_port

PASSWORD = "ws correct horse battery"
ZEEP_SETTINGS = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True, xml_huge_tree=False)
AUDIT_TABLES = frozenset({"audit_log", "audit_head"})
SERVICES = ("query", "push", "supervision")


@dataclass
class Live:
    base: str
    container: Container
    project_code: str
    section_codes: list[str]  # [0] went through the whole demo tender; [1] has no round
    notice_id: int
    bearer: str  # a token of the system client
    accounts: dict[str, AccountKind] = field(default_factory=dict)

    def url(self, soap: str, service: str) -> str:
        return f"{self.base}/ws/{soap}/{service}"

    def zeep(self, soap: str, service: str, username: str | None = "ws-system",
             password: str = PASSWORD) -> Any:
        """A zeep client built from the served WSDL, signing in with a UsernameToken."""
        wsse = UsernameToken(username, password) if username else None
        return zeep.Client(self.url(soap, service) + "?wsdl", settings=ZEEP_SETTINGS, wsse=wsse)

    def fingerprint(self) -> dict[str, str]:
        return fingerprint(self.container)

    def audit_since(self, seq: int) -> list[AuditEntry]:
        with self.container.session_factory() as s:
            return list(s.scalars(select(AuditEntry).where(AuditEntry.seq > seq)
                                  .order_by(AuditEntry.seq)))

    def audit_head(self) -> int:
        with self.container.session_factory() as s:
            return int(s.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0))) or 0)


def fingerprint(container: Container, skip: frozenset[str] = AUDIT_TABLES) -> dict[str, str]:
    """A digest of every row of every table but the audit's: equal means nothing changed."""
    result = {}
    with container.engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table in skip:
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            blob = "\n".join(sorted(repr(tuple(r)) for r in rows))
            result[table] = hashlib.sha256(blob.encode()).hexdigest()
    return result


def _serve(app: Any, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return server, thread


def _account(c: Container, username: str, kind: AccountKind,
             party_id: int | None = None) -> None:
    with c.uow() as uow:
        create_account(uow, None, NewAccount(username=username, password=PASSWORD, kind=kind,
                                             display_name=username, party_id=party_id))
        uow.commit()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    url = create_database()
    upgrade(url)
    var: Path = tmp_path_factory.mktemp("ws-var")
    settings = settings_for({"GGZY_DATABASE_URL": url, "GGZY_VAR_DIR": str(var),
                              "GGZY_MAX_BODY_BYTES": str(256 * 1024),
                              # under the body limit, so a text over it is not a body over it
                              "GGZY_XML_MAX_TEXT_CHARS": str(64 * 1024)})
    c = build(settings)
    try:
        for _ in load_sample_data(c):
            pass
        with c.session_factory() as s:
            # the engineering tender (the demo's 政府采购 one beside it is not these tests')
            project_code = s.scalars(select(Project.code)
                                     .where(Project.domain == "engineering")).one()
            section_codes = list(s.scalars(select(Section.code).where(
                Section.code.startswith(project_code)).order_by(Section.code)))
            # the tender notice (the lifecycle publishes its own notices beside it)
            notice_id = s.scalars(select(Notice.id).where(
                Notice.round_id.is_(None),
                Notice.sections.any(Section.code.in_(section_codes)))).one()
            agency = s.scalars(select(Account).where(Account.username == "demo-agency")).one()
            agency_party = agency.party_id
        accounts = {"ws-system": AccountKind.SYSTEM_CLIENT, "ws-supervisor": AccountKind.SUPERVISOR,
                    "ws-admin": AccountKind.ADMIN, "ws-staff": AccountKind.CENTRE_STAFF}
        for username, kind in accounts.items():
            _account(c, username, kind)
        _account(c, "ws-party", AccountKind.PARTY_USER, agency_party)
        with c.session_factory() as s:
            system = s.scalars(select(Account).where(Account.username == "ws-system")).one()
            bearer, _ = issue_token(s, system, c.clock.now())
            s.commit()
        port = free_port()
        server, thread = _serve(create_app(c), port)
        try:
            yield Live(f"http://127.0.0.1:{port}", c, project_code, section_codes, notice_id,
                       bearer, accounts)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    finally:
        c.close()
        drop_database(url)


def soap11(body: str, header: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>'
            f'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            f'<soap:Header>{header}</soap:Header><soap:Body>{body}</soap:Body>'
            f'</soap:Envelope>').encode()


def soap12(body: str, header: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>'
            f'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">'
            f'<soap:Header>{header}</soap:Header><soap:Body>{body}</soap:Body>'
            f'</soap:Envelope>').encode()


def wsse(username: str, password: str, kind: str = "PasswordText") -> str:
    return ('<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
            'oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken>'
            f'<wsse:Username>{username}</wsse:Username>'
            '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/'
            f'oasis-200401-wss-username-token-profile-1.0#{kind}">{password}'
            '</wsse:Password></wsse:UsernameToken></wsse:Security>')


def agency_principal(live: Live) -> Principal:
    """The demo's agency, which runs the demo tender project."""
    with live.container.session_factory() as s:
        return principal_of(s.scalars(select(Account)
                                      .where(Account.username == "demo-agency")).one())


def configure_round(live: Live, section_code: str, issue: bool) -> None:
    """A round for the section (2 of 2 keyholders), its documents issued or still a draft."""
    agency = agency_principal(live)
    pems = [ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        for _ in range(2)]
    deadline = datetime.now(UTC) + timedelta(days=40)
    with live.container.uow() as uow:
        configure_or_correct(uow, agency, section_code, rounds.RoundSettings(
            bid_deadline=deadline, threshold=2,
            keyholders=tuple(rounds.Keyholder(f"开标密钥持有人{i}", pem)
                             for i, pem in enumerate(pems, start=1))))
        uow.commit()
    if issue:
        with live.container.uow() as uow:
            rounds.issue_documents(uow, agency, section_code)
            uow.commit()


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


FAULT_NS = "urn:ggzy-hub:ws:fault:1"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"


def _detail(detail: Any) -> dict[str, str]:
    error = detail.find(f"{{{FAULT_NS}}}Error")
    assert error is not None, "the fault carries no ggzy-hub error detail"
    return {etree.QName(child).localname: child.text or "" for child in error}


def zeep_fault(call: Callable[[], Any]) -> dict[str, str]:
    """Run a zeep call that must fail; the detail's fields, after checking that the faultcode
    (SOAP 1.1) or code and subcode (SOAP 1.2) say the same code."""
    with pytest.raises(zeep.exceptions.Fault) as info:
        call()
    fault = info.value
    error = _detail(fault.detail)
    assert error["MessageZh"] in fault.message and error["MessageEn"] in fault.message
    if fault.subcodes:  # SOAP 1.2: env:Sender / env:Receiver, the code as subcode
        assert [q.localname for q in fault.subcodes] == [error["Code"]]
        error["Side"] = _side12(fault.code)
    else:
        side, _, code = fault.code.split(":")[-1].partition(".")
        assert code == error["Code"], fault.code
        error["Side"] = side
    return error


def _side12(value: str) -> str:
    """SOAP 1.2's fault code in the words of SOAP 1.1 (Sender is Client, Receiver is Server;
    VersionMismatch and MustUnderstand are the same in both)."""
    local = value.rsplit(":", 1)[-1].rsplit("}", 1)[-1]
    return {"Sender": "Client", "Receiver": "Server"}.get(local, local)


def raw_fault(response: httpx.Response) -> dict[str, str]:
    """The fault of a raw HTTP answer, read with a hardened parser."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    root = etree.fromstring(response.content, parser)
    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        node = root.find(f"{{{SOAP12_ENV}}}Body/{{{SOAP12_ENV}}}Fault")
        assert node is not None, response.text
        error = _detail(node.find(f"{{{SOAP12_ENV}}}Detail"))
        value = node.findtext(f"{{{SOAP12_ENV}}}Code/{{{SOAP12_ENV}}}Value") or ""
        sub = node.findtext(f"{{{SOAP12_ENV}}}Code/{{{SOAP12_ENV}}}Subcode/"
                            f"{{{SOAP12_ENV}}}Value")
        assert sub == error["Code"]
        error["Side"] = _side12(value)
    else:
        node = root.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault")
        assert node is not None, response.text
        error = _detail(node.find("detail"))
        side, _, code = (node.findtext("faultcode") or "").split(":")[-1].partition(".")
        assert code == error["Code"]
        error["Side"] = side
    return error


@dataclass
class Watch:
    """What a refused call may leave behind: nothing but its one audit entry."""

    live: Live
    before: dict[str, str]
    head: int

    def only_audited(self, action: str, actor: str) -> AuditEntry:
        assert self.live.fingerprint() == self.before, "a refused call changed the database"
        entries = self.live.audit_since(self.head)
        assert [(e.action, e.actor) for e in entries] == [(action, actor)]
        return entries[0]


def watch(live: Live) -> Watch:
    return Watch(live, live.fingerprint(), live.audit_head())



def post(live: Live, body: bytes, soap: str = "soap11", service: str = "query",
         headers: dict[str, str] | None = None) -> httpx.Response:
    content_type = ("application/soap+xml; charset=utf-8" if soap == "soap12"
                    else "text/xml; charset=utf-8")
    return httpx.post(live.url(soap, service), content=body, timeout=30,
                      headers={"Content-Type": content_type, **(headers or {})})


def refused(live: Live, body: bytes, code: str, action: str, actor: str = "anonymous",
            status: int = 500, soap: str = "soap11", service: str = "query",
            headers: dict[str, str] | None = None) -> dict[str, str]:
    """Send; expect the fault ``code`` with ``status``; nothing changed but one audit entry."""
    w = watch(live)
    response = post(live, body, soap=soap, service=service, headers=headers)
    assert response.status_code == status, response.text
    error = raw_fault(response)
    assert error["Code"] == code, error
    assert error["MessageZh"] and error["MessageEn"]
    w.only_audited(action, actor)
    return error
