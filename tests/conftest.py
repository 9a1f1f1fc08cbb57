"""Shared fixtures: a real PostgreSQL database built through the migrations, and a moved clock.

There is no fallback: if PostgreSQL does not answer, the tests that need it error out, in CI and
on a laptop alike (`make test` starts it first).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from adapters.bootstrap import Container, build
from adapters.config import Settings, load_settings
from adapters.db.migrate import upgrade
from core.clock import MovableClock
from core.uow import UnitOfWork

# The suite refuses any event whose payload keys differ from its declared type
# (core/event_payloads.py); servers the tests start as subprocesses inherit it.
STRICT_PAYLOADS = "GGZY_STRICT_EVENT_PAYLOADS"
os.environ.setdefault(STRICT_PAYLOADS, "yes")

ADMIN_URL = os.environ.get(
    "GGZY_TEST_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
START = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)  # a Tuesday, 09:30 in Beijing


def settings_for(env: dict[str, str]) -> Settings:
    """``load_settings`` of a test's own environment, strict about payloads as the suite is."""
    return load_settings({STRICT_PAYLOADS: os.environ[STRICT_PAYLOADS], **env})


def lenient_uow(c: Container) -> UnitOfWork:
    """A unit of work that writes any payload: for a test that puts a placeholder event in the
    outbox to exercise the exchange, not an event a use case emits."""
    return UnitOfWork(c.session_factory, c.clock, c.record_check, strict_events=False)


def create_database() -> str:
    """A fresh, uniquely named database; returns its URL."""
    name = f"ggzy_test_{secrets.token_hex(4)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:
        raise RuntimeError(
            f"PostgreSQL is required for these tests and did not answer at {ADMIN_URL}: {err}. "
            "Run `make test`, which starts it."
        ) from err
    finally:
        admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = create_database()
    upgrade(url)
    yield url
    drop_database(url)


TABLES = ("bank_credits", "refund_lines", "bank_sub_accounts", "ledger_postings",
          "ledger_entries", "ledger_accounts", "tender_decryption_determinations",
          "platform_incidents",
          "ws_nonces", "ws_digest_secrets", "tender_documents",
          "tender_complaints", "tender_awards", "tender_decisions", "tender_objections",
          "tender_publicities",
          "tender_candidates",
          "tender_tie_settlements", "tender_recusal_declarations", "tender_report_signatures",
          "tender_evaluations",
          "tender_scores",
          "tender_committee_members", "tender_opening_records", "tender_bid_openings",
          "tender_bids", "tender_registrations", "tender_rounds", "exchange_attempts",
          "exchange_acknowledgements", "exchange_deliveries", "exchange_mapping_specs",
          "exchange_routes", "exchange_targets", "exchange_inbox",
          "notice_search", "notice_sections", "notices", "sections", "tender_projects", "projects",
          "tender_supervision_instructions", "credit_records", "party_provincial_records",
          "expert_majors", "experts",
          "legal_deadlines", "api_tokens", "accounts", "party_roles", "parties", "code_sequences",
          "outbox",
          "audit_log", "audit_head")

#: Tables the migrations seed: never truncated, put back by :func:`reset_calendar`.
SEEDED_TABLES = ("calendar_notices", "calendar_days")


def reset_calendar(conn: Connection) -> None:
    """Back to the calendar the migration seeded: the package's years official, nothing loaded."""
    loaded = "SELECT id FROM calendar_notices WHERE source = 'notice'"
    conn.execute(text(f"DELETE FROM calendar_days WHERE notice_id IN ({loaded})"))
    conn.execute(text("DELETE FROM calendar_notices WHERE source = 'notice'"))
    conn.execute(text("UPDATE calendar_notices SET status = 'approved' WHERE source = 'package'"))


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(START)


@pytest.fixture
def container(pg_url: str, clock: MovableClock, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Container]:
    settings = settings_for({"GGZY_DATABASE_URL": pg_url,
                              "GGZY_VAR_DIR": str(tmp_path_factory.mktemp("var"))})
    c = build(settings, clock)
    with c.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        reset_calendar(conn)
    yield c
    c.close()
