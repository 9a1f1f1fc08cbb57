"""Due dates after the award on a movable clock (core/services/overdue.py, award/filings.py,
award/contract.py): the written report (法 47) and the contract filing (政府采购法 47) tracked and
recorded, the 履约保证金 cap (条例 58), the interest shown with a refund (条例 57), the overdue
fee of a late government refund (87号令 38), the contract notice within 2 个工作日 (政采条例 50),
and one ``deadline.overdue`` per due date passed unmet, sent once by the scheduler's tick."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from adapters.bootstrap import Container
from core.clock import MovableClock
from core.model.account import AccountKind
from core.model.notice import Notice
from core.model.outbox import OutboxEvent
from core.model.tendering import Award
from core.rules import deposit_limits, reporting_periods
from core.rules.calendar import beijing_date, end_of_day
from core.services import overdue
from core.services.calendar import calendar_of
from core.services.deadlines import Rule, deadlines_of
from core.services.overdue import REFUNDS, overdue_rows
from core.services.tendering import award, closing, deposits
from core.services.tendering.award.rows import round_key
from core.services.tendering.procedure import procedure_of
from core.services.tendering.scheduler import run_due
from tests.builders.tender import GOV_PROCUREMENT, Stage, TenderBuilder
from tests.core.conftest import refused


def overdue_events(t: TenderBuilder) -> list[dict[str, Any]]:
    with t.c.session_factory() as s:
        return [dict(row.payload) for row in s.scalars(
            select(OutboxEvent).where(OutboxEvent.event_type == "deadline.overdue")
            .order_by(OutboxEvent.id))]


@dataclass(frozen=True)
class Due:
    rule: str
    ref_tag: str
    bound: str
    last_day: date
    warned_at: datetime | None


def due_day(t: TenderBuilder, rule: str) -> Due:
    with t.c.uow() as uow:
        row = next(d for d in deadlines_of(uow.session, t.round(uow)) if d.rule == rule)
        return Due(row.rule, row.ref_tag, row.bound, row.last_day, row.warned_at)


def past(t: TenderBuilder, row: Due) -> None:
    """The clock to the first second after the deadline's last day; the scheduler ticks."""
    t.clock.set(end_of_day(row.last_day) + timedelta(seconds=1))
    run_due(t.c.uow, t.c.signer)


def test_law_47_the_report_is_due_15_days_after_the_award_and_warned_once_when_late(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock).at(Stage.AWARDED)
    report = due_day(t, "award_report_due")
    with t.c.uow() as uow:
        won = uow.session.get(Award, t.round(uow).id)
        assert won is not None
        assert report.last_day == reporting_periods.award_report_due(
            procedure_of(t.round(uow)), calendar_of(uow), won.notice_issued_at).day
    assert report.ref_tag == "LAW_47" and report.bound == "due"
    t.clock.set(t.clock.now() + timedelta(days=1))
    run_due(t.c.uow, t.c.signer)
    assert overdue_events(t) == []  # not yet due
    past(t, report)
    warned = overdue_events(t)
    assert [(e["rule"], e["unmet"], e["ref"]) for e in warned] == [
        ("award_report_due", "award_report", "LAW_47")]
    assert warned[0]["section_code"] == t.section_code and warned[0]["party_ids"] == []
    run_due(t.c.uow, t.c.signer)
    assert len(overdue_events(t)) == 1  # once
    assert due_day(t, "award_report_due").warned_at is not None
    with t.unit() as uow:
        done = award.record_award_report(uow, t.agency, t.section_code)
        assert done.report_submitted_at == t.clock.now()
    past(t, due_day(t, "contract_due"))  # 30 日: no contract either
    assert [e["rule"] for e in overdue_events(t)] == ["award_report_due", "contract_due"]


def test_law_47_a_report_in_time_is_never_warned_and_filing_is_for_government(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, tag="RT").at(Stage.AWARDED)
    with t.unit() as uow:
        award.record_award_report(uow, t.agency, t.section_code)
    with t.unit() as uow:  # again: nothing changes
        award.record_award_report(uow, t.agency, t.section_code)
    past(t, due_day(t, "award_report_due"))
    assert overdue_events(t) == []
    refused(container, lambda uow: award.record_contract_filing(uow, t.agency, t.section_code),
            "RULE_NOT_APPLICABLE")


def test_reg_58_the_bond_is_capped_and_reg_57_the_refund_shows_its_interest(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, tag="BD", deposit="800000.00").at(Stage.AWARDED)
    t.clock.advance(timedelta(days=3))
    with t.c.uow() as uow:
        winner = award.winner_view(uow, t.round(uow), uow.session.get(Award, t.round(uow).id))
    price = winner.price
    assert price is not None
    over = (price / 10 + Decimal("0.01")).quantize(Decimal("0.01"))
    err = refused(container, lambda uow: award.record_contract(
        uow, t.agency, t.section_code, price, t.clock.now(), over),
        "PERFORMANCE_BOND_OVER_LIMIT_REG_58")
    assert "第五十八条" in err.message_zh
    with t.unit() as uow:
        award.record_contract(uow, t.agency, t.section_code, price, t.clock.now(), price / 10)
    with t.c.uow() as uow:
        won = uow.session.get(Award, t.round(uow).id)
        assert won is not None and won.performance_bond == price / 10
        regs = deposits.list_registrations(uow, t.staff, t.section_code)[1]
        party, paid_at = regs[0].party_id, regs[0].deposit_paid_at
    assert paid_at is not None
    with t.unit() as uow:
        reg = deposits.mark_refunded(uow, t.staff, t.section_code, party)
        days = (beijing_date(t.clock.now()) - beijing_date(paid_at)).days  # 算头不算尾
        interest, fee = deposits.refund_extras(t.round(uow), reg)
    assert fee is None and interest is not None and days > 0
    assert interest == (Decimal("800000.00") * Decimal("0.0035") * days / 360).quantize(
        Decimal("0.01"))
    with t.c.session_factory() as s:
        refunded = s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "deposit.refunded")).one()
        assert Decimal(str(refunded.payload["interest"])) == interest


