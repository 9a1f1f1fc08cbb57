"""The `ggzy` command: what an operator runs on a server."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from adapters.bootstrap import build
from adapters.config import load_settings
from adapters.db import migrate as migrations


@click.group()
def main() -> None:
    """ggzy-hub: trading core and data-exchange hub of a public resource trading centre."""


@main.command()
@click.option("--revision", default="head", show_default=True, help="target revision")
@click.option("--down", "down_to", default=None, help="downgrade to this revision instead")
def migrate(revision: str, down_to: str | None) -> None:
    """Bring the database schema to a revision (creates the SQLite file if needed)."""
    settings = load_settings()
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    if down_to:
        migrations.downgrade(settings.database_url, down_to)
        click.echo(f"downgraded to {down_to}")
    else:
        migrations.upgrade(settings.database_url, revision)
        click.echo(f"schema at {revision} ({_safe_url(settings.database_url)})")


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command()
@click.option("--host", default=None, help="default GGZY_HOST or 127.0.0.1")
@click.option("--port", default=None, type=int, help="default GGZY_PORT or 8000")
def serve(host: str | None, port: int | None) -> None:
    """Serve the REST API, OpenAPI docs and the portal."""
    import uvicorn

    from adapters.rest.app import create_app

    settings = load_settings()
    container = build(settings)
    host = host or settings.host
    port = port or settings.port
    base = f"http://{host}:{port}"
    click.echo(f"portal   {base}/\nAPI docs {base}/docs\nAPI      {base}/api/v1\n"
               f"database {_safe_url(settings.database_url)}")
    uvicorn.run(create_app(container), host=host, port=port, log_level="info",
                proxy_headers=True)


@main.command()
def demo() -> None:
    """Load sample parties, a project with two sections and a published notice (idempotent)."""
    from adapters.demo import load_sample_data

    settings = load_settings()
    container = build(settings)
    try:
        for line in load_sample_data(container):
            click.echo(line)
    finally:
        container.close()


@main.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check every link of the chain; name the first broken entry. Exit 1 when broken."""
    from core.audit import verify_chain

    container = build(load_settings())
    try:
        with container.uow() as uow:
            report = verify_chain(uow.session)
    finally:
        container.close()
    if report.ok:
        click.echo(f"audit chain intact: {report.entries_checked} entries")
        return
    click.echo(f"audit chain BROKEN at entry {report.first_broken_seq}: {report.reason} "
               f"({report.entries_checked} entries verified before it)", err=True)
    sys.exit(1)


@main.group()
def account() -> None:
    """Operator access to accounts (for bootstrap and recovery)."""


@account.command("create")
@click.option("--username", required=True)
@click.option("--kind", required=True, type=click.Choice(
    ["centre_staff", "supervisor", "expert", "admin", "system_client"]))
@click.option("--display-name", default=None)
@click.password_option("--password", envvar="GGZY_NEW_PASSWORD",
                       help="prompted for, or taken from GGZY_NEW_PASSWORD")
def account_create(username: str, kind: str, display_name: str | None, password: str) -> None:
    """Create a staff, supervisor, expert, admin or system-client account."""
    from core.model.account import AccountKind
    from core.services.accounts import NewAccount, create_account

    container = build(load_settings())
    try:
        with container.uow() as uow:
            created = create_account(uow, None, NewAccount(
                username=username, password=password, kind=AccountKind(kind),
                display_name=display_name or username))
        click.echo(f"account {created.username} ({created.kind}) created")
    finally:
        container.close()


@main.group()
def token() -> None:
    """Bearer tokens for operators and scripts."""


@token.command("issue")
@click.argument("username")
@click.option("--hours", default=12, show_default=True, type=int)
def token_issue(username: str, hours: int) -> None:
    """Print a fresh bearer token for USERNAME (the operator vouches for the account)."""
    from sqlalchemy import select

    from core.model.account import Account
    from core.security.tokens import issue_token

    container = build(load_settings())
    try:
        with container.uow() as uow:
            found = uow.session.scalars(
                select(Account).where(Account.username == username)).one_or_none()
            if found is None or not found.is_active:
                raise click.ClickException(f"no active account {username}")
            value, _ = issue_token(uow.session, found, uow.clock.now(), timedelta(hours=hours))
            uow.record("operator:cli", "token.issue", "account", found.id, None,
                       {"username": username, "hours": hours})
            uow.commit()
        click.echo(value)
    finally:
        container.close()


if __name__ == "__main__":
    main()
