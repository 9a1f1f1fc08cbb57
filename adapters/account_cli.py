"""`ggzy account` and `ggzy token`: operator access to accounts and their bearer tokens
(bootstrap, recovery, management), audited as operator:cli. docs/cli.md lists them."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from adapters.cli_support import command_container, fail, json_option, show
from core.model.account import OPERATOR_KINDS
from core.security.tokens import MAX_TTL


@click.group()
def account() -> None:
    """Operator access to accounts (bootstrap, recovery, management; audited as operator:cli).
    Also spelled `ggzy accounts`."""


KIND_CHOICE = click.Choice([k.value for k in OPERATOR_KINDS])


@account.command("create")
@click.option("--username", required=True)
@click.option("--kind", required=True, type=KIND_CHOICE)
@click.option("--display-name", default=None)
@click.password_option("--password", envvar="GGZY_NEW_PASSWORD",
                       help="prompted for, or taken from GGZY_NEW_PASSWORD")
def account_create(username: str, kind: str, display_name: str | None, password: str) -> None:
    """Create an account of one of the operator kinds (centre_staff, supervisor, expert,
    admin, system_client); party users come with their party (registration or REST)."""
    from core.model.account import AccountKind
    from core.services.accounts import NewAccount, create_account

    with command_container() as container:
        with container.uow() as uow:
            created = create_account(uow, None, NewAccount(
                username=username, password=password, kind=AccountKind(kind),
                display_name=display_name or username))
            uow.commit()
        click.echo(f"account {created.username} ({created.kind}) created")


@account.command("list")
@json_option
def account_list(as_json: bool) -> None:
    """Every account: kind, whether it is enabled, last sign-in."""
    from core.services.accounts import all_accounts

    with command_container() as container, container.uow() as uow:
        rows = [{"id": a.id, "username": a.username, "kind": a.kind,
                 "display_name": a.display_name, "party_id": a.party_id,
                 "state": "enabled" if a.is_active else "disabled",
                 "disabled_at": a.disabled_at, "must_change_password": a.must_change_password,
                 "last_login_at": a.last_login_at} for a in all_accounts(uow)]
    show(rows, ("id", "username", "kind", "state", "last_login_at", "display_name"), as_json)


def _set_enabled(username: str, enabled: bool) -> None:
    from core.services.accounts import account_by_username, set_enabled

    with command_container() as container, container.uow() as uow:
        found = set_enabled(uow, None, account_by_username(uow, username), enabled)
        uow.commit()
        click.echo(f"account {found.username} {'enabled' if enabled else 'disabled'}"
                   + ("" if enabled else "; its tokens are revoked"))


@account.command("disable")
@click.argument("username")
def account_disable(username: str) -> None:
    """Stop an account: it cannot sign in or get a token, and its tokens stop working."""
    _set_enabled(username, False)


@account.command("enable")
@click.argument("username")
def account_enable(username: str) -> None:
    """Let a disabled account sign in again (its old tokens stay revoked)."""
    _set_enabled(username, True)


def _read_password(prompt: str, confirm: bool) -> str:
    """From stdin when it is not a terminal (one line), else prompted without echo."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            fail("PASSWORD_REQUIRED", f"{prompt}: give it as one line on stdin")
        return line
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return value


@account.command("password")
@click.argument("username")
def account_password(username: str) -> None:
    """The owner changes USERNAME's password, giving the old one (prompted, or the old and
    the new on two lines of stdin)."""
    from core.services.accounts import account_by_username, change_password, principal_of

    old = _read_password("old password", confirm=False)
    new = _read_password("new password", confirm=True)
    with command_container() as container, container.uow() as uow:
        found = account_by_username(uow, username)
        change_password(uow, principal_of(found), old, new)
        uow.commit()
    click.echo(f"password of {username} changed")


@account.command("reset-password")
@click.argument("username")
@click.option("--stdin", "from_stdin", is_flag=True,
              help="set the password read from stdin instead of drawing a one-time one")
