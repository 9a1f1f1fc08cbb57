"""foundation: parties, accounts, projects, notices, audit, outbox

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('audit_log',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('before_digest', sa.String(length=64), nullable=True),
    sa.Column('after_digest', sa.String(length=64), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_object_id'), ['object_id'], unique=False)

    op.create_table('code_sequences',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_code_sequences'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('aggregate_type', sa.String(length=32), nullable=False),
    sa.Column('aggregate_id', sa.String(length=64), nullable=False),
    sa.Column('ordering_key', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('occurred_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_event_type'), ['event_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_ordering_key'), ['ordering_key'], unique=False)

    op.create_table('parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('legal_representative', sa.String(length=50), nullable=True),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'organisation' AND uscc IS NOT NULL AND id_number IS NULL) OR (kind = 'person' AND id_number IS NOT NULL AND uscc IS NULL)", name=op.f('ck_parties_one_identifier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parties')),
    sa.UniqueConstraint('id_number', name=op.f('uq_parties_id_number')),
    sa.UniqueConstraint('uscc', name=op.f('uq_parties_uscc'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_accounts_party_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('username', name=op.f('uq_accounts_username'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_party_id'), ['party_id'], unique=False)

    op.create_table('party_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_party_roles_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_roles')),
    sa.UniqueConstraint('party_id', 'role', name=op.f('uq_party_roles_party_id'))
    )
    with op.batch_alter_table('party_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_roles_party_id'), ['party_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_api_tokens_account_id_accounts')),
    sa.PrimaryKeyConstraint('token_digest', name=op.f('pk_api_tokens'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_account_id'), ['account_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=17), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('domain', sa.String(length=32), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('industry_code', sa.String(length=3), nullable=False),
    sa.Column('owner_party_id', sa.Integer(), nullable=False),
    sa.Column('agency_party_id', sa.Integer(), nullable=True),
    sa.Column('total_investment', core.db.base.Money(precision=20, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_unit', sa.String(length=1), nullable=False),
    sa.Column('invest_project_code', sa.String(length=24), nullable=True),
    sa.Column('approval_number', sa.String(length=100), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_party_id'], ['parties.id'], name=op.f('fk_projects_agency_party_id_parties')),
    sa.ForeignKeyConstraint(['created_by'], ['accounts.id'], name=op.f('fk_projects_created_by_accounts')),
    sa.ForeignKeyConstraint(['owner_party_id'], ['parties.id'], name=op.f('fk_projects_owner_party_id_parties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('code', name=op.f('uq_projects_code'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_agency_party_id'), ['agency_party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_domain'), ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_owner_party_id'), ['owner_party_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_region_code'), ['region_code'], unique=False)

    op.create_table('tender_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('unified_deal_code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('tender_project_type', sa.String(length=3), nullable=True),
    sa.Column('tender_mode', sa.String(length=32), nullable=False),
    sa.Column('organize_form', sa.String(length=1), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('supervise_dept_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_tender_projects_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_projects')),
    sa.UniqueConstraint('code', name=op.f('uq_tender_projects_code')),
    sa.UniqueConstraint('unified_deal_code', name=op.f('uq_tender_projects_unified_deal_code'))
    )
    with op.batch_alter_table('tender_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_projects_project_id'), ['project_id'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_project_id', sa.Integer(), nullable=False),
    sa.Column('notice_type', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('related_notice_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('published_at', core.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['accounts.id'], name=op.f('fk_notices_created_by_accounts')),
    sa.ForeignKeyConstraint(['related_notice_id'], ['notices.id'], name=op.f('fk_notices_related_notice_id_notices')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['accounts.id'], name=op.f('fk_notices_reviewed_by_accounts')),
    sa.ForeignKeyConstraint(['tender_project_id'], ['tender_projects.id'], name=op.f('fk_notices_tender_project_id_tender_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_tender_project_id'), ['tender_project_id'], unique=False)

    op.create_table('sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tender_project_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=23), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('estimated_price', core.db.base.Money(precision=20, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_unit', sa.String(length=1), nullable=False),
    sa.Column('duration_days', sa.Integer(), nullable=True),
    sa.Column('qualification', sa.Text(), nullable=True),
    sa.Column('created_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tender_project_id'], ['tender_projects.id'], name=op.f('fk_sections_tender_project_id_tender_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sections')),
    sa.UniqueConstraint('code', name=op.f('uq_sections_code'))
    )
    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sections_tender_project_id'), ['tender_project_id'], unique=False)

    op.create_table('notice_sections',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_sections_notice_id_notices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_notice_sections_section_id_sections')),
    sa.PrimaryKeyConstraint('notice_id', 'section_id', name=op.f('pk_notice_sections'))
    )


def downgrade() -> None:
    op.drop_table('notice_sections')
    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sections_tender_project_id'))

    op.drop_table('sections')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_tender_project_id'))
        batch_op.drop_index(batch_op.f('ix_notices_status'))
        batch_op.drop_index(batch_op.f('ix_notices_published_at'))

    op.drop_table('notices')
    with op.batch_alter_table('tender_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_projects_project_id'))

    op.drop_table('tender_projects')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_region_code'))
        batch_op.drop_index(batch_op.f('ix_projects_owner_party_id'))
        batch_op.drop_index(batch_op.f('ix_projects_domain'))
        batch_op.drop_index(batch_op.f('ix_projects_agency_party_id'))

    op.drop_table('projects')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_account_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('party_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_roles_party_id'))

    op.drop_table('party_roles')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_party_id'))

    op.drop_table('accounts')
    op.drop_table('parties')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_ordering_key'))
        batch_op.drop_index(batch_op.f('ix_outbox_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_event_type'))

    op.drop_table('outbox')
    op.drop_table('code_sequences')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_object_id'))

    op.drop_table('audit_log')
    op.drop_table('audit_head')
