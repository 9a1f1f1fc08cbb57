"""Credit records (信用信息) pushed by the provincial platform and the supervision systems.

One row per pushed record of data sets 300 违法违规, 302 黑名单 and 303 撤销黑名单, keyed by the
data set and the record's own code (VIOLATING_CODE, BLACKLIST_CODE), so that a record pushed
again is found and not stored twice. A 303 withdrawal is a row of its own pointing at the 302 it
withdraws; the 302 row then carries ``withdrawn_at``. The pushed fields are kept as received.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UTCDateTime


class CreditDataSet(StrEnum):
    VIOLATION = "300"  # VIOLATING_LAWS_RULES_INFO 违法违规信息
    BLACKLIST = "302"  # BLACK_LIST 黑名单信息
    BLACKLIST_WITHDRAWAL = "303"  # WITHDRAW_BLACK_LIST 撤销黑名单信息


class CreditRecord(Base):
    __tablename__ = "credit_records"
    __table_args__ = (UniqueConstraint("data_set", "record_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    data_set: Mapped[str] = mapped_column(String(3))
    record_code: Mapped[str] = mapped_column(String(50))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    body_code: Mapped[str] = mapped_column(String(18))
    body_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    government: Mapped[str | None] = mapped_column(String(200))
    document_code: Mapped[str | None] = mapped_column(String(50))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())  # 处罚日期 / 违规时间 / 申请日期
    confined_action: Mapped[str | None] = mapped_column(String(2))  # D1007 限制的行为
    confined_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confined_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)  # pushed REVOCATION_STATUS 1
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a 302 withdrawn by 303
    withdraws_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))  # on a 303
    fields: Mapped[dict[str, str]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
