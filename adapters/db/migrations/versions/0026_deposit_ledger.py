"""the deposit ledger, bank credits, virtual sub-accounts and refund lines (issue 13, core side)

A double-entry ledger (accounts, entries unique on their source, postings) for every deposit
movement; the banks' virtual sub-accounts (unique per bank), the credits they report (unique on
bank and serial) and the refund lines owed (one open line per registration). The party's
registered 基本账户 (条例 26) and the documents' deposit deadline on the round, both nullable.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('bank', sa.String(length=32), nullable=True),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_ledger_accounts_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_ledger_accounts_code'))
    )
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_accounts_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_accounts_round_id'), ['round_id'], unique=False)

    op.create_table('bank_sub_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['tender_registrations.id'], name=op.f('fk_bank_sub_accounts_registration_id_tender_registrations')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_bank_sub_accounts_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_sub_accounts')),
    sa.UniqueConstraint('bank', 'number', name=op.f('uq_bank_sub_accounts_bank')),
    sa.UniqueConstraint('registration_id', 'bank', name=op.f('uq_bank_sub_accounts_registration_id'))
    )
    with op.batch_alter_table('bank_sub_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_sub_accounts_round_id'), ['round_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.String(length=24), nullable=False),
    sa.Column('source_key', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('booked_by', sa.String(length=100), nullable=False),
    sa.Column('booked_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['tender_registrations.id'], name=op.f('fk_ledger_entries_registration_id_tender_registrations')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_ledger_entries_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('source_kind', 'source_key', name=op.f('uq_ledger_entries_source_kind'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_round_id'), ['round_id'], unique=False)

    op.create_table('refund_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('amount', core.db.base.Money(precision=20, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('interest', core.db.base.Money(precision=20, scale=2), nullable=True),
    sa.Column('due_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('settled_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('bank_serial', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['tender_registrations.id'], name=op.f('fk_refund_lines_registration_id_tender_registrations')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_refund_lines_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_lines'))
    )
    with op.batch_alter_table('refund_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_lines_round_id'), ['round_id'], unique=False)
        batch_op.create_index('uq_refund_lines_open_registration', ['registration_id'], unique=True, postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))

    op.create_table('bank_credits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank', sa.String(length=32), nullable=False),
    sa.Column('bank_serial', sa.String(length=64), nullable=False),
    sa.Column('sub_account', sa.String(length=64), nullable=False),
    sa.Column('amount', core.db.base.Money(precision=20, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payer_account', sa.String(length=64), nullable=False),
    sa.Column('payer_name', sa.String(length=200), nullable=False),
    sa.Column('arrived_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.Column('payer_check', sa.String(length=24), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_bank_credits_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['registration_id'], ['tender_registrations.id'], name=op.f('fk_bank_credits_registration_id_tender_registrations')),
    sa.ForeignKeyConstraint(['round_id'], ['tender_rounds.id'], name=op.f('fk_bank_credits_round_id_tender_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_credits')),
    sa.UniqueConstraint('bank', 'bank_serial', name=op.f('uq_bank_credits_bank'))
    )
    with op.batch_alter_table('bank_credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_credits_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_credits_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_credits_sub_account'), ['sub_account'], unique=False)

    op.create_table('ledger_postings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=6), nullable=False),
    sa.Column('amount', core.db.base.Money(precision=20, scale=2), nullable=False),
    sa.CheckConstraint("side IN ('debit', 'credit')", name=op.f('ck_ledger_postings_side')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_ledger_postings_amount_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_postings_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_postings_entry_id_ledger_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_postings'))
    )
    with op.batch_alter_table('ledger_postings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_postings_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_postings_entry_id'), ['entry_id'], unique=False)

    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basic_account_no', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('basic_account_bank', sa.String(length=200), nullable=True))

    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deposit_deadline', core.db.base.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.drop_column('deposit_deadline')

    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_column('basic_account_bank')
        batch_op.drop_column('basic_account_no')

    with op.batch_alter_table('ledger_postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_postings_entry_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_postings_account_id'))

    op.drop_table('ledger_postings')
    with op.batch_alter_table('bank_credits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_credits_sub_account'))
        batch_op.drop_index(batch_op.f('ix_bank_credits_round_id'))
        batch_op.drop_index(batch_op.f('ix_bank_credits_registration_id'))

    op.drop_table('bank_credits')
    with op.batch_alter_table('refund_lines', schema=None) as batch_op:
        batch_op.drop_index('uq_refund_lines_open_registration', postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_refund_lines_round_id'))

    op.drop_table('refund_lines')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_round_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_registration_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('bank_sub_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_sub_accounts_round_id'))

    op.drop_table('bank_sub_accounts')
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_round_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_kind'))

    op.drop_table('ledger_accounts')
