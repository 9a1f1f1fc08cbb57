"""PushService over zeep (SOAP 1.1 and 1.2): records from the provincial platform are applied
once per MessageId, repeats get the first receipt, a reused id is refused, and a refused
record changes nothing."""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from adapters.demo import sample_uscc as make_uscc
from core.codes.iso7064 import mod11_2_check
from core.model.credit import CreditRecord
from core.model.expert import Expert
from core.model.party import Party
from exchange.model import InboxMessage
from tests.webservice.conftest import Live, unique, watch, zeep_fault

SYSTEM = "system_client:ws-system"
ENVELOPE = {"PLATFORM_CODE": "913500000000000000", "PUB_SERVICE_PLAT_CODE": "913500000000000001",
            "DATA_TIMESTAMP": "20261124093000"}


def legal_person(uscc: str, name: str = "福建闽南路桥工程有限公司") -> dict[str, str]:
    return {**ENVELOPE, "LEGAL_NAME": name, "BIDDER_CODE_TYPE": "1", "LEGAL_CODE": uscc,
            "LEGAL_ROLE": "投标人", "LICENSE_NO": uscc, "LICENSE_END_DATE": "20351231",
            "LEGAL_REPRESENT": "陈明", "LEGAL_TYPE": "1", "COUNTRY_REGION": "156",
            "REGION_CODE": "350100", "REG_CAPITAL": "5000", "REG_CAP_CURRENCY": "156",
            "REG_UNIT": "1", "LEGAL_CONTACT": "林芳", "LEGAL_CONTACT_PHONE": "0591-88000002",
            "LEGAL_UNIT_ADDRESS": "福州市鼓楼区五四路1号", "LEGAL_STATUS": "1"}


def blacklist(uscc: str, name: str) -> dict[str, str]:
    return {**ENVELOPE, "BLACKLIST_CODE": secrets.token_hex(18), "BODY_NAME": name,
            "BODY_CODE": uscc, "BODY_TYPE": "1", "BODY_ROLE": "02",
            "RECORD_REASON": "串通投标", "RECORD_DATE": "20261101090000",
            "GOVERNMENT": "福州市住房和城乡建设局", "DOCUMENT_CODE": "榕建罚〔2026〕12号",
            "REVOCATION_STATUS": "0", "CONFINED_ACTION": "01", "SCOPE": "1"}


def resident_id() -> str:
    """A well-formed 身份证号码: region, birth date, sequence, ISO 7064 check character."""
    month, day = 1 + secrets.randbelow(12), 1 + secrets.randbelow(28)
    born = f"19{60 + secrets.randbelow(30)}{month:02d}{day:02d}"
    first17 = f"350102{born}{secrets.randbelow(1000):03d}"
    return first17 + mod11_2_check(first17)


def expert(id_card: str) -> dict[str, str]:
    return {**ENVELOPE, "ID_CARD": id_card, "ID_CARD_TYPE": "01", "EXPERT_NAME": "黄志强",
            "SEX": "1", "BIRTHDAY": id_card[6:14], "EDUCATION": "硕士",
            "PROFESSIONAL": "高级工程师",
            "ONWORK": "1", "COMPANY": "福建省建筑设计研究院", "INDUSTRY": "E48",
            "AREA": "350102001", "PHONE_NUMBER": "13800000001", "DMISSON": "1",
            "ENTER_DATE": "20200101", "BASE_TYPE": "1", "MAJOR_CODE": "A080101", "IS_MAIN": "1"}


def new_uscc() -> str:
    return make_uscc("MW" + secrets.token_hex(3).upper())


def _party(live: Live, uscc: str) -> Party | None:
    with live.container.session_factory() as s:
        return s.scalars(select(Party).where(Party.uscc == uscc)).one_or_none()


def push_legal_person(client: Any, message_id: str, record: dict[str, str]) -> Any:
    return client.service.ReceiveLegalPerson(MessageId=message_id, Record=record)


@pytest.mark.parametrize("soap", ["soap11", "soap12"])
def test_legal_person_applied_once_per_message(live: Live, soap: str) -> None:
    client = live.zeep(soap, "push")
    uscc = new_uscc()
    message_id = unique("LP")
    head = live.audit_head()
    receipt = push_legal_person(client, message_id, legal_person(uscc))
    assert (receipt.Status, receipt.Duplicate, receipt.DataSet, receipt.Reference) == (
        "ACCEPTED", False, "100", uscc)
    assert receipt.ReceivedAt.utcoffset() == timedelta(0)
    party = _party(live, uscc)
    assert party is not None and party.name == "福建闽南路桥工程有限公司"
    assert "bidder" in party.role_codes
    actions = [(e.action, e.actor) for e in live.audit_since(head)]
    assert ("ws.ReceiveLegalPerson", SYSTEM) in actions
    assert ("party.register", SYSTEM) in actions  # the core's own entry, same transaction

    # the same message again: the first receipt, and nothing changes but the call's entry
    w = watch(live)
    again = push_legal_person(client, message_id, legal_person(uscc))
    assert again.Duplicate is True
    assert (again.Reference, again.ReceivedAt) == (receipt.Reference, receipt.ReceivedAt)
    w.only_audited("ws.ReceiveLegalPerson", SYSTEM)

    # rebuilt for the resend with a new timestamp: still the same message
    w = watch(live)
    renewed = {**legal_person(uscc), "DATA_TIMESTAMP": "20261124100000"}
    assert push_legal_person(client, message_id, renewed).Duplicate is True
    w.only_audited("ws.ReceiveLegalPerson", SYSTEM)

    # the same id for a different record is a clash, not a resend
    w = watch(live)
    error = zeep_fault(lambda: push_legal_person(
        client, message_id, legal_person(uscc, name="另一家公司")))
    assert (error["Side"], error["Code"]) == ("Client", "MESSAGE_ID_REUSED")
    w.only_audited("ws.ReceiveLegalPerson:MESSAGE_ID_REUSED", SYSTEM)


