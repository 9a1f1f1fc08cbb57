"""Migrations run up, down and up again on both databases, and match the models exactly."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import core.model  # noqa: F401  (registers every table on the metadata)
import exchange.model  # noqa: F401
from adapters.db.migrate import downgrade, upgrade
from core.db.base import Base

EXPECTED = {"parties", "party_roles", "accounts", "api_tokens", "projects", "tender_projects",
            "sections", "notices", "notice_sections", "audit_log", "audit_head", "outbox",
            "code_sequences", "alembic_version", "exchange_targets", "exchange_routes",
            "exchange_deliveries", "exchange_attempts", "exchange_inbox", "tender_rounds",
            "tender_registrations", "tender_bids", "tender_awards", "tender_objections",
            "tender_publicities", "tender_candidates", "tender_report_signatures",
            "tender_evaluations", "tender_scores", "tender_committee_members",
            "tender_opening_records", "tender_bid_openings", "exchange_mapping_specs",
            "exchange_acknowledgements", "tender_supervision_instructions", "credit_records",
            "party_provincial_records", "experts", "expert_majors", "calendar_notices",
            "calendar_days", "legal_deadlines", "ws_nonces", "ws_digest_secrets",
            "tender_documents", "tender_tie_settlements", "tender_decisions",
            "notice_search", "platform_incidents", "tender_decryption_determinations",
            "tender_complaints", "tender_recusal_declarations", "ledger_accounts",
            "ledger_entries", "ledger_postings", "bank_sub_accounts", "bank_credits",
            "refund_lines"}


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_up_down_up(empty_database: str) -> None:
    upgrade(empty_database)
    assert tables(empty_database) == EXPECTED
    downgrade(empty_database, "base")
    assert tables(empty_database) == {"alembic_version"}
    upgrade(empty_database)
    assert tables(empty_database) == EXPECTED


def _on(conn: Any) -> Any:
    """Leave out what the model declares for another database only (``ddl_if(dialect=...)``:
    the search's GIN index exists on PostgreSQL, SQLite has no GIN)."""
    def include(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
        ddl_if = getattr(obj, "_ddl_if", None)
        return ddl_if is None or ddl_if.dialect in (None, conn.dialect.name)
    return include


def test_migrations_match_the_models(empty_database: str) -> None:
    """A model change without its migration shows up here as a diff."""
    upgrade(empty_database)
    engine = create_engine(empty_database)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": _on(conn)})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
