"""Objections (异议) and 质疑 by stage: who raises them, by when, who answers by when, and what
stands still meanwhile — the procedure's :class:`~core.rules.procedures.Remedies`, reckoned by
:mod:`core.rules.complaint_periods` (the result's by :mod:`core.rules.award_periods`).

Engineering (招标投标法实施条例):

* **documents** (22): a potential bidder (registered for the round, or having downloaded its
  documents) objects at least 10 日 before the bid deadline; answered within 3 日; until the last
  open one is answered the round is held (its deadline does not pass: ``lifecycle``), and the
  answer moves the deadline later by the time it stood held, so the bidders lose nothing;
* **opening** (44): a bidder of the round objects on site — during the opening window — and the
  tenderer answers on site (due by the window's end), the answer recorded;
* **result** (54): a bidder, or another 利害关系人 declaring its interest, during the candidates
  publicity; the first open one suspends it, the answer to the last sets it running again with
  the suspended time given back; answered within 3 日.

政府采购 (质疑, 政府采购法 52, 53; 政采条例 53; 94号令 10, 11): against the documents (a potential
supplier that obtained them, 7 个工作日 from their receipt), the opening (a supplier of the round,
7 个工作日 after the opening record: the end of that 采购程序环节) or the result (7 个工作日 after
the result notice ends); one per supplier and stage; answered in 7 个工作日; a 质疑 suspends
nothing — only the 财政部门 may, during a 投诉 (政府采购法 57, ``complaints``).

Before the bid deadline an event names no party (招标投标法 第二十二条)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, func, select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.event_payloads import ObjectionBrief
from core.events import EventType
from core.model.party import Party
from core.model.project import Section
from core.model.tendering import (
    Award,
    Bid,
    BidStatus,
    Objection,
    OpeningRecord,
    Publicity,
    PublicityStatus,
    Registration,
    Round,
    RoundStatus,
)
from core.rules import award_periods, complaint_periods
from core.rules.calendar import LegalDay
from core.rules.procedures import ObjectionStage, StageObjection, Timing
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
from core.services.tendering.opening_window import opening_ends
from core.services.tendering.procedure import procedure_of
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.validation import required_text
from core.uow import UnitOfWork

MAX_INTEREST = 2000


def before_deadline(r: Round) -> bool:
    """Still bidding: who obtained the documents is not disclosed (法 22)."""
    return r.status in (RoundStatus.DRAFT, RoundStatus.BIDDING)


def objection_brief(o: Objection, party: Party | None, withheld: bool) -> ObjectionBrief:
    shown = None if withheld else party
    return {"objection_id": o.id, "stage": o.stage,
            "party_id": shown.id if shown else None,
            "party_name": shown.name if shown else None,
            "party_identifier": shown.identifier if shown else None,
            "interest": o.interest, "text": o.text, "raised_at": o.raised_at,
            "answer": o.answer, "answered_at": o.answered_at, "answer_due_at": o.answer_due_at}


def _brief(uow: UnitOfWork, r: Round, o: Objection) -> ObjectionBrief:
    return objection_brief(o, uow.session.get(Party, o.party_id), before_deadline(r))


def _utc(day: LegalDay | None) -> datetime | None:
    return None if day is None else day.ends_at.astimezone(UTC)


def _registration(uow: UnitOfWork, r: Round, party_id: int) -> Registration | None:
    return uow.session.scalars(select(Registration).where(
        Registration.round_id == r.id, Registration.party_id == party_id)).first()


def _downloaded_at(uow: UnitOfWork, r: Round, party_id: int) -> datetime | None:
    """When the party downloaded the documents of the round's tender project (any section)."""
    return uow.session.scalar(
        select(func.min(Registration.documents_downloaded_at))
        .join(Round, Round.id == Registration.round_id)
        .join(Section, Section.id == Round.section_id)
        .where(Section.tender_project_id == r.section.tender_project_id,
               Registration.party_id == party_id))


def _not_a_bidder() -> DomainError:
    return DomainError("NOT_A_BIDDER_OF_ROUND",
                       "只有本轮投标人（或声明利害关系的利害关系人）可以提出异议",
                       "only a bidder of this round (or an interested party stating its "
                       "interest) may object", ErrorKind.FORBIDDEN)


