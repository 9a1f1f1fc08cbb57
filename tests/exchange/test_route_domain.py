"""A route's trading domain (PostgreSQL): a route narrowed to a domain takes only the events of
that domain (``payload.domain``), a route without one takes every event as before, the platform
profiles' 工程建设 (gcjs) routes take engineering events only, and a 政府采购 notice is not held
to the 工程建设 data sets before it is published."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from adapters.exchange_runtime import mapping_context
from adapters.platforms import PROFILES, configure_profile
from core.clock import MovableClock
from core.errors import DomainError
from core.events import DomainEvent, EventType
from core.model.audit import AuditEntry
from core.model.outbox import OutboxEvent
from exchange import config
from exchange.model import Delivery, Route
from exchange.readiness import RecordReadiness
from tests.conftest import lenient_uow
from tests.exchange.conftest import Engine

PEER = {"kind": "scripted", "endpoint": "http://peer.invalid/"}


def _emit(engine: Engine, key: str, payload: dict[str, object],
          event_type: EventType = EventType.PROJECT_UPDATED) -> None:
    with lenient_uow(engine.container) as uow:  # placeholder payloads, a domain or none
        uow.emit(DomainEvent(event_type, "project", key, key, payload), "test")
        uow.commit()


def _received(engine: Engine) -> dict[str, list[str]]:
    """Per target, the aggregate ids of the events it got a delivery for."""
    got: dict[str, list[str]] = {}
    with engine.container.session_factory() as s:
        for target, event_id in s.execute(select(Delivery.target, Delivery.event_id)
                                          .order_by(Delivery.id)):
            got.setdefault(target, []).append(event_id)
    with engine.container.session_factory() as s:
        names = {e: a for e, a in s.execute(select(OutboxEvent.event_id,
                                                   OutboxEvent.aggregate_id)).tuples()}
    return {t: [names[e] for e in ids] for t, ids in got.items()}


def test_a_route_with_a_domain_receives_only_events_of_that_domain(engine: Engine) -> None:
    now = engine.clock.now()
    with engine.container.session_factory() as s:
        for name, domain in (("gcjs-peer", "engineering"), ("zfcg-peer", "gov_procurement")):
            config.upsert_target(s, name, PEER, "test", now)
            config.add_route(s, "project.*", name, "json-passthrough@1", True, "test", now,
                             domain)
        s.commit()
    _emit(engine, "ENG", {"domain": "engineering"})
    _emit(engine, "GOV", {"domain": "gov_procurement"})
    _emit(engine, "NONE", {"n": 1})  # an event of no domain (parties, deposits look like this)
    engine.relay()
    got = _received(engine)
    assert got["gcjs-peer"] == ["ENG"]
    assert got["zfcg-peer"] == ["GOV"]
    assert got["peer"] == ["ENG", "GOV", "NONE"]  # the fixture's route has none: every event


def test_a_route_is_narrowed_and_widened_again_audited(engine: Engine) -> None:
    now = engine.clock.now()
    with engine.container.session_factory() as s:
        route = s.scalars(select(Route).where(Route.target == "peer")).one()
        config.set_route_domain(s, route.id, "engineering", "test", now)
        s.commit()
    _emit(engine, "GOV", {"domain": "gov_procurement"})
    assert engine.relay() == []  # narrowed: the government event is nobody's
    with engine.container.session_factory() as s:
        config.set_route_domain(s, route.id, None, "test", now)
        s.commit()
        changes = s.scalars(select(AuditEntry.object_id).where(
            AuditEntry.action == "exchange.route.domain").order_by(AuditEntry.seq)).all()
    assert changes == [str(route.id)] * 2  # narrowed, then widened
    _emit(engine, "GOV2", {"domain": "gov_procurement"})
    assert _received_after(engine) == ["GOV2"]


def _received_after(engine: Engine) -> list[str]:
    engine.relay()
    return _received(engine).get("peer", [])


def test_an_unknown_domain_is_refused_and_changes_nothing(engine: Engine) -> None:
    now = engine.clock.now()
    with engine.container.session_factory() as s:
        before = s.scalars(select(Route.id)).all()
        with pytest.raises(DomainError) as err:
            config.add_route(s, "*", "peer", "json-passthrough@1", True, "test", now, "gcjs")
        assert err.value.code == "ROUTE_DOMAIN_INVALID" and err.value.details["field"] == "domain"
        with pytest.raises(DomainError) as err:
            config.set_route_domain(s, before[0], "工程", "test", now)
        assert err.value.code == "ROUTE_DOMAIN_INVALID"
        s.rollback()
        assert s.scalars(select(Route.id)).all() == before
        assert s.get(Route, before[0]).domain is None  # type: ignore[union-attr]


def test_the_platform_profiles_take_engineering_events_only(container: Container,
                                                            clock: MovableClock) -> None:
    """Every gcjs route a profile sets up is narrowed to engineering, and setting a profile up
    again narrows the routes it made before routes had a domain."""
    profile = next(p for p in PROFILES if p.name == "national")
    with container.session_factory() as s:
        configure_profile(s, container.settings, profile, "http://national.invalid/", "test",
                          clock.now())
        routes = s.scalars(select(Route).where(Route.target == "national")).all()
        assert routes and {r.domain for r in routes} == {"engineering"}
        for r in routes:  # as a route made before the migration stands
            r.domain = None
        s.commit()
        assert configure_profile(s, container.settings, profile, "http://national.invalid/",
                                 "test", clock.now()) == 0
        s.commit()
        assert {r.domain for r in s.scalars(select(Route).where(
            Route.target == "national"))} == {"engineering"}


def test_a_government_notice_is_not_held_to_the_engineering_data_sets(
        container: Container, clock: MovableClock) -> None:
    """Before publishing, the core asks whether the platforms would take the notice's records:
    a 政府采购 notice produces no 工程建设 503 record, so none of its rules apply to it."""
    readiness = RecordReadiness(mapping_context(container.settings))
    with container.session_factory() as s:
        configure_profile(s, container.settings, PROFILES[2], "http://national.invalid/",
                          "test", clock.now())
        s.commit()
        event = EventType.NOTICE_PUBLISHED.value
        assert [x.spec.data_set for x in readiness.specs_for(s, event, "engineering")] == ["503"]
        assert readiness.specs_for(s, event, "gov_procurement") == []
        tender = {"notice_type": "tender"}  # the 503 record is a tender notice's
        assert readiness.gaps(s, event, {**tender, "domain": "gov_procurement"},
                              clock.now()) == []
        assert {g.data_set for g in readiness.gaps(s, event, {**tender, "domain": "engineering"},
                                                   clock.now())} == {"503"}
