"""What the public may know about a section, read from the core into the plain frozen values of
``mappings/ocds/facts.py``.

Every stage is read only once ``core.services.public_record`` says it is public, as for every
other reader of the public record: bids only from a signed opening record on (before it, the
``tender_bid_openings`` rows of a round still being opened are not read at all), rejections and
candidates only from the candidates publicity on, registrations never. The release builder works
on these values alone, so what it cannot see it cannot leak.

The tables keep the current state; the few past moments they overwrite (the deadline before a
clarification moved it, when a round failed or its contract was recorded) come from the section's
outbox events, with the tables as the fallback should the outbox ever be pruned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.evaluation.methods import EvaluationMethod
from core.events import EventType
from core.model.notice import Notice, NoticeStatus
from core.model.outbox import OutboxEvent
from core.model.party import Party, PartyKind
from core.model.project import Section
from core.model.tendering import (
    Bid,
    BidOpening,
    Candidate,
    Evaluation,
    Round,
    RoundStatus,
)
from core.services import public_record
from mappings.ocds.facts import (
    AwardFact,
    BidFact,
    CandidateFact,
    DeadlineFact,
    EndFact,
    NoticeFact,
    OpeningFact,
    PartyFact,
    ResultFact,
    RoundFacts,
    SectionFacts,
)

TENDER_NOTICE_TYPES = frozenset({"tender", "prequalification"})
FOLLOW_UP_NOTICE_TYPES = frozenset({"amendment", "clarification"})
ENDED = frozenset({RoundStatus.FAILED.value, RoundStatus.TERMINATED.value})


def _party(p: Party) -> PartyFact:
    return PartyFact(party_id=p.id, name=p.name,
                     uscc=p.uscc if p.kind == PartyKind.ORGANISATION else None,
                     region_code=p.region_code, address=p.address,
                     contact_name=p.contact_name, contact_phone=p.contact_phone)


def _notice(n: Notice) -> NoticeFact:
    assert n.published_at is not None
    return NoticeFact(n.id, n.notice_type, n.title, n.published_at)


def _section_notices(session: Session, section: Section) -> list[Notice]:
    """Published notices naming the section, and follow-ups of those (which may name none)."""
    published = list(session.scalars(
        select(Notice).where(Notice.tender_project_id == section.tender_project_id,
                             Notice.status == NoticeStatus.PUBLISHED.value,
                             Notice.round_id.is_(None))  # not the lifecycle's own notices:
        # OCDS reads the opening, award and contract from the round itself
        .order_by(Notice.published_at, Notice.id)))
    naming = {n.id for n in published if any(s.id == section.id for s in n.sections)}
    return [n for n in published if n.id in naming or (
        n.notice_type in FOLLOW_UP_NOTICE_TYPES and not n.sections
        and n.related_notice_id in naming)]


def _events(session: Session, section_code: str) -> list[OutboxEvent]:
    return list(session.scalars(
        select(OutboxEvent).where(OutboxEvent.aggregate_type == "section",
                                  OutboxEvent.aggregate_id == section_code)
        .order_by(OutboxEvent.id)))


def _of_round(events: Iterable[OutboxEvent], round_no: int,
              *types: EventType) -> list[OutboxEvent]:
    wanted = {t.value for t in types}
    return [e for e in events
            if e.event_type in wanted and e.payload.get("round_no") == round_no]


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _deadlines(r: Round, events: Sequence[OutboxEvent]) -> tuple[DeadlineFact, ...]:
    found = []
    for e in _of_round(events, r.round_no, EventType.TENDER_DOCUMENTS_ISSUED,
                       EventType.TENDER_DOCUMENTS_CLARIFIED):
        deadline = _aware(e.payload.get("bid_deadline"))
        if deadline is not None:
            found.append(DeadlineFact(
                e.occurred_at, deadline,
                e.event_type == EventType.TENDER_DOCUMENTS_CLARIFIED.value, e.event_id))
    if not found and r.documents_issued_at is not None:  # outbox pruned: today's deadline
        found.append(DeadlineFact(r.documents_issued_at, r.bid_deadline, False, "documents"))
    return tuple(found)


def _opening(session: Session, r: Round) -> OpeningFact | None:
    record = public_record.opening_record(session, r)
    if record is None:  # still sealed, or being opened: nothing about a bid is read
        return None
    rows = session.execute(
        select(BidOpening, Bid, Party).join(Bid, Bid.id == BidOpening.bid_id)
        .join(Party, Party.id == Bid.party_id).where(BidOpening.round_id == r.id)
        .order_by(Bid.submitted_at, Bid.id)).all()
    return OpeningFact(record.published_at, tuple(
        BidFact(b.id, _party(p), b.submitted_at, o.outcome, o.price) for o, b, p in rows))


def _result(session: Session, r: Round) -> ResultFact | None:
    publicity = public_record.candidates_publicity(session, r)
    if publicity is None:  # the evaluation stays internal until its candidates are public
        return None
    evaluation = session.get(Evaluation, r.id)
    rejected = frozenset(int(k) for k in (evaluation.rejections if evaluation else {}))
    rows = session.execute(
        select(Candidate, Party, BidOpening.price).join(Bid, Bid.id == Candidate.bid_id)
        .join(Party, Party.id == Bid.party_id)
        .outerjoin(BidOpening, BidOpening.bid_id == Bid.id)
        .where(Candidate.round_id == r.id).order_by(Candidate.rank)).all()
    method = evaluation.method if evaluation else None
    return ResultFact(publicity.starts_at, publicity.ends_at, method,
                      EvaluationMethod(method).label_zh if method else None, rejected,
                      tuple(CandidateFact(c.rank, c.status, c.bid_id, _party(p), price)
                            for c, p, price in rows))


def _award(session: Session, r: Round, events: Sequence[OutboxEvent]) -> AwardFact | None:
    award = public_record.award(session, r)
    if award is None:
        return None
    recorded = _of_round(events, r.round_no, EventType.CONTRACT_RECORDED)
    recorded_at = recorded[-1].occurred_at if recorded else award.contract_signed_at
    return AwardFact(award.bid_id, award.notice_issued_at, award.contract_amount,
                     award.contract_signed_at,
                     recorded_at if award.contract_signed_at is not None else None)


def _end(r: Round, events: Sequence[OutboxEvent]) -> EndFact | None:
    if r.status not in ENDED:
        return None
    kind = (EventType.ROUND_FAILED if r.status == RoundStatus.FAILED.value
            else EventType.ROUND_TERMINATED)
    found = _of_round(events, r.round_no, kind)
    return EndFact(r.status, found[-1].occurred_at if found else r.updated_at, r.failure_reason)


def _round_of_notice(notice: Notice, ended: Sequence[EndFact]) -> int:
    """A notice belongs to the round after every round that had ended before it appeared."""
    assert notice.published_at is not None
    return 1 + sum(1 for end in ended if end.at < notice.published_at)


def load_section(session: Session, section_code: str) -> SectionFacts | None:
    """The public facts of a section, or None if there is no such section."""
    section = session.scalars(select(Section).where(Section.code == section_code)).first()
    if section is None:
        return None
    tp = section.tender_project
    project = tp.project
    buyer = session.get(Party, project.owner_party_id)
    assert buyer is not None
    agency = (session.get(Party, project.agency_party_id)
              if project.agency_party_id is not None else None)
    events = _events(session, section.code)
    rounds = {r.round_no: r for r in session.scalars(
        select(Round).where(Round.section_id == section.id).order_by(Round.round_no))}
    ends = {n: _end(r, events) for n, r in rounds.items()}
    ended = [e for e in ends.values() if e is not None]
    notices: dict[int, list[Notice]] = {}
    for n in _section_notices(session, section):
        notices.setdefault(_round_of_notice(n, ended), []).append(n)
    facts = []
    for round_no in sorted(set(rounds) | set(notices)):
        r = rounds.get(round_no)
        mine = notices.get(round_no, [])
        if (r is None or not public_record.round_is_public(r)) and not mine:
            continue  # a draft round nobody has announced is not public yet
        facts.append(RoundFacts(
            round_no=round_no,
            documents_issued_at=r.documents_issued_at if r else None,
            opening_window_minutes=r.opening_window_minutes if r else None,
            deadlines=_deadlines(r, events) if r else (),
            notices=tuple(_notice(n) for n in mine if n.notice_type not in
                          FOLLOW_UP_NOTICE_TYPES),
            follow_ups=tuple(_notice(n) for n in mine if n.notice_type in
                             FOLLOW_UP_NOTICE_TYPES),
            opening=_opening(session, r) if r else None,
            result=_result(session, r) if r else None,
            award=_award(session, r, events) if r else None,
            end=ends.get(round_no)))
    return SectionFacts(
        code=section.code, name=section.name, content=section.content,
        estimated_price=section.estimated_price, currency=section.currency,
        price_unit=section.price_unit, duration_days=section.duration_days,
        tender_project_code=tp.code, tender_project_name=tp.name,
        tender_project_content=tp.content, unified_deal_code=tp.unified_deal_code,
        sibling_sections=len(tp.sections), domain=project.domain, tender_mode=tp.tender_mode,
        buyer=_party(buyer), agency=_party(agency) if agency is not None else None,
        rounds=tuple(facts))
