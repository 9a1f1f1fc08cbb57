"""The OCDS transforms name the core's opening outcomes and evaluation methods by their values
(mappings may not import the core's models); these are the same values the core uses."""

from __future__ import annotations

from core.evaluation.methods import EvaluationMethod
from core.model.tendering import OpeningOutcome
from mappings.ocds.blocks import AWARD_CRITERIA, OPENED


def test_the_opened_outcomes_are_the_cores() -> None:
    assert {OpeningOutcome.OPENED_BY_BIDDER.value,
            OpeningOutcome.OPENED_BY_COMMITTEE.value} == OPENED


def test_every_evaluation_method_has_its_award_criteria() -> None:
    assert set(AWARD_CRITERIA) == {m.value for m in EvaluationMethod}
