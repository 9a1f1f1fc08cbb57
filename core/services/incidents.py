"""The platform's incident log: centre staff record what failed on the platform's side, and when.

Why it exists: 电子招标投标办法 第三十一条 turns a bid left undecrypted into 撤销 when the bidder
caused it and 撤回 when anything else did (the platform, the CA, storage). The staff who determine
that cause (``core.services.tendering.decryption``) need a record, made as it happened, of what
was wrong on the platform's side; an incident overlapping an opening window also holds that
opening's undecrypted bids until their cause is determined, and is shown with the opening.

Only centre staff record and close incidents (they run the platform's openings); supervisors
(行政监督) read them. An incident starts and ends in the past (an open one has no end yet); its
end is given once, by closing it. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.event_payloads import IncidentBrief
from core.model.account import AccountKind
from core.model.incident import IncidentComponent, PlatformIncident
from core.rules.calendar import require_aware
from core.security.access import require_kind
from core.security.principal import Principal
from core.services.validation import optional_name, required_text
from core.uow import UnitOfWork

MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class IncidentDetails:
    started_at: datetime
    component: str  # an IncidentComponent value
    description: str
    ended_at: datetime | None = None
    reference: str | None = None


def _component(value: str) -> str:
    try:
        return IncidentComponent(value).value
    except ValueError:
        allowed = ", ".join(c.value for c in IncidentComponent)
        raise DomainError("INCIDENT_COMPONENT_UNKNOWN", f"未知的故障类别 {value}",
                          f"unknown component {value!r} (one of {allowed})",
                          field="component") from None


def _not_future(uow: UnitOfWork, moment: datetime, field: str) -> datetime:
    require_aware(moment, field)
    if moment > uow.clock.now():
        raise DomainError("INCIDENT_IN_FUTURE", "故障时间不能晚于当前时间",
                          "an incident cannot start or end in the future", field=field)
    return moment


def _ends_after_start(started_at: datetime, ended_at: datetime) -> None:
    if ended_at < started_at:
        raise DomainError("INCIDENT_ENDS_BEFORE_START", "故障结束时间不能早于开始时间",
                          "an incident cannot end before it starts", field="ended_at")


def record_incident(uow: UnitOfWork, principal: Principal,
                    details: IncidentDetails) -> PlatformIncident:
    """Centre staff record an incident, running (no end) or over."""
    require_kind(principal, AccountKind.CENTRE_STAFF)
    started = _not_future(uow, details.started_at, "started_at")
    ended = None
    if details.ended_at is not None:
        ended = _not_future(uow, details.ended_at, "ended_at")
        _ends_after_start(started, ended)
    incident = PlatformIncident(
        started_at=started, ended_at=ended, component=_component(details.component),
        description=required_text(details.description, "description", MAX_DESCRIPTION),
        reference=optional_name(details.reference, "reference", 100),
        recorded_by=principal.account_id, recorded_at=uow.clock.now())
    uow.session.add(incident)
    uow.session.flush()
    uow.record(principal.actor, "incident.record", "platform_incident", incident.id, None,
               snapshot(incident))
    return incident


def get_incident(uow: UnitOfWork, incident_id: int) -> PlatformIncident:
    incident = uow.session.get(PlatformIncident, incident_id)
    if incident is None:
        raise not_found("故障记录", "incident", incident_id)
    return incident


def close_incident(uow: UnitOfWork, principal: Principal, incident_id: int,
                   ended_at: datetime) -> PlatformIncident:
    """Centre staff give a running incident its end; an incident's end is given once."""
    require_kind(principal, AccountKind.CENTRE_STAFF)
    incident = get_incident(uow, incident_id)
    if incident.ended_at is not None:
        raise DomainError("INCIDENT_ALREADY_CLOSED", "该故障记录已有结束时间",
                          "this incident has already ended", ErrorKind.CONFLICT)
    ended = _not_future(uow, ended_at, "ended_at")
    _ends_after_start(incident.started_at, ended)
    before = snapshot(incident)
    incident.ended_at = ended
    incident.closed_by = principal.account_id
    uow.record(principal.actor, "incident.close", "platform_incident", incident.id, before,
               snapshot(incident))
    return incident


def list_incidents(uow: UnitOfWork, principal: Principal, since: datetime | None = None,
                   until: datetime | None = None) -> list[PlatformIncident]:
    """The incidents that overlap [since, until) (either may be open), newest first: for centre
    staff and the supervisors."""
    require_kind(principal, AccountKind.CENTRE_STAFF, AccountKind.SUPERVISOR)
    query = select(PlatformIncident)
    if until is not None:
        query = query.where(PlatformIncident.started_at < require_aware(until, "until"))
    if since is not None:
        query = query.where(or_(PlatformIncident.ended_at.is_(None),
                                PlatformIncident.ended_at > require_aware(since, "since")))
    return list(uow.session.scalars(query.order_by(PlatformIncident.started_at.desc(),
                                                   PlatformIncident.id.desc())))


def overlapping(session: Session, start: datetime, end: datetime) -> list[PlatformIncident]:
    """The incidents running at some moment of [start, end): an open one runs until now and on."""
    return list(session.scalars(select(PlatformIncident).where(
        PlatformIncident.started_at < end,
        or_(PlatformIncident.ended_at.is_(None), PlatformIncident.ended_at > start))
        .order_by(PlatformIncident.started_at, PlatformIncident.id)))


def brief(incident: PlatformIncident) -> IncidentBrief:
    return {"incident_id": incident.id, "component": incident.component,
            "description": incident.description, "reference": incident.reference,
            "started_at": incident.started_at, "ended_at": incident.ended_at}
