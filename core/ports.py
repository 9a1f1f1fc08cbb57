"""What the core asks of the outside world, as small protocols the composition root fills."""

from __future__ import annotations

from typing import Protocol

from core.sealing.receipts import Receipt, ReceiptFields
from core.sealing.store import ContentStore


class ReceiptSigner(Protocol):
    """Signs submission receipts with the platform key (a file, an HSM: the adapter decides)."""

    def sign(self, fields: ReceiptFields) -> Receipt: ...


__all__ = ["ContentStore", "ReceiptSigner"]
