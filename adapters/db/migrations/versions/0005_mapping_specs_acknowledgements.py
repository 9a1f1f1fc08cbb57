"""mapping spec versions and peer acknowledgements

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exchange_mapping_specs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=48), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_mapping_specs')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_exchange_mapping_specs_name'))
    )
    op.create_table('exchange_acknowledgements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=False),
    sa.Column('data_set', sa.String(length=8), nullable=False),
    sa.Column('record_key', sa.String(length=100), nullable=False),
    sa.Column('official_time', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('recorded_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['exchange_deliveries.id'], name=op.f('fk_exchange_acknowledgements_delivery_id_exchange_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_acknowledgements'))
    )
    with op.batch_alter_table('exchange_acknowledgements', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_acknowledgements_record', ['data_set', 'record_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_acknowledgements_delivery_id'), ['delivery_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exchange_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_acknowledgements_delivery_id'))
        batch_op.drop_index('ix_exchange_acknowledgements_record')
    op.drop_table('exchange_acknowledgements')
    op.drop_table('exchange_mapping_specs')
