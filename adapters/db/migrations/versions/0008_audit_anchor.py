"""audit entries keyed (MAC) and anchored by signed checkpoints outside the database

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Existing entries keep a NULL MAC: the key is not in the database, so a migration cannot MAC them.
They stay legacy (hash-chained only); the first keyed entry links to the last legacy hash, and the
first checkpoint written with a key covers them (docs/audit.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_mac', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('last_mac')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('mac')
