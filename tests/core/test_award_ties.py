"""Settling a 并列 among the candidates (87号令 68; engineering: the documents), on tenders built
through the use cases (tests/builders): by the documents with the clause cited, by an audited
draw the record reproduces, a tie across the third place, who may settle, and the publicity
and the award waiting for it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update

from adapters.bootstrap import Container
from core.audit import digest, snapshot
from core.clock import MovableClock
from core.errors import ErrorKind
from core.evaluation.draw import reproduces
from core.model.audit import AuditEntry
from core.model.outbox import OutboxEvent
from core.model.tendering import Candidate, Publicity, TieSettlementRecord
from core.services.tendering import award, evaluation
from tests.builders.tender import (
    ENGINEERING,
    GOV_PROCUREMENT,
    Domain,
    Scores,
    Stage,
    TenderBuilder,
)
from tests.core.conftest import refused

SAME = "39650000.00"
CLAUSE = "招标文件第二章投标人须知前附表第7.1款：得分且投标报价相同的，技术部分得分高者优先"


def equal(member: int, bid: int) -> dict[str, Decimal]:
    return {"technical": Decimal(35), "commercial": Decimal(15)}


def tied(container: Container, clock: MovableClock, *, kind: Domain = GOV_PROCUREMENT,
         prices: tuple[str, ...] = (SAME, SAME, "40920000.00"), scores: Scores = equal,
         sign: bool = True) -> TenderBuilder:
    """A tender whose report is generated (and signed) with the bids the scores tie."""
    t = TenderBuilder(container, clock, kind=kind, prices=prices).at(Stage.EVALUATING)
    t.score(scores)
    with t.unit() as uow:
        evaluation.generate_report(uow, t.experts[0], t.section_code)
    if sign:
        for expert in t.experts:
            with t.unit() as uow:
                evaluation.sign_report(uow, expert, t.section_code, True)
    t.stage = Stage.REPORTED
    return t


def candidates(t: TenderBuilder) -> list[tuple[int, int, bool]]:
    with t.c.uow() as uow:
        return [(c.rank, c.bid_id, c.tied) for c in uow.session.scalars(
            select(Candidate).where(Candidate.round_id == t.round(uow).id)
            .order_by(Candidate.rank, Candidate.bid_id))]


def events(container: Container, kind: str) -> list[dict[str, object]]:
    with container.uow() as uow:
        return [dict(e.payload) for e in uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == kind).order_by(OutboxEvent.id))]


def test_the_publicity_waits_for_a_tie(container: Container, clock: MovableClock) -> None:
    t = tied(container, clock, kind=ENGINEERING)
    first, second, third = t.bid_ids()
    assert candidates(t) == [(1, first, True), (1, second, True), (3, third, False)]
    ends = clock.now().replace(year=clock.now().year + 1)
    error = refused(container, lambda uow: award.start_publicity(
        uow, t.agency, t.section_code, ends), "CANDIDATE_TIE_UNSETTLED_MOF87_68",
        ErrorKind.CONFLICT)
    assert "招标文件" in error.message_zh and error.details["tied_bids"] == [first, second]


def test_mof87_68_the_purchasers_decision_and_the_deemed_one_wait_for_a_tie(
        container: Container, clock: MovableClock) -> None:
    """政府采购: nobody is first while the first place is tied, so the purchaser cannot decide
    and the scheduler deems nobody chosen; once settled, the period's end is due again."""
    from core.model.tendering import Decision
    from core.services.tendering.scheduler import run_due

    t = tied(container, clock)
    first, second, _ = t.bid_ids()
    error = refused(container, lambda uow: award.decide(uow, t.agency, t.section_code),
                    "CANDIDATE_TIE_UNSETTLED_MOF87_68", ErrorKind.CONFLICT)
    assert "第六十八条" in error.message_zh
    with t.c.uow() as uow:
        assert t.round(uow).next_check is None  # no deemed choice while tied
    clock.set(clock.now().replace(year=clock.now().year + 1))  # long past the 5 个工作日
    assert run_due(t.c.uow, t.c.signer) == 0
    with t.unit() as uow:
        award.settle_by_documents(uow, t.agency, t.section_code, rank=1, order=[second, first],
                                  reason=CLAUSE)
    with t.c.uow() as uow:
        assert t.round(uow).next_check is not None  # the period is over: due at once
    assert run_due(t.c.uow, t.c.signer) == 1
    with t.c.uow() as uow:
        deemed = uow.session.get(Decision, t.round(uow).id)
        assert deemed is not None and deemed.deemed and deemed.bid_id == second


