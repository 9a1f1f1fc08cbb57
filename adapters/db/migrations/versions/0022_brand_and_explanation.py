"""same-brand bids and the written explanation of an abnormally low price

财政部令第87号 第三十一条: bids offering the same brand of the documents' 核心产品 count as one
supplier and only one of them is ranked — the chair records each bid's brand, and a tie inside a
brand is settled by the documents' rule or a random draw. 第六十条: an abnormally low price is
explained in writing before the bid may be found invalid — the request, the bidder's answer and
the committee's decision. All three are per-bid notes on the evaluation.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('core_brands', 'same_brand_ties', 'price_explanations')


def upgrade() -> None:
    with op.batch_alter_table('tender_evaluations', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=False,
                                          server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table('tender_evaluations', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
