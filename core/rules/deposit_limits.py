"""The money limits around deposits and the contract: one pure function each, amounts in Decimal.

* 履约保证金 ≤ 10 % of the contract amount — 招标投标法实施条例 第五十八条 ("履约保证金不得超过中标
  合同金额的10%"), 政府采购法实施条例 第四十八条 ("履约保证金的数额不得超过政府采购合同金额的
  10%"): :func:`check_performance_bond`, applied by
  :func:`core.services.tendering.award.record_contract`.
* The interest refunded with an engineering deposit (``Procedure.refund_interest``) — 条例
  第五十七条: "退还投标保证金及银行同期存款利息": :func:`deposit_interest`, shown with each
  refund (:mod:`core.services.tendering.deposits`).
* The fee for a late government refund (``Procedure.late_refund_fee``) — 财政部令第87号
  第三十八条: "逾期退还投标保证金的，除应当退还投标保证金本金外，还应当按中国人民银行同期
  贷款基准利率上浮20%后的利率支付超期资金占用费，但因投标人自身原因导致无法及时退还的除外":
  :func:`overdue_fee`. The wording and the 20 % are
  quoted alike by two exam sources and backed by the legal review's search; the article number is
  the review's **[unverified]**.

The rates are the centre's settings (:class:`DepositRates`, made by :func:`deposit_rates` from
``GGZY_DEPOSIT_INTEREST_RATE_PERCENT`` and ``GGZY_LENDING_RATE_PERCENT``, docs/cli.md), their
defaults documented below: the rate its bank pays on the deposit account, the benchmark its
财政部门 reads. A rate is a Decimal percentage, refused when negative, zero (it would silently
drop the interest or the fee the law owes) or absurd — above :data:`MAX_DEPOSIT_RATE` /
:data:`MAX_LENDING_RATE` (a rate written a hundred times too large, ``35`` for 0.35 %, is
caught so): ``DEPOSIT_RATE_INVALID_REG_57``, ``LENDING_RATE_INVALID_MOF87_38``. A fraction
written for a percentage (``0.0035`` for 0.35 %) is a lawful-looking tiny rate and cannot be told
apart — banks do pay 0.05 % on demand deposits — hence the settings' names say PERCENT.

Conventions (the reading taken):

* day count **actual days / 360**: the convention of Chinese banks for RMB deposits and loans (日
  利率 = 年利率 ÷ 360, 人民银行《人民币利率管理规定》), so the sum matches what the bank pays;
* interest runs from the Beijing day the deposit arrived to the day it is refunded, the first
  counted and the last not (算头不算尾, as banks count); a deposit refunded the day it arrived
  earns nothing;
* the overdue fee runs for every day after the last day of the refund period up to the day of the
  refund (the refund day counted: the money was held past the deadline that day);
* each sum is rounded half up to the 分 (0.01), once, at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from core.errors import DomainError
from core.rules.calendar import beijing_date, require_aware
from core.rules.procedures import GPREG_48, REG_57, REG_58, LegalRef, Procedure

PERFORMANCE_BOND_OVER_LIMIT = "PERFORMANCE_BOND_OVER_LIMIT"
PERFORMANCE_BOND_NEGATIVE = "PERFORMANCE_BOND_NEGATIVE"
REFUND_BEFORE_PAYMENT = "REFUND_BEFORE_PAYMENT"
DEPOSIT_RATE_INVALID = "DEPOSIT_RATE_INVALID"
LENDING_RATE_INVALID = "LENDING_RATE_INVALID"

MOF87_38 = LegalRef(
    "MOF87_38",
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第三十八条",
    "MOF Order 87 art. 38",
    verified=False,
)

#: 条例 58 and 政采条例 48: 10 % of the contract amount.
PERFORMANCE_BOND_RATE = Decimal("0.10")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class InterestBasis:
    """The 银行同期存款利率 of 条例 57, annual, and the days in the interest year.

    Default 0.35 %: 中国人民银行's 活期存款 benchmark (unchanged since 2015-10-24). A deposit is
    held for weeks, not a fixed term, so 同期 reads as the demand-deposit rate; a centre whose
    bank pays another rate on its deposit account configures that one.
    """

    annual_rate: Decimal = Decimal("0.0035")
    day_basis: int = 360


@dataclass(frozen=True)
class OverdueFeeBasis:
    """The rate of 87号令 38's 超期资金占用费: the 同期贷款基准利率 raised by ``markup``.

    Default 4.35 %: 中国人民银行's last published benchmark for loans of up to one year (from
    2015-10-24). Since 2019 new loans are priced on the LPR instead and no benchmark is published
    any more; a centre or its 财政部门 that reads "基准利率" as today's one-year LPR configures
    that. ``markup`` 20 % is the order's own.
    """

    lending_rate: Decimal = Decimal("0.0435")
    markup: Decimal = Decimal("0.20")
    day_basis: int = 360

    @property
    def annual_rate(self) -> Decimal:
        return self.lending_rate * (1 + self.markup)


DEFAULT_INTEREST = InterestBasis()
DEFAULT_OVERDUE_FEE = OverdueFeeBasis()


@dataclass(frozen=True)
class DepositRates:
    """The centre's two rates for the money that comes with a refund (条例 57; 87号令 38)."""

    interest: InterestBasis = DEFAULT_INTEREST
    overdue_fee: OverdueFeeBasis = DEFAULT_OVERDUE_FEE


