"""A due date that passes unmet raises a warning event for the supervisor, once.

Why: a due date (``bound = 'due'`` in :mod:`core.services.deadlines`) binds the owner, the
purchaser or the centre — send the award notice, sign the contract, refund the deposits, report
to the supervising department, file the contract — and holding the late party to it is the
supervising department's job. The platform cannot do the act, but it can say that it was not
done: the scheduler's tick (:func:`core.services.tendering.scheduler.run_due`) runs
:func:`warn_overdue`, which finds every current due date whose last day has ended (24:00
Beijing, 民法典 第二百零三条) with its obligation unmet and emits one ``deadline.overdue`` per
deadline, audited, marking it warned (``legal_deadlines.warned_at``) so it is sent once. A due date
that moves later when a year becomes official is warned about again if it passes again.

What "met" means, per rule (:data:`UNMET`):

* ``award_notice_due`` (政采条例 43) — an award exists;
* ``contract_due`` (法 46, 政府采购法 46) — the contract is on record;
* ``refund_due`` / ``unsuccessful_refund_due`` (条例 57, 政采条例 33) — none of the deposits it
  made due is still paid and unrefunded (the parties still owed are listed);
* ``award_report_due`` (法 47) / ``contract_filing_due`` (政府采购法 47) — the report / the filing
  is recorded (:mod:`core.services.tendering.award.filings`).

A round terminated or failed since the deadline was tracked owes nothing but its refunds: its
other due dates are left out by the scan's own query (:func:`overdue_rows`), as the obligation
fell with the round — not read, not marked, not warned about, on every tick from then on, so an
ended round costs the scheduler nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, exists, or_, select

from core.audit import snapshot
from core.event_payloads import DeadlineOverduePayload
from core.events import DomainEvent, EventType
from core.model.calendar import LegalDeadline
from core.model.project import Section
from core.model.tendering import Award, Round, RoundStatus
from core.rules.calendar import beijing_date
from core.security.principal import SYSTEM_ACTOR
from core.services.deadlines import BOUND, Rule, paid_deposits, round_of
from core.services.tendering.procedure import procedure_of
from core.uow import UnitOfWork


@dataclass(frozen=True)
class Unmet:
    """What is still owed: a short name of the obligation and the parties it is owed to."""

    what: str
    party_ids: tuple[int, ...] = ()


def _award(uow: UnitOfWork, r: Round) -> Award | None:
    return uow.session.get(Award, r.id)


def _no_award(uow: UnitOfWork, r: Round) -> Unmet | None:
    return Unmet("award_notice") if _award(uow, r) is None else None


def _no_contract(uow: UnitOfWork, r: Round) -> Unmet | None:
    award = _award(uow, r)
    return Unmet("contract") if award is None or award.contract_signed_at is None else None


def _refunds(winner: bool | None) -> Callable[[UnitOfWork, Round], Unmet | None]:
    def unmet(uow: UnitOfWork, r: Round) -> Unmet | None:
        who = winner
        if who is None and procedure_of(r).after_report.refund_unsuccessful is not None:
            who = True  # 政府采购: after the contract only the winner's falls due
        if who is not None and _award(uow, r) is None:
            return None
        owed = [reg.party_id for reg in paid_deposits(uow, r, winner=who)]
        return Unmet("deposit_refund", tuple(owed)) if owed else None
    return unmet


def _no_report(uow: UnitOfWork, r: Round) -> Unmet | None:
    award = _award(uow, r)
    return Unmet("award_report") if award is None or award.report_submitted_at is None else None


def _no_filing(uow: UnitOfWork, r: Round) -> Unmet | None:
    award = _award(uow, r)
    return Unmet("contract_filing") if award is None or award.contract_filed_at is None else None


#: Per ``due`` rule: what is still owed on the round, ``None`` when the obligation is met.
UNMET: dict[Rule, Callable[[UnitOfWork, Round], Unmet | None]] = {
    Rule.AWARD_NOTICE_DUE: _no_award,
    Rule.CONTRACT_DUE: _no_contract,
    Rule.REFUND_DUE: _refunds(None),
    Rule.UNSUCCESSFUL_REFUND_DUE: _refunds(False),
    Rule.AWARD_REPORT_DUE: _no_report,
    Rule.CONTRACT_FILING_DUE: _no_filing,
}
REFUNDS = frozenset({Rule.REFUND_DUE, Rule.UNSUCCESSFUL_REFUND_DUE})
ENDED = frozenset({RoundStatus.TERMINATED.value, RoundStatus.FAILED.value})
assert set(UNMET) == {rule for rule, bound in BOUND.items() if bound == "due"}


def _of_ended_round() -> Any:
    """The deadline's round (its ``subject_id`` is ``<section code>/<round no>``) has ended."""
    return exists(select(Round.id).join(Section, Round.section_id == Section.id).where(
        LegalDeadline.subject_type == "round", Round.status.in_(ENDED),
        Section.code + "/" + cast(Round.round_no, String) == LegalDeadline.subject_id))


def overdue_rows(uow: UnitOfWork, now: datetime) -> list[LegalDeadline]:
    """The current due dates not yet warned about whose last day ended before ``now``, locked
    (another scheduler skips them) — but not those of a terminated or failed round other than
    its refunds (module doc): the filter is the query's, so they are never read."""
    return list(uow.session.scalars(select(LegalDeadline).where(
        LegalDeadline.current.is_(True), LegalDeadline.bound == "due",
        LegalDeadline.warned_at.is_(None), LegalDeadline.last_day < beijing_date(now),
        or_(LegalDeadline.rule.in_(sorted(rule.value for rule in REFUNDS)),
            ~_of_ended_round()))
        .order_by(LegalDeadline.id).with_for_update(skip_locked=True)))


def warn_overdue(uow: UnitOfWork) -> int:
    """Warn about every due date passed unmet (the caller commits); returns how many."""
    now = uow.clock.now()
    warned = 0
    for row in overdue_rows(uow, now):
        r = round_of(uow, row.subject_id) if row.subject_type == "round" else None
        if r is None:
            continue
        rule = Rule(row.rule)
        if r.status in ENDED and rule not in REFUNDS:
            continue  # ended since the query ran (the query leaves the others out)
        unmet = UNMET[rule](uow, r)
        if unmet is None:
            continue
        before = snapshot(row)
        row.warned_at = now
        uow.record(SYSTEM_ACTOR, "deadline.overdue", "legal_deadline", row.id, before,
                   snapshot(row))
        payload: DeadlineOverduePayload = {
            "rule": row.rule, "ref": row.ref_tag, "subject_type": row.subject_type,
            "subject_id": row.subject_id, "section_code": r.section.code,
            "round_no": r.round_no, "last_day": row.last_day.isoformat(),
            "calendar": "provisional" if row.provisional else "official",
            "unmet": unmet.what, "party_ids": list(unmet.party_ids), "warned_at": now}
        uow.emit(DomainEvent(EventType.DEADLINE_OVERDUE, row.subject_type, row.subject_id,
                             row.ordering_key, payload), SYSTEM_ACTOR)
        warned += 1
    uow.session.flush()
    return warned
