"""What every `ggzy` command shares: one-line errors, a database that must already exist, and the
output of the list commands.

An operator's ordinary mistake (a missing filter, an unknown target, a bad revision, a database
nobody migrated) is answered with one line ``error: CODE: message`` and exit 2, so that a
script can branch on the code and a person is not handed a traceback to read. Only an error
nobody foresaw keeps its traceback, and then only behind ``--debug`` or ``GGZY_DEBUG=1``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from adapters.bootstrap import Container, build
from adapters.config import Settings, load_settings
from core.clock import SHANGHAI as BEIJING
from core.errors import DomainError

_log = logging.getLogger("ggzy.cli")

#: An operator's mistake or a refused request: nothing was changed.
EXIT_REFUSED = 2
#: Something nobody foresaw (a bug, a crash): run again with --debug.
EXIT_INTERNAL = 1

DEBUG_HINT = "run again with --debug (or GGZY_DEBUG=1) for the traceback"


class CliError(click.ClickException):
    """A refusal decided by the CLI itself (not the core), with its stable code."""

    exit_code = EXIT_REFUSED

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def fail(code: str, message: str) -> NoReturn:
    raise CliError(code, message)


def _usage_code(err: click.UsageError) -> str:
    if isinstance(err, click.MissingParameter):
        return "MISSING_PARAMETER"
    if isinstance(err, click.BadParameter):
        return "BAD_PARAMETER"
    if isinstance(err, click.NoSuchOption):
        return "NO_SUCH_OPTION"
    return "USAGE"


def _line(code: str, message: str) -> str:
    return f"error: {code}: {' '.join(message.split())}"


def describe(err: BaseException) -> tuple[str, str, int] | None:
    """(code, message, exit status) of an error an operator can cause, or None if unforeseen.

    The imports are local: alembic and SQLAlchemy errors are recognised without making every
    command pay for importing what it may not use.
    """
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import ArgumentError, OperationalError

    if isinstance(err, DomainError):
        message = err.message_en if err.message_zh == err.message_en else (
            f"{err.message_en} ({err.message_zh})")
        return err.code, message, EXIT_REFUSED
    if isinstance(err, CliError):
        return err.code, err.format_message(), err.exit_code
    if isinstance(err, click.UsageError):
        where = f" (see {err.ctx.command_path} --help)" if err.ctx is not None else ""
        return _usage_code(err), err.format_message() + where, EXIT_REFUSED
    if isinstance(err, click.ClickException):
        return "REFUSED", err.format_message(), EXIT_REFUSED
    if isinstance(err, CommandError):
        return "MIGRATION_REFUSED", str(err), EXIT_REFUSED
    if isinstance(err, OperationalError):
        return "DATABASE_UNAVAILABLE", str(err.orig or err).splitlines()[0], EXIT_REFUSED
    if isinstance(err, ArgumentError):
        return "DATABASE_URL_INVALID", str(err), EXIT_REFUSED
    if isinstance(err, OSError) and err.filename is not None:
        return "FILE_ERROR", f"{err.strerror or err}: {err.filename}", EXIT_REFUSED
    if isinstance(err, SystemExit) and isinstance(err.code, str):
        return "CONFIG_INVALID", err.code, EXIT_REFUSED  # adapters.config refusing a variable
    return None


def debug_requested(args: list[str]) -> bool:
    return os.environ.get("GGZY_DEBUG", "") not in ("", "0") or "--debug" in args


class OneLineErrors(click.Group):
    """A group whose every command, however deep, ends in at most one line of error."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        try:
            status = super().main(given, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.Abort:
            click.echo(_line("ABORTED", "aborted, nothing done"), err=True)
            sys.exit(EXIT_REFUSED)
        except BaseException as err:  # the one place every error is answered
            if isinstance(err, SystemExit) and not isinstance(err.code, str):
                raise
            if isinstance(err, KeyboardInterrupt):
                click.echo(_line("INTERRUPTED", "interrupted"), err=True)
                sys.exit(130)
            known = describe(err)
            if debug_requested(given) and not isinstance(err, click.ClickException):
                raise
            if known is None:
                click.echo(_line("INTERNAL", f"{type(err).__name__}: {err}; {DEBUG_HINT}"),
                           err=True)
                sys.exit(EXIT_INTERNAL)
            code, message, exit_status = known
            click.echo(_line(code, message), err=True)
            sys.exit(exit_status)
        if not standalone_mode:
            return status
        sys.exit(status if isinstance(status, int) else 0)


def debug_option(f: Any) -> Any:
    """``--debug`` on the root group: read by :class:`OneLineErrors` from the arguments."""
    return click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                        help="show the traceback of an unexpected error (or GGZY_DEBUG=1)")(f)


def _sqlite_file(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def not_migrated(where: str) -> DomainError:
    return DomainError("DATABASE_NOT_MIGRATED", f"{where} 尚未建库：请先运行 ggzy migrate",
                       f"{where} has no schema: run `ggzy migrate` first")


def require_schema(settings: Settings) -> None:
    """Refuse to work on a database `ggzy migrate` has not brought to the code's head.

    Only `ggzy migrate` creates a database: a command run from the wrong folder, or before
    migrating, must say so rather than create an empty SQLite file and fail on a missing table.
    """
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.engine import make_url

    from adapters.db.engine import make_engine
    from adapters.db.migrate import current_heads

    where = make_url(settings.database_url).render_as_string(hide_password=True)
    if settings.is_sqlite:
        path = _sqlite_file(settings.database_url)
        if path is not None and not path.is_file():
            raise not_migrated(where)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            found = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    if not found:
        raise not_migrated(where)
    if found != set(current_heads(settings.database_url)):
        at = ", ".join(sorted(found))
        raise DomainError("DATABASE_SCHEMA_OUTDATED",
                          f"{where} 的表结构版本 {at} 与程序不符：请运行 ggzy migrate",
                          f"{where} is at revision {at}, not the code's: run `ggzy migrate`")


def database_wait_seconds() -> float:
    """How long a long-running process waits for its database at start
    (``GGZY_DATABASE_WAIT_SECONDS``, default 120)."""
    try:
        return max(0.0, float(os.environ.get("GGZY_DATABASE_WAIT_SECONDS", "120")))
    except ValueError:
        return 120.0


def open_container(settings: Settings, wait_seconds: float = 0.0) -> Container:
    """The composition root for a command that works on an existing, migrated database.

    A one-shot command gives up at once when the database does not answer. A long-running
    process (serve, relay, scheduler) passes ``wait_seconds``: started beside a database that is
    still starting or restarting (a reboot, a fail-over, the fault drill), it must come up with
    it rather than exit and leave the outbox unrelayed until someone notices. A database that
    answers but is not migrated is refused at once either way."""
    from sqlalchemy.exc import OperationalError

    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            require_schema(settings)
            return build(settings)
        except OperationalError as err:
            if time.monotonic() >= deadline:
                raise
            _log.warning("database unavailable, trying again: %s",
                         str(err.orig or err).splitlines()[0])
            time.sleep(1.0)


@contextmanager
def command_container(wait_seconds: float = 0.0) -> Iterator[Container]:
    """The composition root for one CLI command, closed however the command ends; a
    long-running one waits ``wait_seconds`` for its database (``open_container``)."""
    container = open_container(load_settings(), wait_seconds)
    try:
        yield container
    finally:
        container.close()


# --- output shared by the list commands ----------------------------------------------------

def json_option(f: Any) -> Any:
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


def show(rows: Sequence[Mapping[str, object]], columns: Sequence[str], as_json: bool) -> None:
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
