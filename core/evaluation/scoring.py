"""综合评估法 / 综合评分法: weighted criteria, each expert scores each bid, scores are averaged.

The model
---------
* A :class:`Criterion` has a ``weight`` in points: it is also the criterion's maximum score. The
  weights of one evaluation must add up to exactly 100 (``WEIGHTS_NOT_100``).
* Every expert scores every *subjective* criterion of every bid, within ``[0, weight]``
  (``SCORE_OUT_OF_RANGE``); a missing score is ``EXPERT_SCORE_MISSING`` and a second score for the
  same (expert, bid, criterion) is ``EXPERT_SCORE_DUPLICATE``. Independent scoring is the rule
  (招标投标法实施条例 第四十九条; 政府采购法实施条例 第四十一条: 独立评审).
* An *objective* criterion (``objective=True``: the price score, counted certificates…) is computed
  once per bid — e.g. with :func:`core.evaluation.price.price_score` — and passed in
  ``objective_scores``; experts do not score it.

Aggregation
-----------
Per bid and criterion, the score is the arithmetic mean of the experts' scores. With
``drop_extremes=True`` and at least ``min_experts_to_drop`` experts (default 7), one highest and
one lowest score are left out first (去掉一个最高分和一个最低分, a rule some local evaluation
regulations and tender documents adopt; it is not national law). With fewer experts the mean of all
is taken and the result says nothing was dropped.

Rounding: each criterion's mean is rounded half-up to ``places`` decimals (default 2); the bid's
total is the exact sum of those rounded criterion scores, so the report adds up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core.evaluation._numbers import require_decimal, round_half_up
from core.evaluation.errors import (
    BID_DUPLICATE,
    CRITERION_DUPLICATE,
    EXPERT_DUPLICATE,
    EXPERT_SCORE_DUPLICATE,
    EXPERT_SCORE_MISSING,
    NO_CRITERIA,
    NO_EXPERTS,
    OBJECTIVE_SCORE_MISSING,
    SCORE_OUT_OF_RANGE,
    SCORE_REFERENCE_UNKNOWN,
    WEIGHT_OUT_OF_RANGE,
    WEIGHTS_NOT_100,
    evaluation_error,
)

HUNDRED = Decimal(100)


class CriterionCategory(StrEnum):
    """Which part of the evaluation a criterion belongs to (for the technical-score tie-break)."""

    TECHNICAL = "technical"  # 技术
    COMMERCIAL = "commercial"  # 商务
    PRICE = "price"  # 价格


@dataclass(frozen=True)
class Criterion:
    code: str
    name_zh: str
    weight: Decimal  # points; also the maximum score of the criterion
    category: CriterionCategory = CriterionCategory.TECHNICAL
    objective: bool = False  # computed once per bid, not scored by each expert


@dataclass(frozen=True)
class ExpertScore:
    expert_id: str
    bid_id: str
    criterion: str
    score: Decimal


@dataclass(frozen=True)
class CriterionScore:
    criterion: str
    score: Decimal  # rounded mean
    counted: tuple[Decimal, ...]  # the scores the mean was taken over, ascending
    dropped: tuple[Decimal, ...] = ()  # the lowest and highest left out, if any


@dataclass(frozen=True)
class BidScore:
    bid_id: str
    criteria: tuple[CriterionScore, ...]
    total: Decimal
    subtotals: tuple[tuple[CriterionCategory, Decimal], ...]

    def score(self, criterion: str) -> Decimal:
        for item in self.criteria:
            if item.criterion == criterion:
                return item.score
        raise KeyError(criterion)

    def subtotal(self, category: CriterionCategory) -> Decimal:
        """The sum of the bid's rounded scores over the criteria of ``category`` (0 if none)."""
        return dict(self.subtotals).get(category, Decimal(0))

    @property
    def extremes_dropped(self) -> bool:
        return any(item.dropped for item in self.criteria)


def check_criteria(criteria: Sequence[Criterion]) -> None:
    """Refuse no criteria, a duplicate code, a weight outside (0, 100], a total other than 100."""
    if not criteria:
        raise evaluation_error(NO_CRITERIA, "没有评审因素", "No evaluation criteria")
    seen: set[str] = set()
    for criterion in criteria:
        weight = require_decimal(criterion.weight, f"weight of {criterion.code}")
        if criterion.code in seen:
            raise evaluation_error(
                CRITERION_DUPLICATE,
                f"评审因素 {criterion.code} 重复",
                f"Criterion {criterion.code} appears twice",
                criterion=criterion.code,
            )
        seen.add(criterion.code)
        if not 0 < weight <= HUNDRED:
            raise evaluation_error(
                WEIGHT_OUT_OF_RANGE,
                f"评审因素 {criterion.code} 的分值 {weight} 不在 (0, 100] 之间",
                f"Weight {weight} of criterion {criterion.code} is not within (0, 100]",
                criterion=criterion.code,
                weight=str(weight),
            )
    total = sum((c.weight for c in criteria), Decimal(0))
    if total != HUNDRED:
        raise evaluation_error(
            WEIGHTS_NOT_100,
            f"评审因素分值合计为 {total}，应为 100",
            f"Criterion weights add up to {total}, not 100",
            total=str(total),
        )


def _check_score(value: Decimal, criterion: Criterion, where: dict[str, Any]) -> Decimal:
    score = require_decimal(value, "score")
    if not 0 <= score <= criterion.weight:
        raise evaluation_error(
            SCORE_OUT_OF_RANGE,
            f"评分 {score} 超出评审因素 {criterion.code} 的分值范围 [0, {criterion.weight}]",
            f"Score {score} is outside [0, {criterion.weight}] for criterion {criterion.code}",
            score=str(score),
            maximum=str(criterion.weight),
            **where,
        )
    return score