def account_reset_password(username: str, from_stdin: bool) -> None:
    """An administrator's reset: prints a one-time password (the account must change it
    before anything else) or sets the one given on stdin; revokes the account's tokens."""
    from core.services.accounts import account_by_username, reset_password

    given = None
    if from_stdin:
        given = sys.stdin.readline().rstrip("\r\n")
        if not given:
            fail("PASSWORD_REQUIRED", "--stdin: give the password as one line on stdin")
    with command_container() as container, container.uow() as uow:
        done = reset_password(uow, None, account_by_username(uow, username), given)
        uow.commit()
    if done.one_time_password is not None:
        click.echo(done.one_time_password)
        click.echo(f"one-time password of {username} (shown once; it must be changed at first "
                   f"use); {done.tokens_revoked} tokens revoked", err=True)
    else:
        click.echo(f"password of {username} set; {done.tokens_revoked} tokens revoked")


@account.command("digest-secret")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="delete the secret instead of issuing one")
def account_digest_secret(username: str, revoke: bool) -> None:
    """Issue (print once) or revoke a system client's shared secret for WS-Security
    PasswordDigest; issuing again replaces the old one."""
    from adapters.webservice.digest_key import digest_box
    from core.services.digest_secrets import issue_digest_secret, revoke_digest_secret

    with command_container() as container, container.uow() as uow:
        if revoke:
            done = revoke_digest_secret(uow, "operator:cli", username)
            uow.commit()
            click.echo(f"digest secret of {username} {'revoked' if done else 'absent'}")
            return
        click.echo(issue_digest_secret(uow, "operator:cli", username,
                                       digest_box(container.settings)))
        uow.commit()


MAX_HOURS = int(MAX_TTL.total_seconds() // 3600)


@click.group()
def token() -> None:
    """Bearer tokens for operators and scripts."""


@token.command("issue")
@click.argument("username")
@click.option("--hours", default=12, show_default=True, type=click.IntRange(1, MAX_HOURS),
              help=f"lifetime, 1 to {MAX_HOURS} (30 days): a token cannot be changed, only "
                   "revoked, so it must not outlive its need; ask again for a new one")
def token_issue(username: str, hours: int) -> None:
    """Print a fresh bearer token for USERNAME (the operator vouches for the account)."""
    from core.security.tokens import issue_token, token_digest
    from core.services.accounts import account_by_username

    with command_container() as container:
        with container.uow() as uow:
            found = account_by_username(uow, username)
            if not found.is_active:
                fail("ACCOUNT_DISABLED", f"account {username} is disabled "
                                         f"(ggzy account enable {username})")
            value, _ = issue_token(uow.session, found, uow.clock.now(), timedelta(hours=hours))
            uow.record("operator:cli", "token.issue", "account", found.id, None,
                       {"username": username, "hours": hours,
                        "token_id": token_digest(value)[:16]})
            uow.commit()
        click.echo(value)


@token.command("list")
@click.argument("username")
@json_option
def token_list(username: str, as_json: bool) -> None:
    """USERNAME's tokens by id (never the token itself), with their state."""
    from core.security.tokens import token_id
    from core.services.accounts import account_by_username, list_tokens

    with command_container() as container, container.uow() as uow:
        now = uow.clock.now()
        rows = [{"id": token_id(t), "created_at": t.created_at, "expires_at": t.expires_at,
                 "revoked_at": t.revoked_at,
                 "state": "revoked" if t.revoked_at else
                 ("expired" if t.expires_at <= now else "live")}
                for t in list_tokens(uow, None, account_by_username(uow, username))]
    show(rows, ("id", "state", "created_at", "expires_at", "revoked_at"), as_json)


@token.command("revoke")
@click.argument("username")
@click.option("--id", "public_id", default=None, help="the token's id (ggzy token list)")
@click.option("--all", "every", is_flag=True, help="every live token of USERNAME")
def token_revoke(username: str, public_id: str | None, every: bool) -> None:
    """Revoke one token of USERNAME (--id) or all of them (--all)."""
    from core.services.accounts import account_by_username, revoke_tokens

    if every == (public_id is not None):
        fail("TOKEN_SELECTION_REQUIRED", "give exactly one of --id ID and --all")
    with command_container() as container, container.uow() as uow:
        done = revoke_tokens(uow, None, account_by_username(uow, username), public_id)
        uow.commit()
    click.echo(f"{done} tokens of {username} revoked")
