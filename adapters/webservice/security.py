"""Who is calling the Web Service: a WS-Security UsernameToken, or a bearer token.

Each call carries one credential:

* a ``wsse:Security`` SOAP header with one ``wsse:UsernameToken`` (OASIS UsernameToken Profile
  1.1) whose ``wsse:Password`` is
  - PasswordText: the username and password of an account, checked against its argon2 hash;
  - PasswordDigest: ``Base64(SHA-1(nonce + created + secret))`` over the shared secret an
    operator issued the system client (``core.services.digest_secrets``; a digest cannot be
    checked against a hash, so it is not offered for passwords). It needs a Nonce and Created;
* or, when there is no Security header, ``Authorization: Bearer <token>`` with a token from
  ``POST /api/v1/auth/token`` or ``ggzy token issue``.

**Freshness and replay.** A token with a ``wsu:Created`` is accepted only within the freshness
window around our clock (``CREATED_OUT_OF_WINDOW``), and a token with a ``wsse:Nonce`` must
have a Created (``CREATED_REQUIRED``) and is accepted once: its nonce goes into the replay
cache shared by every web process (``replay``; a second use is ``NONCE_REPLAYED``). A
PasswordText token without a Nonce is not protected against replay (its password travels in
clear anyway): a peer that wants that protection sends a Nonce and Created.

The password travels in clear inside the message, so the endpoint is only ever exposed over
TLS. TLS client certificates, where a peer uses them, terminate at the reverse proxy and are not
verified here: this layer trusts the account credential alone.

A wrong username and a wrong password answer the same (``INVALID_CREDENTIALS``) and cost the
same argon2 verification, so the answer tells nothing about which accounts exist; a digest for
an account without a digest secret answers the same too.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lxml import etree
from sqlalchemy import select

from adapters.webservice import replay
from core.errors import DomainError, ErrorKind
from core.model.account import Account
from core.security.digest import digest_matches
from core.security.passwords import hash_password, verify_password
from core.security.principal import Principal
from core.security.secret_box import SecretBox
from core.security.tokens import resolve_token
from core.services.accounts import principal_of
from core.services.digest_secrets import digest_secret
from core.uow import UnitOfWork

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = f"{_PROFILE}#PasswordText"
PASSWORD_DIGEST = f"{_PROFILE}#PasswordDigest"
BASE64_BINARY = ("http://docs.oasis-open.org/wss/2004/01/"
                 "oasis-200401-wss-soap-message-security-1.0#Base64Binary")
SOAP_ENVS = ("http://schemas.xmlsoap.org/soap/envelope/",
             "http://www.w3.org/2003/05/soap-envelope")
PRINCIPAL_KEY = "ggzy.ws.principal"  # where the gateway leaves the caller in the WSGI environ
MAX_FIELD = 256
MAX_NONCE_BYTES = 128

_DUMMY_HASH = hash_password("dummy password for timing")


@dataclass(frozen=True)
class Credential:
    """What the caller presented: a username with a password or digest, or a bearer token."""

    username: str | None
    secret: str  # the password, the digest (base64) or the bearer token
    digest: bool = False
    nonce: bytes | None = None
    created: str | None = None  # as sent: the digest covers exactly this text

    @property
    def is_token(self) -> bool:
        return self.username is None


def _unauthenticated(code: str, zh: str, en: str) -> DomainError:
    return DomainError(code, zh, en, ErrorKind.UNAUTHENTICATED)


def _header_invalid(en: str, zh: str) -> DomainError:
    return _unauthenticated("SECURITY_HEADER_INVALID", f"WS-Security 消息头无效：{zh}",
                            f"the WS-Security header is invalid: {en}")


def _security_headers(envelope: etree._Element) -> list[etree._Element]:
    found: list[etree._Element] = []
    for ns in SOAP_ENVS:
        for header in envelope.findall(f"{{{ns}}}Header"):
            found.extend(header.findall(f"{{{WSSE_NS}}}Security"))
    return found


def _one(parent: etree._Element, tag: str, name: str, required: bool = True
         ) -> etree._Element | None:
    nodes = parent.findall(tag)
    if len(nodes) > 1 or (required and not nodes) or any(len(node) for node in nodes):
        raise _header_invalid(f"UsernameToken needs {'exactly' if required else 'at most'} "
                              f"one {name} holding text",
                              f"UsernameToken 须有{'且仅有' if required else '至多'}一个 {name} "
                              "文本元素")
    return nodes[0] if nodes else None


def _text(node: etree._Element | None, name: str, strip: bool = True) -> str:
    raw = (node.text or "") if node is not None else ""
    value = raw.strip() if strip else raw
    if not value or len(value) > MAX_FIELD:
        raise _header_invalid(f"{name} is empty or too long", f"{name} 为空或过长")
    return value


def _nonce(node: etree._Element | None) -> bytes | None:
    if node is None:
        return None
    if node.get("EncodingType", BASE64_BINARY) != BASE64_BINARY:
        raise _header_invalid("the Nonce must be Base64Binary", "Nonce 须为 Base64Binary 编码")
    try:
        nonce = base64.b64decode(_text(node, "Nonce"), validate=True)
    except binascii.Error:
        raise _header_invalid("the Nonce is not base64", "Nonce 不是 base64") from None
    if not nonce or len(nonce) > MAX_NONCE_BYTES:
        raise _header_invalid("the Nonce is empty or too long", "Nonce 为空或过长")
    return nonce


def _username_token(token: etree._Element) -> Credential:
    username = _text(_one(token, f"{{{WSSE_NS}}}Username", "Username"), "Username")
    password = _one(token, f"{{{WSSE_NS}}}Password", "Password")
    assert password is not None
    kind = password.get("Type", PASSWORD_TEXT)
    if kind not in (PASSWORD_TEXT, PASSWORD_DIGEST):
        raise _unauthenticated("PASSWORD_TYPE_UNSUPPORTED",
                               "只接受 PasswordText 或 PasswordDigest 类型的口令",
                               "only a PasswordText or PasswordDigest password is accepted")
    nonce = _nonce(_one(token, f"{{{WSSE_NS}}}Nonce", "Nonce", required=False))
    created_node = _one(token, f"{{{WSU_NS}}}Created", "Created", required=False)
    created = _text(created_node, "Created") if created_node is not None else None
    digest = kind == PASSWORD_DIGEST
    if digest and nonce is None:
        raise _header_invalid("a PasswordDigest needs a Nonce", "PasswordDigest 须带 Nonce")
    if (digest or nonce is not None) and created is None:
        raise _unauthenticated("CREATED_REQUIRED", "带 Nonce 的 UsernameToken 须有 Created",
                               "a UsernameToken with a Nonce needs a Created time")
    return Credential(username, _text(password, "Password", strip=digest), digest, nonce,
                      created)


def credential(envelope: etree._Element, authorization: str | None) -> Credential:
    """The one credential of a request, read from its parsed envelope and HTTP header."""
    headers = _security_headers(envelope)
    if len(headers) > 1:
        raise _header_invalid("more than one Security header", "存在多个 Security 消息头")
    if headers:
        tokens = headers[0].findall(f"{{{WSSE_NS}}}UsernameToken")
        if len(tokens) != 1:
            raise _header_invalid("the Security header needs exactly one UsernameToken",
                                  "Security 消息头须有且仅有一个 UsernameToken")
        return _username_token(tokens[0])
    if authorization:
        scheme, _, token_text = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and token_text.strip():
            return Credential(None, token_text.strip()[:MAX_FIELD])
    raise _unauthenticated("NOT_AUTHENTICATED",
                           "需要 WS-Security UsernameToken 或 Bearer 令牌",
                           "a WS-Security UsernameToken or a bearer token is required")


def created_at(presented: Credential, now: datetime, window: timedelta) -> datetime | None:
    """The token's Created as a moment, refused when it has no zone or lies outside the
    window around ``now`` (in the past: stale; in the future: a clock too far ahead)."""
    if presented.created is None:
        return None
    try:
        moment = datetime.fromisoformat(presented.created)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _unauthenticated("CREATED_INVALID",
                               "Created 须为带时区的 xsd:dateTime（如 2026-01-01T08:00:00Z）",
                               "Created must be an xsd:dateTime with a zone "
                               "(e.g. 2026-01-01T08:00:00Z)")
    if abs(now - moment) > window:
        minutes = int(window.total_seconds() // 60)
        raise _unauthenticated("CREATED_OUT_OF_WINDOW",
                               f"Created 与服务器时间相差超过 {minutes} 分钟",
                               f"Created is more than {minutes} minutes from the server's time")
    return moment


def authenticate(uow: UnitOfWork, presented: Credential, *, window: timedelta,
                 box: Callable[[], SecretBox] | None = None) -> Principal:
    """The account behind the credential, or the code that says why not. A token's nonce is
    recorded in ``uow``'s transaction: the caller commits it. ``box`` gives the key for digest
    secrets, asked for only when a digest arrives."""
    if presented.is_token:
        account = resolve_token(uow.session, presented.secret, uow.clock.now())
        if account is None:
            raise _unauthenticated("TOKEN_INVALID", "令牌无效或已过期",
                                   "the token is unknown, revoked or expired")
        return principal_of(account)
    now = uow.clock.now()
    moment = created_at(presented, now, window)
    found = uow.session.scalars(
        select(Account).where(Account.username == presented.username)).one_or_none()
    if presented.digest:
        secret = digest_secret(uow.session, found, box()) if found and box else None
        assert presented.nonce is not None and presented.created is not None
        matches = secret is not None and digest_matches(presented.secret, presented.nonce,
                                                        presented.created, secret)
    else:
        matches = verify_password(_DUMMY_HASH if found is None else found.password_hash,
                                  presented.secret)
    if found is None or not matches or not found.is_active:
        raise _unauthenticated("INVALID_CREDENTIALS", "用户名或密码错误",
                               "wrong username or password")
    if presented.nonce is not None and moment is not None:
        replay.remember(uow.session, found.id, presented.nonce, moment, window, now)
    return principal_of(found)


def caller(ctx: Any) -> Principal:
    """The authenticated caller of a spyne service method (the gateway put it there; a method
    reached any other way has no caller and is refused)."""
    principal = ctx.transport.req_env.get(PRINCIPAL_KEY)
    if not isinstance(principal, Principal):
        raise _unauthenticated("NOT_AUTHENTICATED", "需要身份认证", "authentication required")
    return principal
