"""Which bids the opening left undecrypted, and which of them wait for centre staff to determine
why (电子招标投标办法 31, :mod:`core.services.tendering.decryption`): asked by the opening, by
the determination and by the lifecycle, which leaves a round no one may close to the people."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError, ErrorKind
from core.model.incident import PlatformIncident
from core.model.tendering import Bid, BidOpening, BidStatus, DecryptionDetermination, Round
from core.services import incidents
from core.services.tendering.opening_window import opening_ends


def window_incidents(session: Session, r: Round) -> list[PlatformIncident]:
    """The incidents on record that ran at some moment of the round's opening window."""
    return incidents.overlapping(session, r.bid_deadline, opening_ends(r))


def latest(session: Session, bid_id: int) -> DecryptionDetermination | None:
    return session.scalars(select(DecryptionDetermination).where(
        DecryptionDetermination.bid_id == bid_id)
        .order_by(DecryptionDetermination.id.desc()).limit(1)).first()


def unopened(session: Session, r: Round) -> list[Bid]:
    """The round's current bids that no one has opened yet, nor found undecryptable."""
    opened = select(BidOpening.bid_id).where(BidOpening.round_id == r.id)
    return list(session.scalars(select(Bid).where(
        Bid.round_id == r.id, Bid.status == BidStatus.SEALED.value,
        Bid.id.not_in(opened)).order_by(Bid.id)))


def pending(session: Session, r: Round) -> list[Bid]:
    """The unopened bids whose cause must be determined before the opening closes: those with
    no determination, while an incident overlapping the window is on record."""
    undetermined = [b for b in unopened(session, r) if latest(session, b.id) is None]
    return undetermined if undetermined and window_incidents(session, r) else []


def refuse_if_pending(session: Session, r: Round) -> None:
    held = pending(session, r)
    if held:
        raise DomainError(
            "DECRYPTION_CAUSE_PENDING",
            "开标期间有交易平台故障记录，未解密投标文件的原因须先由交易中心认定（电子招标投标办法第三十一条）",
            "a platform incident overlapped the opening window: centre staff must determine "
            "why each undecrypted bid was not decrypted first (e-tendering measures art. 31)",
            ErrorKind.CONFLICT, bid_ids=[b.id for b in held])


