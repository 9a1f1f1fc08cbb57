"""What the chair records per bid while the evaluation is ``scoring`` — a rejection, a 小微企业
status, the brand of its 核心产品 (87号令 31), a request for a written explanation of its price
(87号令 60, with the bidder's answer and the decision) — kept in a JSON map of the evaluation
keyed by bid id: recorded, replaced, or taken back before the report, each change audited with
what it replaced."""

from __future__ import annotations

from typing import Any, Literal

from core.errors import not_found
from core.model.tendering import Evaluation
from core.security.principal import Principal
from core.uow import UnitOfWork

#: The evaluation's JSON columns that hold per-bid notes.
Column = Literal["rejections", "sme_declarations", "core_brands", "price_explanations"]


def put(uow: UnitOfWork, principal: Principal, e: Evaluation, column: Column, action: str,
        bid_id: int, entry: dict[str, Any]) -> None:
    key = str(bid_id)
    notes: dict[str, Any] = getattr(e, column)
    before = notes.get(key)
    setattr(e, column, {**notes, key: entry})  # a new dict: JSON columns track assignment
    uow.record(principal.actor, action, "bid", key, before if isinstance(before, dict) else None,
               entry)


def drop(uow: UnitOfWork, principal: Principal, e: Evaluation, column: Column, action: str,
         bid_id: int, what_zh: str, what_en: str) -> None:
    key = str(bid_id)
    notes: dict[str, Any] = getattr(e, column)
    if key not in notes:
        raise not_found(what_zh, what_en, bid_id)
    before = notes[key]
    setattr(e, column, {k: v for k, v in notes.items() if k != key})
    uow.record(principal.actor, action, "bid", key, before if isinstance(before, dict) else None,
               None)
