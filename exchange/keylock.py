"""Serialising work on one (target, ordering key) across workers and machines.

On PostgreSQL a transaction-scoped advisory lock on the key's hash; on SQLite every write
transaction already holds the database lock (BEGIN IMMEDIATE), which is stronger.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_key(session: Session, target: str, ordering_key: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                        {"k": f"{target}\x1f{ordering_key}"})
