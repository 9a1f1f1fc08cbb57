"""The relay: turns committed outbox events into deliveries, one per subscribed route.

Claims unrelayed rows with FOR UPDATE SKIP LOCKED, so several relays share the table without
waiting for each other or taking the same row; creating the deliveries and marking the row happen
in one transaction, so an event is never relayed twice or lost between the two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.model.outbox import OutboxEvent
from exchange.model import Delivery, DeliveryStatus, Route, Target


def route_matches(pattern: str, event_type: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def event_domain(payload: Mapping[str, Any] | None) -> str | None:
    """The trading domain an event belongs to: ``payload.domain``, which every project, tender
    project, section, notice and round event carries (core.event_payloads); None for the rest
    (parties, deposits, the calendar, audit checkpoints)."""
    domain = payload.get("domain") if isinstance(payload, Mapping) else None
    return domain if isinstance(domain, str) and domain else None


def route_takes(route: Route, event_type: str, domain: str | None) -> bool:
    """Does ``route`` take an event of this type and domain? A route without a domain takes
    every domain's events, and those of none; a route with one only its own domain's."""
    return route_matches(route.event_type, event_type) and (
        route.domain is None or route.domain == domain)


def active_routes(session: Session) -> list[Route]:
    return list(session.scalars(
        select(Route).join(Target, Target.name == Route.target)
        .where(Route.enabled.is_(True), Target.enabled.is_(True)).order_by(Route.id)))


def relay_batch(session: Session, now: datetime, limit: int = 500) -> tuple[list[int], int]:
    """Relay up to ``limit`` events in the caller's transaction, which the caller commits before
    it announces them; returns the new delivery ids and the number of events relayed."""
    events = session.scalars(
        select(OutboxEvent).where(OutboxEvent.relayed_at.is_(None))
        .order_by(OutboxEvent.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not events:
        return [], 0
    routes = active_routes(session)
    created: list[Delivery] = []
    for event in events:
        created.extend(_deliveries_for(event, routes, now))
        event.relayed_at = now
    session.add_all(created)
    session.flush()
    # Announced grouped by key: a key's deliveries travel in one message, so the worker that
    # takes it delivers them one after the other instead of several workers holding them.
    ids = [d.id for d in sorted(created, key=lambda d: (d.target, d.ordering_key, d.sequence))]
    return ids, len(events)


def _deliveries_for(event: OutboxEvent, routes: Sequence[Route],
                    now: datetime) -> list[Delivery]:
    domain = event_domain(event.payload)
    return [
        Delivery(
            outbox_id=event.id, route_id=route.id, target=route.target, mapping=route.mapping,
            event_id=event.event_id, event_type=event.event_type,
            ordering_key=event.ordering_key, sequence=event.id,
            status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now,
            created_at=now, committed_at=event.occurred_at, updated_at=now,
        )
        for route in routes if route_takes(route, event.event_type, domain)
    ]
