"""A sealed bid found tampered at the opening: on record, and told to the supervisors.

The bid itself is refused (BID_TAMPERED: its stored ciphertext fails its content address or
its authentication), and a refusal normally changes nothing. This one must leave a trace all
the same: someone altered a sealed bid between its receipt and the opening, or a bidder sealed
a broken file, and the supervisors (行政监督) decide which. So the refusal writes a
``bid.tampered`` audit entry every time and, once per bid, a ``bid.tampered`` event; the bidder
still gets the refusal and may hand in again within the window.
"""

from __future__ import annotations

from sqlalchemy import select

from core.event_payloads import BidTamperedPayload
from core.events import DomainEvent, EventType, project_ordering_key
from core.model.audit import AuditEntry
from core.model.party import Party
from core.model.tendering import Bid, Round
from core.sealing.errors import BID_TAMPERED, SealingError
from core.services.tendering.round_events import round_payload
from core.uow import UnitOfWork

ACTION = "bid.tampered"


def report_tampered(uow: UnitOfWork, r: Round, bid: Bid, err: SealingError, actor: str,
                    detected_by: str) -> bool:
    """Audit (and, the first time, announce) a bid refused as tampered; False for any other
    refusal (a wrong key is the bidder's own business). The caller keeps it on record
    (``uow.keep_on_refusal``) when it then refuses."""
    if err.code != BID_TAMPERED:
        return False
    reason = err.details.get("reason")
    already = uow.session.scalar(select(AuditEntry.seq).where(
        AuditEntry.action == ACTION, AuditEntry.object_type == "bid",
        AuditEntry.object_id == str(bid.id)).limit(1))
    uow.record(actor, ACTION, "bid", str(bid.id), None,
               {"code": err.code, "reason": reason, "detected_by": detected_by,
                "ciphertext_sha256": bid.ciphertext_sha256})
    if already is not None:
        return True  # the supervisors know; every further refusal is in the audit log
    party = uow.session.get(Party, bid.party_id)
    section = r.section
    payload: BidTamperedPayload = {
        **round_payload(uow.session, r),
        "bid": {
            "bid_id": bid.id, "party_id": bid.party_id,
            "bidder_name": party.name if party else None,
            "bidder_identifier": (party.uscc or party.id_number) if party else None,
            "ciphertext_sha256": bid.ciphertext_sha256,
            "submitted_at": bid.submitted_at,
        },
        "code": err.code, "reason": reason, "detected_by": detected_by,
        "detected_at": uow.clock.now(),
    }
    uow.emit(DomainEvent(EventType.BID_TAMPERED, "section", section.code,
                         project_ordering_key(section.tender_project.project.code), payload),
             actor)
    return True
