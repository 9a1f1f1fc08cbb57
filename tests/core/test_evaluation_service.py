"""The evaluation's use cases, called as an entry point calls them, on tenders built through the
use cases (tests/builders): ranking, ties, who may score, and the price criterion."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from adapters.bootstrap import Container
from core.clock import MovableClock
from core.errors import DomainError, ErrorKind
from core.evaluation.methods import EvaluationMethod
from core.model.account import AccountKind
from core.rules.limits import MemberKind
from core.services.tendering import evaluation
from tests.builders.tender import GOV_PROCUREMENT, Stage, TenderBuilder
from tests.core.conftest import make_principal


def refused(t: TenderBuilder, call: object, code: str) -> DomainError:
    with pytest.raises(DomainError) as err, t.c.uow() as uow:
        call(uow)  # type: ignore[operator]
    assert err.value.code == code, err.value
    return err.value


def test_the_report_ranks_the_bids_by_their_total(container: Container,
                                                  clock: MovableClock) -> None:
    t = TenderBuilder(container, clock).at(Stage.REPORTED)
    with t.c.uow() as uow:
        view = evaluation.get_evaluation(uow, t.experts[0], t.section_code)
        ranked = [(c.rank, c.bid_id) for c in view.candidates]
    bid_ids = t.bid_ids()
    # default_scores: technical 30.4 / 33.4 / 36.4, commercial 15 / 16 / 17; price 40 points
    # for the lowest (the second) and pro rata: 39.47 / 40 / 38.76 -> totals 84.87 / 89.40 /
    # 92.16, so the third bid ranks first and the first last
    assert [rank for rank, _ in ranked] == [1, 2, 3]
    assert [b for _, b in ranked] == [bid_ids[2], bid_ids[1], bid_ids[0]]


def test_an_expert_off_the_committee_scores_nothing(container: Container,
                                                    clock: MovableClock) -> None:
    t = TenderBuilder(container, clock).at(Stage.EVALUATING)
    outsider = make_principal(container, "outsider", AccountKind.EXPERT)
    bid = t.bid_ids()[0]
    error = refused(t, lambda uow: evaluation.submit_scores(
        uow, outsider, t.section_code, bid, {"technical": Decimal(30),
                                             "commercial": Decimal(15)}), "NOT_ON_COMMITTEE")
    assert error.kind is ErrorKind.FORBIDDEN


def test_government_procurement_needs_a_price_criterion(container: Container,
                                                        clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT).at(Stage.OPENED)
    experts = [make_principal(container, f"gp-expert-{i}", AccountKind.EXPERT)
               for i in range(5)]
    setup = evaluation.EvaluationSetup(
        members=tuple(evaluation.MemberIn(e.account_id, MemberKind.TECHNICAL_ECONOMIC_EXPERT,
                                          is_chair=(n == 0)) for n, e in enumerate(experts)),
        method=EvaluationMethod.COMPREHENSIVE,
        criteria=(evaluation.CriterionIn("technical", "技术方案", Decimal(100)),))
    refused(t, lambda uow: evaluation.assign_committee(uow, t.staff, t.section_code, setup),
            "PRICE_CRITERION_MISSING")


def test_mof87_57_equal_scores_and_prices_are_reported_as_tied(
        container: Container, clock: MovableClock) -> None:
    """The review's case 2: two bids at the same score and price -> a 并列 in the report, kept as
    tied candidates for the purchaser to settle (87号令 57, 68); the report is not refused."""
    same = "39650000.00"
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT,
                      prices=(same, same, "40920000.00")).at(Stage.EVALUATING)
    t.score(lambda member, bid: {"technical": Decimal(35), "commercial": Decimal(15)})
    with t.unit() as uow:
        evaluation.generate_report(uow, t.experts[0], t.section_code)
    first, second, third = t.bid_ids()
    with t.c.uow() as uow:
        view = evaluation.get_evaluation(uow, t.experts[0], t.section_code)
        assert [(c.rank, c.bid_id, c.tied) for c in view.candidates] == [
            (1, first, True), (1, second, True), (3, third, False)]
        result = view.evaluation.result
        assert result is not None
        assert [(c["rank"], c["tied_with"]) for c in result["candidates"]] == [
            (1, [second]), (1, [first]), (3, [])]


CONSULTATION = dataclasses.replace(GOV_PROCUREMENT, mode="competitive_consultation")


def test_mof214_25_a_consultation_tie_goes_to_the_better_technical_criteria(
        container: Container, clock: MovableClock) -> None:
    same = "39650000.00"
    t = TenderBuilder(container, clock, kind=CONSULTATION,
                      prices=(same, same, "40920000.00")).at(Stage.EVALUATING)
    # the first two: equal totals (40 + 10 = 35 + 15) and equal offers; the first is better
    # on the technical criteria
    t.score(lambda member, bid: [{"technical": Decimal(35), "commercial": Decimal(15)},
                                 {"technical": Decimal(40), "commercial": Decimal(10)},
                                 {"technical": Decimal(20), "commercial": Decimal(10)}][bid])
    with t.unit() as uow:
        evaluation.generate_report(uow, t.experts[0], t.section_code)
    with t.c.uow() as uow:
        view = evaluation.get_evaluation(uow, t.experts[0], t.section_code)
        ranked = [c.bid_id for c in sorted(view.candidates, key=lambda c: c.rank)]
    first, second, third = t.bid_ids()
    assert ranked == [second, first, third]
