"""交易主体 pushed by the provincial platform (data set 100 法人基本信息).

The provincial 主体库 is where most legal persons register; its record arrives here so that a
party need not register twice, and so that credit records naming it (302 黑名单 …) find it. The
USCC is the key: a record for a USCC we know updates that party, otherwise it creates one.

What we take over from the record: the name, the region, the legal representative, the contact and
address, and the roles we can map. 法人角色 (LEGAL_ROLE, dictionary D26) is mapped where the value
is one of our role codes or its Chinese label (招标人, 投标人 …); the national two-digit D26 codes
were not retrieved (research §2), so they map to nothing and are kept only in the stored record.
Roles are only ever added: a role the party registered itself is not taken away by a push.
The whole record is kept as pushed (``ProvincialPartyRecord``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select

from core.audit import snapshot
from core.codes.regions import validate_region
from core.codes.tables import CODE_TABLES
from core.codes.uscc import validate_uscc
from core.event_payloads import PartyPayload
from core.events import DomainEvent, EventType, party_ordering_key
from core.model.account import AccountKind
from core.model.party import Party, PartyKind, PartyRole
from core.model.subject import ProvincialPartyRecord
from core.security.access import require_kind
from core.security.principal import Principal
from core.services.parties import party_payload
from core.services.pushed_records import as_fields, optional_text, substance, text
from core.services.validation import checked
from core.uow import UnitOfWork

DATA_SET = "100"
# Connected systems push; an administrator may load a record by hand.
PUSHER_KINDS = (AccountKind.SYSTEM_CLIENT, AccountKind.ADMIN)
ORIGIN = "pushed"  # in event payloads: this change came from a peer, do not echo it back

_ROLE_SEPARATORS = re.compile(r"[,;|、，；\s]+")


@cache
def _role_aliases() -> Mapping[str, str]:
    aliases: dict[str, str] = {}
    for code, (zh, _en) in CODE_TABLES["party_role"].entries.items():
        aliases[code] = code
        for label in zh.split("/"):  # 竞买人/受让人
            aliases[label] = code
    aliases["竞得人"] = "transferee"  # 数据规范 ch. 14 names it beside 受让人
    return aliases


def mapped_roles(legal_role: str) -> frozenset[str]:
    """Our role codes for a pushed LEGAL_ROLE (one or several values); unknown values drop."""
    aliases = _role_aliases()
    return frozenset(aliases[token] for token in _ROLE_SEPARATORS.split(legal_role)
                     if token in aliases)


@dataclass(frozen=True)
class LegalPerson:
    uscc: str
    name: str
    region_code: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    address: str | None
    roles: frozenset[str]


def read_legal_person(fields: Mapping[str, str]) -> LegalPerson:
    """The fields we use, checked; a bad one is refused before anything is looked up."""
    return LegalPerson(
        uscc=checked(validate_uscc, text(fields, "LEGAL_CODE", 18), "LEGAL_CODE"),
        name=text(fields, "LEGAL_NAME", 200, name=True),
        region_code=checked(validate_region, text(fields, "REGION_CODE", 6), "REGION_CODE"),
        legal_representative=text(fields, "LEGAL_REPRESENT", 20, name=True),
        contact_name=text(fields, "LEGAL_CONTACT", 20, name=True),
        contact_phone=text(fields, "LEGAL_CONTACT_PHONE", 20),
        # 300 characters in the data set; 200 is what a party's address holds here.
        address=optional_text(fields, "LEGAL_UNIT_ADDRESS", 200),
        roles=mapped_roles(text(fields, "LEGAL_ROLE", 50)),
    )


def _state(party: Party, record: ProvincialPartyRecord | None) -> dict[str, Any]:
    return {**snapshot(party), "roles": sorted(party.role_codes),
            "provincial_record": None if record is None else substance(record.fields)}


def _emit(uow: UnitOfWork, party: Party, event: EventType, actor: str) -> None:
    payload: PartyPayload = {**party_payload(party), "origin": ORIGIN}  # not sent back
    uow.emit(DomainEvent(event, "party", str(party.id), party_ordering_key(party.identifier),
                         payload), actor)


def receive_legal_person(uow: UnitOfWork, principal: Principal,
                         record: dict[str, str]) -> Party:
    """Create or update the party of a pushed 法人 record; the same record again changes
    nothing. A refused record (stable code, the field in ``details``) stores nothing."""
    require_kind(principal, *PUSHER_KINDS)
    fields = as_fields(record)
    pushed = read_legal_person(fields)
    party = uow.session.scalars(select(Party).where(Party.uscc == pushed.uscc)
                                .with_for_update()).first()
    if party is None:
        return _create(uow, principal, pushed, fields)
    return _update(uow, principal, party, pushed, fields)


def _create(uow: UnitOfWork, principal: Principal, pushed: LegalPerson,
            fields: dict[str, str]) -> Party:
    now = uow.clock.now()
    party = Party(kind=PartyKind.ORGANISATION.value, name=pushed.name, uscc=pushed.uscc,
                  id_number=None, region_code=pushed.region_code,
                  legal_representative=pushed.legal_representative,
                  contact_name=pushed.contact_name, contact_phone=pushed.contact_phone,
                  address=pushed.address, created_at=now, updated_at=now,
                  roles=[PartyRole(role=r) for r in sorted(pushed.roles)])
    uow.session.add(party)
    uow.session.flush()
    stored = ProvincialPartyRecord(party_id=party.id, data_set=DATA_SET, fields=fields,
                                   received_at=now, updated_at=now)
    uow.session.add(stored)
    uow.record(principal.actor, "party.register", "party", party.id, None,
               _state(party, stored))
    _emit(uow, party, EventType.PARTY_REGISTERED, principal.actor)
    return party


def _update(uow: UnitOfWork, principal: Principal, party: Party, pushed: LegalPerson,
            fields: dict[str, str]) -> Party:
    stored = uow.session.get(ProvincialPartyRecord, (party.id, DATA_SET))
    before = _state(party, stored)
    now = uow.clock.now()
    party.name = pushed.name
    party.region_code = pushed.region_code
    party.legal_representative = pushed.legal_representative
    party.contact_name = pushed.contact_name
    party.contact_phone = pushed.contact_phone
    if pushed.address is not None:
        party.address = pushed.address
    party.roles = list(party.roles) + [PartyRole(role=r)
                                       for r in sorted(pushed.roles - party.role_codes)]
    if stored is None:
        stored = ProvincialPartyRecord(party_id=party.id, data_set=DATA_SET, fields=fields,
                                       received_at=now, updated_at=now)
        uow.session.add(stored)
    elif substance(stored.fields) != substance(fields):
        stored.fields = fields
        stored.updated_at = now
    after = _state(party, stored)
    if after == before:  # the same record again: nothing to store, nothing to announce
        return party
    party.updated_at = now
    uow.session.flush()
    uow.record(principal.actor, "party.update", "party", party.id, before,
               _state(party, stored))
    _emit(uow, party, EventType.PARTY_UPDATED, principal.actor)
    return party
