"""The online opening (开标): keys handed in, bids decrypted, the record read out and signed.

From the deadline, each bidder unwraps its data key on its own side and hands it in within the
opening window. After the window, where the tender documents allow it, k keyholders open the
bids whose bidders failed: each unwraps its share of such a bid's data key on its own side
(``ggzy-bid keyholder unwrap-share``), the shares are handed in, and only here, after the window,
are they combined into the data key, in memory (envelope version 2; on a round configured before
it, the shares rebuild the legacy committee key instead). A bid they find damaged is 撤回: not
the bidder's doing. A bid still unopened is 撤销 (the bidder's doing, presumed) or 撤回 (not the
bidder's) as 电子招标投标办法 Art. 31 says, by the cause centre staff determine: while a
platform incident overlapping the window is on record, the opening waits for that determination
instead of presuming (``decryption``). The others go on. The opening record lists every bid with
its declared items, its outcome and cause, the incidents of the window, and the objections to the
opening raised on site with their answers (招标投标法实施条例 第四十四条: "投标人对开标有异议的，
应当在开标现场提出，招标人应当当场作出答复，并制作记录" — :func:`opening_objections`), and is
signed by the platform over its exact bytes; a determination after it is published on its own,
the record left as signed.
"""

from __future__ import annotations

import base64
import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from sqlalchemy import select

from core.audit import canonical_json
from core.errors import DomainError, ErrorKind, not_found
from core.events import EventType
from core.model.account import AccountKind
from core.model.party import Party
from core.model.tendering import (
    Bid,
    BidOpening,
    BidStatus,
    DecryptionCause,
    Objection,
    OpeningOutcome,
    OpeningRecord,
    Round,
    RoundStatus,
)
from core.ports import ContentStore, ReceiptSigner
from core.rules.procedures import ObjectionStage
from core.sealing.committee import Committee
from core.sealing.envelope import Envelope, dek_from_shares, open_bid, unwrap_as_committee
from core.sealing.errors import SHARES_INVALID, SealingError
from core.sealing.keyholders import KeyholderPanel
from core.sealing.package import BidPackageError, PackageFile, is_package, read_package
from core.sealing.shamir import Share
from core.security.access import can_read_project, require_kind
from core.security.principal import SYSTEM_ACTOR, Principal
from core.services import lifecycle_notices
from core.services.tendering import decryption, undecrypted
from core.services.tendering.bids import bidder_party, keyholders_of
from core.services.tendering.lifecycle import opening_ends, reschedule, transition
from core.services.tendering.rounds import get_round
from core.services.tendering.supervision import ensure_not_suspended
from core.services.tendering.tampering import report_tampered
from core.uow import UnitOfWork

MAX_BID_FILE = 2 * 1024 * 1024 * 1024  # a plaintext larger than this is refused while reading
LEGACY_HEAD = 64 * 1024  # the legacy JSON bid is read from its first 64 KiB


@dataclass(frozen=True)
class ReadOut:
    """What the opening read from a decrypted bid: the price and the other 开标一览表 items, or
    the code saying why it could not (the bid stays on record as opened but unreadable)."""

    price: Decimal | None
    declared: dict[str, Any]
    failure: str | None
    documents: tuple[PackageFile, ...] = ()


def _legacy_declared(plaintext: bytes) -> ReadOut:
    """The bid form before packages: one JSON object with ``price`` in the first 64 KiB. Kept
    because bids sealed that way (and the test and demo fixtures that seal them) still open."""
    try:
        doc = json.loads(plaintext)
        if not isinstance(doc, dict):
            raise ValueError("not an object")
        price = Decimal(str(doc["price"]))
        if not price.is_finite() or price < 0:
            raise ValueError("price")
    except (ValueError, KeyError, InvalidOperation):
        return ReadOut(None, {}, "BID_FILE_UNREADABLE")
    declared = {k: v for k, v in doc.items() if k != "price" and isinstance(v, str | int)}
    return ReadOut(price, declared, None)


