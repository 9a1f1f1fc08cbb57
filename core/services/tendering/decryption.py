"""Why a bid stayed undecrypted, and what that makes it: 撤销 or 撤回 (电子招标投标办法 31).

The rule, 《电子招标投标办法》第三十一条: "因投标人原因造成投标文件未解密的，视为撤销其投标
文件；因投标人之外的原因造成投标文件未解密的，视为撤回其投标文件，投标人有权要求责任方赔偿因此遭受
的直接损失。部分投标文件未解密的，其他投标文件的开标可以继续进行。招标人可以在招标文件中明确投标文件
解密失败的补救方案，投标文件应按照招标文件的要求作出响应。" Reading taken: this wording and the
number 31, as a secondary source quotes them (《招标采购管理》第9期, reproduced at
haidsoft.com/115771.html); the official gazette text was not seen, so the number stays [M] as in
legal-review.md §1 row 41. 招标投标法实施条例 第三十五条 gives the consequences: a 撤回 deposit is
refunded within 5 日, after a 撤销 it may be kept (``core.rules.limits.refund_after_withdrawal``).

What this platform does:

* **The remedy first.** Where the tender documents let k keyholders open bids (the "补救方案"),
  they open what the bidders did not (``opening.committee_open``); a bid they find damaged in
  storage is 撤回 (not the bidder's doing, presumed). A cause is determined only for a bid no
  one could open.
* **The default at the window's end.** A bid left unopened is presumed the bidder's doing
  (撤销, ``NOT_DECRYPTED_BY_BIDDER``): the bidder holds its own key and handing it in is its
  part. But while a platform incident (``core.services.incidents``) overlapping the opening
  window is on record, that presumption does not hold: the bid's cause is **pending**, the
  opening record is not published, and the scheduler leaves the round to centre staff until
  each such bid's cause is determined (then the scheduler, or staff, close the opening). The
  other bids stay opened; nothing more is asked of their bidders (31: the others go on).
* **The determination.** Centre staff determine the cause of a bid not decrypted: ``bidder``
  (撤销) or ``not_bidder`` (撤回, with the bidder's claim against the party responsible for its
  direct losses noted), with a reason, and for ``not_bidder`` the incidents (overlapping the
  window) or a basis in words. They may determine again, with a reason, until the evaluation
  starts; every determination is kept.
* **The record.** The signed opening record says, per bid, its outcome, its cause and the
  determination (or none: the rule's presumption), and lists the incidents overlapping the
  window. A determination after the record was published is signed and published on its own
  (``ggzy.decryption-determination.v1``, naming the record's SHA-256): the signed record stays
  the bytes it was.
* **The deposit.** 撤回: a paid deposit falls due 5 日 after the determination (条例 35); 撤销:
  it stays (and a due date set by an earlier 撤回 is taken back unless already refunded).
  Neither bid is evaluated (``evaluation.forms.EVALUABLE``).

Every determination is audited (before/after) and announced (``bid.decryption_cause_determined``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import canonical_json
from core.errors import DomainError, ErrorKind, not_found
from core.event_payloads import DecryptionCausePayload, RecordedDetermination
from core.events import DomainEvent, EventType, jsonable, project_ordering_key
from core.model.account import AccountKind
from core.model.incident import PlatformIncident
from core.model.party import Party
from core.model.tendering import (
    Bid,
    BidOpening,
    BidStatus,
    DecryptionCause,
    DecryptionDetermination,
    OpeningOutcome,
    OpeningRecord,
    Registration,
    Round,
    RoundStatus,
)
from core.ports import ReceiptSigner
from core.rules.limits import refund_after_withdrawal
from core.security.access import require_kind
from core.security.principal import Principal
from core.services import incidents
from core.services.calendar import calendar_of
from core.services.tendering import deposits
from core.services.tendering.lifecycle import reschedule
from core.services.tendering.opening_window import opening_ends
from core.services.tendering.round_events import round_payload
from core.services.tendering.rounds import get_round
from core.services.tendering.supervision import ensure_not_suspended
from core.services.tendering.undecrypted import (
    latest,
    pending,
    unopened,
    window_incidents,
)
from core.services.validation import optional_text, required_text
from core.uow import UnitOfWork

NOT_DECRYPTED = frozenset({OpeningOutcome.REVOKED.value, OpeningOutcome.RETRACTED.value})
OUTCOME_OF = {DecryptionCause.BIDDER: OpeningOutcome.REVOKED,
              DecryptionCause.NOT_BIDDER: OpeningOutcome.RETRACTED}
CAUSE_OF = {OpeningOutcome.REVOKED.value: DecryptionCause.BIDDER.value,
            OpeningOutcome.RETRACTED.value: DecryptionCause.NOT_BIDDER.value}
DETERMINATION_TYPE = "ggzy.decryption-determination.v1"
MAX_REASON = 2000
MAX_INCIDENTS = 20


# -- what the opening asks -------------------------------------------------------------------


def outcome_at_close(session: Session, bid: Bid) -> OpeningOutcome:
    """A bid unopened when the opening closes: as determined, else presumed the bidder's."""
    d = latest(session, bid.id)
    return OpeningOutcome(d.outcome) if d is not None else OpeningOutcome.REVOKED


