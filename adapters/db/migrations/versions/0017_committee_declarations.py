"""government committees: what the round declares, the member sitting as 法律专家

87号令 47 wants a committee of 7 or more for a 技术复杂 or 社会影响较大 project, 214号 14 a 法律专家
among the experts of a 技术复杂、专业性强 磋商: the purchaser or its agency declares the first two
on the round, and whoever assigns the committee which expert is the lawyer.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('technically_complex', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('large_social_impact', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('tender_committee_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_expert', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('tender_committee_members', schema=None) as batch_op:
        batch_op.drop_column('legal_expert')
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.drop_column('large_social_impact')
        batch_op.drop_column('technically_complex')
