"""candidate ties: a 并列 kept as shared ranks until the tenderer settles it

87号令 57 lets the evaluation end in a 并列 and 87号令 68 has the purchaser settle it (the
documents' way, else a random draw); the engineering documents leave it to the tenderer. The
tied candidates share their rank and carry ``tied`` until then, so a rank is unique only among
the settled candidates of a round: the unique constraint becomes a partial unique index. How each
tie was settled (the documents' clause, or the draw with its seed) is kept whole in
``tender_tie_settlements``; the audit log holds its digest.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tender_candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tied', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.drop_constraint('uq_tender_candidates_round_id', type_='unique')
        batch_op.create_index('uq_tender_candidates_settled_rank', ['round_id', 'rank'],
                              unique=True, postgresql_where=sa.text('NOT tied'),
                              sqlite_where=sa.text('NOT tied'))
    op.create_table('tender_tie_settlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('shared_rank', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('bids', sa.JSON(), nullable=False),
    sa.Column('order', sa.JSON(), nullable=False),
    sa.Column('dropped', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('draw', sa.JSON(), nullable=True),
    sa.Column('settled_by', sa.String(length=100), nullable=False),
    sa.Column('settled_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_tie_settlements_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_tie_settlements')),
    sa.UniqueConstraint('round_id', 'shared_rank', name=op.f('uq_tender_tie_settlements_round_id'))
    )
    with op.batch_alter_table('tender_tie_settlements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_tie_settlements_round_id'), ['round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tender_tie_settlements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_tie_settlements_round_id'))
    op.drop_table('tender_tie_settlements')
    # Refused while a tie is open: two rows of a round would share a rank.
    with op.batch_alter_table('tender_candidates', schema=None) as batch_op:
        batch_op.drop_index('uq_tender_candidates_settled_rank',
                            postgresql_where=sa.text('NOT tied'),
                            sqlite_where=sa.text('NOT tied'))
        batch_op.create_unique_constraint('uq_tender_candidates_round_id', ['round_id', 'rank'])
        batch_op.drop_column('tied')
