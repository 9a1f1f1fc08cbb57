"""Account administration: administrators manage accounts and their tokens; every account
changes its own password. Each change is audited by the service it calls."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, status

from adapters.rest.deps import Caller, Owner, Paging, UoW
from adapters.rest.fields import PathId
from adapters.rest.schemas import (
    AccountIn,
    AccountOut,
    ApiTokenOut,
    PageOut,
    PasswordChangeIn,
    PasswordResetIn,
    PasswordResetOut,
    RevokedOut,
    account_out,
    page_out,
)
from core.model.account import AccountKind, ApiToken
from core.security.tokens import TOKEN_ID_CHARS
from core.security.tokens import token_id as public_id
from core.services import accounts

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])

TokenId = Annotated[str, Path(min_length=TOKEN_ID_CHARS, max_length=TOKEN_ID_CHARS,
                              pattern=f"^[0-9a-f]{{{TOKEN_ID_CHARS}}}$",
                              description="a token's public id, from GET …/tokens")]


@router.post("", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
def create(body: AccountIn, uow: UoW, caller: Caller) -> AccountOut:
    new = accounts.NewAccount(username=body.username, password=body.password,
                              kind=AccountKind(body.kind), display_name=body.display_name,
                              party_id=body.party_id)
    return account_out(accounts.create_account(uow, caller, new))


@router.get("", response_model=PageOut[AccountOut])
def list_all(uow: UoW, caller: Caller, paging: Paging) -> dict[str, Any]:
    return page_out(accounts.list_accounts(uow, caller, paging), account_out)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_own_password(body: PasswordChangeIn, uow: UoW, caller: Owner) -> None:
    """The caller's own password, proven with the old one; also what an account whose
    password was reset must call first."""
    accounts.change_password(uow, caller, body.old_password, body.new_password)


@router.get("/{account_id}", response_model=AccountOut)
def get_one(account_id: PathId, uow: UoW, caller: Caller) -> AccountOut:
    return account_out(accounts.get_account(uow, caller, account_id))


def _set_enabled(uow: UoW, caller: Caller, account_id: int, enabled: bool) -> AccountOut:
    found = accounts.set_enabled(uow, caller, accounts.get_account(uow, caller, account_id),
                                 enabled)
    return account_out(found)


@router.post("/{account_id}/disable", response_model=AccountOut)
def disable(account_id: PathId, uow: UoW, caller: Caller) -> AccountOut:
    """The account can no longer sign in, and its tokens are revoked."""
    return _set_enabled(uow, caller, account_id, False)


@router.post("/{account_id}/enable", response_model=AccountOut)
def enable(account_id: PathId, uow: UoW, caller: Caller) -> AccountOut:
    return _set_enabled(uow, caller, account_id, True)


@router.post("/{account_id}/password-reset", response_model=PasswordResetOut)
def reset_password(account_id: PathId, body: PasswordResetIn, uow: UoW,
                   caller: Caller) -> PasswordResetOut:
    """Set the given password, or draw a one-time one (shown once) that must be changed;
    either way the account's tokens are revoked."""
    done = accounts.reset_password(uow, caller, accounts.get_account(uow, caller, account_id),
                                   body.new_password)
    return PasswordResetOut(one_time_password=done.one_time_password,
                            must_change_password=done.one_time_password is not None,
                            tokens_revoked=done.tokens_revoked)


def _token_out(row: ApiToken, now: datetime) -> ApiTokenOut:
    state: Literal["live", "expired", "revoked"] = (
        "revoked" if row.revoked_at else ("expired" if row.expires_at <= now else "live"))
    return ApiTokenOut(id=public_id(row), state=state, created_at=row.created_at,
                       expires_at=row.expires_at, revoked_at=row.revoked_at)


@router.get("/{account_id}/tokens", response_model=list[ApiTokenOut])
def list_tokens(account_id: PathId, uow: UoW, caller: Caller) -> list[ApiTokenOut]:
    now = uow.clock.now()
    return [_token_out(t, now) for t in accounts.list_tokens(
        uow, caller, accounts.get_account(uow, caller, account_id))]


@router.delete("/{account_id}/tokens", response_model=RevokedOut)
def revoke_all(account_id: PathId, uow: UoW, caller: Caller) -> RevokedOut:
    done = accounts.revoke_tokens(uow, caller, accounts.get_account(uow, caller, account_id))
    return RevokedOut(tokens_revoked=done)


@router.delete("/{account_id}/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_one(account_id: PathId, token_id: TokenId, uow: UoW, caller: Caller) -> None:
    accounts.revoke_tokens(uow, caller, accounts.get_account(uow, caller, account_id),
                           token_id)
