"""public notice search at province scale (search): one search row per published notice, with
character bigrams as a GIN-indexed tsvector on PostgreSQL (docs/search.md)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.base
from core.search.tokens import haystack, text_tokens, tsvector_literal

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDERED = {"published": [], "domain": ["domain"], "type": ["notice_type"],
           "province": ["province"], "city": ["city"], "region": ["region_code"]}

PUBLISHED = sa.text("""
    SELECT n.id, n.published_at, n.notice_type, n.title, n.content, p.code, p.name, p.domain,
           p.region_code, tp.code, tp.unified_deal_code, o.name
    FROM notices n JOIN tender_projects tp ON tp.id = n.tender_project_id
    JOIN projects p ON p.id = tp.project_id LEFT JOIN parties o ON o.id = p.owner_party_id
    WHERE n.status = 'published' AND n.published_at IS NOT NULL""")

COLUMNS = ("INSERT INTO notice_search (notice_id, published_at, notice_type, domain, province, "
           "city, region_code, tokens, haystack) VALUES (:id, :at, :type, :domain, :province, "
           ":city, :region, ")
PG_INSERT = COLUMNS + "CAST(:tokens AS tsvector), :haystack)"
SQLITE_INSERT = COLUMNS + ":tokens, :haystack)"


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    op.create_table('notice_search',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('published_at', core.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notice_type', sa.String(length=32), nullable=False),
    sa.Column('domain', sa.String(length=32), nullable=False),
    sa.Column('province', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=4), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('tokens', postgresql.TSVECTOR() if pg else sa.Text(), nullable=False),
    sa.Column('haystack', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_search_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_id', name=op.f('pk_notice_search'))
    )
    _backfill(bind, pg)
    for name, columns in ORDERED.items():
        op.create_index(f'ix_notice_search_{name}', 'notice_search',
                        [*columns, 'published_at', 'notice_id'])
    if pg:
        op.create_index('ix_notice_search_tokens', 'notice_search', ['tokens'],
                        postgresql_using='gin')


def _backfill(bind: sa.Connection, pg: bool) -> None:
    """The notices published before this revision get their rows, cut as the model cuts them."""
    insert = sa.text(PG_INSERT if pg else SQLITE_INSERT)
    for (nid, at, ntype, title, content, pcode, pname, domain, region, tpcode, udc,
         owner) in bind.execute(PUBLISHED).all():
        fields = [title, pcode, tpcode, udc, owner, pname, content]
        tokens = text_tokens(fields)
        bind.execute(insert, {
            "id": nid, "at": at, "type": ntype, "domain": domain, "province": region[:2],
            "city": region[:4], "region": region, "haystack": haystack(fields),
            "tokens": tsvector_literal(tokens) if pg else " ".join(tokens)})


def downgrade() -> None:
    op.drop_table('notice_search')
