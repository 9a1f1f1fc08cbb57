"""The deposit ledger and bank credits (issue 13 §2, §3, §4, §6), on PostgreSQL.

Sub-accounts are made here as the bank adapter will make them (a row with the bank's number); the
credits go through the use case the adapter will call, the reads through REST."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from adapters.bootstrap import Container
from adapters.cli import main
from core.clock import MovableClock
from core.model.account import Account, AccountKind
from core.model.bank import BankSubAccount, RefundLine
from core.model.ledger import LedgerAccountKind, LedgerEntry, SourceKind
from core.model.outbox import OutboxEvent
from core.model.party import Party
from core.model.tendering import Registration, Round
from core.services.accounts import principal_of
from core.services.banking import credits, ledger, refunds
from core.services.banking.credits import CreditNotice
from core.services.tendering import deposits
from tests.api.conftest import Api, fingerprint
from tests.api.test_api_tendering import Tender
from tests.core.conftest import refused

BANK = "demo-line"
DEPOSIT = Decimal("800000.00")
BASIC = "3501 0000 1111 2222"


class Bidding:
    """A round open for bids (deadline 21 days out, an 800,000.00 deposit) with two registered
    bidders, b1 and b2, each given a virtual sub-account by the bank; b1 registered its
    基本账户."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.clock: MovableClock = api.container.clock  # type: ignore[assignment]
        self.t = Tender(api)
        self.t.issue()
        self.section = self.t.section
        self.party: dict[str, int] = {}
        self.headers: dict[str, dict[str, str]] = {}
        for name, body8 in (("b1", "MA2YB001"), ("b2", "MA2YB002")):
            self.party[name], self.headers[name] = api.register(name, body8, ["bidder"])
            r = api.client.post(f"/api/v1/sections/{self.section}/registration",
                                headers=self.headers[name])
            assert r.status_code == 200, r.text
        api.account("staff", AccountKind.CENTRE_STAFF)
        api.account("jdz", AccountKind.SUPERVISOR)
        with api.container.session_factory() as s:
            self.round_id = s.scalars(select(Round.id)).one()
            regs = {reg.party_id: reg.id for reg in s.scalars(select(Registration))}
            self.registration = {name: regs[pid] for name, pid in self.party.items()}
            for name in self.party:
                s.add(BankSubAccount(bank=BANK, number=self.sub(name), round_id=self.round_id,
                                     registration_id=self.registration[name],
                                     opened_at=self.clock.now()))
            s.get(Party, self.party["b1"]).basic_account_no = BASIC  # type: ignore[union-attr]
            s.commit()

    @property
    def staff(self) -> dict[str, str]:
        return self.api.token("staff")  # signed in now: a token does not outlive the clock

    @property
    def supervisor(self) -> dict[str, str]:
        return self.api.token("jdz")

    def sub(self, name: str) -> str:
        return f"9558{name}0001"

    def notice(self, serial: str, name: str, amount: str, *, payer: str = "3501000011112222",
               arrived_at: datetime | None = None, **other: Any) -> CreditNotice:
        values: dict[str, Any] = dict(
            bank=BANK, bank_serial=serial, sub_account=self.sub(name), amount=Decimal(amount),
            currency="CNY", payer_account=payer, payer_name=f"{name} 有限公司",
            arrived_at=arrived_at or self.clock.now())
        values.update(other)
        return CreditNotice(**values)

    def credit(self, notice: CreditNotice) -> credits.CreditOutcome:
        with self.api.container.uow() as uow:
            outcome = credits.record_credit(uow, f"bank:{BANK}", notice)
            uow.commit()
            return outcome

    def registration_row(self, name: str) -> Registration:
        with self.api.container.session_factory() as s:
            reg = s.get(Registration, self.registration[name])
            assert reg is not None
            s.expunge(reg)
            return reg

    def url(self, tail: str) -> str:
        return f"/api/v1/sections/{self.section}/{tail}"

    def get(self, tail: str, headers: dict[str, str]) -> Any:
        return self.api.client.get(self.url(tail), headers=headers)

    def report(self) -> ledger.LedgerReport:
        with self.api.container.session_factory() as s:
            return ledger.check(s)


