"""政府采购's price policy: what the round buys, a fixed price, the 小微企业 deductions, and each
bid's declared status

87号令 55 bounds the price weight by 采购对象 (货物 ≥ 30 %, 服务 ≥ 10 %; 214号 24 for 磋商) and
forbids a price criterion at a uniform or fixed price; 财库〔2020〕46号 第九条 as raised by
财库〔2022〕19号 gives 小微企业 a price deduction the documents fix. The round declares the first
three; the committee records each bid's status from its 中小企业声明函 on the evaluation.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procurement_object', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('fixed_price', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('sme_deduction', sa.Numeric(precision=5, scale=2),
                                      nullable=True))
        batch_op.add_column(sa.Column('sme_joint_deduction', sa.Numeric(precision=5, scale=2),
                                      nullable=True))
    with op.batch_alter_table('tender_evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sme_declarations', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table('tender_evaluations', schema=None) as batch_op:
        batch_op.drop_column('sme_declarations')
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.drop_column('sme_joint_deduction')
        batch_op.drop_column('sme_deduction')
        batch_op.drop_column('fixed_price')
        batch_op.drop_column('procurement_object')
