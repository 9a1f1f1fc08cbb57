"""What passes between the hub and a bank, in the hub's own terms, whatever the bank's protocol.

Each bank profile's adapter (``adapters/banks/<profile>/``) translates its wire format to and from
these and nothing else, so the core's use cases (credits, refund batches, reconciliation) never
see a transaction code, a JSON field name or a signature, and a second bank of a new kind is one
more adapter. Money is ``Decimal`` to the 分 with its currency; times are aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True)
class SubAccountRequest:
    """Ask the bank for one bidder's virtual sub-account (虚拟子账户) for one round.
    ``request_key`` is the hub's idempotency key (one per registration and bank): the bank answers
    a repeat with the same account."""

    bank: str
    request_key: str
    registration_id: int
    section_code: str
    section_name: str
    bidder_id: str  # 统一社会信用代码 or 身份证号
    bidder_name: str
    deposit_amount: Decimal
    currency: str
    deposit_deadline: datetime
    with_interest: bool


@dataclass(frozen=True)
class SubAccountOpened:
    number: str
    name: str
    opened_at: datetime | None  # the bank's time, when it says


@dataclass(frozen=True)
class RefundPart:
    """The part of one credit a refund line pays back: banks of the ``line`` kind refund per
    credit (the interest days are that credit's), so a line over split credits has parts."""

    credit_serial: str
    amount: Decimal


@dataclass(frozen=True)
class RefundAccount:
    """Where a refund goes when not back by the original route (the bidder's registered refund
    account)."""

    account_no: str
    account_name: str
    bank_name: str | None = None


@dataclass(frozen=True)
class RefundOrderLine:
    """One line of a refund batch. ``line_key`` is the idempotency key the bank sees: one key is
    executed at most once, so a retry after a failed line goes under a new key."""

    line_key: str
    sub_account: str
    principal: Decimal
    currency: str
    with_interest: bool
    parts: tuple[RefundPart, ...]
    refund_to: RefundAccount | None
    reason: str


class LineAcceptance(StrEnum):
    ACCEPTED = "accepted"  # taken; its result comes later
    DUPLICATE = "duplicate"  # the key was taken before: not executed again, same result
    REFUSED = "refused"  # the bank will not execute it (unknown account, amount): for staff


@dataclass(frozen=True)
class LineAccepted:
    line_key: str
    acceptance: LineAcceptance
    error: str | None = None


class LineState(StrEnum):
    SETTLED = "settled"
    FAILED = "failed"


@dataclass(frozen=True)
class LineResult:
    """A refund line's final state as the bank reports it (pushed or queried). ``interest`` is the
    bank's figure, stored as given; ``bank_serial`` is the debit's serial on the statement."""

    line_key: str
    state: LineState
    principal: Decimal
    interest: Decimal
    paid_amount: Decimal
    bank_serial: str | None
    executed_at: datetime | None
    payee_account: str | None
    payee_name: str | None
    fail_reason: str | None


class Direction(StrEnum):
    CREDIT = "credit"  # money into a sub-account (an arrival)
    DEBIT = "debit"  # money out (a refund executed, principal + interest)


@dataclass(frozen=True)
class StatementLine:
    bank_serial: str
    direction: Direction
    amount: Decimal  # a debit's amount includes its interest
    interest: Decimal
    sub_account: str
    counterparty_account: str
    counterparty_name: str
    at: datetime
    reference: str  # a debit: the refund line key; a credit: the bank's reference, if any


@dataclass(frozen=True)
class StatementTotals:
    credit_count: int
    credit_total: Decimal
    debit_count: int
    debit_total: Decimal


@dataclass(frozen=True)
class StatementHeader:
    """A day's statement as the bank announces it; the lines are read separately (a file or
    pages), so a statement of a million lines is never one object."""

    bank: str
    day: date
    totals: StatementTotals
    final: bool
