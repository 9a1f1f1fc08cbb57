"""Registration and sealed bids, from the bidder's side of the counter.

The server receives ciphertext and an envelope, never a plaintext bid: it checks that the
envelope belongs to this round (section, bidder, and its data key shared k-of-n to exactly the
round's keyholders) and that the stored bytes are the ones the envelope names, stores them under
their hash, and signs a receipt. Before the deadline nobody but the bidder sees anything of its
bid, not even that it exists, and nothing the server holds opens it (电子办法 28).

A round configured before envelope version 2 has a legacy committee record; it still takes the
version-1 envelopes sealed to its committee key, so that it runs to its end.
"""

from __future__ import annotations

import hashlib
import json
from typing import BinaryIO

from sqlalchemy import select

from core.errors import DomainError, ErrorKind, not_found
from core.model.party import Party
from core.model.tendering import Bid, BidStatus, Registration, Round, RoundStatus
from core.ports import ContentStore, ReceiptSigner
from core.rules import documents_limits, limits
from core.sealing.committee import Committee
from core.sealing.envelope import Envelope
from core.sealing.keyholders import KeyholderPanel
from core.sealing.receipts import ReceiptFields, new_receipt_id
from core.sealing.wrap import key_fingerprint
from core.security.access import require_party_user
from core.security.principal import Principal
from core.services.credit import refuse_blacklisted_bidder
from core.services.tendering.procedure import procedure_of
from core.services.tendering.rounds import get_round
from core.services.tendering.supervision import ensure_not_suspended
from core.uow import UnitOfWork

BIDDER_ROLES = frozenset({"bidder", "supplier", "transferee"})


def bidder_party(uow: UnitOfWork, principal: Principal) -> Party:
    party_id = require_party_user(principal)
    party = uow.session.get(Party, party_id)
    assert party is not None
    if not party.role_codes & BIDDER_ROLES:
        raise DomainError("PARTY_LACKS_ROLE", "只有投标人（供应商、竞买人）可以报名投标",
                          "only bidders, suppliers or transferees take part",
                          ErrorKind.FORBIDDEN)
    return party


def _bidding_round(uow: UnitOfWork, principal: Principal, section_code: str) -> Round:
    r = get_round(uow, principal, section_code)
    ensure_not_suspended(r)  # 暂停 by supervision: nothing is registered, sealed or withdrawn
    if r.status != RoundStatus.BIDDING:
        raise DomainError("ROUND_NOT_BIDDING", "该标段当前不接受报名或投标",
                          "this section is not open for bids", ErrorKind.CONFLICT)
    return r


def register(uow: UnitOfWork, principal: Principal, section_code: str) -> Registration:
    party = bidder_party(uow, principal)
    r = _bidding_round(uow, principal, section_code)
    limits.check_late_bid(r.bid_deadline, uow.clock.now())
    refuse_blacklisted_bidder(uow, party.id, uow.clock.now())  # BIDDER_BLACKLISTED
    existing = uow.session.scalars(select(Registration).where(
        Registration.round_id == r.id, Registration.party_id == party.id)).first()
    if existing is not None:
        return existing  # registering twice is asking the same question twice
    # 报名 is obtaining (购买) the documents: only during their sale period (条例 16, 87号令 18)
    documents_limits.check_on_sale_now(procedure_of(r), r.documents_issued_at,
                                       r.documents_available_until or r.bid_deadline,
                                       uow.clock.now())
    reg = Registration(round_id=r.id, party_id=party.id, registered_at=uow.clock.now(),
                       deposit_status="due" if r.deposit else "none")
    uow.session.add(reg)
    uow.record(principal.actor, "round.register", "registration",
               f"{section_code}/{r.round_no}/{party.id}", None,
               {"party_id": party.id, "round_id": r.id})
    return reg


def _registration(uow: UnitOfWork, r: Round, party: Party) -> Registration:
    reg = uow.session.scalars(select(Registration).where(
        Registration.round_id == r.id, Registration.party_id == party.id)).first()
    if reg is None:
        raise DomainError("NOT_REGISTERED", "未报名该标段，不能投标",
                          "register for this section before bidding", ErrorKind.CONFLICT)
    return reg


def keyholders_of(r: Round) -> KeyholderPanel | Committee:
    """The round's keyholders: the panel of their own public keys, or, on a round configured
    before envelope version 2, the legacy committee record."""
    try:
        version = json.loads(r.committee).get("version")
    except (ValueError, AttributeError):
        version = None
    return Committee.from_json(r.committee) if version == 1 else KeyholderPanel.from_json(
        r.committee)


