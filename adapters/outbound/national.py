"""The national exchange, our documented reading (adapter kind ``national_xml``): no official
transport was found, so this is ``SubmitRecord`` of the ``NationalExchange`` service, one record
per call, authenticated by a WS-Security UsernameToken (PasswordText) in the SOAP header.

Target options: ``platform_code`` (the 11-character trading-platform code, also the token's
Username), ``secret_env`` or ``secret_file`` naming the password, and ``soap_version`` ("1.1",
the default, or "1.2": the peer offers both).

CODE of the reply: 0000 accepted, E301 already exists (delivered), E300 parent missing and E500
internal (retry), E100 authentication, E200 invalid record, E404 unknown DATA_KEY (park).
RECEIVED_AT (yyyyMMddHHmmss, Beijing) is the acknowledgement's official time.
"""

from __future__ import annotations

import re
from typing import Any

import zeep.exceptions
from lxml import etree
from zeep.wsse.username import UsernameToken

from adapters.outbound.soap_base import SoapAdapter
from adapters.outbound.soap_replies import (
    RecordResult,
    Refused,
    Taken,
    refusal,
    reply_text,
    reply_time,
)
from adapters.outbound.soap_xml import fields_of, serialize
from exchange.outcome import PeerAcknowledgement
from mappings.records import DataSetRecord, Operation

PLATFORM_CODE = re.compile(r"[0-9A-Z]{11}")
RECEIVED_AT = "%Y%m%d%H%M%S"
AUTH_FAULTS = ("FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken")
REFUSALS = {
    "E100": Refused.park("authentication failed"),
    "E200": Refused.park("record invalid"),
    "E300": Refused.retry("parent missing"),
    "E500": Refused.retry("peer internal error"),
}


def record_xml(record: DataSetRecord) -> str:
    """``<RECORD DATASET="501" NAME="TENDER_PROJECT">`` with the fields; empty for a delete."""
    root = etree.Element("RECORD", DATASET=record.data_set, NAME=record.name_en)
    if record.operation != Operation.DELETE:
        fields_of(root, record.fields)
    return serialize(root)


def national_key(record: DataSetRecord) -> str:
    return f"{record.data_set}:{record.key}"


def classify(record: DataSetRecord, reply: Any) -> RecordResult:
    code = reply_text(reply, "CODE")
    message = reply_text(reply, "MESSAGE", required=False)
    text = f"{code}: {message}" if message else code
    if code in ("0000", "E301"):
        when = reply_text(reply, "RECEIVED_AT", required=code == "0000")
        official = reply_time("RECEIVED_AT", when, RECEIVED_AT) if when else None
        ack = PeerAcknowledgement(record.data_set, record.key, official_time=official,
                              reference=national_key(record))
        return Taken(ack, "accepted" if code == "0000" else f"already held: {text}")
    if code == "E404":
        return Refused.park(f"unknown DATA_KEY {national_key(record)}: {text}")
    return refusal(code, text, REFUSALS) or Refused.park(f"unknown CODE {text}")


class NationalAdapter(SoapAdapter):
    service_name = "NationalExchange"
    operation = "SubmitRecord"

    def check_options(self) -> str | None:
        if not PLATFORM_CODE.fullmatch(self.option("platform_code")):
            return "option platform_code must be the 11-character trading-platform code"
        if self.soap_version() not in ("1.1", "1.2"):
            return "option soap_version must be 1.1 or 1.2"
        return None

    def soap_version(self) -> str:
        return self.option("soap_version", "1.1")

    def wsse_token(self, secret: str) -> Any:
        return UsernameToken(self.option("platform_code"), secret)

    def build(self, record: DataSetRecord, secret: str) -> dict[str, Any] | Refused:
        return {
            "PLATFORM_CODE": self.option("platform_code"),
            "DATASET_CODE": record.data_set,
            "DATA_KEY": national_key(record),
            "OPERATION": record.operation.value,
            "VERSION": record.version,
            "RECORD": record_xml(record),
        }

    def interpret(self, record: DataSetRecord, arguments: dict[str, Any], reply: Any
                  ) -> RecordResult:
        return classify(record, reply)

    def fault(self, err: zeep.exceptions.Fault) -> Refused:
        """A WS-Security fault about the token will not heal by itself: park it."""
        code = " ".join(str(c) for c in (err.code, *(err.subcodes or ())) if c)
        if any(name in code for name in AUTH_FAULTS):
            return Refused.park(f"authentication failed: SOAP Fault {code}: {err.message}")
        return super().fault(err)
