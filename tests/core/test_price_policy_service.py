"""The 小微企业 deduction through the use cases (46号 9 as raised by 19号; 87号令 55, 56): the chair
records a bid's status, and the report evaluates it at the deducted price — the base price, every
price score and the ranking by price — on tenders built through the use cases (tests/builders)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from adapters.bootstrap import Container
from core.clock import MovableClock
from core.errors import DomainError
from core.evaluation.methods import EvaluationMethod
from core.evaluation.scoring import CriterionCategory
from core.services.tendering import evaluation
from tests.builders.tender import GOV_PROCUREMENT, Stage, TenderBuilder

PRICE_30 = (evaluation.CriterionIn("technical", "技术方案", Decimal(50)),
            evaluation.CriterionIn("commercial", "商务与业绩", Decimal(20),
                                   CriterionCategory.COMMERCIAL),
            evaluation.CriterionIn("price", "价格分", Decimal(30), CriterionCategory.PRICE))


def _report(t: TenderBuilder) -> dict[str, Any]:
    with t.unit() as uow:
        evaluation.generate_report(uow, t.experts[0], t.section_code)
    with t.c.uow() as uow:
        result = evaluation.get_evaluation(uow, t.experts[0], t.section_code).evaluation.result
    assert result is not None
    return result


def _declare(t: TenderBuilder, bid_id: int, status: str = "small_micro") -> None:
    with t.unit() as uow:
        evaluation.declare_sme(uow, t.experts[0], t.section_code, bid_id, status,
                               source="中小企业声明函")


def test_mof87_55_the_small_firms_deducted_price_is_the_base_and_its_score(
        container: Container, clock: MovableClock) -> None:
    """§5 case 6: goods, price weight 30; A (小微) 1,000,000, B (large) 950,000, 10 %: A's
    900,000 is the base price — A 30.00, B 28.42 (the declared prices gave A 28.50, B 30.00)."""
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT, sme_deduction="10",
                      prices=("1000000.00", "950000.00", "1100000.00"),
                      criteria=PRICE_30).at(Stage.EVALUATING)
    a, b, c = t.bid_ids()
    _declare(t, a)
    t.score(lambda member, bid: {"technical": Decimal(40), "commercial": Decimal(15)})
    result = _report(t)
    assert result["lowest_valid_price"] == "900000.00"
    price = {int(k): next(x["score"] for x in v["criteria"] if x["criterion"] == "price")
             for k, v in result["scores"].items()}
    assert price == {a: "30.00", b: "28.42", c: "24.55"}  # 900,000 ÷ 1,100,000 × 30 = 24.545…
    ranking = {x["bid_id"]: (x["rank"], x["price"], x["evaluated_price"])
               for x in result["ranking"]}
    assert ranking == {a: (1, "1000000.00", "900000.00"), b: (2, "950000.00", "950000.00"),
                       c: (3, "1100000.00", "1100000.00")}
    assert result["sme_deductions"]["rate"] == "10.00"
    assert result["sme_deductions"]["bids"][str(a)]["status"] == "small_micro"
    assert set(result["sme_deductions"]["bids"]) == {str(a)}


def test_mof87_56_equal_evaluated_prices_tie_after_the_deduction(
        container: Container, clock: MovableClock) -> None:
    """§5 case 5: 最低评标价, A (小微) 1,000,000 → 900,000 and B 900,000: 并列 at rank 1 — the
    raw price breaks nothing (87号令 56); C ranks third."""
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT, sme_deduction="10",
                      prices=("1000000.00", "900000.00", "1200000.00"),
                      method=EvaluationMethod.LOWEST_EVALUATED_PRICE).at(Stage.EVALUATING)
    a, b, c = t.bid_ids()
    _declare(t, a, "prison")  # 监狱企业: treated as 小微 (财库〔2014〕68号)
    result = _report(t)
    assert [(x["bid_id"], x["rank"], x["evaluated_price"], x["tied_with"])
            for x in result["ranking"]] == [(a, 1, "900000.00", [b]), (b, 1, "900000.00", [a]),
                                            (c, 3, "1200000.00", [])]


def test_mof46_9_a_withdrawn_status_is_not_deducted(container: Container,
                                                    clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT, sme_deduction="20",
                      prices=("1000000.00", "950000.00", "1100000.00"),
                      method=EvaluationMethod.LOWEST_EVALUATED_PRICE).at(Stage.EVALUATING)
    a, b, _ = t.bid_ids()
    _declare(t, a)
    with t.unit() as uow:
        evaluation.withdraw_sme(uow, t.experts[0], t.section_code, a)
    result = _report(t)
    assert result["ranking"][0]["bid_id"] == b
    assert all(x["price"] == x["evaluated_price"] for x in result["ranking"])


def test_mof46_9_without_a_deduction_in_the_documents_no_status_is_recorded(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT,
                      prices=("1000000.00", "950000.00", "1100000.00")).at(Stage.EVALUATING)
    with pytest.raises(DomainError) as err, t.c.uow() as uow:
        evaluation.declare_sme(uow, t.experts[0], t.section_code, t.bid_ids()[0],
                               "small_micro")
    assert err.value.code == "SME_DEDUCTION_NOT_DECLARED_MOF46_9"
