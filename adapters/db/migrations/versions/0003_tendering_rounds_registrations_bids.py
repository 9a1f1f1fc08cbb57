"""tendering rounds registrations bids

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tender_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('round_no', sa.Integer(), nullable=False),
    sa.Column('procedure', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('state_funded', sa.Boolean(), nullable=False),
    sa.Column('documents_issued_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('bid_deadline', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opening_window_minutes', sa.Integer(), nullable=False),
    sa.Column('deposit', core.db.base.Money(precision=20, scale=2), nullable=True),
    sa.Column('committee_fallback', sa.Boolean(), nullable=False),
    sa.Column('committee', sa.Text(), nullable=False),
    sa.Column('next_check', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_tender_rounds_section_id_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_rounds')),
    sa.UniqueConstraint('section_id', 'round_no', name=op.f('uq_tender_rounds_section_id'))
    )
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_rounds_next_check'), ['next_check'], unique=False)
        batch_op.create_index(batch_op.f('ix_tender_rounds_section_id'), ['section_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tender_rounds_status'), ['status'], unique=False)

    op.create_table('tender_bids',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('envelope', sa.Text(), nullable=False),
    sa.Column('ciphertext_sha256', sa.String(length=64), nullable=False),
    sa.Column('ciphertext_size', sa.BigInteger(), nullable=False),
    sa.Column('receipt', sa.Text(), nullable=False),
    sa.Column('submitted_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_tender_bids_party_id_parties')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_bids_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_bids'))
    )
    with op.batch_alter_table('tender_bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_bids_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tender_bids_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tender_bids_status'), ['status'], unique=False)

    op.create_table('tender_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('documents_downloaded_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deposit_status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_tender_registrations_party_id_parties')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_registrations_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_registrations')),
    sa.UniqueConstraint('round_id', 'party_id', name=op.f('uq_tender_registrations_round_id'))
    )
    with op.batch_alter_table('tender_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_registrations_party_id'), ['party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tender_registrations_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tender_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_registrations_round_id'))
        batch_op.drop_index(batch_op.f('ix_tender_registrations_party_id'))

    op.drop_table('tender_registrations')
    with op.batch_alter_table('tender_bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_bids_status'))
        batch_op.drop_index(batch_op.f('ix_tender_bids_round_id'))
        batch_op.drop_index(batch_op.f('ix_tender_bids_party_id'))

    op.drop_table('tender_bids')
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_rounds_status'))
        batch_op.drop_index(batch_op.f('ix_tender_rounds_section_id'))
        batch_op.drop_index(batch_op.f('ix_tender_rounds_next_check'))

    op.drop_table('tender_rounds')
