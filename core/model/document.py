"""招标文件 and its clarifications as files: the agency uploads them, registered bidders download.

The bytes live in the content-addressed file store (the address is their SHA-256); a row here
says which tender project a file belongs to, what it is and under which name it is offered. The
same bytes uploaded twice are stored once, but listed twice if the agency meant two documents.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, UTCDateTime
from core.model.project import TenderProject


class DocumentKind(StrEnum):
    TENDER_DOCUMENTS = "tender_documents"  # 招标文件 (资格预审文件, 采购文件 alike)
    CLARIFICATION = "clarification"  # 澄清或者修改 (法 23)


class TenderDocument(Base):
    __tablename__ = "tender_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_project_id: Mapped[int] = mapped_column(ForeignKey("tender_projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    tender_project: Mapped[TenderProject] = relationship()
