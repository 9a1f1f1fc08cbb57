"""A stand-in for Fujian's provincial ingest service ("FJ V4", research §7a).

ASP.NET ASMX, SOAP 1.1, namespace ``http://tempuri.org/``, service ``DataService``, port
``DataServiceSoap``, one operation ``UploadData_G_V4(validation, data) -> string``:

- ``validation`` = ``<DATA><TOKEN/><SYSTEM_NO/></DATA>``; TOKEN = base64 of DES-CBC (key and IV =
  the first 8 bytes of the sender's secret, PKCS7) over SYSTEM_NO + yyyyMMddHHmmss (Beijing) +
  MD5hex-upper(SYSTEM_NO). Refused ("令牌…") when it does not decrypt to that shape or its time is
  more than 12 hours from the peer's clock.
- ``data`` = ``<DES><TITLE/><CONTEXT/><SOURCE/></DES>``: TITLE carries DATA_NO, DATA_EN, DATA_CN,
  DATA_KEY (22 = SYSTEM_NO + DATA_NO padded to 4 + 14), DATA_TYPE (1 add, 2 update, 3 delete),
  ROUTE_WAY (required on add) and CA_KEY (required); CONTEXT one record; a delete has no CONTEXT.
- The answer is a JSON string: ``{"STATUS":"1"}`` or ``{"STATUS":"-1","MSG":"…"}``, the message
  saying "已存在" (key held), "未上报" (parent missing), "令牌" (token), "不存在" (unknown key on
  update/delete) or naming the broken field.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from spyne import Application, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from sandbox.platforms import hardening, soap
from sandbox.platforms.app import REFUSE_PARENT_KEY, PlatformApp
from sandbox.platforms.clock import SHANGHAI, Clock, beijing_now, dt14, parse_dt14
from sandbox.platforms.ledger import Decision, Verdict, decide
from sandbox.platforms.rules import DATA_SETS
from sandbox.platforms.store import Store

# Single DES is 3DES with K1 = K2 = K3: the 8-byte key three times gives DES exactly, without the
# deprecated 8-byte form of the TripleDES key.
try:  # cryptography >= 43 keeps the old ciphers apart
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

TNS = "http://tempuri.org/"
MAX_SKEW = timedelta(hours=12)
OPERATIONS = {"1": "add", "2": "update", "3": "delete"}
OPERATION_ZH = {"add": "新增", "update": "修改", "delete": "删除"}


class Refusal(Exception):
    """A call answered with STATUS -1 before any record was looked at."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _des_key(secret: str) -> bytes:
    key = secret.encode("utf-8")[:8]
    if len(key) != 8:
        raise ValueError("a Fujian sender secret needs at least 8 bytes (the DES key)")
    return key


def _md5_upper(system_no: str) -> str:
    return hashlib.md5(system_no.encode("ascii"), usedforsecurity=False).hexdigest().upper()


def make_token(system_no: str, secret: str, moment: datetime) -> str:
    """The TOKEN a sender puts in ``validation`` (for the demo and the command line)."""
    key = _des_key(secret)
    padder = padding.PKCS7(64).padder()
    plain = padder.update(f"{system_no}{dt14(moment)}{_md5_upper(system_no)}".encode("ascii"))
    plain += padder.finalize()
    encryptor = Cipher(TripleDES(key * 3), modes.CBC(key)).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


def read_token(token: str, system_no: str, secret: str) -> datetime:
    """The time sealed in ``token``; Refusal unless it is SYSTEM_NO + time + MD5 under ``secret``.
    """
    key = _des_key(secret)
    try:
        sealed = base64.b64decode(token.strip(), validate=True)
        decryptor = Cipher(TripleDES(key * 3), modes.CBC(key)).decryptor()
        padded = decryptor.update(sealed) + decryptor.finalize()
        unpadder = padding.PKCS7(64).unpadder()
        plain = (unpadder.update(padded) + unpadder.finalize()).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Refusal("auth", "令牌验证失败：无法解密") from None
    stamp = plain[len(system_no):len(system_no) + 14]
    if (not plain.startswith(system_no) or plain[len(system_no) + 14:] != _md5_upper(system_no)):
        raise Refusal("auth", "令牌验证失败：内容不符")
    try:
        return parse_dt14(stamp)
    except ValueError:
        raise Refusal("auth", "令牌验证失败：时间格式错误") from None