def _read_out(plain: IO[bytes], envelope: Envelope) -> ReadOut:
    """A bid package (docs/bid-package.md) is checked whole, every digest; anything that is not
    a ZIP is read as the legacy JSON bid."""
    head = plain.read(LEGACY_HEAD)
    plain.seek(0)
    if not is_package(head):
        return _legacy_declared(head)
    try:
        package = read_package(plain, envelope.section_code, envelope.bidder_id)
    except BidPackageError as err:
        return ReadOut(None, {}, err.code)
    return ReadOut(package.schedule.price, dict(package.schedule.items), None, package.files)


def _decrypt_to_store(store: ContentStore, envelope: Envelope, bid: Bid,
                      dek: bytes) -> tuple[str, ReadOut]:
    """Decrypt into a spooled file, read what is read out, then store the plaintext."""
    with store.open(bid.ciphertext_sha256) as ciphertext, \
            tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as plain:
        open_bid(envelope, ciphertext, plain, dek)
        plain.seek(0)
        read = _read_out(plain, envelope)
        plain.seek(0)
        return store.put(plain), read


def _record_opening(uow: UnitOfWork, r: Round, bid: Bid, outcome: OpeningOutcome,
                    address: str | None, read: ReadOut | None, actor: str) -> BidOpening:
    read = read or ReadOut(None, {}, None)
    opened = BidOpening(bid_id=bid.id, round_id=r.id, outcome=outcome.value,
                        plaintext_sha256=address, price=read.price, declared=read.declared,
                        failure_code=read.failure, opened_at=uow.clock.now())
    uow.session.add(opened)
    uow.record(actor, f"bid.{outcome.value}", "bid", str(bid.id), None,
               {"outcome": outcome.value, "plaintext_sha256": address, "price": read.price,
                "failure_code": read.failure,
                "documents": [f.as_json() for f in read.documents]})
    return opened


def _in_window(uow: UnitOfWork, r: Round) -> None:
    now = uow.clock.now()
    if r.status != RoundStatus.OPENING or not r.bid_deadline <= now < opening_ends(r):
        raise DomainError("OPENING_WINDOW_CLOSED", "不在解密时限内",
                          "the decryption window is not open", ErrorKind.CONFLICT)


def hand_in_key(uow: UnitOfWork, principal: Principal, store: ContentStore, section_code: str,
                dek: bytes) -> BidOpening:
    """A bidder hands in the data key it unwrapped on its own side; a wrong key is refused and
    may be tried again within the window."""
    party = bidder_party(uow, principal)
    r = get_round(uow, principal, section_code)
    ensure_not_suspended(r)
    _in_window(uow, r)
    bid = uow.session.scalars(select(Bid).where(
        Bid.round_id == r.id, Bid.party_id == party.id,
        Bid.status == BidStatus.SEALED.value)).first()
    if bid is None:
        raise not_found("投标文件", "bid", section_code)
    if uow.session.get(BidOpening, bid.id) is not None:
        raise DomainError("BID_ALREADY_OPENED", "该投标文件已解密", "this bid is already open",
                          ErrorKind.CONFLICT)
    try:
        address, read = _decrypt_to_store(store, Envelope.from_json(bid.envelope), bid, dek)
    except SealingError as err:
        if report_tampered(uow, r, bid, err, principal.actor, "bidder_key"):
            uow.keep_on_refusal()  # the refusal stays on record; nothing else has changed
        raise
    opened = _record_opening(uow, r, bid, OpeningOutcome.OPENED_BY_BIDDER, address, read,
                             principal.actor)
    return opened


def _unopened(uow: UnitOfWork, r: Round) -> list[Bid]:
    return undecrypted.unopened(uow.session, r)


def _keyholders_may_open(uow: UnitOfWork, r: Round) -> None:
    """After the bidders' window and before the close, where the documents allow it."""
    if r.status != RoundStatus.OPENING or uow.clock.now() < opening_ends(r):
        raise DomainError("OPENING_WINDOW_NOT_OVER", "投标人解密时限尚未结束",
                          "the bidders' decryption window is not over", ErrorKind.CONFLICT)
    if not r.committee_fallback:
        raise DomainError("COMMITTEE_OPENING_NOT_ALLOWED", "招标文件未约定由开标密钥持有人解密",
                          "the tender documents do not let keyholders open bids",
                          ErrorKind.CONFLICT)


