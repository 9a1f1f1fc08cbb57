"""a route's trading domain

A route matched on the event type only, so a 政府采购 tender's events reached the platforms'
工程建设 (gcjs) data sets. ``domain`` names the trading domain whose events the route takes
(``engineering``, ``gov_procurement``: core.rules.procedures); NULL takes every event, as every
existing route did, so nothing already configured changes.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('exchange_routes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('domain', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('exchange_routes', schema=None) as batch_op:
        batch_op.drop_column('domain')