def test_gpl_47_the_filing_is_tracked_gpreg_50_the_notice_is_immediate_and_mof87_38_the_fee(
        container: Container, clock: MovableClock) -> None:
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT, tag="GF",
                      deposit="50000.00").at(Stage.CONTRACTED)
    filing = due_day(t, "contract_filing_due")
    assert filing.ref_tag == "GPL_47"
    with t.c.uow() as uow:
        r = t.round(uow)
        won = uow.session.get(Award, r.id)
        assert won is not None and won.contract_signed_at is not None
        notice = uow.session.scalars(select(Notice).where(Notice.notice_type == "contract")
                                     .order_by(Notice.id.desc())).first()
        assert notice is not None and notice.published_at is not None
        reporting_periods.check_contract_published(procedure_of(r), calendar_of(uow),
                                                   won.contract_signed_at, notice.published_at)
        assert not uow.session.get(Award, r.id).contract_filed_at  # type: ignore[union-attr]
        owed = sorted(reg.party_id for reg in deposits.list_registrations(
            uow, t.staff, t.section_code)[1])
    past(t, filing)
    kinds = {e["rule"]: e for e in overdue_events(t)}
    assert set(kinds) == {"contract_filing_due", "unsuccessful_refund_due", "refund_due"}
    losers = sorted(kinds["unsuccessful_refund_due"]["party_ids"])
    winner = kinds["refund_due"]["party_ids"]
    assert len(winner) == 1 and sorted(losers + winner) == owed
    with t.unit() as uow:
        award.record_contract_filing(uow, t.agency, t.section_code)
        reg = deposits.mark_refunded(uow, t.staff, t.section_code, losers[0])
        assert reg.deposit_refund_due_at is not None
        _, fee = deposits.refund_extras(t.round(uow), reg)
    assert fee is not None and fee > 0  # refunded after its due date: 87号令 38
    run_due(t.c.uow, t.c.signer)
    assert len(overdue_events(t)) == 3  # each warned once


def test_reg_57_the_refund_interest_is_at_the_centres_own_rate(
        container: Container, clock: MovableClock) -> None:
    """GGZY_DEPOSIT_INTEREST_RATE_PERCENT: the rate the centre's bank pays, not the code's."""
    centre = dataclasses.replace(container, settings=dataclasses.replace(
        container.settings, deposit_rates=deposit_limits.deposit_rates(Decimal("1.5"))))
    t = TenderBuilder(centre, clock, tag="BR", deposit="720000.00").at(Stage.CONTRACTED)
    t.clock.advance(timedelta(days=3))
    with t.c.uow() as uow:
        reg = deposits.list_registrations(uow, t.staff, t.section_code)[1][0]
        party, paid_at = reg.party_id, reg.deposit_paid_at
    assert paid_at is not None
    with t.unit() as uow:
        reg = deposits.mark_refunded(uow, t.staff, t.section_code, party)
        interest, _ = deposits.refund_extras(t.round(uow), reg, uow.deposit_rates)
    days = (beijing_date(t.clock.now()) - beijing_date(paid_at)).days
    assert interest == (Decimal("720000.00") * Decimal("0.015") * days / 360).quantize(
        Decimal("0.01"))
    with t.c.session_factory() as s:
        refunded = s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "deposit.refunded")).one()
    assert Decimal(str(refunded.payload["interest"])) == interest


def test_gpl_46_a_terminated_rounds_due_dates_are_neither_read_nor_warned(
        container: Container, clock: MovableClock) -> None:
    """The scan leaves an ended round's due dates out in its query, its refunds apart (still
    owed): a result found void (94号令 32) ends the contract owed, so no tick reads or warns
    it."""
    t = TenderBuilder(container, clock, kind=GOV_PROCUREMENT, tag="TX",
                      deposit=None).at(Stage.AWARDED)
    contract = due_day(t, "contract_due")
    supervisor = t._account("supervisor", AccountKind.SUPERVISOR)
    with t.unit() as uow:
        closing.terminate_round(uow, supervisor, t.section_code, "投诉成立，中标结果无效")
        subject = round_key(t.round(uow))
    t.clock.set(end_of_day(contract.last_day) + timedelta(days=1))
    with t.c.uow() as uow:
        due = {row.rule for row in overdue_rows(uow, t.clock.now()) if row.subject_id == subject}
    assert due == {"unsuccessful_refund_due"}  # not award_notice_due nor contract_due
    assert {Rule(rule) for rule in due} <= REFUNDS  # the refunds are still owed (条例 31 alike)
    read: list[str] = []
    original = overdue.round_of

    def spy(uow: Any, subject_id: str) -> Any:
        read.append(subject_id)
        return original(uow, subject_id)

    overdue.round_of = spy  # type: ignore[assignment]
    try:
        run_due(t.c.uow, t.c.signer)
        run_due(t.c.uow, t.c.signer)  # the next tick: still nothing read
    finally:
        overdue.round_of = original  # type: ignore[assignment]
    assert read.count(subject) == 2  # its refund row only, once a tick; the others never read
    assert not [e for e in overdue_events(t) if e["rule"] == "contract_due"]
    assert due_day(t, "contract_due").warned_at is None  # left alone, not marked
