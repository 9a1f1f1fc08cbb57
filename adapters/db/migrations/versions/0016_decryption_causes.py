"""platform incidents and the cause of a failed decryption (电子招标投标办法 31)

The incident log lets centre staff tell a bid the bidder failed to decrypt (撤销) from one the
platform failed (撤回); each determination is kept, and one made after the opening record was
published is signed and published on its own.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('platform_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('component', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by'], ['accounts.id'], name=op.f('fk_platform_incidents_closed_by_accounts')),
    sa.ForeignKeyConstraint(['recorded_by'], ['accounts.id'], name=op.f('fk_platform_incidents_recorded_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_incidents'))
    )
    with op.batch_alter_table('platform_incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_platform_incidents_started_at'), ['started_at'], unique=False)

    op.create_table('tender_decryption_determinations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cause', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('previous_outcome', sa.String(length=24), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('incident_ids', sa.JSON(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.Column('determined_by', sa.Integer(), nullable=False),
    sa.Column('determined_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('signature', sa.String(length=200), nullable=True),
    sa.Column('published_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bid_id'], ['tender_bids.id'], name=op.f('fk_tender_decryption_determinations_bid_id_tender_bids')),
    sa.ForeignKeyConstraint(['determined_by'], ['accounts.id'], name=op.f('fk_tender_decryption_determinations_determined_by_accounts')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_decryption_determinations_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_decryption_determinations'))
    )
    with op.batch_alter_table('tender_decryption_determinations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_decryption_determinations_bid_id'), ['bid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tender_decryption_determinations_round_id'), ['round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tender_decryption_determinations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_decryption_determinations_round_id'))
        batch_op.drop_index(batch_op.f('ix_tender_decryption_determinations_bid_id'))
    op.drop_table('tender_decryption_determinations')
    with op.batch_alter_table('platform_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_platform_incidents_started_at'))
    op.drop_table('platform_incidents')
