"""政府采购's own award flow through the use cases (tests/builders): the purchaser's decision
or the deemed one, the award notice with the result notice, 质疑 after it, the split refunds and
the contract. The engineering flow's publicity is not part of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from core.clock import MovableClock
from core.errors import DomainError
from core.model.outbox import OutboxEvent
from core.model.tendering import Award, Decision, Publicity, Registration, Round
from core.rules import award_periods, limits
from core.security.principal import SYSTEM_ACTOR
from core.services.calendar import calendar_of
from core.services.tendering import award
from core.services.tendering.procedure import procedure_of
from core.services.tendering.scheduler import run_due
from tests.builders.tender import GOV_PROCUREMENT, Stage, TenderBuilder


def gov(container: Container, clock: MovableClock, stage: Stage, **kw: Any) -> TenderBuilder:
    return TenderBuilder(container, clock, kind=GOV_PROCUREMENT, tag="GP", **kw).at(stage)


def last_payload(t: TenderBuilder, event_type: str) -> dict[str, Any]:
    with t.c.session_factory() as s:
        row = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == event_type)
                        .order_by(OutboxEvent.id.desc())).first()
        assert row is not None, event_type
        return dict(row.payload)


def test_gpreg_43_the_purchaser_decides_in_rank_and_the_round_waits_for_the_notice(
        container: Container, clock: MovableClock) -> None:
    t = gov(container, clock, Stage.REPORTED)
    with t.unit() as uow:
        decision = award.decide(uow, t.agency, t.section_code, declined_ranks=[1])
    with t.c.uow() as uow:
        r = t.round(uow)
        kept = uow.session.get(Decision, r.id)
        assert kept is not None and kept.rank == 2 and not kept.deemed
        assert r.status == "evaluating"  # the decision is a record; the notice moves the round
        due = award_periods.notice_due(procedure_of(r), calendar_of(uow), decision.decided_at)
        assert kept.notice_due_at == due.ends_at.astimezone(UTC)
    with pytest.raises(DomainError) as err, t.c.uow() as uow:
        award.decide(uow, t.agency, t.section_code)
    assert err.value.code == "DECISION_ALREADY_MADE"


def test_gov_procurement_has_no_candidates_publicity(container: Container,
                                                      clock: MovableClock) -> None:
    t = gov(container, clock, Stage.REPORTED)
    with t.c.uow() as uow:
        ends = limits.publicity_end(procedure_of(t.round(uow)), calendar_of(uow),
                                    clock.now()).ends_at
    with pytest.raises(DomainError) as err, t.c.uow() as uow:
        award.start_publicity(uow, t.agency, t.section_code, ends)
    assert err.value.code == "ROUND_TRANSITION_INVALID"
    with t.c.uow() as uow:
        assert uow.session.get(Publicity, t.round(uow).id) is None


def test_mof87_68_the_first_is_deemed_chosen_when_the_purchaser_lets_the_period_pass(
        container: Container, clock: MovableClock) -> None:
    t = gov(container, clock, Stage.REPORTED)
    with t.c.uow() as uow:
        r = t.round(uow)
        assert r.next_check is not None  # the scheduler will look at the end of the period
        last_instant = r.next_check - timedelta(seconds=1)
    clock.set(last_instant)
    run_due(t.c.uow, t.c.signer)
    with t.c.uow() as uow:
        assert uow.session.get(Decision, t.round(uow).id) is None  # still the purchaser's time
    clock.set(last_instant + timedelta(seconds=1))
    assert run_due(t.c.uow, t.c.signer) == 1
    with t.c.uow() as uow:
        r = t.round(uow)
        deemed = uow.session.get(Decision, r.id)
        assert deemed is not None and deemed.deemed and deemed.rank == 1
        assert deemed.decided_by == SYSTEM_ACTOR
        assert r.status == "evaluating" and r.next_check is None


def test_gpreg_43_the_notice_and_the_result_go_out_together_listing_the_experts(
        container: Container, clock: MovableClock) -> None:
    t = gov(container, clock, Stage.AWARDED)
    with t.c.uow() as uow:
        r = t.round(uow)
        won = uow.session.get(Award, r.id)
        assert won is not None and r.status == "awarded"
        procedure, calendar = procedure_of(r), calendar_of(uow)
        notice_end = limits.publicity_end(procedure, calendar, won.notice_issued_at)
        assert won.result_notice_ends_at == notice_end.ends_at.astimezone(UTC)
        challenge = award_periods.challenge_ends(procedure, calendar, notice_end.ends_at)
        assert won.challenge_ends_at == challenge.ends_at.astimezone(UTC)
    result = last_payload(t, "round.result_announced")
    names = [f"expert-{i}" for i in range(1, len(t.experts) + 1)]
    assert len(names) == 7  # 87号令 47: a budget of 1000万元 or more
    assert result["experts"] == names  # 政采条例 43: in the result, secret until then
    assert result["challenge_ends_at"] is not None
    notice = last_payload(t, "round.awarded")
    assert notice["notice_issued_at"] == result["announced_at"]


def test_gpreg_53_a_challenge_after_the_result_notice_is_heard_and_suspends_nothing(
        container: Container, clock: MovableClock) -> None:
    t = gov(container, clock, Stage.AWARDED)
    with t.c.uow() as uow:
        won = uow.session.get(Award, t.round(uow).id)
        assert won is not None and won.result_notice_ends_at is not None
        after_notice = won.result_notice_ends_at + timedelta(hours=10)
    clock.set(after_notice)  # the old flow refused this: 质疑 only during a "publicity"
    loser = t.bidders[2].principal
    with t.unit() as uow:
        challenge = award.raise_objection(uow, loser, t.section_code, "评分不当，请复核")
    with t.c.uow() as uow:
        r = t.round(uow)
        assert r.status == "awarded" and not r.is_suspended
        expected = award_periods.answer_due(procedure_of(r), calendar_of(uow), after_notice)
        assert challenge.answer_due_at == expected.ends_at.astimezone(UTC)
    raised = last_payload(t, "round.challenge_raised")
    assert raised["objection"]["text"] == "评分不当，请复核"
    with t.unit() as uow:
        award.answer_objection(uow, t.agency, t.section_code, challenge.id, "经复核，评分无误")
    assert last_payload(t, "round.challenge_answered")["objection"]["answer"] == "经复核，评分无误"


def test_gpreg_53_a_challenge_after_its_period_is_refused(container: Container,
                                                          clock: MovableClock) -> None:
    t = gov(container, clock, Stage.AWARDED)
    with t.c.uow() as uow:
        won = uow.session.get(Award, t.round(uow).id)
        assert won is not None and won.challenge_ends_at is not None
        clock.set(won.challenge_ends_at + timedelta(seconds=1))
    with pytest.raises(DomainError) as err, t.c.uow() as uow:
        award.raise_objection(uow, t.bidders[2].principal, t.section_code, "迟到的质疑")
    assert err.value.code == "CHALLENGE_TOO_LATE_GPREG_53"


def test_gpreg_33_losers_are_refunded_after_the_notice_and_the_winner_after_the_contract(
        container: Container, clock: MovableClock) -> None:
    t = gov(container, clock, Stage.AWARDED, deposit="800000.00")
    with t.c.uow() as uow:
        r = t.round(uow)
        won = uow.session.get(Award, r.id)
        assert won is not None
        losers_due = award_periods.unsuccessful_refund_due(
            procedure_of(r), calendar_of(uow), won.notice_issued_at).ends_at.astimezone(UTC)
        winner_party = _winner_party(uow, r, won)
        dues = _refund_dues(uow, r)
    assert dues.pop(winner_party) is None  # the winner's waits for the contract
    assert set(dues.values()) == {losers_due}
    t.at(Stage.CONTRACTED)
    with t.c.uow() as uow:
        r = t.round(uow)
        won = uow.session.get(Award, r.id)
        assert won is not None and won.contract_signed_at is not None
        after = _refund_dues(uow, r)
        contract_due = limits.refund_due(procedure_of(r), calendar_of(uow),
                                         won.contract_signed_at).ends_at.astimezone(UTC)
    assert after.pop(winner_party) == contract_due
    assert set(after.values()) == {losers_due}  # the contract did not move the losers' day


def _winner_party(uow: Any, r: Round, won: Award) -> int:
    return next(v.party_id for v in award.candidate_views(uow, r) if v.bid_id == won.bid_id)


def _refund_dues(uow: Any, r: Round) -> dict[int, datetime | None]:
    return {reg.party_id: reg.deposit_refund_due_at for reg in uow.session.scalars(
        select(Registration).where(Registration.round_id == r.id))}


def test_a_government_tender_is_built_to_its_contract(container: Container,
                                                      clock: MovableClock) -> None:
    t = gov(container, clock, Stage.CONTRACTED)
    with t.c.uow() as uow:
        r = t.round(uow)
        won = uow.session.get(Award, r.id)
        assert r.status == "contracted" and won is not None
        assert won.contract_amount == award.winner_view(uow, r, won).price
        assert won.contract_amount in set(t.prices)