def awaiting_keyholders(uow: UnitOfWork, principal: Principal, section_code: str) -> list[Bid]:
    """The bids the keyholders may open, with their envelopes: what ``ggzy-bid keyholder
    unwrap-share`` fetches. Only after the bidders' window (before it, not even which bids are
    still sealed is told), to centre staff, supervisors and the project's owner or agency."""
    r = get_round(uow, principal, section_code)
    if not can_read_project(principal, r.section.tender_project.project):
        raise DomainError("ROLE_NOT_ALLOWED", "无权查看待开标密钥持有人解密的投标文件",
                          "only centre staff, supervisors and the project's owner or agency "
                          "see the bids awaiting the keyholders", ErrorKind.FORBIDDEN)
    ensure_not_suspended(r)
    _keyholders_may_open(uow, r)
    return _unopened(uow, r)


def committee_open(uow: UnitOfWork, principal: Principal, store: ContentStore,
                   section_code: str, shares: Sequence[bytes]) -> list[BidOpening]:
    """After the window: the keyholders' shares open the bids whose bidders did not hand in a
    key. Only where the tender documents allow it.

    Envelope version 2: each share is one keyholder's share of one bid's data key and names its
    bid (by the content address), so one call opens each bid it brings k shares for; the others
    wait. A share that is not the one the bid's envelope commits to, or too few shares for a bid,
    refuse the whole call and change nothing. On a legacy round the shares rebuild the committee
    key, which opens every unopened bid."""
    require_kind(principal, AccountKind.CENTRE_STAFF)
    r = get_round(uow, principal, section_code)
    ensure_not_suspended(r)
    _keyholders_may_open(uow, r)
    try:
        parsed = [Share.from_bytes(s) for s in shares]
    except (SealingError, ValueError) as err:
        raise DomainError("SHARES_INVALID", "密钥分片格式错误", "a share is malformed") from err
    keyholders = keyholders_of(r)
    if isinstance(keyholders, Committee):
        opened = _open_with_committee_key(uow, principal, store, r, keyholders, parsed)
        scheme = "committee_key"
    else:
        opened = _open_with_dek_shares(uow, principal, store, r, keyholders, parsed)
        scheme = "dek_shares"
    uow.record(principal.actor, "round.committee_open", "round", f"{section_code}/{r.round_no}",
               None, {"shares": len(parsed), "opened": len(opened), "scheme": scheme})
    return opened


def _open_with_dek_shares(uow: UnitOfWork, principal: Principal, store: ContentStore, r: Round,
                          panel: KeyholderPanel, shares: list[Share]) -> list[BidOpening]:
    """Every bid's shares are checked and combined before anything is recorded."""
    unopened = _unopened(uow, r)
    by_address = {bid.ciphertext_sha256: bid for bid in unopened}
    grouped: dict[int, list[Share]] = {}
    for share in shares:
        bid = by_address.get(share.committee_fingerprint.hex())
        if bid is None:
            raise SealingError(SHARES_INVALID, reason="share of no bid awaiting the keyholders",
                               index=share.index)
        grouped.setdefault(bid.id, []).append(share)
    deks: dict[int, tuple[Envelope, bytes]] = {}
    for bid in unopened:
        if bid.id not in grouped:
            continue
        envelope = Envelope.from_json(bid.envelope)
        try:
            deks[bid.id] = envelope, dek_from_shares(envelope, grouped[bid.id])
        except SealingError as err:  # SHARES_INSUFFICIENT / SHARES_INVALID: nothing changed
            index = err.details.get("index")
            named = (panel.member_at(index).name
                     if isinstance(index, int) and 1 <= index <= panel.n else None)
            reason = f"{err.details.get('reason') or err.code}: bid {bid.id}" + (
                f", keyholder {named}" if named else "")
            raise SealingError(err.code, **{**err.details, "reason": reason, "bid_id": bid.id,
                                            "keyholder": named}) from None
    opened = []
    for bid in unopened:
        if bid.id not in deks:
            continue
        envelope, dek = deks.pop(bid.id)
        opened.append(_open_one(uow, principal, store, r, bid, envelope, dek))
        del dek
    return opened


