"""电子招标投标办法 31 on tenders built through the use cases: a bid left undecrypted is 撤销 or
撤回 by its cause, held for centre staff while a platform incident overlapped the window,
re-determinable until the evaluation starts, and its deposit follows (条例 35)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from adapters.bidder.client import unwrap_dek
from adapters.bootstrap import Container
from core.clock import MovableClock
from core.errors import ErrorKind
from core.model.account import AccountKind
from core.model.notice import Notice
from core.model.outbox import OutboxEvent
from core.model.tendering import BidOpening, OpeningRecord, Registration
from core.rules.limits import refund_after_withdrawal
from core.services import incidents
from core.services.calendar import calendar_of
from core.services.tendering import decryption, deposits, evaluation, opening, rounds
from core.services.tendering.lifecycle import opening_ends
from core.services.tendering.scheduler import run_due
from tests.builders.tender import Stage, TenderBuilder, pem
from tests.core.conftest import make_principal, refused

DEPOSIT = Decimal("500000.00")


class Failed:
    """A round whose documents keep keyholders out (no fallback), three bidders with paid
    deposits, and a window in which bidders 1 and 2 hand in their keys and bidder 3 does not."""

    def __init__(self, container: Container, clock: MovableClock) -> None:
        self.t = t = TenderBuilder(container, clock).at(Stage.ROUND)
        self.c, self.clock = container, clock
        with t.unit() as uow:
            r = t.round(uow)
            rounds.edit_draft(uow, t.agency, t.section_code, rounds.RoundSettings(
                bid_deadline=r.bid_deadline, threshold=2, deposit=DEPOSIT,
                committee_fallback=False,
                keyholders=tuple(rounds.Keyholder(f"开标密钥持有人{i + 1}", pem(k))
                                 for i, k in enumerate(t.keyholders))))
        t.at(Stage.BIDS)
        for b in t.bidders:
            assert b.principal.party_id is not None
            with t.unit() as uow:
                deposits.confirm_payment(uow, t.staff, t.section_code, b.principal.party_id)
        with container.uow() as uow:
            r = t.round(uow)
            self.deadline, self.window_ends = r.bid_deadline, opening_ends(r)
        clock.set(self.deadline)
        assert run_due(container.uow, container.signer) == 1  # the opening starts
        for b in t.bidders[:2]:
            assert b.sealed is not None
            with t.unit() as uow:
                opening.hand_in_key(uow, b.principal, container.bid_store, t.section_code,
                                    unwrap_dek(b.sealed, b.key))
        self.bid_ids = self._bid_ids()

    def _bid_ids(self) -> list[int]:
        from core.model.tendering import Bid

        with self.c.uow() as uow:
            by_party = {b.party_id: b.id for b in uow.session.scalars(select(Bid))}
        return [by_party[b.principal.party_id] for b in self.t.bidders
                if b.principal.party_id is not None]

    @property
    def third(self) -> int:
        return self.bid_ids[2]

    def outage(self, **overrides: Any) -> int:
        """The platform down from 10 minutes into the window until 20 minutes in."""
        details = {"started_at": self.deadline + timedelta(minutes=10),
                   "ended_at": self.deadline + timedelta(minutes=20), "component": "platform",
                   "description": "交易平台解密服务不可用", "reference": "OPS-2026-118",
                   **overrides}
        with self.t.unit() as uow:
            return incidents.record_incident(uow, self.t.staff,
                                             incidents.IncidentDetails(**details)).id

    def determine(self, cause: str, reason: str = "经核查", **given: Any) -> Any:
        with self.t.unit() as uow:
            return decryption.determine_cause(uow, self.t.staff, self.c.signer,
                                              self.t.section_code, self.third,
                                              decryption.CauseIn(cause, reason, **given))

    def record(self) -> dict[str, Any]:
        with self.c.uow() as uow:
            row = uow.session.get(OpeningRecord, self.t.round(uow).id)
            assert row is not None
            return dict(json.loads(row.body))

    def third_in_record(self) -> dict[str, Any]:
        bidder = self.t.bidders[2]
        (bid,) = [b for b in self.record()["bids"] if b["bidder_id"] == bidder.uscc]
        return dict(bid)

    def registration(self) -> Registration:
        with self.c.uow() as uow:
            reg = uow.session.scalars(select(Registration).where(
                Registration.party_id == self.t.bidders[2].principal.party_id)).one()
            uow.session.expunge(reg)
            return reg

    def status(self) -> str:
        with self.c.uow() as uow:
            return str(self.t.round(uow).status)

    def events(self) -> list[dict[str, Any]]:
        """The payloads of bid.decryption_cause_determined, oldest first."""
        with self.c.uow() as uow:
            return [dict(p) for p in uow.session.scalars(select(OutboxEvent.payload).where(
                OutboxEvent.event_type == "bid.decryption_cause_determined")
                .order_by(OutboxEvent.id))]


def test_art_31_a_platform_incident_holds_the_opening_then_retracts_the_bid(
        container: Container, clock: MovableClock) -> None:
    f = Failed(container, clock)
    clock.set(f.window_ends)
    incident = f.outage()  # on record when the scheduler comes to the window's end
    assert run_due(container.uow, container.signer) == 0  # held: the cause is pending
    assert f.status() == "opening"
    err = refused(container, lambda uow: opening.close_opening(
        uow, container.signer, f.t.section_code, f.t.staff), "DECRYPTION_CAUSE_PENDING",
        ErrorKind.CONFLICT)
    assert err.details["bid_ids"] == [f.third]
    supervisor = make_principal(container, "jdz", AccountKind.SUPERVISOR)
    with container.uow() as uow:
        view = decryption.failures(uow, supervisor, f.t.section_code)
        assert [i.id for i in view.incidents] == [incident]
        assert [(b.bid.id, b.outcome, b.pending) for b in view.bids] == [(f.third, None, True)]

    clock.advance(timedelta(hours=1))
    d = f.determine("not_bidder", "解密服务中断期间投标人无法提交密钥", incident_ids=(incident,))
    assert (d.outcome, d.previous_outcome, d.published_at) == ("retracted", None, None)
    due = refund_after_withdrawal(calendar_of_container(container), clock.now()).ends_at
    assert f.registration().deposit_refund_due_at == due.astimezone(UTC)  # 条例 35: 5 日

    assert run_due(container.uow, container.signer) == 1  # nothing pending: it closes
    assert f.status() == "opened"
    bid = f.third_in_record()
    assert (bid["outcome"], bid["cause"], bid["loss_claim"]) == ("retracted", "not_bidder", True)
    assert bid["determination"]["incident_ids"] == [incident]
    assert bid["determination"]["reason"] == "解密服务中断期间投标人无法提交密钥"
    assert [i["incident_id"] for i in f.record()["incidents"]] == [incident]
    opened = [b for b in f.record()["bids"] if b["bidder_id"] != f.t.bidders[2].uscc]
    assert {(b["outcome"], b["cause"]) for b in opened} == {("opened_by_bidder", None)}
    with container.uow() as uow:  # the 开标记录 notice says it in words
        notice = uow.session.scalars(select(Notice).where(
            Notice.notice_type == "opening_record")).one()
        assert "因投标人之外的原因未解密，视为撤回" in notice.content
        assert "未解密原因认定：解密服务中断期间投标人无法提交密钥" in notice.content
        assert "交易平台：交易平台解密服务不可用" in notice.content
    (event,) = f.events()
    assert event["cause"] == "not_bidder" and event["loss_claim"] is True
    assert event["bid"]["bid_id"] == f.third
    assert event["incidents"][0]["incident_id"] == incident
    assert event["deposit_refund_due_at"] == due.astimezone(UTC).isoformat()

    f.t.stage = Stage.OPENED
    f.t.at(Stage.EVALUATING)  # neither a 撤回 nor a 撤销 bid is evaluated
    with container.uow() as uow:
        views = {v.bid_id: v.evaluable for v in evaluation.list_bids(
            uow, f.t.experts[0], f.t.section_code)}
    assert views == {f.bid_ids[0]: True, f.bid_ids[1]: True, f.third: False}
    refused(container, lambda uow: decryption.determine_cause(
        uow, f.t.staff, container.signer, f.t.section_code, f.third,
        decryption.CauseIn("bidder", "复核")), "DETERMINATION_TOO_LATE", ErrorKind.CONFLICT)


def calendar_of_container(container: Container) -> Any:
    with container.uow() as uow:
        return calendar_of(uow)


def test_art_31_without_an_incident_the_bid_is_revoked_and_its_deposit_stays(
        container: Container, clock: MovableClock) -> None:
    f = Failed(container, clock)
    f.outage(started_at=f.deadline - timedelta(hours=3),  # over before the window: no hold
             ended_at=f.deadline - timedelta(hours=2))
    clock.set(f.window_ends)
    assert run_due(container.uow, container.signer) == 1
    bid = f.third_in_record()
    assert (bid["outcome"], bid["failure_code"], bid["cause"], bid["loss_claim"],
            bid["determination"]) == ("revoked", "NOT_DECRYPTED_BY_BIDDER", "bidder", False,
                                      None)
    assert f.record()["incidents"] == []
    reg = f.registration()
    assert (reg.deposit_status, reg.deposit_refund_due_at) == ("paid", None)  # may be kept
    assert f.events() == []  # presumed, not determined


def test_art_31_a_re_determination_after_the_record_is_published_on_its_own(
        container: Container, clock: MovableClock) -> None:
    f = Failed(container, clock)
    clock.set(f.window_ends)
    assert run_due(container.uow, container.signer) == 1  # no incident on record: 撤销
    with container.uow() as uow:
        signed = uow.session.get(OpeningRecord, f.t.round(uow).id)
        assert signed is not None
        original = (signed.body, signed.signature)
    clock.advance(timedelta(hours=2))
    incident = f.outage(description="CA 数字证书服务异常，投标人无法解锁数字证书",
                        component="ca")  # learned and recorded after the opening
    d = f.determine("not_bidder", "CA 机构书面确认服务中断", incident_ids=(incident,))
    assert (d.outcome, d.previous_outcome) == ("retracted", "revoked")
    assert d.published_at == clock.now()
    with container.uow() as uow:
        row = uow.session.get(OpeningRecord, f.t.round(uow).id)
        assert row is not None and (row.body, row.signature) == original  # kept as signed
        assert uow.session.get(BidOpening, f.third).outcome == "retracted"  # type: ignore[union-attr]
    key = serialization.load_pem_public_key(container.signer.public_pem().encode())
    assert isinstance(key, Ed25519PublicKey)
    assert d.body is not None and d.signature is not None
    key.verify(base64.b64decode(d.signature), d.body.encode())
    body = json.loads(d.body)
    assert body["type"] == "ggzy.decryption-determination.v1"
    assert body["opening_record_sha256"] == hashlib.sha256(original[0].encode()).hexdigest()
    assert (body["cause"], body["outcome"], body["loss_claim"]) == ("not_bidder", "retracted",
                                                                    True)
    assert body["incidents"][0]["component"] == "ca"
    assert f.registration().deposit_refund_due_at is not None

    clock.advance(timedelta(hours=1))  # on a second look: the bidder's own CA lock expired
    again = f.determine("bidder", "投标人自身数字证书过期，与 CA 服务中断无关")
    assert (again.outcome, again.previous_outcome) == ("revoked", "retracted")
    assert f.registration().deposit_refund_due_at is None  # taken back: it may be kept
    with container.uow() as uow:
        assert [x.id for x in decryption.published(uow.session, f.t.round(uow))] == [
            d.id, again.id]
    assert [e["outcome"] for e in f.events()] == ["retracted", "revoked"]


def test_what_a_determination_refuses_changes_nothing(container: Container,
                                                      clock: MovableClock) -> None:
    f = Failed(container, clock)
    incident = f.outage(started_at=f.deadline - timedelta(minutes=5), ended_at=None)  # running

    def determine(bid_id: int, cause: str = "not_bidder", reason: str = "原因",
                  **given: Any) -> Any:
        return lambda uow: decryption.determine_cause(
            uow, f.t.staff, container.signer, f.t.section_code, bid_id,
            decryption.CauseIn(cause, reason, **given))

    clock.set(f.deadline + timedelta(minutes=30))  # the window still runs
    refused(container, determine(f.third, incident_ids=(incident,)), "OPENING_WINDOW_NOT_OVER")
    clock.set(f.window_ends)
    refused(container, determine(f.bid_ids[0], incident_ids=(incident,)), "BID_WAS_OPENED",
            ErrorKind.CONFLICT)
    refused(container, determine(f.third), "DETERMINATION_BASIS_REQUIRED", ErrorKind.INVALID)
    refused(container, determine(f.third, reason="  ", basis="x"), "FIELD_REQUIRED")
    refused(container, determine(f.third, cause="platform", basis="x"),
            "DECRYPTION_CAUSE_UNKNOWN")
    refused(container, determine(f.third, incident_ids=(incident + 99,)), "INCIDENT_NOT_FOUND")
    earlier = f.outage(started_at=f.deadline - timedelta(days=2),
                       ended_at=f.deadline - timedelta(days=1))
    refused(container, determine(f.third, incident_ids=(earlier,)), "INCIDENT_NOT_IN_WINDOW")
    bidder = f.t.bidders[2].principal
    refused(container, lambda uow: decryption.determine_cause(
        uow, bidder, container.signer, f.t.section_code, f.third,
        decryption.CauseIn("not_bidder", "我方无责", basis="平台故障")), "ROLE_NOT_ALLOWED",
        ErrorKind.FORBIDDEN)
    refused(container, lambda uow: decryption.failures(uow, bidder, f.t.section_code),
            "ROLE_NOT_ALLOWED", ErrorKind.FORBIDDEN)


def test_keyholders_open_first_and_a_bid_they_find_damaged_is_refunded(
        container: Container, clock: MovableClock) -> None:
    """Where the documents let keyholders open a failed bid, that remedy comes first; one
    damaged in storage is 撤回, and its deposit falls due like any 撤回 (条例 35)."""
    t = TenderBuilder(container, clock).at(Stage.ROUND)
    with t.unit() as uow:
        r = t.round(uow)
        rounds.edit_draft(uow, t.agency, t.section_code, rounds.RoundSettings(
            bid_deadline=r.bid_deadline, threshold=2, deposit=DEPOSIT,
            keyholders=tuple(rounds.Keyholder(f"开标密钥持有人{i + 1}", pem(k))
                             for i, k in enumerate(t.keyholders))))
    t.at(Stage.BIDS)
    third = t.bidders[2]
    assert third.principal.party_id is not None
    with t.unit() as uow:
        deposits.confirm_payment(uow, t.staff, t.section_code, third.principal.party_id)
    with container.uow() as uow:
        r = t.round(uow)
        deadline, ends = r.bid_deadline, opening_ends(r)
    clock.set(deadline)
    run_due(container.uow, container.signer)
    from core.model.tendering import Bid

    with container.uow() as uow:
        bid = uow.session.scalars(select(Bid).where(
            Bid.party_id == third.principal.party_id)).one()
        address, bid_id = bid.ciphertext_sha256, bid.id
    path = container.bid_store.path_of(address)
    path.chmod(0o600)
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 1
    path.write_bytes(bytes(damaged))
    clock.set(ends)
    refused(container, lambda uow: decryption.determine_cause(
        uow, t.staff, container.signer, t.section_code, bid_id,
        decryption.CauseIn("not_bidder", "存储损坏", basis="存储")), "KEYHOLDERS_MAY_STILL_OPEN")
    shares = t.keyholder_shares(2)  # each keyholder's share of each bid awaiting them
    with t.unit() as uow:
        outcomes = {o.bid_id: o.outcome for o in opening.committee_open(
            uow, t.staff, container.bid_store, t.section_code, shares)}
    assert outcomes[bid_id] == "retracted"
    with container.uow() as uow:
        reg = uow.session.scalars(select(Registration).where(
            Registration.party_id == third.principal.party_id)).one()
        expected = refund_after_withdrawal(calendar_of(uow), ends).ends_at.astimezone(UTC)
        assert reg.deposit_refund_due_at == expected


def test_reg_35_a_retracted_bids_deposit_keeps_its_date_when_the_award_and_contract_come(
        container: Container, clock: MovableClock) -> None:
    """The deposits the award and the contract make due (core/services/deadlines.py) leave out
    a bid deemed withdrawn at the opening: its 条例 35 date is earlier than theirs."""
    from core.services import deadlines

    f = Failed(container, clock)
    clock.set(f.window_ends)
    incident = f.outage()
    assert run_due(container.uow, container.signer) == 0
    with container.uow() as uow:
        assert f.t.round(uow).next_check is None  # held for staff, not looked at every tick
    f.determine("not_bidder", "解密服务中断", incident_ids=(incident,))
    assert run_due(container.uow, container.signer) == 1  # nothing pending: the opening closes
    with container.uow() as uow:
        r = f.t.round(uow)
        assert r.status == "opened"
        due_now = {reg.party_id for reg in deadlines.paid_deposits(uow, r)}
    others = {b.principal.party_id for b in f.t.bidders[:2]}
    assert due_now == others  # the third, 撤回, keeps the date its withdrawal gave it
