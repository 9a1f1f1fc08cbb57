"""PushService (urn:ggzy-hub:ws:push:1): records pushed by the provincial platform.

* ReceiveLegalPerson — data set 100 法人基本信息, creating or updating the 交易主体;
* ReceiveCreditRecord — 300 违法违规, 302 黑名单 or 303 撤销黑名单 (a 303 withdraws its 302);
* ReceiveExpert — 212 评标专家基本信息.

Each record travels as one element per field, named by the data set's field code (LEGAL_NAME,
BLACKLIST_CODE …), values as the standard writes them (dt14, d8, decimal strings). Every element
is optional in the WSDL: which are mandatory, their lengths and formats are the core's rules,
refused with a stable code that names the field (FIELD_REQUIRED, FIELD_LENGTH_INVALID …).

Each push carries a MessageId, unique per sending account: the message is applied once
(exchange.inbox); sending it again answers with the first receipt and ``Duplicate`` true; the
same MessageId with a different record is refused with MESSAGE_ID_REUSED.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from spyne import Boolean, ComplexModel, DateTime, ServiceBase, Unicode, rpc

from adapters.webservice.calls import Call, run_inbound
from core.audit import canonical_json
from core.model.account import AccountKind
from core.security.principal import Principal
from core.services import credit, experts, subjects
from core.services.pushed_records import substance
from core.uow import UnitOfWork
from mappings.standards.loader import datasets

TNS = "urn:ggzy-hub:ws:push:1"
KINDS = frozenset({AccountKind.SYSTEM_CLIENT, AccountKind.ADMIN})
CREDIT_DATA_SETS = ("302", "303", "300")

# Fields the credit service reads from the data sets that have no definition under
# mappings/standards yet (300, 303: the Fujian V4 ingest tables, research §2), and the optional
# restriction period it reads on 302 too. Used only while a definition is missing.
_CREDIT_FIELDS_WITHOUT_DEFINITION = {
    "300": ("VIOLATING_CODE", "BODY_NAME", "BODY_CODE", "BODY_TYPE", "BODY_ROLE",
            "VIOLATING_NAME", "VIOLATING_INSTRUCTIONS", "VIOLATING_TIME", "GOVERNMENT",
            "DOCUMENT_CODE", "CONFINED_ACTION", "CONFINED_START", "CONFINED_END"),
    "303": ("BLACKLIST_CODE", "BODY_NAME", "BODY_CODE", "BODY_TYPE", "BODY_ROLE",
            "REVOCATION_REASONS", "REVOCATIONEASONS", "GOVERNMENT", "DOCUMENT_CODE",
            "APPLICATION_DATE"),
}
_CREDIT_PERIOD = ("CONFINED_START", "CONFINED_END")


def field_codes(*data_sets: str) -> tuple[str, ...]:
    """The field codes of the data sets, in definition order, each once."""
    defined = datasets()
    codes: dict[str, None] = {}
    for code in data_sets:
        if code in defined:
            codes.update((f.code, None) for f in defined[code].fields)
        codes.update((c, None) for c in _CREDIT_FIELDS_WITHOUT_DEFINITION.get(code, ()))
    if "302" in data_sets:
        codes.update((c, None) for c in _CREDIT_PERIOD)
    return tuple(codes)


def record_type(name: str, codes: Iterable[str]) -> Any:
    """A record type with one optional string element per field code."""
    return ComplexModel.produce(TNS, name, [(code, Unicode(min_occurs=0)) for code in codes])


LegalPersonRecord = record_type("LegalPersonRecord", field_codes("100"))
CreditRecordFields = record_type("CreditRecord", field_codes(*CREDIT_DATA_SETS))
ExpertRecord = record_type("ExpertRecord", field_codes("212"))


class Receipt(ComplexModel):
    __namespace__ = TNS
    MessageId = Unicode
    Status = Unicode
    Duplicate = Boolean
    DataSet = Unicode
    Reference = Unicode
    ReceivedAt = DateTime


MessageIdIn = Unicode(min_occurs=1, nillable=False, min_len=1, max_len=255)
DataSetIn = Unicode(min_occurs=1, nillable=False, min_len=3, max_len=3)


def _fields(record: Any, kind: Any) -> dict[str, str]:
    """The record's fields that were sent, by field code."""
    if record is None:
        return {}
    return {code: str(value) for code in kind.get_flat_type_info(kind)
            if (value := getattr(record, code, None)) is not None}


