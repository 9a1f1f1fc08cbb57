"""The rows every step after the evaluation reads: the round locked for the step, its
publicity and its open objections."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select

from core.errors import not_found
from core.event_payloads import PublicityFields
from core.model.tendering import Objection, Publicity, Round
from core.rules.procedures import ObjectionStage
from core.security.access import require_project_actor
from core.security.principal import Principal
from core.services.tendering.rounds import get_round
from core.uow import UnitOfWork


def lock(uow: UnitOfWork, r: Round) -> Round:
    """The round again, locked for this transaction (the scheduler locks it the same way)."""
    return uow.session.scalars(
        select(Round).where(Round.id == r.id).with_for_update(of=Round)
        .execution_options(populate_existing=True)).one()


def actor_round(uow: UnitOfWork, principal: Principal, section_code: str) -> Round:
    r = get_round(uow, principal, section_code)
    require_project_actor(principal, r.section.tender_project.project)
    return lock(uow, r)


def round_key(r: Round) -> str:
    return f"{r.section.code}/{r.round_no}"


def publicity_of(uow: UnitOfWork, r: Round) -> Publicity:
    p = uow.session.get(Publicity, r.id)
    if p is None:
        raise not_found("中标候选人公示", "publicity", r.section.code)
    return p


def publicity_payload(p: Publicity) -> PublicityFields:
    return {"publicity_status": p.status, "publicity_starts_at": p.starts_at,
            "publicity_ends_at": p.ends_at}


def open_objections(uow: UnitOfWork, r: Round,
                    stage: ObjectionStage = ObjectionStage.RESULT) -> list[Objection]:
    return list(uow.session.scalars(select(Objection).where(
        Objection.round_id == r.id, Objection.stage == stage.value,
        Objection.answered_at.is_(None)).order_by(Objection.id)))


def suspension_started(objections: Collection[Objection], now: datetime) -> datetime:
    """When the suspension that ends ``now`` began: the earliest raising among the objections
    whose open periods overlap (or touch) one another up to ``now``."""
    start = now
    spans = sorted(((o.raised_at, o.answered_at or now) for o in objections),
                   key=lambda span: span[1], reverse=True)
    for raised, answered in spans:
        if answered < start:
            break  # earlier spans end earlier still: the publicity ran in between
        start = min(start, raised)
    return start
