"""public notices generated from the lifecycle (portal)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.alter_column('created_by', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_notices_round_id'), ['round_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notices_round_id_tender_rounds'),
                                    'tender_rounds', ['round_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_notices_round_id'),
                                          ['round_id', 'notice_type'])


def downgrade() -> None:
    op.execute("DELETE FROM notice_sections WHERE notice_id IN "
               "(SELECT id FROM notices WHERE round_id IS NOT NULL)")
    op.execute("DELETE FROM notices WHERE round_id IS NOT NULL")
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notices_round_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_notices_round_id_tender_rounds'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notices_round_id'))
        batch_op.alter_column('created_by', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('round_id')
