"""Settling a 并列 among the candidates, before the publicity and the award.

The evaluation reports a tie it cannot break as one (``core.evaluation.ranking``): the tied
candidates share their rank and are stored ``tied``, and a tie across the third place brings
every tied bid in. The law gives the order to the tenderer, not to the committee or the platform:

* 政府采购 — 财政部令第87号 第六十八条 **[the research review's [H] reading; the text was not at
  hand]**: "中标候选人并列的，由采购人或者采购人委托评标委员会按照招标文件规定的方式确定中标人；招标
  文件未规定的，采取随机抽取的方式确定";
* engineering — 标准施工招标文件 **[unverified]**: "投标报价也相等的，由招标人自行确定", as the
  documents say; 条例 55 then awards in the order the settled list gives.

So the owner or its agency (:func:`~core.services.tendering.award.rows.actor_round`) settles one
tie — the candidates of one shared rank — at a time, once the report is signed and handed over:

* :func:`settle_by_documents` — the order the documents' clause gives; the clause, cited, is the
  required ``reason``;
* :func:`settle_by_draw` — an audited random draw (随机抽取): the seed comes from :mod:`secrets`
  and the record (the tied bids, their SHA-256, the seed's SHA-256, the seed, the order) lets
  anyone rerun :func:`core.evaluation.draw.draw_order` and get the same order.

Settling gives the tied candidates distinct ranks from their shared one on, clears ``tied``, and
removes those it puts past the third place (条例 53: "中标候选人应当不超过3个"); it is audited
(``candidates.tie_settled``, with the record) and announced
(``round.candidates_tie_settled``). While a tie is open the publicity and the award are refused
(:func:`require_ties_settled`, ``CANDIDATE_TIE_UNSETTLED_MOF87_68`` from
:func:`core.rules.limits.check_ties_settled`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, forbidden
from core.evaluation import MAX_CANDIDATES
from core.evaluation.draw import DrawRecord, draw
from core.events import EventType
from core.model.tendering import (
    Candidate,
    Evaluation,
    Round,
    RoundStatus,
    TieSettlementRecord,
)
from core.rules import limits
from core.security.access import can_read_project
from core.security.principal import Principal
from core.services.tendering.award.candidates import (
    MAX_TEXT,
    CandidateView,
    candidate_views,
    candidates_payload,
)
from core.services.tendering.award.rows import actor_round, round_key
from core.services.tendering.lifecycle import reschedule
from core.services.tendering.procedure import procedure_of
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.tendering.supervision import ensure_not_suspended
from core.services.validation import optional_text, required_text
from core.uow import UnitOfWork

SEED_BYTES = 32


class TieMethod(StrEnum):
    DOCUMENTS = "documents"  # the order the documents' clause gives
    DRAW = "draw"  # 随机抽取


@dataclass(frozen=True)
class TieSettlement:
    section_code: str
    round_no: int
    shared_rank: int
    method: TieMethod
    order: tuple[int, ...]  # bid ids, the higher rank first
    dropped: tuple[int, ...]  # put past the last candidate place, no longer candidates
    reason: str | None
    draw: DrawRecord | None
    settled_at: datetime
    candidates: list[CandidateView]  # the round's candidates as they now stand


def settlements_of(uow: UnitOfWork, r: Round) -> list[TieSettlementRecord]:
    return list(uow.session.scalars(select(TieSettlementRecord).where(
        TieSettlementRecord.round_id == r.id).order_by(TieSettlementRecord.shared_rank)))


def get_ties(uow: UnitOfWork, principal: Principal, section_code: str
             ) -> tuple[Round, list[CandidateView], list[TieSettlementRecord]]:
    """The candidates (tied or not) and how each tie was settled, draws with their seeds:
    oversight, and the owner and its agency once the report is signed and handed over (as
    ``evaluation.get_evaluation``) — the candidates are published only by the publicity."""
    r = get_round(uow, principal, section_code)
    e = uow.session.get(Evaluation, r.id)
    handed_over = e is None or e.status == "signed"
    if not (principal.has_oversight or (
            handed_over and can_read_project(principal, r.section.tender_project.project))):
        raise forbidden("只有招标人（采购人）、其代理机构和监督人员可以查看候选人的并列及其确定",
                        "only the owner, its agency and oversight see the candidates' ties")
    return r, candidate_views(uow, r), settlements_of(uow, r)


def tie_groups(uow: UnitOfWork, r: Round) -> dict[int, list[Candidate]]:
    """The open ties of a round: shared rank → its candidates, by bid id."""
    groups: dict[int, list[Candidate]] = {}
    for c in uow.session.scalars(select(Candidate).where(
            Candidate.round_id == r.id, Candidate.tied.is_(True))
            .order_by(Candidate.rank, Candidate.bid_id)):
        groups.setdefault(c.rank, []).append(c)
    return groups


def require_ties_settled(uow: UnitOfWork, r: Round) -> None:
    """Refuse to go on while candidates are tied: the publicity would publish, and the award
    would follow, an order nobody has given (87号令 68; 条例 55 awards in the list's order)."""
    groups = tie_groups(uow, r)
    limits.check_ties_settled(procedure_of(r),
                              [c.bid_id for group in groups.values() for c in group])


def _tie(uow: UnitOfWork, principal: Principal, section_code: str, shared_rank: int
         ) -> tuple[Round, list[Candidate]]:
    r = actor_round(uow, principal, section_code)
    ensure_not_suspended(r)
    if r.status != RoundStatus.EVALUATING:
        raise DomainError("ROUND_NOT_EVALUATING",
                          "只有评标结束、尚未公示中标候选人的轮次可以确定并列候选人的排序",
                          "a tie is settled after the evaluation and before the publicity",
                          ErrorKind.CONFLICT)
    e = uow.session.get(Evaluation, r.id)
    if e is not None and e.status != "signed":
        raise DomainError("EVALUATION_NOT_SIGNED_OFF",
                          "评标报告尚未签署完成，不能确定并列候选人的排序",
                          "the evaluation report is not signed off yet", ErrorKind.CONFLICT)
    groups = tie_groups(uow, r)
    group = groups.get(shared_rank)
    if group is None:
        raise DomainError("CANDIDATE_TIE_NOT_FOUND",
                          f"排名 {shared_rank} 没有待确定排序的并列中标候选人",
                          f"no candidates are tied at rank {shared_rank}", field="rank",
                          tied_ranks=sorted(groups))
    return r, group


def settle_by_documents(uow: UnitOfWork, principal: Principal, section_code: str, *,
                        rank: int, order: Sequence[int], reason: str) -> TieSettlement:
    """The tied candidates at ``rank`` in the ``order`` (bid ids) the documents' clause gives;
    ``reason`` cites that clause. The order must name every tied bid once."""
    r, group = _tie(uow, principal, section_code, rank)
    text = required_text(reason, "reason", MAX_TEXT)
    tied = sorted(c.bid_id for c in group)
    if sorted(order) != tied:
        raise DomainError("TIE_ORDER_MISMATCH",
                          f"排序须恰好列出排名 {rank} 的全部并列投标各一次：{tied}",
                          f"the order must name each bid tied at rank {rank} once: {tied}",
                          field="order", tied_bids=tied)
    return _settle(uow, principal, r, group, tuple(order), TieMethod.DOCUMENTS, text, None)


def settle_by_draw(uow: UnitOfWork, principal: Principal, section_code: str, *, rank: int,
                   reason: str | None = None) -> TieSettlement:
    """The tied candidates at ``rank`` in the order a random draw gives (87号令 68: when the
    documents say nothing, or say to draw); ``reason`` may note why."""
    r, group = _tie(uow, principal, section_code, rank)
    text = optional_text(reason, "reason", MAX_TEXT)
    record = draw([c.bid_id for c in group], secrets.token_hex(SEED_BYTES))
    return _settle(uow, principal, r, group, record.order, TieMethod.DRAW, text, record)


def settle_tie(uow: UnitOfWork, principal: Principal, section_code: str, *, rank: int,
               method: TieMethod, order: Sequence[int] | None = None,
               reason: str | None = None) -> TieSettlement:
    """What an entry point calls: :func:`settle_by_documents` or :func:`settle_by_draw`; a draw
    given an order is ``TIE_ORDER_NOT_WITH_DRAW`` (the draw, not the caller, gives it)."""
    if method is TieMethod.DOCUMENTS:
        return settle_by_documents(uow, principal, section_code, rank=rank, order=order or (),
                                   reason=reason or "")
    if order:
        _tie(uow, principal, section_code, rank)  # who asks and what is tied answer first
        raise DomainError("TIE_ORDER_NOT_WITH_DRAW", "随机抽取确定排序时不能另行指定排序",
                          "a draw gives the order; none may be given with it", field="order")
    return settle_by_draw(uow, principal, section_code, rank=rank, reason=reason)


def _settle(uow: UnitOfWork, principal: Principal, r: Round, group: list[Candidate],
            order: tuple[int, ...], method: TieMethod, reason: str | None,
            record: DrawRecord | None) -> TieSettlement:
    now = uow.clock.now()
    shared = group[0].rank
    rows = list(uow.session.scalars(select(Candidate).where(Candidate.round_id == r.id)))
    before = {str(c.bid_id): {"rank": c.rank, "tied": c.tied} for c in rows}
    by_bid = {c.bid_id: c for c in group}
    dropped: list[int] = []
    for position, bid_id in enumerate(order):
        c = by_bid[bid_id]
        if shared + position > MAX_CANDIDATES:
            uow.session.delete(c)  # 条例 53: past the third place it is no candidate
            dropped.append(bid_id)
        else:
            c.rank, c.tied = shared + position, False
    uow.session.flush()
    kept = [c for c in rows if c.bid_id not in dropped]
    limits.check_candidates(len(kept))
    uow.record(principal.actor, "candidates.rank", "candidates", round_key(r), before,
               {str(c.bid_id): {"rank": c.rank, "tied": c.tied} for c in kept})
    settled = TieSettlementRecord(
        round_id=r.id, shared_rank=shared, method=method.value, bids=sorted(by_bid),
        order=list(order), dropped=dropped, reason=reason,
        draw=None if record is None else record.as_json(), settled_by=principal.actor,
        settled_at=now.astimezone(UTC))  # as stored, so the audited digest can be recomputed
    uow.session.add(settled)
    uow.session.flush()  # its id is in the snapshot the audit digests
    uow.record(principal.actor, "candidates.tie_settled", "tie_settlement",
               f"{round_key(r)}/{shared}", None, snapshot(settled))
    reschedule(uow, r)  # 政府采购: a deemed decision waits for the settled order
    emit_round(uow, r, EventType.CANDIDATES_TIE_SETTLED, principal.actor, shared_rank=shared,
               method=method.value, order=list(order), dropped=dropped, reason=reason,
               draw=None if record is None else record.as_json(), settled_at=now,
               candidates=candidates_payload(uow, r))
    return TieSettlement(r.section.code, r.round_no, shared, method, order, tuple(dropped),
                         reason, record, now, candidate_views(uow, r))
