"""The award notice (中标通知书) goes out and the result is announced, in one transaction, by
whichever flow chose the winner: engineering after its publicity (``notice``), 政府采购 after the
purchaser's decision with its result notice (``result_notice``). Both make the contract due
within 30 日 (法 46; 政府采购法 46); engineering also the written report to the supervising
department within 15 日 (法 47, :mod:`core.rules.reporting_periods`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.audit import snapshot
from core.events import EventType
from core.model.tendering import Award, Candidate, Round, RoundStatus
from core.rules import award_periods, reporting_periods
from core.security.principal import Principal
from core.services import deadlines, lifecycle_notices
from core.services.calendar import calendar_of
from core.services.tendering.award.candidates import candidate_views, payload, winner_view
from core.services.tendering.award.rows import round_key
from core.services.tendering.lifecycle import transition
from core.services.tendering.procedure import procedure_of
from core.services.tendering.round_events import emit_round
from core.uow import UnitOfWork


@dataclass(frozen=True)
class ResultNotice:
    """What a government result notice adds to the award (政采条例 43, 53)."""

    ends_at: datetime | None = None  # the 1-个工作日 notice period
    challenge_ends_at: datetime | None = None  # 质疑 against the result until then
    experts: list[str] = field(default_factory=list)  # the 评审专家, public from now
    unsuccessful_refund_due_at: datetime | None = None  # the losers' deposits, 政采条例 33


def issue(uow: UnitOfWork, principal: Principal, r: Round, winner: Candidate,
          notice: ResultNotice | None = None) -> Award:
    """Create the award, move the round to ``awarded``, announce it; the caller chose
    ``winner`` and marked it awarded."""
    notice = notice or ResultNotice()
    now = uow.clock.now()
    award = Award(round_id=r.id, bid_id=winner.bid_id, notice_issued_at=now,
                  result_notice_ends_at=notice.ends_at,
                  challenge_ends_at=notice.challenge_ends_at)
    uow.session.add(award)
    uow.record(principal.actor, "award.issue", "award", round_key(r), None, snapshot(award))
    transition(uow, r, RoundStatus.AWARDED, principal.actor, "round.award")
    procedure = procedure_of(r)
    period = procedure.after_report.contract
    deadlines.track(uow, r, deadlines.Rule.CONTRACT_DUE, period, now,
                    award_periods.contract_due(procedure, calendar_of(uow), now))
    report = procedure.after_report.award_report
    if report is not None:
        deadlines.track(uow, r, deadlines.Rule.AWARD_REPORT_DUE, report, now,
                        reporting_periods.award_report_due(procedure, calendar_of(uow), now))
    views = candidate_views(uow, r)
    won = next(payload(v) for v in views if v.rank == winner.rank)
    listed = [payload(v) for v in views]
    emit_round(uow, r, EventType.AWARD_NOTICE_ISSUED, principal.actor, notice_issued_at=now,
               winner=won, candidates=listed,
               unsuccessful_refund_due_at=notice.unsuccessful_refund_due_at)
    emit_round(uow, r, EventType.RESULT_ANNOUNCED, principal.actor, announced_at=now,
               winner=won, candidates=listed, result_notice_ends_at=notice.ends_at,
               challenge_ends_at=notice.challenge_ends_at, experts=notice.experts)
    lifecycle_notices.result(uow, r, award, winner_view(uow, r, award), principal.actor,
                             principal.account_id)
    return award