def test_reg_26_split_credits_before_the_deadline_add_up_and_pay(api: Api) -> None:
    b = Bidding(api)
    first = b.credit(b.notice("S1", "b1", "500000.00"))
    assert first.matched and first.counted and not first.paid_now
    assert b.registration_row("b1").deposit_status == "due"
    b.clock.advance(timedelta(hours=2))
    second = b.credit(b.notice("S2", "b1", "300000.00"))
    assert second.paid_now
    reg = b.registration_row("b1")
    assert reg.deposit_status == "paid" and reg.deposit_paid_at == b.clock.now()
    assert second.credit.payer_check == "basic_account"  # spaces in the registered one ignored
    with api.container.session_factory() as s:
        assert ledger.held_for(s, b.round_id, b.registration["b1"]) == DEPOSIT
        # before the deadline a credit announces nothing (法 22)
        assert not [t for t in s.scalars(select(OutboxEvent.event_type))
                    if t.startswith("deposit")]
    report = b.report()
    assert report.ok, report.problems
    assert report.overall.money_in == report.overall.held == DEPOSIT


def test_the_same_credit_twice_is_booked_once(api: Api) -> None:
    b = Bidding(api)
    notice = b.notice("S1", "b1", "800000.00")
    first = b.credit(notice)
    before = fingerprint(api.container)
    again = b.credit(notice)
    assert again.repeated and again.entry.id == first.entry.id
    assert fingerprint(api.container) == before
    # the same serial with another amount is not the same credit: refused, nothing changed
    refused(api.container, lambda uow: credits.record_credit(
        uow, "bank", b.notice("S1", "b1", "800.00")), "BANK_CREDIT_CONFLICT")
    with api.container.session_factory() as s:
        assert s.scalar(select(text("count(*)")).select_from(LedgerEntry)) == 1


def test_a_late_credit_is_kept_and_booked_but_does_not_count(api: Api) -> None:
    b = Bidding(api)
    with api.container.session_factory() as s:  # the documents set an earlier deadline
        r = s.get(Round, b.round_id)
        assert r is not None
        r.deposit_deadline = b.clock.now() + timedelta(days=1)
        s.commit()
    b.clock.advance(timedelta(days=1))  # exactly at the deposit deadline: late
    late = b.credit(b.notice("S1", "b1", "800000.00"))
    assert late.matched and not late.counted and not late.paid_now
    assert b.registration_row("b1").deposit_status == "due"
    with api.container.session_factory() as s:
        assert ledger.held_for(s, b.round_id, b.registration["b1"]) == DEPOSIT  # kept
    assert b.report().ok


def test_reg_26_a_payer_not_the_basic_account_is_flagged_not_refused(api: Api) -> None:
    b = Bidding(api)
    other = b.credit(b.notice("S1", "b1", "800000.00", payer="6222000099998888"))
    assert other.paid_now and other.credit.payer_check == "not_basic_account"
    unknown = b.credit(b.notice("S2", "b2", "800000.00"))  # b2 registered no basic account
    assert unknown.paid_now and unknown.credit.payer_check == "basic_account_unknown"
    b.clock.set(b.t.deadline)
    rows = {row["party_id"]: row for row in b.get("deposits/opening", b.staff).json()}
    assert rows[b.party["b1"]]["payer_check"] == "not_basic_account"
    assert rows[b.party["b1"]]["deposit_status"] == "paid"
    assert rows[b.party["b2"]]["payer_check"] == "basic_account_unknown"


