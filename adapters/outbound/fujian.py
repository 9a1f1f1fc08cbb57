"""The Fujian provincial ingest "FJ V4" (adapter kind ``fujian_v4``): ``UploadData_G_V4(validation,
data)`` on an ASMX service, one record per call in a DES/TITLE/CONTEXT/SOURCE envelope.

Target options: ``system_no`` (4 characters, the sender's registered system number),
``ca_key`` (required by the peer), ``route_way`` (default "1"), and ``secret_env`` or
``secret_file`` naming the per-sender DES secret (at least 8 bytes; the first 8 are the key).

The reply is a JSON string: ``{"STATUS":"1"}`` or ``{"STATUS":"-1","MSG":"…"}``. The peer's
refusals are told apart by their wording: "已存在" on an add means an earlier send was taken
(delivered), "未上报" means the parent has not arrived yet (retry: the parent's delivery is on
its way), "令牌" a refused token and "不存在" an update or delete of an unknown key (park, with
everything else — validation messages name the field).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from lxml import etree

from adapters.outbound.beijing_time import format_beijing
from adapters.outbound.soap_base import SoapAdapter
from adapters.outbound.soap_replies import MalformedReply, RecordResult, Refused, Taken, reply_text
from adapters.outbound.soap_xml import element, fields_of, serialize
from exchange.outcome import PeerAcknowledgement
from mappings.records import DataSetRecord, Operation

try:  # cryptography ≥ 43 keeps the old ciphers apart
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

DATA_TYPE = {Operation.ADD: "1", Operation.UPDATE: "2", Operation.DELETE: "3"}
DATA_KEY_LENGTH = 22


def token(system_no: str, secret: str, time14: str) -> str:
    """TOKEN = base64(DES-CBC(SYSTEM_NO + yyyyMMddHHmmss + MD5hex-upper(SYSTEM_NO))), key and IV
    the first 8 bytes of the secret, PKCS7 padding. Single DES is TripleDES with K1 = K2 = K3,
    hence the 8-byte key repeated three times (cryptography deprecates 8-byte TripleDES keys)."""
    key = secret.encode("utf-8")[:8]
    if len(key) < 8:
        raise ValueError("the Fujian secret must be at least 8 bytes")
    md5 = hashlib.md5(system_no.encode("ascii"), usedforsecurity=False).hexdigest().upper()
    plain = (system_no + time14 + md5).encode("ascii")
    padder = padding.PKCS7(64).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(TripleDES(key * 3), modes.CBC(key)).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


def validation_xml(system_no: str, token_text: str) -> str:
    root = etree.Element("DATA")
    element(root, "TOKEN", token_text)
    element(root, "SYSTEM_NO", system_no)
    return serialize(root)


def data_key(system_no: str, record: DataSetRecord) -> str:
    """SYSTEM_NO(4) + DATA_NO left-padded to 4 + 14 characters of base32(SHA-256 of
    "<data set>:<key>"): the same for every send of a record, so the peer's "already exists"
    recognises a resend, and an update or delete reaches the record the add created."""
    digest = hashlib.sha256(f"{record.data_set}:{record.key}".encode()).digest()
    tail = base64.b32encode(digest).decode("ascii").rstrip("=")[:14]
    return system_no + record.data_set.rjust(4, "0") + tail


def data_xml(record: DataSetRecord, *, system_no: str, route_way: str, ca_key: str) -> str:
    """The DES envelope of one record; a delete carries the TITLE only."""
    root = etree.Element("DES")
    title = element(root, "TITLE")
    element(title, "DATA_NO", record.data_set)
    element(title, "DATA_EN", record.name_en)
    element(title, "DATA_CN", record.name_zh)
    element(title, "DATA_KEY", data_key(system_no, record))
    element(title, "DATA_TYPE", DATA_TYPE[record.operation])
    element(title, "ROUTE_WAY", route_way)
    element(title, "CA_KEY", ca_key)
    if record.operation != Operation.DELETE:
        fields_of(element(root, "CONTEXT"), record.fields)
        element(root, "SOURCE")  # attachments: none are sent yet
    return serialize(root)


def classify(record: DataSetRecord, key: str, reply: str) -> RecordResult:
    """The JSON result string as a per-record verdict."""
    try:
        answer = json.loads(reply)
    except ValueError as err:
        raise MalformedReply(f"result is not JSON: {reply[:200]!r}") from err
    if not isinstance(answer, dict) or "STATUS" not in answer:
        raise MalformedReply(f"result has no STATUS: {reply[:200]!r}")
    status = str(answer["STATUS"]).strip()
    msg = str(answer.get("MSG") or "").strip()
    ack = PeerAcknowledgement(record.data_set, record.key, reference=key)
    if status == "1":
        return Taken(ack, "accepted")
    if status != "-1":
        raise MalformedReply(f"unknown STATUS {status!r}")
    if "令牌" in msg:
        return Refused.park(f"token refused: {msg}")
    if "已存在" in msg and record.operation == Operation.ADD:
        return Taken(ack, f"already held: {msg}")
    if "未上报" in msg:
        return Refused.retry(f"parent missing: {msg}")
    if "不存在" in msg:
        return Refused.park(f"unknown DATA_KEY {key}: {msg}")
    return Refused.park(f"refused: {msg or reply}")


class FujianAdapter(SoapAdapter):
    service_name = "DataService"
    port_name = "DataServiceSoap"
    operation = "UploadData_G_V4"

    def check_options(self) -> str | None:
        system_no = self.system_no
        if len(system_no) != 4 or not system_no.isascii() or not system_no.isalnum():
            return "option system_no must be the 4-character registered system number"
        if not self.option("ca_key"):
            return "option ca_key is required by the Fujian profile"
        return None

    @property
    def system_no(self) -> str:
        return self.option("system_no")

    def build(self, record: DataSetRecord, secret: str) -> dict[str, Any] | Refused:
        if len(secret.encode("utf-8")) < 8:
            return Refused.park("secret: the Fujian secret must be at least 8 bytes")
        stamp = format_beijing(self.now(), "%Y%m%d%H%M%S")
        return {
            "validation": validation_xml(self.system_no, token(self.system_no, secret, stamp)),
            "data": data_xml(record, system_no=self.system_no,
                             route_way=self.option("route_way", "1"),
                             ca_key=self.option("ca_key")),
        }

    def hidden(self, arguments: dict[str, Any], secret: str) -> list[str]:
        """The token opens the door for 12 hours: keep it out of the attempt log too."""
        _, _, rest = arguments["validation"].partition("<TOKEN>")
        return [secret, rest.partition("</TOKEN>")[0] or secret]

    def interpret(self, record: DataSetRecord, arguments: dict[str, Any], reply: Any
                  ) -> RecordResult:
        text = reply if isinstance(reply, str) else reply_text(reply, "UploadData_G_V4Result")
        return classify(record, data_key(self.system_no, record), text)
