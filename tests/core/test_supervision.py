"""Supervision instructions on a section's current round: a suspension stops bids, the opening,
the scheduler, the publication of candidates and the award, and resuming returns the round to
where it stood with its running deadline moved by the pause; a termination by instruction
records the instruction number; only supervisors and administrators give instructions, and the
same instruction pushed again changes nothing."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.bidder.client import unwrap_dek
from adapters.bootstrap import Container
from core.errors import ErrorKind
from core.model.account import Account, AccountKind
from core.model.outbox import OutboxEvent
from core.model.tendering import Publicity, Round, SupervisionInstruction
from core.rules import limits
from core.security.principal import Principal
from core.services.accounts import principal_of
from core.services.tendering.scheduler import run_due
from core.services.tendering.supervision import (
    resume_section,
    suspend_section,
    terminate_section,
)
from core.uow import UnitOfWork
from tests.api.conftest import Api, fingerprint
from tests.api.test_api_award import CAL, ENGINEERING, Evaluated
from tests.api.test_api_opening import Opening
from tests.api.test_api_tendering import Tender
from tests.core.conftest import make_principal, refused

SUSPEND_NO = "榕建监〔2026〕12号"
RESUME_NO = "榕建监〔2026〕15号"
TERMINATE_NO = "榕建监〔2026〕21号"


@pytest.fixture
def supervisor(container: Container) -> Principal:
    return make_principal(container, "supervisor", AccountKind.SUPERVISOR)


def principal_named(container: Container, username: str) -> Principal:
    with container.session_factory() as s:
        return principal_of(s.scalars(select(Account).where(Account.username == username)).one())


def suspend(container: Container, who: Principal, section: str,
            number: str = SUSPEND_NO) -> Round:
    with container.uow() as uow:
        r = suspend_section(uow, who, section, number, "收到投诉，调查期间暂停招标投标活动")
        uow.commit()
        return r


def resume(container: Container, who: Principal, section: str,
           number: str = RESUME_NO) -> Round:
    with container.uow() as uow:
        r = resume_section(uow, who, section, number, "投诉已处理完毕，恢复招标投标活动")
        uow.commit()
        return r


def events(container: Container, *types: str) -> list[dict[str, Any]]:
    with container.session_factory() as s:
        return [e.payload for e in s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type.in_(types)).order_by(OutboxEvent.id))]


def current(container: Container) -> Round:
    with container.session_factory() as s:
        return s.scalars(select(Round).order_by(Round.id.desc())).first()  # type: ignore[return-value]


def test_a_suspension_stops_bidding_and_resuming_gives_the_time_back(
        api: Api, container: Container, supervisor: Principal, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    headers, uscc, key = t.bidder("b1", "MA2YB001")
    registration = f"/api/v1/sections/{t.section}/registration"
    assert api.client.post(registration, headers=headers).status_code == 200
    r = suspend(container, supervisor, t.section)
    assert (r.status, r.is_suspended, r.suspension_instruction) == ("bidding", True, SUSPEND_NO)
    api.unchanged_after("POST", registration, 409, "ROUND_SUSPENDED", headers=headers)
    sealed = t.seal(tmp_path, uscc, key)
    before = fingerprint(container)
    refused_bid = t.submit(headers, sealed)
    assert refused_bid.status_code == 409 and refused_bid.json()["code"] == "ROUND_SUSPENDED"
    assert fingerprint(container) == before
    container.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    r = resume(container, supervisor, t.section)
    assert (r.status, r.is_suspended) == ("bidding", False)
    assert r.bid_deadline == t.deadline + timedelta(days=2)  # the two days are given back
    assert r.next_check == r.bid_deadline
    accepted = t.submit(api.token("b1"), sealed)
    assert accepted.status_code == 201, accepted.text
    [suspended] = events(container, "round.suspended")
    assert (suspended["instruction_no"], suspended["status"]) == (SUSPEND_NO, "bidding")
    [resumed] = events(container, "round.resumed")
    assert (resumed["instruction_no"], resumed["suspension_instruction"]) == (RESUME_NO,
                                                                             SUSPEND_NO)
    assert resumed["bid_deadline"] == r.bid_deadline.isoformat()


def test_the_scheduler_leaves_a_suspended_round_alone(api: Api, container: Container,
                                                     supervisor: Principal) -> None:
    t = Tender(api)
    t.issue()
    suspend(container, supervisor, t.section)
    container.clock.set(t.deadline + timedelta(hours=1))  # type: ignore[attr-defined]
    assert run_due(container.uow, container.signer) == 0
    assert current(container).status == "bidding"
    r = resume(container, supervisor, t.section)
    assert r.bid_deadline > container.clock.now()  # it was suspended before the deadline
    assert run_due(container.uow, container.signer) == 0
    container.clock.set(r.bid_deadline)  # type: ignore[attr-defined]
    assert run_due(container.uow, container.signer) == 1
    assert current(container).status == "failed"  # no bids: 流标, the lifecycle goes on


def test_no_key_is_handed_in_and_no_opening_closed_while_suspended(
        api: Api, container: Container, supervisor: Principal, tmp_path: Path) -> None:
    o = Opening(api, tmp_path)
    o.to_deadline()
    o.at(o.t.deadline + timedelta(minutes=10))
    suspend(container, supervisor, o.t.section)
    sealed, key = o.sealed["b1"]
    api.unchanged_after("POST", f"/api/v1/sections/{o.t.section}/opening/key", 409,
                        "ROUND_SUSPENDED", headers=api.token("b1"),
                        json={"dek": base64.b64encode(unwrap_dek(sealed, key)).decode()})
    o.at(o.t.deadline + timedelta(minutes=130))  # the 60-minute window would have ended
    assert run_due(container.uow, container.signer) == 0
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    api.unchanged_after("POST", f"/api/v1/sections/{o.t.section}/opening/close", 409,
                        "ROUND_SUSPENDED", headers=staff)
    r2 = resume(container, supervisor, o.t.section)
    assert (r2.status, r2.opening_window_minutes) == ("opening", 60 + 120)  # 50 minutes left
    assert o.hand_in("b1").status_code == 200


def test_no_candidates_published_and_no_award_while_suspended(
        api: Api, container: Container, supervisor: Principal) -> None:
    e = Evaluated(api)
    suspend(container, supervisor, e.section)
    ends = limits.publicity_end(ENGINEERING, CAL, container.clock.now()).ends_at
    api.unchanged_after("POST", e.url("publicity"), 409, "ROUND_SUSPENDED", headers=e.owner,
                        json={"ends_at": ends.isoformat()})
    resume(container, supervisor, e.section)
    e.publish(ends)
    container.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    since = container.clock.now()
    suspend(container, supervisor, e.section, "榕建监〔2026〕13号")
    container.clock.set(ends)  # type: ignore[attr-defined]
    assert run_due(container.uow, container.signer) == 0  # the publicity does not end
    api.unchanged_after("POST", e.url("award"), 409, "ROUND_SUSPENDED",
                        headers=api.token("owner"), json={})
    resume(container, supervisor, e.section, "榕建监〔2026〕16号")
    with container.session_factory() as s:
        p = s.get(Publicity, e.round_id)
        assert p is not None and p.status == "running"
        moved = p.ends_at
    assert moved == ends + (ends - since)  # the suspended time is given back to the publicity
    container.clock.set(moved - timedelta(seconds=1))  # type: ignore[attr-defined]
    assert run_due(container.uow, container.signer) == 0
    container.clock.set(moved)  # type: ignore[attr-defined]
    assert run_due(container.uow, container.signer) == 1
    awarded = e.award()
    assert awarded.status_code == 201, awarded.text


def test_termination_by_instruction_records_its_number(
        api: Api, container: Container, supervisor: Principal) -> None:
    t = Tender(api)
    t.issue()
    suspend(container, supervisor, t.section)
    with container.uow() as uow:
        r = terminate_section(uow, supervisor, t.section, TERMINATE_NO, "违法发包，责令终止招标")
        uow.commit()
    assert (r.status, r.is_suspended) == ("terminated", False)
    assert r.failure_reason == f"监督指令 {TERMINATE_NO}：违法发包，责令终止招标"
    [terminated] = events(container, "round.terminated")
    assert TERMINATE_NO in terminated["failure_reason"]
    before = fingerprint(container)
    with container.uow() as uow:  # the same instruction pushed again
        again = terminate_section(uow, supervisor, t.section, TERMINATE_NO,
                                  "违法发包，责令终止招标")
        uow.commit()
    assert again.status == "terminated"
    assert fingerprint(container) == before
    with container.session_factory() as s:
        stored = s.execute(select(SupervisionInstruction.action,
                                  SupervisionInstruction.instruction_no)
                           .order_by(SupervisionInstruction.id)).all()
    assert [tuple(x) for x in stored] == [("suspend", SUSPEND_NO), ("terminate", TERMINATE_NO)]
    refused(container, lambda uow: suspend_section(
        uow, supervisor, t.section, "榕建监〔2026〕30号", "再次暂停"), "ROUND_NOT_SUSPENDABLE")
    refused(container, lambda uow: terminate_section(
        uow, supervisor, t.section, "榕建监〔2026〕31号", "再次终止"), "ROUND_NOT_TERMINABLE")


def test_an_administrator_may_give_the_instructions_too(api: Api,
                                                        container: Container) -> None:
    t = Tender(api)
    t.issue()
    admin = make_principal(container, "admin", AccountKind.ADMIN)
    assert suspend(container, admin, t.section).is_suspended
    with container.uow() as uow:
        r = terminate_section(uow, admin, t.section, TERMINATE_NO, "责令终止")
        uow.commit()
    assert r.status == "terminated"


@pytest.mark.parametrize("username", ["owner", "b1", "staff", "expert"])
def test_nobody_else_gives_instructions(api: Api, container: Container, supervisor: Principal,
                                        username: str) -> None:
    t = Tender(api)
    t.issue()
    t.bidder("b1", "MA2YB001")
    api.account("staff", AccountKind.CENTRE_STAFF)
    api.account("expert", AccountKind.EXPERT)
    caller = principal_named(container, username)

    def attempt(use_case: Callable[..., Round]) -> Callable[[UnitOfWork], Round]:
        return lambda uow: use_case(uow, caller, t.section, SUSPEND_NO, "理由")

    for use_case in (suspend_section, resume_section, terminate_section):
        refused(container, attempt(use_case), "ROLE_NOT_ALLOWED", ErrorKind.FORBIDDEN)
    suspend(container, supervisor, t.section)  # and the supervisor's suspension holds
    refused(container, lambda uow: resume_section(uow, caller, t.section, RESUME_NO, "理由"),
            "ROLE_NOT_ALLOWED", ErrorKind.FORBIDDEN)


def test_instructions_are_idempotent_and_checked(api: Api, container: Container,
                                                 supervisor: Principal) -> None:
    t = Tender(api)
    assert t.configure.status_code == 201
    refused(container, lambda uow: suspend_section(uow, supervisor, t.section, SUSPEND_NO,
                                                   "理由"), "ROUND_NOT_SUSPENDABLE",
            ErrorKind.CONFLICT)  # a draft: nothing runs yet
    t.issue()
    refused(container, lambda uow: suspend_section(uow, supervisor, t.section, " ", "理由"),
            "FIELD_REQUIRED", ErrorKind.INVALID)
    refused(container, lambda uow: suspend_section(uow, supervisor, t.section, SUSPEND_NO, ""),
            "FIELD_REQUIRED", ErrorKind.INVALID)
    refused(container, lambda uow: resume_section(uow, supervisor, t.section, RESUME_NO,
                                                  "理由"), "ROUND_NOT_SUSPENDED",
            ErrorKind.CONFLICT)
    refused(container, lambda uow: suspend_section(uow, supervisor, "X" * 23, SUSPEND_NO,
                                                   "理由"), "ROUND_NOT_FOUND",
            ErrorKind.NOT_FOUND)
    suspend(container, supervisor, t.section)
    before = fingerprint(container)
    assert suspend(container, supervisor, t.section).is_suspended  # pushed again: no change
    assert fingerprint(container) == before
    refused(container, lambda uow: suspend_section(uow, supervisor, t.section,
                                                   "榕建监〔2026〕99号", "理由"),
            "ROUND_ALREADY_SUSPENDED", ErrorKind.CONFLICT)
    resume(container, supervisor, t.section)
    before = fingerprint(container)
    assert not resume(container, supervisor, t.section).is_suspended
    assert fingerprint(container) == before
    assert len(events(container, "round.suspended")) == 1
    assert len(events(container, "round.resumed")) == 1
