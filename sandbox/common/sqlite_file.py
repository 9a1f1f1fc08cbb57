"""A peer's SQLite file: one connection for the whole process, shared by its threads.

WAL with ``synchronous=NORMAL`` keeps a commit durable against a killed process (only a power cut
can lose the last ones) without an fsync per statement. The connection is in autocommit
(``isolation_level=None``): a statement is its own transaction unless the peer opens one with
``BEGIN``. One lock serialises every use of the connection; a subclass takes it around each of its
reads and writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SqliteFile:
    def __init__(self, path: str | Path, schema: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.executescript(schema)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One decision: ``BEGIN IMMEDIATE`` … ``COMMIT`` under the lock, rolled back on error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()
