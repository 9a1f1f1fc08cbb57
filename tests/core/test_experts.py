"""评标专家 pushed from the provincial pool (data set 212): created or updated by the GB 11643
ID number, majors gathering over pushes with one main, availability kept for the draw, the same
record again a no-op, and a bad record refused with its code before anything is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from core.codes.iso7064 import mod11_2_check
from core.errors import ErrorKind
from core.model.account import AccountKind
from core.model.audit import AuditEntry
from core.model.expert import Expert
from core.security.principal import Principal
from core.services.experts import receive_expert
from tests.api.conftest import fingerprint
from tests.core.conftest import make_principal, refused

ID17 = "35010219750613203"
ID_CARD = ID17 + mod11_2_check(ID17)


def expert_record(**overrides: str) -> dict[str, str]:
    record = {
        "ID_CARD": ID_CARD, "ID_CARD_TYPE": "01", "EXPERT_NAME": "黄志明", "SEX": "2",
        "BIRTHDAY": "19750613", "DUTY": "总工程师", "EDUCATION": "研究生",
        "PROFESSIONAL": "高级工程师",
        "ONWORK": "1", "COMPANY": "福建省建筑设计研究院", "POSTCODE": "350001",
        "INDUSTRY": "E48", "AREA": "350102001", "WORK_YEAR": "25",
        "PHONE_NUMBER": "13805910000", "DMISSON": "1", "ENTER_DATE": "20150301",
        "BASE_TYPE": "1", "MAJOR_CODE": "C010101", "IS_MAIN": "1",
        "PLATFORM_CODE": "123500000000000001", "DATA_TIMESTAMP": "20261124093000",
    }
    record.update(overrides)
    return record


def push(container: Container, principal: Principal, record: dict[str, str]) -> Expert:
    with container.uow() as uow:
        result = receive_expert(uow, principal, record)
        uow.commit()
        return result


def majors(expert: Expert) -> dict[str, bool]:
    return {m.major_code: m.is_main for m in expert.majors}


def test_a_new_id_number_creates_the_expert_with_what_the_draw_needs(
        container: Container, platform: Principal) -> None:
    expert = push(container, platform, expert_record())
    assert (expert.id_number, expert.name, expert.phone) == (ID_CARD, "黄志明", "13805910000")
    assert (expert.area, expert.company, expert.available) == (
        "350102001", "福建省建筑设计研究院", True)
    assert majors(expert) == {"C010101": True} and expert.main_major == "C010101"
    assert expert.fields == expert_record()
    with container.session_factory() as s:
        assert s.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "expert")).all() == ["expert.register"]


def test_the_same_record_again_changes_nothing(container: Container,
                                               platform: Principal) -> None:
    first = push(container, platform, expert_record())
    before = fingerprint(container)
    again = push(container, platform, expert_record(DATA_TIMESTAMP="20261125000000"))
    assert again.id == first.id
    assert fingerprint(container) == before


def test_majors_gather_over_pushes_with_one_main(container: Container,
                                                 platform: Principal) -> None:
    push(container, platform, expert_record())
    expert = push(container, platform, expert_record(MAJOR_CODE="C0202", IS_MAIN="0"))
    assert majors(expert) == {"C010101": True, "C0202": False}
    expert = push(container, platform, expert_record(MAJOR_CODE="C0202", IS_MAIN="1"))
    assert majors(expert) == {"C010101": False, "C0202": True}
    with container.session_factory() as s:
        assert s.scalars(select(Expert.id)).all() == [expert.id]  # one expert, not three
        assert s.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "expert")).all() == [
            "expert.register", "expert.update", "expert.update"]


def test_an_expert_made_unavailable_is_kept_unavailable(container: Container,
                                                        platform: Principal) -> None:
    push(container, platform, expert_record())
    expert = push(container, platform, expert_record(DMISSON="0", PHONE_NUMBER="13900000000"))
    assert (expert.available, expert.phone) == (False, "13900000000")


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"ID_CARD": ID17 + ("0" if ID_CARD[-1] != "0" else "1")}, "ID_NUMBER_BAD_CHECK",
     "ID_CARD"),
    ({"ID_CARD": "350102750613203"}, "ID_NUMBER_INVALID_FORMAT", "ID_CARD"),
    ({"EXPERT_NAME": ""}, "FIELD_REQUIRED", "EXPERT_NAME"),
    ({"AREA": "3501020"}, "FIELD_LENGTH_INVALID", "AREA"),
    ({"AREA": "35010200A"}, "FIELD_FORMAT_INVALID", "AREA"),
    ({"AREA": "359999001"}, "REGION_CODE_UNKNOWN", "AREA"),
    ({"DMISSON": "Y"}, "FIELD_FLAG_INVALID", "DMISSON"),
    ({"MAJOR_CODE": "C01010101"}, "FIELD_TOO_LONG", "MAJOR_CODE"),
    ({"BIRTHDAY": "1975-06-13"}, "FIELD_TOO_LONG", "BIRTHDAY"),
    ({"ENTER_DATE": "20150231"}, "FIELD_DATE_INVALID", "ENTER_DATE"),
])
def test_a_bad_record_is_refused_with_its_code_and_nothing_stored(
        container: Container, platform: Principal, overrides: dict[str, str], code: str,
        field: str) -> None:
    push(container, platform, expert_record())  # a known expert is not touched either
    error = refused(container, lambda uow: receive_expert(
        uow, platform, expert_record(**overrides, PHONE_NUMBER="13900000000")), code,
        ErrorKind.INVALID)
    assert error.details["field"] == field


@pytest.mark.parametrize("kind", [AccountKind.SUPERVISOR, AccountKind.CENTRE_STAFF,
                                  AccountKind.EXPERT])
def test_only_connected_systems_and_admins_push_experts(container: Container,
                                                       kind: AccountKind) -> None:
    caller = make_principal(container, "caller", kind)
    refused(container, lambda uow: receive_expert(uow, caller, expert_record()),
            "ROLE_NOT_ALLOWED", ErrorKind.FORBIDDEN)