def test_refused_record_stores_nothing_and_can_be_corrected(live: Live) -> None:
    client = live.zeep("soap11", "push")
    uscc = new_uscc()
    message_id = unique("LP")
    incomplete = {k: v for k, v in legal_person(uscc).items() if k != "LEGAL_NAME"}
    w = watch(live)
    error = zeep_fault(lambda: push_legal_person(client, message_id, incomplete))
    assert (error["Code"], error["Field"]) == ("FIELD_REQUIRED", "LEGAL_NAME")
    w.only_audited("ws.ReceiveLegalPerson:FIELD_REQUIRED", SYSTEM)
    with live.container.session_factory() as s:
        assert s.scalars(select(InboxMessage).where(
            InboxMessage.message_id == message_id)).first() is None
    corrected = push_legal_person(client, message_id, legal_person(uscc))
    assert corrected.Status == "ACCEPTED" and corrected.Duplicate is False


@pytest.mark.parametrize("soap", ["soap11", "soap12"])
def test_blacklist_record_about_a_known_subject(live: Live, soap: str) -> None:
    client = live.zeep(soap, "push")
    uscc = new_uscc()
    push_legal_person(client, unique("LP"), legal_person(uscc, name="福建失信工程有限公司"))
    record = blacklist(uscc, "福建失信工程有限公司")
    receipt = client.service.ReceiveCreditRecord(MessageId=unique("CR"), DataSet="302",
                                                 Record=record)
    assert receipt.Reference == f"302/{record['BLACKLIST_CODE']}"
    with live.container.session_factory() as s:
        row = s.scalars(select(CreditRecord).where(
            CreditRecord.record_code == record["BLACKLIST_CODE"])).one()
        assert (row.data_set, row.body_code) == ("302", uscc)


def test_credit_record_about_an_unknown_subject(live: Live) -> None:
    client = live.zeep("soap11", "push")
    w = watch(live)
    error = zeep_fault(lambda: client.service.ReceiveCreditRecord(
        MessageId=unique("CR"), DataSet="302", Record=blacklist(new_uscc(), "无此主体")))
    assert (error["Code"], error["Field"]) == ("SUBJECT_UNKNOWN", "BODY_CODE")
    w.only_audited("ws.ReceiveCreditRecord:SUBJECT_UNKNOWN", SYSTEM)


def test_credit_record_of_a_data_set_not_accepted(live: Live) -> None:
    client = live.zeep("soap11", "push")
    error = zeep_fault(lambda: client.service.ReceiveCreditRecord(
        MessageId=unique("CR"), DataSet="304", Record={"BODY_CODE": new_uscc()}))
    assert error["Code"] == "DATA_SET_NOT_SUPPORTED"


@pytest.mark.parametrize("soap", ["soap11", "soap12"])
def test_expert(live: Live, soap: str) -> None:
    client = live.zeep(soap, "push")
    id_card = resident_id()
    receipt = client.service.ReceiveExpert(MessageId=unique("EX"), Record=expert(id_card))
    assert receipt.Reference == id_card and receipt.DataSet == "212"
    with live.container.session_factory() as s:
        found = s.scalars(select(Expert).where(Expert.id_number == id_card)).one()
        assert found.main_major == "A080101" and found.available


def test_only_system_clients_and_administrators_push(live: Live) -> None:
    supervisor = live.zeep("soap11", "push", "ws-supervisor")
    w = watch(live)
    error = zeep_fault(lambda: push_legal_person(supervisor, unique("LP"),
                                                 legal_person(new_uscc())))
    assert error["Code"] == "ROLE_NOT_ALLOWED"
    w.only_audited("ws.ReceiveLegalPerson:ROLE_NOT_ALLOWED", "supervisor:ws-supervisor")
    admin = live.zeep("soap11", "push", "ws-admin")
    assert push_legal_person(admin, unique("LP"), legal_person(new_uscc())).Status == "ACCEPTED"


def _waiting_on_locks(live: Live) -> int:
    with live.container.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar_one())


def test_concurrent_copies_of_a_message_are_applied_once(live: Live) -> None:
    """Four copies arrive together. The test holds the audit chain's head, so the first copy
    waits at its audit entry with its party inserted and the others wait on that insert; when
    the head is let go, the first commits and the others lose the race — and must still answer
    with the first receipt, not fail."""
    uscc = new_uscc()
    message_id = unique("LP")
    clients = [live.zeep("soap11", "push") for _ in range(4)]
    with ThreadPoolExecutor(len(clients)) as pool, live.container.engine.connect() as conn:
        held = conn.begin()
        conn.execute(text("SELECT * FROM audit_head FOR UPDATE"))
        futures = [pool.submit(push_legal_person, c, message_id, legal_person(uscc))
                   for c in clients]
        deadline = time.monotonic() + 30
        while _waiting_on_locks(live) < len(clients):
            assert time.monotonic() < deadline, "the copies did not all reach the database"
            time.sleep(0.05)
        held.commit()
        receipts = [f.result(timeout=30) for f in futures]
    assert {(r.Reference, r.ReceivedAt) for r in receipts} == {
        (uscc, receipts[0].ReceivedAt)}
    assert sorted(r.Duplicate for r in receipts) == [False, True, True, True]
    with live.container.session_factory() as s:
        assert len(s.scalars(select(InboxMessage).where(
            InboxMessage.message_id == message_id)).all()) == 1
        assert len(s.scalars(select(Party).where(Party.uscc == uscc)).all()) == 1