def require_unique(ids: Sequence[str], code: str, what_zh: str, what_en: str) -> None:
    """Refuse repeated ids, naming every one that repeats."""
    if len(set(ids)) != len(ids):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        raise evaluation_error(
            code,
            f"{what_zh}重复：{', '.join(duplicates)}",
            f"Duplicate {what_en}: {', '.join(duplicates)}",
            duplicates=duplicates,
        )


def aggregate_scores(
    criteria: Sequence[Criterion],
    bids: Sequence[str],
    experts: Sequence[str],
    scores: Iterable[ExpertScore],
    *,
    objective_scores: Mapping[tuple[str, str], Decimal] | None = None,
    drop_extremes: bool = False,
    min_experts_to_drop: int = 7,
    places: int = 2,
) -> tuple[BidScore, ...]:
    """Each bid's per-criterion mean and total, in the order of ``bids``.

    ``objective_scores`` maps ``(bid_id, criterion_code)`` to the computed score of each objective
    criterion. See the module docstring for the validation and the aggregation rule.
    """
    if min_experts_to_drop < 3:
        raise ValueError("dropping the highest and lowest needs at least 3 experts")
    check_criteria(criteria)
    if not experts:
        raise evaluation_error(NO_EXPERTS, "没有评审专家", "No experts")
    require_unique(list(experts), EXPERT_DUPLICATE, "评审专家", "experts")
    require_unique(list(bids), BID_DUPLICATE, "投标", "bids")
    by_code = {c.code: c for c in criteria}
    known_bids, known_experts = set(bids), set(experts)
    sheet: dict[tuple[str, str, str], Decimal] = {}
    for entry in scores:
        where: dict[str, Any] = {
            "expert": entry.expert_id,
            "bid": entry.bid_id,
            "criterion": entry.criterion,
        }
        criterion = by_code.get(entry.criterion)
        if (
            criterion is None
            or criterion.objective
            or entry.bid_id not in known_bids
            or entry.expert_id not in known_experts
        ):
            raise evaluation_error(
                SCORE_REFERENCE_UNKNOWN,
                "评分引用了未知的专家、投标或评审因素（或对客观分项打分）",
                "A score refers to an unknown expert, bid or criterion (or to an objective one)",
                **where,
            )
        key = (entry.expert_id, entry.bid_id, entry.criterion)
        if key in sheet:
            raise evaluation_error(
                EXPERT_SCORE_DUPLICATE,
                f"专家 {entry.expert_id} 对投标 {entry.bid_id} 的 {entry.criterion} 重复评分",
                f"Expert {entry.expert_id} scored {entry.criterion} of bid {entry.bid_id} twice",
                **where,
            )
        sheet[key] = _check_score(entry.score, criterion, where)

    missing = [
        {"expert": e, "bid": b, "criterion": c.code}
        for b in bids
        for c in criteria
        if not c.objective
        for e in experts
        if (e, b, c.code) not in sheet
    ]
    if missing:
        first = missing[0]
        raise evaluation_error(
            EXPERT_SCORE_MISSING,
            f"缺少 {len(missing)} 项专家评分，例如专家 {first['expert']} 对投标 {first['bid']} 的 "
            f"{first['criterion']}",
            f"{len(missing)} expert score(s) missing, e.g. expert {first['expert']} on "
            f"{first['criterion']} of bid {first['bid']}",
            missing=missing,
        )

    objective = dict(objective_scores or {})
    for (bid_id, code), _value in objective.items():
        criterion = by_code.get(code)
        if criterion is None or not criterion.objective or bid_id not in known_bids:
            raise evaluation_error(
                SCORE_REFERENCE_UNKNOWN,
                "客观分引用了未知的投标或非客观评审因素",
                "An objective score refers to an unknown bid or to a non-objective criterion",
                bid=bid_id,
                criterion=code,
            )

    results: list[BidScore] = []
    for bid_id in bids:
        items: list[CriterionScore] = []
        for criterion in criteria:
            if criterion.objective:
                if (bid_id, criterion.code) not in objective:
                    raise evaluation_error(
                        OBJECTIVE_SCORE_MISSING,
                        f"投标 {bid_id} 缺少客观分项 {criterion.code} 的得分",
                        f"Bid {bid_id} has no score for objective criterion {criterion.code}",
                        bid=bid_id,
                        criterion=criterion.code,
                    )
                value = _check_score(
                    objective[(bid_id, criterion.code)],
                    criterion,
                    {"bid": bid_id, "criterion": criterion.code},
                )
                items.append(CriterionScore(criterion.code, round_half_up(value, places), (value,)))
                continue
            given = sorted(sheet[(e, bid_id, criterion.code)] for e in experts)
            dropped: tuple[Decimal, ...] = ()
            if drop_extremes and len(given) >= min_experts_to_drop:
                dropped = (given[0], given[-1])
                given = given[1:-1]
            mean = sum(given, Decimal(0)) / len(given)
            items.append(
                CriterionScore(criterion.code, round_half_up(mean, places), tuple(given), dropped)
            )
        subtotals: dict[CriterionCategory, Decimal] = {}
        for criterion, item in zip(criteria, items, strict=True):
            before = subtotals.get(criterion.category, Decimal(0))
            subtotals[criterion.category] = before + item.score
        results.append(
            BidScore(
                bid_id,
                tuple(items),
                sum((item.score for item in items), Decimal(0)),
                tuple(sorted(subtotals.items())),
            )
        )
    return tuple(results)
