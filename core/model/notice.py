"""公告: tender and prequalification notices, amendments and clarifications.

A notice reaches the public only through centre review; what was published is never edited in
place (a change is a new amendment notice that points at it).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, UTCDateTime
from core.model.project import Section, TenderProject

notice_sections = Table(
    "notice_sections",
    Base.metadata,
    Column("notice_id", ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True),
    Column("section_id", ForeignKey("sections.id"), primary_key=True),
)


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for centre review
    RETURNED = "returned"  # sent back with a reason; editable again
    PUBLISHED = "published"


class Notice(Base):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_project_id: Mapped[int] = mapped_column(ForeignKey("tender_projects.id"), index=True)
    notice_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    related_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    review_reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    tender_project: Mapped[TenderProject] = relationship(lazy="joined")
    sections: Mapped[list[Section]] = relationship(
        secondary=notice_sections, order_by="Section.code", lazy="selectin"
    )
