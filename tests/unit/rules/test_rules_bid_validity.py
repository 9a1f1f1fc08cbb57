"""87号令 31 and 60 as rules (core.rules.bid_validity): one test or a few per rule, named after
the article, each refusal with its code naming the article."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.errors import DomainError
from core.evaluation.same_brand import Tie
from core.rules import bid_validity as bv
from core.rules.bid_validity import ExplanationState as S
from core.rules.procedures import PROCEDURES, Domain

GOV, ENG = Domain.GOV_PROCUREMENT, Domain.ENGINEERING
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def refused(code: str, call: Any, *args: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    assert info.value.code == code and info.value.code in bv.ERROR_CODES
    assert info.value.message_zh and info.value.message_en
    return info.value


def test_mof87_31_applies_to_government_tenders_of_goods_and_services_only() -> None:
    for key in ("public_tender", "invited_tender"):
        for what in ("goods", "services", None):
            bv.check_same_brand_applies(PROCEDURES[GOV, key], what)
    err = refused("SAME_BRAND_NOT_APPLICABLE_MOF87_31", bv.check_same_brand_applies,
                  PROCEDURES[GOV, "public_tender"], "works")
    assert "第三十一条" in err.message_zh
    for procedure in (PROCEDURES[ENG, "open_tender"], PROCEDURES[GOV, "competitive_consultation"],
                      PROCEDURES[GOV, "inquiry"]):
        refused("SAME_BRAND_NOT_APPLICABLE_MOF87_31", bv.check_same_brand_applies, procedure,
                "goods")


def test_mof87_31_one_core_product_per_round() -> None:
    bv.check_core_product([], "台式计算机")
    bv.check_core_product(["台式计算机", "台式计算机 "], "台式计算机")
    err = refused("CORE_PRODUCT_MISMATCH_MOF87_31", bv.check_core_product, ["台式计算机"],
                  "打印机")
    assert err.details["recorded"] == "台式计算机"


def test_mof87_31_an_unsettled_tie_refuses_the_ranking() -> None:
    bv.check_same_brand_settled([])
    err = refused("SAME_BRAND_TIE_UNRESOLVED_MOF87_31", bv.check_same_brand_settled,
                  [Tie("hp", ("3", "7"))])
    assert err.details["ties"] == [{"brand": "hp", "bids": [3, 7]}]


def test_mof87_31_a_settlement_names_two_or_more_bids_of_one_brand() -> None:
    brands = {"1": "HP", "2": "ｈｐ", "3": "Dell"}
    assert bv.check_tie_claim(brands, [1, 2]) == "hp"
    for ids in ([1], [1, 3], [1, 1], [1, 4]):
        refused("SAME_BRAND_NOT_TIED_MOF87_31", bv.check_tie_claim, brands, ids)


def _note(**extra: Any) -> dict[str, Any]:
    return {"deadline": (NOW + timedelta(hours=1)).isoformat(), "answer": None,
            "decision": None, **extra}


def test_mof87_60_the_state_follows_the_note_and_the_clock() -> None:
    state = bv.explanation_state
    assert state(None, NOW) is S.NONE
    assert state(_note(), NOW) is S.REQUESTED
    assert state(_note(), NOW + timedelta(hours=1)) is S.LAPSED  # the deadline itself: lapsed
    assert state(_note(answer={"text": "成本构成"}), NOW + timedelta(days=1)) is S.ANSWERED
    assert state(_note(decision={"accepted": True}), NOW) is S.ACCEPTED
    assert state(_note(decision={"accepted": False}), NOW) is S.REJECTED
    with pytest.raises(DomainError):
        state(_note(), NOW.replace(tzinfo=None))


def test_mof87_60_the_deadline_is_aware_and_in_the_future() -> None:
    bv.check_deadline(NOW, NOW + timedelta(minutes=1))
    for deadline in (NOW, NOW - timedelta(seconds=1)):
        refused("PRICE_EXPLANATION_DEADLINE_NOT_FUTURE_MOF87_60", bv.check_deadline, NOW,
                deadline)
    with pytest.raises(DomainError) as info:
        bv.check_deadline(NOW, (NOW + timedelta(hours=1)).replace(tzinfo=None))
    assert info.value.code == "DATETIME_NOT_AWARE"


def test_mof87_60_government_procurement_only() -> None:
    bv.check_explanation_applies(PROCEDURES[GOV, "public_tender"])
    bv.check_explanation_applies(PROCEDURES[GOV, "competitive_consultation"])
    refused("PRICE_EXPLANATION_NOT_APPLICABLE_MOF87_60", bv.check_explanation_applies,
            PROCEDURES[ENG, "open_tender"])


def test_mof87_60_a_bid_is_asked_once_and_answers_once_in_time() -> None:
    bv.check_requestable(S.NONE)
    for state in S:
        if state is not S.NONE:
            refused("PRICE_EXPLANATION_ALREADY_REQUESTED_MOF87_60", bv.check_requestable, state)
    bv.check_answerable(S.REQUESTED)
    refused("PRICE_EXPLANATION_NOT_REQUESTED_MOF87_60", bv.check_answerable, S.NONE)
    refused("PRICE_EXPLANATION_DEADLINE_PASSED_MOF87_60", bv.check_answerable, S.LAPSED)
    for state in (S.ANSWERED, S.ACCEPTED, S.REJECTED):
        refused("PRICE_EXPLANATION_ALREADY_ANSWERED_MOF87_60", bv.check_answerable, state)


def test_mof87_60_the_decision_follows_the_answer_or_the_lapse() -> None:
    bv.check_decision(S.ANSWERED, accepted=True)
    bv.check_decision(S.ANSWERED, accepted=False)
    bv.check_decision(S.LAPSED, accepted=False)
    refused("PRICE_EXPLANATION_NOT_ANSWERED_MOF87_60", bv.check_decision, S.LAPSED, True)
    refused("PRICE_EXPLANATION_PENDING_MOF87_60", bv.check_decision, S.REQUESTED, False)
    refused("PRICE_EXPLANATION_NOT_REQUESTED_MOF87_60", bv.check_decision, S.NONE, True)
    for state in (S.ACCEPTED, S.REJECTED):
        refused("PRICE_EXPLANATION_ALREADY_DECIDED_MOF87_60", bv.check_decision, state, False)


def test_mof87_60_unexplained_only_after_asking_and_never_against_an_accepted_answer() -> None:
    for state in (S.ANSWERED, S.LAPSED, S.REJECTED):
        bv.check_unexplained_rejection(state)
    err = refused("PRICE_EXPLANATION_NOT_REQUESTED_MOF87_60", bv.check_unexplained_rejection,
                  S.NONE)
    assert "第六十条" in err.message_zh and err.details["field"] == "grounds"
    refused("PRICE_EXPLANATION_PENDING_MOF87_60", bv.check_unexplained_rejection, S.REQUESTED)
    refused("PRICE_EXPLANATION_ACCEPTED_MOF87_60", bv.check_unexplained_rejection, S.ACCEPTED)


def test_mof87_60_the_report_waits_for_every_decision() -> None:
    bv.check_all_decided({"1": S.ACCEPTED, "2": S.REJECTED, "3": S.NONE})
    for state in (S.REQUESTED, S.ANSWERED, S.LAPSED):
        err = refused("PRICE_EXPLANATION_UNDECIDED_MOF87_60", bv.check_all_decided,
                      {"10": state, "2": S.ACCEPTED, "9": state})
        assert err.details["bids"] == [9, 10]
