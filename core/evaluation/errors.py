"""Stable error codes of the evaluation math.

These codes are part of the public contract (REST problem+json, SOAP faults, the UI switch on
them): never rename one; add a new one instead. Wrong *types* (a float where money is expected,
a string where a score is expected) are programming errors and raise ``TypeError`` instead.
"""

from __future__ import annotations

from typing import Any

from core.errors import DomainError, ErrorKind

SCORE_OUT_OF_RANGE = "SCORE_OUT_OF_RANGE"
WEIGHTS_NOT_100 = "WEIGHTS_NOT_100"
WEIGHT_OUT_OF_RANGE = "WEIGHT_OUT_OF_RANGE"
EXPERT_SCORE_MISSING = "EXPERT_SCORE_MISSING"
EXPERT_SCORE_DUPLICATE = "EXPERT_SCORE_DUPLICATE"
EXPERT_DUPLICATE = "EXPERT_DUPLICATE"
OBJECTIVE_SCORE_MISSING = "OBJECTIVE_SCORE_MISSING"
SCORE_REFERENCE_UNKNOWN = "SCORE_REFERENCE_UNKNOWN"
CRITERION_DUPLICATE = "CRITERION_DUPLICATE"
NO_CRITERIA = "NO_CRITERIA"
NO_EXPERTS = "NO_EXPERTS"
PRICE_NOT_POSITIVE = "PRICE_NOT_POSITIVE"
PRICE_BELOW_LOWEST = "PRICE_BELOW_LOWEST"
AMOUNT_NOT_FINITE = "AMOUNT_NOT_FINITE"
BID_DUPLICATE = "BID_DUPLICATE"
BID_SCORE_MISSING = "BID_SCORE_MISSING"
TOO_MANY_CANDIDATES = "TOO_MANY_CANDIDATES"

ERROR_CODES: frozenset[str] = frozenset(
    {
        SCORE_OUT_OF_RANGE,
        WEIGHTS_NOT_100,
        WEIGHT_OUT_OF_RANGE,
        EXPERT_SCORE_MISSING,
        EXPERT_SCORE_DUPLICATE,
        EXPERT_DUPLICATE,
        OBJECTIVE_SCORE_MISSING,
        SCORE_REFERENCE_UNKNOWN,
        CRITERION_DUPLICATE,
        NO_CRITERIA,
        NO_EXPERTS,
        PRICE_NOT_POSITIVE,
        PRICE_BELOW_LOWEST,
        AMOUNT_NOT_FINITE,
        BID_DUPLICATE,
        BID_SCORE_MISSING,
        TOO_MANY_CANDIDATES,
    }
)


def evaluation_error(
    code: str,
    message_zh: str,
    message_en: str,
    kind: ErrorKind = ErrorKind.INVALID,
    **details: Any,
) -> DomainError:
    """A ``DomainError`` whose code must be one of :data:`ERROR_CODES` (caught in tests)."""
    assert code in ERROR_CODES, code
    return DomainError(code, message_zh, message_en, kind, **details)
