"""opening evaluation award

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tender_committee_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('is_chair', sa.Boolean(), nullable=False),
    sa.Column('assigned_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_tender_committee_members_account_id_accounts')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_committee_members_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_committee_members')),
    sa.UniqueConstraint('round_id', 'account_id', name=op.f('uq_tender_committee_members_round_id'))
    )
    with op.batch_alter_table('tender_committee_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_committee_members_round_id'), ['round_id'], unique=False)

    op.create_table('tender_evaluations',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('rejections', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reported_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_evaluations_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_tender_evaluations'))
    )
    op.create_table('tender_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('raised_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_tender_objections_party_id_parties')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_objections_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_objections'))
    )
    with op.batch_alter_table('tender_objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_objections_round_id'), ['round_id'], unique=False)

    op.create_table('tender_opening_records',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('signature', sa.String(length=200), nullable=False),
    sa.Column('published_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_opening_records_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_tender_opening_records'))
    )
    op.create_table('tender_publicities',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_publicities_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_tender_publicities'))
    )
    op.create_table('tender_awards',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('notice_issued_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('contract_amount', core.db.base.Money(precision=20, scale=2), nullable=True),
    sa.Column('contract_signed_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('refund_due_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bid_id'], ['tender_bids.id'], name=op.f('fk_tender_awards_bid_id_tender_bids')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_awards_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_tender_awards'))
    )
    op.create_table('tender_bid_openings',
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('plaintext_sha256', sa.String(length=64), nullable=True),
    sa.Column('price', core.db.base.Money(precision=20, scale=2), nullable=True),
    sa.Column('declared', sa.JSON(), nullable=True),
    sa.Column('failure_code', sa.String(length=64), nullable=True),
    sa.Column('opened_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['tender_bids.id'], name=op.f('fk_tender_bid_openings_bid_id_tender_bids')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_bid_openings_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('bid_id', name=op.f('pk_tender_bid_openings'))
    )
    with op.batch_alter_table('tender_bid_openings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_bid_openings_round_id'), ['round_id'], unique=False)

    op.create_table('tender_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['tender_bids.id'], name=op.f('fk_tender_candidates_bid_id_tender_bids')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_candidates_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_candidates')),
    sa.UniqueConstraint('round_id', 'rank', name=op.f('uq_tender_candidates_round_id'))
    )
    with op.batch_alter_table('tender_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_candidates_round_id'), ['round_id'], unique=False)

    op.create_table('tender_report_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('agrees', sa.Boolean(), nullable=False),
    sa.Column('dissent', sa.Text(), nullable=True),
    sa.Column('signed_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['tender_committee_members.id'], name=op.f('fk_tender_report_signatures_member_id_tender_committee_members')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_report_signatures_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_report_signatures')),
    sa.UniqueConstraint('round_id', 'member_id', name=op.f('uq_tender_report_signatures_round_id'))
    )
    with op.batch_alter_table('tender_report_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_report_signatures_round_id'), ['round_id'], unique=False)

    op.create_table('tender_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('criterion', sa.String(length=64), nullable=False),
    sa.Column('score', core.db.base.Money(precision=20, scale=2), nullable=False),
    sa.Column('scored_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['tender_bids.id'], name=op.f('fk_tender_scores_bid_id_tender_bids')),
    sa.ForeignKeyConstraint(['member_id'], ['tender_committee_members.id'], name=op.f('fk_tender_scores_member_id_tender_committee_members')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_tender_scores_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_scores')),
    sa.UniqueConstraint('member_id', 'bid_id', 'criterion', name=op.f('uq_tender_scores_member_id'))
    )
    with op.batch_alter_table('tender_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_scores_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('tender_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deposit_paid_at', core.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deposit_confirmed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deposit_refund_due_at', core.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deposit_refunded_at', core.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tender_registrations_deposit_confirmed_by_accounts'), 'accounts', ['deposit_confirmed_by'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('tender_registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tender_registrations_deposit_confirmed_by_accounts'), type_='foreignkey')
        batch_op.drop_column('deposit_refunded_at')
        batch_op.drop_column('deposit_refund_due_at')
        batch_op.drop_column('deposit_confirmed_by')
        batch_op.drop_column('deposit_paid_at')

    with op.batch_alter_table('tender_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_scores_round_id'))

    op.drop_table('tender_scores')
    with op.batch_alter_table('tender_report_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_report_signatures_round_id'))

    op.drop_table('tender_report_signatures')
    with op.batch_alter_table('tender_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_candidates_round_id'))

    op.drop_table('tender_candidates')
    with op.batch_alter_table('tender_bid_openings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_bid_openings_round_id'))

    op.drop_table('tender_bid_openings')
    op.drop_table('tender_awards')
    op.drop_table('tender_publicities')
    op.drop_table('tender_opening_records')
    with op.batch_alter_table('tender_objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_objections_round_id'))

    op.drop_table('tender_objections')
    op.drop_table('tender_evaluations')
    with op.batch_alter_table('tender_committee_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_committee_members_round_id'))

    op.drop_table('tender_committee_members')
