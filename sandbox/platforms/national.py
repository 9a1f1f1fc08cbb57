"""A stand-in for the national exchange, as the hub reads it (no official transport was found:
research §7c, §10.3; docs/platform-protocols.md §3c).

SOAP 1.1 and 1.2 on the same address (port ``NationalExchangeSoap`` and
``NationalExchangeSoap12``), namespace ``urn:ggzy-hub:national-exchange:1``, service
``NationalExchange``, one operation ``SubmitRecord(PLATFORM_CODE, DATASET_CODE, DATA_KEY,
OPERATION, VERSION, RECORD) -> SubmitResult{CODE, MESSAGE, RECEIVED_AT}``. The caller proves who it
is with a WS-Security UsernameToken (PasswordText): Username = PLATFORM_CODE, Password = the
platform's shared secret.

RECORD = ``<RECORD DATASET="501" NAME="TENDER_PROJECT"><FIELD>value</FIELD>…</RECORD>``, empty
for a delete. CODE: 0000 accepted, E100 authentication, E200 invalid (MESSAGE names the field and
rule), E300 parent missing, E301 already held (RECEIVED_AT = when it was first received), E404
unknown DATA_KEY on update/delete, E500 internal.
"""

from __future__ import annotations

import copy
import logging
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from spyne import Application, ComplexModel, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11, Soap12
from spyne.server.wsgi import WsgiApplication

from sandbox.platforms import hardening, soap
from sandbox.platforms.answer import Answer
from sandbox.platforms.app import ENVELOPE_KEY, REFUSE_PARENT_KEY, PlatformApp
from sandbox.platforms.clock import SHANGHAI, Clock, beijing_now, dt14, parse_dt14
from sandbox.platforms.ledger import Decision, Verdict, decide
from sandbox.platforms.rules import DATA_SETS
from sandbox.platforms.store import Store

TNS = "urn:ggzy-hub:national-exchange:1"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
USERNAME_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT_TYPE = USERNAME_PROFILE + "#PasswordText"
OPERATIONS = ("add", "update", "delete")
_PLATFORM_CODE = re.compile(r"[0-9A-Z]{11}")
MAX_KEY = 200

log = logging.getLogger(__name__)


