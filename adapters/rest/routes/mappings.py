"""Mapping specs over REST (the mapping console's backend): list, read, store a new version,
and preview what a version makes of a stored event, with every problem named. Reading needs
oversight; storing needs an administrator and is audited; versions never change once stored."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field
from sqlalchemy import select

from adapters.bootstrap import Container
from adapters.exchange_runtime import mapping_context
from adapters.rest.deps import Caller, UoW, container
from adapters.rest.fields import Code, JsonObject, PathCode, RequiredQueryCode, Text
from adapters.rest.schemas import Out, Strict
from core.errors import DomainError, forbidden, not_found
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from core.security.access import require_kind
from core.security.principal import Principal
from exchange import mapping_specs
from exchange.delivery import event_document
from exchange.model import Acknowledgement
from exchange.registry import MappingError
from mappings.engine import RecordInvalid, SpecError, compile_spec

router = APIRouter(prefix="/api/v1/exchange", tags=["mapping specs"])


def _reader(caller: Principal) -> None:
    if not caller.has_oversight:
        raise forbidden("无权查看映射规格", "you may not read the mapping specs")


class SpecSummary(Out):
    ref: str
    name: str
    version: int
    data_set: str | None
    events: list[str]
    origin: str = Field(description="shipped (in the repository) or database")
    note: str | None
    created_by: str | None
    created_at: datetime | None


class SpecIn(Strict):
    body: JsonObject = Field(description="the spec (see mappings/engine/spec.py)")
    note: Text | None = Field(None, max_length=2000)


class RecordOut(Out):
    data_set: str
    name_en: str
    operation: str
    key: str
    version: str
    fields: dict[str, str]


class ProblemOut(Out):
    field: str
    rule: str
    message: str


class PreviewOut(Out):
    records: list[RecordOut]
    problems: list[ProblemOut]


class PreviewIn(Strict):
    event_id: Code = Field(max_length=36, description="an event in the outbox")


class AcknowledgementOut(Out):
    target: str
    data_set: str
    record_key: str
    official_time: datetime | None
    reference: str | None
    recorded_at: datetime


def _body(uow: UoW, ref: str) -> dict[str, Any]:
    try:
        body = mapping_specs.stored_body(uow.session, ref)
    except MappingError:  # not a name@version at all
        body = None
    if body is None:
        raise not_found("映射规格", "mapping spec", ref)
    return body


@router.get("/mapping-specs", response_model=list[SpecSummary])
def list_specs(uow: UoW, caller: Caller) -> list[SpecSummary]:
    _reader(caller)
    return [SpecSummary(**s) for s in mapping_specs.list_specs(uow.session)]


@router.get("/mapping-specs/{ref}")
def get_spec(ref: PathCode, uow: UoW, caller: Caller) -> dict[str, Any]:
    _reader(caller)
    return _body(uow, ref)


@router.post("/mapping-specs", response_model=SpecSummary, status_code=201)
def add_spec(body: SpecIn, uow: UoW, caller: Caller) -> SpecSummary:
    require_kind(caller, AccountKind.ADMIN)
    row = mapping_specs.save_version(uow.session, body.body, body.note, caller.actor,
                                     uow.clock.now())
    return SpecSummary(ref=f"{row.name}@{row.version}", name=row.name, version=row.version,
                       data_set=row.body.get("data_set"), events=sorted(row.body["events"]),
                       origin="database", note=row.note, created_by=row.created_by,
                       created_at=row.created_at)


@router.post("/mapping-specs/{ref}/preview", response_model=PreviewOut)
def preview(ref: PathCode, body: PreviewIn, uow: UoW, caller: Caller,
            c: Annotated[Container, Depends(container)]) -> PreviewOut:
    """What this version makes of a stored event: the records, or every problem found."""
    _reader(caller)
    try:
        spec = compile_spec(_body(uow, ref))
    except SpecError as err:
        raise DomainError("MAPPING_SPEC_INVALID", f"映射规格无效：{err}",
                          f"the mapping spec is invalid: {err}") from err
    event = uow.session.scalar(select(OutboxEvent).where(OutboxEvent.event_id == body.event_id))
    if event is None:
        raise not_found("事件", "event", body.event_id)
    context = mapping_context(c.settings)
    try:
        produced = spec.apply(event_document(event), context)
    except RecordInvalid as err:
        return PreviewOut(records=[], problems=[ProblemOut(field=p.field, rule=p.rule,
                                                           message=p.message)
                                                for p in err.problems])
    return PreviewOut(records=[RecordOut(data_set=r.data_set, name_en=r.name_en,
                                         operation=r.operation.value, key=r.key,
                                         version=r.version, fields=r.fields)
                               for r in produced], problems=[])


@router.get("/acknowledgements", response_model=list[AcknowledgementOut])
def acknowledgements(uow: UoW, caller: Caller, data_set: RequiredQueryCode,
                     record_key: RequiredQueryCode) -> list[AcknowledgementOut]:
    """What the platforms answered for one record: Shanxi's receiveTime is the official
    publication time of a notice there."""
    _reader(caller)
    rows = uow.session.scalars(select(Acknowledgement).where(
        Acknowledgement.data_set == data_set, Acknowledgement.record_key == record_key)
        .order_by(Acknowledgement.id))
    return [AcknowledgementOut(target=a.target, data_set=a.data_set, record_key=a.record_key,
                               official_time=a.official_time, reference=a.reference,
                               recorded_at=a.recorded_at) for a in rows]
