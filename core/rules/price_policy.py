"""政府采购's price policy in the evaluation: one pure function per rule, the article in its code.

Beside :mod:`core.rules.limits` (the lifecycle's limits) because these rules are the evaluation's
and government procurement's alone; :mod:`core.rules.procedures` carries the numbers
(``Procedure.price_weights``, ``Procedure.min_responsive``) with the :class:`LegalRef` they come
from, and the references' confidence is noted there.

The rules
---------
* **Price weight** (:func:`check_price_weight`). 财政部令第87号 第五十五条: in a 综合评分 the price
  criterion is at least 30 % of the total for goods (货物) and at least 10 % for services (服务) —
  floors only. 财库〔2014〕214号 第二十四条 (磋商): 30–60 % for goods, 10–30 % for services. The
  round declares its 采购对象 (:class:`ProcurementObject`; a project with several takes the one with
  the largest share of the funds, 214号 24); works (工程) are not bounded by either. Weights are in
  points of 100, so a weight of 30 is 30 %.
* **No price criterion at a fixed price** (:func:`check_price_criterion`). 87号令 55 (and 214号
  24): "执行国家统一定价标准和采用固定价格采购的项目，其价格不列为评审因素" — the round declares it
  (``fixed_price``); its 综合评分 then refuses a price criterion and needs none. Otherwise
  政府采购 scores price in every 综合评分 (``PRICE_CRITERION_MISSING``, the code kept as it was).
* **小微企业价格扣除** (:func:`check_sme_rates`, :func:`check_sme_declaration`,
  :func:`evaluated_price`). 财库〔2020〕46号 第九条 as raised by 财库〔2022〕19号: the
  documents give 小微企业 a deduction of 10–20 % of the price for goods and services (工程
  3–5 %), and a 联合体 or a 大中型企业 subcontracting to 小微企业 whose agreement gives them
  at least 30 % of the contract 4–6 % (工程 1–2 %); 监狱企业 (财库〔2014〕68号) and
  残疾人福利性单位 (财库〔2017〕141号) count as 小微企业. The round declares the rates; the
  committee records each bid's status from its 中小企业声明函. The deducted price is the bid's
  *evaluated* price: the base price (评标基准价, the lowest valid evaluated price) and every
  bid's price score are computed from it (87号令 55: "以调整后的价格计算评标基准价和投标报价"),
  and the lowest-price methods rank by it, equal evaluated prices tying (87号令 56). A project
  reserved for 中小企业 (专门面向) gives no deduction: its round declares none.
* **Too few responsive bids** (:func:`check_enough_responsive`). 政府采购法 第三十六条第一款第（一）
  项: "符合专业条件的供应商或者对招标文件作实质响应的供应商不足三家的" 应予废标; 87号令 43 says the
  same after the 资格审查 and 符合性审查. Counted on the bids evaluated and not found invalid.
  Engineering keeps its own rule (评标委员会和评标方法暂行规定 第二十七条 — not modelled).
* **Same brand** (:func:`bidders_counted`). 87号令 第三十一条 (``MOF87_31``, verified on
  secondary sources): bids offering the same brand of the documents' 核心产品 count as one
  bidder; under 综合评分 only the best-scored of them may be recommended, under 最低评标价 only
  the lowest-priced is evaluated. The selection is :mod:`core.evaluation.same_brand`; the chair
  records each bid's brand (``core.services.tendering.evaluation.brands``) and the report and
  the 废标 count bids by brand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core.errors import DomainError, ErrorKind
from core.evaluation.same_brand import suppliers_counted
from core.rules.procedures import MOF46_9, MOF87_55, PROCEDURES, Domain, LegalRef, Procedure

HUNDRED = Decimal(100)
FEN = Decimal("0.01")
MIN_JOINT_SHARE = Decimal(30)  # 46号 9: 小微企业的合同份额占到合同总金额30%以上

# Codes (the procedure's reference completes the first three).
PRICE_WEIGHT_OUT_OF_RANGE = "PRICE_WEIGHT_OUT_OF_RANGE"
PROCUREMENT_OBJECT_REQUIRED = "PROCUREMENT_OBJECT_REQUIRED"
PRICE_CRITERION_NOT_ALLOWED = "PRICE_CRITERION_NOT_ALLOWED"
PRICE_CRITERION_MISSING = "PRICE_CRITERION_MISSING"  # older than the article convention: kept
TOO_FEW_RESPONSIVE = "TOO_FEW_RESPONSIVE"
SME_DEDUCTION_OUT_OF_RANGE_MOF46_9 = "SME_DEDUCTION_OUT_OF_RANGE_MOF46_9"
SME_DEDUCTION_NOT_DECLARED_MOF46_9 = "SME_DEDUCTION_NOT_DECLARED_MOF46_9"
SME_SHARE_TOO_SMALL_MOF46_9 = "SME_SHARE_TOO_SMALL_MOF46_9"
PROCUREMENT_OBJECT_REQUIRED_MOF46_9 = "PROCUREMENT_OBJECT_REQUIRED_MOF46_9"
GOV_PROCUREMENT_ONLY = "GOV_PROCUREMENT_ONLY"


class ProcurementObject(StrEnum):
    """采购对象: what the project buys, which sets its price weight and deduction ranges."""

    GOODS = "goods"  # 货物
    SERVICES = "services"  # 服务
    WORKS = "works"  # 工程

    @property
    def label_zh(self) -> str:
        return {"goods": "货物", "services": "服务", "works": "工程"}[self.value]


class SmeStatus(StrEnum):
    """A bid's status under 46号 as its 中小企业声明函 (or the certificate) declares it."""

    SMALL_MICRO = "small_micro"  # 小型、微型企业 (a 联合体 of 小微企业 only is one, 46号 9)
    PRISON = "prison"  # 监狱企业, 财库〔2014〕68号: treated as 小微
    DISABLED_WELFARE = "disabled_welfare"  # 残疾人福利性单位, 财库〔2017〕141号: treated as 小微
    JOINT_SMALL_SHARE = "joint_small_share"  # 联合体 / 分包 giving 小微企业 ≥ 30 % of the contract

    @property
    def label_zh(self) -> str:
        return _SME_LABELS[self]


