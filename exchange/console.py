"""The exchange console's use cases: what an operator reads and does, checked here once.

REST (``/api/v1/exchange/...``) and the CLI (``ggzy deliveries``, ``targets``, ``routes``) call
the same functions, so a rule about who may replay a delivery or read an attempt log cannot
differ between them. Reading needs oversight (centre staff, supervisors, administrators);
changing needs an administrator. ``operator=None`` is the operator at the machine's command
line, who holds the database credentials anyway and is audited as ``operator:cli``.

Nothing here commits: the entry point that opened the unit of work does, and tells the
transport about replayed or released deliveries only after that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.errors import DomainError, forbidden, not_found
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from core.security.access import require_kind
from core.security.principal import Principal
from core.services.paging import Page, PageRequest, paginate
from core.uow import UnitOfWork
from exchange import config, mapping_specs, operations
from exchange.delivery import event_document
from exchange.model import (
    Acknowledgement,
    Delivery,
    DeliveryAttempt,
    MappingSpecVersion,
    Route,
    Target,
)
from exchange.registry import MappingError
from mappings.engine import MappingContext, SpecError, compile_spec
from mappings.records import DataSetRecord

Operator = Principal | None
CLI_ACTOR = "operator:cli"


def actor_of(operator: Operator) -> str:
    return operator.actor if operator is not None else CLI_ACTOR


def _may_read(operator: Operator, what_zh: str, what_en: str) -> None:
    if operator is not None and not operator.has_oversight:
        raise forbidden(f"无权查看{what_zh}", f"you may not read the {what_en}")


def _may_change(operator: Operator) -> None:
    if operator is not None:
        require_kind(operator, AccountKind.ADMIN)


def _read_deliveries(operator: Operator) -> None:
    _may_read(operator, "数据交换记录", "exchange records")


# -- deliveries --------------------------------------------------------------------------------

def list_deliveries(uow: UnitOfWork, operator: Operator, request: PageRequest,
                    target: str | None = None, status: str | None = None,
                    ordering_key: str | None = None) -> Page[Delivery]:
    _read_deliveries(operator)
    q = select(Delivery).order_by(Delivery.id.desc())
    if target:
        q = q.where(Delivery.target == target)
    if status:
        q = q.where(Delivery.status == status)
    if ordering_key:
        q = q.where(Delivery.ordering_key == ordering_key)
    return paginate(uow.session, q, request)


def recent_deliveries(uow: UnitOfWork, operator: Operator, target: str | None,
                      status: str | None, limit: int) -> list[Delivery]:
    _read_deliveries(operator)
    return operations.recent(uow.session, target, status, limit)


@dataclass(frozen=True)
class DeliveryRecord:
    delivery: Delivery
    attempts: list[DeliveryAttempt]


def get_delivery(uow: UnitOfWork, operator: Operator, delivery_id: int) -> DeliveryRecord:
    """A delivery with every attempt, request and answer as they went over the wire."""
    _read_deliveries(operator)
    d = uow.session.get(Delivery, delivery_id)
    if d is None:
        raise not_found("投递", "delivery", delivery_id)
    return DeliveryRecord(d, list(uow.session.scalars(select(DeliveryAttempt).where(
        DeliveryAttempt.delivery_id == d.id).order_by(DeliveryAttempt.id))))


def replay(uow: UnitOfWork, operator: Operator, selection: operations.Selection) -> list[int]:
    _may_change(operator)
    return operations.replay(uow.session, selection, actor_of(operator), uow.clock.now())


def discard(uow: UnitOfWork, operator: Operator, selection: operations.Selection,
            reason: str) -> tuple[list[int], list[int]]:
    """The discarded ids, and the later deliveries of their keys released by it."""
    _may_change(operator)
    return operations.discard(uow.session, selection, reason, actor_of(operator),
                              uow.clock.now())


@dataclass(frozen=True)
class Stats:
    unrelayed_events: int
    targets: list[operations.TargetCounters]


def stats(uow: UnitOfWork, operator: Operator) -> Stats:
    _read_deliveries(operator)
    return Stats(operations.unrelayed_events(uow.session),
                 operations.counters(uow.session, uow.clock.now()))


# -- targets and routes ------------------------------------------------------------------------

def list_targets(uow: UnitOfWork, operator: Operator) -> list[Target]:
    _read_deliveries(operator)
    return list(uow.session.scalars(select(Target).order_by(Target.name)))


def set_target(uow: UnitOfWork, operator: Operator, name: str,
               values: dict[str, Any]) -> Target:
    _may_change(operator)
    return config.upsert_target(uow.session, name, values, actor_of(operator), uow.clock.now())


def list_routes(uow: UnitOfWork, operator: Operator) -> list[Route]:
    _read_deliveries(operator)
    return list(uow.session.scalars(select(Route).order_by(Route.id)))


def add_route(uow: UnitOfWork, operator: Operator, event_type: str, target: str, mapping: str,
              enabled: bool = True, domain: str | None = None) -> Route:
    """``domain``: only that trading domain's events (None: every event)."""
    _may_change(operator)
    return config.add_route(uow.session, event_type, target, mapping, enabled,
                            actor_of(operator), uow.clock.now(), domain)


def set_route_domain(uow: UnitOfWork, operator: Operator, route_id: int,
                     domain: str | None) -> Route:
    _may_change(operator)
    return config.set_route_domain(uow.session, route_id, domain, actor_of(operator),
                                   uow.clock.now())


# -- mapping specs -----------------------------------------------------------------------------

def _read_specs(operator: Operator) -> None:
    _may_read(operator, "映射规格", "mapping specs")


def list_specs(uow: UnitOfWork, operator: Operator) -> list[dict[str, Any]]:
    _read_specs(operator)
    return mapping_specs.list_specs(uow.session)


def get_spec(uow: UnitOfWork, operator: Operator, ref: str) -> dict[str, Any]:
    """A spec version's body, stored or shipped."""
    _read_specs(operator)
    try:
        body = mapping_specs.stored_body(uow.session, ref)
    except MappingError:  # not a name@version at all
        body = None
    if body is None:
        raise not_found("映射规格", "mapping spec", ref)
    return body


def save_spec(uow: UnitOfWork, operator: Operator, body: dict[str, Any],
              note: str | None) -> MappingSpecVersion:
    _may_change(operator)
    return mapping_specs.save_version(uow.session, body, note, actor_of(operator),
                                      uow.clock.now())


def preview(uow: UnitOfWork, operator: Operator, ref: str, event_id: str,
            context: MappingContext) -> list[DataSetRecord]:
    """What a spec version makes of a stored event; ``RecordInvalid`` names every problem."""
    _read_specs(operator)
    try:
        spec = compile_spec(get_spec(uow, operator, ref))
    except SpecError as err:
        raise DomainError("MAPPING_SPEC_INVALID", f"映射规格无效：{err}",
                          f"the mapping spec is invalid: {err}") from err
    event = uow.session.scalar(select(OutboxEvent).where(OutboxEvent.event_id == event_id))
    if event is None:
        raise not_found("事件", "event", event_id)
    return spec.apply(event_document(event), context)


def acknowledgements(uow: UnitOfWork, operator: Operator, data_set: str,
                     record_key: str) -> list[Acknowledgement]:
    """What the platforms answered for one record (Shanxi's receiveTime is the official
    publication time of a notice there)."""
    _read_specs(operator)
    return list(uow.session.scalars(select(Acknowledgement).where(
        Acknowledgement.data_set == data_set, Acknowledgement.record_key == record_key)
        .order_by(Acknowledgement.id)))
