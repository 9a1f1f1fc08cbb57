"""Time moves the lifecycle: rounds whose ``next_check`` has come are advanced here.

At the deadline a round with fewer bids than its procedure requires fails (流标, 法 28) and the
section can be tendered again (a 谈判/磋商 round that stated a two-supplier case needs 2,
:mod:`core.rules.supplier_minimum`); otherwise the opening starts and bidders have the opening
window to hand in their keys. The scheduler runs the same use cases a person would, on a moved
clock in tests and in the demo. Each tick also warns the supervisor of every due date passed unmet
(:func:`core.services.overdue.warn_overdue`, in its own unit of work), and lifts a suspension
for a 投诉 past its legal cap (政府采购法 57: 30 日, ``complaints.resume_expired``), which a
suspended round's own date never would.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from core.audit import snapshot
from core.errors import DomainError
from core.events import EventType
from core.model.tendering import Bid, BidStatus, Round, RoundStatus
from core.ports import ReceiptSigner
from core.rules import limits, supplier_minimum
from core.security.principal import SYSTEM_ACTOR
from core.services import lifecycle_notices, overdue
from core.services.tendering import complaints
from core.services.tendering.award import decision_due, publicity_due
from core.services.tendering.lifecycle import next_check_due, reschedule, transition
from core.services.tendering.opening import window_ended
from core.services.tendering.procedure import procedure_of
from core.uow import UnitOfWork


def due_rounds(uow: UnitOfWork, limit: int = 100) -> list[int]:
    return list(uow.session.scalars(
        select(Round.id).where(Round.next_check <= uow.clock.now(),
                               Round.suspended_at.is_(None))  # 暂停: time stands still for it
        .order_by(Round.next_check).limit(limit)))


def advance(uow: UnitOfWork, round_id: int, signer: ReceiptSigner | None = None) -> str | None:
    """Run what is due for one round (the caller commits); returns the new status.
    ``signer`` signs the opening record when an opening window ends."""
    r = uow.session.scalars(select(Round).where(Round.id == round_id)
                            .with_for_update(of=Round, skip_locked=True)).first()
    now = uow.clock.now()
    if r is None or r.next_check is None or r.next_check > now or r.is_suspended:
        return None
    due = next_check_due(uow, r)  # from the round's state: a stale stored date is put right
    if due is not None and due > now:
        reschedule(uow, r)
        return None
    if r.status == RoundStatus.BIDDING:
        count = uow.session.scalar(select(func.count()).select_from(Bid).where(
            Bid.round_id == r.id, Bid.status == BidStatus.SEALED.value)) or 0
        procedure = procedure_of(r)
        try:
            limits.check_enough_bids(procedure, count,
                                     supplier_minimum.ground_of(r.two_supplier_ground))
        except DomainError as refusal:
            before = snapshot(r)
            r.failure_reason = f"{refusal.code}: {refusal.message_zh}"
            transition(uow, r, RoundStatus.FAILED, SYSTEM_ACTOR, "round.failed", before=before,
                       event=EventType.ROUND_FAILED)
            lifecycle_notices.failed(uow, r, SYSTEM_ACTOR, None)
        else:
            transition(uow, r, RoundStatus.OPENING, SYSTEM_ACTOR, "round.opening",
                       event=EventType.ROUND_OPENING_STARTED)
    elif r.status == RoundStatus.PUBLICITY:
        return publicity_due(uow, r)  # ends a running publicity; never a suspended one
    elif r.status == RoundStatus.EVALUATING:
        return decision_due(uow, r)  # 政府采购: the first candidate deemed chosen
    elif r.status == RoundStatus.OPENING and signer is not None:
        # held for the cause of an undecrypted bid (undecrypted.pending): nothing moved
        return r.status if window_ended(uow, signer, r) else None
    else:  # nothing moves this status with time
        reschedule(uow, r)
        return None
    return r.status


def run_due(uow_factory: Callable[[], UnitOfWork], signer: ReceiptSigner | None = None,
            limit: int = 100) -> int:
    """The scheduler's tick: advance every due round, each in its own unit of work, which this
    tick opened and so commits (one round's failure leaves the others' progress in place), then
    warn of the due dates passed unmet in one more; returns how many rounds moved."""
    with uow_factory() as uow:
        ids = due_rounds(uow, limit)
    moved = 0
    with uow_factory() as uow:
        moved += complaints.resume_expired(uow)
        uow.commit()
    for round_id in ids:
        with uow_factory() as uow:
            status = advance(uow, round_id, signer)
            uow.commit()
            if status is not None:
                moved += 1
    with uow_factory() as uow:
        overdue.warn_overdue(uow)
        uow.commit()
    return moved
