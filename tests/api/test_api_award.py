"""After the evaluation, through the API: the candidates publicity (≥ 3 days, 条例 54), objections
suspending it until answered, the award to the first candidate or the next in rank (条例 55), the
contract and the deposits falling due for refund within 5 days (条例 57), deposits confirmed by
centre staff only, and every step's event in the outbox, in order.

The round is put in 'evaluating' with its candidates by inserting rows directly: the opening and
the evaluation have their own tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from adapters.audit_checkpoints import verify_anchored
from core.clock import SHANGHAI, MovableClock
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from core.model.project import Section
from core.model.tendering import (
    Bid,
    BidOpening,
    Candidate,
    Evaluation,
    Objection,
    Publicity,
    Registration,
    Round,
)
from core.rules import limits
from core.rules.packaged_calendar import packaged_calendar
from core.rules.procedures import procedure_for
from core.services.tendering.award import suspension_started
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api, fingerprint
from tests.api.test_api_tendering import Tender

CAL = packaged_calendar()  # what the migration seeded
ENGINEERING = procedure_for("engineering", "1")
BIDDERS = (("b1", "MA2YB001", "39800000.00"), ("b2", "MA2YB002", "40100000.00"),
           ("b3", "MA2YB003", "41000000.00"))  # ranked in this order


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
            second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


class Evaluated:
    """A section whose round 1 is 'evaluating': three registered bidders with sealed, opened bids
    ranked 1–3 as candidates, each owing an 800,000.00 deposit."""

    def __init__(self, api: Api, state_funded: bool = True) -> None:
        self.api = api
        self.clock: MovableClock = api.container.clock  # type: ignore[assignment]
        _, self.owner = api.register("owner", "MA2Y0001", ["tenderer"])
        project = api.project(self.owner)
        self.project_code = project["code"]
        tp = api.tender_project(self.owner, project["code"])
        self.section = api.section(self.owner, tp["code"])["code"]
        self.party: dict[str, int] = {}
        self.headers: dict[str, dict[str, str]] = {}
        for name, body8, _ in BIDDERS:
            self.party[name], self.headers[name] = api.register(name, body8, ["bidder"])
        now = self.clock.now()
        with api.container.session_factory() as s:
            section = s.scalars(select(Section).where(Section.code == self.section)).one()
            r = Round(section_id=section.id, round_no=1, procedure="1", status="evaluating",
                      state_funded=state_funded, documents_issued_at=now - timedelta(days=25),
                      bid_deadline=now - timedelta(days=2), opening_window_minutes=60,
                      deposit=Decimal("800000.00"), committee_fallback=True, committee="{}",
                      next_check=None, created_at=now - timedelta(days=26), updated_at=now)
            s.add(r)
            s.flush()
            for rank, (name, _, price) in enumerate(BIDDERS, start=1):
                party_id = self.party[name]
                s.add(Registration(round_id=r.id, party_id=party_id, deposit_status="due",
                                   registered_at=now - timedelta(days=20)))
                bid = Bid(round_id=r.id, party_id=party_id, status="sealed", envelope="{}",
                          ciphertext_sha256="0" * 64, ciphertext_size=1, receipt="{}",
                          submitted_at=now - timedelta(days=3))
                s.add(bid)
                s.flush()
                s.add(BidOpening(bid_id=bid.id, round_id=r.id, outcome="opened_by_bidder",
                                 price=Decimal(price), declared={},
                                 opened_at=now - timedelta(days=2)))
                s.add(Candidate(round_id=r.id, bid_id=bid.id, rank=rank, status="ranked"))
            s.commit()
            self.round_id = r.id

    def url(self, tail: str) -> str:
        return f"/api/v1/sections/{self.section}/{tail}"

    def signed_in(self, username: str) -> dict[str, str]:
        return self.api.token(username)

    def publish(self, ends_at: datetime | None = None) -> dict[str, Any]:
        ends = ends_at or limits.publicity_end(ENGINEERING, CAL, self.clock.now()).ends_at
        r = self.api.client.post(self.url("publicity"), headers=self.signed_in("owner"),
                                 json={"ends_at": ends.isoformat()})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def publish_and_end(self) -> None:
        ends = datetime.fromisoformat(self.publish()["ends_at"])
        self.clock.set(ends)
        assert run_due(self.api.container.uow) == 1
        assert self.publicity()["status"] == "ended"

    def publicity(self) -> dict[str, Any]:
        r = self.api.client.get(self.url("publicity"), headers=self.signed_in("owner"))
        assert r.status_code == 200, r.text
        return dict(r.json())

    def award(self, **body: Any) -> Any:
        return self.api.client.post(self.url("award"), headers=self.signed_in("owner"), json=body)

    def deposit(self, name: str, action: str, headers: dict[str, str]) -> Any:
        return self.api.client.post(
            self.url(f"registrations/{self.party[name]}/deposit/{action}"), headers=headers)

    def registrations(self) -> dict[int, dict[str, Any]]:
        staff = self.api.token("staff")
        rows = self.api.client.get(self.url("registrations"), headers=staff).json()
        return {row["party_id"]: row for row in rows}


def test_reg_54_publicity_at_least_three_days(api: Api, clock: MovableClock) -> None:
    clock.set(beijing(2026, 11, 24, 23, 59, 59))  # Tuesday, the last second of the day
    e = Evaluated(api)
    now = clock.now()
    short = {"ends_at": (now + timedelta(days=2, hours=23)).isoformat()}
    problem = api.unchanged_after("POST", e.url("publicity"), 422, "PUBLICITY_TOO_SHORT_REG_54",
                                  headers=e.owner, json=short)
    assert "第五十四条" in problem["message_zh"]
    three_days = {"ends_at": (now + timedelta(days=3)).isoformat()}  # Friday 23:59:59
    api.unchanged_after("POST", e.url("publicity"), 403, "NOT_PROJECT_OWNER",
                        headers=e.headers["b1"], json=three_days)
    api.unchanged_after("POST", e.url("publicity"), 422, "DATETIME_NOT_AWARE",
                        headers=e.owner, json={"ends_at": "2026-11-28T12:00:00"})
    r = api.client.post(e.url("publicity"), headers=e.owner, json=three_days)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "running" and body["round_status"] == "publicity"
    assert datetime.fromisoformat(body["ends_at"]) == now + timedelta(days=3)
    assert [(c["rank"], c["bidder_name"], c["price"]) for c in body["candidates"]] == [
        (1, "b1 有限公司", "39800000.00"), (2, "b2 有限公司", "40100000.00"),
        (3, "b3 有限公司", "41000000.00")]
    with api.container.session_factory() as s:
        round_ = s.get(Round, e.round_id)
        assert round_ is not None and round_.next_check == now + timedelta(days=3)
    api.unchanged_after("POST", e.url("publicity"), 409, "ROUND_NOT_EVALUATING",
                        headers=e.owner, json=three_days)


def test_reg_54_the_last_day_counts_whole(api: Api, clock: MovableClock) -> None:
    """Started Tuesday 09:30, three days are Wednesday to Friday: Friday 09:30 is too early."""
    e = Evaluated(api)
    now = clock.now()
    api.unchanged_after("POST", e.url("publicity"), 422, "PUBLICITY_TOO_SHORT_REG_54",
                        headers=e.owner, json={"ends_at": (now + timedelta(days=3)).isoformat()})
    assert e.publish(beijing(2026, 11, 27, 23, 59, 59))["status"] == "running"


def test_reg_54_publicity_waits_for_the_signed_report_and_starts_within_three_days(
        api: Api, clock: MovableClock) -> None:
    e = Evaluated(api)
    now = clock.now()
    with api.container.session_factory() as s:
        s.add(Evaluation(round_id=e.round_id, method="comprehensive", criteria=[],
                         rejections={}, result={}, status="reported",
                         reported_at=now - timedelta(days=5)))
        s.commit()
    ends = {"ends_at": limits.publicity_end(ENGINEERING, CAL, now).ends_at.isoformat()}
    api.unchanged_after("POST", e.url("publicity"), 409, "EVALUATION_NOT_SIGNED_OFF",
                        headers=e.owner, json=ends)
    with api.container.session_factory() as s:
        evaluation = s.get(Evaluation, e.round_id)
        assert evaluation is not None
        evaluation.status = "signed"
        s.commit()
    api.unchanged_after("POST", e.url("publicity"), 422, "PUBLICITY_STARTED_LATE_REG_54",
                        headers=e.owner, json=ends)


def test_reg_54_an_objection_suspends_the_publicity_until_answered(
        api: Api, clock: MovableClock) -> None:
    e = Evaluated(api)
    start = clock.now()
    ends = limits.publicity_end(ENGINEERING, CAL, start).ends_at  # Friday 2026-11-27 24:00
    e.publish(ends)
    _, outsider = api.register("x1", "MA2YX001", ["bidder"])
    api.unchanged_after("POST", e.url("objections"), 403, "NOT_A_BIDDER_OF_ROUND",
                        headers=outsider, json={"text": "评分有误"})

    clock.advance(timedelta(days=1))
    raised = clock.now()
    r = api.client.post(e.url("objections"), headers=e.signed_in("b2"),
                        json={"text": "第一名的业绩证明不实"})
    assert r.status_code == 201, r.text
    first = r.json()["id"]
    assert e.publicity()["status"] == "suspended"
    clock.advance(timedelta(hours=6))
    r = api.client.post(e.url("objections"), headers=e.signed_in("b3"),
                        json={"text": "技术评分计算错误"})
    assert r.status_code == 201, r.text
    second = r.json()["id"]
    # a bidder sees its own objections, the owner all of them
    mine = api.client.get(e.url("objections"), headers=e.signed_in("b3")).json()
    assert [o["id"] for o in mine] == [second]
    assert len(api.client.get(e.url("objections"), headers=e.signed_in("owner")).json()) == 2

    # the scheduler does not end a suspended publicity, not even past its end, not even if due
    clock.set(ends + timedelta(days=1))
    assert run_due(api.container.uow) == 0
    with api.container.session_factory() as s:
        round_ = s.get(Round, e.round_id)
        assert round_ is not None and round_.next_check is None
        round_.next_check = ends
        s.commit()
    assert run_due(api.container.uow) == 0
    assert e.publicity()["status"] == "suspended"
    owner = e.signed_in("owner")
    api.unchanged_after("POST", e.url("award"), 409, "PUBLICITY_NOT_ENDED", headers=owner,
                        json={})

    answer = e.url(f"objections/{first}/answer")
    r = api.client.post(answer, headers=owner, json={"answer": "经核查，业绩证明属实"})
    assert r.status_code == 200 and r.json()["answered_at"]
    assert e.publicity()["status"] == "suspended"  # the second is still open
    api.unchanged_after("POST", answer, 409, "OBJECTION_ALREADY_ANSWERED", headers=owner,
                        json={"answer": "再次答复"})
    api.unchanged_after("POST", e.url(f"objections/{second}/answer"), 403, "NOT_PROJECT_OWNER",
                        headers=e.signed_in("b1"), json={"answer": "我来答复"})
    clock.advance(timedelta(hours=2))
    resumed = clock.now()
    r = api.client.post(e.url(f"objections/{second}/answer"), headers=e.signed_in("owner"),
                        json={"answer": "已复核，评分无误"})
    assert r.status_code == 200, r.text
    publicity = e.publicity()
    assert publicity["status"] == "running" and publicity["open_objections"] == 0
    # the end moves later by the whole suspension: from the first objection to the last answer
    extended = ends + (resumed - raised)
    assert datetime.fromisoformat(publicity["ends_at"]) == extended

    clock.set(extended - timedelta(seconds=1))
    assert run_due(api.container.uow) == 0
    clock.set(extended)
    assert run_due(api.container.uow) == 1
    assert e.publicity()["status"] == "ended"
    api.unchanged_after("POST", e.url("objections"), 409, "OBJECTION_OUTSIDE_PUBLICITY",
                        headers=e.signed_in("b2"), json={"text": "再提异议"})


def test_only_the_suspension_ending_now_extends_the_publicity() -> None:
    """Overlapping objections make one suspension; one answered earlier, with the publicity
    running in between, was already made up for when it was answered."""
    t = beijing(2026, 11, 25, 9)

    def objection(raised_h: int, answered_h: int) -> Objection:
        return Objection(raised_at=t + timedelta(hours=raised_h),
                         answered_at=t + timedelta(hours=answered_h))

    now = t + timedelta(hours=30)
    earlier = objection(0, 4)  # its own suspension, 4 hours, over long ago
    overlapping = [objection(10, 20), objection(15, 30), objection(20, 25)]
    assert suspension_started([earlier, *overlapping], now) == t + timedelta(hours=10)
    assert suspension_started([earlier, objection(4, 30)], now) == t  # touching: one suspension


def test_reg_55_state_funded_awards_first_or_next_in_rank(api: Api, clock: MovableClock) -> None:
    e = Evaluated(api, state_funded=True)
    owner = e.owner
    api.unchanged_after("POST", e.url("award"), 409, "ROUND_NOT_IN_PUBLICITY", headers=owner,
                        json={})
    e.publish_and_end()
    owner = e.signed_in("owner")
    api.unchanged_after("POST", e.url("award"), 409, "AWARD_NOT_FIRST_RANKED_REG_55",
                        headers=owner, json={"rank": 2})
    api.unchanged_after("POST", e.url("award"), 422, "CANDIDATE_NOT_FOUND", headers=owner,
                        json={"declined_ranks": [4]})
    api.unchanged_after("POST", e.url("award"), 403, "NOT_PROJECT_OWNER",
                        headers=e.signed_in("b1"), json={})
    r = e.award(declined_ranks=[1])  # the first gave up: the second is awarded
    assert r.status_code == 201, r.text
    award = r.json()
    assert award["round_status"] == "awarded"
    assert award["winner"]["rank"] == 2 and award["winner"]["bidder_name"] == "b2 有限公司"
    statuses = [c["status"] for c in e.publicity()["candidates"]]
    assert statuses == ["declined", "awarded", "ranked"]
    public = api.client.get(e.url("award"), headers=e.signed_in("b3")).json()
    assert public["winner"]["party_id"] == e.party["b2"]
    api.unchanged_after("POST", e.url("award"), 409, "ROUND_NOT_IN_PUBLICITY",
                        headers=e.signed_in("owner"), json={})


def test_reg_55_the_first_is_awarded_when_nobody_declined(api: Api) -> None:
    e = Evaluated(api, state_funded=True)
    e.publish_and_end()
    r = e.award()
    assert r.status_code == 201 and r.json()["winner"]["rank"] == 1


def test_law_40_without_state_funds_the_owner_chooses_a_candidate(api: Api) -> None:
    e = Evaluated(api, state_funded=False)
    e.publish_and_end()
    api.unchanged_after("POST", e.url("award"), 422, "AWARD_NOT_A_CANDIDATE_LAW_40",
                        headers=e.signed_in("owner"), json={"rank": 3, "disqualified_ranks": [3]})
    r = e.award(rank=3)
    assert r.status_code == 201 and r.json()["winner"]["party_id"] == e.party["b3"]


def test_reg_55_no_candidate_left(api: Api) -> None:
    e = Evaluated(api, state_funded=True)
    e.publish_and_end()
    problem = api.unchanged_after("POST", e.url("award"), 409, "NO_CANDIDATE_LEFT_REG_55",
                                  headers=e.signed_in("owner"),
                                  json={"declined_ranks": [1, 2], "disqualified_ranks": [3]})
    assert "重新招标" in problem["message_zh"]


def test_reg_57_refund_due_five_days_after_contract(api: Api, clock: MovableClock) -> None:
    e = Evaluated(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    for name in ("b1", "b2"):  # b3 never paid
        assert e.deposit(name, "confirm", staff).json()["deposit_status"] == "paid"
    e.publish_and_end()  # Friday 2026-11-27 24:00
    clock.set(beijing(2026, 11, 28, 10, 0))
    notice = datetime.fromisoformat(e.award().json()["notice_issued_at"])
    owner = e.signed_in("owner")
    api.unchanged_after("POST", e.url("contract"), 422, "CONTRACT_BEFORE_AWARD", headers=owner,
                        json={"amount": "39800000.00",
                              "signed_at": (notice - timedelta(hours=1)).isoformat()})
    api.unchanged_after("POST", e.url("contract"), 422, "CONTRACT_SIGNED_IN_FUTURE",
                        headers=owner, json={"amount": "39800000.00", "signed_at": beijing(
                            2026, 11, 28, 11, 0).isoformat()})
    api.unchanged_after("POST", e.url("contract"), 422, "CONTRACT_AMOUNT_INVALID",
                        headers=owner, json={"amount": "0", "signed_at": notice.isoformat()})

    clock.set(beijing(2026, 11, 30, 16, 0))  # Monday
    signed = beijing(2026, 11, 30, 15, 0)
    r = api.client.post(e.url("contract"), headers=e.signed_in("owner"),
                        json={"amount": "39800000.00", "signed_at": signed.isoformat()})
    assert r.status_code == 200, r.text
    # 5 日 from Tuesday: the 5th day is Saturday 12-05, a rest day, so Monday 12-07 24:00
    due = beijing(2026, 12, 7, 23, 59, 59).replace(microsecond=999999)
    assert due == limits.refund_due(ENGINEERING, CAL, signed).ends_at
    body = r.json()
    assert body["round_status"] == "contracted" and body["contract_amount"] == "39800000.00"
    assert datetime.fromisoformat(body["refund_due_at"]) == due
    regs = e.registrations()
    assert datetime.fromisoformat(regs[e.party["b1"]]["refund_due_at"]) == due
    assert datetime.fromisoformat(regs[e.party["b2"]]["refund_due_at"]) == due
    assert regs[e.party["b3"]]["deposit_status"] == "due"
    assert regs[e.party["b3"]]["refund_due_at"] is None

    staff = api.token("staff")
    r = e.deposit("b2", "refund", staff)
    assert r.status_code == 200 and r.json()["deposit_status"] == "refunded"
    api.unchanged_after("POST", e.url(f"registrations/{e.party['b3']}/deposit/refund"), 409,
                        "DEPOSIT_NOT_PAID", headers=staff)
    # a deposit confirmed after the contract falls due at once with the others
    r = e.deposit("b3", "confirm", staff)
    assert datetime.fromisoformat(r.json()["refund_due_at"]) == due
    mine = api.client.get(e.url("registration"), headers=e.signed_in("b2")).json()
    assert mine["deposit_status"] == "refunded" and mine["refunded_at"]


def test_only_centre_staff_confirm_a_deposit(api: Api) -> None:
    e = Evaluated(api)
    own = e.url(f"registrations/{e.party['b1']}/deposit/confirm")
    api.unchanged_after("POST", own, 403, "ROLE_NOT_ALLOWED", headers=e.headers["b1"])
    api.unchanged_after("POST", own, 403, "ROLE_NOT_ALLOWED", headers=e.owner)
    api.unchanged_after("POST", own.replace("/confirm", "/refund"), 403, "ROLE_NOT_ALLOWED",
                        headers=e.headers["b1"])
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    api.unchanged_after("POST", e.url("registrations/999999/deposit/confirm"), 404,
                        "REGISTRATION_NOT_FOUND", headers=staff)
    api.unchanged_after("POST", own, 422, "DEPOSIT_PAID_IN_FUTURE", headers=staff,
                        json={"paid_at": (api.container.clock.now()
                                          + timedelta(hours=1)).isoformat()})
    r = api.client.post(own, headers=staff)
    assert r.status_code == 200, r.text
    assert r.json()["deposit_status"] == "paid" and r.json()["paid_at"]
    with api.container.session_factory() as s:
        reg = s.scalars(select(Registration).where(
            Registration.party_id == e.party["b1"])).one()
        assert reg.deposit_confirmed_by is not None
    before = fingerprint(api.container)
    assert api.client.post(own, headers=staff).json()["deposit_status"] == "paid"
    assert fingerprint(api.container) == before  # confirming twice changes nothing
    assert api.client.get(e.url("registrations"), headers=e.headers["b1"]).status_code == 403
    mine = api.client.get(e.url("registration"), headers=e.headers["b1"]).json()
    assert mine["deposit_status"] == "paid"


def test_a_deposit_confirmed_before_the_deadline_is_not_announced(api: Api) -> None:
    t = Tender(api)
    t.issue()
    party_id, headers = api.register("b1", "MA2YB001", ["bidder"])
    api.client.post(f"/api/v1/sections/{t.section}/registration", headers=headers)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    r = api.client.post(f"/api/v1/sections/{t.section}/registrations/{party_id}/deposit/confirm",
                        headers=staff)
    # not even the staff member's own answer says who has paid before the deadline (法 22)
    assert r.status_code == 200 and r.json()["deposit_status"] is None
    assert r.json()["withheld"] == "LAW_22"
    # the owner may not list who registered before the deadline (法 22)
    assert api.client.get(f"/api/v1/sections/{t.section}/registrations",
                          headers=t.owner).status_code == 403
    with api.container.session_factory() as s:
        types = s.scalars(select(OutboxEvent.event_type)).all()
    assert not [x for x in types if x.startswith("deposit")]


def test_every_step_emits_its_event_in_order(api: Api, clock: MovableClock) -> None:
    e = Evaluated(api)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    e.deposit("b1", "confirm", staff)
    start = clock.now()
    e.publish()
    clock.advance(timedelta(hours=5))
    objection = api.client.post(e.url("objections"), headers=e.signed_in("b3"),
                                json={"text": "报价计算有误"}).json()
    clock.advance(timedelta(hours=5))
    api.client.post(e.url(f"objections/{objection['id']}/answer"), headers=e.signed_in("owner"),
                    json={"answer": "已复核"})
    with api.container.session_factory() as s:
        publicity = s.get(Publicity, e.round_id)
        assert publicity is not None
        ends = publicity.ends_at
    assert ends == limits.publicity_end(ENGINEERING, CAL, start).ends_at + timedelta(hours=5)
    clock.set(ends)
    assert run_due(api.container.uow) == 1
    assert e.award().status_code == 201
    clock.advance(timedelta(days=2))
    signed = clock.now() - timedelta(hours=1)
    assert api.client.post(e.url("contract"), headers=e.signed_in("owner"), json={
        "amount": "39800000.00", "signed_at": signed.isoformat()}).status_code == 200
    assert e.deposit("b1", "refund", api.token("staff")).status_code == 200

    with api.container.session_factory() as s:
        events = s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    assert verify_anchored(api.container).ok
    mine = [ev for ev in events if ev.event_type.startswith(("round.", "deposit."))]
    assert [ev.event_type for ev in mine] == [
        "deposit.confirmed", "round.candidates_published", "round.objection_raised",
        "round.objection_answered", "round.publicity_ended", "round.awarded",
        "round.result_announced", "round.contract_recorded", "deposit.refunded"]
    assert {ev.ordering_key for ev in mine} == {f"project:{e.project_code}"}
    by_type = {ev.event_type: ev.payload for ev in mine}
    published = by_type["round.candidates_published"]
    assert [c["bidder_identifier"] for c in published["candidates"]] == [
        c["bidder_identifier"] for c in by_type["round.awarded"]["candidates"]]
    assert published["candidates"][0]["price"] == "39800000.00"
    assert by_type["round.objection_raised"]["publicity_status"] == "suspended"
    assert by_type["round.objection_answered"]["publicity_status"] == "running"
    assert by_type["round.awarded"]["winner"]["rank"] == 1
    assert by_type["round.result_announced"]["winner"]["party_id"] == e.party["b1"]
    contract = by_type["round.contract_recorded"]
    assert contract["contract_amount"] == "39800000.00"
    due = datetime.fromisoformat(contract["deposit_refund_due_at"])
    assert due == limits.refund_due(ENGINEERING, CAL, signed).ends_at
    assert due.utcoffset() == timedelta(0)
    assert [d["party_id"] for d in contract["deposits"]] == [e.party["b1"]]
    assert by_type["deposit.refunded"]["refunded_late"] is False
    actors = [ev.actor for ev in mine]
    assert actors[0] == "centre_staff:staff" and actors[4] == "system"
