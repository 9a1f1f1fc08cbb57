"""`ggzy audit verify` and `ggzy audit checkpoint`: what an operator runs on the audit log.

A broken chain is a finding, not a mistake: it is reported in full and exits 1; ordinary errors
(no database, not migrated) are the `ggzy` group's one line and exit 2."""

from __future__ import annotations

import sys

import click

from adapters.audit_checkpoints import Checkpointer, checkpoint_path, verify_anchored
from adapters.cli_support import command_container
from core.audit_verify import ChainReport


def describe(report: ChainReport) -> list[str]:
    """The report as lines: the verdict first, then every problem or the anchors."""
    if not report.ok:
        at = f" at entry {report.first_broken_seq}" if report.first_broken_seq else ""
        return [f"audit chain BROKEN{at}: {report.reason}",
                *(f"  - {p.message}" for p in report.problems)]
    lines = [f"audit chain intact: {report.entries_checked} entries"]
    if report.legacy_until:
        lines.append(f"entries 1–{report.legacy_until} predate the audit key (legacy: "
                     "hash-chained only, anchored by the first keyed entry and the checkpoints)")
    if report.checkpoint_seq is None:
        lines.append("no checkpoint yet: the chain's end is not anchored "
                     "(ggzy audit checkpoint writes one)")
    else:
        lines.append(f"latest checkpoint at {report.checkpoint_seq} matches; "
                     f"head at {report.head_seq}")
    return lines


@click.group()
def audit() -> None:
    """The audit log: a MAC-keyed hash chain anchored by signed checkpoints (docs/audit.md)."""


@audit.command("verify")
def audit_verify() -> None:
    """Check every entry's hash, link and MAC, and the chain's end against every checkpoint;
    name what is missing or altered. Exit 1 when broken."""
    with command_container() as container:
        report = verify_anchored(container)
    for line in describe(report):
        click.echo(line, err=not report.ok)
    if not report.ok:
        sys.exit(1)


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain's end now and append it to the checkpoint log (and, with
    GGZY_AUDIT_WITNESS, emit it for the witness). Refused, exit 1, if the chain does not
    verify since the previous checkpoint."""
    with command_container() as container:
        outcome = Checkpointer(container).checkpoint()
    if outcome.refused is not None:
        for line in ["no checkpoint written", *describe(outcome.refused)]:
            click.echo(line, err=True)
        sys.exit(1)
    if outcome.checkpoint is None:
        click.echo("the audit log is empty: nothing to checkpoint")
    elif outcome.written:
        click.echo(f"checkpoint at {outcome.checkpoint.seq} written to "
                   f"{checkpoint_path(container.settings)}")
    else:
        click.echo(f"checkpoint at {outcome.checkpoint.seq} is current")
