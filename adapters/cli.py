"""The `ggzy` command: what an operator runs on a server.

Every command answers an ordinary mistake with one line ``error: CODE: message`` and exit 2
(adapters/cli_support.py); every command but `migrate` needs a migrated database and creates
none. docs/cli.md lists the commands, their errors and exit codes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol

import click

from adapters.audit_cli import audit
from adapters.bootstrap import Container
from adapters.calendar_cli import calendar_group
from adapters.cli_support import (
    OneLineErrors,
    database_wait_seconds,
    debug_option,
    fail,
    open_container,
)
from adapters.config import load_settings
from adapters.db import migrate as migrations
from core.clock import SHANGHAI as BEIJING
from core.model.account import OPERATOR_KINDS
from core.security.tokens import MAX_TTL


@contextmanager
def _container(wait_seconds: float = 0.0) -> Iterator[Container]:
    """The composition root for one CLI command, closed however the command ends; a
    long-running one waits ``wait_seconds`` for its database (cli_support.open_container)."""
    container = open_container(load_settings(), wait_seconds)
    try:
        yield container
    finally:
        container.close()


@click.group(cls=OneLineErrors)
@debug_option
def main() -> None:
    """ggzy-hub: trading core and data-exchange hub of a public resource trading centre."""


@main.command()
@click.option("--revision", default="head", show_default=True, help="target revision")
@click.option("--down", "down_to", default=None, help="downgrade to this revision instead")
def migrate(revision: str, down_to: str | None) -> None:
    """Bring the database schema to a revision (the one command that creates the SQLite file)."""
    settings = load_settings()
    for named in (revision, down_to):
        if named is not None:
            migrations.check_revision(settings.database_url, named)
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
    """Serve the REST API, OpenAPI docs and the portal. The socket is bound first: on a busy
    port nothing starts (no delivery reaches whoever holds it)."""
    import uvicorn

    from adapters.exchange_runtime import embedded_engine
    from adapters.logs import configure_logging
    from adapters.rest.app import create_app
    from adapters.serving import AddressInUse, bind

    settings = load_settings()
    host = host or settings.host
    port = port or settings.port
    try:
        sock = bind(host, port)
    except AddressInUse as err:
        fail("ADDRESS_IN_USE", f"{err}; nothing was started (choose --port or GGZY_PORT)")
    configure_logging()
    container = open_container(settings, database_wait_seconds())
    engine = embedded_engine(container) if settings.run_engine else None
    base = f"http://{host}:{port}"
    click.echo(f"portal   {base}/\nAPI docs {base}/docs\nAPI      {base}/api/v1\n"
               f"database {_safe_url(settings.database_url)}\n"
               f"exchange {EMBEDDED_NOTE if engine else SEPARATE_NOTE}")
    config = uvicorn.Config(create_app(container, engine), host=host, port=port,
                            log_level="info", proxy_headers=True,
                            log_config=None)  # ours: root handler
    uvicorn.Server(config).run(sockets=[sock])


@main.command()
def demo() -> None:
    """Load sample parties, a project with two sections and a published notice (idempotent).
    Refuses when a server other than this installation's answers on GGZY_HOST:GGZY_PORT,
    where the sample tender would be delivered."""
    from adapters.demo import load_sample_data
    from adapters.demo_exchange import ForeignServer
    from adapters.serving import answering_instance, instance_id, port_taken

    settings = load_settings()
    if settings.sandbox and port_taken(settings.host, settings.port):
        ours = instance_id(settings.var_dir)
        theirs = answering_instance(settings.host, settings.port)
        if theirs != ours:
            fail("FOREIGN_SERVER",
                  f"{settings.host}:{settings.port} is answered by another server "
                  f"({'instance ' + theirs if theirs else 'not a ggzy of this folder'}); "
                  "stop it or set GGZY_PORT; nothing was loaded or sent")
    container = open_container(settings)
    try:
        for line in load_sample_data(container):
            click.echo(line)
    except ForeignServer as err:  # the port was taken while the data loaded
        fail("FOREIGN_SERVER", str(err))
    finally:
        container.close()


main.add_command(audit)


# --- output shared by the list commands ----------------------------------------------------

def _json_option(f: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True,
                        help="one JSON array on stdout, for scripts")(f)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(BEIJING).isoformat(timespec="seconds")
    return str(value)


def _plain(value: object) -> object:
    return value.astimezone(BEIJING).isoformat() if isinstance(value, datetime) else value


def _show(rows: Sequence[Mapping[str, object]], columns: Sequence[str], as_json: bool) -> None:
    """A table for people (columns aligned; times in Beijing time with their offset), or JSON
    with every field for scripts."""
    if as_json:
        click.echo(json.dumps([{k: _plain(v) for k, v in r.items()} for r in rows],
                              ensure_ascii=False))
        return
    if not rows:
        click.echo("(none)", err=not sys.stdout.isatty())
        return
    cells = [[_cell(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    for line in [list(columns), *cells]:
        click.echo("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())


# --- accounts ------------------------------------------------------------------------------

@main.group()
def codes() -> None:
    """National codes: make a valid sample, or check one."""


@codes.command("uscc")
@click.argument("code", required=False)
@click.option("--example", is_flag=True, help="print a valid sample 统一社会信用代码")
@click.option("--region", default="350100", show_default=True,
              help="GB/T 2260 region of the sample's registering authority")
def codes_uscc(code: str | None, example: bool, region: str) -> None:
    """Print a valid sample USCC (--example; random body, both check characters computed),
    or check CODE (GB 32100 with the embedded GB 11714 check)."""
    from core.codes.errors import CodeError
    from core.codes.uscc import example_uscc, validate_uscc

    if example == (code is not None):
        fail("USAGE", "give either --example or a CODE to check")
    try:
        click.echo(example_uscc(region) if example else f"{validate_uscc(code or '')} valid")
    except CodeError as err:
        fail(err.code, err.message_en)


@main.group()
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

    with _container() as container:
        with container.uow() as uow:
            created = create_account(uow, None, NewAccount(
                username=username, password=password, kind=AccountKind(kind),
                display_name=display_name or username))
        click.echo(f"account {created.username} ({created.kind}) created")


@account.command("list")
@_json_option
def account_list(as_json: bool) -> None:
    """Every account: kind, whether it is enabled, last sign-in."""
    from core.services.accounts import all_accounts

    with _container() as container, container.uow() as uow:
        rows = [{"id": a.id, "username": a.username, "kind": a.kind,
                 "display_name": a.display_name, "party_id": a.party_id,
                 "state": "enabled" if a.is_active else "disabled",
                 "disabled_at": a.disabled_at, "must_change_password": a.must_change_password,
                 "last_login_at": a.last_login_at} for a in all_accounts(uow)]
    _show(rows, ("id", "username", "kind", "state", "last_login_at", "display_name"), as_json)


def _set_enabled(username: str, enabled: bool) -> None:
    from core.services.accounts import account_by_username, set_enabled

    with _container() as container, container.uow() as uow:
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
    with _container() as container, container.uow() as uow:
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
    with _container() as container, container.uow() as uow:
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

    with _container() as container, container.uow() as uow:
        if revoke:
            done = revoke_digest_secret(uow, "operator:cli", username)
            click.echo(f"digest secret of {username} {'revoked' if done else 'absent'}")
            return
        click.echo(issue_digest_secret(uow, "operator:cli", username,
                                       digest_box(container.settings)))


main.add_command(account, "accounts")


# --- tokens --------------------------------------------------------------------------------

MAX_HOURS = int(MAX_TTL.total_seconds() // 3600)


@main.group()
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

    with _container() as container:
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
@_json_option
def token_list(username: str, as_json: bool) -> None:
    """USERNAME's tokens by id (never the token itself), with their state."""
    from core.security.tokens import token_id
    from core.services.accounts import account_by_username, list_tokens

    with _container() as container, container.uow() as uow:
        now = uow.clock.now()
        rows = [{"id": token_id(t), "created_at": t.created_at, "expires_at": t.expires_at,
                 "revoked_at": t.revoked_at,
                 "state": "revoked" if t.revoked_at else
                 ("expired" if t.expires_at <= now else "live")}
                for t in list_tokens(uow, None, account_by_username(uow, username))]
    _show(rows, ("id", "state", "created_at", "expires_at", "revoked_at"), as_json)


