"""Same-brand bids count as one supplier (财政部令第87号 第三十一条), as a pure function.

The article (read on secondary sources that quote it alike — see ``core.rules.procedures``,
``MOF87_31``):

* 最低评标价法: "提供相同品牌产品的不同投标人参加同一合同项下投标的，以其中通过资格审查、符合性审查
  且报价最低的参加评标；报价相同的，由采购人或者采购人委托评标委员会按照招标文件规定的方式确定一个
  参加评标的投标人，招标文件未规定的采取随机抽取方式确定，其他投标无效。"
* 综合评分法: "…按一家投标人计算，评审后得分最高的同品牌投标人获得中标人推荐资格；评审得分相同的，
  …按照招标文件规定的方式确定一个投标人获得中标人推荐资格，招标文件未规定的采取随机抽取方式确定，
  其他同品牌投标人不作为中标候选人。"
* "非单一产品采购项目，采购人应当…合理确定核心产品，并在招标文件中载明。多家投标人提供的核心产品
  品牌相同的，按前两款规定处理。" — so the brand compared is the brand of the 核心产品 the
  documents name (of the only product, in a single-product procurement).

:func:`select_same_brand` takes the bids that passed the 资格审查/符合性审查 (the responsive
ones), each with the brand the committee recorded for it, and says which of them count:

* a bid without a recorded brand counts on its own;
* in each group of two or more bids of one brand (compared by :func:`brand_key`: Unicode
  NFKC, case and spacing folded, so "ＨＰ", "hp" and " HP " are one brand), the best bid counts
  and the others are excluded, each with the bid kept, the consequence and the article:

  - 最低评标价法 (and any price-ranked method): the lowest ``price`` — the bid's *evaluated*
    price, after the 小微企业 deduction. **Our reading**: 31's "报价最低" is read as the price
    the ranking compares, as ``core.evaluation.ranking`` reads 87号令 56's "投标报价"; the others
    are ``invalid`` (其他投标无效);
  - 综合评分法: the highest ``score``; the others stay evaluated (their prices count for the base
    price: they are valid bids) but are ``not_candidate`` (不作为中标候选人) and are not ranked;

* equal best prices (scores) in a group are a tie that 31 gives to the documents' rule or a
  random draw — not to the price or any other tie-break: unless ``settled`` holds a choice for
  exactly that set of bids, the group is returned in ``unresolved`` (its other bids excluded
  as usual) and the caller must not rank.

``suppliers`` is how many suppliers the responsive bids count as (each brand once), which is
what 政府采购法 36 / 87号令 43 count (:func:`core.rules.price_policy.check_enough_responsive`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from core.evaluation.methods import EvaluationMethod

ARTICLE_ZH = "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第三十一条"
ARTICLE_EN = "MOF Order 87 art. 31"


def brand_key(brand: str | None) -> str | None:
    """The form two brands are compared in: NFKC (full-width letters and digits become ASCII),
    case folded, runs of white space made one space and the ends trimmed; ``None`` for no brand
    or an empty one. Nothing else is folded: "华为" and "HUAWEI" are two brands to the platform —
    whether they are one is the committee's finding, recorded as one spelling."""
    if brand is None:
        return None
    key = " ".join(unicodedata.normalize("NFKC", brand).split()).casefold()
    return key or None


class Consequence(StrEnum):
    """What 31 does to a same-brand bid that is not the one kept."""

    INVALID = "invalid"  # 最低评标价法: 其他投标无效
    NOT_CANDIDATE = "not_candidate"  # 综合评分法: 其他同品牌投标人不作为中标候选人

    @property
    def label_zh(self) -> str:
        return {"invalid": "同品牌投标，非报价最低者，投标无效",
                "not_candidate": "同品牌投标，非得分最高者，不作为中标候选人"}[self.value]

    @property
    def label_en(self) -> str:
        return {"invalid": "same brand, not the lowest price: the bid is invalid",
                "not_candidate": "same brand, not the highest score: not a candidate"}[self.value]