_SME_LABELS = {
    SmeStatus.SMALL_MICRO: "小型、微型企业",
    SmeStatus.PRISON: "监狱企业（视同小型、微型企业）",
    SmeStatus.DISABLED_WELFARE: "残疾人福利性单位（视同小型、微型企业）",
    SmeStatus.JOINT_SMALL_SHARE: "联合体或分包中小微企业份额不低于30%",
}

#: 46号 9 as raised by 19号: (小微, 联合体/分包) in percent, per 采购对象; 工程 kept from 46号 [M].
SME_RANGES: dict[ProcurementObject, tuple[tuple[Decimal, Decimal], tuple[Decimal, Decimal]]] = {
    ProcurementObject.GOODS: ((Decimal(10), Decimal(20)), (Decimal(4), Decimal(6))),
    ProcurementObject.SERVICES: ((Decimal(10), Decimal(20)), (Decimal(4), Decimal(6))),
    ProcurementObject.WORKS: ((Decimal(3), Decimal(5)), (Decimal(1), Decimal(2))),
}


@dataclass(frozen=True)
class SmeRates:
    """The deductions a round's documents give, in percent (``None``: none of that kind)."""

    rate: Decimal | None = None  # 小微企业 (and those treated as such)
    joint_rate: Decimal | None = None  # 联合体 / 分包 with ≥ 30 % 小微 share

    @property
    def any(self) -> bool:
        return self.rate is not None or self.joint_rate is not None


def _error(prefix: str, ref: LegalRef, zh: str, en: str, kind: ErrorKind = ErrorKind.INVALID,
           **details: Any) -> DomainError:
    return DomainError(f"{prefix}_{ref.tag}", f"{zh}（{ref.cite_zh}）", f"{en} ({ref.cite_en})",
                       kind, rule=ref.tag, **details)