def _standing(uow: UnitOfWork, r: Round, party_id: int, stage: ObjectionStage,
              rule: StageObjection, interest: str | None) -> str | None:
    """Refuse a party the law does not let raise this objection; return the interest it
    declared, if it needs one."""
    registered = _registration(uow, r, party_id)
    if stage is ObjectionStage.DOCUMENTS and rule.potential_bidders:
        if registered is None and _downloaded_at(uow, r, party_id) is None:
            raise DomainError("NOT_A_POTENTIAL_BIDDER",
                              "只有已报名或已获取招标（采购）文件的潜在投标人（供应商）可以对文件提出异议",
                              "only a potential bidder (registered, or having obtained the "
                              "documents) may object to them", ErrorKind.FORBIDDEN)
        return None
    if stage is ObjectionStage.OPENING and rule.timing is Timing.ON_SITE:
        bid = uow.session.scalar(select(exists().where(
            Bid.round_id == r.id, Bid.party_id == party_id,
            Bid.status == BidStatus.SEALED.value)))
        if not bid:
            raise DomainError("NOT_A_BIDDER_OF_ROUND", "只有本轮投标人可以对开标提出异议",
                              "only a bidder of this round may object to the opening",
                              ErrorKind.FORBIDDEN)
        return None
    if registered is not None:
        return None
    declared = (interest or "").strip()
    if rule.interested_parties and declared:
        return required_text(declared, "interest", MAX_INTEREST)
    raise _not_a_bidder()


def _add(uow: UnitOfWork, principal: Principal, r: Round, party_id: int, stage: ObjectionStage,
         body: str, interest: str | None, due: datetime | None, action: str) -> Objection:
    objection = Objection(round_id=r.id, party_id=party_id, text=body,
                          raised_at=uow.clock.now(), answer_due_at=due, stage=stage.value,
                          interest=interest)
    uow.session.add(objection)
    uow.session.flush()
    uow.record(principal.actor, action, "objection", f"{round_key(r)}/{objection.id}", None,
               snapshot(objection))
    return objection


def _answer_due(uow: UnitOfWork, r: Round, stage: ObjectionStage, received: datetime
                ) -> datetime | None:
    return _utc(complaint_periods.answer_due(procedure_of(r), calendar_of(uow), stage, received))


def _stage_closed(stage: ObjectionStage, status: str) -> DomainError:
    return DomainError("OBJECTION_STAGE_CLOSED",
                       f"当前状态（{status}）不能对该环节（{stage.value}）提出异议",
                       f"no objection to the {stage.value} can be raised in status {status}",
                       ErrorKind.CONFLICT, stage=stage.value)


def _challenge_started(uow: UnitOfWork, r: Round, party_id: int,
                       stage: ObjectionStage) -> datetime:
    """When a 质疑 against ``stage`` starts to run (政采条例 53)."""
    if stage is ObjectionStage.DOCUMENTS:
        reg = _registration(uow, r, party_id)
        received = _downloaded_at(uow, r, party_id) or (reg.registered_at if reg else None)
        assert received is not None  # _standing let only a party who obtained them through
        return complaint_periods.challenge_start(received, None)
    if stage is ObjectionStage.OPENING:
        record = uow.session.get(OpeningRecord, r.id)
        if record is None:
            raise DomainError("CHALLENGE_STAGE_NOT_OVER",
                              "开标环节尚未结束，对采购过程的质疑应在该环节结束后提出"
                              "（《政府采购法实施条例》第五十三条）",
                              "the opening has not ended; a challenge to the process runs from "
                              "the end of its stage (Government Procurement Regulation art. 53)",
                              ErrorKind.CONFLICT, stage=stage.value)
        return record.published_at
    raise AssertionError(stage)


