"""Same-brand bids (财政部令第87号 第三十一条): the chair records the brand of each bid's 核心产品
while the evaluation is ``scoring``, and settles a tie inside a brand; the report then ranks one
bid per brand (:mod:`core.evaluation.same_brand`) and counts each brand once for the 3 suppliers
of 政府采购法 36 (the report and :mod:`core.services.tendering.failure`).

Why the committee records it: the brand is in the sealed bid file (the 投标产品 and its
品牌/型号 in the 开标一览表 or the technical response), which the platform does not parse, and
the documents' 核心产品 is named in the documents' text; the committee reads both and answers
for what it records, as for a rejection. A bid without a recorded brand counts on its own.

A tie (equal best evaluated price under 最低评标价法, equal best score under 综合评分法) is not
broken by the ranking's tie-breaks: 31 gives it to "招标文件规定的方式", else "随机抽取". The
chair — 31's "采购人委托评标委员会", which is how the platform runs it during the evaluation —
records the documents' choice with the clause as ``reason``, or has the platform draw: a
:mod:`secrets` seed and the record of :mod:`core.evaluation.draw`, rerunnable by anyone. A
choice holds for exactly the bids it was made among; if the scores or prices change the tie, the
report asks again (``SAME_BRAND_TIE_UNRESOLVED_MOF87_31``).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any, Literal

from core.errors import DomainError
from core.evaluation.draw import draw
from core.rules import bid_validity
from core.rules.procedures import MOF87_31
from core.security.principal import Principal
from core.services.tendering.evaluation import bid_notes
from core.services.tendering.evaluation.access import (
    evaluable_bid,
    evaluation_of,
    require_chair,
    require_scoring,
    round_ref,
)
from core.services.tendering.evaluation.forms import MAX_REASON, EvaluationView
from core.services.tendering.evaluation.reading import view_of
from core.services.tendering.procedure import procedure_of
from core.services.tendering.rounds import get_round
from core.services.validation import optional_text, required_name, required_text
from core.uow import UnitOfWork

MAX_BRAND = 200
SEED_BYTES = 32
TieChoice = Literal["documents", "draw"]


def record_brand(uow: UnitOfWork, principal: Principal, section_code: str, bid_id: int,
                 core_product: str, brand: str, model: str | None = None,
                 source: str | None = None) -> EvaluationView:
    """The chair records the brand (and, optionally, the model) bid ``bid_id`` offers for the
    documents' 核心产品; recording it again replaces it."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    bid_validity.check_same_brand_applies(procedure_of(r), r.procurement_object)
    evaluable_bid(uow, r, bid_id)
    product = required_name(core_product, "core_product", MAX_BRAND)
    name = required_name(brand, "brand", MAX_BRAND)
    bid_validity.check_core_product(
        [str(n["core_product"]) for k, n in e.core_brands.items()
         if k != str(bid_id) and isinstance(n, dict)], product)
    entry = {"core_product": product, "brand": name,
             "model": None if model is None or not model.strip()
             else required_name(model, "model", MAX_BRAND),
             "source": optional_text(source, "source", MAX_REASON),
             "recorded_by": principal.actor, "recorded_at": uow.clock.now().isoformat()}
    bid_notes.put(uow, principal, e, "core_brands", "evaluation.record_brand", bid_id, entry)
    return view_of(uow, r, e)


def withdraw_brand(uow: UnitOfWork, principal: Principal, section_code: str,
                   bid_id: int) -> EvaluationView:
    """The chair takes a recorded brand back (before the report only)."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    bid_notes.drop(uow, principal, e, "core_brands", "evaluation.withdraw_brand", bid_id,
                   "核心产品品牌记录", "core_brand")
    return view_of(uow, r, e)


def settle_same_brand(uow: UnitOfWork, principal: Principal, section_code: str,
                      bid_ids: Sequence[int], method: TieChoice, chosen: int | None = None,
                      reason: str | None = None) -> EvaluationView:
    """The chair settles a tie among same-brand bids: ``documents`` — ``chosen`` as the
    documents' clause (``reason``, required) gives it; ``draw`` — an audited random draw, whose
    first is chosen. A new choice for the brand replaces the old one."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    bid_validity.check_same_brand_applies(procedure_of(r), r.procurement_object)
    for bid_id in bid_ids:
        evaluable_bid(uow, r, bid_id)
    brands = {k: str(v["brand"]) for k, v in e.core_brands.items() if isinstance(v, dict)}
    key = bid_validity.check_tie_claim(brands, bid_ids)
    ids = sorted(bid_ids)
    record: dict[str, Any] | None = None
    if method == "documents":
        if chosen is None or chosen not in ids:
            raise DomainError(bid_validity.SAME_BRAND_NOT_TIED,
                              "按招标文件规定的方式确定的投标须是并列的同品牌投标之一"
                              f"（{MOF87_31.cite_zh}）",
                              "the bid the documents' rule gives must be one of the tied "
                              f"same-brand bids ({MOF87_31.cite_en})",
                              field="chosen")
        text: str | None = required_text(reason, "reason", MAX_REASON)
        winner = chosen
    else:
        if chosen is not None:
            raise DomainError("SAME_BRAND_DRAW_CHOOSES", "随机抽取时不指定投标",
                              "a draw chooses by itself: give no bid", field="chosen")
        text = optional_text(reason, "reason", MAX_REASON)
        result = draw(ids, secrets.token_hex(SEED_BYTES))
        record = result.as_json()
        winner = result.order[0]
    entry = {"brand": key, "bids": ids, "method": method, "chosen": winner, "reason": text,
             "draw": record, "recorded_by": principal.actor,
             "recorded_at": uow.clock.now().isoformat()}
    before = e.same_brand_ties.get(key)
    e.same_brand_ties = {**e.same_brand_ties, key: entry}  # a new dict: JSON columns
    uow.record(principal.actor, "evaluation.settle_same_brand", "same_brand",
               f"{round_ref(r)}/{key}", before if isinstance(before, dict) else None, entry)
    return view_of(uow, r, e)


def settled_choices(e_ties: dict[str, object]) -> dict[frozenset[str], str]:
    """The recorded choices as :func:`core.evaluation.same_brand.select_same_brand` takes them."""
    return {frozenset(str(b) for b in v["bids"]): str(v["chosen"])
            for v in e_ties.values() if isinstance(v, dict)}
