"""The `ggzy` command: what an operator runs on a server.

Every command answers an ordinary mistake with one line ``error: CODE: message`` and exit 2
(adapters/cli_support.py); every command but `migrate` needs a migrated database and creates
none. docs/cli.md lists the commands, their errors and exit codes. The command groups live in
their own modules (accounts and tokens, the exchange, the calendar, the audit); this one holds the
server's own commands and puts the groups together.
"""

from __future__ import annotations

from typing import Protocol

import click

from adapters.account_cli import account, token
from adapters.audit_cli import audit
from adapters.calendar_cli import calendar_group
from adapters.cli_support import (
    OneLineErrors,
    command_container,
    database_wait_seconds,
    debug_option,
    fail,
    open_container,
)
from adapters.config import load_settings
from adapters.db import migrate as migrations
from adapters.exchange_cli import deliveries, platforms, routes, targets
from adapters.ledger_cli import ledger


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
    with command_container(database_wait_seconds()) as container:
        _run_until_signal(relay_loops(container), "relay")


@main.command()
def scheduler() -> None:
    """Advance tendering rounds at their deadlines (production; until SIGTERM)."""
    from adapters.lifecycle_runtime import LifecycleLoop
    from adapters.logs import configure_logging

    configure_logging()
    with command_container(database_wait_seconds()) as container:
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


for group, name in ((audit, None), (account, None), (account, "accounts"), (token, None),
                    (deliveries, None), (targets, None), (platforms, None), (routes, None),
                    (calendar_group, None), (ledger, None)):
    main.add_command(group, name)

if __name__ == "__main__":
    main()
