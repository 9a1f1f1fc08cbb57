"""What is public when: the one place that decides it, for every reader of the public record.

The portal, the public REST routes, the Web Service queries and the OCDS export each show a
tender to people and systems who are not its parties. Each stage of a round becomes public at a
moment the law fixes, and every reader asks here, so none of them can show a stage earlier than
another does:

* a round, once its documents are issued (招标文件发出) — a draft, even a cancelled one, never
  was public;
* the bids as read out (开标记录), once the opening record is signed — before it, while bids are
  being opened, nothing about any bid is read at all;
* the candidates and the evaluation's rejections, once the candidates publicity starts (条例 54);
* the winner, once the award notice is issued (中标通知书);
* the contract, once it is on record.

Registrations, sealed bids, scores and the committee are never part of the public record (法 22,
法 37); nothing here reads them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.model.project import Section
from core.model.tendering import Award, OpeningRecord, Publicity, Round, RoundStatus


def round_is_public(r: Round) -> bool:
    """Out of draft with its documents issued (a draft cancelled before that never was)."""
    return r.status != RoundStatus.DRAFT.value and r.documents_issued_at is not None


def public_rounds(session: Session, section: Section) -> list[Round]:
    """The section's rounds whose documents were issued, oldest first."""
    return [r for r in session.scalars(select(Round).where(Round.section_id == section.id)
                                       .order_by(Round.round_no)) if round_is_public(r)]


def opening_record(session: Session, r: Round) -> OpeningRecord | None:
    """The signed opening record: from it on, the bids as read out are public."""
    return session.get(OpeningRecord, r.id)


def candidates_publicity(session: Session, r: Round) -> Publicity | None:
    """The candidates publicity, once started: from it on, the candidates and the rejections
    are public."""
    return session.get(Publicity, r.id)


def award(session: Session, r: Round) -> Award | None:
    """The award, once its notice is issued (an award row exists only from then)."""
    return session.get(Award, r.id)


def contract(session: Session, r: Round) -> Award | None:
    """The award with its contract on record, or None before the contract."""
    found = award(session, r)
    return found if found is not None and found.contract_signed_at is not None else None
