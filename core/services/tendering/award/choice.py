"""Who is awarded: the candidates out of the running marked, and the one the law lets the owner
or purchaser choose (条例 55; 政采条例 43 "按顺序"). The engineering award and the government
decision both choose this way."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from core.errors import DomainError
from core.model.tendering import Candidate, Round
from core.rules import limits
from core.services.tendering.award.candidates import OUT_OF_RUNNING, CandidateStatus
from core.services.tendering.award.rows import round_key
from core.uow import UnitOfWork


def _ranked(by_rank: dict[int, Candidate], ranks: Collection[int], name: str) -> set[Candidate]:
    unknown = sorted(set(ranks) - by_rank.keys())
    if unknown:
        raise DomainError("CANDIDATE_NOT_FOUND", f"没有排名为 {unknown} 的中标候选人",
                          f"there is no candidate ranked {unknown}", field=name)
    return {by_rank[rank] for rank in ranks}


def choose(uow: UnitOfWork, actor: str, r: Round, *, in_rank: bool,
           declined_ranks: Collection[int] = (), disqualified_ranks: Collection[int] = (),
           rank: int | None = None, mark_awarded: bool = False) -> Candidate:
    """Mark the declined and disqualified candidates (and, with ``mark_awarded``, the one
    chosen), in one audit record, and return the one chosen.

    ``declined_ranks`` gave up, cannot perform or lodged no performance bond;
    ``disqualified_ranks`` were found to have broken the law. ``rank`` is the owner's choice,
    honoured only where the law leaves one (``in_rank`` false). Nobody left:
    ``NO_CANDIDATE_LEFT_REG_55`` before anything is marked.
    """
    candidates = list(uow.session.scalars(select(Candidate).where(Candidate.round_id == r.id)
                                          .order_by(Candidate.rank)))
    by_rank = {c.rank: c for c in candidates}
    declined = _ranked(by_rank, declined_ranks, "declined_ranks")
    disqualified = _ranked(by_rank, disqualified_ranks, "disqualified_ranks")
    chosen = None if rank is None else next(iter(_ranked(by_rank, [rank], "rank")))
    out = {c for c in candidates if c.status in OUT_OF_RUNNING} | declined | disqualified
    winner = limits.award_choice(in_rank, candidates, out, chosen)
    if declined or disqualified or mark_awarded:
        before = {str(c.rank): c.status for c in candidates}
        for c in declined - disqualified:
            c.status = CandidateStatus.DECLINED.value
        for c in disqualified:
            c.status = CandidateStatus.DISQUALIFIED.value
        if mark_awarded:
            winner.status = CandidateStatus.AWARDED.value
        uow.record(actor, "candidates.status", "candidates", round_key(r), before,
                   {str(c.rank): c.status for c in candidates})
    return winner


def mark_awarded(uow: UnitOfWork, actor: str, r: Round, winner: Candidate) -> None:
    """The decided candidate becomes the awarded one when its notice goes out (audited)."""
    candidates = list(uow.session.scalars(select(Candidate).where(Candidate.round_id == r.id)
                                          .order_by(Candidate.rank)))
    before = {str(c.rank): c.status for c in candidates}
    winner.status = CandidateStatus.AWARDED.value
    uow.record(actor, "candidates.status", "candidates", round_key(r), before,
               {str(c.rank): c.status for c in candidates})
