"""The exchange console's use cases decide who may read and change the exchange, for REST and
the CLI alike: oversight reads, an administrator changes, the machine's operator does both."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import DomainError, ErrorKind
from core.model.account import AccountKind
from core.model.audit import AuditEntry
from core.security.principal import Principal
from core.services.paging import PageRequest
from exchange import console
from exchange.operations import Selection
from exchange.outcome import Outcome
from tests.core.conftest import make_principal
from tests.exchange.conftest import Engine


def parked_delivery(engine: Engine) -> int:
    engine.adapter.script.append(Outcome.park("HTTP 400 (not retryable)", 400, "{}"))
    engine.emit("project:A")
    engine.run(engine.relay())
    [d] = engine.deliveries()
    assert d.status == "parked"
    return d.id


def refused(engine: Engine, who: Principal, call: str) -> DomainError:
    with pytest.raises(DomainError) as err, engine.container.uow() as uow:
        if call == "read":
            console.list_deliveries(uow, who, PageRequest())
        elif call == "replay":
            console.replay(uow, who, Selection(status="parked"))
        else:
            console.set_target(uow, who, "peer", {"endpoint": "http://elsewhere.invalid/"})
    assert err.value.kind is ErrorKind.FORBIDDEN
    return err.value


def test_an_expert_reads_nothing_and_staff_change_nothing(engine: Engine) -> None:
    parked_delivery(engine)
    expert = make_principal(engine.container, "expert", AccountKind.EXPERT)
    staff = make_principal(engine.container, "staff", AccountKind.CENTRE_STAFF)
    refused(engine, expert, "read")
    refused(engine, staff, "replay")
    refused(engine, staff, "target")
    with engine.container.uow() as uow:
        assert console.list_deliveries(uow, staff, PageRequest()).total == 1
    assert engine.status() == ["parked"]


def test_an_administrator_and_the_cli_operator_replay_audited_as_themselves(
        engine: Engine) -> None:
    first = parked_delivery(engine)
    admin = make_principal(engine.container, "admin", AccountKind.ADMIN)
    with engine.container.uow() as uow:
        assert console.replay(uow, admin, Selection(ids=(first,))) == [first]
        uow.commit()
    engine.run([first])  # delivered now; an operator may still send it once more
    with engine.container.uow() as uow:
        assert console.replay(uow, None, Selection(ids=(first,))) == [first]
        uow.commit()
    with engine.container.session_factory() as s:
        actors = list(s.scalars(select(AuditEntry.actor).where(
            AuditEntry.action == "delivery.replay").order_by(AuditEntry.seq)))
    assert actors == [admin.actor, "operator:cli"]


def test_a_delivery_is_read_with_its_attempts(engine: Engine) -> None:
    first = parked_delivery(engine)
    with engine.container.uow() as uow:
        found = console.get_delivery(uow, None, first)
        assert [a.outcome for a in found.attempts] == ["park"]
        with pytest.raises(DomainError) as err:
            console.get_delivery(uow, None, first + 1000)
    assert err.value.kind is ErrorKind.NOT_FOUND