@dataclass(frozen=True)
class BrandedBid:
    bid_id: str
    brand: str | None  # the 核心产品's brand as recorded; None: none recorded
    price: Decimal  # the price the ranking compares (evaluated price)
    score: Decimal | None = None  # 综合评分 total


@dataclass(frozen=True)
class Exclusion:
    bid_id: str
    brand: str  # brand_key of its group
    kept: str | None  # the bid of the group that counts; None while its tie is unresolved
    consequence: Consequence

    @property
    def article_zh(self) -> str:
        return ARTICLE_ZH


@dataclass(frozen=True)
class Tie:
    """Bids of one brand equal at the best price (score): the documents' way or a draw."""

    brand: str
    bid_ids: tuple[str, ...]  # ascending

    @property
    def key(self) -> frozenset[str]:
        return frozenset(self.bid_ids)


@dataclass(frozen=True)
class Selection:
    counted: tuple[str, ...]  # the bids that take part in the ranking, in input order
    excluded: tuple[Exclusion, ...]  # in input order
    unresolved: tuple[Tie, ...]  # by brand
    suppliers: int  # how many suppliers the bids count as: each brand once
    kept: Mapping[str, str]  # brand → the bid kept, for each settled group of two or more

    @property
    def resolved(self) -> bool:
        return not self.unresolved


def suppliers_counted(brands: Iterable[str | None]) -> int:
    """How many suppliers bids with these brands count as: each brand once, a bid without a
    brand on its own (87号令 31 "按一家投标人计算")."""
    seen: set[str] = set()
    count = 0
    for brand in brands:
        key = brand_key(brand)
        if key is None:
            count += 1
        elif key not in seen:
            seen.add(key)
            count += 1
    return count


def _check(bids: Sequence[BrandedBid], by_score: bool) -> None:
    ids = [b.bid_id for b in bids]
    if len(set(ids)) != len(ids):
        raise ValueError("a bid is given once")
    for b in bids:
        if not isinstance(b.price, Decimal):
            raise TypeError("price must be a Decimal")
        if by_score and not isinstance(b.score, Decimal):
            raise TypeError(f"bid {b.bid_id} has no Decimal score under the comprehensive method")


def select_same_brand(method: EvaluationMethod | str, bids: Sequence[BrandedBid],
                      settled: Mapping[frozenset[str], str] | None = None) -> Selection:
    """Which ``bids`` count under 87号令 31 (see the module). ``settled``: for a tied set of bid
    ids, the one the documents' rule or the draw chose; a choice for another set (the scores or
    prices changed since) is not used."""
    by_score = EvaluationMethod(method) is EvaluationMethod.COMPREHENSIVE
    _check(bids, by_score)
    choices = settled or {}
    groups: dict[str, list[BrandedBid]] = {}
    for b in bids:
        key = brand_key(b.brand)
        if key is not None:
            groups.setdefault(key, []).append(b)
    out: dict[str, Exclusion] = {}
    ties: list[Tie] = []
    kept: dict[str, str] = {}

    def merit(b: BrandedBid) -> Decimal:
        assert b.score is not None or not by_score
        return -b.score if by_score and b.score is not None else b.price

    consequence = Consequence.NOT_CANDIDATE if by_score else Consequence.INVALID
    for key, group in sorted(groups.items()):
        if len(group) < 2:
            continue
        best = min(merit(b) for b in group)
        top = sorted(b.bid_id for b in group if merit(b) == best)
        winner: str | None = top[0] if len(top) == 1 else None
        if winner is None:
            chosen = choices.get(frozenset(top))
            if chosen in top:
                winner = chosen
            else:
                ties.append(Tie(key, tuple(top)))
        if winner is not None:
            kept[key] = winner
        for b in group:
            if b.bid_id == winner or (winner is None and b.bid_id in top):
                continue
            out[b.bid_id] = Exclusion(b.bid_id, key, winner, consequence)
    return Selection(
        counted=tuple(b.bid_id for b in bids if b.bid_id not in out),
        excluded=tuple(out[b.bid_id] for b in bids if b.bid_id in out),
        unresolved=tuple(ties),
        suppliers=suppliers_counted(b.brand for b in bids),
        kept=kept,
    )
