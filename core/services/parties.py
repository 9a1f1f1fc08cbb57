"""Registering and maintaining 交易主体.

A party's national identifier (统一社会信用代码 or 身份证号码) is its key everywhere the data
travels, so it is checked against its standard on the way in and never changes afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.audit import snapshot
from core.codes.idcard import validate_resident_id
from core.codes.regions import validate_region
from core.codes.uscc import validate_uscc
from core.errors import DomainError, ErrorKind, forbidden, not_found
from core.event_payloads import PartyPayload
from core.events import DomainEvent, EventType, party_ordering_key
from core.model.account import Account, AccountKind
from core.model.party import Party, PartyKind, PartyRole
from core.security.access import require_kind
from core.security.passwords import hash_password
from core.security.principal import ANONYMOUS_ACTOR, Principal
from core.services.paging import Page, PageRequest, paginate
from core.services.validation import (
    check_characters,
    checked,
    optional_name,
    optional_phone,
    required_name,
    table_value,
)
from core.uow import UnitOfWork

# 招标投标法 Art. 8 (招标人是法人或者其他组织) and 政府采购法 Art. 15 (采购人是国家机关、事业单位、
# 团体组织): these roles, and the agencies, are never natural persons.
ORGANISATION_ONLY_ROLES = frozenset(
    {"tenderer", "tender_agency", "purchaser", "procurement_agency"}
)
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class PartyDetails:
    kind: PartyKind
    name: str
    region_code: str
    roles: frozenset[str]
    uscc: str | None = None
    id_number: str | None = None
    legal_representative: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    address: str | None = None


def check_password(password: str) -> None:
    check_characters(password, "password", name=False)  # a surrogate cannot even be hashed
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "PASSWORD_TOO_SHORT",
            f"密码至少 {MIN_PASSWORD_LENGTH} 个字符",
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
            field="password",
        )


def _checked_roles(kind: PartyKind, roles: frozenset[str]) -> frozenset[str]:
    if not roles:
        raise DomainError("PARTY_ROLE_REQUIRED", "至少选择一个主体角色",
                          "choose at least one party role", field="roles")
    valid = frozenset(table_value("party_role", r, "roles") for r in roles)
    if kind is PartyKind.PERSON and valid & ORGANISATION_ONLY_ROLES:
        bad = ", ".join(sorted(valid & ORGANISATION_ONLY_ROLES))
        raise DomainError(
            "ROLE_NEEDS_ORGANISATION",
            f"自然人不能担任以下角色：{bad}（招标投标法第八条、政府采购法第十五条）",
            f"a natural person cannot act as {bad} (Bidding Law Art. 8, Procurement Law Art. 15)",
            field="roles",
        )
    return valid


def _ensure_unique_identifier(uow: UnitOfWork, details: PartyDetails) -> None:
    column = Party.uscc if details.kind is PartyKind.ORGANISATION else Party.id_number
    value = details.uscc if details.kind is PartyKind.ORGANISATION else details.id_number
    if uow.session.scalar(select(Party.id).where(column == value)) is not None:
        raise DomainError(
            "PARTY_ALREADY_REGISTERED",
            f"主体 {value} 已注册",
            f"a party with identifier {value} is already registered",
            ErrorKind.CONFLICT,
        )


def _validated(details: PartyDetails) -> PartyDetails:
    if details.kind is PartyKind.ORGANISATION:
        if details.id_number:
            raise DomainError("IDENTIFIER_MISMATCH", "法人主体不填写身份证号码",
                              "an organisation has no ID card number", field="id_number")
        uscc = checked(validate_uscc, details.uscc or "", "uscc")
        id_number = None
    else:
        if details.uscc:
            raise DomainError("IDENTIFIER_MISMATCH", "自然人主体不填写统一社会信用代码",
                              "a natural person has no USCC", field="uscc")
        id_number = checked(validate_resident_id, details.id_number or "", "id_number")
        uscc = None
    return PartyDetails(
        kind=details.kind,
        name=required_name(details.name, "name", 200),
        region_code=checked(validate_region, details.region_code, "region_code"),
        roles=_checked_roles(details.kind, details.roles),
        uscc=uscc,
        id_number=id_number,
        **_contact(details.legal_representative, details.contact_name, details.contact_phone,
                   details.address),
    )


def _contact(legal_representative: object, contact_name: object, contact_phone: object,
             address: object) -> dict[str, str | None]:
    """The contact fields under the name rules: they are shown to other parties as given."""
    return {"legal_representative": optional_name(legal_representative,
                                                  "legal_representative", 50),
            "contact_name": optional_name(contact_name, "contact_name", 50),
            "contact_phone": optional_phone(contact_phone, "contact_phone"),
            "address": optional_name(address, "address", 200)}


def party_payload(party: Party) -> PartyPayload:
    return {
        "party_id": party.id,
        "kind": party.kind,
        "name": party.name,
        "uscc": party.uscc,
        "id_number": party.id_number,
        "region_code": party.region_code,
        "roles": sorted(party.role_codes),
    }


def register_party(
    uow: UnitOfWork, details: PartyDetails, username: str, password: str
) -> tuple[Party, Account]:
    """Self-registration: the party and its first user account, in one transaction."""
    valid = _validated(details)
    check_password(password)
    username = required_name(username, "username", 64)
    _ensure_unique_identifier(uow, valid)
    if uow.session.scalar(select(Account.id).where(Account.username == username)):
        raise DomainError("USERNAME_TAKEN", f"用户名 {username} 已被占用",
                          f"username {username} is taken", ErrorKind.CONFLICT, field="username")
    now = uow.clock.now()
    party = Party(
        kind=valid.kind.value, name=valid.name, uscc=valid.uscc, id_number=valid.id_number,
        region_code=valid.region_code, legal_representative=valid.legal_representative,
        contact_name=valid.contact_name, contact_phone=valid.contact_phone,
        address=valid.address, created_at=now, updated_at=now,
        roles=[PartyRole(role=r) for r in sorted(valid.roles)],
    )
    account = Account(username=username, password_hash=hash_password(password),
                      kind=AccountKind.PARTY_USER.value, display_name=valid.name,
                      party=party, is_active=True, created_at=now)
    uow.session.add_all([party, account])
    uow.session.flush()
    actor = f"{ANONYMOUS_ACTOR}:{username}"
    uow.record(actor, "party.register", "party", party.id, None,
               {**snapshot(party), "roles": sorted(valid.roles)})
    uow.record(actor, "account.create", "account", account.id, None,
               {k: v for k, v in snapshot(account).items() if k != "password_hash"})
    uow.emit(DomainEvent(EventType.PARTY_REGISTERED, "party", str(party.id),
                         party_ordering_key(party.identifier), party_payload(party)), actor)
    return party, account


def get_party(uow: UnitOfWork, principal: Principal, party_id: int) -> Party:
    party = uow.session.get(Party, party_id)
    if party is None:
        raise not_found("交易主体", "party", party_id)
    if not (principal.has_oversight or principal.party_id == party_id):
        raise forbidden("无权查看其他主体的信息", "you may not read another party's record")
    return party


def list_parties(uow: UnitOfWork, principal: Principal, request: PageRequest,
                 role: str | None = None, name: str | None = None) -> Page[Party]:
    if not principal.has_oversight:
        require_kind(principal, AccountKind.CENTRE_STAFF, AccountKind.ADMIN,
                     AccountKind.SUPERVISOR)
    query = select(Party).order_by(Party.id)
    if role:
        query = query.where(Party.roles.any(PartyRole.role == role))
    if name:
        query = query.where(Party.name.contains(name, autoescape=True))
    return paginate(uow.session, query, request)


IDENTIFIER_FIELDS = frozenset({"uscc", "id_number", "kind"})
CONTACT_FIELDS = ("legal_representative", "contact_name", "contact_phone", "address")
EDITABLE_FIELDS = frozenset({"name", "region_code", "roles", *CONTACT_FIELDS})


def update_party(uow: UnitOfWork, principal: Principal, party_id: int,
                 values: dict[str, Any]) -> Party:
    """Change what a party may change; its identifier and kind stay as registered."""
    party = get_party(uow, principal, party_id)
    if principal.party_id != party_id and principal.kind is not AccountKind.ADMIN:
        raise forbidden("只能修改本主体的信息", "you may only change your own party",
                        "NOT_PARTY_OWNER")
    if IDENTIFIER_FIELDS & values.keys():
        raise DomainError("IDENTIFIER_IMMUTABLE", "主体类型和证件代码注册后不得修改",
                          "a party's kind and identifier cannot change after registration",
                          ErrorKind.CONFLICT, field=sorted(IDENTIFIER_FIELDS & values.keys())[0])
    unknown = sorted(values.keys() - EDITABLE_FIELDS)
    if unknown:
        raise DomainError("FIELD_NOT_EDITABLE", f"字段不可修改：{', '.join(unknown)}",
                          f"these fields cannot be changed: {', '.join(unknown)}",
                          field=unknown[0])
    before = {**snapshot(party), "roles": sorted(party.role_codes)}
    if "name" in values:
        party.name = required_name(values["name"], "name", 200)
    if "region_code" in values:
        party.region_code = checked(validate_region, values["region_code"] or "", "region_code")
    if "roles" in values:
        wanted = _checked_roles(PartyKind(party.kind), frozenset(values["roles"] or ()))
        party.roles = [r for r in party.roles if r.role in wanted] + [
            PartyRole(role=r) for r in sorted(wanted - party.role_codes)
        ]
    contact = _contact(*(values.get(attr) for attr in CONTACT_FIELDS))
    for attr in CONTACT_FIELDS:
        if attr in values:
            setattr(party, attr, contact[attr])
    party.updated_at = uow.clock.now()
    uow.session.flush()
    after = {**snapshot(party), "roles": sorted(party.role_codes)}
    uow.record(principal.actor, "party.update", "party", party.id, before, after)
    uow.emit(DomainEvent(EventType.PARTY_UPDATED, "party", str(party.id),
                         party_ordering_key(party.identifier), party_payload(party)),
             principal.actor)
    return party


def set_basic_account(uow: UnitOfWork, principal: Principal, party_id: int,
                      account_no: str, bank_name: str | None = None) -> Party:
    """Record the party's 基本存款账户 (its own users or an administrator): the account a
    deposit is expected from (条例 26). A credit from another account is flagged for the
    evaluators, not refused (core.services.banking.credits)."""
    party = get_party(uow, principal, party_id)
    if principal.party_id != party_id and principal.kind is not AccountKind.ADMIN:
        raise forbidden("只能修改本主体的信息", "you may only change your own party",
                        "NOT_PARTY_OWNER")
    number = required_name(account_no, "basic_account_no", 64)
    bank = optional_name(bank_name, "basic_account_bank", 200)
    before = snapshot(party)
    party.basic_account_no = number
    party.basic_account_bank = bank
    party.updated_at = uow.clock.now()
    uow.session.flush()
    uow.record(principal.actor, "party.basic_account", "party", party.id, before,
               snapshot(party))
    return party