def _reply(status: str, message: str | None = None) -> str:
    data = {"STATUS": status} if message is None else {"STATUS": status, "MSG": message}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class FujianPeer:
    """The checks behind ``UploadData_G_V4``; the spyne service only forwards to ``upload``."""

    def __init__(self, store: Store, senders: Mapping[str, str], clock: Clock,
                 extensions_required: bool, max_skew: timedelta) -> None:
        for secret in senders.values():
            _des_key(secret)
        self.store = store
        self.senders = dict(senders)
        self.clock = clock
        self.extensions_required = extensions_required
        self.max_skew = max_skew

    def upload(self, validation: str | None, data: str | None, environ: Mapping[str, Any]) -> str:
        now = self.clock().astimezone(SHANGHAI)
        try:
            system_no = self._authenticate(validation or "", now)
            title, context = self._read_data(data or "", system_no)
        except Refusal as refusal:
            self.store.refuse(reason=refusal.reason, data_set=None, record_key=None,
                              message=refusal.message, at=now.isoformat(timespec="seconds"))
            return _reply("-1", refusal.message)
        data_set = DATA_SETS[title["DATA_NO"]]
        operation = OPERATIONS[title["DATA_TYPE"]]
        if environ.get(REFUSE_PARENT_KEY):
            message = "上级数据未上报，请先上报（模拟故障）"
            self.store.refuse(reason="parent_missing", data_set=data_set.code,
                              record_key=title["DATA_KEY"], message=message,
                              at=now.isoformat(timespec="seconds"))
            return _reply("-1", message)
        decision = decide(self.store, operation=operation, data_set=data_set,
                          record_key=title["DATA_KEY"], version=None, fields=context,
                          sender=system_no, now=now,
                          extensions_required=self.extensions_required)
        return self._word(decision, title["DATA_KEY"])

    @staticmethod
    def _word(decision: Decision, data_key: str) -> str:
        verdict = decision.verdict
        if verdict is Verdict.ACCEPTED:
            return _reply("1")
        if verdict is Verdict.DUPLICATE:
            return _reply("-1", f"数据{data_key}已存在")
        if verdict is Verdict.PARENT_MISSING and decision.parent is not None:
            parent = decision.parent
            return _reply("-1", f"{parent.name_zh}数据未上报，请先上报"
                                f"（{parent.field}={parent.code}）")
        if verdict is Verdict.NOT_FOUND:
            return _reply("-1", f"数据{data_key}不存在，无法{OPERATION_ZH[decision.operation]}")
        if verdict is Verdict.FORBIDDEN:
            return _reply("-1", f"数据{data_key}由其他系统上报，无权修改")
        assert decision.violation is not None
        return _reply("-1", decision.violation.zh())

    def _authenticate(self, validation: str, now: datetime) -> str:
        try:
            root = hardening.parse(validation)
            fields = hardening.text_children(root)
        except ValueError as err:
            raise Refusal("envelope", f"validation格式错误：{err}") from None
        if root.tag != "DATA":
            raise Refusal("envelope", "validation格式错误：根元素应为DATA")
        system_no = fields.get("SYSTEM_NO", "")
        token = fields.get("TOKEN", "")
        secret = self.senders.get(system_no)
        if secret is None or not token:
            raise Refusal("auth", "令牌验证失败：系统编号未注册或令牌为空")
        sealed_at = read_token(token, system_no, secret)
        if abs(now - sealed_at) > self.max_skew:
            raise Refusal("auth", "令牌已过期：时间与服务器相差超过12小时")
        return system_no

    def _read_data(self, data: str, system_no: str) -> tuple[dict[str, str], dict[str, str]]:
        try:
            root = hardening.parse(data)
        except ValueError as err:
            raise Refusal("envelope", f"data格式错误：{err}") from None
        if root.tag != "DES":
            raise Refusal("envelope", "data格式错误：根元素应为DES")
        title_element = root.find("TITLE")
        if title_element is None:
            raise Refusal("envelope", "data格式错误：缺少TITLE")
        try:
            title = hardening.text_children(title_element)
            context_element = root.find("CONTEXT")
            context = (hardening.text_children(context_element)
                       if context_element is not None else {})
        except ValueError as err:
            raise Refusal("envelope", f"data格式错误：{err}") from None
        for name in ("DATA_NO", "DATA_EN", "DATA_CN", "DATA_KEY", "DATA_TYPE", "CA_KEY"):
            if not title.get(name):
                raise Refusal("invalid", f"字段{name}不能为空")
        data_no = title["DATA_NO"]
        data_set = DATA_SETS.get(data_no)
        if data_set is None:
            raise Refusal("invalid", f"字段DATA_NO取值{data_no}不在本平台接收的数据类型中")
        if title["DATA_EN"] != data_set.name_en:
            raise Refusal("invalid", f"字段DATA_EN应为{data_set.name_en}")
        if title["DATA_TYPE"] not in OPERATIONS:
            raise Refusal("invalid", "字段DATA_TYPE取值应为1/2/3")
        key = title["DATA_KEY"]
        if len(key) != 22:
            raise Refusal("invalid", "字段DATA_KEY长度应为22")
        if not key.startswith(system_no) or key[4:8] != data_no.zfill(4):
            raise Refusal("invalid", "字段DATA_KEY应以SYSTEM_NO和补足4位的DATA_NO开头")
        if title["DATA_TYPE"] == "1" and not title.get("ROUTE_WAY"):
            raise Refusal("invalid", "字段ROUTE_WAY不能为空")
        if title["DATA_TYPE"] != "3" and not context:
            raise Refusal("invalid", "CONTEXT不能为空")
        return title, context


