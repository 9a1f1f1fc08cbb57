"""Failed decryption over REST (电子招标投标办法 31): the platform's incident log, and the cause
of each bid not decrypted, determined by centre staff.

Centre staff record and close incidents and determine causes; supervisors read both. Every
refusal is a problem with a stable code and changes nothing (``DECRYPTION_CAUSE_PENDING`` when
an opening cannot close yet, ``BID_WAS_OPENED``, ``DETERMINATION_TOO_LATE``, …).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import Field

from adapters.rest.deps import Caller, Deps, UoW
from adapters.rest.fields import Id, Moment, Name, PathCode, PathId, Text
from adapters.rest.schemas import Out, Strict
from core.model.incident import PlatformIncident
from core.model.tendering import DecryptionDetermination
from core.services import incidents
from core.services.tendering import decryption

router = APIRouter(prefix="/api/v1", tags=["opening"])

Component = Literal["platform", "ca", "storage", "network", "other"]


class IncidentIn(Strict):
    started_at: Moment = Field(description="when it started, with a time zone; not in future")
    ended_at: Moment | None = Field(None, description="when it ended; leave out while it runs")
    component: Component = Field(description="what failed: the trading platform, the CA's "
                                             "service, the bid store, the network, other")
    description: Text = Field(min_length=1, max_length=2000,
                              description="what failed, in words; shown with the opening "
                                          "record of every round whose window it overlaps")
    reference: Name | None = Field(None, max_length=100,
                                   description="a ticket, notice or CA case number")


class IncidentEndIn(Strict):
    ended_at: Moment = Field(description="when it ended, with a time zone; not in future")


class IncidentOut(Out):
    id: int
    started_at: datetime
    ended_at: datetime | None = Field(description="null while it runs")
    component: str
    description: str
    reference: str | None
    recorded_at: datetime


def incident_out(i: PlatformIncident) -> IncidentOut:
    return IncidentOut(id=i.id, started_at=i.started_at, ended_at=i.ended_at,
                       component=i.component, description=i.description,
                       reference=i.reference, recorded_at=i.recorded_at)


@router.post("/platform-incidents", response_model=IncidentOut, status_code=201)
def record_incident(body: IncidentIn, uow: UoW, caller: Caller) -> IncidentOut:
    """Centre staff record an incident of the platform (交易平台故障记录)."""
    return incident_out(incidents.record_incident(uow, caller, incidents.IncidentDetails(
        started_at=body.started_at, ended_at=body.ended_at, component=body.component,
        description=body.description, reference=body.reference)))


@router.post("/platform-incidents/{incident_id}/close", response_model=IncidentOut)
def close_incident(incident_id: PathId, body: IncidentEndIn, uow: UoW,
                   caller: Caller) -> IncidentOut:
    """Centre staff give a running incident its end (once)."""
    return incident_out(incidents.close_incident(uow, caller, incident_id, body.ended_at))


@router.get("/platform-incidents", response_model=list[IncidentOut])
def list_incidents(uow: UoW, caller: Caller,
                   since: Moment | None = Query(None, description="overlapping from"),
                   until: Moment | None = Query(None, description="overlapping until")
                   ) -> list[IncidentOut]:
    """Incidents, newest first (centre staff, supervisors)."""
    return [incident_out(i) for i in incidents.list_incidents(uow, caller, since, until)]


class CauseIn(Strict):
    cause: Literal["bidder", "not_bidder"] = Field(
        description="bidder: 视为撤销 (the deposit may be kept); not_bidder: 视为撤回 (the "
                    "deposit is refunded, the bidder may claim its direct losses)")
    reason: Text = Field(min_length=1, max_length=2000)
    incident_ids: list[Id] = Field(default_factory=list, max_length=20,
                                   description="incidents overlapping the opening window")
    basis: Text | None = Field(None, max_length=2000,
                               description="the basis in words (not_bidder needs it or "
                                           "incident_ids)")


class DeterminationOut(Out):
    id: int
    bid_id: int
    cause: str
    outcome: str = Field(description="revoked (撤销) | retracted (撤回)")
    previous_outcome: str | None = Field(description="null when made before the record")
    reason: str
    incident_ids: list[int]
    basis: str | None
    determined_at: datetime
    published_at: datetime | None = Field(description="set when made after the opening "
                                                      "record: then published, signed")


def determination_out(d: DecryptionDetermination) -> DeterminationOut:
    return DeterminationOut(id=d.id, bid_id=d.bid_id, cause=d.cause, outcome=d.outcome,
                            previous_outcome=d.previous_outcome, reason=d.reason,
                            incident_ids=list(d.incident_ids), basis=d.basis,
                            determined_at=d.determined_at, published_at=d.published_at)


@router.post("/sections/{code}/opening/bids/{bid_id}/cause", response_model=DeterminationOut)
def determine_cause(code: PathCode, bid_id: PathId, body: CauseIn, uow: UoW, caller: Caller,
                    c: Deps) -> DeterminationOut:
    """Centre staff determine why a bid was not decrypted (电子招标投标办法 31), after the
    window and before the evaluation starts; again, with a reason, to re-determine."""
    return determination_out(decryption.determine_cause(
        uow, caller, c.signer, code, bid_id, decryption.CauseIn(
            cause=body.cause, reason=body.reason, incident_ids=tuple(body.incident_ids),
            basis=body.basis)))


class UndecryptedOut(Out):
    bid_id: int
    party_id: int
    bidder_name: str
    outcome: str | None = Field(description="revoked | retracted; null until the opening "
                                            "closes")
    cause: str | None = Field(description="bidder | not_bidder; null: not determined yet")
    pending: bool = Field(description="its cause must be determined before the opening closes")
    determinations: list[DeterminationOut]


class FailuresOut(Out):
    section_code: str
    round_no: int
    round_status: str
    window_starts: datetime
    window_ends: datetime
    incidents: list[IncidentOut] = Field(description="incidents overlapping the window")
    bids: list[UndecryptedOut]


@router.get("/sections/{code}/opening/failures", response_model=FailuresOut)
def failures(code: PathCode, uow: UoW, caller: Caller) -> FailuresOut:
    """The bids not decrypted, their causes, and the incidents of the window (centre staff,
    supervisors)."""
    v = decryption.failures(uow, caller, code)
    return FailuresOut(
        section_code=v.round.section.code, round_no=v.round.round_no,
        round_status=v.round.status, window_starts=v.window_starts, window_ends=v.window_ends,
        incidents=[incident_out(i) for i in v.incidents],
        bids=[UndecryptedOut(bid_id=b.bid.id, party_id=b.party.id, bidder_name=b.party.name,
                             outcome=b.outcome, cause=b.cause, pending=b.pending,
                             determinations=[determination_out(d) for d in b.determinations])
              for b in v.bids])
