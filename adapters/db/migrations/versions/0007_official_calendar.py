"""the official calendar as data: years, notices, days, proposals (maker-checker); tracked legal deadlines

The years the installed chinese-calendar carries are seeded as approved notices (source
``package``), so a fresh install decides them without anyone loading a notice; later years are
loaded by administrators from the State Council's notice (``ggzy calendar import``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_BY = "system:migration-0007"


def upgrade() -> None:
    notices = op.create_table('calendar_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('notice_number', sa.String(length=100), nullable=False),
    sa.Column('notice_date', sa.Date(), nullable=True),
    sa.Column('notice_title', sa.String(length=200), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('proposed_by', sa.String(length=100), nullable=False),
    sa.Column('proposed_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_notices'))
    )
    op.create_index(op.f('ix_calendar_notices_year'), 'calendar_notices', ['year'], unique=False)
    op.create_index('uq_calendar_notices_approved_year', 'calendar_notices', ['year'],
                    unique=True, postgresql_where=sa.text("status = 'approved'"),
                    sqlite_where=sa.text("status = 'approved'"))
    days = op.create_table('calendar_days',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('holiday', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['calendar_notices.id'],
                            name=op.f('fk_calendar_days_notice_id_calendar_notices')),
    sa.PrimaryKeyConstraint('notice_id', 'day', name=op.f('pk_calendar_days'))
    )
    op.create_table('legal_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('ordering_key', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.String(length=48), nullable=False),
    sa.Column('ref_tag', sa.String(length=32), nullable=False),
    sa.Column('bound', sa.String(length=8), nullable=False),
    sa.Column('reading', sa.String(length=16), nullable=False),
    sa.Column('basis_day', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('computed_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_deadlines'))
    )
    op.create_index(op.f('ix_legal_deadlines_provisional'), 'legal_deadlines', ['provisional'],
                    unique=False)
    op.create_index('ix_legal_deadlines_subject', 'legal_deadlines',
                    ['subject_type', 'subject_id', 'rule'], unique=False)
    _seed(notices, days)


def _seed(notices: sa.Table, days: sa.Table) -> None:
    """The package's years as approved notices (its data, as it stands at this migration)."""
    from core.rules.packaged_calendar import SOURCE, packaged_days

    now = datetime.now(UTC)
    seeded = packaged_days()
    op.bulk_insert(notices, [
        {"id": n, "year": year, "status": "approved", "source": "package",
         "notice_number": SOURCE, "notice_date": None,
         "notice_title": f"{year} 年部分节假日安排（国务院办公厅通知，{SOURCE} 收录）",
         "document_sha256": "0" * 64,
         "proposed_by": SEEDED_BY, "proposed_at": now, "decided_by": SEEDED_BY,
         "decided_at": now, "reason": None}
        for n, year in enumerate(seeded, start=1)])
    op.bulk_insert(days, [
        {"notice_id": n, "day": d.day, "kind": d.kind, "holiday": d.holiday}
        for n, (_, year_days) in enumerate(seeded.items(), start=1) for d in year_days])
    if op.get_bind().dialect.name == "postgresql":  # ids were given: move the sequence past them
        op.execute("SELECT setval('calendar_notices_id_seq', (SELECT max(id) FROM "
                   "calendar_notices))")


def downgrade() -> None:
    op.drop_index('ix_legal_deadlines_subject', table_name='legal_deadlines')
    op.drop_index(op.f('ix_legal_deadlines_provisional'), table_name='legal_deadlines')
    op.drop_table('legal_deadlines')
    op.drop_table('calendar_days')
    op.drop_index('uq_calendar_notices_approved_year', table_name='calendar_notices',
                  postgresql_where=sa.text("status = 'approved'"),
                  sqlite_where=sa.text("status = 'approved'"))
    op.drop_index(op.f('ix_calendar_notices_year'), table_name='calendar_notices')
    op.drop_table('calendar_notices')