def _body(operation: str, data_set: str, fields: dict[str, str]) -> bytes:
    """What the inbox compares a repeat against: what the record says — not the SOAP envelope
    around it, nor the sender's envelope fields (PLATFORM_CODE, DATA_TIMESTAMP …), which a
    sender rebuilding the message for a resend may well renew."""
    return canonical_json({"operation": operation, "data_set": data_set,
                           "record": substance(fields)})


def _answer(message_id: str, data_set: str, reference: str, now: datetime) -> dict[str, Any]:
    return {"message_id": message_id, "status": "ACCEPTED", "data_set": data_set,
            "reference": reference, "received_at": now.astimezone(UTC).isoformat()}


def _receipt(answer: dict[str, Any], duplicate: bool) -> Receipt:
    return Receipt(MessageId=answer["message_id"], Status=answer["status"],
                   Duplicate=duplicate, DataSet=answer["data_set"],
                   Reference=answer["reference"],
                   ReceivedAt=datetime.fromisoformat(answer["received_at"]))


def _push(ctx: Any, operation: str, message_id: str, data_set: str, fields: dict[str, str],
          apply: Any) -> Receipt:
    def work(uow: UnitOfWork, principal: Principal) -> dict[str, Any]:
        return _answer(message_id, data_set, apply(uow, principal), uow.clock.now())

    answer, duplicate = run_inbound(ctx, Call(operation, "message", message_id, KINDS),
                                    message_id, _body(operation, data_set, fields), work)
    return _receipt(answer, duplicate)


class PushService(ServiceBase):
    """Pushes from the provincial platform; each applied once per MessageId."""

    @rpc(MessageIdIn, LegalPersonRecord.customize(min_occurs=1, nillable=False),
         _returns=Receipt, _out_variable_name="Receipt")
    def ReceiveLegalPerson(ctx: Any, MessageId: str, Record: Any) -> Receipt:
        """法人基本信息 (100): creates the 交易主体 of LEGAL_CODE (统一社会信用代码) or updates it;
        Reference is that code."""
        fields = _fields(Record, LegalPersonRecord)
        return _push(ctx, "ReceiveLegalPerson", MessageId, "100", fields,
                     lambda uow, p: subjects.receive_legal_person(uow, p, fields).identifier)

    @rpc(MessageIdIn, DataSetIn, CreditRecordFields.customize(min_occurs=1, nillable=False),
         _returns=Receipt, _out_variable_name="Receipt")
    def ReceiveCreditRecord(ctx: Any, MessageId: str, DataSet: str, Record: Any) -> Receipt:
        """信用记录 300 / 302 / 303 about a known 交易主体 (else SUBJECT_UNKNOWN); Reference is
        ``<data set>/<record code>``."""
        fields = _fields(Record, CreditRecordFields)

        def apply(uow: UnitOfWork, principal: Principal) -> str:
            row = credit.receive_credit_record(uow, principal, DataSet, fields)
            return f"{row.data_set}/{row.record_code}"

        return _push(ctx, "ReceiveCreditRecord", MessageId, DataSet, fields, apply)

    @rpc(MessageIdIn, ExpertRecord.customize(min_occurs=1, nillable=False),
         _returns=Receipt, _out_variable_name="Receipt")
    def ReceiveExpert(ctx: Any, MessageId: str, Record: Any) -> Receipt:
        """评标专家 (212), keyed by ID_CARD; Reference is that number."""
        fields = _fields(Record, ExpertRecord)
        return _push(ctx, "ReceiveExpert", MessageId, "212", fields,
                     lambda uow, p: experts.receive_expert(uow, p, fields).id_number)
