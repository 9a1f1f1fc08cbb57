"""项目 → 招标项目 → 标段(包), each with its national code (17 / 20 / 23 characters).

Codes are issued once from per-parent sequences and never change: the national platform keys
every later record on them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.db.base import Base, Money, UTCDateTime
from core.errors import DomainError, ErrorKind


def fixed_once(obj: object, key: str, value: str) -> str:
    """The model's own guard: an issued code cannot be reassigned, whatever the path."""
    current = obj.__dict__.get(key)
    if current is not None and current != value:
        raise DomainError(
            "CODE_IMMUTABLE",
            f"编码 {current} 一经赋予不得修改",
            f"code {current} is fixed once issued",
            ErrorKind.CONFLICT,
            field=key,
        )
    return value


class CodeSequence(Base):
    """The last number issued under one prefix, locked per row so issuers never clash."""

    __tablename__ = "code_sequences"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(17), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    domain: Mapped[str] = mapped_column(String(32), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    industry_code: Mapped[str] = mapped_column(String(3))
    owner_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    agency_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    total_investment: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="156")
    price_unit: Mapped[str] = mapped_column(String(1), default="0")
    invest_project_code: Mapped[str | None] = mapped_column(String(24))
    approval_number: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    tender_projects: Mapped[list[TenderProject]] = relationship(
        back_populates="project", order_by="TenderProject.code"
    )

    @validates("code")
    def _code_fixed(self, key: str, value: str) -> str:
        return fixed_once(self, key, value)


class TenderProject(Base):
    __tablename__ = "tender_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    unified_deal_code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    tender_project_type: Mapped[str | None] = mapped_column(String(3))
    tender_mode: Mapped[str] = mapped_column(String(32))
    organize_form: Mapped[str] = mapped_column(String(1))
    content: Mapped[str | None] = mapped_column(Text)
    supervise_dept_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    project: Mapped[Project] = relationship(back_populates="tender_projects", lazy="joined")
    sections: Mapped[list[Section]] = relationship(
        back_populates="tender_project", order_by="Section.code"
    )

    @validates("code", "unified_deal_code")
    def _code_fixed(self, key: str, value: str) -> str:
        return fixed_once(self, key, value)


class Section(Base):
    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_project_id: Mapped[int] = mapped_column(ForeignKey("tender_projects.id"), index=True)
    code: Mapped[str] = mapped_column(String(23), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    content: Mapped[str | None] = mapped_column(Text)
    estimated_price: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3), default="156")
    price_unit: Mapped[str] = mapped_column(String(1), default="0")
    duration_days: Mapped[int | None] = mapped_column(Integer)
    qualification: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    tender_project: Mapped[TenderProject] = relationship(back_populates="sections", lazy="joined")

    @validates("code")
    def _code_fixed(self, key: str, value: str) -> str:
        return fixed_once(self, key, value)