def _challenge(uow: UnitOfWork, principal: Principal, r: Round, party_id: int,
               stage: ObjectionStage, body: str) -> Objection:
    """A 质疑 within its period; one per supplier and stage; nothing is suspended."""
    procedure = procedure_of(r)
    now = uow.clock.now()
    award = uow.session.get(Award, r.id)
    if stage is ObjectionStage.RESULT:
        if award is None or award.result_notice_ends_at is None:
            raise DomainError("CHALLENGE_BEFORE_RESULT",
                              "对中标（成交）结果的质疑应当在结果公告发布后提出（《政府采购法实施条例》第五十三条）",
                              "a challenge to the result can be raised once the result is "
                              "published (Government Procurement Regulation art. 53)",
                              ErrorKind.CONFLICT)
        award_periods.check_challenge_in_time(procedure, calendar_of(uow),
                                              award.result_notice_ends_at, now)
    else:
        complaint_periods.check_challenge_in_time(
            procedure, calendar_of(uow), stage, _challenge_started(uow, r, party_id, stage), now)
    raised = uow.session.scalar(select(func.count()).select_from(Objection).where(
        Objection.round_id == r.id, Objection.party_id == party_id,
        Objection.stage == stage.value)) or 0
    complaint_periods.check_one_per_stage(procedure, stage, raised)
    objection = _add(uow, principal, r, party_id, stage, body, None,
                     _answer_due(uow, r, stage, now), "challenge.raise")
    _emit_challenge(uow, r, award, objection, EventType.CHALLENGE_RAISED, principal.actor)
    return objection


def _emit_challenge(uow: UnitOfWork, r: Round, award: Award | None, o: Objection,
                    event: EventType, actor: str) -> None:
    emit_round(uow, r, event, actor,
               result_notice_ends_at=award.result_notice_ends_at if award else None,
               challenge_ends_at=award.challenge_ends_at if award else None,
               objection=_brief(uow, r, o))


def _to_documents(uow: UnitOfWork, principal: Principal, r: Round, party_id: int, body: str
                  ) -> Objection:
    """条例 22: ≥ 10 日 before the deadline; the round is held until answered."""
    if r.status != RoundStatus.BIDDING:
        raise _stage_closed(ObjectionStage.DOCUMENTS, r.status)
    now = uow.clock.now()
    complaint_periods.check_documents_objection_in_time(procedure_of(r), r.bid_deadline, now)
    objection = _add(uow, principal, r, party_id, ObjectionStage.DOCUMENTS, body, None,
                     _answer_due(uow, r, ObjectionStage.DOCUMENTS, now), "objection.raise")
    before = snapshot(r)
    reschedule(uow, r)  # held: the deadline does not pass until it is answered
    if before["next_check"] != r.next_check:
        r.updated_at = now
        uow.record(principal.actor, "round.hold", "round", round_key(r), before, snapshot(r))
    emit_round(uow, r, EventType.STAGE_OBJECTION_RAISED, principal.actor,
               objection=_brief(uow, r, objection))
    return objection


def _to_opening(uow: UnitOfWork, principal: Principal, r: Round, party_id: int, body: str
                ) -> Objection:
    """条例 44: on site, during the opening window; answered there, by the window's end."""
    if r.status != RoundStatus.OPENING:
        raise complaint_periods.outside_opening(procedure_of(r))
    ends = opening_ends(r)
    complaint_periods.check_on_site(procedure_of(r), r.bid_deadline, ends, uow.clock.now())
    objection = _add(uow, principal, r, party_id, ObjectionStage.OPENING, body, None,
                     ends.astimezone(UTC), "objection.raise")
    emit_round(uow, r, EventType.STAGE_OBJECTION_RAISED, principal.actor,
               objection=_brief(uow, r, objection))
    return objection


def _to_result(uow: UnitOfWork, principal: Principal, r: Round, party_id: int, body: str,
               interest: str | None) -> Objection:
    """条例 54: during the publicity; the publicity stands suspended until answered."""
    p = uow.session.get(Publicity, r.id) if r.status == RoundStatus.PUBLICITY else None
    now = uow.clock.now()
    if p is None or p.status == PublicityStatus.ENDED or (
            p.status == PublicityStatus.RUNNING and now > p.ends_at):
        raise DomainError("OBJECTION_OUTSIDE_PUBLICITY",
                          "对评标结果的异议应当在中标候选人公示期间提出（《招标投标法实施条例》第五十四条）",
                          "an objection to the result must be raised during the candidates "
                          "publicity (Tendering Regulation art. 54)", ErrorKind.CONFLICT)
    objection = _add(uow, principal, r, party_id, ObjectionStage.RESULT, body, interest,
                     _answer_due(uow, r, ObjectionStage.RESULT, now), "objection.raise")
    if p.status == PublicityStatus.RUNNING:
        before = snapshot(p)
        p.status = PublicityStatus.SUSPENDED.value
        reschedule(uow, r)
        r.updated_at = now
        uow.record(principal.actor, "publicity.suspend", "publicity", round_key(r), before,
                   snapshot(p))
    emit_round(uow, r, EventType.OBJECTION_RAISED, principal.actor, **publicity_payload(p),
               objection=_brief(uow, r, objection))
    return objection


