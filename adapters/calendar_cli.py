"""`ggzy calendar`: load a year's holiday schedule from the State Council's notice, approve it
(a second administrator), and show what decides a year's deadlines.

The shell that runs `ggzy` is trusted like `ggzy token issue`; maker-checker holds between the
administrator accounts named with ``--as``: the one who loads a notice cannot approve it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import select

from adapters.cli_support import command_container, fail
from core.errors import DomainError
from core.model.account import Account
from core.rules.holidays import FIRST_COMPUTABLE_YEAR, LAST_COMPUTABLE_YEAR
from core.security.principal import Principal
from core.services import calendar
from core.services.accounts import principal_of
from core.uow import UnitOfWork

MAX_DOCUMENT_BYTES = 256 * 1024
YEAR = click.IntRange(FIRST_COMPUTABLE_YEAR, LAST_COMPUTABLE_YEAR)


@contextmanager
def _unit() -> Iterator[UnitOfWork]:
    """The command's unit of work on the migrated database, committed when the command's body
    returns; a refusal (DomainError) rolls it back and is left to the `ggzy` group, which
    answers it with one line and exit 2 (adapters/cli_support.py)."""
    with command_container() as container, container.uow() as uow:
        yield uow
        uow.commit()


def _administrator(uow: UnitOfWork, username: str) -> Principal:
    account = uow.session.scalars(select(Account).where(Account.username == username)).first()
    if account is None or not account.is_active:
        raise DomainError("ACCOUNT_NOT_FOUND", f"没有可用的账号 {username}",
                          f"no active account {username}")
    return principal_of(account)


@click.group("calendar")
def calendar_group() -> None:
    """The official holiday schedule (docs/calendar.md)."""


@calendar_group.command("import")
@click.option("--year", required=True, type=YEAR)
@click.option("--as", "username", required=True, help="the administrator who loads it")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_year(year: int, username: str, file: Path) -> None:
    """Propose FILE (the notice as JSON) as YEAR's schedule; another administrator approves."""
    if file.stat().st_size > MAX_DOCUMENT_BYTES:
        fail("CALENDAR_DOCUMENT_TOO_LARGE", f"{file} is larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        fail("CALENDAR_DOCUMENT_NOT_JSON", f"{file} is not UTF-8 JSON: {err}")
    with _unit() as uow:
        made = calendar.propose_year(uow, _administrator(uow, username), document, year)
        click.echo(f"proposal {made.notice.id}: {year} from {made.notice.notice_number}, "
                   f"waiting for another administrator (ggzy calendar approve "
                   f"{made.notice.id} --as <admin>)")
        for remark in made.remarks:
            click.echo(f"  remark: {remark}")


@calendar_group.command("approve")
@click.argument("proposal_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--as", "username", required=True, help="an administrator other than the loader")
def approve(proposal_id: int, username: str) -> None:
    """Approve a proposal: the year becomes official and open deadlines are re-reckoned."""
    with _unit() as uow:
        done = calendar.approve_year(uow, _administrator(uow, username), proposal_id)
        click.echo(f"{done.notice.year} official ({done.notice.notice_number}); "
                   f"{len(done.moved)} deadlines moved, {done.confirmed} confirmed")
        for m in done.moved:
            risk = "  AT RISK: chosen day " + str(m.chosen_day) if m.at_risk else ""
            click.echo(f"  {m.subject_id} {m.rule}: {m.from_day} -> {m.to_day}{risk}")


@calendar_group.command("reject")
@click.argument("proposal_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--as", "username", required=True)
@click.option("--reason", required=True)
def reject(proposal_id: int, username: str, reason: str) -> None:
    """Reject a proposal, with the reason."""
    with _unit() as uow:
        notice = calendar.reject_year(uow, _administrator(uow, username), proposal_id, reason)
        click.echo(f"proposal {notice.id} rejected")


@calendar_group.command("proposals")
@click.option("--as", "username", required=True)
@click.option("--year", default=None, type=YEAR)
def proposals(username: str, year: int | None) -> None:
    """The loaded notices and their state."""
    with _unit() as uow:
        for n in calendar.list_proposals(uow, _administrator(uow, username), year):
            click.echo(f"{n.id}\t{n.year}\t{n.status}\t{n.notice_number}\t"
                       f"proposed by {n.proposed_by}"
                       + (f", {n.status} by {n.decided_by}" if n.decided_by else ""))


KIND_ZH = {"rest": "休", "work": "班", "may_rest": "可能调休", "may_work": "可能调班"}


@calendar_group.command("show")
@click.option("--year", required=True, type=YEAR)
def show(year: int) -> None:
    """Whether YEAR is official or provisional, and its days."""
    with _unit() as uow:
        v = calendar.show_year(uow, year)
        source = f" — {v.notice_number} {v.notice_title or ''}".rstrip() if v.notice_number else (
            " — reckoned from the holiday rules; load the State Council's notice to make it "
            "official")
        click.echo(f"{year}: {v.status.value}{source}")
        for d in v.days:
            click.echo(f"  {d.day} {d.day:%a} {KIND_ZH[d.kind]} {d.holiday}".rstrip())