def _open_with_committee_key(uow: UnitOfWork, principal: Principal, store: ContentStore,
                             r: Round, committee: Committee,
                             shares: list[Share]) -> list[BidOpening]:
    """Legacy round (envelope version 1): k shares rebuild the committee key in memory, and it
    opens every bid whose bidder did not hand in a key."""
    key = committee.rebuild_key(shares)  # SHARES_INSUFFICIENT / SHARES_INVALID, nothing changed
    opened = []
    for bid in _unopened(uow, r):
        envelope = Envelope.from_json(bid.envelope)
        try:
            dek = unwrap_as_committee(envelope, key)
        except SealingError as err:
            opened.append(_keyholders_failed(uow, principal, r, bid, err))
            continue
        opened.append(_open_one(uow, principal, store, r, bid, envelope, dek))
    del key
    return opened


def _open_one(uow: UnitOfWork, principal: Principal, store: ContentStore, r: Round, bid: Bid,
              envelope: Envelope, dek: bytes) -> BidOpening:
    try:
        address, read = _decrypt_to_store(store, envelope, bid, dek)
    except SealingError as err:
        return _keyholders_failed(uow, principal, r, bid, err)
    return _record_opening(uow, r, bid, OpeningOutcome.OPENED_BY_COMMITTEE, address, read,
                           principal.actor)


def _keyholders_failed(uow: UnitOfWork, principal: Principal, r: Round, bid: Bid,
                       err: SealingError) -> BidOpening:
    """The file or its key wrap is damaged: not the bidder's doing as far as we can tell."""
    row = _failed(uow, r, bid, OpeningOutcome.RETRACTED, err.code, principal.actor)
    decryption.retracted_deposit(uow, principal.actor, r, bid, uow.clock.now())
    report_tampered(uow, r, bid, err, principal.actor, "keyholders")
    return row


def _failed(uow: UnitOfWork, r: Round, bid: Bid, outcome: OpeningOutcome, code: str,
            actor: str) -> BidOpening:
    row = BidOpening(bid_id=bid.id, round_id=r.id, outcome=outcome.value, failure_code=code,
                     declared={}, opened_at=uow.clock.now())
    uow.session.add(row)
    uow.record(actor, f"bid.{outcome.value}", "bid", str(bid.id), None,
               {"outcome": outcome.value, "failure_code": code})
    return row


PERSONAL_IDENTIFIER = re.compile(r"(_id|id_number)$")


def read_out(declared: dict[str, Any] | None) -> dict[str, Any]:
    """What of a bid's declared items is read out in public: not personal identifiers (a
    project manager's 身份证 goes to the committee and the supervising platforms, not into a
    public record; 个人信息保护法 Art. 28)."""
    return {k: v for k, v in (declared or {}).items() if not PERSONAL_IDENTIFIER.search(k)}


def opening_objections(uow: UnitOfWork, r: Round) -> list[dict[str, Any]]:
    """The objections to this round's opening (stage ``opening``), oldest first, each with its
    objector and the answer given on site — ``answer`` null for one left unanswered by the
    window's end, which the record then shows as such (条例 44 "制作记录"). On this platform the
    opening site is its decryption window (:func:`core.rules.complaint_periods.check_on_site`),
    so every engineering one is in before the record is made; a government 质疑 of the opening
    comes after the record (7 个工作日) and is not in it."""
    rows = uow.session.execute(
        select(Objection, Party).join(Party, Party.id == Objection.party_id)
        .where(Objection.round_id == r.id, Objection.stage == ObjectionStage.OPENING.value)
        .order_by(Objection.raised_at, Objection.id)).tuples()
    return [{"objection_id": o.id, "bidder_name": p.name, "bidder_id": p.identifier,
             "text": o.text, "raised_at": o.raised_at.isoformat(), "answer": o.answer,
             "answered_at": None if o.answered_at is None else o.answered_at.isoformat()}
            for o, p in rows]


