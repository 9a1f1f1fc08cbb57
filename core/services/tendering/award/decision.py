"""政采条例 43: the purchaser chooses the 中标(成交)供应商 in rank order within 5 个工作日 of the
report; when it lets the period pass the first remaining candidate is deemed chosen (87号令 68).

The decision is a record, not a status: the round stays ``evaluating`` until the award notice
and the result notice go out together (:mod:`.result_notice`), which the decision makes due
within 2 个工作日. Only procedures whose :class:`~core.rules.procedures.AwardPeriods` have a
decision period take this step; engineering chooses at the award, after its publicity.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.model.tendering import Candidate, Decision, Evaluation, Round, RoundStatus
from core.rules import award_periods
from core.security.principal import SYSTEM_ACTOR, Principal
from core.services import deadlines
from core.services.calendar import calendar_of
from core.services.tendering.award.choice import choose
from core.services.tendering.award.rows import actor_round, round_key
from core.services.tendering.award.ties import require_ties_settled, tie_groups
from core.services.tendering.lifecycle import reschedule
from core.services.tendering.procedure import procedure_of
from core.services.tendering.report_receipt import (
    report_received_at,
    signed_report_received_at,
)
from core.services.tendering.supervision import ensure_not_suspended
from core.uow import UnitOfWork


def requires_decision(r: Round) -> bool:
    return procedure_of(r).after_report.decision is not None


def _require_undecided(uow: UnitOfWork, r: Round) -> None:
    if not requires_decision(r):
        raise DomainError("DECISION_NOT_IN_FLOW",
                          "工程建设项目在中标候选人公示结束后确定中标人，没有单独的采购人确定环节",
                          "engineering tenders choose the winner at the award, after the "
                          "candidates publicity; there is no separate decision",
                          ErrorKind.CONFLICT)
    if r.status != RoundStatus.EVALUATING:
        raise DomainError("ROUND_NOT_EVALUATING",
                          "只有评审结束、尚未发出中标（成交）通知书的轮次可以确定供应商",
                          "the supplier is chosen after the evaluation and before the notice",
                          ErrorKind.CONFLICT)
    if uow.session.get(Decision, r.id) is not None:
        raise DomainError("DECISION_ALREADY_MADE", "采购人已经确定中标（成交）供应商",
                          "the purchaser has already chosen the supplier", ErrorKind.CONFLICT)


def _record(uow: UnitOfWork, actor: str, r: Round, winner: Candidate, *,
            deemed: bool) -> Decision:
    now = uow.clock.now()
    procedure = procedure_of(r)
    calendar = calendar_of(uow)
    due = award_periods.notice_due(procedure, calendar, now)
    decision = Decision(round_id=r.id, bid_id=winner.bid_id, rank=winner.rank, decided_at=now,
                        decided_by=actor, deemed=deemed, notice_due_at=due.ends_at.astimezone(UTC))
    uow.session.add(decision)
    uow.record(actor, "award.decide", "decision", round_key(r), None, snapshot(decision))
    notice = procedure.after_report.notice
    if notice is not None:
        deadlines.track(uow, r, deadlines.Rule.AWARD_NOTICE_DUE, notice, now, due)
    r.updated_at = now
    reschedule(uow, r)
    return decision


def decide(uow: UnitOfWork, principal: Principal, section_code: str, *,
           declined_ranks: Collection[int] = (),
           disqualified_ranks: Collection[int] = ()) -> Decision:
    """The purchaser (or its agency on its behalf) chooses: the first candidate in rank still in
    the running (政采条例 43 "按顺序"), after marking those who declined or were disqualified.
    Nobody left: ``NO_CANDIDATE_LEFT_REG_55`` and nothing changes — the section is procured
    again."""
    r = actor_round(uow, principal, section_code)
    ensure_not_suspended(r)
    return decide_round(uow, principal, r, declined_ranks=declined_ranks,
                        disqualified_ranks=disqualified_ranks)


def decide_round(uow: UnitOfWork, principal: Principal, r: Round, *,
                 declined_ranks: Collection[int] = (), disqualified_ranks: Collection[int] = (),
                 rank: int | None = None) -> Decision:
    """:func:`decide` for a round already locked; ``rank``, if given, must be the first
    remaining candidate (``AWARD_NOT_FIRST_RANKED_REG_55``)."""
    _require_undecided(uow, r)
    report_received_at(uow.session.get(Evaluation, r.id))  # refused before the signed report
    require_ties_settled(uow, r)  # 87号令 68: the documents' rule or a draw settles it first
    winner = choose(uow, principal.actor, r, in_rank=True, declined_ranks=declined_ranks,
                    disqualified_ranks=disqualified_ranks, rank=rank)
    return _record(uow, principal.actor, r, winner, deemed=False)


def decision_due(uow: UnitOfWork, r: Round) -> str | None:
    """The scheduler's step for a government round after its report: once the purchaser's period
    is over under every plausible calendar, the first remaining candidate is deemed chosen
    (87号令 68). Returns the status when a decision was deemed, else ``None``."""
    if (not requires_decision(r) or r.status != RoundStatus.EVALUATING
            or uow.session.get(Decision, r.id) is not None):
        reschedule(uow, r)
        return None
    received = signed_report_received_at(uow.session.get(Evaluation, r.id))
    if received is None or tie_groups(uow, r):  # no report yet, or nobody first until settled
        reschedule(uow, r)
        return None
    procedure = procedure_of(r)
    award_periods.check_decision_period_over(procedure, calendar_of(uow), received,
                                             uow.clock.now())
    winner = choose(uow, SYSTEM_ACTOR, r, in_rank=True)
    _record(uow, SYSTEM_ACTOR, r, winner, deemed=True)
    return r.status
