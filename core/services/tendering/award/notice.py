"""The award notice (中标通知书): engineering after its publicity (条例 55), 政府采购 after the
purchaser's decision with its result notice (政采条例 43); the result announced in the same
transaction."""

from __future__ import annotations

from collections.abc import Collection

from core.errors import DomainError, ErrorKind, not_found
from core.model.tendering import Award, PublicityStatus, Round, RoundStatus
from core.security.principal import Principal
from core.services.tendering.award.candidates import CandidateView, winner_view
from core.services.tendering.award.choice import choose
from core.services.tendering.award.decision import requires_decision
from core.services.tendering.award.issuing import issue
from core.services.tendering.award.result_notice import issue_after_decision
from core.services.tendering.award.rows import actor_round, publicity_of
from core.services.tendering.award.ties import require_ties_settled
from core.services.tendering.procedure import procedure_of
from core.services.tendering.rounds import get_round
from core.services.tendering.supervision import ensure_not_suspended
from core.uow import UnitOfWork


def issue_award(uow: UnitOfWork, principal: Principal, section_code: str, *,
                declined_ranks: Collection[int] = (),
                disqualified_ranks: Collection[int] = (),
                rank: int | None = None) -> Award:
    """中标通知书 to the candidate the law allows, and the result announced.

    Engineering (条例 55): after the candidates publicity has ended; ``declined_ranks`` gave up,
    cannot perform or lodged no performance bond; ``disqualified_ranks`` were found to have
    broken the law; ``rank`` is the owner's choice, honoured only where the law leaves one (not
    state-funded). 政府采购: after the purchaser's decision, with the result notice
    (:mod:`.result_notice`); the ranks then make the decision if none is on record. Nobody left:
    ``NO_CANDIDATE_LEFT_REG_55`` and nothing changes — the section is tendered again.
    """
    r = actor_round(uow, principal, section_code)
    require_ties_settled(uow, r)
    ensure_not_suspended(r)
    if requires_decision(r):
        if r.status != RoundStatus.EVALUATING:
            raise DomainError("ROUND_NOT_EVALUATING",
                              "只有评审结束、尚未发出通知书的轮次可以发出中标（成交）通知书",
                              "the award notice is issued once, after the evaluation",
                              ErrorKind.CONFLICT)
        return issue_after_decision(uow, principal, r, declined_ranks=declined_ranks,
                                    disqualified_ranks=disqualified_ranks, rank=rank)
    if r.status != RoundStatus.PUBLICITY:
        raise DomainError("ROUND_NOT_IN_PUBLICITY", "只有中标候选人公示结束后才能确定中标人",
                          "the winner is chosen only after the candidates publicity",
                          ErrorKind.CONFLICT)
    p = publicity_of(uow, r)
    if p.status != PublicityStatus.ENDED:
        raise DomainError("PUBLICITY_NOT_ENDED", "公示期尚未结束（或异议尚未答复），不能确定中标人",
                          "the publicity has not ended (or an objection is still open)",
                          ErrorKind.CONFLICT)
    in_rank = r.state_funded or procedure_of(r).award_in_rank
    winner = choose(uow, principal.actor, r, in_rank=in_rank, declined_ranks=declined_ranks,
                    disqualified_ranks=disqualified_ranks, rank=rank, mark_awarded=True)
    return issue(uow, principal, r, winner)


def get_award(uow: UnitOfWork, principal: Principal, section_code: str
              ) -> tuple[Round, Award, CandidateView]:
    """The award is announced publicly: any signed-in caller may read it."""
    r = get_round(uow, principal, section_code)
    award = uow.session.get(Award, r.id)
    if award is None:
        raise not_found("中标结果", "award", section_code)
    return r, award, winner_view(uow, r, award)