def record_body(uow: UnitOfWork, r: Round, published_at: datetime) -> dict[str, Any]:
    rows = uow.session.execute(
        select(BidOpening, Party).join(Bid, Bid.id == BidOpening.bid_id)
        .join(Party, Party.id == Bid.party_id).where(BidOpening.round_id == r.id)
        .order_by(Bid.submitted_at)).all()
    bids = []
    for o, p in rows:
        cause, determination = decryption.recorded(uow.session, o)
        bids.append({"bidder_name": p.name, "bidder_id": p.identifier, "outcome": o.outcome,
                     "price": None if o.price is None else str(o.price),
                     "declared": read_out(o.declared), "failure_code": o.failure_code,
                     "cause": cause, "loss_claim": cause == DecryptionCause.NOT_BIDDER.value,
                     "determination": determination})
    return {
        "type": "ggzy.opening-record.v1", "section_code": r.section.code,
        "round_no": r.round_no, "bid_deadline": r.bid_deadline.isoformat(),
        "published_at": published_at.isoformat(), "bids": bids,
        "incidents": decryption.record_incidents(uow.session, r),
        "objections": opening_objections(uow, r),
    }


def close_opening(uow: UnitOfWork, signer: ReceiptSigner, section_code: str,
                  principal: Principal | None = None) -> OpeningRecord:
    """End the opening: each unopened bid becomes what its determined cause makes it, or is
    presumed revoked (撤销, 电子办法 31), and the signed opening record is published. Refused
    (``DECRYPTION_CAUSE_PENDING``) while an incident overlapping the window leaves a bid's cause
    to be determined."""
    if principal is not None:
        require_kind(principal, AccountKind.CENTRE_STAFF)
    r = get_round(uow, principal, section_code) if principal else _round_by_code(uow, section_code)
    ensure_not_suspended(r)
    if r.status != RoundStatus.OPENING or uow.clock.now() < opening_ends(r):
        raise DomainError("OPENING_WINDOW_NOT_OVER", "投标人解密时限尚未结束",
                          "the bidders' decryption window is not over", ErrorKind.CONFLICT)
    undecrypted.refuse_if_pending(uow.session, r)
    actor = principal.actor if principal else SYSTEM_ACTOR
    for bid in _unopened(uow, r):
        _failed(uow, r, bid, decryption.outcome_at_close(uow.session, bid),
                "NOT_DECRYPTED_BY_BIDDER", actor)
    uow.session.flush()
    now = uow.clock.now()
    body = canonical_json(record_body(uow, r, now))
    record = OpeningRecord(round_id=r.id, body=body.decode(),
                           signature=base64.b64encode(signer.sign_bytes(body)).decode(),
                           published_at=now)
    uow.session.add(record)
    transition(uow, r, RoundStatus.OPENED, actor, "round.opened", event=EventType.ROUND_OPENED)
    lifecycle_notices.opening_record(uow, r, record, actor,
                                     principal.account_id if principal else None)
    return record


def _round_by_code(uow: UnitOfWork, section_code: str) -> Round:
    r = uow.session.scalars(select(Round).join(Round.section)
                            .where(Round.section.has(code=section_code))
                            .order_by(Round.round_no.desc()).limit(1)).first()
    if r is None:
        raise not_found("招标轮次", "round", section_code)
    return r


def window_ended(uow: UnitOfWork, signer: ReceiptSigner, r: Round) -> bool:
    """Scheduler: at the window's end, close at once when nothing is left for keyholders and
    no cause is pending; False when it holds the round for a cause to be determined."""
    if r.committee_fallback and _unopened(uow, r):
        reschedule(uow, r)  # none: centre staff run the keyholders' opening, then close it
        return True
    if undecrypted.pending(uow.session, r):
        reschedule(uow, r)  # none: centre staff determine the causes first, then it is due
        return False
    close_opening(uow, signer, r.section.code)
    return True
