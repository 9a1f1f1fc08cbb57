"""条例 55: the award notice (中标通知书) to the candidate the law lets the owner choose, and the
result announced in the same transaction."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.events import EventType
from core.model.tendering import Award, Candidate, PublicityStatus, Round, RoundStatus
from core.rules import limits
from core.security.principal import Principal
from core.services import lifecycle_notices
from core.services.tendering.award.candidates import (
    OUT_OF_RUNNING,
    CandidateStatus,
    CandidateView,
    candidate_views,
    payload,
    winner_view,
)
from core.services.tendering.award.rows import actor_round, publicity_of, round_key
from core.services.tendering.award.ties import require_ties_settled
from core.services.tendering.lifecycle import transition
from core.services.tendering.procedure import procedure_of
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.tendering.supervision import ensure_not_suspended
from core.uow import UnitOfWork


def _ranked(by_rank: dict[int, Candidate], ranks: Collection[int], name: str) -> set[Candidate]:
    unknown = sorted(set(ranks) - by_rank.keys())
    if unknown:
        raise DomainError("CANDIDATE_NOT_FOUND", f"没有排名为 {unknown} 的中标候选人",
                          f"there is no candidate ranked {unknown}", field=name)
    return {by_rank[rank] for rank in ranks}


def issue_award(uow: UnitOfWork, principal: Principal, section_code: str, *,
                declined_ranks: Collection[int] = (),
                disqualified_ranks: Collection[int] = (),
                rank: int | None = None) -> Award:
    """中标通知书 to the candidate the law allows, and the result announced (条例 55).


    ``declined_ranks`` gave up, cannot perform or lodged no performance bond;
    ``disqualified_ranks`` were found to have broken the law. ``rank`` is the owner's choice,
    honoured only where the law leaves one (not state-funded). Nobody left:
    ``NO_CANDIDATE_LEFT_REG_55`` and nothing changes — the section is tendered again.
    """
    r = actor_round(uow, principal, section_code)
    require_ties_settled(uow, r)
    ensure_not_suspended(r)
    if r.status != RoundStatus.PUBLICITY:
        raise DomainError("ROUND_NOT_IN_PUBLICITY", "只有中标候选人公示结束后才能确定中标人",
                          "the winner is chosen only after the candidates publicity",
                          ErrorKind.CONFLICT)
    p = publicity_of(uow, r)
    if p.status != PublicityStatus.ENDED:
        raise DomainError("PUBLICITY_NOT_ENDED", "公示期尚未结束（或异议尚未答复），不能确定中标人",
                          "the publicity has not ended (or an objection is still open)",
                          ErrorKind.CONFLICT)
    candidates = list(uow.session.scalars(select(Candidate).where(Candidate.round_id == r.id)
                                          .order_by(Candidate.rank)))
    by_rank = {c.rank: c for c in candidates}
    declined = _ranked(by_rank, declined_ranks, "declined_ranks")
    disqualified = _ranked(by_rank, disqualified_ranks, "disqualified_ranks")
    chosen = None if rank is None else next(iter(_ranked(by_rank, [rank], "rank")))
    out = {c for c in candidates if c.status in OUT_OF_RUNNING} | declined | disqualified
    procedure = procedure_of(r)
    in_rank = r.state_funded or procedure.award_in_rank
    winner = limits.award_choice(in_rank, candidates, out, chosen)
    now = uow.clock.now()
    statuses_before = {str(c.rank): c.status for c in candidates}
    for c in declined - disqualified:
        c.status = CandidateStatus.DECLINED.value
    for c in disqualified:
        c.status = CandidateStatus.DISQUALIFIED.value
    winner.status = CandidateStatus.AWARDED.value
    award = Award(round_id=r.id, bid_id=winner.bid_id, notice_issued_at=now)
    uow.session.add(award)
    uow.record(principal.actor, "candidates.status", "candidates", round_key(r), statuses_before,
               {str(c.rank): c.status for c in candidates})
    uow.record(principal.actor, "award.issue", "award", round_key(r), None, snapshot(award))
    transition(uow, r, RoundStatus.AWARDED, principal.actor, "round.award")
    views = candidate_views(uow, r)
    won = next(payload(v) for v in views if v.rank == winner.rank)
    listed = [payload(v) for v in views]
    emit_round(uow, r, EventType.AWARD_NOTICE_ISSUED, principal.actor, notice_issued_at=now,
               winner=won, candidates=listed)
    emit_round(uow, r, EventType.RESULT_ANNOUNCED, principal.actor, announced_at=now,
               winner=won, candidates=listed)
    lifecycle_notices.result(uow, r, award, winner_view(uow, r, award), principal.actor,
                             principal.account_id)
    return award


def get_award(uow: UnitOfWork, principal: Principal, section_code: str
              ) -> tuple[Round, Award, CandidateView]:
    """The award is announced publicly: any signed-in caller may read it."""
    r = get_round(uow, principal, section_code)
    award = uow.session.get(Award, r.id)
    if award is None:
        raise not_found("中标结果", "award", section_code)
    return r, award, winner_view(uow, r, award)
