"""Account administration (administrators only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from adapters.rest.deps import Caller, Paging, UoW
from adapters.rest.schemas import AccountIn, AccountOut, PageOut, account_out, page_out
from core.model.account import AccountKind
from core.services import accounts

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])


@router.post("", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
def create(body: AccountIn, uow: UoW, caller: Caller) -> AccountOut:
    new = accounts.NewAccount(username=body.username, password=body.password,
                              kind=AccountKind(body.kind), display_name=body.display_name,
                              party_id=body.party_id)
    return account_out(accounts.create_account(uow, caller, new))


@router.get("", response_model=PageOut[AccountOut])
def list_all(uow: UoW, caller: Caller, paging: Paging) -> dict[str, Any]:
    return page_out(accounts.list_accounts(uow, caller, paging), account_out)
