"""What the evaluation takes in (the committee, the method, the criteria) and gives back to
read, and the constants its steps share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core.evaluation import CriterionCategory
from core.model.tendering import (
    Candidate,
    Evaluation,
    OpeningOutcome,
    RecusalDeclaration,
    ReportSignature,
    Round,
)

#: The outcomes of the opening whose bids the committee evaluates; a revoked (撤销) or retracted
#: (撤回) bid was never opened and is not evaluated (电子招标投标办法 第三十一条).
EVALUABLE = frozenset({OpeningOutcome.OPENED_BY_BIDDER.value,
                       OpeningOutcome.OPENED_BY_COMMITTEE.value})
CENT = Decimal("0.01")
CRITERION_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")  # fullmatch: "$" would let "\n" pass
MAX_REASON = 2000


class EvaluationStatus(StrEnum):
    """The values of ``Evaluation.status``; the round stays ``evaluating`` through all three."""

    SCORING = "scoring"
    REPORTED = "reported"
    SIGNED = "signed"


@dataclass(frozen=True)
class MemberIn:
    account_id: int
    kind: str  # a MemberKind value
    is_chair: bool = False
    legal_expert: bool = False  # an expert sitting as the 法律专家 (214号 14), as declared
    expert_id: int | None = None  # the registry's expert (212) this member is, when known


@dataclass(frozen=True)
class CriterionIn:
    code: str
    name_zh: str
    weight: Decimal  # points: also the criterion's maximum score
    category: str = CriterionCategory.TECHNICAL.value  # technical | commercial | price


@dataclass(frozen=True)
class EvaluationSetup:
    members: tuple[MemberIn, ...]
    method: str  # an EvaluationMethod value
    criteria: tuple[CriterionIn, ...] = ()


@dataclass(frozen=True)
class BidView:
    """An opened bid as the committee reads it: the items declared at the opening."""

    bid_id: int
    bidder_name: str
    bidder_identifier: str
    outcome: str
    evaluable: bool
    price: Decimal | None
    declared: dict[str, object]
    failure_code: str | None
    submitted_at: Any
    rejection: dict[str, Any] | None


@dataclass(frozen=True)
class MemberView:
    id: int
    account_id: int
    username: str
    display_name: str
    kind: str
    is_chair: bool
    signature: ReportSignature | None
    legal_expert: bool = False
    expert_id: int | None = None
    recusal: RecusalDeclaration | None = None  # the member's 回避 declaration, once made
    excluded_at: Any = None  # stood aside (回避), kept for the record
    replaces_id: int | None = None  # the member stood aside that this one replaces


@dataclass(frozen=True)
class RelationIn:
    """One relationship a member declares with a bidder (or a personal ground, ``bid_id`` None);
    ``ground`` a :class:`core.rules.recusal.RecusalGround` value."""

    ground: str
    bid_id: int | None = None


@dataclass(frozen=True)
class EvaluationView:
    tender_round: Round
    evaluation: Evaluation
    members: tuple[MemberView, ...]
    candidates: tuple[Candidate, ...]
