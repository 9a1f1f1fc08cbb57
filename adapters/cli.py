"""The `ggzy` command: what an operator runs on a server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Protocol

import click

from adapters.audit_cli import audit
from adapters.bootstrap import Container, build
from adapters.calendar_cli import calendar_group
from adapters.config import load_settings
from adapters.db import migrate as migrations


@contextmanager
def _container() -> Iterator[Container]:
    """The composition root for one CLI command, closed however the command ends."""
    container = build(load_settings())
    try:
        yield container
    finally:
        container.close()


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


EMBEDDED_NOTE = "in-process relay, sweeper and delivery threads"
SEPARATE_NOTE = "not in this process (run ggzy relay and ggzy worker)"


@main.command()
@click.option("--host", default=None, help="default GGZY_HOST or 127.0.0.1")
@click.option("--port", default=None, type=int, help="default GGZY_PORT or 8000")
def serve(host: str | None, port: int | None) -> None:
    """Serve the REST API, OpenAPI docs and the portal."""
    import uvicorn

    from adapters.exchange_runtime import embedded_engine
    from adapters.logs import configure_logging
    from adapters.rest.app import create_app

    configure_logging()
    settings = load_settings()
    container = build(settings)
    engine = embedded_engine(container) if settings.run_engine else None
    host = host or settings.host
    port = port or settings.port
    base = f"http://{host}:{port}"
    click.echo(f"portal   {base}/\nAPI docs {base}/docs\nAPI      {base}/api/v1\n"
               f"database {_safe_url(settings.database_url)}\n"
               f"exchange {EMBEDDED_NOTE if engine else SEPARATE_NOTE}")
    uvicorn.run(create_app(container, engine), host=host, port=port, log_level="info",
                proxy_headers=True, log_config=None)


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


main.add_command(audit)


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

    with _container() as container:
        with container.uow() as uow:
            created = create_account(uow, None, NewAccount(
                username=username, password=password, kind=AccountKind(kind),
                display_name=display_name or username))
        click.echo(f"account {created.username} ({created.kind}) created")


@account.command("digest-secret")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="delete the secret instead of issuing one")
def account_digest_secret(username: str, revoke: bool) -> None:
    """Issue (print once) or revoke a system client's shared secret for WS-Security
    PasswordDigest; issuing again replaces the old one."""
    from adapters.webservice.digest_key import digest_box
    from core.errors import DomainError
    from core.services.digest_secrets import issue_digest_secret, revoke_digest_secret

    with _container() as container, container.uow() as uow:
        try:
            if revoke:
                done = revoke_digest_secret(uow, "operator:cli", username)
                click.echo(f"digest secret of {username} {'revoked' if done else 'absent'}")
                return
            click.echo(issue_digest_secret(uow, "operator:cli", username,
                                           digest_box(container.settings)))
        except DomainError as err:
            raise click.ClickException(err.message_en) from None


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

    with _container() as container:
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


class _Background(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def _run_until_signal(loop: _Background, name: str) -> None:
    """Run a background loop in the foreground of this process until SIGTERM or Ctrl-C."""
    import signal
    import threading

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    loop.start()
    click.echo(f"{name} running (SIGTERM to stop)")
    stop.wait()
    loop.stop()


@main.command()
def relay() -> None:
    """Run the relay and the sweeper, publishing delivery ids to RabbitMQ (until SIGTERM)."""
    from adapters.exchange_runtime import relay_loops
    from adapters.logs import configure_logging

    configure_logging()
    with _container() as container:
        _run_until_signal(relay_loops(container), "relay")


@main.command()
def scheduler() -> None:
    """Advance tendering rounds at their deadlines (production; until SIGTERM)."""
    from adapters.lifecycle_runtime import LifecycleLoop
    from adapters.logs import configure_logging

    configure_logging()
    with _container() as container:
        _run_until_signal(LifecycleLoop(container), "lifecycle scheduler")


@main.command()
@click.option("--concurrency", "-c", default=2, show_default=True, type=int)
@click.option("--pool", default="prefork", show_default=True,
              type=click.Choice(["prefork", "solo", "threads"]))
def worker(concurrency: int, pool: str) -> None:
    """Run Celery delivery workers consuming the RabbitMQ delivery queue."""
    from adapters.exchange_runtime import celery_app_for_worker
    from adapters.logs import configure_logging

    configure_logging()
    settings = load_settings()
    app = celery_app_for_worker(settings)
    app.worker_main(["worker", "--loglevel", "INFO", "--concurrency", str(concurrency),
                     "--pool", pool, "--queues", settings.queue, "--without-gossip",
                     "--without-mingle", "--without-heartbeat"])


def _selection(ids: tuple[int, ...], target: str | None, status: str | None,
               since: str | None, until: str | None):
    from datetime import datetime

    from exchange.operations import Selection

    def moment(text: str | None) -> datetime | None:
        if text is None:
            return None
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            raise click.BadParameter(f"{text}: give a time zone, e.g. 2026-11-24T08:00+08:00")
        return value

    return Selection(ids, target, status, moment(since), moment(until))


def _selection_options(f):
    for option in (
        click.option("--id", "ids", multiple=True, type=int, help="delivery id (repeatable)"),
        click.option("--target", default=None),
        click.option("--status", default=None),
        click.option("--since", default=None, help="created at or after (ISO 8601 with zone)"),
        click.option("--until", default=None, help="created before (ISO 8601 with zone)"),
    ):
        f = option(f)
    return f


@main.group()
def deliveries() -> None:
    """Inspect, replay and discard exchange deliveries (audited as operator:cli)."""


@deliveries.command("stats")
def deliveries_stats() -> None:
    """Counters per target, and the age of the oldest undelivered message."""
    from exchange import operations

    with _container() as container, container.uow() as uow:
        click.echo(f"unrelayed events: {operations.unrelayed_events(uow.session)}")
        for t in operations.counters(uow.session, uow.clock.now()):
            counts = " ".join(f"{k}={v}" for k, v in t.by_status.items() if v)
            age = t.oldest_open_age_seconds
            click.echo(f"{t.target}: {counts}"
                       + ("" if age is None else f" oldest_open={age:.1f}s"))


@deliveries.command("replay")
@_selection_options
def deliveries_replay(ids: tuple[int, ...], target: str | None, status: str | None,
                      since: str | None, until: str | None) -> None:
    """Send deliveries again with a fresh attempt budget (the sweeper announces them)."""
    from exchange import operations

    with _container() as container:
        with container.uow() as uow:
            done = operations.replay(uow.session, _selection(ids, target, status, since, until),
                                     "operator:cli", uow.clock.now())
        click.echo(f"replayed {len(done)} deliveries")


@deliveries.command("discard")
@_selection_options
@click.option("--reason", required=True)
def deliveries_discard(ids: tuple[int, ...], target: str | None, status: str | None,
                       since: str | None, until: str | None, reason: str) -> None:
    """Give up on deliveries, with a reason; later ones of the same key may then go."""
    from exchange import operations

    with _container() as container:
        with container.uow() as uow:
            done, _ = operations.discard(uow.session,
                                         _selection(ids, target, status, since, until),
                                         reason, "operator:cli", uow.clock.now())
        click.echo(f"discarded {len(done)} deliveries")


@main.group()
def targets() -> None:
    """Exchange targets (external systems) and their retry policies."""


@targets.command("set")
@click.argument("name")
@click.option("--kind", default="http_json", show_default=True)
@click.option("--endpoint", required=True)
@click.option("--timeout", "timeout_seconds", default=10.0, show_default=True, type=float)
@click.option("--max-attempts", default=8, show_default=True, type=int)
@click.option("--backoff-base", "backoff_base_seconds", default=1.0, show_default=True,
              type=float)
@click.option("--backoff-cap", "backoff_cap_seconds", default=300.0, show_default=True,
              type=float)
@click.option("--disabled", is_flag=True)
def targets_set(name: str, disabled: bool, **values: object) -> None:
    """Create or change a target."""
    from exchange.config import upsert_target

    with _container() as container:
        with container.uow() as uow:
            upsert_target(uow.session, name, {**values, "enabled": not disabled},
                          "operator:cli", uow.clock.now())
            uow.commit()
        click.echo(f"target {name} saved")


@main.group()
def platforms() -> None:
    """The provincial and national platform profiles (Fujian-style, Shanxi-style, national)."""


@platforms.command("setup")
@click.argument("profile", type=click.Choice(["fujian", "shanxi", "national"]))
@click.option("--endpoint", required=True, help="the platform's SOAP endpoint (WSDL at ?wsdl)")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help="adapter option, e.g. system_no=0001 or secret_env=GGZY_FJ_SECRET")
def platforms_setup(profile: str, endpoint: str, options: tuple[str, ...]) -> None:
    """Create or update PROFILE's target and route every mapped data set to it."""
    from adapters.platforms import PROFILES, configure_profile, profile_options

    chosen = next(p for p in PROFILES if p.name == profile)
    given = dict(o.split("=", 1) for o in options if "=" in o)
    with _container() as container:
        with container.uow() as uow:
            added = configure_profile(
                uow.session, container.settings, chosen, endpoint, "operator:cli",
                uow.clock.now(),
                {**profile_options(container.settings, chosen, sandbox=False), **given})
            uow.commit()
        click.echo(f"target {profile} ({chosen.kind}) -> {endpoint}; {added} routes added")


@main.group()
def routes() -> None:
    """Which events go to which target through which mapping."""


@routes.command("add")
@click.argument("event_type")
@click.argument("target")
@click.option("--mapping", default="json-passthrough@1", show_default=True)
def routes_add(event_type: str, target: str, mapping: str) -> None:
    """Route EVENT_TYPE ('notice.published', 'notice.*' or '*') to TARGET."""
    from exchange.config import add_route

    with _container() as container, container.uow() as uow:
        route = add_route(uow.session, event_type, target, mapping, True, "operator:cli",
                          uow.clock.now())
        uow.commit()
        click.echo(f"route {route.id}: {event_type} -> {target} ({mapping})")


main.add_command(calendar_group)

if __name__ == "__main__":
    main()
