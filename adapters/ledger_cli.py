"""`ggzy ledger check`: the deposit ledger's invariants, as an operator runs them.

See docs/deposits.md. A breach is a finding, not a mistake: every one is named and the command
exits 1; an ordinary error (no database, not migrated) is the `ggzy` group's one line, exit 2."""

from __future__ import annotations

import sys

import click

from adapters.cli_support import command_container
from core.services.banking.ledger import LedgerReport, check


def describe(report: LedgerReport) -> list[str]:
    """The verdict first, then each problem, or the totals."""
    o = report.overall
    if not report.ok:
        return [f"ledger BROKEN: {len(report.problems)} problem(s) in {report.entries} entries",
                *(f"  - {p}" for p in report.problems)]
    return [f"ledger balanced: {report.entries} entries, {len(report.rounds)} round(s); "
            f"money in {o.money_in} = out {o.money_out} + held {o.held} (CNY)"]


@click.group()
def ledger() -> None:
    """The deposit ledger: double entry, every movement booked once per source."""


@ledger.command("check")
def ledger_check() -> None:
    """Check that every entry is balanced, that no source is booked twice, and that money in
    equals money out plus held, per round and overall. Exit 1 naming what is off."""
    with command_container() as container, container.session_factory() as session:
        report = check(session)
    for line in describe(report):
        click.echo(line, err=not report.ok)
    if not report.ok:
        sys.exit(1)
