"""政采条例 43: the 中标(成交)通知书 and the result notice go out together, within 2 个工作日 of
the purchaser's decision; the notice lasts 1 个工作日 and lists the 评审专家; from its end the
suppliers have 7 个工作日 to raise a 质疑 (政采条例 53); the unsuccessful bidders' deposits are
due back 5 个工作日 after the notice (政采条例 33), the winner's after the contract.

Issuing without a decision on record is the purchaser deciding and its agency issuing at once:
the decision is recorded first, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC

from sqlalchemy import select

from core.errors import DomainError, ErrorKind
from core.model.tendering import Award, Candidate, Decision, Round
from core.rules import award_periods, limits
from core.security.principal import Principal
from core.services import deadlines, lifecycle_notices
from core.services.calendar import calendar_of
from core.services.tendering.award import decision as decisions
from core.services.tendering.award.choice import mark_awarded
from core.services.tendering.award.issuing import ResultNotice, issue
from core.services.tendering.procedure import procedure_of
from core.uow import UnitOfWork


def _decided(uow: UnitOfWork, principal: Principal, r: Round, declined_ranks: Collection[int],
             disqualified_ranks: Collection[int], rank: int | None) -> Decision:
    decision = uow.session.get(Decision, r.id)
    if decision is not None:
        if declined_ranks or disqualified_ranks or rank is not None:
            raise DomainError("DECISION_ALREADY_MADE",
                              "采购人已经确定中标（成交）供应商，发出通知书时不能再改变",
                              "the purchaser has already chosen; the notice cannot change it",
                              ErrorKind.CONFLICT)
        return decision
    return decisions.decide_round(uow, principal, r, declined_ranks=declined_ranks,
                                  disqualified_ranks=disqualified_ranks, rank=rank)


def issue_after_decision(uow: UnitOfWork, principal: Principal, r: Round, *,
                         declined_ranks: Collection[int] = (),
                         disqualified_ranks: Collection[int] = (),
                         rank: int | None = None) -> Award:
    """The notice and the result notice for ``r`` (locked, not suspended): the decision on record,
    or made now from the ranks given."""
    decision = _decided(uow, principal, r, declined_ranks, disqualified_ranks, rank)
    winner = uow.session.get(Candidate, _candidate_id(uow, r, decision))
    assert winner is not None
    mark_awarded(uow, principal.actor, r, winner)
    procedure = procedure_of(r)
    calendar = calendar_of(uow)
    now = uow.clock.now()
    notice_end = limits.publicity_end(procedure, calendar, now)
    challenge_end = award_periods.challenge_ends(procedure, calendar, notice_end.ends_at)
    refund = award_periods.unsuccessful_refund_due(procedure, calendar, now)
    refund_at = refund.ends_at.astimezone(UTC)
    unsuccessful = deadlines.paid_deposits(uow, r, winner=False, winning_bid_id=winner.bid_id)
    deadlines.set_refund_due(uow, r, unsuccessful, refund_at, principal.actor)
    periods = procedure.after_report
    award = issue(uow, principal, r, winner, ResultNotice(
        ends_at=notice_end.ends_at.astimezone(UTC),
        challenge_ends_at=challenge_end.ends_at.astimezone(UTC),
        experts=lifecycle_notices.expert_names(uow, r) if procedure.result_lists_experts else [],
        unsuccessful_refund_due_at=refund_at))
    if procedure.publicity is not None:
        deadlines.track(uow, r, deadlines.Rule.PUBLICITY_PERIOD, procedure.publicity, now,
                        notice_end)
    if periods.challenge is not None:
        deadlines.track(uow, r, deadlines.Rule.CHALLENGE_PERIOD, periods.challenge,
                        notice_end.ends_at, challenge_end)
    if periods.refund_unsuccessful is not None:
        deadlines.track(uow, r, deadlines.Rule.UNSUCCESSFUL_REFUND_DUE,
                        periods.refund_unsuccessful, now, refund)
    return award


def _candidate_id(uow: UnitOfWork, r: Round, decision: Decision) -> int:
    found = uow.session.scalar(select(Candidate.id).where(Candidate.round_id == r.id,
                                                          Candidate.bid_id == decision.bid_id))
    assert found is not None
    return found
