"""Serialising work on one (target, ordering key) across workers and machines.

On PostgreSQL a transaction-scoped advisory lock on the key's hash; on SQLite every write
transaction already holds the database lock (BEGIN IMMEDIATE), which is stronger.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_key(session: Session, target: str, ordering_key: str) -> None:
    lock_keys(session, [(target, ordering_key)])


def lock_keys(session: Session, keys: Iterable[tuple[str, str]]) -> None:
    """Take several key locks in one global order, so two transactions never wait on each
    other crosswise (taking them in arrival order deadlocks two overlapping batches)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for target, ordering_key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                        {"k": f"{target}\x1f{ordering_key}"})
