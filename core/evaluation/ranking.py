"""Ranking the evaluated bids and naming the candidates (中标候选人).

Responsive bids are ranked; rejected ones (:class:`~core.evaluation.methods.RejectionGround`,
招标投标法实施条例 第五十一条) are set aside with their grounds and never ranked.

Order
-----
* ``comprehensive`` (综合评估法/综合评分法): higher ``score`` first.
* ``lowest_evaluated_price`` (经评审的最低投标价法/最低评标价法) and ``lowest_price`` (谈判、询价):
  lower ``evaluated_price`` first (the bid price when no evaluated price is given).

Tie-breaks, applied in the order given (default :data:`DEFAULT_TIE_BREAKS`):

1. ``higher_technical_score`` — higher ``technical_score``; a bid without one comes after bids with
   one;
2. ``lower_price`` — lower bid ``price`` (投标报价);
3. ``earlier_submission`` — earlier ``submitted_at`` (the platform's receipt time).

Bids still equal after every tie-break share a rank (并列: ranks 1, 1, 3) and list each other in
``tied_with``; they are listed by ``bid_id`` only so that output is stable — that order means
nothing. :func:`top_candidates` refuses to name candidates while such a tie touches the candidate
list (``CANDIDATE_TIE_UNRESOLVED``): the tender documents say how to settle it (often by drawing
lots).

The rules differ by domain, so the tie-breaks are a parameter. 财政部令第87号
第五十六条、第五十七条 **[unverified: quoted from secondary sources]**: 最低评标价法
"投标报价相同的并列"; 综合评分法 "得分相同的，按投标报价由低到高顺序排列。得分且投标报价相同的并列"
— that is :data:`GOV_PROCUREMENT_TIE_BREAKS`. The national standard construction tender documents
say "综合评分相等时，以投标报价低的优先；投标报价也相等的，由招标人自行确定" **[unverified]**, which
is also ``(lower_price,)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core.errors import ErrorKind
from core.evaluation._numbers import require_decimal
from core.evaluation.errors import (
    BID_DUPLICATE,
    BID_SCORE_MISSING,
    CANDIDATE_TIE_UNRESOLVED,
    PRICE_NOT_POSITIVE,
    TOO_MANY_CANDIDATES,
    evaluation_error,
)
from core.evaluation.methods import EvaluationMethod, RejectionGround
from core.evaluation.scoring import require_unique

MAX_CANDIDATES = 3  # 招标投标法实施条例 第五十三条: 中标候选人应当不超过3个，并标明排序


class TieBreak(StrEnum):
    HIGHER_TECHNICAL_SCORE = "higher_technical_score"
    LOWER_PRICE = "lower_price"
    EARLIER_SUBMISSION = "earlier_submission"


DEFAULT_TIE_BREAKS: tuple[TieBreak, ...] = (
    TieBreak.HIGHER_TECHNICAL_SCORE,
    TieBreak.LOWER_PRICE,
    TieBreak.EARLIER_SUBMISSION,
)
GOV_PROCUREMENT_TIE_BREAKS: tuple[TieBreak, ...] = (TieBreak.LOWER_PRICE,)
# 竞争性磋商, 财库〔2014〕214号 第二十五条 [unverified: the research review's reading, [M]; the
# text was not at hand]: equal scores by the last offer, lower first; equal scores and offers by
# the technical criteria (技术指标优劣), which we read as the higher technical score.
CONSULTATION_TIE_BREAKS: tuple[TieBreak, ...] = (TieBreak.LOWER_PRICE,
                                                 TieBreak.HIGHER_TECHNICAL_SCORE)


@dataclass(frozen=True)
class EvaluatedBid:
    bid_id: str
    price: Decimal  # 投标报价
    submitted_at: datetime  # aware; the platform's receipt time
    score: Decimal | None = None  # total of 综合评分 (comprehensive method)
    technical_score: Decimal | None = None
    evaluated_price: Decimal | None = None  # 经评审的投标价; the bid price when None
    rejections: tuple[RejectionGround, ...] = ()  # empty: responsive

    @property
    def responsive(self) -> bool:
        return not self.rejections

    @property
    def price_for_ranking(self) -> Decimal:
        return self.price if self.evaluated_price is None else self.evaluated_price


@dataclass(frozen=True)
class RankedBid:
    rank: int  # 1-based; bids tied after every tie-break share a rank
    bid: EvaluatedBid
    tied_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranking:
    method: EvaluationMethod
    ranked: tuple[RankedBid, ...]
    rejected: tuple[EvaluatedBid, ...]  # each with its ``rejections``, in input order
    tie_breaks: tuple[TieBreak, ...]


def _check_bid(bid: EvaluatedBid, method: EvaluationMethod) -> None:
    if bid.submitted_at.tzinfo is None or bid.submitted_at.utcoffset() is None:
        raise ValueError(f"submitted_at of bid {bid.bid_id} must be an aware datetime")
    amounts = [("price", bid.price)]
    if bid.evaluated_price is not None:
        amounts.append(("evaluated_price", bid.evaluated_price))
    for name, value in amounts:
        if require_decimal(value, name) <= 0:
            raise evaluation_error(
                PRICE_NOT_POSITIVE,
                f"投标 {bid.bid_id} 的 {name} 必须大于零",
                f"{name} of bid {bid.bid_id} must be greater than zero",
                bid=bid.bid_id,
                field=name,
            )
    if bid.technical_score is not None:
        require_decimal(bid.technical_score, "technical_score")
    if bid.score is not None:
        require_decimal(bid.score, "score")
    elif method is EvaluationMethod.COMPREHENSIVE and bid.responsive:
        raise evaluation_error(
            BID_SCORE_MISSING,
            f"综合评分法下投标 {bid.bid_id} 没有得分",
            f"Bid {bid.bid_id} has no score under the comprehensive method",
            bid=bid.bid_id,
        )


def _key(
    bid: EvaluatedBid, method: EvaluationMethod, tie_breaks: Sequence[TieBreak]
) -> tuple[Any, ...]:
    parts: list[Any] = []
    if method is EvaluationMethod.COMPREHENSIVE:
        assert bid.score is not None
        parts.append(-bid.score)
    else:
        parts.append(bid.price_for_ranking)
    for tie_break in tie_breaks:
        if tie_break is TieBreak.HIGHER_TECHNICAL_SCORE:
            technical = bid.technical_score
            parts.append((0, -technical) if technical is not None else (1, Decimal(0)))
        elif tie_break is TieBreak.LOWER_PRICE:
            parts.append(bid.price)
        else:
            parts.append(bid.submitted_at)
    return tuple(parts)


def rank_bids(
    method: EvaluationMethod,
    bids: Sequence[EvaluatedBid],
    *,
    tie_breaks: Sequence[TieBreak] = DEFAULT_TIE_BREAKS,
) -> Ranking:
    """Rank the responsive ``bids`` by ``method`` and the ``tie_breaks``; set the rejected aside.

    Refuses duplicate bid ids (``BID_DUPLICATE``), a price ≤ 0 (``PRICE_NOT_POSITIVE``) and, for the
    comprehensive method, a responsive bid without a score (``BID_SCORE_MISSING``).
    """
    require_unique([b.bid_id for b in bids], BID_DUPLICATE, "投标", "bids")
    for bid in bids:
        _check_bid(bid, method)
    order = tuple(tie_breaks)
    responsive = [b for b in bids if b.responsive]
    keyed = sorted(((_key(b, method, order), b.bid_id, b) for b in responsive), key=lambda t: t[:2])
    ranked: list[RankedBid] = []
    position = 0
    while position < len(keyed):
        end = position
        while end < len(keyed) and keyed[end][0] == keyed[position][0]:
            end += 1
        group = [item[2] for item in keyed[position:end]]
        for bid in group:
            others = tuple(b.bid_id for b in group if b.bid_id != bid.bid_id)
            ranked.append(RankedBid(position + 1, bid, others))
        position = end
    return Ranking(method, tuple(ranked), tuple(b for b in bids if not b.responsive), order)


def top_candidates(ranking: Ranking, n: int = MAX_CANDIDATES) -> tuple[RankedBid, ...]:
    """The first ``n`` (at most 3) ranked bids: the candidate list, in rank order.

    招标投标法实施条例 第五十三条: "中标候选人应当不超过3个，并标明排序" — ``n`` > 3 is
    ``TOO_MANY_CANDIDATES``. Fewer responsive bids than ``n`` give a shorter list (possibly empty:
    whether too few remain to go on is the procedure's rule, e.g. 政府采购法 第三十六条). A tie that
    leaves the order of the list undefined (inside it or across its end) is
    ``CANDIDATE_TIE_UNRESOLVED``.
    """
    if n < 1:
        raise ValueError("at least one candidate must be asked for")
    if n > MAX_CANDIDATES:
        raise evaluation_error(
            TOO_MANY_CANDIDATES,
            f"中标候选人应当不超过3个（《招标投标法实施条例》第五十三条），请求了 {n} 个",
            f"At most 3 candidates may be named (Tendering Regulation art. 53); {n} requested",
            requested=n,
        )
    chosen = ranking.ranked[:n]
    tied = [c for c in chosen if c.tied_with]
    if tied:
        raise evaluation_error(
            CANDIDATE_TIE_UNRESOLVED,
            "候选人排序存在并列，须按招标文件规定的方法确定先后后再推荐",
            "Candidates are tied; settle the order as the tender documents say before naming them",
            ErrorKind.CONFLICT,
            tied=sorted({c.bid.bid_id for c in tied} | {o for c in tied for o in c.tied_with}),
        )
    return chosen