def test_a_credit_to_an_unknown_sub_account_waits_for_staff(api: Api) -> None:
    b = Bidding(api)
    stray = b.credit(b.notice("S9", "b1", "1000.00", sub_account="9558nobody"))
    assert not stray.matched and stray.credit.registration_id is None
    with api.container.uow() as uow:
        account = uow.session.scalars(select(Account).where(Account.username == "staff")).one()
        queue = credits.unmatched_credits(uow, principal_of(account))
        assert [(c.bank_serial, c.amount) for c in queue] == [("S9", Decimal("1000.00"))]
    report = b.report()
    assert report.ok and report.overall.held == Decimal("1000.00") and not report.rounds


@pytest.mark.parametrize(("change", "code"), [
    ({"currency": "USD"}, "BANK_CREDIT_CURRENCY_UNSUPPORTED"),
    ({"amount": Decimal("0.00")}, "BANK_CREDIT_AMOUNT_INVALID"),
    ({"amount": Decimal("-5.00")}, "BANK_CREDIT_AMOUNT_INVALID"),
    ({"amount": Decimal("1.005")}, "BANK_CREDIT_AMOUNT_INVALID"),
    ({"amount": Decimal("NaN")}, "BANK_CREDIT_AMOUNT_INVALID"),
    ({"bank_serial": ""}, "BANK_CREDIT_FIELD_INVALID"),
])
def test_a_wrong_currency_or_amount_is_refused(api: Api, change: dict[str, Any],
                                               code: str) -> None:
    b = Bidding(api)
    notice = dataclasses.replace(b.notice("S1", "b1", "800000.00"), **change)
    refused(api.container, lambda uow: credits.record_credit(uow, "bank", notice), code)


def test_law_22_nobody_reads_who_paid_before_the_deadline(api: Api) -> None:
    b = Bidding(api)
    b.credit(b.notice("S1", "b1", "800000.00"))
    for who in (b.staff, b.supervisor):  # not staff, not supervisors: the fields are withheld
        rows = b.get("registrations", who).json()
        assert {row["withheld"] for row in rows} == {"LAW_22"}
        assert {row["deposit_status"] for row in rows} == {None}
        assert {row["paid_at"] for row in rows} == {None}
        api.unchanged_after("GET", b.url("deposits/opening"), 403, "DEPOSITS_SECRET_LAW_22",
                            headers=who)
    mine = b.get("registration", b.headers["b1"]).json()  # the bidder sees its own
    assert mine["withheld"] is None and mine["deposit_status"] == "paid"
    assert mine["counted_amount"] == "800000.00"
    # staff may count, never name
    assert b.get("deposits/counts", b.staff).json() == {"registrations": 2, "paid": 1}
    api.unchanged_after("GET", b.url("deposits/counts"), 403, "ROLE_NOT_ALLOWED",
                        headers=b.supervisor)
    api.unchanged_after("GET", b.url("deposits/counts"), 403, "ROLE_NOT_ALLOWED",
                        headers=b.t.owner)
    # at the deadline the opening reads who paid on time
    b.clock.set(b.t.deadline)
    rows = {row["party_id"]: row for row in b.get("deposits/opening", b.staff).json()}
    assert rows[b.party["b1"]]["deposit_status"] == "paid"
    assert rows[b.party["b2"]]["deposit_status"] == "due"
    assert rows[b.party["b2"]]["counted_amount"] == "0.00"


def test_law_22_a_staff_confirmation_is_withheld_and_booked_once(api: Api) -> None:
    b = Bidding(api)
    url = b.url(f"registrations/{b.party['b2']}/deposit/confirm")
    staff = b.staff
    r = api.client.post(url, headers=staff)
    assert r.status_code == 200 and r.json()["withheld"] == "LAW_22"
    before = fingerprint(api.container)
    assert api.client.post(url, headers=staff).status_code == 200
    assert fingerprint(api.container) == before
    with api.container.session_factory() as s:
        entries = s.scalars(select(LedgerEntry)).all()
        assert [(e.source_kind, e.source_key) for e in entries] == [
            (SourceKind.STAFF_ACT.value, f"deposit.confirm/{b.registration['b2']}")]
        counter = s.scalars(select(ledger.LedgerAccount).where(
            ledger.LedgerAccount.kind == LedgerAccountKind.COUNTER.value)).one()
        assert ledger.balance(s, counter.id) == DEPOSIT
    assert b.report().ok