DEFAULT_RATES = DepositRates()
#: The highest annual rates a centre may set, in percent: well above any PBoC benchmark since
#: the 1990s (1-year deposits peaked near 11 %, 1-year loans near 12 %, 活期 near 3.15 %, in
#: 1993-1996 — [M], from memory, only the order of magnitude matters here).
MAX_DEPOSIT_RATE = Decimal("10")
MAX_LENDING_RATE = Decimal("20")
_RATE_PLACES = 4  # a percentage to 0.0001 %, finer than any published rate


def _rate(value: Decimal, cap: Decimal, code: str, ref: LegalRef, field: str,
          what_zh: str, what_en: str) -> Decimal:
    """An annual rate in percent → a fraction, or the refusal: not a finite Decimal, ≤ 0,
    above ``cap`` or finer than 0.0001 %."""
    fine = (isinstance(value, Decimal) and value.is_finite() and 0 < value <= cap
            and int(value.as_tuple().exponent) >= -_RATE_PLACES)
    if not fine:
        raise DomainError(
            f"{code}_{ref.tag}",
            f"{what_zh}须为大于 0、不超过 {cap}% 的年利率百分数（最多{_RATE_PLACES}位小数），"
            f"收到 {value}（{ref.cite_zh}）",
            f"{what_en} is an annual percentage above 0 and at most {cap} % (at most "
            f"{_RATE_PLACES} decimals), not {value} ({ref.cite_en})",
            rule=ref.tag, field=field, value=str(value), max_percent=str(cap))
    with localcontext() as exact:
        exact.prec = 60
        return value / 100


def deposit_rates(deposit_percent: Decimal = DEFAULT_INTEREST.annual_rate * 100,
                  lending_percent: Decimal = DEFAULT_OVERDUE_FEE.lending_rate * 100
                  ) -> DepositRates:
    """The centre's rates from percentages (``0.35`` → 0.35 % a year), checked: the
    银行同期存款利率 of 条例 57 and the 同期贷款基准利率 of 87号令 38 (its 20 % markup is the
    order's own, not a setting). E.g. ``deposit_rates(Decimal("1.5"))`` pays 1.5 % interest."""
    interest = _rate(deposit_percent, MAX_DEPOSIT_RATE, DEPOSIT_RATE_INVALID, REG_57,
                     "deposit_interest_rate_percent", "银行同期存款利率", "the deposit rate")
    lending = _rate(lending_percent, MAX_LENDING_RATE, LENDING_RATE_INVALID, MOF87_38,
                    "lending_rate_percent", "同期贷款基准利率", "the lending rate")
    return DepositRates(InterestBasis(annual_rate=interest),
                        OverdueFeeBasis(lending_rate=lending))


