"""Mapping specs over REST (the mapping console's backend): list, read, store a new version,
and preview what a version makes of a stored event, with every problem named. Reading needs
oversight; storing needs an administrator and is audited; versions never change once stored."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from adapters.bootstrap import Container
from adapters.exchange_runtime import mapping_context
from adapters.rest.deps import Caller, UoW, container
from adapters.rest.fields import Code, JsonObject, PathCode, RequiredQueryCode, Text
from adapters.rest.schemas import Out, Strict
from exchange import console
from mappings.engine import RecordInvalid

router = APIRouter(prefix="/api/v1/exchange", tags=["mapping specs"])


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


@router.get("/mapping-specs", response_model=list[SpecSummary])
def list_specs(uow: UoW, caller: Caller) -> list[SpecSummary]:
    return [SpecSummary(**s) for s in console.list_specs(uow, caller)]


@router.get("/mapping-specs/{ref}")
def get_spec(ref: PathCode, uow: UoW, caller: Caller) -> dict[str, Any]:
    return console.get_spec(uow, caller, ref)


@router.post("/mapping-specs", response_model=SpecSummary, status_code=201)
def add_spec(body: SpecIn, uow: UoW, caller: Caller) -> SpecSummary:
    row = console.save_spec(uow, caller, body.body, body.note)
    return SpecSummary(ref=f"{row.name}@{row.version}", name=row.name, version=row.version,
                       data_set=row.body.get("data_set"), events=sorted(row.body["events"]),
                       origin="database", note=row.note, created_by=row.created_by,
                       created_at=row.created_at)


@router.post("/mapping-specs/{ref}/preview", response_model=PreviewOut)
def preview(ref: PathCode, body: PreviewIn, uow: UoW, caller: Caller,
            c: Annotated[Container, Depends(container)]) -> PreviewOut:
    """What this version makes of a stored event: the records, or every problem found."""
    try:
        produced = console.preview(uow, caller, ref, body.event_id, mapping_context(c.settings))
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
    rows = console.acknowledgements(uow, caller, data_set, record_key)
    return [AcknowledgementOut(target=a.target, data_set=a.data_set, record_key=a.record_key,
                               official_time=a.official_time, reference=a.reference,
                               recorded_at=a.recorded_at) for a in rows]
