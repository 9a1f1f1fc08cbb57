"""A stand-in for Shanxi's public-service-platform exchange "pspde" (research §7b).

SOAP 1.1, namespace ``http://server.webservice.pspde.sxca.com/``, service ``PspdeWSService``, one
operation ``receiveInfo(USERID, KEY, SERIALNUMBER, DATASETCODE, XMLCONTENT, REQUESTTIME,
VERSIONNUMBER, PLATID, CREDITCODE) -> receiveInfoReturn: result{errorCode, errorMessage,
receiveTime, success}``. The real service is Axis 1.4 rpc/encoded; this one is document/literal
wrapped (the hub's documented deviation, docs/platform-protocols.md §3b).

There is no operation parameter: a PLATID the peer holds with the same or an older VERSIONNUMBER is
a duplicate (3002, with the original receive time), a newer one an update; XMLCONTENT with
``<DELETE_FLAG>1</DELETE_FLAG>`` deletes. errorCode (our reading): 0 accepted, 1001 USERID/KEY,
1002 CREDITCODE, 2001 invalid (the message names the field; also a delete of an unknown PLATID),
3001 parent missing, 3002 already held, 9999 internal.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from spyne import Application, Boolean, ComplexModel, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from sandbox.platforms import hardening, soap
from sandbox.platforms.answer import Answer
from sandbox.platforms.app import REFUSE_PARENT_KEY, PlatformApp
from sandbox.platforms.clock import SHANGHAI, Clock, beijing_now, parse_dt14, request_time
from sandbox.platforms.ledger import Decision, Verdict, decide
from sandbox.platforms.rules import DATA_SETS
from sandbox.platforms.store import Store

TNS = "http://server.webservice.pspde.sxca.com/"
DATASET_CODES = {
    "500": "GCJS_PROJECT", "501": "GCJS_TENDER_PROJECT", "502": "GCJS_SECTION",
    "503": "GCJS_NOTICE", "504": "GCJS_TENDER_DOC", "506": "GCJS_OPENING_RECORD",
    "507": "GCJS_TENDER_LIST", "508": "GCJS_EXPERT", "509": "GCJS_EVALUATION_REPORT",
    "510": "GCJS_WIN_CANDIDATE", "511": "GCJS_PUBLICITY", "512": "GCJS_CONTRACT_PERFORMANCE",
    "513": "GCJS_RESULT_NOTICE", "517": "GCJS_EXCEPTION_REPORT",
}
DATA_SET_OF = {name: code for code, name in DATASET_CODES.items()}
_USERID = re.compile(r"\d{10}")
_REQUEST_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
MAX_PLATID = 100

log = logging.getLogger(__name__)


class ShanxiPeer:
    def __init__(self, store: Store, users: Mapping[str, str], credit_codes: Mapping[str, str],
                 clock: Clock) -> None:
        self.store = store
        self.users = dict(users)
        self.credit_codes = dict(credit_codes)
        self.clock = clock

    def receive(self, params: dict[str, str | None], environ: Mapping[str, Any]
                ) -> dict[str, Any]:
        now = self.clock().astimezone(SHANGHAI)
        try:
            return self._receive(params, environ, now)
        except Answer as answer:
            self.store.refuse(reason=answer.reason, data_set=None,
                              record_key=params.get("PLATID"), message=answer.message,
                              at=now.isoformat(timespec="seconds"))
            return _result(answer.code, answer.message, now)
        except Exception:  # the real service answers 9999 rather than a Fault
            log.exception("Shanxi peer failed on a receiveInfo call")
            return _result("9999", "系统内部错误", now)

    def _receive(self, p: dict[str, str | None], environ: Mapping[str, Any], now: datetime
                 ) -> dict[str, Any]:
        user_id, key = p.get("USERID") or "", p.get("KEY") or ""
        expected = self.users.get(user_id)
        if expected is None or not secrets.compare_digest(expected.encode(), key.encode()):
            raise Answer("1001", "用户名或密钥错误", "auth")
        if self.credit_codes.get(user_id) != (p.get("CREDITCODE") or ""):
            raise Answer("1002", "CREDITCODE未注册或与用户不符", "auth")
        serial = p.get("SERIALNUMBER") or ""
        if not (len(serial) == 24 and serial.startswith(user_id) and serial[10:].isdigit()
                and _valid_date(serial[10:18])):
            raise Answer("2001", "字段SERIALNUMBER格式应为USERID+yyyyMMdd+6位流水号", "invalid")
        if not _REQUEST_TIME.fullmatch(p.get("REQUESTTIME") or ""):
            raise Answer("2001", "字段REQUESTTIME格式应为yyyy-MM-dd HH:mm:ss", "invalid")
        version = p.get("VERSIONNUMBER") or ""
        try:
            parse_dt14(version)
        except ValueError:
            raise Answer("2001", "字段VERSIONNUMBER格式应为yyyyMMddHHmmss", "invalid") from None
        plat_id = p.get("PLATID") or ""
        if not plat_id or len(plat_id) > MAX_PLATID:
            raise Answer("2001", f"字段PLATID不能为空且长度不能超过{MAX_PLATID}", "invalid")
        dataset_code = p.get("DATASETCODE") or ""
        code = DATA_SET_OF.get(dataset_code)
        if code is None:
            raise Answer("2001", f"字段DATASETCODE取值{dataset_code}不在业务对象清单中",
                         "invalid")
        try:
            root = hardening.parse(p.get("XMLCONTENT") or "")
            fields = hardening.text_children(root)
        except ValueError as err:
            raise Answer("2001", f"字段XMLCONTENT格式错误：{err}", "invalid") from None
        if root.tag != dataset_code:
            raise Answer("2001", f"字段XMLCONTENT根元素应为{dataset_code}", "invalid")
        delete = fields.pop("DELETE_FLAG", "0") == "1"
        if environ.get(REFUSE_PARENT_KEY):
            self.store.refuse(reason="parent_missing", data_set=code, record_key=plat_id,
                              message="injected", at=now.isoformat(timespec="seconds"))
            return _result("3001", "上级数据未上报（模拟故障）", now)
        decision = decide(self.store, operation="delete" if delete else "add",
                          data_set=DATA_SETS[code], record_key=plat_id, version=version,
                          fields=fields, sender=user_id, now=now, by_version=True)
        return _word(decision, plat_id, now)


def _valid_date(text: str) -> bool:
    try:
        parse_dt14(text + "000000")
    except ValueError:
        return False
    return True


def _word(decision: Decision, plat_id: str, now: datetime) -> dict[str, Any]:
    verdict = decision.verdict
    if verdict is Verdict.ACCEPTED:
        return _result("0", "接收成功", now, success=True)
    if verdict is Verdict.DUPLICATE and decision.held is not None:
        original = datetime.fromisoformat(decision.held.first_received_at)
        return _result("3002", f"数据{plat_id}已存在（版本{decision.held.version}）", original)
    if verdict is Verdict.PARENT_MISSING and decision.parent is not None:
        parent = decision.parent
        return _result("3001", f"{parent.name_zh}数据未上报（{parent.field}={parent.code}）", now)
    if verdict is Verdict.NOT_FOUND:
        return _result("2001", f"字段PLATID：数据{plat_id}不存在，无法删除", now)
    if verdict is Verdict.FORBIDDEN:
        return _result("2001", f"字段PLATID：数据{plat_id}由其他用户上报", now)
    assert decision.violation is not None
    return _result("2001", decision.violation.zh(), now)


def _result(code: str, message: str, at: datetime, *, success: bool = False) -> dict[str, Any]:
    return {"errorCode": code, "errorMessage": message, "receiveTime": request_time(at),
            "success": success}


def create_app(store_path: Path | str, *, users: Mapping[str, str],
               credit_codes: Mapping[str, str], clock: Clock = beijing_now,
               max_body_bytes: int = hardening.DEFAULT_MAX_BODY_BYTES) -> PlatformApp:
    """The Shanxi peer as a WSGI app.

    ``users`` maps USERID (10 digits) to KEY; ``credit_codes`` maps USERID to the 18-character
    CREDITCODE registered for it.
    """
    for user_id in users:
        if not _USERID.fullmatch(user_id):
            raise ValueError(f"a Shanxi USERID has 10 digits, not {user_id!r}")
    store = Store(store_path)
    peer = ShanxiPeer(store, users, credit_codes, clock)

    class Result(ComplexModel):
        __namespace__ = TNS
        __type_name__ = "result"
        _type_info: ClassVar = [("errorCode", Unicode), ("errorMessage", Unicode),
                                ("receiveTime", Unicode), ("success", Boolean)]

    class PspdeWS(ServiceBase):
        __service_name__ = "PspdeWSService"
        __port_types__ = ("PspdeWS",)

        @rpc(Unicode, Unicode, Unicode, Unicode, Unicode, Unicode, Unicode, Unicode, Unicode,
             _returns=Result, _out_variable_name="receiveInfoReturn", _port_type="PspdeWS")
        def receiveInfo(ctx: Any, USERID: str | None, KEY: str | None,
                        SERIALNUMBER: str | None, DATASETCODE: str | None,
                        XMLCONTENT: str | None, REQUESTTIME: str | None,
                        VERSIONNUMBER: str | None, PLATID: str | None,
                        CREDITCODE: str | None) -> Any:
            answer = peer.receive(
                {"USERID": USERID, "KEY": KEY, "SERIALNUMBER": SERIALNUMBER,
                 "DATASETCODE": DATASETCODE, "XMLCONTENT": XMLCONTENT,
                 "REQUESTTIME": REQUESTTIME, "VERSIONNUMBER": VERSIONNUMBER, "PLATID": PLATID,
                 "CREDITCODE": CREDITCODE}, ctx.transport.req_env)
            return Result(**answer)

    application = Application([PspdeWS], tns=TNS, name="PspdeWSService",
                              in_protocol=soap.PeerSoap11(validator="lxml"),
                              out_protocol=Soap11())
    wsgi = WsgiApplication(application)
    tree = soap.spyne_wsdl(wsgi)
    soap.rename(tree, "binding", "PspdeWS", "PspdeWSSoapBinding")
    soap.rename(tree, "port", "PspdeWS", "pspdews")
    soap.set_soap_actions(tree, lambda operation: "")
    return PlatformApp(profile="shanxi", store=store, soap_apps={"1.1": wsgi},
                       wsdl=soap.WsdlTemplate(tree), clock=clock, max_body_bytes=max_body_bytes)
