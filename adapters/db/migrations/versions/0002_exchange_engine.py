"""exchange engine

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exchange_inbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('received_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_inbox')),
    sa.UniqueConstraint('source', 'message_id', name=op.f('uq_exchange_inbox_source'))
    )
    op.create_table('exchange_targets',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('endpoint', sa.String(length=500), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('timeout_seconds', sa.Float(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('backoff_base_seconds', sa.Float(), nullable=False),
    sa.Column('backoff_cap_seconds', sa.Float(), nullable=False),
    sa.Column('retry_statuses', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_exchange_targets'))
    )
    op.create_table('exchange_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.String(length=64), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['target'], ['exchange_targets.name'], name=op.f('fk_exchange_routes_target_exchange_targets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_routes')),
    sa.UniqueConstraint('event_type', 'target', 'mapping', name=op.f('uq_exchange_routes_event_type'))
    )
    op.create_table('exchange_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('ordering_key', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('held_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('committed_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_exchange_deliveries_outbox_id_outbox')),
    sa.ForeignKeyConstraint(['route_id'], ['exchange_routes.id'], name=op.f('fk_exchange_deliveries_route_id_exchange_routes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_deliveries')),
    sa.UniqueConstraint('outbox_id', 'route_id', name=op.f('uq_exchange_deliveries_outbox_id'))
    )
    with op.batch_alter_table('exchange_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_deliveries_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_exchange_deliveries_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_exchange_deliveries_key', ['target', 'ordering_key', 'sequence'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_deliveries_status'), ['status'], unique=False)

    op.create_table('exchange_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Float(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('request', sa.Text(), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['exchange_deliveries.id'], name=op.f('fk_exchange_attempts_delivery_id_exchange_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_attempts'))
    )
    with op.batch_alter_table('exchange_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_attempts_delivery_id'), ['delivery_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('relayed_at', core.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_unrelayed', ['id'], unique=False, postgresql_where=sa.text('relayed_at IS NULL'), sqlite_where=sa.text('relayed_at IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unrelayed', postgresql_where=sa.text('relayed_at IS NULL'), sqlite_where=sa.text('relayed_at IS NULL'))
        batch_op.drop_column('relayed_at')

    with op.batch_alter_table('exchange_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_attempts_delivery_id'))

    op.drop_table('exchange_attempts')
    with op.batch_alter_table('exchange_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_deliveries_status'))
        batch_op.drop_index('ix_exchange_deliveries_key')
        batch_op.drop_index('ix_exchange_deliveries_due')
        batch_op.drop_index(batch_op.f('ix_exchange_deliveries_created_at'))

    op.drop_table('exchange_deliveries')
    op.drop_table('exchange_routes')
    op.drop_table('exchange_targets')
    op.drop_table('exchange_inbox')
