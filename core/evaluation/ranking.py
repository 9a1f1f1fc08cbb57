"""Ranking the evaluated bids and naming the candidates (中标候选人).

Responsive bids are ranked; rejected ones (:class:`~core.evaluation.methods.RejectionGround`,
招标投标法实施条例 第五十一条) are set aside with their grounds and never ranked.

Order
-----
* ``comprehensive`` (综合评估法/综合评分法): higher ``score`` first.
* ``lowest_evaluated_price`` (经评审的最低投标价法/最低评标价法) and ``lowest_price`` (谈判、询价):
  lower ``evaluated_price`` first (the bid price when no evaluated price is given).

Tie-breaks, applied in the order the procedure gives (``Procedure.tie_breaks``):

* ``lower_price`` — lower bid ``price`` (投标报价, as read out; 磋商: the last offer);
* ``lower_evaluated_price`` — lower :attr:`EvaluatedBid.price_for_ranking` (the price after any
  policy deduction, 价格扣除; the bid price when none is given);
* ``higher_technical_score`` — higher ``technical_score``; a bid without one comes after bids with
  one.

Which rules, and the readings taken
-----------------------------------
* **Engineering** (:data:`DEFAULT_TIE_BREAKS` = ``(lower_price,)``). 标准施工招标文件（2007）第三章
  评标办法 **[unverified: the research review's [M] reading; the text was not at hand]**:
  "综合评分相等时，以投标报价低的优先；投标报价也相等的，由招标人自行确定" (and, under 经评审的最低
  投标价法, "经评审的投标价相等时，投标报价低的优先" — the same clause on the raw bid price). What
  remains equal is the tenderer's to decide as its documents say:
  :mod:`core.services.tendering.award.ties`. The platform invents nothing further: the receipt
  time of a bid decides no tie.
* **Government procurement** (:data:`GOV_PROCUREMENT_TIE_BREAKS` = ``(lower_evaluated_price,)``).
  财政部令第87号 **[quoted from secondary sources — exam and sample-document sites quoting the
  order; the official text was not at hand]**: 第五十六条 最低评标价法 "评标结果按投标报价由低
  到高顺序排列。投标报价相同的并列"; 第五十七条 综合评分法 "评标结果按评审后得分由高到低顺序排列。
  得分相同的，按投标报价由低到高顺序排列。得分且投标报价相同的并列". Our reading: the
  投标报价 that 87号令 ranks by is the price as evaluated — after the arithmetic correction
  and the policy deduction 87号令 lets the committee make. So under 56 equal *evaluated* prices
  tie (并列) and the raw price does **not** break them; under 57 equal scores go to the lower
  evaluated price, then 并列. 第六十八条 settles a 并列: "按照招标文件规定的方式确定…招标文件
  未规定的，采取随机抽取的方式确定" **[the research review's [H] reading; our search did not
  find the text]** — the settlement use case.
* **磋商** (:data:`CONSULTATION_TIE_BREAKS`): see the constant.

Bids still equal after every tie-break share a rank (并列: ranks 1, 1, 3) and list each other in
``tied_with``; they are listed by ``bid_id`` only so that output is stable — that order means
nothing. A 并列 does not stop the report: :func:`top_candidates` names the tied bids with their
shared rank, and the tenderer (purchaser) settles the order afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core.evaluation._numbers import require_decimal
from core.evaluation.errors import (
    BID_DUPLICATE,
    BID_SCORE_MISSING,
    PRICE_NOT_POSITIVE,
    TOO_MANY_CANDIDATES,
    evaluation_error,
)
from core.evaluation.methods import EvaluationMethod, RejectionGround
from core.evaluation.scoring import require_unique

MAX_CANDIDATES = 3  # 招标投标法实施条例 第五十三条: 中标候选人应当不超过3个，并标明排序


class TieBreak(StrEnum):
    HIGHER_TECHNICAL_SCORE = "higher_technical_score"
    LOWER_PRICE = "lower_price"  # the bid price as read out (投标报价; 磋商: 最后报价)
    LOWER_EVALUATED_PRICE = "lower_evaluated_price"  # EvaluatedBid.price_for_ranking


# Engineering (标准施工招标文件 [unverified]): the lower bid price, then the tenderer decides.
DEFAULT_TIE_BREAKS: tuple[TieBreak, ...] = (TieBreak.LOWER_PRICE,)
# 87号令 56/57: the lower (evaluated) price, then 并列 — under 56 a no-op after the ranking price.
GOV_PROCUREMENT_TIE_BREAKS: tuple[TieBreak, ...] = (TieBreak.LOWER_EVALUATED_PRICE,)
# 竞争性磋商, 财库〔2014〕214号 第二十五条 [unverified: the research review's reading, [M]; the
# text was not at hand]: equal scores by the last offer, lower first; equal scores and offers by
# the technical criteria (技术指标优劣), which we read as the higher technical score.
CONSULTATION_TIE_BREAKS: tuple[TieBreak, ...] = (TieBreak.LOWER_PRICE,
                                                 TieBreak.HIGHER_TECHNICAL_SCORE)


@dataclass(frozen=True)
class EvaluatedBid:
    bid_id: str
    price: Decimal  # 投标报价
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
            parts.append(bid.price_for_ranking)
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
    """The candidate list, in rank order: the first ``n`` (at most 3) ranked bids, and every bid
    tied with the ``n``-th.

    招标投标法实施条例 第五十三条: "中标候选人应当不超过3个，并标明排序" — ``n`` > 3 is
    ``TOO_MANY_CANDIDATES``. Fewer responsive bids than ``n`` give a shorter list (possibly empty:
    whether too few remain to go on is the procedure's rule, e.g. 政府采购法 第三十六条).

    Tied bids stay on the list with their shared rank and ``tied_with`` (87号令 第五十七条: "并列").
    A tie across the cut-off (ranks 1, 2, 2, 2 for three places) brings every bid of the tie in,
    so the list can be longer than ``n`` until the tie is settled: the settlement orders them and
    keeps the first ``n`` (:mod:`core.services.tendering.award.ties`). Choosing among equal bids
    here, by anything else, would be a rule the law does not give.
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
    chosen = list(ranking.ranked[:n])
    if len(chosen) == n:
        last = chosen[-1].rank
        chosen.extend(r for r in ranking.ranked[n:] if r.rank == last)
    return tuple(chosen)
