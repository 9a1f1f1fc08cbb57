"""政府采购's award flow: the purchaser's decision, the result notice and the 质疑 period, and
when every objection is due an answer

The decision has its own table (it exists before the award notice and says whether it was
deemed); the result notice's end and the 质疑 period are the award's, the answer's due date the
objection's.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tender_decisions',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('decided_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('deemed', sa.Boolean(), nullable=False),
    sa.Column('notice_due_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['tender_bids.id'], name=op.f('fk_tender_decisions_bid_id_tender_bids')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_decisions_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_tender_decisions'))
    )
    with op.batch_alter_table('tender_awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_notice_ends_at',
                                      core.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('challenge_ends_at',
                                      core.db.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('tender_objections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_due_at', core.db.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tender_objections', schema=None) as batch_op:
        batch_op.drop_column('answer_due_at')
    with op.batch_alter_table('tender_awards', schema=None) as batch_op:
        batch_op.drop_column('challenge_ends_at')
        batch_op.drop_column('result_notice_ends_at')
    op.drop_table('tender_decisions')
