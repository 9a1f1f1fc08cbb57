"""The round lifecycle as one table and one derived date: every status has its successors, a move
the table does not hold is refused and changes nothing, ``next_check`` is written in one place
only, and the scheduler puts a wrong stored date right instead of acting on it."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from core.clock import SHANGHAI
from core.errors import DomainError
from core.model.tendering import Round, RoundStatus
from core.rules.procedures import PROCEDURES
from core.security.principal import SYSTEM_ACTOR
from core.services.tendering.flows import FLOWS, TENDERING
from core.services.tendering.lifecycle import next_check_due, opening_ends, transition
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api, fingerprint
from tests.api.test_api_tendering import Tender

ROOT = Path(__file__).resolve().parents[2]
S = RoundStatus


def _round(container: Container) -> Round:
    with container.session_factory() as s:
        return s.scalars(select(Round).order_by(Round.id.desc())).first()  # type: ignore[return-value]


ALLOWED = TENDERING.moves


def test_every_procedure_names_a_flow_that_exists() -> None:
    assert {p.flow for p in PROCEDURES.values()} <= set(FLOWS)


def test_every_status_has_its_successors_and_each_is_reached_from_a_draft() -> None:
    assert set(ALLOWED) == set(RoundStatus)
    reached, todo = {S.DRAFT}, [S.DRAFT]
    while todo:
        for then in ALLOWED[todo.pop()]:
            if then not in reached:
                reached.add(then)
                todo.append(then)
    assert reached == set(RoundStatus)
    ends = {status for status, then in ALLOWED.items() if not then}
    assert ends == {S.ARCHIVED, S.FAILED, S.TERMINATED}
    # once awarded, a round is no longer terminated but carried through to its contract
    assert {S.DRAFT, S.BIDDING, S.OPENING, S.OPENED, S.EVALUATING,
            S.PUBLICITY} == TENDERING.terminable


def test_a_move_the_table_does_not_hold_is_refused_and_changes_nothing(
        api: Api, container: Container) -> None:
    t = Tender(api)
    t.issue()
    before = fingerprint(container)
    with pytest.raises(DomainError) as refused, container.uow() as uow:
        r = uow.session.scalars(select(Round)).one()
        transition(uow, r, S.AWARDED, SYSTEM_ACTOR, "round.award")
    assert refused.value.code == "ROUND_TRANSITION_INVALID"
    assert "bidding" in refused.value.message_en and "awarded" in refused.value.message_en
    assert fingerprint(container) == before


def _assignments_of_next_check(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        lines += [node.lineno for t in targets
                  if isinstance(t, ast.Attribute) and t.attr == "next_check"]
        if isinstance(node, ast.keyword) and node.arg == "next_check":
            lines.append(node.value.lineno)
    return lines


def test_next_check_is_written_by_the_lifecycle_alone() -> None:
    writers = {}
    for package in ("core", "exchange", "adapters", "mappings"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if found := _assignments_of_next_check(path):
                writers[str(path.relative_to(ROOT))] = found
    assert list(writers) == ["core/services/tendering/lifecycle.py"], writers
    assert len(writers["core/services/tendering/lifecycle.py"]) == 1


def test_the_scheduler_puts_a_wrong_stored_date_right_instead_of_acting(
        api: Api, container: Container) -> None:
    t = Tender(api)
    t.issue()
    with container.uow() as uow:  # as a forgotten line in some use case would leave it
        uow.session.scalars(select(Round)).one().next_check = container.clock.now()
        uow.commit()
    assert run_due(container.uow, container.signer) == 0
    r = _round(container)
    assert (r.status, r.next_check) == ("bidding", t.deadline)
    container.clock.set(t.deadline)  # type: ignore[attr-defined]
    assert run_due(container.uow, container.signer) == 1
    r = _round(container)
    assert r.status == "failed" and r.next_check is None  # no bids: 流标 (法 28)


def test_a_draft_waits_for_a_person_and_bidding_for_its_deadline(
        api: Api, container: Container) -> None:
    t = Tender(api)
    with container.uow() as uow:
        r = uow.session.scalars(select(Round)).one()
        assert (r.status, next_check_due(uow, r), r.next_check) == ("draft", None, None)
    t.issue()
    with container.uow() as uow:
        r = uow.session.scalars(select(Round)).one()
        assert next_check_due(uow, r) == r.bid_deadline == r.next_check == t.deadline


def test_the_derived_dates_on_the_real_calendar(api: Api, container: Container) -> None:
    """The bid deadline and the opening window counted from today, not from the tests' year."""
    today = datetime.now(SHANGHAI).replace(microsecond=0)
    container.clock.set(today)  # type: ignore[attr-defined]
    t = Tender(api)
    t.issue()
    with container.uow() as uow:
        r = uow.session.scalars(select(Round)).one()
        assert r.bid_deadline > today and next_check_due(uow, r) == r.bid_deadline
        assert opening_ends(r) == r.bid_deadline + timedelta(minutes=r.opening_window_minutes)
