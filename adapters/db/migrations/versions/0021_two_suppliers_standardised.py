"""a round's two-supplier ground and its 标准统一 declaration

谈判 and 磋商 may go on with 2 suppliers in three named cases (74号令 27② with the 财政部门's
approval, 214号 21③, 财库〔2015〕124号): the round states its case and, for the first, the
approval's reference. A government tender of 技术、服务等标准统一 goods or services is evaluated by
最低评标价法 (政采条例 34, 87号令 54): the round declares it. Existing rounds state neither.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standardised', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('two_supplier_ground', sa.String(length=32),
                                      nullable=True))
        batch_op.add_column(sa.Column('two_supplier_approval', sa.String(length=100),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.drop_column('two_supplier_approval')
        batch_op.drop_column('two_supplier_ground')
        batch_op.drop_column('standardised')
