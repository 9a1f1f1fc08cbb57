"""交易主体: public self-registration, then reads and edits under role and ownership checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from adapters.rest.deps import Caller, Paging, UoW
from adapters.rest.fields import PathId, QueryCode, QueryName
from adapters.rest.schemas import (
    PageOut,
    PartyOut,
    PartyPatch,
    PartyRegistrationIn,
    RegistrationOut,
    account_out,
    page_out,
    party_out,
)
from core.model.party import PartyKind
from core.services import parties

router = APIRouter(prefix="/api/v1/parties", tags=["parties"])


@router.post("/register", response_model=RegistrationOut, status_code=status.HTTP_201_CREATED)
def register(body: PartyRegistrationIn, uow: UoW) -> RegistrationOut:
    details = parties.PartyDetails(
        kind=PartyKind(body.kind), name=body.name, region_code=body.region_code,
        roles=frozenset(body.roles), uscc=body.uscc, id_number=body.id_number,
        legal_representative=body.legal_representative, contact_name=body.contact_name,
        contact_phone=body.contact_phone, address=body.address,
    )
    party, account = parties.register_party(uow, details, body.username, body.password)
    return RegistrationOut(party=party_out(party), account=account_out(account))


@router.get("", response_model=PageOut[PartyOut])
def list_all(uow: UoW, caller: Caller, paging: Paging, role: QueryCode = None,
             name: QueryName = None) -> dict[str, Any]:
    return page_out(parties.list_parties(uow, caller, paging, role, name), party_out)


@router.get("/{party_id}", response_model=PartyOut)
def read(party_id: PathId, uow: UoW, caller: Caller) -> PartyOut:
    return party_out(parties.get_party(uow, caller, party_id))


@router.patch("/{party_id}", response_model=PartyOut)
def update(party_id: PathId, body: PartyPatch, uow: UoW, caller: Caller) -> PartyOut:
    values = body.model_dump(exclude_unset=True)
    return party_out(parties.update_party(uow, caller, party_id, values))