def test_by_documents_the_clause_gives_the_order_and_the_publicity_follows(
        container: Container, clock: MovableClock) -> None:
    t = tied(container, clock, kind=ENGINEERING)
    first, second, third = t.bid_ids()
    with t.unit() as uow:
        settled = award.settle_by_documents(uow, t.agency, t.section_code, rank=1,
                                            order=[second, first], reason=CLAUSE)
    assert (settled.method, settled.order, settled.dropped, settled.reason, settled.draw) == (
        award.TieMethod.DOCUMENTS, (second, first), (), CLAUSE, None)
    assert [(c.rank, c.bid_id, c.tied) for c in settled.candidates] == [
        (1, second, False), (2, first, False), (3, third, False)]
    assert candidates(t) == [(1, second, False), (2, first, False), (3, third, False)]
    with t.c.uow() as uow:
        record = uow.session.scalars(select(TieSettlementRecord)).one()
        assert (record.shared_rank, record.bids, record.order, record.reason) == (
            1, sorted([first, second]), [second, first], CLAUSE)
        entry = uow.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "candidates.tie_settled")).one()
        assert entry.after_digest == digest(snapshot(record))  # the audit seals the record
        assert uow.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "candidates.rank")).all() == ["candidates.rank"]
    [event] = events(container, "round.candidates_tie_settled")
    assert (event["shared_rank"], event["method"], event["order"], event["reason"]) == (
        1, "documents", [second, first], CLAUSE)
    assert [c["bid_id"] for c in event["candidates"]] == [second, first, third]  # type: ignore[attr-defined]
    t.at(Stage.PUBLICISED)  # nothing tied: the publicity starts
    with t.c.uow() as uow:
        assert uow.session.get(Publicity, t.round(uow).id) is not None


def test_by_documents_needs_the_clause_and_the_whole_tie(container: Container,
                                                         clock: MovableClock) -> None:
    t = tied(container, clock)
    first, second, third = t.bid_ids()

    def settle(order: list[int], reason: str = CLAUSE, rank: int = 1) -> object:
        return lambda uow: award.settle_by_documents(uow, t.agency, t.section_code, rank=rank,
                                                     order=order, reason=reason)

    refused(container, settle([second, first], "  "), "FIELD_REQUIRED")
    for order in ([second], [second, first, first], [second, third], []):
        assert refused(container, settle(order), "TIE_ORDER_MISMATCH").details["field"] == "order"
    error = refused(container, settle([third], rank=3), "CANDIDATE_TIE_NOT_FOUND")
    assert error.details["tied_ranks"] == [1]
    bidder = t.bidders[0].principal
    refused(container, lambda uow: award.settle_by_documents(
        uow, bidder, t.section_code, rank=1, order=[second, first], reason=CLAUSE),
        "NOT_PROJECT_OWNER", ErrorKind.FORBIDDEN)
    refused(container, lambda uow: award.settle_tie(
        uow, t.agency, t.section_code, rank=1, method=award.TieMethod.DRAW,
        order=[first, second]), "TIE_ORDER_NOT_WITH_DRAW")


