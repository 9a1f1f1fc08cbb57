"""What the recording peer received, in a SQLite file that outlives the process.

The fault drills stop and kill the peer and start it again on the same file, and the tests then
count what arrived across the gap, so every answer the peer gives is sent only after its row is
committed. WAL with ``synchronous=NORMAL`` keeps a commit durable against a killed process (only a
power cut can lose the last ones) without an fsync per message, which is what lets one peer take
the benchmark's thousands of messages a second.

One connection serves the whole process. The peer calls the store from its event loop, so calls
are already serial; the lock makes the store safe to share with threads too (in-process tests, a
peer mounted in a threaded server) for the price of an uncontended acquire.

Deduplication is by (channel, idempotency key): the first arrival is *accepted*; a repeat is kept
as its own row pointing at the first (``duplicate_of``), so repeats are counted, never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.common.sqlite_file import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    transport       TEXT NOT NULL,            -- 'http' | 'soap'
    channel         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    ordering_key    TEXT,
    sequence        TEXT,
    content_type    TEXT,
    body            BLOB NOT NULL,
    received_at     TEXT NOT NULL,            -- UTC, ISO 8601 with microseconds
    duplicate_of    INTEGER                   -- NULL: first arrival; else id of the first arrival
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_first_arrival
    ON messages (channel, idempotency_key) WHERE duplicate_of IS NULL;
CREATE TABLE IF NOT EXISTS faults (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    transport       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    mode            TEXT NOT NULL,
    idempotency_key TEXT,
    injected_at     TEXT NOT NULL
);
"""

# One statement, so the look-up of the first arrival and the insert are one atomic step even if
# a second process were ever pointed at the same file. The partial unique index makes the
# sub-select an index probe and forbids two first arrivals for one key.
INSERT_MESSAGE = """
INSERT INTO messages (transport, channel, idempotency_key, ordering_key, sequence, content_type,
                      body, received_at, duplicate_of)
VALUES (?, ?, ?, ?, ?, ?, ?, ?,
        (SELECT id FROM messages
          WHERE channel = ? AND idempotency_key = ? AND duplicate_of IS NULL))
RETURNING id, duplicate_of
"""

SELECT_MESSAGES = ("SELECT id, transport, channel, idempotency_key, ordering_key, sequence, "
                   "content_type, body, received_at, duplicate_of FROM messages")


@dataclass(frozen=True)
class Recorded:
    """The outcome of one delivery: its own row, and the first arrival if it was a repeat."""

    id: int
    duplicate_of: int | None

    @property
    def duplicate(self) -> bool:
        return self.duplicate_of is not None

    @property
    def first_id(self) -> int:
        """The id a sender is told: the first arrival's, for a repeat too."""
        return self.duplicate_of if self.duplicate_of is not None else self.id


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Store(SqliteFile):
    """The recording peer's SQLite file: messages and injected faults. In autocommit, each
    statement is its own transaction: no BEGIN round trip per message."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, SCHEMA)

    def record(self, *, transport: str, channel: str, idempotency_key: str,
               ordering_key: str | None, sequence: str | None, content_type: str | None,
               body: bytes) -> Recorded:
        """Store one received message; committed when this returns."""
        with self._lock:
            rows = self._conn.execute(
                INSERT_MESSAGE,
                (transport, channel, idempotency_key, ordering_key, sequence, content_type, body,
                 _now(), channel, idempotency_key),
            ).fetchall()  # fetching all rows finishes the statement, which commits it
        row_id, duplicate_of = rows[0]
        return Recorded(int(row_id), None if duplicate_of is None else int(duplicate_of))

    def record_fault(self, *, transport: str, channel: str, mode: str,
                     idempotency_key: str | None) -> None:
        """Remember that a call was answered with an injected fault (it was not accepted)."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO faults (transport, channel, mode, idempotency_key, injected_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (transport, channel, mode, idempotency_key, _now()))

    def stats(self) -> dict[str, Any]:
        """Counters overall and per channel: accepted, duplicates, faults_injected."""
        by_channel: dict[str, dict[str, int]] = {}

        def slot(channel: str) -> dict[str, int]:
            return by_channel.setdefault(
                channel, {"accepted": 0, "duplicates": 0, "faults_injected": 0})

        with self._lock:
            message_rows = self._conn.execute(
                "SELECT channel, SUM(duplicate_of IS NULL), SUM(duplicate_of IS NOT NULL) "
                "FROM messages GROUP BY channel").fetchall()
            fault_rows = self._conn.execute(
                "SELECT channel, COUNT(*) FROM faults GROUP BY channel").fetchall()
        for channel, accepted, duplicates in message_rows:
            slot(channel).update(accepted=int(accepted), duplicates=int(duplicates))
        for channel, count in fault_rows:
            slot(channel)["faults_injected"] = int(count)
        return {
            "accepted": sum(c["accepted"] for c in by_channel.values()),
            "duplicates": sum(c["duplicates"] for c in by_channel.values()),
            "faults_injected": sum(c["faults_injected"] for c in by_channel.values()),
            "by_channel": dict(sorted(by_channel.items())),
        }

    def messages(self, *, channel: str | None = None, transport: str | None = None,
                 after_id: int = 0, limit: int = 1000, include_duplicates: bool = False
                 ) -> list[dict[str, Any]]:
        """Recorded messages in arrival order (by id), first arrivals only unless asked."""
        clauses = ["id > ?"]
        params: list[Any] = [after_id]
        if channel is not None:
            clauses.append("channel = ?")
            params.append(channel)
        if transport is not None:
            clauses.append("transport = ?")
            params.append(transport)
        if not include_duplicates:
            clauses.append("duplicate_of IS NULL")
        params.append(limit)
        # Only the fixed clauses above are joined in; every value is a bound parameter.
        where = " AND ".join(clauses)
        sql = f"{SELECT_MESSAGES} WHERE {where} ORDER BY id LIMIT ?"
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [
            {"id": r[0], "transport": r[1], "channel": r[2], "idempotency_key": r[3],
             "ordering_key": r[4], "sequence": r[5], "content_type": r[6],
             "body": bytes(r[7]).decode("utf-8", errors="replace"), "received_at": r[8],
             "duplicate": r[9] is not None, "duplicate_of": r[9]}
            for r in rows
        ]

    def faults(self, *, after_id: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        """The calls that were answered with an injected fault, in order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, transport, channel, mode, idempotency_key, injected_at FROM faults "
                "WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)).fetchall()
        return [{"id": r[0], "transport": r[1], "channel": r[2], "mode": r[3],
                 "idempotency_key": r[4], "injected_at": r[5]} for r in rows]

    def clear(self) -> None:
        """Forget every record. Ids keep growing (AUTOINCREMENT): a reader's cursor stays valid."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM messages")
            self._conn.execute("DELETE FROM faults")
            self._conn.execute("COMMIT")