def _decimal(value: object, name: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise DomainError("AMOUNT_NOT_FINITE", f"{name} 不是有限数值",
                          f"{name} is not a finite number", field=name)
    return value


def _sum(principal: Decimal, rate: Decimal, days: int, basis: int) -> Decimal:
    with localcontext() as exact:
        exact.prec = 60
        return (principal * rate * days / basis).quantize(_CENT, rounding=ROUND_HALF_UP)


def check_performance_bond(procedure: Procedure, bond: Decimal, contract_amount: Decimal) -> None:
    """Refuse a 履约保证金 above 10 % of the contract amount
    (``PERFORMANCE_BOND_OVER_LIMIT_REG_58``, ``_GPREG_48``). Exact: 10 % of 1,000,000.00 is
    100,000.00 — that passes, 100,000.01 fails."""
    amount = _decimal(bond, "performance_bond")
    base = _decimal(contract_amount, "contract_amount")
    if amount < 0:
        raise DomainError(PERFORMANCE_BOND_NEGATIVE, "履约保证金不能为负数",
                          "the performance bond cannot be negative", field="performance_bond")
    with localcontext() as exact:
        exact.prec = 60
        limit = base * PERFORMANCE_BOND_RATE
    ref = procedure.performance_bond_ref
    if ref is not None and amount > limit:
        raise DomainError(
            f"{PERFORMANCE_BOND_OVER_LIMIT}_{ref.tag}",
            f"履约保证金 {amount} 超过合同金额 {base} 的10%，上限为 {limit}（{ref.cite_zh}）",
            f"the performance bond {amount} exceeds 10 % of the contract amount {base}; the cap "
            f"is {limit} ({ref.cite_en})",
            rule=ref.tag, performance_bond=str(amount), contract_amount=str(base),
            limit=str(limit), field="performance_bond")


def interest_days(paid_at: datetime, refunded_at: datetime) -> int:
    """The days a deposit earns interest: from its arrival's Beijing day, that day counted, to the
    refund's, not counted. A refund before the payment is ``REFUND_BEFORE_PAYMENT``."""
    paid = beijing_date(require_aware(paid_at, "paid_at"))
    refunded = beijing_date(require_aware(refunded_at, "refunded_at"))
    if refunded < paid:
        raise DomainError(REFUND_BEFORE_PAYMENT, "退还时间不能早于到账时间",
                          "a deposit cannot be refunded before it arrived")
    return (refunded - paid).days


def deposit_interest(deposit: Decimal, paid_at: datetime, refunded_at: datetime,
                     basis: InterestBasis = DEFAULT_INTEREST) -> Decimal:
    """The 银行同期存款利息 refunded with a deposit (条例 57): deposit × rate × days ÷ 360, to the
    分. E.g. 800,000.00 paid 2025-03-03, refunded 2025-04-02 (30 days) at 0.35 %:
    800000 × 0.0035 × 30 ÷ 360 = 233.33."""
    return _sum(_decimal(deposit, "deposit"), basis.annual_rate,
                interest_days(paid_at, refunded_at), basis.day_basis)


def overdue_days(due_at: datetime, refunded_at: datetime) -> int:
    """The days a refund is late: after the Beijing day ``due_at`` falls on (the last day of the
    refund period, due by its 24:00) up to the refund's day, that day counted; 0 if in time."""
    due = beijing_date(require_aware(due_at, "due_at"))
    refunded = beijing_date(require_aware(refunded_at, "refunded_at"))
    return max(0, (refunded - due).days)


def overdue_fee(deposit: Decimal, due_at: datetime, refunded_at: datetime,
                basis: OverdueFeeBasis = DEFAULT_OVERDUE_FEE) -> Decimal:
    """87号令 38's 超期资金占用费 on a late refund: deposit × lending rate × 1.2 × days late ÷
    360, to the 分 (0.00 in time). E.g. 200,000.00 due by 2025-03-10, refunded 03-20 (10 days
    late) at 4.35 % × 1.2 = 5.22 %: 200000 × 0.0522 × 10 ÷ 360 = 290.00. The exception for a delay
    the bidder caused is for the caller to judge (then it does not charge the fee)."""
    return _sum(_decimal(deposit, "deposit"), basis.annual_rate,
                overdue_days(due_at, refunded_at), basis.day_basis)


#: Every code these functions can raise (besides the calendar's).
ERROR_CODES: frozenset[str] = frozenset({
    f"{PERFORMANCE_BOND_OVER_LIMIT}_{REG_58.tag}", f"{PERFORMANCE_BOND_OVER_LIMIT}_{GPREG_48.tag}",
    PERFORMANCE_BOND_NEGATIVE, REFUND_BEFORE_PAYMENT, "AMOUNT_NOT_FINITE",
    f"{DEPOSIT_RATE_INVALID}_{REG_57.tag}", f"{LENDING_RATE_INVALID}_{MOF87_38.tag}"})
