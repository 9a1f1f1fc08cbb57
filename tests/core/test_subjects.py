"""法人 records pushed by the provincial platform (data set 100): a party created or updated by
its USCC, the roles we can map, the record kept as pushed, the same record again a no-op, and a
bad record refused with its code before anything is stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from core.errors import ErrorKind
from core.model.account import AccountKind
from core.model.audit import AuditEntry
from core.model.outbox import OutboxEvent
from core.model.party import Party
from core.model.subject import ProvincialPartyRecord
from core.security.principal import Principal
from core.services.subjects import mapped_roles, receive_legal_person
from tests.api.conftest import Api, fingerprint, make_uscc
from tests.core.conftest import make_principal, refused

USCC = make_uscc("MA2YP001")


def legal_person(**overrides: str) -> dict[str, str]:
    record = {
        "LEGAL_NAME": "福建闽江建设工程有限公司", "BIDDER_CODE_TYPE": "1", "LEGAL_CODE": USCC,
        "LEGAL_ROLE": "投标人,51", "LICENSE_NO": USCC, "LICENSE_END_DATE": "20451231",
        "LEGAL_REPRESENT": "林建平", "LEGAL_TYPE": "1", "COUNTRY_REGION": "156",
        "LEGAL_UNIT_ADDRESS": "福州市鼓楼区五四路 100 号", "REGION_CODE": "350102",
        "REG_CAPITAL": "5000.00", "REG_CAP_CURRENCY": "156", "REG_UNIT": "1",
        "LEGAL_CONTACT": "陈晓", "LEGAL_CONTACT_PHONE": "0591-87654321", "LEGAL_STATUS": "1",
        "BASIC_BANK": "中国建设银行福州分行", "BASIC_ACCOUNT_NO": "35050100000000001",
        "PLATFORM_CODE": "123500000000000001", "PUB_SERVICE_PLAT_CODE": "123500000000000002",
        "DATA_TIMESTAMP": "20261124093000",
    }
    record.update(overrides)
    return record


def push(container: Container, principal: Principal, record: dict[str, Any]) -> Party:
    with container.uow() as uow:
        result = receive_legal_person(uow, principal, record)
        uow.commit()
        return result


def events(container: Container) -> list[OutboxEvent]:
    with container.session_factory() as s:
        return list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def test_a_new_uscc_creates_the_party_with_its_record(container: Container,
                                                      platform: Principal) -> None:
    party = push(container, platform, legal_person())
    assert (party.kind, party.uscc) == ("organisation", USCC)
    assert party.name == "福建闽江建设工程有限公司"
    assert (party.region_code, party.legal_representative) == ("350102", "林建平")
    assert (party.contact_name, party.contact_phone) == ("陈晓", "0591-87654321")
    assert party.role_codes == {"bidder"}  # 投标人 maps; the D26 code 51 is not known here
    with container.session_factory() as s:
        stored = s.get(ProvincialPartyRecord, (party.id, "100"))
        assert stored is not None and stored.fields == legal_person()  # kept exactly as pushed
        audit = s.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "party")).all()
    assert audit == ["party.register"]
    [event] = events(container)
    assert event.event_type == "party.registered"
    assert event.ordering_key == f"party:{USCC}"
    assert event.payload["origin"] == "pushed" and event.payload["roles"] == ["bidder"]
    assert event.actor == "system_client:fj-platform"


def test_the_same_record_again_changes_nothing(container: Container,
                                               platform: Principal) -> None:
    first = push(container, platform, legal_person())
    before = fingerprint(container)
    again = push(container, platform, legal_person(DATA_TIMESTAMP="20261125080000"))
    assert again.id == first.id
    assert fingerprint(container) == before  # no row, no audit entry, no event


def test_a_known_uscc_is_updated_and_keeps_the_roles_it_registered(
        api: Api, container: Container, platform: Principal) -> None:
    party_id, _ = api.register("minjiang", "MA2YP001", ["tenderer"], name="闽江建设")
    party = push(container, platform, legal_person(LEGAL_ROLE="投标人、招标代理机构"))
    assert party.id == party_id  # the same party, not a second one
    assert party.name == "福建闽江建设工程有限公司"
    assert party.role_codes == {"tenderer", "bidder", "tender_agency"}
    push(container, platform, legal_person(LEGAL_ROLE="投标人、招标代理机构"))  # no change
    changed = push(container, platform, legal_person(LEGAL_ROLE="投标人",
                                                     BASIC_ACCOUNT_NO="35050100000000002"))
    assert changed.role_codes == {"tenderer", "bidder", "tender_agency"}  # never taken away
    with container.session_factory() as s:
        assert s.scalars(select(Party.id).where(Party.uscc == USCC)).all() == [party_id]
        stored = s.get(ProvincialPartyRecord, (party_id, "100"))
        assert stored is not None and stored.fields["BASIC_ACCOUNT_NO"] == "35050100000000002"
        assert stored.fields["LEGAL_ROLE"] == "投标人"
    types = [e.event_type for e in events(container)]
    # registered by the party itself, then three pushes of which two changed something
    assert types == ["party.registered", "party.updated", "party.updated"]


def test_role_labels_and_codes_map_unknown_values_drop() -> None:
    assert mapped_roles("招标人;投标人, supplier|竞得人") == {
        "tenderer", "bidder", "supplier", "transferee"}
    assert mapped_roles("01,02") == frozenset()


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"LEGAL_CODE": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")}, "USCC_BAD_CHECK",
     "LEGAL_CODE"),
    ({"LEGAL_CODE": "91350100ABC"}, "USCC_INVALID_FORMAT", "LEGAL_CODE"),
    ({"LEGAL_NAME": "  "}, "FIELD_REQUIRED", "LEGAL_NAME"),
    ({"REGION_CODE": "359999"}, "REGION_CODE_UNKNOWN", "REGION_CODE"),
    ({"LEGAL_REPRESENT": "名" * 21}, "FIELD_TOO_LONG", "LEGAL_REPRESENT"),
    ({"LEGAL_ROLE": ""}, "FIELD_REQUIRED", "LEGAL_ROLE"),
    ({"LEGAL_CONTACT_PHONE": ""}, "FIELD_REQUIRED", "LEGAL_CONTACT_PHONE"),
])
def test_a_bad_record_is_refused_with_its_code_and_nothing_stored(
        container: Container, platform: Principal, overrides: dict[str, str], code: str,
        field: str) -> None:
    error = refused(container, lambda uow: receive_legal_person(
        uow, platform, legal_person(**overrides)), code, ErrorKind.INVALID)
    assert error.details["field"] == field


def test_a_bad_record_does_not_touch_a_known_party(container: Container,
                                                   platform: Principal) -> None:
    push(container, platform, legal_person())
    refused(container, lambda uow: receive_legal_person(
        uow, platform, legal_person(LEGAL_NAME="新名称", REGION_CODE="000000")),
        "REGION_CODE_UNKNOWN")


def test_a_value_that_is_not_text_is_a_malformed_record(container: Container,
                                                        platform: Principal) -> None:
    record: dict[str, Any] = {**legal_person(), "REG_CAPITAL": 5000}
    error = refused(container, lambda uow: receive_legal_person(uow, platform, record),
                    "RECORD_MALFORMED")
    assert error.details["field"] == "REG_CAPITAL"


@pytest.mark.parametrize("kind", [AccountKind.SUPERVISOR, AccountKind.CENTRE_STAFF,
                                  AccountKind.EXPERT])
def test_only_connected_systems_and_admins_push_parties(container: Container,
                                                        kind: AccountKind) -> None:
    caller = make_principal(container, "caller", kind)
    refused(container, lambda uow: receive_legal_person(uow, caller, legal_person()),
            "ROLE_NOT_ALLOWED", ErrorKind.FORBIDDEN)
    admin = make_principal(container, "admin", AccountKind.ADMIN)
    assert push(container, admin, legal_person()).uscc == USCC
