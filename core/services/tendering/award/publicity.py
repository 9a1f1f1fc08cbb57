"""条例 54: the candidates publicity, started by the owner or its agency and ended by the
scheduler at its end, never while an objection suspends it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.events import EventType
from core.model.tendering import (
    Candidate,
    Evaluation,
    Publicity,
    PublicityStatus,
    Round,
    RoundStatus,
)
from core.rules import limits
from core.rules.calendar import require_aware
from core.security.principal import SYSTEM_ACTOR, Principal
from core.services import deadlines, lifecycle_notices
from core.services.calendar import calendar_of
from core.services.tendering.award.candidates import (
    CandidateView,
    candidate_views,
    candidates_payload,
)
from core.services.tendering.award.rows import (
    actor_round,
    open_objections,
    publicity_of,
    publicity_payload,
    round_key,
)
from core.services.tendering.award.ties import require_ties_settled
from core.services.tendering.lifecycle import reschedule, transition
from core.services.tendering.procedure import procedure_of
from core.services.tendering.report_receipt import report_received_at
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.tendering.supervision import ensure_not_suspended
from core.uow import UnitOfWork


def start_publicity(uow: UnitOfWork, principal: Principal, section_code: str,
                    ends_at: datetime) -> Publicity:
    """中标候选人公示 from now until ``ends_at``; refused if shorter than the legal minimum."""
    r = actor_round(uow, principal, section_code)
    require_ties_settled(uow, r)
    ensure_not_suspended(r)
    if r.status != RoundStatus.EVALUATING:
        raise DomainError("ROUND_NOT_EVALUATING", "只有评标结束、尚未公示的轮次可以公示中标候选人",
                          "candidates can be published only after the evaluation, once",
                          ErrorKind.CONFLICT)
    received = report_received_at(uow.session.get(Evaluation, r.id))
    candidates = uow.session.scalars(select(Candidate).where(Candidate.round_id == r.id)).all()
    limits.check_candidates(len(candidates))
    if not candidates:
        raise DomainError("NO_CANDIDATES", "评标委员会未推荐中标候选人，无可公示",
                          "the committee named no candidate; there is nothing to publish",
                          ErrorKind.CONFLICT)
    now = uow.clock.now()
    require_aware(ends_at, "ends_at")
    procedure = procedure_of(r)
    last = limits.check_publicity(procedure, calendar_of(uow), now, ends_at,
                                  report_received_at=received)
    p = Publicity(round_id=r.id, starts_at=now, ends_at=ends_at.astimezone(UTC),
                  status=PublicityStatus.RUNNING.value)
    uow.session.add(p)
    transition(uow, r, RoundStatus.PUBLICITY, principal.actor, "round.publicity")
    uow.record(principal.actor, "publicity.start", "publicity", round_key(r), None, snapshot(p))
    if last is not None and procedure.publicity is not None:
        deadlines.track(uow, r, deadlines.Rule.PUBLICITY_PERIOD, procedure.publicity, now, last)
    emit_round(uow, r, EventType.CANDIDATES_PUBLISHED, principal.actor, **publicity_payload(p),
               candidates=candidates_payload(uow, r))
    lifecycle_notices.candidates(uow, r, p, candidate_views(uow, r), principal.actor,
                                 principal.account_id)
    return p


def get_publicity(uow: UnitOfWork, principal: Principal, section_code: str
                  ) -> tuple[Round, Publicity, list[CandidateView], int]:
    """The publicity is public: any signed-in caller may read it, with its candidates."""
    r = get_round(uow, principal, section_code)
    p = publicity_of(uow, r)
    return r, p, candidate_views(uow, r), len(open_objections(uow, r))


def publicity_due(uow: UnitOfWork, r: Round) -> str | None:
    """The scheduler's step for a round in publicity: end the publicity once its end has come.


    A suspended publicity is never ended here (条例 54); the answer to its last objection
    schedules it again. Returns the round's status when the publicity ended, else ``None``.
    """
    p = uow.session.get(Publicity, r.id)
    now = uow.clock.now()
    if p is None or p.status != PublicityStatus.RUNNING or p.ends_at > now:
        reschedule(uow, r)  # suspended: only an answer schedules it again; else not yet due
        return None
    before = snapshot(p)
    p.status = PublicityStatus.ENDED.value
    reschedule(uow, r)
    r.updated_at = now
    uow.record(SYSTEM_ACTOR, "publicity.end", "publicity", round_key(r), before, snapshot(p))
    emit_round(uow, r, EventType.PUBLICITY_ENDED, SYSTEM_ACTOR, **publicity_payload(p))
    return r.status
