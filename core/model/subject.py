"""The provincial platform's record of a 交易主体, kept beside our own.

The provincial 主体库 (data set 100 法人基本信息) holds more than a party here needs — licences,
bank accounts, registered capital — and codes whose national values we do not have (法人类别,
法人角色, 法人业务状态). The record is kept exactly as pushed, one per party and data set, so
nothing the province sent is lost to our narrower model.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UTCDateTime


class ProvincialPartyRecord(Base):
    __tablename__ = "party_provincial_records"

    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"),
                                          primary_key=True)
    data_set: Mapped[str] = mapped_column(String(3), primary_key=True)
    fields: Mapped[dict[str, str]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