def test_reg_57_a_refund_line_is_opened_once_and_settled_once(api: Api) -> None:
    b = Bidding(api)
    b.credit(b.notice("S1", "b1", "500000.00"))
    b.credit(b.notice("S2", "b1", "400000.00"))  # 100,000.00 over: it goes back too
    due = b.clock.now() + timedelta(days=30)
    with api.container.uow() as uow:
        r = uow.session.get(Round, b.round_id)
        reg = uow.session.get(Registration, b.registration["b1"])
        assert r is not None and reg is not None
        [line] = refunds.open_lines(uow, "system", r, [reg], due)
        again = refunds.open_lines(uow, "system", r, [reg], due)
        assert [x.id for x in again] == [line.id]
        uow.commit()
        line_id = line.id
    with api.container.session_factory() as s:
        line = s.get(RefundLine, line_id)
        assert line is not None and line.amount == Decimal("900000.00")
        assert line.interest is None and line.status == "due"
    settle = lambda uow: refunds.settle_line(  # noqa: E731
        uow, f"bank:{BANK}", line_id, b.clock.now(), interest=Decimal("87.50"),
        bank_serial="R1")
    with api.container.uow() as uow:
        settle(uow)
        uow.commit()
    before = fingerprint(api.container)
    with api.container.uow() as uow:  # the bank reports it again: nothing moves
        settle(uow)
        uow.commit()
    assert fingerprint(api.container) == before
    reg_row = b.registration_row("b1")
    assert reg_row.deposit_status == "refunded"
    report = b.report()
    assert report.ok, report.problems
    totals = report.rounds[b.round_id]
    assert (totals.money_in, totals.money_out, totals.held) == (
        Decimal("900000.00"), Decimal("900000.00"), Decimal("0.00"))
    with api.container.session_factory() as s:
        line = s.get(RefundLine, line_id)
        assert line is not None and line.interest == Decimal("87.50")  # the bank's figure
        assert s.scalar(select(text("count(*)")).select_from(LedgerEntry).where(
            LedgerEntry.source_kind == SourceKind.REFUND_LINE.value)) == 1


def test_an_unbalanced_movement_is_refused(api: Api) -> None:
    Bidding(api)

    def unbalanced(uow: Any) -> None:
        held = ledger.account(uow, LedgerAccountKind.DEPOSITS_HELD, round_id=1)
        counter = ledger.account(uow, LedgerAccountKind.COUNTER, round_id=1)
        ledger.book(uow, "x", SourceKind.STAFF_ACT, "t/1", [
            ledger.Leg(counter, ledger.DEBIT, Decimal("10.00")),
            ledger.Leg(held, ledger.CREDIT, Decimal("9.99"))], memo="t")

    refused(api.container, unbalanced, "LEDGER_UNBALANCED")


