"""Sign-in and sign-out; ``/me`` tells a client who its token belongs to."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import HTTPAuthorizationCredentials

from adapters.rest.deps import Deps, UoW, bearer, principal_before_password_change
from adapters.rest.schemas import AccountOut, TokenIn, TokenOut, account_out
from core.model.account import Account
from core.security.principal import Principal
from core.services import accounts

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/token", response_model=TokenOut, responses={
    401: {"description": "wrong username or password, or the account is inactive "
                         "(INVALID_CREDENTIALS)"}})
def sign_in(body: TokenIn, uow: UoW, c: Deps) -> TokenOut:
    result = accounts.sign_in(uow, body.username, body.password,
                              timedelta(hours=c.settings.token_ttl_hours))
    account = uow.session.get(Account, result.principal.account_id)
    assert account is not None
    return TokenOut(access_token=result.token, expires_at=result.expires_at,
                    account=account_out(account))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(
    uow: UoW,
    caller: Annotated[Principal, Depends(principal_before_password_change)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    assert credentials is not None  # principal() already refused a missing token
    accounts.sign_out(uow, caller, credentials.credentials)


@router.get("/me", response_model=AccountOut)
def me(uow: UoW, caller: Annotated[Principal, Depends(principal_before_password_change)]
       ) -> AccountOut:
    account = uow.session.get(Account, caller.account_id)
    assert account is not None
    return account_out(account)
