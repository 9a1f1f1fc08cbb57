"""What a bank tells the hub, applied once: the one path every profile's push receiver takes.

A profile's receiver (the ``line`` socket server, the ``open`` callback routes) verifies the
caller over the raw bytes, reads the message into :mod:`core.services.banking.messages` terms and
hands it here with those raw bytes; this stores it in the inbox unique on (``bank:<name>``, the
bank's key for the message) and applies it in the same transaction, which it commits. A repeat
finds the stored row and changes nothing, so the receiver answers the bank the same either way.
A :class:`DomainError` (a notice that contradicts an earlier one) rolls back and reaches the
receiver, which answers in its bank's terms; nothing is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from core.services.banking.credits import CreditNotice, record_credit
from core.uow import UnitOfWork
from exchange import inbox


def source(bank: str) -> str:
    """The inbox source and the actor of everything a bank's notices do."""
    return f"bank:{bank}"


class BankInbound(Protocol):
    """The receivers' view of the hub (a test can hand a receiver its own)."""

    def arrival(self, message_id: str, raw: bytes, notice: CreditNotice) -> bool:
        """Apply one arrival notice; True if it had been applied before."""
        ...


class HubInbound:
    """:class:`BankInbound` on the hub's database, one unit of work per notice."""

    def __init__(self, bank: str, new_uow: Callable[[], UnitOfWork]) -> None:
        self.bank = bank
        self._new_uow = new_uow

    def arrival(self, message_id: str, raw: bytes, notice: CreditNotice) -> bool:
        if notice.bank != self.bank:
            raise ValueError(f"a notice of bank {notice.bank!r} reached {self.bank!r}'s receiver")
        actor = source(self.bank)
        with self._new_uow() as uow:
            result = inbox.receive(
                uow, actor, f"arrival/{message_id}", raw,
                lambda u: _credit_answer(record_credit(u, actor, notice).repeated))
            uow.commit()
        return result.duplicate or bool(result.response.get("repeated"))


def _credit_answer(repeated: bool) -> dict[str, object]:
    return {"applied": "arrival", "repeated": repeated}
