"""the missing limits: documents on sale, the 条例 8 ground, the 单一来源 公示, the performance
bond, the report and the filing after the award, and overdue warnings

条例 16 / 87号令 18 keep the documents on sale for 5 日 / 5 个工作日 (the round says until when);
条例 8 lets a state-funded must-tender project invite only on a declared ground, measured by what
its contract procures (发改委令16号 5); 政采条例 38 wants a single-source 公示 first; 条例 58 /
政采条例 48 cap the 履约保证金; 法 47 and 政府采购法 47 make a report and a filing due, recorded
on the award; a due date passing unmet warns the supervisor once (legal_deadlines.warned_at).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db.base

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('documents_available_until',
                                      core.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contract_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('invitation_ground', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('single_source_publicity_at',
                                      core.db.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('tender_awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('performance_bond',
                                      core.db.base.Money(precision=20, scale=2), nullable=True))
        batch_op.add_column(sa.Column('report_submitted_at',
                                      core.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contract_filed_at',
                                      core.db.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('legal_deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warned_at', core.db.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('legal_deadlines', schema=None) as batch_op:
        batch_op.drop_column('warned_at')
    with op.batch_alter_table('tender_awards', schema=None) as batch_op:
        batch_op.drop_column('contract_filed_at')
        batch_op.drop_column('report_submitted_at')
        batch_op.drop_column('performance_bond')
    with op.batch_alter_table('tender_rounds', schema=None) as batch_op:
        batch_op.drop_column('single_source_publicity_at')
        batch_op.drop_column('invitation_ground')
        batch_op.drop_column('contract_kind')
        batch_op.drop_column('documents_available_until')
