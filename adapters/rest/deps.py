"""Request-scoped dependencies: the container, a unit of work, and the authenticated principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters.bootstrap import Container
from adapters.rest.fields import PageNo, PageSize
from core.errors import DomainError, ErrorKind
from core.model.account import Account
from core.security.principal import Principal
from core.security.tokens import resolve_token
from core.services.accounts import principal_of
from core.services.paging import PageRequest
from core.uow import UnitOfWork

bearer = HTTPBearer(auto_error=False, description="a token from POST /api/v1/auth/token")


def container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


def uow(c: Annotated[Container, Depends(container)]) -> Iterator[UnitOfWork]:
    """The request's unit of work, committed once the endpoint has returned and before the
    response is sent (``scope="function"``): a commit that fails is answered as the error it is,
    never as a success whose change was lost. A refusal rolls everything back."""
    with c.uow() as unit:
        yield unit
        unit.commit()


UoW = Annotated[UnitOfWork, Depends(uow, scope="function")]


def principal_before_password_change(
    unit: UoW,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, even one whose password an administrator reset: such an account may still
    change its password and sign out, and nothing else (see :func:`principal`)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise DomainError("NOT_AUTHENTICATED", "需要登录", "authentication required",
                          ErrorKind.UNAUTHENTICATED)
    account = resolve_token(unit.session, credentials.credentials, unit.clock.now())
    if account is None:
        raise DomainError("TOKEN_INVALID", "登录凭证无效或已过期",
                          "the token is unknown, revoked or expired", ErrorKind.UNAUTHENTICATED)
    return principal_of(account)


def principal(
    unit: UoW,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    caller = principal_before_password_change(unit, credentials)
    account = unit.session.get(Account, caller.account_id)
    if account is not None and account.must_change_password:
        raise DomainError("PASSWORD_CHANGE_REQUIRED",
                          "密码已由管理员重置：请先修改密码（POST /api/v1/accounts/me/password）",
                          "an administrator reset this password: change it first "
                          "(POST /api/v1/accounts/me/password)", ErrorKind.FORBIDDEN)
    return caller


def page(page: PageNo = 1, page_size: PageSize = 20) -> PageRequest:
    return PageRequest(page, page_size)


Caller = Annotated[Principal, Depends(principal)]
Owner = Annotated[Principal, Depends(principal_before_password_change)]
Paging = Annotated[PageRequest, Depends(page)]
Deps = Annotated[Container, Depends(container)]
