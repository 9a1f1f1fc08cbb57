"""a tender notice publishes its rounds' keyholder fingerprints

The fingerprints of each announced round's opening keyholders' public keys, fixed when the
tender notice is published (电子招标投标办法 第二十八条): a bidder's client checks the keys it
seals to against them. Null on notices published before, and on every other kind.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keyholders', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('keyholders')
