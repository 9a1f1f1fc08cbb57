"""UsernameToken per the OASIS UsernameToken Profile 1.1: PasswordDigest beside PasswordText,
``Created`` within the freshness window, and a Nonce accepted once — by every web process,
since the replay cache is a table. zeep signs with ``UsernameToken(use_digest=True)``; the
other tokens are built by hand. Each refusal changes nothing and is audited as anonymous (a
replayed token is not its owner calling)."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import zeep
from lxml import etree
from sqlalchemy import select
from zeep.wsse.username import UsernameToken

from adapters.db.migrate import upgrade
from adapters.webservice import replay
from adapters.webservice.digest_key import digest_box
from core.errors import DomainError
from core.model.account import Account, AccountKind
from core.model.credentials import UsedNonce
from core.security.digest import password_digest
from core.services.digest_secrets import issue_digest_secret
from tests.conftest import create_database, drop_database, settings_for
from tests.live import ROOT, free_port, ggzy_serve
from tests.webservice.conftest import (
    PASSWORD,
    ZEEP_SETTINGS,
    Live,
    _account,
    post,
    refused,
    soap11,
    watch,
    zeep_fault,
)

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
BASE64 = ("http://docs.oasis-open.org/wss/2004/01/"
          "oasis-200401-wss-soap-message-security-1.0#Base64Binary")
DIGEST_CLIENT = "ws-digest"
ANON = "anonymous"


@pytest.fixture(scope="module")
def digest_secret(live: Live) -> str:
    """A system client with a shared secret for PasswordDigest, issued as the CLI does."""
    _account(live.container, DIGEST_CLIENT, AccountKind.SYSTEM_CLIENT)
    with live.container.uow() as uow:
        secret = issue_digest_secret(uow, "operator:test", DIGEST_CLIENT,
                                     digest_box(live.container.settings))
        uow.commit()
        return secret


def now_text(offset: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + offset).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def token(username: str, password: str, *, kind: str = "PasswordText", nonce: bytes | None,
          created: str | None, nonce_encoding: str = BASE64) -> str:
    parts = [f"<wsse:Username>{username}</wsse:Username>",
             f'<wsse:Password Type="{PROFILE}#{kind}">{password}</wsse:Password>']
    if nonce is not None:
        parts.append(f'<wsse:Nonce EncodingType="{nonce_encoding}">'
                     f"{base64.b64encode(nonce).decode()}</wsse:Nonce>")
    if created is not None:
        parts.append(f"<wsu:Created>{created}</wsu:Created>")
    return (f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
            + "".join(parts) + "</wsse:UsernameToken></wsse:Security>")


def digest_token(secret: str, nonce: bytes | None = None, created: str | None = None,
                 username: str = DIGEST_CLIENT) -> str:
    nonce = nonce if nonce is not None else secrets.token_bytes(16)
    created = created or now_text()
    return token(username, password_digest(nonce, created, secret), kind="PasswordDigest",
                 nonce=nonce, created=created)


def get_project(live: Live) -> str:
    return ('<q:GetProject xmlns:q="urn:ggzy-hub:ws:query:1">'
            f"<q:ProjectCode>{live.project_code}</q:ProjectCode></q:GetProject>")


def answered(response: httpx.Response, live: Live) -> None:
    assert response.status_code == 200, response.text
    assert live.project_code in response.text


# -- PasswordDigest --------------------------------------------------------------------------

@pytest.mark.parametrize("soap", ["soap11", "soap12"])
def test_zeep_with_a_password_digest(live: Live, digest_secret: str, soap: str) -> None:
    client = zeep.Client(live.url(soap, "query") + "?wsdl", settings=ZEEP_SETTINGS,
                         wsse=UsernameToken(DIGEST_CLIENT, digest_secret, use_digest=True))
    head = live.audit_head()
    assert client.service.GetProject(live.project_code).ProjectCode == live.project_code
    assert [(e.action, e.actor) for e in live.audit_since(head)] == [
        ("ws.GetProject", f"system_client:{DIGEST_CLIENT}")]


def test_zeep_with_a_wrong_digest_secret(live: Live, digest_secret: str) -> None:
    client = zeep.Client(live.url("soap12", "query") + "?wsdl", settings=ZEEP_SETTINGS,
                         wsse=UsernameToken(DIGEST_CLIENT, "not the secret", use_digest=True))
    w = watch(live)
    error = zeep_fault(lambda: client.service.GetProject(live.project_code))
    assert (error["Code"], error["Side"]) == ("INVALID_CREDENTIALS", "Client")
    w.only_audited("ws.GetProject:INVALID_CREDENTIALS", ANON)


@pytest.mark.parametrize(("username", "secret"), [
    ("ws-system", PASSWORD),  # a system client without a digest secret: its password is no use
    ("ws-admin", PASSWORD),  # only system clients may hold a digest secret
    ("nobody-here", PASSWORD),
])
def test_a_digest_over_a_password_is_refused(live: Live, username: str, secret: str) -> None:
    body = soap11(get_project(live), digest_token(secret, username=username))
    refused(live, body, "INVALID_CREDENTIALS", "ws.GetProject:INVALID_CREDENTIALS")


def test_a_digest_needs_a_nonce(live: Live, digest_secret: str) -> None:
    created = now_text()
    header = token(DIGEST_CLIENT, password_digest(b"", created, digest_secret),
                   kind="PasswordDigest", nonce=None, created=created)
    refused(live, soap11(get_project(live), header), "SECURITY_HEADER_INVALID",
            "ws.GetProject:SECURITY_HEADER_INVALID")


def test_a_digest_needs_a_created(live: Live, digest_secret: str) -> None:
    nonce = secrets.token_bytes(16)
    header = token(DIGEST_CLIENT, password_digest(nonce, "", digest_secret),
                   kind="PasswordDigest", nonce=nonce, created=None)
    refused(live, soap11(get_project(live), header), "CREATED_REQUIRED",
            "ws.GetProject:CREATED_REQUIRED")


# -- replay ----------------------------------------------------------------------------------

def test_a_zeep_envelope_sent_twice(live: Live, digest_secret: str) -> None:
    client = zeep.Client(live.url("soap11", "query") + "?wsdl", settings=ZEEP_SETTINGS,
                         wsse=UsernameToken(DIGEST_CLIENT, digest_secret, use_digest=True))
    envelope = etree.tostring(client.create_message(client.service, "GetProject",
                                                    live.project_code))
    answered(post(live, envelope), live)
    refused(live, envelope, "NONCE_REPLAYED", "ws.GetProject:NONCE_REPLAYED")


def test_a_password_text_with_a_nonce_is_used_once(live: Live) -> None:
    header = token("ws-system", PASSWORD, nonce=secrets.token_bytes(16), created=now_text())
    body = soap11(get_project(live), header)
    answered(post(live, body), live)
    refused(live, body, "NONCE_REPLAYED", "ws.GetProject:NONCE_REPLAYED")


def test_the_cache_is_per_account(live: Live, digest_secret: str) -> None:
    nonce, created = secrets.token_bytes(16), now_text()
    answered(post(live, soap11(get_project(live), digest_token(digest_secret, nonce, created))),
             live)
    other = token("ws-system", PASSWORD, nonce=nonce, created=created)
    answered(post(live, soap11(get_project(live), other)), live)


def test_a_refused_token_does_not_use_up_its_nonce(live: Live) -> None:
    nonce, created = secrets.token_bytes(16), now_text()
    wrong = token("ws-system", "wrong password", nonce=nonce, created=created)
    refused(live, soap11(get_project(live), wrong), "INVALID_CREDENTIALS",
            "ws.GetProject:INVALID_CREDENTIALS")
    right = token("ws-system", PASSWORD, nonce=nonce, created=created)
    answered(post(live, soap11(get_project(live), right)), live)


@pytest.fixture(scope="module")
def second_process(live: Live) -> Iterator[str]:
    """Another `ggzy serve` on the same database and key directory: another web process."""
    port = free_port()
    env = {**os.environ, "GGZY_DATABASE_URL": live.container.settings.database_url,
           "GGZY_VAR_DIR": str(live.container.settings.var_dir), "GGZY_PORT": str(port),
           "GGZY_SERVE_ENGINE": "no", "GGZY_SANDBOX": "no"}
    with ggzy_serve(env, live.container.settings.var_dir / "second-serve.log") as base:
        yield base


def test_a_nonce_used_on_one_process_is_refused_on_another(
        live: Live, digest_secret: str, second_process: str) -> None:
    body = soap11(get_project(live), digest_token(digest_secret))
    answered(post(live, body), live)
    w = watch(live)
    response = httpx.post(f"{second_process}/ws/soap11/query", content=body, timeout=30,
                          headers={"Content-Type": "text/xml; charset=utf-8"})
    assert response.status_code == 500
    assert "<ggzyf:Code>NONCE_REPLAYED</ggzyf:Code>" in response.text
    w.only_audited("ws.GetProject:NONCE_REPLAYED", ANON)


# -- Created ---------------------------------------------------------------------------------

def test_a_nonce_needs_a_created(live: Live) -> None:
    header = token("ws-system", PASSWORD, nonce=secrets.token_bytes(16), created=None)
    refused(live, soap11(get_project(live), header), "CREATED_REQUIRED",
            "ws.GetProject:CREATED_REQUIRED")


@pytest.mark.parametrize("offset", [timedelta(minutes=-10), timedelta(minutes=10)])
@pytest.mark.parametrize("with_nonce", [True, False])
def test_created_outside_the_window(live: Live, digest_secret: str, offset: timedelta,
                                    with_nonce: bool) -> None:
    assert abs(offset).total_seconds() > live.container.settings.limits.ws_created_window_seconds
    created = now_text(offset)
    header = (digest_token(digest_secret, created=created) if with_nonce
              else token("ws-system", PASSWORD, nonce=None, created=created))
    refused(live, soap11(get_project(live), header), "CREATED_OUT_OF_WINDOW",
            "ws.GetProject:CREATED_OUT_OF_WINDOW")


@pytest.mark.parametrize("created", ["2026-13-01T00:00:00Z", "2026-01-01T08:00:00",
                                     "yesterday", "2026-01-01"])
def test_created_that_is_no_zoned_datetime(live: Live, created: str) -> None:
    header = token("ws-system", PASSWORD, nonce=secrets.token_bytes(16), created=created)
    refused(live, soap11(get_project(live), header), "CREATED_INVALID",
            "ws.GetProject:CREATED_INVALID")


def test_a_fresh_created_without_a_nonce_is_accepted(live: Live) -> None:
    header = token("ws-system", PASSWORD, nonce=None, created=now_text(timedelta(minutes=-2)))
    answered(post(live, soap11(get_project(live), header)), live)


# -- the Nonce itself ------------------------------------------------------------------------

def _malformed_nonces() -> list[str]:
    fresh = token("ws-system", PASSWORD, nonce=secrets.token_bytes(16), created=now_text())
    return [
        token("ws-system", PASSWORD, nonce=b"0123456789abcdef", created=now_text(),
              nonce_encoding="http://example.invalid#HexBinary"),
        fresh.replace(fresh[fresh.index('<wsse:Nonce'):fresh.index("</wsse:Nonce>")],
                      "<wsse:Nonce>not base64!"),
        fresh.replace("<wsu:Created>", "<wsse:Nonce>AAAA</wsse:Nonce><wsu:Created>"),  # twice
    ]


@pytest.mark.parametrize("header", _malformed_nonces(), ids=["hex", "not-base64", "twice"])
def test_a_malformed_nonce(live: Live, header: str) -> None:
    refused(live, soap11(get_project(live), header), "SECURITY_HEADER_INVALID",
            "ws.GetProject:SECURITY_HEADER_INVALID")


# -- the cache on its own --------------------------------------------------------------------

def test_expired_nonces_are_pruned(tmp_path: Path) -> None:
    url = create_database()
    try:
        upgrade(url)
        from adapters.bootstrap import build

        container = build(settings_for({"GGZY_DATABASE_URL": url,
                                         "GGZY_VAR_DIR": str(tmp_path)}))
        try:
            _account(container, "cache-client", AccountKind.SYSTEM_CLIENT)
            window, t0 = timedelta(minutes=5), datetime(2026, 3, 2, 8, tzinfo=UTC)
            with container.session_factory() as s:
                account = s.scalars(select(Account.id)
                                    .where(Account.username == "cache-client")).one()
                replay.remember(s, account, b"first", t0, window, t0)
                with pytest.raises(DomainError) as info:
                    replay.remember(s, account, b"first", t0, window, t0 + timedelta(minutes=4))
                assert info.value.code == "NONCE_REPLAYED"
                replay.remember(s, account, b"second", t0 + timedelta(minutes=6), window,
                                t0 + timedelta(minutes=6))
                s.commit()
                kept = s.scalars(select(UsedNonce.created).order_by(UsedNonce.created)).all()
            assert kept == [t0 + timedelta(minutes=6)]
        finally:
            container.close()
    finally:
        drop_database(url)


# -- the operator's command ------------------------------------------------------------------

def test_the_cli_issues_a_secret_that_signs(live: Live) -> None:
    _account(live.container, "ws-digest-cli", AccountKind.SYSTEM_CLIENT)
    env = {**os.environ, "GGZY_DATABASE_URL": live.container.settings.database_url,
           "GGZY_VAR_DIR": str(live.container.settings.var_dir)}
    command = [sys.executable, "-m", "adapters.cli", "account", "digest-secret"]
    issued = subprocess.run([*command, "ws-digest-cli"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=True).stdout.strip()
    body = soap11(get_project(live), digest_token(issued, username="ws-digest-cli"))
    answered(post(live, body), live)
    for_a_person = subprocess.run([*command, "ws-admin"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=120)
    assert for_a_person.returncode != 0
    assert "only system-client accounts" in for_a_person.stderr
