"""Checks shared by the evaluation modules: Decimal only, finite, and rounding in one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.evaluation.errors import AMOUNT_NOT_FINITE, evaluation_error


def require_decimal(value: object, name: str) -> Decimal:
    """``value`` as a finite Decimal; a float (or int, str, bool) is a programming error."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise evaluation_error(
            AMOUNT_NOT_FINITE,
            f"{name} 不是有限数值",
            f"{name} is not a finite number",
            field=name,
            value=str(value),
        )
    return value


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero (四舍五入)."""
    if places < 0:
        raise ValueError("places must be >= 0")
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
