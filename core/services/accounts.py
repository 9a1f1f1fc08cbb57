"""Accounts and sign-in.

A failed sign-in says the same thing whether the user exists or not, and costs the same time,
so it tells an attacker nothing about which usernames are real.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.model.account import Account, AccountKind, ApiToken
from core.model.party import Party
from core.security.access import require_kind
from core.security.passwords import hash_password, needs_rehash, verify_password
from core.security.principal import Principal
from core.security.tokens import (
    DEFAULT_TTL,
    find_token,
    issue_token,
    revoke_all,
    revoke_token,
    token_id,
    tokens_of,
)
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
    return SignIn(token, expires, principal_of(account))


def sign_out(uow: UnitOfWork, principal: Principal, token: str) -> None:
    if revoke_token(uow.session, token, uow.clock.now()):
        uow.record(principal.actor, "account.sign_out", "account", principal.account_id,
                   None, None)


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
    return account


def list_accounts(uow: UnitOfWork, principal: Principal, request: PageRequest) -> Page[Account]:
    require_kind(principal, AccountKind.ADMIN)
    return paginate(uow.session, select(Account).order_by(Account.id), request)


# --- account management (issue 10) ---------------------------------------------------------
# Every function below records what it changed in the audit log and leaves the commit to the
# caller. ``principal=None`` is the operator at the server's shell (`ggzy`), trusted like
# `ggzy token issue`; over REST only an administrator manages accounts, and only the owner
# changes a password with the old one.

OPERATOR = "operator:cli"


def _actor(principal: Principal | None) -> str:
    return principal.actor if principal else OPERATOR


def _admin(principal: Principal | None) -> None:
    if principal is not None:
        require_kind(principal, AccountKind.ADMIN)


def get_account(uow: UnitOfWork, principal: Principal | None, account_id: int) -> Account:
    _admin(principal)
    account = uow.session.get(Account, account_id)
    if account is None:
        raise not_found("账号", "account", account_id)
    return account


def account_by_username(uow: UnitOfWork, username: str) -> Account:
    account = uow.session.scalars(
        select(Account).where(Account.username == username)).one_or_none()
    if account is None:
        raise not_found("账号", "account", username)
    return account


def all_accounts(uow: UnitOfWork) -> list[Account]:
    """Every account, for the operator's `ggzy accounts list` (a centre has hundreds, not
    millions; the REST list is paged)."""
    return list(uow.session.scalars(select(Account).order_by(Account.id)))


def set_enabled(uow: UnitOfWork, principal: Principal | None, account: Account,
                enabled: bool) -> Account:
    """Disable or enable an account. Disabling revokes its tokens too: enabling it again must
    not bring back sessions that were open when it was stopped."""
    _admin(principal)
    if not enabled and principal is not None and principal.account_id == account.id:
        raise DomainError("ACCOUNT_SELF_DISABLE", "不能停用自己的账号",
                          "an administrator cannot disable their own account",
                          ErrorKind.CONFLICT)
    if account.is_active == enabled:
        state = ("已启用", "enabled") if enabled else ("已停用", "disabled")
        raise DomainError(f"ACCOUNT_ALREADY_{state[1].upper()}",
                          f"账号 {account.username} {state[0]}",
                          f"account {account.username} is already {state[1]}",
                          ErrorKind.CONFLICT)
    now = uow.clock.now()
    before = {"is_active": account.is_active, "disabled_at": account.disabled_at}
    account.is_active = enabled
    account.disabled_at = None if enabled else now
    revoked = 0 if enabled else revoke_all(uow.session, account.id, now)
    uow.record(_actor(principal), "account.enable" if enabled else "account.disable",
               "account", account.id, before,
               {"is_active": enabled, "disabled_at": account.disabled_at,
                "tokens_revoked": revoked})
    return account


def change_password(uow: UnitOfWork, principal: Principal, old: str, new: str) -> None:
    """The owner changes their own password, proving it with the old one; this also lifts the
    change an administrator's reset demanded."""
    account = uow.session.get(Account, principal.account_id)
    check_characters(old, "old_password", name=False)
    if account is None or not verify_password(account.password_hash, old):
        raise DomainError("OLD_PASSWORD_WRONG", "原密码错误", "the old password is wrong",
                          ErrorKind.FORBIDDEN, field="old_password")
    check_password(new)
    if new == old:
        raise DomainError("PASSWORD_UNCHANGED", "新密码不能与原密码相同",
                          "the new password must differ from the old one", field="new_password")
    account.password_hash = hash_password(new)
    was_forced = account.must_change_password
    account.must_change_password = False
    uow.record(principal.actor, "account.password_change", "account", account.id,
               {"must_change_password": was_forced}, {"must_change_password": False})


#: Length of a one-time password in characters (URL-safe base64: 6 bits each, so 96 bits).
ONE_TIME_PASSWORD_CHARS = 16


@dataclass(frozen=True)
class Reset:
    one_time_password: str | None  # shown once when the hub chose it; None when one was given
    tokens_revoked: int


def reset_password(uow: UnitOfWork, principal: Principal | None, account: Account,
                   new: str | None) -> Reset:
    """An administrator sets a password for someone who lost theirs. Without one given the hub
    draws a one-time password, and the account must change it before doing anything else; the
    account's tokens are revoked either way (whoever held them may be why it was reset)."""
    _admin(principal)
    if principal is not None and principal.account_id == account.id:
        raise DomainError("ACCOUNT_SELF_RESET",
                          "不能重置自己的密码：请用原密码修改（POST /api/v1/accounts/me/password）",
                          "an administrator changes their own password with the old one "
                          "(POST /api/v1/accounts/me/password), not by a reset",
                          ErrorKind.CONFLICT)
    drawn = new is None
    password = secrets.token_urlsafe(12)[:ONE_TIME_PASSWORD_CHARS] if new is None else new
    check_password(password)
    now = uow.clock.now()
    account.password_hash = hash_password(password)
    account.must_change_password = drawn
    revoked = revoke_all(uow.session, account.id, now)
    uow.record(_actor(principal), "account.password_reset", "account", account.id, None,
               {"one_time": drawn, "must_change_password": drawn, "tokens_revoked": revoked})
    return Reset(password if drawn else None, revoked)


def list_tokens(uow: UnitOfWork, principal: Principal | None,
                account: Account) -> list[ApiToken]:
    _admin(principal)
    return tokens_of(uow.session, account.id)


def revoke_tokens(uow: UnitOfWork, principal: Principal | None, account: Account,
                  public_id: str | None = None) -> int:
    """Revoke one token of ``account`` by its public id, or (``public_id=None``) all of them;
    the number revoked. A token already revoked or expired is not revoked again."""
    _admin(principal)
    now = uow.clock.now()
    if public_id is None:
        done = revoke_all(uow.session, account.id, now)
        uow.record(_actor(principal), "token.revoke_all", "account", account.id, None,
                   {"tokens_revoked": done})
        return done
    row = find_token(uow.session, account.id, public_id)
    if row is None:
        raise not_found("令牌", "token", public_id)
    if row.revoked_at is not None or row.expires_at <= now:
        raise DomainError("TOKEN_NOT_LIVE", f"令牌 {public_id} 已撤销或已过期",
                          f"token {public_id} is already revoked or expired", ErrorKind.CONFLICT)
    row.revoked_at = now
    uow.record(_actor(principal), "token.revoke", "account", account.id, None,
               {"token_id": token_id(row)})
    return 1
