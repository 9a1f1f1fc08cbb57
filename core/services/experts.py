"""评标专家 pushed from the provincial expert pool (data set 212 EXPERT_BID_EVALUATION).

The expert's 身份证号码 (ID_CARD, GB 11643) is the key: a record for a known number updates the
expert, otherwise it creates one. A 212 record carries one 参评专业 (MAJOR_CODE with IS_MAIN), so
a push adds or updates that major and leaves the others: an expert with three majors arrives as
three records. The random draw (a later issue) selects by major, area and availability and
avoids the bidders' employers, so those are columns; the whole last record is kept as pushed.

ID_CARD_TYPE (D7) values were not retrieved: every ID_CARD is checked as a GB 11643 number,
which refuses passports and other documents until their type codes are known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.audit import snapshot
from core.codes.idcard import validate_resident_id
from core.codes.regions import validate_region
from core.errors import DomainError
from core.model.account import AccountKind
from core.model.expert import Expert, ExpertMajor
from core.security.access import require_kind
from core.security.principal import Principal
from core.services.pushed_records import as_fields, day, exact, flag, substance, text
from core.services.validation import checked
from core.uow import UnitOfWork

PUSHER_KINDS = (AccountKind.SYSTEM_CLIENT, AccountKind.ADMIN)
_AREA = re.compile("[0-9]{9}")


@dataclass(frozen=True)
class PushedExpert:
    id_number: str
    name: str
    sex: str
    phone: str
    company: str
    area: str
    industry: str
    base_type: str
    available: bool
    major_code: str
    is_main: bool


def _area(fields: Mapping[str, str]) -> str:
    """AREA 所在地区: 9 digits, a GB/T 2260 county-level code followed by three more digits."""
    area = exact(fields, "AREA", 9)
    if not _AREA.fullmatch(area):
        raise DomainError("FIELD_FORMAT_INVALID", "字段 AREA 应为 9 位数字",
                          "field AREA must be 9 digits", field="AREA")
    checked(validate_region, area[:6], "AREA")
    return area


def read_expert(fields: Mapping[str, str]) -> PushedExpert:
    day(fields, "BIRTHDAY")  # mandatory in 212; checked, kept in the record
    day(fields, "ENTER_DATE")
    return PushedExpert(
        id_number=checked(validate_resident_id, text(fields, "ID_CARD", 18), "ID_CARD"),
        name=text(fields, "EXPERT_NAME", 50, name=True),
        sex=exact(fields, "SEX", 1),
        phone=text(fields, "PHONE_NUMBER", 50),
        company=text(fields, "COMPANY", 200),
        area=_area(fields),
        industry=exact(fields, "INDUSTRY", 3),
        base_type=exact(fields, "BASE_TYPE", 1),
        available=flag(fields, "DMISSON"),
        major_code=text(fields, "MAJOR_CODE", 7),
        is_main=flag(fields, "IS_MAIN"),
    )


def _state(expert: Expert) -> dict[str, Any]:
    return {**snapshot(expert), "fields": substance(expert.fields),
            "majors": {m.major_code: m.is_main for m in expert.majors}}


def _apply(expert: Expert, pushed: PushedExpert, fields: dict[str, str]) -> None:
    expert.name = pushed.name
    expert.sex = pushed.sex
    expert.phone = pushed.phone
    expert.company = pushed.company
    expert.area = pushed.area
    expert.industry = pushed.industry
    expert.base_type = pushed.base_type
    expert.available = pushed.available
    if substance(expert.fields or {}) != substance(fields):
        expert.fields = fields
    major = next((m for m in expert.majors if m.major_code == pushed.major_code), None)
    if major is None:
        major = ExpertMajor(major_code=pushed.major_code, is_main=pushed.is_main)
        expert.majors.append(major)
    major.is_main = pushed.is_main
    if pushed.is_main:  # one main major: the newly named one
        for other in expert.majors:
            if other is not major:
                other.is_main = False


def receive_expert(uow: UnitOfWork, principal: Principal, record: dict[str, str]) -> Expert:
    """Create or update the expert of a pushed 212 record; the same record again changes
    nothing. A refused record (stable code, the field in ``details``) stores nothing."""
    require_kind(principal, *PUSHER_KINDS)
    fields = as_fields(record)
    pushed = read_expert(fields)
    now = uow.clock.now()
    expert = uow.session.scalars(select(Expert).where(Expert.id_number == pushed.id_number)
                                 .with_for_update()).first()
    if expert is None:
        expert = Expert(id_number=pushed.id_number, fields=fields, created_at=now,
                        updated_at=now, majors=[])
        _apply(expert, pushed, fields)
        uow.session.add(expert)
        uow.session.flush()
        uow.record(principal.actor, "expert.register", "expert", expert.id, None,
                   _state(expert))
        return expert
    before = _state(expert)
    _apply(expert, pushed, fields)
    if _state(expert) == before:
        return expert
    expert.updated_at = now
    uow.record(principal.actor, "expert.update", "expert", expert.id, before,
               _state(expert))
    return expert
