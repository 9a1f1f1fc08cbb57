"""Alembic environment: the URL comes from the caller's Config, the tables from core.model.

SQLite alters a table by copying it, dropping the old one and renaming the copy. With foreign
keys enforced, the drop either fails (rows elsewhere point at the table) or cascades and deletes
them, so on SQLite the migration runs with enforcement off, as SQLite's own ALTER TABLE guide
prescribes, and ``PRAGMA foreign_key_check`` after it must find nothing dangling before the
transaction commits.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, pool, text

import core.model  # noqa: F401  (registers every table on the metadata)
import exchange.model  # noqa: F401
from adapters.db.engine import make_engine
from core.db.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # a no-op inside a transaction: on the raw connection, before BEGIN
            _enforce_foreign_keys(connection, False)
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)  # SQLite alters tables by copying them
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _no_dangling_references(connection)
        if sqlite:
            _enforce_foreign_keys(connection, True)
    engine.dispose()


def _enforce_foreign_keys(connection: Connection, on: bool) -> None:
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _no_dangling_references(connection: Connection) -> None:
    dangling = connection.execute(text("PRAGMA foreign_key_check")).all()
    if dangling:
        tables = sorted({str(row[0]) for row in dangling})
        raise RuntimeError(f"migration left rows pointing at missing rows in {tables}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