def username_token(envelope: Any) -> tuple[str, str]:
    """(Username, Password) of the envelope's UsernameToken; Answer E100 if there is none."""
    version = soap.version_of(envelope)
    env_ns = soap.SOAP12_ENV if version == "1.2" else soap.SOAP11_ENV
    token = envelope.find(f"{{{env_ns}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        raise Answer("E100", "authentication failed: no WS-Security UsernameToken", "auth")
    username = token.findtext(f"{{{WSSE}}}Username") or ""
    password = token.find(f"{{{WSSE}}}Password")
    if password is None:
        raise Answer("E100", "authentication failed: UsernameToken without Password", "auth")
    kind = password.get("Type", PASSWORD_TEXT_TYPE)
    if kind != PASSWORD_TEXT_TYPE and not kind.endswith("#PasswordText"):
        raise Answer("E100", "authentication failed: only PasswordText is accepted", "auth")
    return username.strip(), (password.text or "")


class NationalPeer:
    def __init__(self, store: Store, platforms: Mapping[str, str], clock: Clock) -> None:
        self.store = store
        self.platforms = dict(platforms)
        self.clock = clock

    def submit(self, params: dict[str, str | None], environ: Mapping[str, Any]
               ) -> dict[str, str]:
        now = self.clock().astimezone(SHANGHAI)
        try:
            return self._submit(params, environ, now)
        except Answer as answer:
            self.store.refuse(reason=answer.reason, data_set=params.get("DATASET_CODE"),
                              record_key=params.get("DATA_KEY"), message=answer.message,
                              at=now.isoformat(timespec="seconds"))
            return _result(answer.code, answer.message, now)
        except Exception:
            log.exception("national peer failed on a SubmitRecord call")
            return _result("E500", "internal error", now)

    def _authenticate(self, environ: Mapping[str, Any], platform_code: str) -> None:
        username, password = username_token(environ[ENVELOPE_KEY])
        secret = self.platforms.get(username)
        if secret is None or not secrets.compare_digest(secret.encode(), password.encode()):
            raise Answer("E100", "authentication failed: unknown platform or wrong password",
                         "auth")
        if username != platform_code:
            raise Answer("E100", "authentication failed: Username differs from PLATFORM_CODE",
                         "auth")

    def _submit(self, p: dict[str, str | None], environ: Mapping[str, Any], now: datetime
                ) -> dict[str, str]:
        platform_code = p.get("PLATFORM_CODE") or ""
        self._authenticate(environ, platform_code)
        if not _PLATFORM_CODE.fullmatch(platform_code):
            raise Answer("E200", "PLATFORM_CODE: format must be 11 characters [0-9A-Z]",
                         "invalid")
        code = p.get("DATASET_CODE") or ""
        data_set = DATA_SETS.get(code)
        if data_set is None:
            raise Answer("E200", f"DATASET_CODE: data set {code!r} is not received here",
                         "invalid")
        operation = p.get("OPERATION") or ""
        if operation not in OPERATIONS:
            raise Answer("E200", "OPERATION: value must be one of add/update/delete", "invalid")
        version = p.get("VERSION") or ""
        try:
            parse_dt14(version)
        except ValueError:
            raise Answer("E200", "VERSION: format must be yyyyMMddHHmmss", "invalid") from None
        data_key = p.get("DATA_KEY") or ""
        prefix = f"{code}:"
        if not data_key.startswith(prefix) or len(data_key) == len(prefix) or (
                len(data_key) > MAX_KEY):
            raise Answer("E200", f"DATA_KEY: format must be '{prefix}<business key>' "
                                 f"(at most {MAX_KEY} characters)", "invalid")
        fields = self._record(p.get("RECORD") or "", code, data_set.name_en, operation)
        if environ.get(REFUSE_PARENT_KEY):
            self.store.refuse(reason="parent_missing", data_set=code, record_key=data_key,
                              message="injected", at=now.isoformat(timespec="seconds"))
            return _result("E300", "parent missing (injected fault)", now)
        decision = decide(self.store, operation=operation, data_set=data_set,
                          record_key=data_key, version=version, fields=fields,
                          sender=platform_code, now=now)
        return _word(decision, data_key, now)

    @staticmethod
    def _record(text: str, code: str, name_en: str, operation: str) -> dict[str, str]:
        try:
            root = hardening.parse(text)
            fields = hardening.text_children(root)
        except ValueError as err:
            raise Answer("E200", f"RECORD: {err}", "invalid") from None
        if root.tag != "RECORD" or root.get("DATASET") != code or root.get("NAME") != name_en:
            raise Answer("E200", f'RECORD: root must be <RECORD DATASET="{code}" '
                                 f'NAME="{name_en}">', "invalid")
        return {} if operation == "delete" else fields


def _word(decision: Decision, data_key: str, now: datetime) -> dict[str, str]:
    verdict = decision.verdict
    if verdict is Verdict.ACCEPTED:
        return _result("0000", "accepted", now)
    if verdict is Verdict.DUPLICATE and decision.held is not None:
        return _result("E301", f"{data_key} already exists",
                       datetime.fromisoformat(decision.held.first_received_at))
    if verdict is Verdict.PARENT_MISSING and decision.parent is not None:
        parent = decision.parent
        return _result("E300", f"parent missing: data set {parent.data_set} with "
                               f"{parent.field}={parent.code} has not been received", now)
    if verdict is Verdict.NOT_FOUND:
        return _result("E404", f"{data_key} is not held; cannot {decision.operation}", now)
    if verdict is Verdict.FORBIDDEN:
        return _result("E100", f"{data_key} belongs to another platform", now)
    assert decision.violation is not None
    return _result("E200", decision.violation.en(), now)


def _result(code: str, message: str, at: datetime) -> dict[str, str]:
    return {"CODE": code, "MESSAGE": message, "RECEIVED_AT": dt14(at)}


def _merged_wsdl(wsgi11: Any, wsgi12: Any) -> Any:
    """One WSDL with a SOAP 1.1 and a SOAP 1.2 port on the same address."""
    tree = soap.spyne_wsdl(wsgi11)
    tree12 = soap.spyne_wsdl(wsgi12)
    soap.rename(tree12, "binding", "NationalExchangeSoap", "NationalExchangeSoap12")
    soap.rename(tree12, "port", "NationalExchangeSoap", "NationalExchangeSoap12")
    wsdl = f"{{{soap.WSDL_NS}}}"
    binding12 = next(b for b in tree12.iter(f"{wsdl}binding")
                     if b.get("name") == "NationalExchangeSoap12")
    port12 = next(p for p in tree12.iter(f"{wsdl}port")
                  if p.get("name") == "NationalExchangeSoap12")
    binding11 = next(tree.iter(f"{wsdl}binding"))
    binding11.addnext(copy.deepcopy(binding12))
    next(tree.iter(f"{wsdl}service")).append(copy.deepcopy(port12))
    soap.set_soap_actions(tree, lambda operation: f"{TNS}#{operation}")
    return tree


def create_app(store_path: Path | str, *, platforms: Mapping[str, str],
               clock: Clock = beijing_now,
               max_body_bytes: int = hardening.DEFAULT_MAX_BODY_BYTES) -> PlatformApp:
    """The national peer as a WSGI app. ``platforms`` maps the 11-character trade-platform code
    (the UsernameToken Username) to its shared secret."""
    store = Store(store_path)
    peer = NationalPeer(store, platforms, clock)

    class SubmitResult(ComplexModel):
        __namespace__ = TNS
        __type_name__ = "SubmitResult"
        _type_info: ClassVar = [("CODE", Unicode), ("MESSAGE", Unicode), ("RECEIVED_AT", Unicode)]

    class NationalExchange(ServiceBase):
        __service_name__ = "NationalExchange"
        __port_types__ = ("NationalExchangeSoap",)

        @rpc(Unicode, Unicode, Unicode, Unicode, Unicode, Unicode, _returns=SubmitResult,
             _out_variable_name="SubmitResult", _port_type="NationalExchangeSoap")
        def SubmitRecord(ctx: Any, PLATFORM_CODE: str | None,
                         DATASET_CODE: str | None, DATA_KEY: str | None,
                         OPERATION: str | None, VERSION: str | None,
                         RECORD: str | None) -> Any:
            answer = peer.submit(
                {"PLATFORM_CODE": PLATFORM_CODE, "DATASET_CODE": DATASET_CODE,
                 "DATA_KEY": DATA_KEY, "OPERATION": OPERATION, "VERSION": VERSION,
                 "RECORD": RECORD}, ctx.transport.req_env)
            return SubmitResult(**answer)

    apps = {}
    for version, in_protocol, out_protocol in (("1.1", soap.PeerSoap11, Soap11),
                                                ("1.2", soap.PeerSoap12, Soap12)):
        application = Application([NationalExchange], tns=TNS, name="NationalExchange",
                                  in_protocol=in_protocol(validator="lxml"),
                                  out_protocol=out_protocol())
        apps[version] = WsgiApplication(application)
    return PlatformApp(profile="national", store=store, soap_apps=apps,
                       wsdl=soap.WsdlTemplate(_merged_wsdl(apps["1.1"], apps["1.2"])),
                       clock=clock, max_body_bytes=max_body_bytes,
                       understood=frozenset({soap.WSSE_SECURITY}))