def _decimal(value: object, name: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise DomainError("AMOUNT_NOT_FINITE", f"{name} 不是有限数值",
                          f"{name} is not a finite number", field=name)
    return value


def _object(value: ProcurementObject | str | None) -> ProcurementObject | None:
    return None if value is None else ProcurementObject(value)


# -- 87号令 55, 214号 24: the price weight and the fixed price -----------------------------------


def check_price_weight(procedure: Procedure, procurement_object: ProcurementObject | str | None,
                       weight: Decimal | None) -> None:
    """Refuse a price criterion's ``weight`` (points of 100) outside the procedure's bounds for
    the round's 采购对象; a round that has not said what it buys cannot be checked and is refused
    too. No price criterion (``None``), works, or a procedure without bounds: nothing to check."""
    bounds = procedure.price_weights
    if bounds is None or weight is None:
        return
    points = _decimal(weight, "weight")
    what = _object(procurement_object)
    if what is None:
        raise _error(PROCUREMENT_OBJECT_REQUIRED, bounds.ref,
                     "综合评分法的价格分值比重取决于采购对象，须先在招标轮次中申报货物、服务或工程",
                     "the price weight depends on what is procured: declare goods, services or "
                     "works on the round first", field="procurement_object")
    if what is ProcurementObject.WORKS:
        return
    low, high = bounds.goods if what is ProcurementObject.GOODS else bounds.services
    if points < low or (high is not None and points > high):
        range_zh = f"不得低于{low}%" if high is None else f"应为{low}%至{high}%"
        range_en = f"at least {low} %" if high is None else f"{low}–{high} %"
        raise _error(PRICE_WEIGHT_OUT_OF_RANGE, bounds.ref,
                     f"{what.label_zh}项目的价格分值占总分值的比重{range_zh}，设定为 {points}%",
                     f"the price weight of a {what.value} project must be {range_en}; "
                     f"{points} % was set", field="criteria", weight=str(points),
                     minimum=str(low), maximum=None if high is None else str(high))


def check_price_criterion(procedure: Procedure, *, fixed_price: bool, has_price: bool) -> None:
    """A fixed-price project (执行统一定价标准、固定价格采购) takes no price criterion (87号令 55,
    214号 24); any other 政府采购 综合评分 needs one."""
    if fixed_price and has_price:
        ref = procedure.price_weights.ref if procedure.price_weights else MOF87_55
        raise _error(PRICE_CRITERION_NOT_ALLOWED, ref,
                     "执行国家统一定价标准和采用固定价格采购的项目，其价格不列为评审因素",
                     "a project at a uniform or fixed price takes no price criterion",
                     field="criteria")
    if not fixed_price and not has_price and procedure.price_criterion_required:
        raise DomainError(PRICE_CRITERION_MISSING, "政府采购综合评分法须设价格分（低价优先法）",
                          "government procurement's scored method needs a price criterion",
                          field="criteria")


# -- 46号 9, 19号: the deduction for 小微企业 ----------------------------------------------------


def check_gov_only(procedure: Procedure, *, procurement_object: str | None, fixed_price: bool,
                   rates: SmeRates) -> None:
    """The price policy is 政府采购's: an engineering round declares none of it."""
    if procedure.domain is Domain.GOV_PROCUREMENT:
        return
    if procurement_object is not None or fixed_price or rates.any:
        raise DomainError(GOV_PROCUREMENT_ONLY,
                          "采购对象、固定价格和小微企业价格扣除只适用于政府采购",
                          "procurement object, fixed price and the SME deduction are government "
                          "procurement's only", field="procurement_object")


def check_sme_rates(procurement_object: ProcurementObject | str | None, rates: SmeRates) -> None:
    """Refuse deduction rates outside 46号 9 (as raised by 19号) for the round's 采购对象."""
    if not rates.any:
        return
    what = _object(procurement_object)
    if what is None:
        raise DomainError(PROCUREMENT_OBJECT_REQUIRED_MOF46_9,
                          f"小微企业价格扣除比例取决于采购对象，须申报货物、服务或工程（{MOF46_9.cite_zh}）",
                          f"the SME deduction depends on what is procured: declare goods, "
                          f"services or works ({MOF46_9.cite_en})", field="procurement_object")
    small, joint = SME_RANGES[what]
    for name, value, (low, high), zh in (("sme_deduction", rates.rate, small, "小微企业"),
                                         ("sme_joint_deduction", rates.joint_rate, joint,
                                          "联合体或分包（小微企业份额不低于30%）")):
        if value is None:
            continue
        rate = _decimal(value, name)
        if not low <= rate <= high:
            raise DomainError(SME_DEDUCTION_OUT_OF_RANGE_MOF46_9,
                              f"{what.label_zh}项目对{zh}的价格扣除应为{low}%至{high}%，设定为 "
                              f"{rate}%（{MOF46_9.cite_zh}）",
                              f"the {name} of a {what.value} project is {low}–{high} %; {rate} % "
                              f"was set ({MOF46_9.cite_en})", field=name, rate=str(rate),
                              minimum=str(low), maximum=str(high))


def check_sme_declaration(rates: SmeRates, status: SmeStatus | str,
                          small_share: Decimal | None = None) -> SmeStatus:
    """A bid's declared status, refused where the documents give it no deduction or, for a
    联合体/分包, where the 小微企业 share is under 30 % (or is not given)."""
    declared = SmeStatus(status)
    joint = declared is SmeStatus.JOINT_SMALL_SHARE
    if (rates.joint_rate if joint else rates.rate) is None:
        raise DomainError(SME_DEDUCTION_NOT_DECLARED_MOF46_9,
                          f"本轮次招标文件未规定对“{declared.label_zh}”的价格扣除（{MOF46_9.cite_zh}）",
                          f"the round's documents give no deduction for {declared.value} "
                          f"({MOF46_9.cite_en})", ErrorKind.CONFLICT, field="status")
    if joint:
        share = None if small_share is None else _decimal(small_share, "small_share")
        if share is None or not MIN_JOINT_SHARE <= share <= HUNDRED:
            raise DomainError(SME_SHARE_TOO_SMALL_MOF46_9,
                              "联合体协议或分包意向协议约定小微企业的合同份额须占合同总金额30%以上"
                              f"（{MOF46_9.cite_zh}）",
                              "the consortium or subcontracting agreement must give small and "
                              f"micro enterprises 30 % or more of the contract ({MOF46_9.cite_en})",
                              field="small_share")
    elif small_share is not None:
        raise DomainError("SME_SHARE_NOT_APPLICABLE", "只有联合体或分包申报小微企业份额",
                          "only a consortium or subcontracting declares a small share",
                          field="small_share")
    return declared


def evaluated_price(price: Decimal, status: SmeStatus | None, rates: SmeRates) -> Decimal:
    """The price the evaluation uses: ``price`` less the deduction for the bid's ``status``
    (46号 9: "用扣除后的价格参加评审"); exact, never rounded — the price score rounds once — and
    written in 分 whenever that is exact."""
    amount = _decimal(price, "price")
    if status is None:
        return amount
    rate = rates.joint_rate if status is SmeStatus.JOINT_SMALL_SHARE else rates.rate
    if rate is None:
        return amount
    deducted = amount * (HUNDRED - _decimal(rate, "rate")) / HUNDRED
    in_fen = deducted.quantize(FEN)
    return in_fen if in_fen == deducted else deducted


# -- 政府采购法 36(一), 87号令 43: too few responsive bids ----------------------------------------


def check_enough_responsive(procedure: Procedure, count: int) -> None:
    """Refuse to name candidates from fewer responsive bids than the procedure needs: the
    procurement is to be declared failed (废标) instead."""
    if count < 0:
        raise ValueError("count cannot be negative")
    if procedure.min_responsive is None or count >= procedure.min_responsive:
        return
    assert procedure.min_responsive_ref is not None
    raise _error(TOO_FEW_RESPONSIVE, procedure.min_responsive_ref,
                 f"通过资格审查和符合性审查的投标只有 {count} 家，不足 {procedure.min_responsive} "
                 "家，应予废标",
                 f"only {count} bid(s) passed the qualification and conformity review, fewer "
                 f"than {procedure.min_responsive}: the procurement fails", ErrorKind.CONFLICT,
                 count=count, minimum=procedure.min_responsive)


# -- 87号令 31: same brand, one bidder ----------------------------------------------------------


def bidders_counted(brands: Iterable[str | None]) -> int:
    """How many bidders responsive bids count as: bids offering the same (core product) brand
    count once (87号令 31); a bid without a declared brand counts on its own."""
    return suppliers_counted(brands)


def _codes() -> frozenset[str]:
    codes = {SME_DEDUCTION_OUT_OF_RANGE_MOF46_9, SME_DEDUCTION_NOT_DECLARED_MOF46_9,
             SME_SHARE_TOO_SMALL_MOF46_9, PROCUREMENT_OBJECT_REQUIRED_MOF46_9, GOV_PROCUREMENT_ONLY,
             PRICE_CRITERION_MISSING, "SME_SHARE_NOT_APPLICABLE",
             f"{PRICE_CRITERION_NOT_ALLOWED}_{MOF87_55.tag}"}
    for p in PROCEDURES.values():
        if p.price_weights is not None:
            tag = p.price_weights.ref.tag
            codes |= {f"{PRICE_WEIGHT_OUT_OF_RANGE}_{tag}", f"{PROCUREMENT_OBJECT_REQUIRED}_{tag}",
                      f"{PRICE_CRITERION_NOT_ALLOWED}_{tag}"}
        if p.min_responsive_ref is not None:
            codes.add(f"{TOO_FEW_RESPONSIVE}_{p.min_responsive_ref.tag}")
    return frozenset(codes)


#: Every code these functions can raise.
ERROR_CODES: frozenset[str] = _codes()
