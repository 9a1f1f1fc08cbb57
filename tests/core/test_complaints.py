"""Objections by stage and 投诉 through the use cases, on the moved clock (tests/builders): an
objection to the documents holds the round and gives its time back (条例 22), one to the opening
is heard on site (条例 44), a 利害关系人 objects to the result by stating its interest (条例 54),
a 质疑 per stage (94号令 10); a 投诉 suspends and resolves a round through the supervision use
cases, a government suspension ends by itself after 30 日 (政府采购法 57), and late or premature
complaints are refused with their articles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from core.clock import MovableClock
from core.errors import ErrorKind
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from core.model.party import PartyKind
from core.model.tendering import Candidate, Complaint, Evaluation, Objection, Publicity, Round
from core.rules import complaint_periods
from core.rules.calendar import beijing_date
from core.rules.procedures import ObjectionStage
from core.security.principal import Principal
from core.services import accounts, parties
from core.services.calendar import calendar_of
from core.services.tendering import award, complaints, evaluation
from core.services.tendering.closing import terminate_round
from core.services.tendering.complaints import Outcome, Remedy
from core.services.tendering.opening_window import opening_ends
from core.services.tendering.procedure import procedure_of
from core.services.tendering.scheduler import run_due
from tests.builders.tender import GOV_PROCUREMENT, PASSWORD, Stage, TenderBuilder, uscc
from tests.core.conftest import make_principal, refused

DOCUMENTS, OPENING = ObjectionStage.DOCUMENTS, ObjectionStage.OPENING


def payloads(t: TenderBuilder, event_type: str) -> list[dict[str, Any]]:
    with t.c.session_factory() as s:
        return [dict(e.payload) for e in s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == event_type).order_by(OutboxEvent.id))]


def current(t: TenderBuilder) -> Round:
    with t.c.uow() as uow:
        r = t.round(uow)
        uow.session.expunge(r)
        return r


def outsider(t: TenderBuilder, role: str = "bidder") -> Principal:
    """A party of the platform that takes no part in the round."""
    with t.unit() as uow:
        _, account = parties.register_party(uow, parties.PartyDetails(
            kind=PartyKind.ORGANISATION, name=f"旁观者（{t.tag}）", uscc=uscc(f"MA2Y{t.tag}X9"),
            region_code="350100", roles=frozenset({role})), f"{t.tag.lower()}-outsider",
            PASSWORD)
        return accounts.principal_of(account)


@pytest.fixture
def supervisor(container: Container) -> Principal:
    return make_principal(container, "supervisor", AccountKind.SUPERVISOR)


def test_reg_22_a_documents_objection_holds_the_round_and_gives_its_time_back(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, tag="DC").at(Stage.BIDS)
    deadline = current(t).bid_deadline
    stranger = outsider(t)
    refused(container, lambda uow: award.raise_objection(
        uow, stranger, t.section_code, "文件资格条件排斥潜在投标人", stage=DOCUMENTS),
        "NOT_A_POTENTIAL_BIDDER", ErrorKind.FORBIDDEN)
    bidder = t.bidders[0].principal
    with t.unit() as uow:
        objection = award.raise_objection(uow, bidder, t.section_code,
                                          "资格条件排斥潜在投标人", stage=DOCUMENTS)
    raised_at = objection.raised_at
    assert current(t).next_check is None  # held: the deadline does not pass (条例 22)
    [raised] = payloads(t, "round.stage_objection_raised")
    assert raised["objection"]["stage"] == "documents"
    assert raised["objection"]["party_id"] is None  # before the deadline: nobody named (法 22)
    clock.set(deadline + timedelta(hours=1))
    assert run_due(container.uow, container.signer) == 0
    assert current(t).status == "bidding"
    with t.unit() as uow:
        award.answer_objection(uow, t.agency, t.section_code, objection.id,
                               "资格条件合法，不予修改")
    r = current(t)
    assert r.bid_deadline == deadline + (clock.now() - raised_at)  # the held time given back
    assert r.next_check == r.bid_deadline
    [answered] = payloads(t, "round.stage_objection_answered")
    assert answered["bid_deadline"] == r.bid_deadline.isoformat()


def test_reg_22_an_objection_to_the_documents_closer_than_10_days_is_refused(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, tag="DL").at(Stage.BIDS)
    clock.set(current(t).bid_deadline - timedelta(days=9))
    err = refused(container, lambda uow: award.raise_objection(
        uow, t.bidders[1].principal, t.section_code, "迟到的异议", stage=DOCUMENTS),
        "OBJECTION_TOO_LATE_REG_22")
    assert err.details["rule"] == "REG_22"


def test_reg_44_an_opening_objection_is_heard_on_site_and_nowhere_else(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, tag="PA").at(Stage.BIDS)
    bidder = t.bidders[2].principal
    refused(container, lambda uow: award.raise_objection(
        uow, bidder, t.section_code, "开标前的异议", stage=OPENING),
        "OBJECTION_OUTSIDE_OPENING_REG_44")
    stranger = outsider(t)
    clock.set(current(t).bid_deadline)
    run_due(container.uow, container.signer)
    refused(container, lambda uow: award.raise_objection(
        uow, stranger, t.section_code, "不是投标人", stage=OPENING),
        "NOT_A_BIDDER_OF_ROUND", ErrorKind.FORBIDDEN)
    clock.advance(timedelta(minutes=10))
    with t.unit() as uow:
        objection = award.raise_objection(uow, bidder, t.section_code, "唱标价格与投标文件不符",
                                          stage=OPENING)
    window_end = opening_ends(current(t))
    assert objection.answer_due_at == window_end  # 当场作出答复
    with t.unit() as uow:
        award.answer_objection(uow, t.agency, t.section_code, objection.id, "经核对，唱标无误")
    [answered] = payloads(t, "round.stage_objection_answered")
    assert answered["objection"]["answer"] == "经核对，唱标无误"
    clock.set(window_end + timedelta(seconds=1))
    refused(container, lambda uow: award.raise_objection(
        uow, bidder, t.section_code, "开标结束后的异议", stage=OPENING),
        "OBJECTION_OUTSIDE_OPENING_REG_44")


def test_reg_54_an_interested_party_objects_to_the_result_by_stating_its_interest(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, tag="RP").at(Stage.PUBLICISED)
    other = outsider(t, "tenderer")
    refused(container, lambda uow: award.raise_objection(uow, other, t.section_code, "异议"),
            "NOT_A_BIDDER_OF_ROUND", ErrorKind.FORBIDDEN)
    with t.unit() as uow:
        objection = award.raise_objection(uow, other, t.section_code, "第一候选人业绩造假",
                                          interest="第一中标候选人的分包单位，合同权益受影响")
    assert objection.interest == "第一中标候选人的分包单位，合同权益受影响"
    with t.c.uow() as uow:
        p = uow.session.get(Publicity, t.round(uow).id)
        assert p is not None and p.status == "suspended"
    assert payloads(t, "round.objection_raised")[0]["objection"]["interest"] is not None


def test_mof94_10_a_documents_challenge_suspends_nothing_and_comes_once(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT, tag="GD").at(Stage.BIDS)
    supplier = t.bidders[0].principal
    with t.unit() as uow:
        award.raise_objection(uow, supplier, t.section_code, "技术参数指向特定品牌",
                              stage=DOCUMENTS)
    r = current(t)
    assert r.next_check == r.bid_deadline  # 质疑 suspends nothing
    [raised] = payloads(t, "round.challenge_raised")
    assert raised["objection"]["stage"] == "documents" and raised["objection"]["party_id"] is None
    refused(container, lambda uow: award.raise_objection(
        uow, supplier, t.section_code, "再次质疑", stage=DOCUMENTS),
        "CHALLENGE_ALREADY_RAISED_MOF94_10")
    clock.advance(timedelta(days=12))  # past 7 个工作日 from the registration
    refused(container, lambda uow: award.raise_objection(
        uow, t.bidders[1].principal, t.section_code, "迟到的质疑", stage=DOCUMENTS),
        "CHALLENGE_TOO_LATE_GPREG_53")


def _objected_and_answered(t: TenderBuilder) -> tuple[Principal, int]:
    loser = t.bidders[2].principal
    with t.unit() as uow:
        objection = award.raise_objection(uow, loser, t.section_code, "第一候选人业绩造假")
    t.clock.advance(timedelta(hours=20))
    with t.unit() as uow:
        award.answer_objection(uow, t.agency, t.section_code, objection.id, "经核查，业绩真实")
    return loser, objection.id


def test_a_complaint_suspends_and_resolves_a_round(container: Container, clock: MovableClock,
                                                   supervisor: Principal) -> None:
    """The issue's "done when": an engineering 投诉 after the objection, accepted, the round
    suspended, and the decision — a re-evaluation — carried out on it."""
    t = TenderBuilder(container, clock, tag="CT").at(Stage.PUBLICISED)
    loser, objection_id = _objected_and_answered(t)
    with t.unit() as uow:
        c = complaints.raise_complaint(uow, loser, t.section_code, "请求认定中标候选人业绩造假",
                                       objection_id=objection_id)
    complaint_id = c.id
    refused(container, lambda uow: complaints.accept(uow, loser, complaint_id),
            "ROLE_NOT_ALLOWED", ErrorKind.FORBIDDEN)
    with t.unit() as uow:
        accepted = complaints.accept(uow, supervisor, complaint_id)
        assert accepted.decision_due_at is not None
    with t.unit() as uow:
        complaints.suspend(uow, supervisor, complaint_id, "榕建监〔2026〕40号", "调查期间暂停")
    r = current(t)
    assert r.is_suspended and r.suspension_instruction == "榕建监〔2026〕40号"
    clock.advance(timedelta(days=20))
    assert run_due(container.uow, container.signer) == 0  # no cap in engineering (条例 62)
    assert current(t).is_suspended
    with t.unit() as uow:
        complaints.decide(uow, supervisor, complaint_id, Outcome.UPHELD, Remedy.RE_EVALUATE,
                          "榕建监〔2026〕41号", "投诉成立，责令评标委员会重新评审")
    with t.c.uow() as uow:
        r = t.round(uow)
        assert r.status == "evaluating" and not r.is_suspended
        e = uow.session.get(Evaluation, r.id)
        assert e is not None and e.status == "scoring" and e.result is None
        assert uow.session.get(Publicity, r.id) is None
        assert not uow.session.scalars(select(Candidate).where(Candidate.round_id == r.id)).all()
        kept = uow.session.get(Complaint, complaint_id)
        assert kept is not None and (kept.status, kept.outcome, kept.remedy) == (
            "decided", "upheld", "re_evaluate")
    assert [p["complaint"]["status"] for p in payloads(t, "round.complaint_decided")] == [
        "decided"]
    assert payloads(t, "round.resumed")[0]["instruction_no"] == "榕建监〔2026〕41号"
    assert payloads(t, "round.re_evaluation_ordered")[0]["instruction_no"] == "榕建监〔2026〕41号"
    t.score()  # the committee scores again and reports: the round goes on
    with t.unit() as uow:
        evaluation.generate_report(uow, t.experts[0], t.section_code)
    with t.c.uow() as uow:
        e = uow.session.get(Evaluation, t.round(uow).id)
        assert e is not None and e.status == "reported"


def test_reg_60_a_complaint_waits_for_the_answer_and_comes_within_10_days(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, tag="CL").at(Stage.PUBLICISED)
    loser = t.bidders[2].principal
    with t.unit() as uow:
        objection = award.raise_objection(uow, loser, t.section_code, "评分错误")
    oid = objection.id
    stranger = outsider(t)
    refused(container, lambda uow: complaints.raise_complaint(
        uow, loser, t.section_code, "投诉", objection_id=oid), "COMPLAINT_BEFORE_ANSWER_REG_60")
    refused(container, lambda uow: complaints.raise_complaint(
        uow, t.bidders[0].principal, t.section_code, "投诉", objection_id=oid),
        "NOT_THE_OBJECTOR", ErrorKind.FORBIDDEN)
    refused(container, lambda uow: complaints.raise_complaint(
        uow, stranger, t.section_code, "投诉", knew_at=clock.now()),
        "NOT_A_PARTY_OF_ROUND", ErrorKind.FORBIDDEN)
    clock.advance(timedelta(days=1))
    with t.unit() as uow:
        award.answer_objection(uow, t.agency, t.section_code, oid, "评分无误")
    with t.c.uow() as uow:
        o = uow.session.get(Objection, oid)
        assert o is not None and o.answered_at is not None
        raised_day = beijing_date(o.raised_at)
        last = complaint_periods.complaint_ends(procedure_of(t.round(uow)), calendar_of(uow),
                                                objection_raised_at=o.raised_at,
                                                answer_ends_at=o.answered_at)
    # 10 日 from the objection, the answer's day not counted (条例 60)
    assert last.day >= raised_day + timedelta(days=11)
    clock.set(last.ends_at + timedelta(seconds=1))
    err = refused(container, lambda uow: complaints.raise_complaint(
        uow, loser, t.section_code, "投诉", objection_id=oid), "COMPLAINT_TOO_LATE_REG_60")
    assert err.details["rule"] == "REG_60"
    # another matter, straight to the supervisor, from the day the bidder knew of it
    with t.unit() as uow:
        other = complaints.raise_complaint(uow, t.bidders[1].principal, t.section_code,
                                           "评标专家与投标人存在利害关系", knew_at=clock.now())
    assert other.objection_id is None and other.stage is None


def test_gpl_57_a_government_suspension_ends_by_itself_after_30_days(
        container: Container, clock: MovableClock, supervisor: Principal) -> None:
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT, tag="GC").at(Stage.AWARDED)
    loser = t.bidders[2].principal
    refused(container, lambda uow: complaints.raise_complaint(
        uow, loser, t.section_code, "未经质疑的投诉", knew_at=clock.now()),
        "COMPLAINT_WITHOUT_OBJECTION_GPL_55")
    with t.unit() as uow:
        challenge = award.raise_objection(uow, loser, t.section_code, "评分不当")
    clock.advance(timedelta(days=1))
    with t.unit() as uow:
        award.answer_objection(uow, t.agency, t.section_code, challenge.id, "评分无误")
        challenge_id = challenge.id
    with t.unit() as uow:
        c = complaints.raise_complaint(uow, loser, t.section_code, "请求认定中标结果无效",
                                       objection_id=challenge_id)
        complaint_id = c.id
    with t.unit() as uow:
        complaints.accept(uow, supervisor, complaint_id)
    with t.unit() as uow:
        suspended = complaints.suspend(uow, supervisor, complaint_id, "榕财采〔2026〕8号",
                                       "暂停采购活动")
        cap = suspended.suspension_ends_at
    assert cap is not None and current(t).is_suspended
    clock.set(cap)
    run_due(container.uow, container.signer)
    assert current(t).is_suspended  # the 30th day still counts
    clock.set(cap + timedelta(seconds=1))
    run_due(container.uow, container.signer)
    r = current(t)
    assert not r.is_suspended and r.status == "awarded"
    resumed = payloads(t, "round.resumed")[-1]
    assert resumed["suspension_instruction"] == "榕财采〔2026〕8号"
    refused(container, lambda uow: complaints.suspend(
        uow, supervisor, complaint_id, "榕财采〔2026〕9号", "再次暂停"),
        "COMPLAINT_SUSPENSION_OVER_LIMIT_GPL_57")
    # only the supervisor's decision ends an awarded round: the result found void
    refused(container, lambda uow: terminate_round(uow, t.agency, t.section_code, "自行终止"),
            "ROUND_NOT_TERMINABLE")
    with t.unit() as uow:
        complaints.decide(uow, supervisor, complaint_id, Outcome.UPHELD,
                          Remedy.NEW_PROCUREMENT, "榕财采〔2026〕10号",
                          "中标结果无效，责令重新开展采购活动")
    assert current(t).status == "terminated"
    assert payloads(t, "round.terminated")
