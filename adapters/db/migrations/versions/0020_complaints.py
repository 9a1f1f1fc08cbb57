"""objections by stage and 投诉

An objection now names what it is against (documents, opening, result: 条例 22/44/54, 政采条例
53) and, for a 利害关系人 outside the round, its declared interest; existing rows were all against
the result. 投诉 to the supervisor are a table of their own (条例 60/61, 政府采购法 55-57).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tender_objections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=16), nullable=False,
                                      server_default='result'))
        batch_op.add_column(sa.Column('interest', sa.Text(), nullable=True))
    op.create_table(
        'tender_complaints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('party_id', sa.Integer(), nullable=False),
        sa.Column('objection_id', sa.Integer(), nullable=True),
        sa.Column('stage', sa.String(length=16), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('knew_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('raised_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('acceptance_due_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('handled_by', sa.Integer(), nullable=True),
        sa.Column('accepted_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decision_due_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('refused_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('suspended_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('suspension_instruction', sa.String(length=100), nullable=True),
        sa.Column('suspension_ends_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('resumed_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('remedy', sa.String(length=24), nullable=True),
        sa.Column('decision_no', sa.String(length=100), nullable=True),
        sa.Column('resolution', sa.Text(), nullable=True),
        sa.Column('decided_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['handled_by'], ['accounts.id']),
        sa.ForeignKeyConstraint(['objection_id'], ['tender_objections.id']),
        sa.ForeignKeyConstraint(['party_id'], ['parties.id']),
        sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('objection_id'),
    )
    with op.batch_alter_table('tender_complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_complaints_party_id'), ['party_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_tender_complaints_round_id'), ['round_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tender_complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_complaints_round_id'))
        batch_op.drop_index(batch_op.f('ix_tender_complaints_party_id'))
    op.drop_table('tender_complaints')
    with op.batch_alter_table('tender_objections', schema=None) as batch_op:
        batch_op.drop_column('interest')
        batch_op.drop_column('stage')
