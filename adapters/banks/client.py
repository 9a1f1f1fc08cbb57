"""What the hub asks of a bank, whatever its profile: the calls a profile's client implements.

The exchange delivery (sub-accounts), the refund sender and the reconciliation job use a bank
only through this protocol, so they are written once; a profile's client raises
:class:`BankUnavailable` for anything worth trying again (no connection, a timeout, the bank's
"retry later") and :class:`BankRefused` for an answer that will not change by resending.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Protocol

from core.services.banking.messages import (
    LineAccepted,
    LineResult,
    RefundOrderLine,
    StatementHeader,
    StatementLine,
    SubAccountOpened,
    SubAccountRequest,
)


class BankUnavailable(Exception):
    """The bank could not be reached or asked to retry: the same request may be sent again."""


class BankRefused(Exception):
    """The bank refused the request for a reason resending will not mend; ``code`` is the
    bank's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class BankClient(Protocol):
    name: str

    def open_sub_account(self, request: SubAccountRequest) -> SubAccountOpened: ...

    def send_refund_batch(self, batch_no: str,
                          lines: Sequence[RefundOrderLine]) -> list[LineAccepted]: ...

    def refund_results(self, batch_no: str) -> list[LineResult]:
        """The batch's final lines so far (a line still running is left out)."""
        ...

    def statement(self, day: date) -> tuple[StatementHeader, Iterator[StatementLine]]: ...

    def close(self) -> None: ...
