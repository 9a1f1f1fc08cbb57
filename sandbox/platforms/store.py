"""What a platform peer holds, in a SQLite file that outlives the process.

Three tables: ``records`` is the peer's current view (one row per data set and record key, with
the business identity parents are looked up by, and a tombstone after a delete); ``arrivals`` is
every accepted operation in arrival order (what ``GET /records`` shows); ``refusals`` counts each
refused call by reason. A decision reads ``records`` and writes all three inside one
``BEGIN IMMEDIATE`` transaction under one lock, so two concurrent calls for the same key cannot
both be accepted as the first add.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.common.sqlite_file import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    data_set          TEXT NOT NULL,
    record_key        TEXT NOT NULL,
    business_code     TEXT,
    sender            TEXT NOT NULL,
    version           TEXT,
    fields            TEXT NOT NULL,
    deleted           INTEGER NOT NULL DEFAULT 0,
    first_received_at TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (data_set, record_key)
);
CREATE INDEX IF NOT EXISTS records_business_code ON records (data_set, business_code);
CREATE TABLE IF NOT EXISTS arrivals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    data_set    TEXT NOT NULL,
    record_key  TEXT NOT NULL,
    operation   TEXT NOT NULL,
    version     TEXT,
    sender      TEXT NOT NULL,
    fields      TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refusals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    reason      TEXT NOT NULL,
    data_set    TEXT,
    record_key  TEXT,
    message     TEXT NOT NULL,
    refused_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS faults (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    mode        TEXT NOT NULL,
    injected_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Held:
    """A record the peer holds (or held: ``deleted``)."""

    data_set: str
    record_key: str
    business_code: str | None
    sender: str
    version: str | None
    fields: dict[str, str]
    deleted: bool
    first_received_at: str


def _held(row: tuple[Any, ...]) -> Held:
    return Held(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), bool(row[6]), row[7])


_SELECT_HELD = ("SELECT data_set, record_key, business_code, sender, version, fields, deleted, "
                "first_received_at FROM records ")


class Tx:
    """Reads and writes of one decision; only valid inside ``Store.transaction()``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, data_set: str, record_key: str) -> Held | None:
        row = self._conn.execute(
            _SELECT_HELD + "WHERE data_set = ? AND record_key = ?",
            (data_set, record_key)).fetchone()
        return _held(row) if row else None

    def live_by_code(self, data_set: str, business_code: str) -> Held | None:
        row = self._conn.execute(
            _SELECT_HELD
            + "WHERE data_set = ? AND business_code = ? AND deleted = 0 ORDER BY id LIMIT 1",
            (data_set, business_code)).fetchone()
        return _held(row) if row else None

    def put(self, *, operation: str, data_set: str, record_key: str, business_code: str | None,
            sender: str, version: str | None, fields: dict[str, str], at: str) -> int:
        """Apply an accepted add/update/delete and log its arrival; the arrival id."""
        encoded = json.dumps(fields, ensure_ascii=False, sort_keys=False)
        if operation == "add":
            # A key may come back after its delete: the tombstone gives way to the new record.
            self._conn.execute(
                "INSERT INTO records (data_set, record_key, business_code, sender, version, "
                "fields, deleted, first_received_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) "
                "ON CONFLICT (data_set, record_key) DO UPDATE SET business_code = excluded."
                "business_code, sender = excluded.sender, version = excluded.version, "
                "fields = excluded.fields, deleted = 0, "
                "first_received_at = excluded.first_received_at, updated_at = excluded.updated_at",
                (data_set, record_key, business_code, sender, version, encoded, at, at))
        elif operation == "update":
            self._conn.execute(
                "UPDATE records SET fields = ?, version = ?, updated_at = ? "
                "WHERE data_set = ? AND record_key = ?",
                (encoded, version, at, data_set, record_key))
        elif operation == "delete":
            self._conn.execute(
                "UPDATE records SET deleted = 1, version = ?, updated_at = ? "
                "WHERE data_set = ? AND record_key = ?", (version, at, data_set, record_key))
        else:
            raise ValueError(f"unknown operation {operation!r}")
        cursor = self._conn.execute(
            "INSERT INTO arrivals (data_set, record_key, operation, version, sender, fields, "
            "received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (data_set, record_key, operation, version, sender, encoded, at))
        return int(cursor.lastrowid or 0)

    def refuse(self, *, reason: str, data_set: str | None, record_key: str | None,
               message: str, at: str) -> None:
        self._conn.execute(
            "INSERT INTO refusals (reason, data_set, record_key, message, refused_at) "
            "VALUES (?, ?, ?, ?, ?)", (reason, data_set, record_key, message, at))


class Store(SqliteFile):
    """The peer's SQLite file. One connection, one lock: peers serve a handful of threads."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One decision: committed when the block ends, rolled back if it raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def refuse(self, *, reason: str, data_set: str | None, record_key: str | None,
               message: str, at: str) -> None:
        """Count a refusal decided before any record was looked at (authentication, envelope)."""
        with self.transaction() as tx:
            tx.refuse(reason=reason, data_set=data_set, record_key=record_key, message=message,
                      at=at)

    def record_fault(self, mode: str, at: str) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO faults (mode, injected_at) VALUES (?, ?)", (mode, at))

    def arrivals(self, *, after_id: int = 0, limit: int = 1000,
                 data_set: str | None = None) -> list[dict[str, Any]]:
        """Accepted operations in arrival order."""
        sql = ("SELECT id, data_set, record_key, operation, version, sender, fields, received_at "
               "FROM arrivals WHERE id > ?")
        params: list[Any] = [after_id]
        if data_set is not None:
            sql += " AND data_set = ?"
            params.append(data_set)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [{"id": r[0], "data_set": r[1], "key": r[2], "operation": r[3], "version": r[4],
                 "sender": r[5], "fields": json.loads(r[6]), "received_at": r[7]} for r in rows]

    def refusals(self, *, after_id: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, reason, data_set, record_key, message, refused_at FROM refusals "
                "WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)).fetchall()
        return [{"id": r[0], "reason": r[1], "data_set": r[2], "key": r[3], "message": r[4],
                 "refused_at": r[5]} for r in rows]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            accepted = self._conn.execute(
                "SELECT operation, COUNT(*) FROM arrivals GROUP BY operation").fetchall()
            refused = self._conn.execute(
                "SELECT reason, COUNT(*) FROM refusals GROUP BY reason").fetchall()
            faults = self._conn.execute(
                "SELECT mode, COUNT(*) FROM faults GROUP BY mode").fetchall()
            held = self._conn.execute(
                "SELECT COUNT(*) FROM records WHERE deleted = 0").fetchone()[0]
        by_operation = {op: int(n) for op, n in accepted}
        by_reason = {reason: int(n) for reason, n in refused}
        return {
            "accepted": sum(by_operation.values()),
            "accepted_by_operation": dict(sorted(by_operation.items())),
            "duplicates": by_reason.get("duplicate", 0),
            "refused": sum(by_reason.values()),
            "refused_by_reason": dict(sorted(by_reason.items())),
            "faults_injected": dict(sorted((m, int(n)) for m, n in faults)),
            "records_held": int(held),
        }

    def clear(self) -> None:
        """Forget everything. Ids keep growing, so a reader's ``after_id`` cursor stays valid."""
        with self.transaction() as tx:
            del tx
            for table in ("records", "arrivals", "refusals", "faults"):
                self._conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
