"""Issuing national codes from locked sequences.

A number is taken with the sequence row locked (FOR UPDATE on PostgreSQL; SQLite serialises
writers), inside the same transaction as the object that receives it, so a rolled-back creation
gives its number back and two creations never receive the same one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.clock import local_date
from core.codes.trade_codes import (
    project_code,
    section_code,
    tender_project_code,
    unified_deal_code,
)
from core.model.project import CodeSequence
from core.uow import UnitOfWork


def next_number(uow: UnitOfWork, name: str) -> int:
    row = uow.session.scalars(
        select(CodeSequence).where(CodeSequence.name == name).with_for_update()
    ).one_or_none()
    if row is None:
        row = CodeSequence(name=name, last_value=0)
        uow.session.add(row)
    row.last_value += 1
    uow.session.flush()
    return row.last_value


def issue_project_code(uow: UnitOfWork, platform_code: str) -> str:
    return project_code(platform_code, next_number(uow, f"project:{platform_code}"))


def issue_tender_project_code(uow: UnitOfWork, parent: str) -> str:
    return tender_project_code(parent, next_number(uow, f"tender_project:{parent}"))


def issue_section_code(uow: UnitOfWork, parent: str) -> str:
    return section_code(parent, next_number(uow, f"section:{parent}"))


def issue_unified_deal_code(uow: UnitOfWork, industry: str, platform_uscc: str,
                            now: datetime) -> str:
    day = local_date(now)
    seq = next_number(uow, f"unified_deal:{day}")
    return unified_deal_code(industry, platform_uscc,
                             datetime.strptime(day, "%Y%m%d").date(), seq)