def _check_keyholders(envelope: Envelope, keyholders: KeyholderPanel | Committee) -> None:
    """BID_WRONG_COMMITTEE unless the data key is shared to exactly this round's keyholders
    (index i to keyholder i's key, the round's k), or, on a legacy round, wrapped to its
    committee key."""
    if isinstance(keyholders, Committee):
        ok = envelope.is_legacy and envelope.committee_key_fingerprint == key_fingerprint(
            keyholders.public_key).hex()
    else:
        ok = (not envelope.is_legacy and envelope.threshold == keyholders.k
              and [(s.index, s.keyholder_fingerprint) for s in envelope.dek_shares]
              == [(m.index, m.fingerprint) for m in keyholders.members])
    if not ok:
        raise DomainError("BID_WRONG_COMMITTEE", "投标文件未按本标段公布的开标密钥持有人公钥加密",
                          "the bid key is not shared to this section's published keyholders")


def submit_bid(uow: UnitOfWork, principal: Principal, store: ContentStore,
               signer: ReceiptSigner, section_code: str, envelope_json: bytes,
               ciphertext: BinaryIO, *, amend: bool = False) -> Bid:
    """Store a sealed bid and sign its receipt. A bidder has one bid: a second one is refused,
    and replacing the first is an explicit amendment (``amend``, 法 29) that supersedes it."""
    party = bidder_party(uow, principal)
    r = _bidding_round(uow, principal, section_code)
    limits.check_late_bid(r.bid_deadline, uow.clock.now())
    _registration(uow, r, party)
    refuse_blacklisted_bidder(uow, party.id, uow.clock.now())  # blacklisted since registering
    envelope = Envelope.from_json(envelope_json)
    if envelope.section_code != section_code or envelope.bidder_id != party.identifier:
        raise DomainError("BID_WRONG_SECTION", "投标文件封装的标段或投标人与本次投标不符",
                          "the envelope was sealed for another section or bidder")
    _check_keyholders(envelope, keyholders_of(r))
    earlier = uow.session.scalars(select(Bid).where(
        Bid.round_id == r.id, Bid.party_id == party.id,
        Bid.status == BidStatus.SEALED.value).with_for_update()).first()
    if earlier is not None and not amend:
        raise DomainError("BID_ALREADY_SUBMITTED", "已提交投标文件；如需修改请提交修改后的投标文件",
                          "a bid is already in; replace it with an amendment instead",
                          ErrorKind.CONFLICT)
    if earlier is None and amend:
        raise not_found("投标文件", "bid", section_code)
    address = store.put(ciphertext)
    if address != envelope.ciphertext_sha256:
        raise DomainError("BID_TAMPERED", "上传的密文与封装记录的摘要不符",
                          "the uploaded ciphertext does not match the envelope's hash")
    now = uow.clock.now()
    if earlier is not None:
        earlier.status = BidStatus.SUPERSEDED.value
    receipt = signer.sign(ReceiptFields(
        receipt_id=new_receipt_id(), section_code=section_code, bidder_id=party.identifier,
        ciphertext_sha256=address, ciphertext_size=envelope.ciphertext_size,
        manifest_sha256=envelope.manifest_sha256(), received_at=now))
    bid = Bid(round_id=r.id, party_id=party.id, status=BidStatus.SEALED.value,
              envelope=envelope_json.decode(), ciphertext_sha256=address,
              ciphertext_size=envelope.ciphertext_size, receipt=receipt.to_json().decode(),
              submitted_at=now)
    uow.session.add(bid)
    uow.record(principal.actor, "bid.submit", "bid", f"{section_code}/{r.round_no}/{party.id}",
               None, {"ciphertext_sha256": address,
                      "manifest_sha256": hashlib.sha256(envelope_json).hexdigest()})
    return bid


def withdraw_bid(uow: UnitOfWork, principal: Principal, section_code: str) -> Bid:
    """撤回 before the deadline (法 29); after it, the bid stands."""
    party = bidder_party(uow, principal)
    r = _bidding_round(uow, principal, section_code)
    limits.check_late_bid(r.bid_deadline, uow.clock.now())
    bid = uow.session.scalars(select(Bid).where(
        Bid.round_id == r.id, Bid.party_id == party.id,
        Bid.status == BidStatus.SEALED.value)).first()
    if bid is None:
        raise not_found("投标文件", "bid", section_code)
    bid.status = BidStatus.WITHDRAWN.value
    bid.withdrawn_at = uow.clock.now()
    uow.record(principal.actor, "bid.withdraw", "bid", f"{section_code}/{r.round_no}/{party.id}",
               {"status": BidStatus.SEALED.value}, {"status": bid.status})
    return bid


def my_bids(uow: UnitOfWork, principal: Principal, section_code: str) -> list[Bid]:
    """A bidder sees its own bids and receipts, and nobody else's."""
    party = bidder_party(uow, principal)
    r = get_round(uow, principal, section_code)
    return list(uow.session.scalars(select(Bid).where(
        Bid.round_id == r.id, Bid.party_id == party.id).order_by(Bid.id)))
