"""committee members' 回避 declarations, their registry expert, standing aside and replacement

Each member declares, before evaluating, the relationships with the bidders that exclude them
(条例 46 第三款 / 12号令 12; 政采条例 9 / 198号 16); a member may name the registry's expert (data
set 212) so that what the registry knows is checked too; a member who stands aside is kept,
marked ``excluded_at``, and the member replacing it points back at it (``replaces_id``).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tender_committee_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expert_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('excluded_at', core.db.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tender_committee_members_expert_id_experts'),
                                    'experts', ['expert_id'], ['id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_tender_committee_members_replaces_id_tender_committee_members'),
            'tender_committee_members', ['replaces_id'], ['id'])
    op.create_table(
        'tender_recusal_declarations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('relations', sa.JSON(), nullable=False),
        sa.Column('grounds', sa.JSON(), nullable=False),
        sa.Column('excluded', sa.Boolean(), nullable=False),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('statement_sha256', sa.String(length=64), nullable=False),
        sa.Column('declared_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['member_id'], ['tender_committee_members.id'],
            name=op.f('fk_tender_recusal_declarations_member_id_tender_committee_members')),
        sa.ForeignKeyConstraint(
            ['round_id'], ['tender_rounds.id'],
            name=op.f('fk_tender_recusal_declarations_round_id_tender_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_recusal_declarations')),
        sa.UniqueConstraint('member_id', name=op.f('uq_tender_recusal_declarations_member_id')),
    )
    with op.batch_alter_table('tender_recusal_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_recusal_declarations_round_id'),
                              ['round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tender_recusal_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_recusal_declarations_round_id'))
    op.drop_table('tender_recusal_declarations')
    with op.batch_alter_table('tender_committee_members', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_tender_committee_members_replaces_id_tender_committee_members'),
            type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_tender_committee_members_expert_id_experts'),
                                 type_='foreignkey')
        batch_op.drop_column('replaces_id')
        batch_op.drop_column('excluded_at')
        batch_op.drop_column('expert_id')
