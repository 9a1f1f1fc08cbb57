"""The platform's incident log (交易平台故障记录): what failed, from when to when.

电子招标投标办法 第三十一条 makes the cause of a bid left undecrypted decide what it becomes:
the bidder's doing, 撤销; anything else (the platform down, the CA's service failing, storage
damaged), 撤回, with the bidder's claim against whoever is responsible for its direct losses.
Centre staff can only tell the two apart against a record of what went wrong on the platform's
side, kept as it happened: an incident open while an opening window ran holds that opening's
undecrypted bids for the staff's determination (``core.services.tendering.decryption``), and is
shown with the opening record. An incident still running has no end (``ended_at`` null).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UTCDateTime


class IncidentComponent(StrEnum):
    """What failed, in the words the determination of a cause needs."""

    PLATFORM = "platform"  # the trading system itself (outage, error, overload)
    CA = "ca"  # the certificate authority's service (signing, unwrapping keys)
    STORAGE = "storage"  # the bid store (files lost or damaged)
    NETWORK = "network"  # the centre's network or its provider
    OTHER = "other"


class PlatformIncident(Base):
    __tablename__ = "platform_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # null: still running
    component: Mapped[str] = mapped_column(String(16))  # an IncidentComponent value
    description: Mapped[str] = mapped_column(Text)  # what failed; shown with the opening
    reference: Mapped[str | None] = mapped_column(String(100))  # ticket, notice, CA case no.
    recorded_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
