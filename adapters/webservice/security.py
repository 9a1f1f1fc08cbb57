"""Who is calling the Web Service: a WS-Security UsernameToken, or a bearer token.

Each call carries one credential:

* a ``wsse:Security`` SOAP header with one ``wsse:UsernameToken`` whose ``wsse:Password`` is of
  type PasswordText (the OASIS UsernameToken Profile 1.0) — the username and password of an
  account, checked against its argon2 hash; a PasswordDigest cannot be checked against a hash
  and is refused (``PASSWORD_TYPE_UNSUPPORTED``);
* or, when there is no Security header, ``Authorization: Bearer <token>`` with a token from
  ``POST /api/v1/auth/token`` or ``ggzy token issue``.

The password travels in clear inside the message, so the endpoint is only ever exposed over
TLS. TLS client certificates, where a peer uses them, terminate at the reverse proxy and are not
verified here: this layer trusts the account credential alone.

A wrong username and a wrong password answer the same (``INVALID_CREDENTIALS``) and cost the
same argon2 verification, so the answer tells nothing about which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree
from sqlalchemy import select

from core.errors import DomainError, ErrorKind
from core.model.account import Account
from core.security.passwords import hash_password, verify_password
from core.security.principal import Principal
from core.security.tokens import resolve_token
from core.services.accounts import principal_of
from core.uow import UnitOfWork

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = ("http://docs.oasis-open.org/wss/2004/01/"  # noqa: S105 - a type URI, no secret
                 "oasis-200401-wss-username-token-profile-1.0#PasswordText")
SOAP_ENVS = ("http://schemas.xmlsoap.org/soap/envelope/",
             "http://www.w3.org/2003/05/soap-envelope")
PRINCIPAL_KEY = "ggzy.ws.principal"  # where the gateway leaves the caller in the WSGI environ
MAX_FIELD = 256

_DUMMY_HASH = hash_password("dummy password for timing")


@dataclass(frozen=True)
class Credential:
    """What the caller presented: a username and password, or a bearer token."""

    username: str | None
    secret: str

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


def _text(parent: etree._Element, name: str) -> str:
    nodes = parent.findall(f"{{{WSSE_NS}}}{name}")
    if len(nodes) != 1 or len(nodes[0]):
        raise _header_invalid(f"UsernameToken needs exactly one {name} holding text",
                              f"UsernameToken 须有且仅有一个 {name} 文本元素")
    value = (nodes[0].text or "").strip() if name == "Username" else (nodes[0].text or "")
    if not value or len(value) > MAX_FIELD:
        raise _header_invalid(f"{name} is empty or too long", f"{name} 为空或过长")
    return value


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
        token = tokens[0]
        password = token.find(f"{{{WSSE_NS}}}Password")
        kind = password.get("Type", PASSWORD_TEXT) if password is not None else PASSWORD_TEXT
        if kind != PASSWORD_TEXT:
            raise _unauthenticated("PASSWORD_TYPE_UNSUPPORTED",
                                   "只接受 PasswordText 类型的口令",
                                   "only a PasswordText password is accepted")
        return Credential(_text(token, "Username"), _text(token, "Password"))
    if authorization:
        scheme, _, token_text = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and token_text.strip():
            return Credential(None, token_text.strip()[:MAX_FIELD])
    raise _unauthenticated("NOT_AUTHENTICATED",
                           "需要 WS-Security UsernameToken 或 Bearer 令牌",
                           "a WS-Security UsernameToken or a bearer token is required")


def authenticate(uow: UnitOfWork, presented: Credential) -> Principal:
    """The account behind the credential, or ``INVALID_CREDENTIALS`` / ``TOKEN_INVALID``."""
    if presented.is_token:
        account = resolve_token(uow.session, presented.secret, uow.clock.now())
        if account is None:
            raise _unauthenticated("TOKEN_INVALID", "令牌无效或已过期",
                                   "the token is unknown, revoked or expired")
        return principal_of(account)
    found = uow.session.scalars(
        select(Account).where(Account.username == presented.username)).one_or_none()
    matches = verify_password(_DUMMY_HASH if found is None else found.password_hash,
                              presented.secret)
    if found is None or not matches or not found.is_active:
        raise _unauthenticated("INVALID_CREDENTIALS", "用户名或密码错误",
                               "wrong username or password")
    return principal_of(found)


def caller(ctx: Any) -> Principal:
    """The authenticated caller of a spyne service method (the gateway put it there; a method
    reached any other way has no caller and is refused)."""
    principal = ctx.transport.req_env.get(PRINCIPAL_KEY)
    if not isinstance(principal, Principal):
        raise _unauthenticated("NOT_AUTHENTICATED", "需要身份认证", "authentication required")
    return principal
