"""What events carry beside the changed object: the parties and the tender around it.

Receivers of our events (the provincial and national platforms above all) need the tenderer's
name and code on a section record, the bidders' regions on a bidder list, the deadlines on a
notice. Events carry those facts as they stood at the change, so a mapping never calls back into
the core and a record sent late still says what was true when it happened.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.event_payloads import (
    NoticeSchedule,
    Opening,
    OpeningBid,
    PartyBrief,
    SectionContext,
    TenderContext,
)
from core.model.notice import Notice
from core.model.party import Party
from core.model.project import Section, TenderProject
from core.model.tendering import Bid, OpeningRecord, Registration, Round


def party_brief(session: Session, party_id: int | None) -> PartyBrief | None:
    party = session.get(Party, party_id) if party_id is not None else None
    if party is None:
        return None
    return {
        "party_id": party.id, "name": party.name,
        "identifier": party.uscc or party.id_number,
        "identifier_type": "uscc" if party.uscc else "id_number",
        "region_code": party.region_code, "legal_representative": party.legal_representative,
        "contact_name": party.contact_name, "contact_phone": party.contact_phone,
        "address": party.address,
    }


def tender_context(session: Session, tp: TenderProject) -> TenderContext:
    project = tp.project
    return {
        "tender_project_name": tp.name, "tender_mode": tp.tender_mode,
        "organize_form": tp.organize_form, "tender_project_type": tp.tender_project_type,
        "region_code": project.region_code, "industry_code": project.industry_code,
        "unified_deal_code": tp.unified_deal_code, "domain": project.domain,
        "supervise_dept_name": tp.supervise_dept_name,
        "approval_number": project.approval_number,
        "tenderer": party_brief(session, project.owner_party_id),
        "agency": party_brief(session, project.agency_party_id),
    }


def section_context(session: Session, section: Section) -> SectionContext:
    rounds = session.scalar(select(Round.round_no).where(Round.section_id == section.id)
                            .order_by(Round.round_no.desc()).limit(1))
    return {
        **tender_context(session, section.tender_project),
        "section_name": section.name, "section_content": section.content,
        "estimated_price": section.estimated_price, "currency": section.currency,
        "price_unit": section.price_unit, "duration_days": section.duration_days,
        "qualification": section.qualification, "tender_count": rounds or 1,
    }


def notice_schedule(session: Session, notice: Notice,
                    published_at: datetime | None = None) -> NoticeSchedule | None:
    """The deadlines a tender notice announces: those of the current round of its first
    section, once the round is configured (a notice published earlier carries none).
    ``published_at``: the moment it would be published, for the check before it is."""
    published_at = published_at or notice.published_at
    if not notice.sections:
        return None
    r = session.scalar(select(Round).where(Round.section_id == notice.sections[0].id)
                       .order_by(Round.round_no.desc()).limit(1))
    if r is None:
        return None
    return {"round_no": r.round_no, "documents_from": r.documents_issued_at or published_at,
            "documents_until": r.documents_available_until or r.bid_deadline,
            "bid_deadline": r.bid_deadline,
            "opening_at": r.bid_deadline, "deposit": r.deposit}


def opening_context(session: Session, r: Round) -> Opening | None:
    """The bids as the signed opening record read them out, with what a bidder list needs
    beside them (the bidder's region, when it handed in, its deposit)."""
    record = session.get(OpeningRecord, r.id)
    if record is None:
        return None
    body = json.loads(record.body)
    registrations = {reg.party.uscc or reg.party.id_number: reg for reg in session.scalars(
        select(Registration).where(Registration.round_id == r.id))}
    submitted = {b.party_id: b.submitted_at for b in session.scalars(
        select(Bid).where(Bid.round_id == r.id))}
    bids: list[OpeningBid] = []
    for read in body["bids"]:
        reg = registrations.get(read["bidder_id"])
        bids.append(cast(OpeningBid, {  # the record's reading of the bid, as signed
            "cause": None, "loss_claim": False, "determination": None,  # older records lack them
            **read,
            "region_code": reg.party.region_code if reg else None,
            "contact_name": reg.party.contact_name if reg else None,
            "contact_phone": reg.party.contact_phone if reg else None,
            "identifier_type": "uscc" if reg and reg.party.uscc else "id_number",
            "submitted_at": submitted.get(reg.party_id) if reg else None,
            "deposit_paid": bool(reg and reg.deposit_paid_at is not None),
            "deposit_paid_at": reg.deposit_paid_at if reg else None,
        }))
    return {"published_at": record.published_at, "bids": bids, "bid_count": len(bids)}
