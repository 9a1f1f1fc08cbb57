"""公告: tender and prequalification notices, amendments and clarifications, and the public
notices the lifecycle generates (开标记录, 中标候选人公示, 中标结果公告, 合同订立, 终止/流标公告).

A notice written by a person reaches the public only through centre review; what was published
is never edited in place (a change is a new amendment notice that points at it). A generated
notice is published by the step that makes its facts public (the law publishes them then, not a
reviewer) and carries the round it reports on; it has no author account when the scheduler took
the step.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
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
    # one generated notice per round and kind: a step replayed cannot publish it twice
    __table_args__ = (UniqueConstraint("round_id", "notice_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_project_id: Mapped[int] = mapped_column(ForeignKey("tender_projects.id"), index=True)
    notice_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    related_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    review_reason: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # a tender notice: its sections' opening keyholders as published, fixed at publication (JSON,
    # core.services.notices.announced_keyholders; 电子招标投标办法 第二十八条)
    keyholders: Mapped[str | None] = mapped_column(Text)

    tender_project: Mapped[TenderProject] = relationship(lazy="joined")
    sections: Mapped[list[Section]] = relationship(
        secondary=notice_sections, order_by="Section.code", lazy="selectin"
    )