@token.command("revoke")
@click.argument("username")
@click.option("--id", "public_id", default=None, help="the token's id (ggzy token list)")
@click.option("--all", "every", is_flag=True, help="every live token of USERNAME")
def token_revoke(username: str, public_id: str | None, every: bool) -> None:
    """Revoke one token of USERNAME (--id) or all of them (--all)."""
    from core.services.accounts import account_by_username, revoke_tokens

    if every == (public_id is not None):
        fail("TOKEN_SELECTION_REQUIRED", "give exactly one of --id ID and --all")
    with _container() as container, container.uow() as uow:
        done = revoke_tokens(uow, None, account_by_username(uow, username), public_id)
        uow.commit()
    click.echo(f"{done} tokens of {username} revoked")


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
    with _container(database_wait_seconds()) as container:
        _run_until_signal(relay_loops(container), "relay")


@main.command()
def scheduler() -> None:
    """Advance tendering rounds at their deadlines (production; until SIGTERM)."""
    from adapters.lifecycle_runtime import LifecycleLoop
    from adapters.logs import configure_logging

    configure_logging()
    with _container(database_wait_seconds()) as container:
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
               since: str | None, until: str | None) -> Any:
    from exchange.operations import Selection

    def moment(text: str | None) -> datetime | None:
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise click.BadParameter(f"{text}: not an ISO 8601 time, e.g. "
                                     "2026-11-24T08:00+08:00") from None
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


