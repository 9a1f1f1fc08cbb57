"""The payloads the use cases really emit have their declared keys (core/event_payloads.py):
the demo's sample tender, from the parties to the contract, under a strict unit of work."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from adapters.bootstrap import Container
from adapters.demo import load_sample_data
from core.event_payload_check import check_payload
from core.events import DomainEvent, EventType
from core.model.outbox import OutboxEvent


def test_the_suite_runs_strict(container: Container) -> None:
    """tests/conftest.py turns it on, for this container and for subprocess servers."""
    assert container.settings.strict_event_payloads
    with container.uow() as uow:
        assert uow.strict_events


def test_every_event_of_the_sample_tender_has_its_declared_payload(container: Container) -> None:
    for _ in load_sample_data(container):
        pass
    with container.session_factory() as s:
        rows = s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
        problems = {f"{row.id} {row.event_type}": check_payload(row.event_type, row.payload)
                    for row in rows}
        emitted = {row.event_type for row in rows}
    assert {k: v for k, v in problems.items() if v} == {}
    # the sample goes from the parties to the contract: most shapes are exercised here
    assert {"party.registered", "project.created", "tender_project.created", "section.created",
            "notice.published", "round.documents_issued", "round.opened",
            "round.evaluation_reported", "round.candidates_published", "round.awarded",
            "round.result_announced", "round.contract_recorded"} <= emitted


def test_a_strict_unit_of_work_writes_no_event_that_differs(container: Container) -> None:
    event = DomainEvent(EventType.PARTY_UPDATED, "party", "1", "party:X",
                        {"party_id": 1, "name": "x"})
    with container.uow() as uow, pytest.raises(RuntimeError, match="missing key 'kind'"):
        uow.emit(event, "test")
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(OutboxEvent)) == 0
