"""What the public may know about a section, as plain frozen values: the input of every OCDS
transform here. ``exchange/ocds/loader.py`` reads them from the core, each stage only once
``core.services.public_record`` says it is public; what the transforms cannot see they cannot
leak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class PartyFact:
    party_id: int
    name: str
    uscc: str | None  # None for a natural person: an ID number is never published
    region_code: str
    address: str | None
    contact_name: str | None
    contact_phone: str | None


@dataclass(frozen=True)
class NoticeFact:
    notice_id: int
    notice_type: str
    title: str
    published_at: datetime


@dataclass(frozen=True)
class DeadlineFact:
    """The bid deadline as announced at ``at``: by issuing the documents or by a clarification."""

    at: datetime
    bid_deadline: datetime
    clarification: bool
    key: str  # stable per announcement (the outbox event id)


@dataclass(frozen=True)
class BidFact:
    bid_id: int
    party: PartyFact
    submitted_at: datetime
    outcome: str  # the opening's outcome for this bid (opened_by_bidder, revoked …)
    price: Decimal | None  # read out at the opening; None when not decrypted or unreadable


@dataclass(frozen=True)
class OpeningFact:
    published_at: datetime
    bids: tuple[BidFact, ...]


@dataclass(frozen=True)
class CandidateFact:
    rank: int
    status: str  # ranked | declined | disqualified | awarded
    bid_id: int
    party: PartyFact
    price: Decimal | None


@dataclass(frozen=True)
class ResultFact:
    """The evaluation's public outcome: from the candidates publicity on."""

    publicity_starts_at: datetime
    publicity_ends_at: datetime
    method: str | None  # the evaluation method's key (core.evaluation.methods)
    method_label_zh: str | None  # its name, as the award criteria's details say it
    rejected_bid_ids: frozenset[int]
    candidates: tuple[CandidateFact, ...]


@dataclass(frozen=True)
class AwardFact:
    bid_id: int
    issued_at: datetime
    contract_amount: Decimal | None
    contract_signed_at: datetime | None
    contract_recorded_at: datetime | None


@dataclass(frozen=True)
class EndFact:
    status: str  # failed (流标) | terminated (终止)
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class RoundFacts:
    round_no: int
    documents_issued_at: datetime | None
    opening_window_minutes: int | None
    deadlines: tuple[DeadlineFact, ...]
    notices: tuple[NoticeFact, ...]  # tender / prequalification notices of this round
    follow_ups: tuple[NoticeFact, ...]  # clarification / amendment notices
    opening: OpeningFact | None
    result: ResultFact | None
    award: AwardFact | None
    end: EndFact | None

    def deadline_at(self, moment: datetime) -> datetime | None:
        """The deadline as the public knew it at ``moment``."""
        known = [d for d in self.deadlines if d.at <= moment]
        return known[-1].bid_deadline if known else None


@dataclass(frozen=True)
class SectionFacts:
    code: str
    name: str
    content: str | None
    estimated_price: Decimal | None
    currency: str  # ISO 4217 numeric, as the national standard writes it
    price_unit: str  # 0 元 | 1 万元
    duration_days: int | None
    tender_project_code: str
    tender_project_name: str
    tender_project_content: str | None
    unified_deal_code: str
    sibling_sections: int  # sections of the tender project, this one included
    domain: str
    tender_mode: str
    buyer: PartyFact
    agency: PartyFact | None
    rounds: tuple[RoundFacts, ...]