@deliveries.command("list")
@click.option("--status", default=None, help="pending, delivered, parked, …")
@click.option("--target", default=None)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@_json_option
def deliveries_list(status: str | None, target: str | None, limit: int, as_json: bool) -> None:
    """The newest deliveries, optionally of one status and one target."""
    from exchange import operations

    with _container() as container, container.uow() as uow:
        rows = [{"id": d.id, "target": d.target, "event_type": d.event_type,
                 "status": d.status, "attempts": d.attempts, "created_at": d.created_at,
                 "delivered_at": d.delivered_at, "mapping": d.mapping,
                 "ordering_key": d.ordering_key,
                 "last_error": (d.last_error or "")[:200] or None}
                for d in operations.recent(uow.session, target, status, limit)]
    _show(rows, ("id", "target", "event_type", "status", "attempts", "created_at",
                 "last_error"), as_json)


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


@targets.command("list")
@_json_option
def targets_list(as_json: bool) -> None:
    """Every target, its endpoint and retry policy (options are shown, secrets never are:
    they are referenced by name)."""
    from sqlalchemy import select

    from exchange.model import Target

    with _container() as container, container.uow() as uow:
        rows = [{"name": t.name, "kind": t.kind, "endpoint": t.endpoint,
                 "state": "enabled" if t.enabled else "disabled",
                 "timeout_seconds": t.timeout_seconds, "max_attempts": t.max_attempts,
                 "backoff_base_seconds": t.backoff_base_seconds,
                 "backoff_cap_seconds": t.backoff_cap_seconds, "options": t.options}
                for t in uow.session.scalars(select(Target).order_by(Target.name))]
    _show(rows, ("name", "kind", "state", "max_attempts", "endpoint"), as_json)


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


@routes.command("list")
@_json_option
def routes_list(as_json: bool) -> None:
    """Every route: which events go to which target through which mapping."""
    from sqlalchemy import select

    from exchange.model import Route

    with _container() as container, container.uow() as uow:
        rows = [{"id": r.id, "event_type": r.event_type, "target": r.target,
                 "mapping": r.mapping, "state": "enabled" if r.enabled else "disabled"}
                for r in uow.session.scalars(select(Route).order_by(Route.id))]
    _show(rows, ("id", "event_type", "target", "mapping", "state"), as_json)


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