def test_ledger_check_names_a_tampered_entry(api: Api, container: Container,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    b = Bidding(api)
    b.credit(b.notice("S1", "b1", "800000.00"))
    env = {"GGZY_DATABASE_URL": container.settings.database_url,
           "GGZY_VAR_DIR": str(container.settings.var_dir)}
    ok = CliRunner().invoke(main, ["ledger", "check"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "ledger balanced: 1 entries" in ok.output
    with container.engine.begin() as conn:  # someone edits one side of the booking
        entry_id = conn.execute(text("SELECT id FROM ledger_entries")).scalar_one()
        conn.execute(text("UPDATE ledger_postings SET amount = 80000.00 "
                          "WHERE side = 'credit' AND entry_id = :e"), {"e": entry_id})
    broken = CliRunner().invoke(main, ["ledger", "check"], env=env)
    assert broken.exit_code == 1
    assert f"entry {entry_id} (bank_credit:{BANK}/S1) is unbalanced" in broken.output
    assert f"round {b.round_id}: money in 800000.00" in broken.output


def test_a_deposit_deadline_after_the_bid_deadline_is_refused(api: Api) -> None:
    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    project = api.project(owner)
    tp = api.tender_project(owner, project["code"])
    section = api.section(owner, tp["code"])["code"]
    body = api.round_body(days=21)
    body["deposit_deadline"] = (datetime.fromisoformat(body["bid_deadline"])
                                + timedelta(minutes=1)).isoformat()
    api.unchanged_after("POST", f"/api/v1/sections/{section}/rounds", 422,
                        "DEPOSIT_DEADLINE_AFTER_BID_DEADLINE", headers=owner, json=body)


def _waiting_on_a_lock(container: Container) -> bool:
    with container.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar_one())


def test_the_same_credit_reported_at_once_twice_is_booked_once(api: Api,
                                                               container: Container) -> None:
    """Two deliveries of one notice in two transactions at the same time (a bank retrying while
    the first answer is on its way): the second waits for the first and answers as a repeat."""
    b = Bidding(api)
    notice = b.notice("S1", "b1", "800000.00")
    second: dict[str, credits.CreditOutcome] = {}
    with container.uow() as first:
        credits.record_credit(first, "bank", notice)  # booked, not yet committed

        def deliver_again() -> None:
            with container.uow() as uow:
                second["outcome"] = credits.record_credit(uow, "bank", notice)
                uow.commit()

        worker = threading.Thread(target=deliver_again)
        worker.start()
        for _ in range(500):  # until the second transaction waits on the first's locks
            if _waiting_on_a_lock(container):
                break
            worker.join(0.01)
        assert worker.is_alive(), "the second delivery did not wait for the first"
        first.commit()
    worker.join(10)
    assert second["outcome"].repeated
    with container.session_factory() as s:
        assert s.scalar(select(text("count(*)")).select_from(LedgerEntry)) == 1
    assert b.report().ok


def test_reg_31_terminating_the_tender_opens_the_refund_lines(api: Api) -> None:
    b = Bidding(api)
    b.credit(b.notice("S1", "b1", "800000.00"))
    r = api.client.post(b.url("rounds/current/terminate"), headers=b.t.owner,
                        json={"reason": "项目取消"})
    assert r.status_code == 200, r.text
    with container_session(api) as s:
        [line] = s.scalars(select(RefundLine)).all()
        assert (line.registration_id, line.amount, line.status) == (
            b.registration["b1"], DEPOSIT, "due")
        assert line.due_at == b.clock.now()  # 条例 31: at once
    totals = b.report().rounds[b.round_id]
    assert (totals.money_in, totals.held) == (DEPOSIT, DEPOSIT)


def test_reg_35_a_due_date_taken_back_cancels_the_open_line(api: Api) -> None:
    """A 撤回 makes the deposit due; a later determination (撤销) takes the date back: the line
    not yet sent is cancelled and the money booked back to held."""
    b = Bidding(api)
    b.credit(b.notice("S1", "b1", "800000.00"))
    with api.container.uow() as uow:
        r = uow.session.get(Round, b.round_id)
        assert r is not None
        deposits.set_refund_due(uow, "system", r, b.party["b1"],
                                b.clock.now() + timedelta(days=5))
        deposits.set_refund_due(uow, "system", r, b.party["b1"], None)
        uow.commit()
    with container_session(api) as s:
        [line] = s.scalars(select(RefundLine)).all()
        assert line.status == "cancelled"
        assert ledger.held_for(s, b.round_id, b.registration["b1"]) == DEPOSIT
    assert b.report().ok
    with api.container.uow() as uow:  # due again later: a new line, the cancelled one kept
        r = uow.session.get(Round, b.round_id)
        assert r is not None
        deposits.set_refund_due(uow, "system", r, b.party["b1"], b.clock.now())
        uow.commit()
    with container_session(api) as s:
        assert sorted(x.status for x in s.scalars(select(RefundLine))) == ["cancelled", "due"]
    assert b.report().ok


def container_session(api: Api) -> Any:
    return api.container.session_factory()