def recorded(session: Session, opening: BidOpening) -> tuple[str | None,
                                                              RecordedDetermination | None]:
    """What the opening record says of a bid's cause: the cause, and the determination it
    rests on (None: the rule's presumption, or a bid opened)."""
    cause = CAUSE_OF.get(opening.outcome)
    if cause is None:
        return None, None
    d = latest(session, opening.bid_id)
    if d is None or d.outcome != opening.outcome:
        return cause, None
    return cause, {"determination_id": d.id, "reason": d.reason, "basis": d.basis,
                   "incident_ids": list(d.incident_ids),
                   "determined_at": d.determined_at.isoformat()}


def retracted_deposit(uow: UnitOfWork, actor: str, r: Round, bid: Bid,
                      at: datetime) -> Registration | None:
    """A bid deemed withdrawn: its paid deposit falls due 5 日 after ``at`` (条例 35)."""
    due = refund_after_withdrawal(calendar_of(uow), at).ends_at.astimezone(UTC)
    return deposits.set_refund_due(uow, actor, r, bid.party_id, due)


# -- the determination -----------------------------------------------------------------------


@dataclass(frozen=True)
class CauseIn:
    cause: str  # a DecryptionCause value
    reason: str
    incident_ids: tuple[int, ...] = ()
    basis: str | None = None


def _cause(value: str) -> DecryptionCause:
    try:
        return DecryptionCause(value)
    except ValueError:
        raise DomainError("DECRYPTION_CAUSE_UNKNOWN", f"未知的未解密原因 {value}",
                          f"unknown cause {value!r} (bidder or not_bidder)",
                          field="cause") from None


def _bid(uow: UnitOfWork, r: Round, bid_id: int) -> tuple[Bid, BidOpening | None]:
    bid = uow.session.get(Bid, bid_id)
    if bid is None or bid.round_id != r.id or bid.status != BidStatus.SEALED.value:
        raise not_found("投标文件", "bid", bid_id)
    opening = uow.session.scalars(select(BidOpening).where(BidOpening.bid_id == bid.id)
                                  .with_for_update(of=BidOpening)).first()
    if opening is not None and opening.outcome not in NOT_DECRYPTED:
        raise DomainError("BID_WAS_OPENED", "该投标文件已解密，无需认定未解密原因",
                          "this bid was opened: it has no cause of failure to determine",
                          ErrorKind.CONFLICT)
    return bid, opening


def _in_time(uow: UnitOfWork, r: Round, opening: BidOpening | None) -> None:
    """After the window and before the evaluation starts; and where keyholders may still open
    the bid, they open it first (the tender documents' remedy)."""
    if r.status == RoundStatus.OPENING:
        if uow.clock.now() < opening_ends(r):
            raise DomainError("OPENING_WINDOW_NOT_OVER", "投标人解密时限尚未结束",
                              "the bidders' decryption window is not over", ErrorKind.CONFLICT)
        if opening is None and r.committee_fallback:
            raise DomainError("KEYHOLDERS_MAY_STILL_OPEN",
                              "招标文件约定由开标密钥持有人解密，应先由其解密",
                              "the tender documents let keyholders open this bid: they open "
                              "it first", ErrorKind.CONFLICT)
        return
    if r.status != RoundStatus.OPENED:
        raise DomainError("DETERMINATION_TOO_LATE", "评标已经开始，不能再认定未解密原因",
                          "the evaluation has started: the cause can no longer be determined",
                          ErrorKind.CONFLICT)


