"""The Shanxi public-service platform "pspde" (adapter kind ``shanxi_pspde``): ``receiveInfo``
with one record per call as a GCJS_* XML document.

Target options: ``user_id`` (10 digits), ``credit_code`` (the sender's registered 18-character
code) and ``secret_env`` or ``secret_file`` naming the KEY (sent in clear, as the real system
does; it is redacted from the attempt log).

The real service is Axis 1.4 rpc/encoded; we speak document/literal wrapped, as the shared
protocol reading says. There is no operation parameter: the peer tells an add from an update by
VERSIONNUMBER (the record's version) against the PLATID it holds, and a delete carries
``<DELETE_FLAG>1</DELETE_FLAG>``. receiveTime is the official publication time of notices
(503, 511, 513); it comes back as the acknowledgement's official time for every record, also
on "3002 already exists", which carries the original receive time.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from typing import Any

from lxml import etree

from adapters.outbound.beijing_time import format_beijing
from adapters.outbound.soap_base import SoapAdapter
from adapters.outbound.soap_replies import (
    MalformedReply,
    RecordResult,
    Refused,
    Taken,
    refusal,
    reply_text,
    reply_time,
    reply_value,
)
from adapters.outbound.soap_xml import element, fields_of, serialize
from exchange.outcome import PeerAcknowledgement
from mappings.records import DataSetRecord, Operation

DATASET_CODES = {
    "500": "GCJS_PROJECT",
    "501": "GCJS_TENDER_PROJECT",
    "502": "GCJS_SECTION",
    "503": "GCJS_NOTICE",
    "504": "GCJS_TENDER_DOC",
    "506": "GCJS_OPENING_RECORD",
    "507": "GCJS_TENDER_LIST",
    "508": "GCJS_EXPERT",
    "509": "GCJS_EVALUATION_REPORT",
    "510": "GCJS_WIN_CANDIDATE",
    "511": "GCJS_PUBLICITY",
    "512": "GCJS_CONTRACT_PERFORMANCE",
    "513": "GCJS_RESULT_NOTICE",
    "517": "GCJS_EXCEPTION_REPORT",
}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
RECEIVE_TIME = "%Y-%m-%d %H:%M:%S"
REFUSALS = {
    "1001": Refused.park("USERID/KEY refused"),
    "1002": Refused.park("CREDITCODE not registered"),
    "2001": Refused.park("record invalid"),
    "3001": Refused.retry("parent missing"),
    "9999": Refused.retry("peer internal error"),
}


class SerialCounter:
    """The 6-digit tail of SERIALNUMBER: a process-wide counter started at a random point.

    The protocol asks for an increasing serial per user and day; the hub runs several delivery
    threads and processes, so one counter per process (thread-safe) starting at a random value
    (``secrets``) keeps the serials of one process distinct for 10⁶ calls and makes a clash
    between processes unlikely. The peer identifies a record by PLATID and VERSIONNUMBER, not by
    the serial, so a resend needs no particular serial.
    """

    def __init__(self, start: int | None = None) -> None:
        self._count = itertools.count(secrets.randbelow(10**6) if start is None else start)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            return f"{next(self._count) % 10**6:06d}"


SERIALS = SerialCounter()


def xml_content(record: DataSetRecord, code: str) -> str:
    """The record as ``<GCJS_…>`` with one element per field; a delete adds DELETE_FLAG."""
    root = etree.Element(code)
    fields_of(root, {k: v for k, v in record.fields.items() if k != "DELETE_FLAG"})
    if record.operation == Operation.DELETE:
        element(root, "DELETE_FLAG", "1")
    return XML_DECLARATION + serialize(root)


def classify(record: DataSetRecord, serial: str, reply: Any) -> RecordResult:
    code = reply_text(reply, "errorCode")
    message = reply_text(reply, "errorMessage", required=False)
    success = reply_value(reply, "success")
    if code in ("0", "3002"):
        if code == "0" and success is not True:
            raise MalformedReply(f"errorCode 0 with success={success!r}")
        official = reply_time("receiveTime", reply_text(reply, "receiveTime"), RECEIVE_TIME)
        ack = PeerAcknowledgement(record.data_set, record.key, official_time=official,
                              reference=serial)
        return Taken(ack, "accepted" if code == "0" else f"already held: {message}")
    if success is True:
        raise MalformedReply(f"errorCode {code} with success=true")
    text = f"errorCode {code}: {message}"
    return refusal(code, text, REFUSALS) or Refused.park(f"unknown {text}")


class ShanxiAdapter(SoapAdapter):
    service_name = "PspdeWSService"
    operation = "receiveInfo"

    def check_options(self) -> str | None:
        user_id = self.option("user_id")
        if len(user_id) != 10 or not user_id.isascii() or not user_id.isdigit():
            return "option user_id must be the 10-digit Shanxi user id"
        if len(self.option("credit_code")) != 18:
            return "option credit_code must be the 18-character registered code"
        return None

    def build(self, record: DataSetRecord, secret: str) -> dict[str, Any] | Refused:
        code = DATASET_CODES.get(record.data_set)
        if code is None:
            return Refused.park(f"data set {record.data_set} is not carried by the Shanxi "
                                "profile")
        now = self.now()
        user_id = self.option("user_id")
        return {
            "USERID": user_id,
            "KEY": secret,
            "SERIALNUMBER": user_id + format_beijing(now, "%Y%m%d") + SERIALS.next(),
            "DATASETCODE": code,
            "XMLCONTENT": xml_content(record, code),
            "REQUESTTIME": format_beijing(now, RECEIVE_TIME),
            "VERSIONNUMBER": record.version,
            "PLATID": record.key,
            "CREDITCODE": self.option("credit_code"),
        }

    def interpret(self, record: DataSetRecord, arguments: dict[str, Any], reply: Any
                  ) -> RecordResult:
        return classify(record, arguments["SERIALNUMBER"], reply)
