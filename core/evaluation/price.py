"""The price score of 综合评分法 (government procurement): lowest valid price ÷ price × weight.

财政部令第87号 第五十五条 **[unverified: quoted from a secondary source]**: "价格分统一采用低价优先
法计算，即满足招标文件要求且投标价格最低的投标报价为评标基准价，其价格分为满分。其他投标人的价格分统
一按照下列公式计算：投标报价得分=(评标基准价／投标报价)×100" — weighted by the price criterion's
share of the total, which is the same as ``lowest ÷ price × weight`` with the weight in points.
Price weights are bounded by 采购对象, and this function does not check them
(:func:`core.rules.price_policy.check_price_weight` does, when the committee is assigned): 87号令
55 sets floors only — at least 30 % for goods, at least 10 % for services; the ranges 30–60 % and
10–30 % are 财库〔2014〕214号 第二十四条's, for 竞争性磋商 (and the older 财库〔2012〕69号's),
not 87号令's, as an earlier version of this note had it. Where a policy adjusts prices (the
小微企业 deduction), both arguments are the adjusted prices: "以调整后的价格计算评标基准价和投标
报价" (87号令 55).

Rounding: the quotient is computed in Decimal at the context precision (28 significant digits) and
the score is rounded once, at the end, to ``places`` decimals (default 2) with ROUND_HALF_UP
(四舍五入), the habit of Chinese evaluation reports. Totals then add the rounded criterion scores,
so a report's columns add up. Example from a published 珠海 notice (2016): lowest 2,288,231.72,
weight 20: 2,296,472.00 → 19.93; 2,299,360.00 → 19.90; 2,311,110.40 → 19.80.

Engineering (综合评估法) price formulas are local (base price from an average, a floating
coefficient drawn at opening, deductions per percent above/below): they are not this function;
compute them in the procedure's configuration and pass the result as an objective score.
"""

from __future__ import annotations

from decimal import Decimal

from core.evaluation._numbers import require_decimal, round_half_up
from core.evaluation.errors import (
    PRICE_BELOW_LOWEST,
    PRICE_NOT_POSITIVE,
    WEIGHT_OUT_OF_RANGE,
    evaluation_error,
)

HUNDRED = Decimal(100)


def price_score(
    lowest_valid_price: Decimal, price: Decimal, weight: Decimal, *, places: int = 2
) -> Decimal:
    """``lowest_valid_price / price * weight``, rounded half-up to ``places`` decimals.

    ``lowest_valid_price`` is the lowest price among the bids that passed the qualification and
    responsiveness checks (评标基准价); the bid at that price scores the full ``weight``. All three
    arguments must be ``Decimal`` (a float raises ``TypeError``); prices in the same unit.

    Refusals: a price ≤ 0 (``PRICE_NOT_POSITIVE``); a ``price`` below the stated lowest
    (``PRICE_BELOW_LOWEST`` — the base price is wrong); a weight outside [0, 100]
    (``WEIGHT_OUT_OF_RANGE``).
    """
    lowest = require_decimal(lowest_valid_price, "lowest_valid_price")
    bid = require_decimal(price, "price")
    points = require_decimal(weight, "weight")
    for name, value in (("lowest_valid_price", lowest), ("price", bid)):
        if value <= 0:
            raise evaluation_error(
                PRICE_NOT_POSITIVE,
                f"{name} 必须大于零",
                f"{name} must be greater than zero",
                field=name,
                value=str(value),
            )
    if bid < lowest:
        raise evaluation_error(
            PRICE_BELOW_LOWEST,
            f"投标报价 {bid} 低于评标基准价 {lowest}，评标基准价应为最低有效报价",
            f"Price {bid} is below the base price {lowest}; "
            "the base must be the lowest valid price",
            price=str(bid),
            lowest_valid_price=str(lowest),
        )
    if not 0 <= points <= HUNDRED:
        raise evaluation_error(
            WEIGHT_OUT_OF_RANGE,
            f"价格分权重 {points} 不在 0–100 之间",
            f"Price weight {points} is not within 0–100",
            weight=str(points),
        )
    return round_half_up(lowest * points / bid, places)
