"""Evaluation math (评标): price score, 综合评分 aggregation, ranking and the candidate list.

Pure: Decimal in, Decimal out; no database, no clock, no I/O. The legal limits around evaluation
(committee composition, candidate publicity, award) live in :mod:`core.rules.limits`, and
政府采购's price policy (price weight bounds, fixed price, the 小微企业 deduction that makes a bid's
evaluated price, 废标 below 3 responsive bids) in :mod:`core.rules.price_policy`.
"""

from core.evaluation.errors import ERROR_CODES
from core.evaluation.methods import EvaluationMethod, RejectionGround
from core.evaluation.price import price_score
from core.evaluation.ranking import (
    CONSULTATION_TIE_BREAKS,
    DEFAULT_TIE_BREAKS,
    GOV_PROCUREMENT_TIE_BREAKS,
    MAX_CANDIDATES,
    EvaluatedBid,
    RankedBid,
    Ranking,
    TieBreak,
    rank_bids,
    top_candidates,
)
from core.evaluation.scoring import (
    BidScore,
    Criterion,
    CriterionCategory,
    CriterionScore,
    ExpertScore,
    aggregate_scores,
    check_criteria,
)

__all__ = [
    "CONSULTATION_TIE_BREAKS",
    "DEFAULT_TIE_BREAKS",
    "ERROR_CODES",
    "GOV_PROCUREMENT_TIE_BREAKS",
    "MAX_CANDIDATES",
    "BidScore",
    "Criterion",
    "CriterionCategory",
    "CriterionScore",
    "EvaluatedBid",
    "EvaluationMethod",
    "ExpertScore",
    "RankedBid",
    "Ranking",
    "RejectionGround",
    "TieBreak",
    "aggregate_scores",
    "check_criteria",
    "price_score",
    "rank_bids",
    "top_candidates",
]