def _incidents(uow: UnitOfWork, r: Round, ids: Sequence[int]) -> list[PlatformIncident]:
    if len(ids) > MAX_INCIDENTS:
        raise DomainError("FIELD_TOO_LONG", f"incident_ids 最多 {MAX_INCIDENTS} 项",
                          f"at most {MAX_INCIDENTS} incidents", field="incident_ids")
    in_window = {i.id: i for i in window_incidents(uow.session, r)}
    found = []
    for incident_id in dict.fromkeys(ids):
        incident = incidents.get_incident(uow, incident_id)
        if incident.id not in in_window:
            raise DomainError("INCIDENT_NOT_IN_WINDOW",
                              f"故障记录 {incident_id} 与本轮次的解密时段不重叠",
                              f"incident {incident_id} did not overlap this round's opening "
                              "window", field="incident_ids", incident_id=incident_id)
        found.append(incident)
    return found


def determine_cause(uow: UnitOfWork, principal: Principal, signer: ReceiptSigner,
                    section_code: str, bid_id: int, given: CauseIn) -> DecryptionDetermination:
    """Centre staff determine why a bid was not decrypted (电子办法 31): see the module."""
    require_kind(principal, AccountKind.CENTRE_STAFF)
    r = get_round(uow, principal, section_code)
    ensure_not_suspended(r)
    bid, opening = _bid(uow, r, bid_id)
    _in_time(uow, r, opening)
    cause = _cause(given.cause)
    reason = required_text(given.reason, "reason", MAX_REASON)
    basis = optional_text(given.basis, "basis", MAX_REASON)
    found = _incidents(uow, r, given.incident_ids)
    if cause is DecryptionCause.NOT_BIDDER and not found and basis is None:
        raise DomainError("DETERMINATION_BASIS_REQUIRED",
                          "认定为投标人之外的原因，须注明故障记录或其他依据",
                          "a cause other than the bidder needs the incidents or a basis",
                          field="incident_ids")
    now = uow.clock.now()
    outcome = OUTCOME_OF[cause]
    previous = opening.outcome if opening is not None else None
    earlier = latest(uow.session, bid.id)
    before = {"outcome": previous, "determination_id": earlier.id if earlier else None,
              "cause": earlier.cause if earlier else CAUSE_OF.get(previous or "")}
    d = DecryptionDetermination(
        round_id=r.id, bid_id=bid.id, cause=cause.value, outcome=outcome.value,
        previous_outcome=previous, reason=reason, incident_ids=[i.id for i in found],
        basis=basis, determined_by=principal.account_id, determined_at=now)
    uow.session.add(d)
    if opening is not None:
        opening.outcome = outcome.value
    uow.session.flush()
    reg = _deposit(uow, principal.actor, r, bid, outcome, now)
    record = uow.session.get(OpeningRecord, r.id)
    party = uow.session.get(Party, bid.party_id)
    if record is not None:
        _publish(d, r, party, record, found, signer, now)
    uow.record(principal.actor, "bid.decryption_cause", "bid", str(bid.id), before,
               {"outcome": outcome.value, "determination_id": d.id, "cause": cause.value,
                "reason": reason, "basis": basis, "incident_ids": d.incident_ids,
                "published": record is not None})
    _emit(uow, principal.actor, r, bid, party, d, found, reg)
    if r.status == RoundStatus.OPENING and not pending(uow.session, r):
        reschedule(uow, r)  # nothing left to determine: the scheduler may close the opening
    return d


def _deposit(uow: UnitOfWork, actor: str, r: Round, bid: Bid, outcome: OpeningOutcome,
             at: datetime) -> Registration | None:
    if outcome is OpeningOutcome.RETRACTED:
        retracted_deposit(uow, actor, r, bid, at)
    else:  # 撤销: the deposit may be kept (条例 35); a date an earlier 撤回 set is taken back
        deposits.set_refund_due(uow, actor, r, bid.party_id, None)
    return uow.session.scalars(select(Registration).where(
        Registration.round_id == r.id, Registration.party_id == bid.party_id)).first()


