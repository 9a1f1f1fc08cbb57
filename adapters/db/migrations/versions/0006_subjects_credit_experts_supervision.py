"""pushed subjects, credit records and experts; supervision instructions and round suspension

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('experts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('area', sa.String(length=9), nullable=False),
    sa.Column('industry', sa.String(length=3), nullable=False),
    sa.Column('base_type', sa.String(length=1), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experts')),
    sa.UniqueConstraint('id_number', name=op.f('uq_experts_id_number'))
    )
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experts_area'), ['area'], unique=False)

    op.create_table('credit_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('data_set', sa.String(length=3), nullable=False),
    sa.Column('record_code', sa.String(length=50), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('body_code', sa.String(length=18), nullable=False),
    sa.Column('body_name', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('government', sa.String(length=200), nullable=True),
    sa.Column('document_code', sa.String(length=50), nullable=True),
    sa.Column('recorded_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confined_action', sa.String(length=2), nullable=True),
    sa.Column('confined_from', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confined_until', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('withdrawn_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdraws_id', sa.Integer(), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('received_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_credit_records_party_id_parties')),
    sa.ForeignKeyConstraint(['withdraws_id'], ['credit_records.id'], name=op.f('fk_credit_records_withdraws_id_credit_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_records')),
    sa.UniqueConstraint('data_set', 'record_code', name=op.f('uq_credit_records_data_set'))
    )
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_records_party_id'), ['party_id'], unique=False)

    op.create_table('expert_majors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('major_code', sa.String(length=7), nullable=False),
    sa.Column('is_main', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_expert_majors_expert_id_experts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_majors')),
    sa.UniqueConstraint('expert_id', 'major_code', name=op.f('uq_expert_majors_expert_id'))
    )
    with op.batch_alter_table('expert_majors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_majors_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expert_majors_major_code'), ['major_code'], unique=False)

    op.create_table('party_provincial_records',
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('data_set', sa.String(length=3), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('received_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_party_provincial_records_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('party_id', 'data_set', name=op.f('pk_party_provincial_records'))
    )
    op.create_table('tender_supervision_instructions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('instruction_no', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('received_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_tender_supervision_instructions_account_id_accounts')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_supervision_instructions_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_supervision_instructions')),
    sa.UniqueConstraint('round_id', 'action', 'instruction_no', name=op.f('uq_tender_supervision_instructions_round_id'))
    )
    with op.batch_alter_table('tender_supervision_instructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_supervision_instructions_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', core.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('suspension_instruction', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('suspension_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.drop_column('suspension_reason')
        batch_op.drop_column('suspension_instruction')
        batch_op.drop_column('suspended_at')

    with op.batch_alter_table('tender_supervision_instructions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_supervision_instructions_round_id'))

    op.drop_table('tender_supervision_instructions')
    op.drop_table('party_provincial_records')
    with op.batch_alter_table('expert_majors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_majors_major_code'))
        batch_op.drop_index(batch_op.f('ix_expert_majors_expert_id'))

    op.drop_table('expert_majors')
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_records_party_id'))

    op.drop_table('credit_records')
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experts_area'))

    op.drop_table('experts')
