"""条例 54: objections during the publicity; the first open one suspends it, the answer to the
last sets it running again with the suspended time given back."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.event_payloads import ObjectionBrief
from core.events import EventType
from core.model.party import Party
from core.model.tendering import Objection, Publicity, PublicityStatus, Registration, RoundStatus
from core.security.access import acts_for_project, require_party_user
from core.security.principal import Principal
from core.services.tendering.award.candidates import MAX_TEXT
from core.services.tendering.award.rows import (
    actor_round,
    lock,
    open_objections,
    publicity_of,
    publicity_payload,
    round_key,
    suspension_started,
)
from core.services.tendering.lifecycle import reschedule
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.validation import required_text
from core.uow import UnitOfWork


def _objection_payload(o: Objection, party: Party) -> ObjectionBrief:
    return {"objection_id": o.id, "party_id": party.id, "party_name": party.name,
            "party_identifier": party.identifier, "text": o.text, "raised_at": o.raised_at,
            "answer": o.answer, "answered_at": o.answered_at}


def raise_objection(uow: UnitOfWork, principal: Principal, section_code: str,
                    text: str) -> Objection:
    """A bidder of the round objects to the evaluation result while the publicity runs; the
    publicity stands suspended until every open objection is answered."""
    party_id = require_party_user(principal)
    r = lock(uow, get_round(uow, principal, section_code))
    registered = uow.session.scalar(select(Registration.id).where(
        Registration.round_id == r.id, Registration.party_id == party_id))
    if registered is None:
        raise DomainError("NOT_A_BIDDER_OF_ROUND", "只有本轮投标人可以对评标结果提出异议",
                          "only a bidder of this round may object to its result",
                          ErrorKind.FORBIDDEN)
    p = uow.session.get(Publicity, r.id) if r.status == RoundStatus.PUBLICITY else None
    now = uow.clock.now()
    if p is None or p.status == PublicityStatus.ENDED or (
            p.status == PublicityStatus.RUNNING and now > p.ends_at):
        raise DomainError("OBJECTION_OUTSIDE_PUBLICITY",
                          "对评标结果的异议应当在中标候选人公示期间提出（《招标投标法实施条例》第五十四条）",
                          "an objection to the result must be raised during the candidates "
                          "publicity (Tendering Regulation art. 54)", ErrorKind.CONFLICT)
    body = required_text(text, "text", MAX_TEXT)
    objection = Objection(round_id=r.id, party_id=party_id, text=body, raised_at=now)
    uow.session.add(objection)
    uow.session.flush()
    uow.record(principal.actor, "objection.raise", "objection", f"{round_key(r)}/{objection.id}",
               None, snapshot(objection))
    if p.status == PublicityStatus.RUNNING:
        before = snapshot(p)
        p.status = PublicityStatus.SUSPENDED.value
        reschedule(uow, r)
        r.updated_at = now
        uow.record(principal.actor, "publicity.suspend", "publicity", round_key(r), before,
                   snapshot(p))
    party = uow.session.get(Party, party_id)
    assert party is not None
    emit_round(uow, r, EventType.OBJECTION_RAISED, principal.actor, **publicity_payload(p),
               objection=_objection_payload(objection, party))
    return objection


def answer_objection(uow: UnitOfWork, principal: Principal, section_code: str,
                     objection_id: int, answer: str) -> Objection:
    """The owner's answer; when no objection is left open the publicity runs again, its end
    moved later by the time it stood suspended."""
    r = actor_round(uow, principal, section_code)
    objection = uow.session.get(Objection, objection_id)
    if objection is None or objection.round_id != r.id:
        raise not_found("异议", "objection", objection_id)
    if objection.answered_at is not None:
        raise DomainError("OBJECTION_ALREADY_ANSWERED", "该异议已经答复",
                          "this objection has already been answered", ErrorKind.CONFLICT)
    body = required_text(answer, "answer", MAX_TEXT)
    now = uow.clock.now()
    before = snapshot(objection)
    objection.answer = body
    objection.answered_at = now
    uow.record(principal.actor, "objection.answer", "objection", f"{round_key(r)}/{objection.id}",
               before, snapshot(objection))
    p = publicity_of(uow, r)
    if p.status == PublicityStatus.SUSPENDED and not open_objections(uow, r):
        episode = uow.session.scalars(select(Objection).where(Objection.round_id == r.id)).all()
        before_p = snapshot(p)
        p.ends_at = p.ends_at + (now - suspension_started(episode, now))
        p.status = PublicityStatus.RUNNING.value
        reschedule(uow, r)
        r.updated_at = now
        uow.record(principal.actor, "publicity.resume", "publicity", round_key(r), before_p,
                   snapshot(p))
    party = uow.session.get(Party, objection.party_id)
    assert party is not None
    emit_round(uow, r, EventType.OBJECTION_ANSWERED, principal.actor, **publicity_payload(p),
               objection=_objection_payload(objection, party))
    return objection


def list_objections(uow: UnitOfWork, principal: Principal, section_code: str
                    ) -> list[Objection]:
    """The owner, its agency and the oversight kinds see every objection; a bidder its own."""
    r = get_round(uow, principal, section_code)
    query = select(Objection).where(Objection.round_id == r.id).order_by(Objection.id)
    project = r.section.tender_project.project
    if not (principal.has_oversight or acts_for_project(principal, project)):
        query = query.where(Objection.party_id == require_party_user(principal))
    return list(uow.session.scalars(query))
