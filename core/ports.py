"""What the core asks of the outside world, as small protocols the composition root fills."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from core.sealing.receipts import Receipt, ReceiptFields
from core.sealing.store import ContentStore


class ReceiptSigner(Protocol):
    """Signs with the platform key (a file, an HSM: the adapter decides): submission receipts,
    and the exact bytes of published records such as the opening record."""

    def sign(self, fields: ReceiptFields) -> Receipt: ...

    def sign_bytes(self, body: bytes) -> bytes: ...


@dataclass(frozen=True)
class RecordGap:
    """One field a platform's record would lack: the data set, the field, the validator rule."""

    data_set: str  # national code, e.g. "503"
    field: str  # e.g. "DOC_GET_START_TIME"
    rule: str  # e.g. "MISSING_MANDATORY"


class RecordCheck(Protocol):
    """Builds, without sending, the records the platforms will take from an event, with the
    same mappings and validation the exchange uses, and says what they lack. The core asks
    before it commits a change, so the person who caused a gap hears it at once instead of
    finding a parked delivery later; it cannot import the mappings itself (the dependency
    rule), so the composition root hands it one."""

    def gaps(self, session: Session, event_type: str, payload: Mapping[str, Any],
             occurred_at: datetime) -> list[RecordGap]: ...


__all__ = ["ContentStore", "ReceiptSigner", "RecordCheck", "RecordGap"]