def test_not_before_the_report_is_signed_off(container: Container, clock: MovableClock) -> None:
    t = tied(container, clock, sign=False)
    refused(container, lambda uow: award.settle_by_draw(uow, t.agency, t.section_code, rank=1),
            "EVALUATION_NOT_SIGNED_OFF")
    # nor does the owner read the candidates before the report is handed over (条例 53)
    refused(container, lambda uow: award.get_ties(uow, t.owner, t.section_code), "FORBIDDEN",
            ErrorKind.FORBIDDEN)
    with t.c.uow() as uow:
        _, listed, _ = award.get_ties(uow, t.staff, t.section_code)  # oversight does
        assert [c.tied for c in listed] == [True, True, False]


def test_by_draw_the_record_reproduces_the_order(container: Container,
                                                 clock: MovableClock) -> None:
    t = tied(container, clock)
    first, second, third = t.bid_ids()
    with t.unit() as uow:
        settled = award.settle_by_draw(uow, t.owner, t.section_code, rank=1,
                                       reason="招标文件未规定并列的处理方式，随机抽取")
    assert settled.draw is not None and settled.method is award.TieMethod.DRAW
    assert sorted(settled.order) == sorted([first, second]) and settled.draw.order == settled.order
    assert len(settled.draw.seed) == 64  # 32 bytes from secrets, hex
    with t.c.uow() as uow:
        record = uow.session.scalars(select(TieSettlementRecord)).one()
        stored = record.draw
        assert stored is not None and reproduces(stored)
        assert stored["bids"] == sorted([first, second])
        assert record.order == list(settled.order)
    [event] = events(container, "round.candidates_tie_settled")
    assert event["draw"] == stored and reproduces(stored)
    winner, runner_up = settled.order
    assert candidates(t) == [(1, winner, False), (2, runner_up, False), (3, third, False)]


def scores_for_four(member: int, bid: int) -> dict[str, Decimal]:
    """The first bid best; the other three equal."""
    return {"technical": Decimal(39 if bid == 0 else 30), "commercial": Decimal(15)}


def test_a_tie_across_the_third_place_keeps_three_after_the_draw(
        container: Container, clock: MovableClock) -> None:
    """Engineering (条例 53: at most three): X first, A, B and C tied for the second place —
    all four are reported, the draw orders A, B, C and the last of them is no candidate."""
    t = tied(container, clock, kind=ENGINEERING,
             prices=(SAME, SAME, SAME, SAME), scores=scores_for_four)
    x, *others = t.bid_ids()
    assert candidates(t) == [(1, x, False)] + [(2, b, True) for b in sorted(others)]
    with t.c.uow() as uow:
        result = evaluation.get_evaluation(uow, t.experts[0], t.section_code).evaluation.result
        assert result is not None and result["places"] == 3
        assert len(result["candidates"]) == 4
    with t.unit() as uow:
        settled = award.settle_by_draw(uow, t.agency, t.section_code, rank=2)
    second, third, out = settled.order
    assert settled.dropped == (out,)
    assert candidates(t) == [(1, x, False), (2, second, False), (3, third, False)]
    t.at(Stage.PUBLICISED)


def test_the_award_waits_for_a_tie(container: Container, clock: MovableClock) -> None:
    """Only a round whose candidates were tied after the publicity (not reachable through the use
    cases: the publicity refuses a tie) shows the award's own guard."""
    t = TenderBuilder(container, clock).at(Stage.PUBLICISED).end_publicity()
    with t.unit() as uow:
        uow.session.execute(update(Candidate).where(
            Candidate.round_id == t.round(uow).id, Candidate.rank <= 2).values(rank=1, tied=True))
    error = refused(container, lambda uow: award.issue_award(uow, t.agency, t.section_code),
                    "CANDIDATE_TIE_UNSETTLED_MOF87_68")
    assert "招标文件" in error.message_zh and "第五十五条" in error.message_zh  # engineering
    refused(container, lambda uow: award.settle_by_draw(uow, t.agency, t.section_code, rank=1),
            "ROUND_NOT_EVALUATING")