def _publish(d: DecryptionDetermination, r: Round, party: Party | None, record: OpeningRecord,
             found: Sequence[PlatformIncident], signer: ReceiptSigner, now: datetime) -> None:
    """A determination after the record: signed and published on its own, naming the record."""
    body = canonical_json(jsonable({
        "type": DETERMINATION_TYPE, "section_code": r.section.code, "round_no": r.round_no,
        "opening_record_sha256": hashlib.sha256(record.body.encode()).hexdigest(),
        "determination_id": d.id, "bidder_name": party.name if party else None,
        "bidder_id": party.identifier if party else None, "cause": d.cause,
        "outcome": d.outcome, "previous_outcome": d.previous_outcome, "reason": d.reason,
        "basis": d.basis, "incidents": [incidents.brief(i) for i in found],
        "loss_claim": d.cause == DecryptionCause.NOT_BIDDER.value,
        "determined_at": d.determined_at, "published_at": now}))
    d.body = body.decode()
    d.signature = base64.b64encode(signer.sign_bytes(body)).decode()
    d.published_at = now


def _emit(uow: UnitOfWork, actor: str, r: Round, bid: Bid, party: Party | None,
          d: DecryptionDetermination, found: Sequence[PlatformIncident],
          reg: Registration | None) -> None:
    payload: DecryptionCausePayload = {
        **round_payload(uow.session, r),
        "bid": {"bid_id": bid.id, "party_id": bid.party_id,
                "bidder_name": party.name if party else None,
                "bidder_identifier": party.identifier if party else None},
        "determination_id": d.id, "cause": d.cause, "outcome": d.outcome,
        "previous_outcome": d.previous_outcome, "reason": d.reason, "basis": d.basis,
        "incidents": [incidents.brief(i) for i in found],
        "loss_claim": d.cause == DecryptionCause.NOT_BIDDER.value,
        "determined_at": d.determined_at,
        "deposit_status": reg.deposit_status if reg else None,
        "deposit_refund_due_at": reg.deposit_refund_due_at if reg else None,
        "published_at": d.published_at,
    }
    uow.emit(DomainEvent(EventType.BID_DECRYPTION_CAUSE_DETERMINED, "section", r.section.code,
                         project_ordering_key(r.section.tender_project.project.code), payload),
             actor)


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UndecryptedView:
    bid: Bid
    party: Party
    outcome: str | None  # None: unopened, the opening not closed yet
    cause: str | None
    pending: bool  # its cause must be determined before the opening closes
    determinations: list[DecryptionDetermination]


@dataclass(frozen=True)
class FailuresView:
    round: Round
    window_starts: datetime
    window_ends: datetime
    incidents: list[PlatformIncident]
    bids: list[UndecryptedView]


def failures(uow: UnitOfWork, principal: Principal, section_code: str) -> FailuresView:
    """The opening's undecrypted bids, their causes and determinations, and the incidents that
    overlapped its window: for centre staff and the supervisors."""
    require_kind(principal, AccountKind.CENTRE_STAFF, AccountKind.SUPERVISOR)
    r = get_round(uow, principal, section_code)
    s = uow.session
    held = {b.id for b in pending(s, r)}
    after_window = r.status != RoundStatus.OPENING or uow.clock.now() >= opening_ends(r)
    rows: list[tuple[Bid, BidOpening | None]] = [
        (b, None) for b in (unopened(s, r) if after_window else [])]
    rows += [(o.bid, o) for o in s.scalars(select(BidOpening).where(
        BidOpening.round_id == r.id, BidOpening.outcome.in_(NOT_DECRYPTED)))]
    views = []
    for bid, opening in sorted(rows, key=lambda row: row[0].id):
        party = s.get(Party, bid.party_id)
        assert party is not None
        history = list(s.scalars(select(DecryptionDetermination).where(
            DecryptionDetermination.bid_id == bid.id).order_by(DecryptionDetermination.id)))
        outcome = opening.outcome if opening is not None else None
        cause = CAUSE_OF.get(outcome or "") or (history[-1].cause if history else None)
        views.append(UndecryptedView(bid, party, outcome, cause, bid.id in held, history))
    return FailuresView(r, r.bid_deadline, opening_ends(r), window_incidents(s, r), views)


def published(session: Session, r: Round) -> list[DecryptionDetermination]:
    """The determinations published after the round's opening record, oldest first."""
    return list(session.scalars(select(DecryptionDetermination).where(
        DecryptionDetermination.round_id == r.id,
        DecryptionDetermination.published_at.is_not(None))
        .order_by(DecryptionDetermination.id)))


def record_incidents(session: Session, r: Round) -> list[dict[str, Any]]:
    """The incidents overlapping the window, as the opening record lists them."""
    return [jsonable(incidents.brief(i)) for i in window_incidents(session, r)]
