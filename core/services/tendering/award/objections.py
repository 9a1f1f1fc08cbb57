"""Objections to the result. Engineering (条例 54): during the publicity; the first open one
suspends it, the answer to the last sets it running again with the suspended time given back;
answered within 3 日. 政府采购 (质疑, 政采条例 53; 政府采购法 52, 53): from the result notice
until 7 个工作日 after it ends, answered within 7 个工作日; a 质疑 suspends nothing — only the
财政部门 may, during a 投诉 (政府采购法 57)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.event_payloads import ObjectionBrief
from core.events import EventType
from core.model.party import Party
from core.model.tendering import (
    Award,
    Objection,
    Publicity,
    PublicityStatus,
    Registration,
    Round,
    RoundStatus,
)
from core.rules import award_periods
from core.security.access import acts_for_project, require_party_user
from core.security.principal import Principal
from core.services.calendar import calendar_of
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
from core.services.tendering.procedure import procedure_of
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.validation import required_text
from core.uow import UnitOfWork


def _objection_payload(o: Objection, party: Party) -> ObjectionBrief:
    return {"objection_id": o.id, "party_id": party.id, "party_name": party.name,
            "party_identifier": party.identifier, "text": o.text, "raised_at": o.raised_at,
            "answer": o.answer, "answered_at": o.answered_at, "answer_due_at": o.answer_due_at}


def _answer_due(uow: UnitOfWork, r: Round, received: datetime) -> datetime:
    due = award_periods.answer_due(procedure_of(r), calendar_of(uow), received)
    return due.ends_at.astimezone(UTC)


def _challenge(uow: UnitOfWork, principal: Principal, r: Round, party_id: int,
               body: str) -> Objection:
    """A 质疑 against a government result, within its period; nothing is suspended."""
    award = uow.session.get(Award, r.id)
    now = uow.clock.now()
    if award is None or award.result_notice_ends_at is None:
        raise DomainError("CHALLENGE_BEFORE_RESULT",
                          "对中标（成交）结果的质疑应当在结果公告发布后提出（《政府采购法实施条例》第五十三条）",
                          "a challenge to the result can be raised once the result is published "
                          "(Government Procurement Regulation art. 53)", ErrorKind.CONFLICT)
    award_periods.check_challenge_in_time(procedure_of(r), calendar_of(uow),
                                          award.result_notice_ends_at, now)
    objection = Objection(round_id=r.id, party_id=party_id, text=body, raised_at=now,
                          answer_due_at=_answer_due(uow, r, now))
    uow.session.add(objection)
    uow.session.flush()
    uow.record(principal.actor, "challenge.raise", "objection",
               f"{round_key(r)}/{objection.id}", None, snapshot(objection))
    _emit_challenge(uow, r, award, objection, EventType.CHALLENGE_RAISED, principal.actor)
    return objection


def _emit_challenge(uow: UnitOfWork, r: Round, award: Award | None, o: Objection,
                    event: EventType, actor: str) -> None:
    party = uow.session.get(Party, o.party_id)
    assert party is not None
    emit_round(uow, r, event, actor,
               result_notice_ends_at=award.result_notice_ends_at if award else None,
               challenge_ends_at=award.challenge_ends_at if award else None,
               objection=_objection_payload(o, party))


def raise_objection(uow: UnitOfWork, principal: Principal, section_code: str,
                    text: str) -> Objection:
    """A bidder of the round objects to the result: during the publicity (engineering; it stands
    suspended until every open objection is answered), or within the 质疑 period after the
    result notice (政府采购, :func:`_challenge`)."""
    party_id = require_party_user(principal)
    r = lock(uow, get_round(uow, principal, section_code))
    registered = uow.session.scalar(select(Registration.id).where(
        Registration.round_id == r.id, Registration.party_id == party_id))
    if registered is None:
        raise DomainError("NOT_A_BIDDER_OF_ROUND", "只有本轮投标人可以对评标结果提出异议",
                          "only a bidder of this round may object to its result",
                          ErrorKind.FORBIDDEN)
    body = required_text(text, "text", MAX_TEXT)
    if procedure_of(r).after_report.challenge is not None:
        return _challenge(uow, principal, r, party_id, body)
    p = uow.session.get(Publicity, r.id) if r.status == RoundStatus.PUBLICITY else None
    now = uow.clock.now()
    if p is None or p.status == PublicityStatus.ENDED or (
            p.status == PublicityStatus.RUNNING and now > p.ends_at):
        raise DomainError("OBJECTION_OUTSIDE_PUBLICITY",
                          "对评标结果的异议应当在中标候选人公示期间提出（《招标投标法实施条例》第五十四条）",
                          "an objection to the result must be raised during the candidates "
                          "publicity (Tendering Regulation art. 54)", ErrorKind.CONFLICT)
    objection = Objection(round_id=r.id, party_id=party_id, text=body, raised_at=now,
                          answer_due_at=_answer_due(uow, r, now))
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
    if procedure_of(r).after_report.challenge is not None:
        _emit_challenge(uow, r, uow.session.get(Award, r.id), objection,
                        EventType.CHALLENGE_ANSWERED, principal.actor)
        return objection
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
