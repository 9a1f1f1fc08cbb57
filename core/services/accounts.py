"""Accounts and sign-in.

A failed sign-in says the same thing whether the user exists or not, and costs the same time,
so it tells an attacker nothing about which usernames are real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.model.account import Account, AccountKind
from core.model.party import Party
from core.security.access import require_kind
from core.security.passwords import hash_password, needs_rehash, verify_password
from core.security.principal import Principal
from core.security.tokens import DEFAULT_TTL, issue_token, revoke_token
from core.services.paging import Page, PageRequest, paginate
from core.services.parties import check_password
from core.services.validation import check_characters, required_name
from core.uow import UnitOfWork

_DUMMY_HASH = hash_password("dummy password for timing")


def principal_of(account: Account) -> Principal:
    return Principal(
        account_id=account.id,
        username=account.username,
        kind=AccountKind(account.kind),
        party_id=account.party_id,
        party_roles=account.party.role_codes if account.party else frozenset(),
    )


@dataclass(frozen=True)
class SignIn:
    token: str
    expires_at: datetime
    principal: Principal


def sign_in(uow: UnitOfWork, username: str, password: str,
            ttl: timedelta = DEFAULT_TTL) -> SignIn:
    check_characters(username, "username", name=True)  # NUL never reaches the database
    check_characters(password, "password", name=False)
    account = uow.session.scalars(
        select(Account).where(Account.username == username)
    ).one_or_none()
    # one verification on every path, so an inactive account answers no faster than a real one
    matches = verify_password(_DUMMY_HASH if account is None else account.password_hash,
                              password)
    if account is None or not matches or not account.is_active:
        raise DomainError("INVALID_CREDENTIALS", "用户名或密码错误",
                          "wrong username or password", ErrorKind.UNAUTHENTICATED)
    now = uow.clock.now()
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = now
    token, expires = issue_token(uow.session, account, now, ttl)
    uow.record(f"{account.kind}:{account.username}", "account.sign_in", "account", account.id,
               None, {"expires_at": expires})
    uow.commit()
    return SignIn(token, expires, principal_of(account))


def sign_out(uow: UnitOfWork, principal: Principal, token: str) -> None:
    if revoke_token(uow.session, token, uow.clock.now()):
        uow.record(principal.actor, "account.sign_out", "account", principal.account_id,
                   None, None)
    uow.commit()


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    kind: AccountKind
    display_name: str
    party_id: int | None = None


def create_account(uow: UnitOfWork, principal: Principal | None, new: NewAccount) -> Account:
    """Administrators create accounts; ``principal=None`` is the operator's CLI bootstrap."""
    if principal is not None:
        require_kind(principal, AccountKind.ADMIN)
    username = required_name(new.username, "username", 64)
    check_password(new.password)
    if (new.kind is AccountKind.PARTY_USER) != (new.party_id is not None):
        raise DomainError("ACCOUNT_PARTY_MISMATCH",
                          "交易主体账号必须且只有它需要关联主体",
                          "exactly the party-user accounts are linked to a party",
                          field="party_id")
    if new.party_id is not None and uow.session.get(Party, new.party_id) is None:
        raise not_found("交易主体", "party", new.party_id)
    if uow.session.scalar(select(Account.id).where(Account.username == username)):
        raise DomainError("USERNAME_TAKEN", f"用户名 {username} 已被占用",
                          f"username {username} is taken", ErrorKind.CONFLICT, field="username")
    account = Account(username=username, password_hash=hash_password(new.password),
                      kind=new.kind.value,
                      display_name=required_name(new.display_name, "display_name", 100),
                      party_id=new.party_id, is_active=True, created_at=uow.clock.now())
    uow.session.add(account)
    uow.session.flush()
    actor = principal.actor if principal else "operator:cli"
    uow.record(actor, "account.create", "account", account.id, None,
               {k: v for k, v in snapshot(account).items() if k != "password_hash"})
    uow.commit()
    return account


def list_accounts(uow: UnitOfWork, principal: Principal, request: PageRequest) -> Page[Account]:
    require_kind(principal, AccountKind.ADMIN)
    return paginate(uow.session, select(Account).order_by(Account.id), request)
