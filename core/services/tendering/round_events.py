"""A round's events: the round with its section's context, plus what each event adds.

Apart from ``rounds`` so that the lifecycle (``lifecycle.transition``) and every use case can
emit them without importing one another.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.event_payloads import RoundPayload
from core.events import DomainEvent, EventType, project_ordering_key
from core.model.tendering import Round
from core.services.event_context import opening_context, section_context
from core.uow import UnitOfWork


def round_payload(session: Session, r: Round) -> RoundPayload:
    section = r.section
    return {
        "section_code": section.code, "tender_project_code": section.tender_project.code,
        "project_code": section.tender_project.project.code, "round_no": r.round_no,
        "procedure": r.procedure, "status": r.status, "bid_deadline": r.bid_deadline,
        "documents_issued_at": r.documents_issued_at, "deposit": r.deposit,
        "failure_reason": r.failure_reason,
        **section_context(session, section),
    }


def emit_round(uow: UnitOfWork, r: Round, event: EventType, actor: str, **extra: Any) -> None:
    """A round event: the round with its section's context, plus what this event adds
    (``core.event_payloads.PAYLOADS[event]`` declares it)."""
    payload: dict[str, Any] = {**round_payload(uow.session, r), **extra}
    if event is EventType.ROUND_OPENED:
        uow.session.flush()  # the opening record was just added
        payload["opening"] = opening_context(uow.session, r)
    uow.emit(DomainEvent(event, "section", r.section.code,
                         project_ordering_key(r.section.tender_project.project.code),
                         payload), actor)
