"""Web Service replay cache: UsernameToken nonces seen within the freshness window; the sealed
shared secrets of system clients for PasswordDigest

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ws_nonces',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('nonce_digest', sa.String(length=64), nullable=False),
    sa.Column('created', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_ws_nonces_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'nonce_digest', name=op.f('pk_ws_nonces'))
    )
    with op.batch_alter_table('ws_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ws_nonces_expires_at'), ['expires_at'], unique=False)

    op.create_table('ws_digest_secrets',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('issued_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_ws_digest_secrets_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_ws_digest_secrets'))
    )


def downgrade() -> None:
    op.drop_table('ws_digest_secrets')
    with op.batch_alter_table('ws_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ws_nonces_expires_at'))

    op.drop_table('ws_nonces')
