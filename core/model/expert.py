"""评标专家 pushed from the provincial expert pool (data set 212), keyed by 身份证号码.

What the random draw will need is kept in columns — majors, area, employer (for recusal),
availability and a phone number to call — and the last pushed record as received beside them.
A 212 record names one 参评专业 (MAJOR_CODE, IS_MAIN), so an expert's majors gather over pushes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, UTCDateTime


class Expert(Base):
    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str] = mapped_column(String(1))  # as pushed (D51)
    phone: Mapped[str] = mapped_column(String(50))
    company: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(9), index=True)
    industry: Mapped[str] = mapped_column(String(3))
    base_type: Mapped[str] = mapped_column(String(1))  # 专家库类别, as pushed
    available: Mapped[bool] = mapped_column(Boolean)  # DMISSON 是否可用
    fields: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    majors: Mapped[list[ExpertMajor]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", lazy="selectin",
        order_by="ExpertMajor.major_code")

    @property
    def main_major(self) -> str | None:
        return next((m.major_code for m in self.majors if m.is_main), None)


class ExpertMajor(Base):
    """A 参评专业 of an expert; at most one is the main one."""

    __tablename__ = "expert_majors"
    __table_args__ = (UniqueConstraint("expert_id", "major_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"),
                                           index=True)
    major_code: Mapped[str] = mapped_column(String(7), index=True)
    is_main: Mapped[bool] = mapped_column(Boolean)

    expert: Mapped[Expert] = relationship(back_populates="majors")