def create_app(store_path: Path | str, *, senders: Mapping[str, str], clock: Clock = beijing_now,
               extensions_required: bool = False, max_skew: timedelta = MAX_SKEW,
               max_body_bytes: int = hardening.DEFAULT_MAX_BODY_BYTES) -> PlatformApp:
    """The Fujian peer as a WSGI app. ``senders`` maps SYSTEM_NO to its secret (>= 8 bytes).

    ``extensions_required`` makes Fujian's V4-only fields mandatory as the real service does;
    off by default, since the hub sends the national field set.
    """
    store = Store(store_path)
    peer = FujianPeer(store, senders, clock, extensions_required, max_skew)

    class DataService(ServiceBase):
        __service_name__ = "DataService"
        __port_types__ = ("DataServiceSoap",)

        @rpc(Unicode, Unicode, _returns=Unicode, _out_variable_name="UploadData_G_V4Result",
             _port_type="DataServiceSoap")
        def UploadData_G_V4(ctx: Any, validation: str | None, data: str | None) -> str:
            return peer.upload(validation, data, ctx.transport.req_env)

    application = Application([DataService], tns=TNS, name="DataService",
                              in_protocol=soap.PeerSoap11(validator="lxml"),
                              out_protocol=Soap11())
    wsgi = WsgiApplication(application)
    tree = soap.spyne_wsdl(wsgi)
    soap.set_soap_actions(tree, lambda operation: TNS + operation)
    return PlatformApp(profile="fujian", store=store, soap_apps={"1.1": wsgi},
                       wsdl=soap.WsdlTemplate(tree), clock=clock, max_body_bytes=max_body_bytes)
