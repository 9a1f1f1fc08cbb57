"""Running Alembic from code, so `ggzy migrate` and the tests need no alembic.ini on disk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_heads(database_url: str) -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def check_revision(database_url: str, revision: str) -> None:
    """Refuse a revision the migrations do not have before anything touches the database
    (relative steps such as ``-1`` or ``head-1`` are left to Alembic)."""
    import re

    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    from core.errors import DomainError

    if re.search(r"[+-]\d+$", revision):
        return
    script = ScriptDirectory.from_config(alembic_config(database_url))
    try:
        script.get_revisions(revision)
    except CommandError as err:
        raise DomainError("MIGRATION_REVISION_UNKNOWN", f"没有迁移版本 {revision}",
                          f"no migration revision {revision!r} ({err}); known: base, head and "
                          f"0001 to {current_heads(database_url)[0]}") from None
