"""The candidates as they are published and sent: rank, bidder, the price read out at the
opening."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import select

from core.event_payloads import CandidateBrief
from core.model.party import Party
from core.model.tendering import Award, Bid, BidOpening, Candidate, Round
from core.uow import UnitOfWork

MAX_TEXT = 5000


class CandidateStatus(StrEnum):
    RANKED = "ranked"
    DECLINED = "declined"  # 放弃中标, cannot perform, no performance bond (条例 55)
    DISQUALIFIED = "disqualified"  # 被查实存在影响中标结果的违法行为 (条例 55)
    AWARDED = "awarded"


OUT_OF_RUNNING = frozenset({CandidateStatus.DECLINED.value, CandidateStatus.DISQUALIFIED.value})


@dataclass(frozen=True)
class CandidateView:
    """A candidate as published: rank, bidder and the price read out at the opening."""


    rank: int
    status: str
    bid_id: int
    party_id: int
    bidder_name: str
    bidder_identifier: str
    price: Decimal | None
    declared: dict[str, Any] | None = None  # the items read out at the opening (public since)
    bidder_is_person: bool = False  # the identifier is a 身份证 number (个人信息)
    tied: bool = False  # in a 并列 not settled yet (award.ties); never once published


    @property
    def public_identifier(self) -> str:
        """The identifier as any signed-in reader may see it: a person's 身份证 number without
        its birth date (个人信息保护法 Art. 28: sensitive personal information). The
        supervising platforms receive it whole, in the event."""
        if not self.bidder_is_person or len(self.bidder_identifier) != 18:
            return self.bidder_identifier
        return self.bidder_identifier[:6] + "*" * 8 + self.bidder_identifier[14:]


def payload(view: CandidateView) -> CandidateBrief:
    """The candidate as the events carry it to the platforms."""
    out = asdict(view)
    del out["bidder_is_person"], out["tied"]
    return cast(CandidateBrief, out)


def candidate_views(uow: UnitOfWork, r: Round) -> list[CandidateView]:
    rows = uow.session.execute(
        select(Candidate, Bid.party_id, Party.name, Party.uscc, Party.id_number, BidOpening.price,
               BidOpening.declared)
        .join(Bid, Bid.id == Candidate.bid_id)
        .join(Party, Party.id == Bid.party_id)
        .outerjoin(BidOpening, BidOpening.bid_id == Bid.id)
        .where(Candidate.round_id == r.id).order_by(Candidate.rank, Candidate.bid_id)).all()
    return [CandidateView(rank=c.rank, status=c.status, bid_id=c.bid_id, party_id=party_id,
                          bidder_name=name, bidder_identifier=uscc or id_number or "",
                          price=price, declared=declared, bidder_is_person=uscc is None,
                          tied=c.tied)
            for c, party_id, name, uscc, id_number, price, declared in rows]


def candidates_payload(uow: UnitOfWork, r: Round) -> list[CandidateBrief]:
    return [payload(c) for c in candidate_views(uow, r)]


def winner_view(uow: UnitOfWork, r: Round, award: Award) -> CandidateView:
    return next(v for v in candidate_views(uow, r) if v.bid_id == award.bid_id)
