"""Operating the exchange: deliveries with their attempts, replay, discard, counters, and the
targets and routes that configure it, over ``exchange/console.py`` (which checks who may:
reading needs oversight, changing needs an administrator; every change is audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from adapters.rest.deps import Caller, Deps, Paging, UoW
from adapters.rest.fields import Code, Id, Moment, Name, PathCode, PathId, QueryCode, Text
from adapters.rest.schemas import Out, PageOut, Strict, page_out
from exchange import console, operations
from exchange.model import Delivery, DeliveryAttempt, Route, Target

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])
HttpStatus = Annotated[int, Field(ge=100, le=599)]


class AttemptOut(Out):
    number: int
    started_at: datetime
    duration_ms: float
    outcome: str
    status_code: int | None
    request: str | None
    response: str | None
    error: str | None


class DeliveryOut(Out):
    id: int
    target: str
    mapping: str
    event_id: str
    event_type: str
    ordering_key: str
    sequence: int
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    held_by: int | None
    created_at: datetime
    delivered_at: datetime | None
    attempt_log: list[AttemptOut] | None = None


def _delivery_out(d: Delivery, attempts: list[DeliveryAttempt] | None = None) -> DeliveryOut:
    return DeliveryOut(
        id=d.id, target=d.target, mapping=d.mapping, event_id=d.event_id,
        event_type=d.event_type, ordering_key=d.ordering_key, sequence=d.sequence,
        status=d.status, attempts=d.attempts, next_attempt_at=d.next_attempt_at,
        last_error=d.last_error, held_by=d.held_by, created_at=d.created_at,
        delivered_at=d.delivered_at,
        attempt_log=None if attempts is None else [AttemptOut(
            number=a.number, started_at=a.started_at, duration_ms=a.duration_ms,
            outcome=a.outcome, status_code=a.status_code, request=a.request,
            response=a.response, error=a.error) for a in attempts])


@router.get("/deliveries", response_model=PageOut[DeliveryOut])
def deliveries(uow: UoW, caller: Caller, paging: Paging, target: QueryCode = None,
               status: QueryCode = None, ordering_key: QueryCode = None) -> dict[str, Any]:
    return page_out(console.list_deliveries(uow, caller, paging, target, status, ordering_key),
                    _delivery_out)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut)
def delivery(delivery_id: PathId, uow: UoW, caller: Caller) -> DeliveryOut:
    found = console.get_delivery(uow, caller, delivery_id)
    return _delivery_out(found.delivery, found.attempts)


class SelectionIn(Strict):
    ids: list[Id] = Field(default_factory=list, max_length=10_000)
    target: Code | None = None
    status: Code | None = None
    created_from: Moment | None = None
    created_to: Moment | None = None

    def selection(self) -> operations.Selection:
        return operations.Selection(tuple(self.ids), self.target, self.status,
                                    self.created_from, self.created_to)


class DiscardIn(SelectionIn):
    reason: Text = Field(min_length=1, max_length=1000)


class OperationOut(Out):
    affected: list[int]


@router.post("/deliveries/replay", response_model=OperationOut)
def replay(body: SelectionIn, uow: UoW, caller: Caller, c: Deps) -> OperationOut:
    ids = console.replay(uow, caller, body.selection())
    uow.commit()  # before the transport is told: a worker must find the change committed
    _announce(c, ids)
    return OperationOut(affected=ids)


@router.post("/deliveries/discard", response_model=OperationOut)
def discard(body: DiscardIn, uow: UoW, caller: Caller, c: Deps) -> OperationOut:
    ids, released = console.discard(uow, caller, body.selection(), body.reason)
    uow.commit()  # before the transport is told: a worker must find the change committed
    _announce(c, released)
    return OperationOut(affected=ids)


def _announce(c: Any, ids: list[int]) -> None:
    """Hand replayed or released work to the transport now; otherwise the sweeper will."""
    dispatch = getattr(c, "dispatch", None)
    if ids and dispatch is not None:
        dispatch(ids)


class CountersOut(Out):
    target: str
    by_status: dict[str, int]
    oldest_open_age_seconds: float | None


class StatsOut(Out):
    unrelayed_events: int
    targets: list[CountersOut]


@router.get("/stats", response_model=StatsOut)
def stats(uow: UoW, caller: Caller) -> StatsOut:
    found = console.stats(uow, caller)
    return StatsOut(unrelayed_events=found.unrelayed_events, targets=[
        CountersOut(target=t.target, by_status=t.by_status,
                    oldest_open_age_seconds=t.oldest_open_age_seconds)
        for t in found.targets])


class TargetIn(Strict):
    kind: Code = Field(description="adapter kind, e.g. http_json")
    endpoint: Name = Field(max_length=500)
    enabled: bool = True
    timeout_seconds: float = Field(10.0, gt=0, le=600)
    max_attempts: int = Field(8, ge=1, le=100)
    backoff_base_seconds: float = Field(1.0, gt=0, le=3600)
    backoff_cap_seconds: float = Field(300.0, gt=0, le=86400)
    retry_statuses: list[HttpStatus] = Field(
        default_factory=lambda: [408, 425, 429, 500, 502, 503, 504], max_length=50)
    options: dict[Code, Annotated[Text, Field(max_length=2000)]] = Field(
        default_factory=dict, max_length=50, description=(
        "adapter options, e.g. system_no; secrets are named (secret_env / secret_file), "
        "never given"))


class TargetOut(TargetIn):
    name: str


def _target_out(t: Target) -> TargetOut:
    return TargetOut(name=t.name, kind=t.kind, endpoint=t.endpoint, enabled=t.enabled,
                     timeout_seconds=t.timeout_seconds, max_attempts=t.max_attempts,
                     backoff_base_seconds=t.backoff_base_seconds,
                     backoff_cap_seconds=t.backoff_cap_seconds,
                     retry_statuses=list(t.retry_statuses),
                     options={k: str(v) for k, v in (t.options or {}).items()})


@router.get("/targets", response_model=list[TargetOut])
def targets(uow: UoW, caller: Caller) -> list[TargetOut]:
    return [_target_out(t) for t in console.list_targets(uow, caller)]


@router.put("/targets/{name}", response_model=TargetOut)
def put_target(name: PathCode, body: TargetIn, uow: UoW, caller: Caller) -> TargetOut:
    return _target_out(console.set_target(uow, caller, name, body.model_dump()))


class RouteIn(Strict):
    event_type: Code = Field(description="exact type, 'notice.*' or '*'")
    target: Code
    mapping: Code = "json-passthrough@1"
    enabled: bool = True
    domain: Code | None = Field(None, description=(
        "only the events of this trading domain (code of table 'trading_domain', e.g. "
        "engineering, gov_procurement: payload.domain); null takes every event"))


class RouteOut(RouteIn):
    id: int


class RouteDomainIn(Strict):
    domain: Code | None = Field(description="a code of table 'trading_domain', or null: every "
                                            "event")


def _route_out(r: Route) -> RouteOut:
    return RouteOut(id=r.id, event_type=r.event_type, target=r.target, mapping=r.mapping,
                    enabled=r.enabled, domain=r.domain)


@router.get("/routes", response_model=list[RouteOut])
def routes(uow: UoW, caller: Caller) -> list[RouteOut]:
    return [_route_out(r) for r in console.list_routes(uow, caller)]


@router.post("/routes", response_model=RouteOut, status_code=201)
def add_route(body: RouteIn, uow: UoW, caller: Caller) -> RouteOut:
    return _route_out(console.add_route(uow, caller, body.event_type, body.target, body.mapping,
                                        body.enabled, body.domain))


@router.put("/routes/{route_id}/domain", response_model=RouteOut)
def put_route_domain(route_id: PathId, body: RouteDomainIn, uow: UoW,
                     caller: Caller) -> RouteOut:
    """Narrow the route to one trading domain's events, or widen it to every event."""
    return _route_out(console.set_route_domain(uow, caller, route_id, body.domain))
