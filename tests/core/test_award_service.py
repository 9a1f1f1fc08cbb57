"""The award's use cases on tenders built through the use cases (tests/builders): who may be
awarded (条例 55, 法 40), what the publicity and its objections allow, and the contract."""

from __future__ import annotations

import pytest

from adapters.bootstrap import Container
from core.clock import MovableClock
from core.errors import DomainError
from core.model.tendering import Award
from core.services.tendering import award
from tests.builders.tender import GOV_PROCUREMENT, Stage, TenderBuilder


def awarded_rank(t: TenderBuilder, **choice: object) -> int:
    with t.unit() as uow:
        won = award.issue_award(uow, t.agency, t.section_code, **choice)  # type: ignore[arg-type]
        return award.winner_view(uow, t.round(uow), won).rank


def test_an_engineering_owner_may_choose_among_the_candidates(container: Container,
                                                              clock: MovableClock) -> None:
    t = TenderBuilder(container, clock).at(Stage.PUBLICISED).end_publicity()
    assert awarded_rank(t, rank=2) == 2  # not state funded: 招标投标法 第四十条


def test_government_procurement_awards_in_rank(container: Container,
                                               clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT).at(Stage.REPORTED)
    with pytest.raises(DomainError) as err, t.c.uow() as uow:
        award.issue_award(uow, t.agency, t.section_code, rank=2)
    assert err.value.code == "AWARD_NOT_FIRST_RANKED_REG_55"
    assert awarded_rank(t, declined_ranks=[1]) == 2  # the first gave up: the next in rank


def test_no_award_while_the_publicity_runs(container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock).at(Stage.PUBLICISED)
    with pytest.raises(DomainError) as err, t.c.uow() as uow:
        award.issue_award(uow, t.agency, t.section_code)
    assert err.value.code == "PUBLICITY_NOT_ENDED"
    with t.c.uow() as uow:
        assert uow.session.get(Award, t.round(uow).id) is None


def test_a_tender_is_built_to_its_contract(container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock).at(Stage.CONTRACTED)
    with t.c.uow() as uow:
        r = t.round(uow)
        won = uow.session.get(Award, r.id)
        assert r.status == "contracted" and won is not None
        assert won.contract_signed_at == clock.now()