def raise_objection(uow: UnitOfWork, principal: Principal, section_code: str, text: str, *,
                    stage: ObjectionStage = ObjectionStage.RESULT,
                    interest: str | None = None) -> Objection:
    """A party objects to one stage of the round, as its procedure allows (module doc)."""
    party_id = require_party_user(principal)
    r = lock(uow, get_round(uow, principal, section_code))
    procedure = procedure_of(r)
    rule = complaint_periods.stage_rule(procedure, stage)
    declared = _standing(uow, r, party_id, stage, rule, interest)
    body = required_text(text, "text", MAX_TEXT)
    if rule.timing is Timing.AFTER_STAGE:
        return _challenge(uow, principal, r, party_id, stage, body)
    if rule.timing is Timing.BEFORE_DEADLINE:
        return _to_documents(uow, principal, r, party_id, body)
    if rule.timing is Timing.ON_SITE:
        return _to_opening(uow, principal, r, party_id, body)
    return _to_result(uow, principal, r, party_id, body, declared)


def _release_documents_hold(uow: UnitOfWork, principal: Principal, r: Round,
                            now: datetime) -> None:
    """The last objection to the documents answered: the deadline moves later by the time the
    round stood held (from the first of the overlapping objections to this answer)."""
    if r.status != RoundStatus.BIDDING or open_objections(uow, r, ObjectionStage.DOCUMENTS):
        return
    episode = uow.session.scalars(select(Objection).where(
        Objection.round_id == r.id, Objection.stage == ObjectionStage.DOCUMENTS.value)).all()
    since = suspension_started(episode, now)
    before = snapshot(r)
    if r.bid_deadline > since:
        r.bid_deadline = r.bid_deadline + (now - since)
    reschedule(uow, r)
    r.updated_at = now
    uow.record(principal.actor, "round.release", "round", round_key(r), before, snapshot(r))


def answer_objection(uow: UnitOfWork, principal: Principal, section_code: str,
                     objection_id: int, answer: str) -> Objection:
    """The owner's answer; when no objection is left open the held round or the suspended
    publicity runs again, its deadline moved later by the time it stood still."""
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
    stage = ObjectionStage(objection.stage)
    rule = complaint_periods.stage_rule(procedure_of(r), stage)
    if rule.timing is Timing.AFTER_STAGE:
        _emit_challenge(uow, r, uow.session.get(Award, r.id), objection,
                        EventType.CHALLENGE_ANSWERED, principal.actor)
        return objection
    if stage is not ObjectionStage.RESULT:
        if rule.suspends:
            _release_documents_hold(uow, principal, r, now)
        emit_round(uow, r, EventType.STAGE_OBJECTION_ANSWERED, principal.actor,
                   objection=_brief(uow, r, objection))
        return objection
    p = publicity_of(uow, r)
    if p.status == PublicityStatus.SUSPENDED and not open_objections(uow, r):
        episode = uow.session.scalars(select(Objection).where(
            Objection.round_id == r.id, Objection.stage == ObjectionStage.RESULT.value)).all()
        before_p = snapshot(p)
        p.ends_at = p.ends_at + (now - suspension_started(episode, now))
        p.status = PublicityStatus.RUNNING.value
        reschedule(uow, r)
        r.updated_at = now
        uow.record(principal.actor, "publicity.resume", "publicity", round_key(r), before_p,
                   snapshot(p))
    emit_round(uow, r, EventType.OBJECTION_ANSWERED, principal.actor, **publicity_payload(p),
               objection=_brief(uow, r, objection))
    return objection


def list_objections(uow: UnitOfWork, principal: Principal, section_code: str
                    ) -> list[Objection]:
    """The owner, its agency and the oversight kinds see every objection; a party its own."""
    r = get_round(uow, principal, section_code)
    query = select(Objection).where(Objection.round_id == r.id).order_by(Objection.id)
    project = r.section.tender_project.project
    if not (principal.has_oversight or acts_for_project(principal, project)):
        query = query.where(Objection.party_id == require_party_user(principal))
    return list(uow.session.scalars(query))
