"""交易主体: public self-registration, then reads and edits under role and ownership checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import Field

from adapters.rest.deps import Caller, Paging, UoW
from adapters.rest.fields import PathId, QueryCode, QueryName
from adapters.rest.schemas import (
    Out,
    PageOut,
    PartyOut,
    PartyPatch,
    PartyRegistrationIn,
    RegistrationOut,
    Strict,
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


class BasicAccountIn(Strict):
    account_no: str = Field(max_length=64, description="基本存款账户 账号 (开户许可证)")
    bank_name: str | None = Field(None, max_length=200, description="开户银行")


class BasicAccountOut(Out):
    party_id: int
    account_no: str | None
    bank_name: str | None


@router.put("/{party_id}/basic-account", response_model=BasicAccountOut)
def set_basic_account(party_id: PathId, body: BasicAccountIn, uow: UoW,
                      caller: Caller) -> BasicAccountOut:
    """The party's 基本账户, which its deposits are expected from (条例 26): a credit from
    another account is flagged for the evaluators, not refused (docs/deposits.md)."""
    p = parties.set_basic_account(uow, caller, party_id, body.account_no, body.bank_name)
    return BasicAccountOut(party_id=p.id, account_no=p.basic_account_no,
                           bank_name=p.basic_account_bank)
