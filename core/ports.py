"""What the core asks of the outside world, as small protocols the composition root fills."""

from __future__ import annotations

from typing import Protocol

from core.sealing.receipts import Receipt, ReceiptFields
from core.sealing.store import ContentStore


class ReceiptSigner(Protocol):
    """Signs with the platform key (a file, an HSM: the adapter decides): submission receipts,
    and the exact bytes of published records such as the opening record."""

    def sign(self, fields: ReceiptFields) -> Receipt: ...

    def sign_bytes(self, body: bytes) -> bytes: ...


__all__ = ["ContentStore", "ReceiptSigner"]
