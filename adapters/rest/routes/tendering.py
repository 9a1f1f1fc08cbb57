"""Tendering rounds over REST: configure and issue (owner or agency), register and bid (bidders).

Bids arrive as multipart: the envelope (JSON) and the ciphertext, both sealed on the bidder's
side (`ggzy-bid seal`); the server never receives a plaintext bid. A round publishes its
keyholders' own public keys, which the bidder shares its data key to; the server never has a key
that opens a bid (电子招标投标办法 第二十八条).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, File, UploadFile
from pydantic import Field
from sqlalchemy.orm import Session

from adapters.rest.deps import Caller, Deps, UoW
from adapters.rest.fields import AmountText, Moment, Name, PathCode, ScoreText, Secret, Text
from adapters.rest.schemas import Out, Strict
from core.errors import DomainError
from core.model.tendering import Bid, BidOpening, Registration, Round
from core.rules import supplier_minimum
from core.sealing.committee import Committee
from core.sealing.wrap import key_fingerprint
from core.services import notices, queries
from core.services.deadlines import deadlines_of
from core.services.tendering import bids, closing, decryption, failure, opening, rounds
from core.services.tendering.procedure import procedure_of
from core.services.validation import amount

router = APIRouter(prefix="/api/v1", tags=["tendering"])
MAX_ENVELOPE_BYTES = 64 * 1024


class KeyholderIn(Strict):
    name: Name = Field(min_length=1, max_length=100)
    public_key_pem: Text = Field(max_length=4000, description="the keyholder's own P-256 public "
                                 "key, PEM, made on its side (`ggzy-bid keyholder keygen`)")


class RoundIn(Strict):
    bid_deadline: Moment = Field(description="投标截止时间, with a time zone")
    keyholders: list[KeyholderIn] = Field(min_length=1, max_length=15)
    threshold: int = Field(ge=1, le=15, description="k: keyholders' shares needed to open a bid "
                                                    "without its bidder (at least 2)")
    deposit: AmountText | None = None
    state_funded: bool = False
    opening_window_minutes: int = Field(60, ge=5, le=24 * 60,
                                        description="the bidders' decryption window")
    committee_fallback: bool = True
    technically_complex: bool = Field(
        False, description="技术复杂 (技术复杂、专业性强 for 磋商): a government committee of 7 or "
                           "more (财政部令第87号 第四十七条); a 磋商小组 with a 法律专家 (财库"
                           "〔2014〕214号 第十四条)")
    large_social_impact: bool = Field(False, description="社会影响较大: a government tender's "
                                      "committee of 7 or more (财政部令第87号 第四十七条)")
    procurement_object: Literal["goods", "services", "works"] | None = Field(
        None, description="政府采购 only: 采购对象 (货物, 服务, 工程; several: the one with "
                          "the largest share of the funds). A 综合评分's price weight is ≥ 30 "
                          "for goods and ≥ 10 for services (财政部令第87号 第五十五条; 磋商 "
                          "30–60 / 10–30, 财库〔2014〕214号 第二十四条); the 小微企业 "
                          "deduction's range depends on it")
    fixed_price: bool = Field(False, description="政府采购 only: 执行国家统一定价标准或固定价格"
                                                 "采购 — no price criterion (财政部令第87号 "
                                                 "第五十五条)")
    sme_deduction: ScoreText | None = Field(
        None, description="政府采购 only: the 小微企业 price deduction the documents give, in "
                          "percent (goods and services 10–20, works 3–5; 财库〔2020〕46号 第九条, "
                          "财库〔2022〕19号); 监狱企业 and 残疾人福利性单位 count as 小微企业")
    sme_joint_deduction: ScoreText | None = Field(
        None, description="政府采购 only: the deduction for a 联合体 or a subcontracting giving "
                          "小微企业 30 % or more of the contract, in percent (goods and services "
                          "4–6, works 1–2)")
    documents_available_until: Moment | None = Field(
        None, description="the documents are on sale until then (default: the bid deadline); "
                          "at least 5 日 from the issue (条例 16), 5 个工作日 for a government "
                          "tender (87号令 18) or 磋商")
    deposit_deadline: Moment | None = Field(
        None, description="保证金到账截止时间, when the documents set one before the bid deadline "
                          "(default: the bid deadline); a deposit credit counts only if it "
                          "arrived before it (docs/deposits.md)")
    contract_kind: str | None = Field(
        None, max_length=16, description="works | goods | services: 发改委令16号 第五条's "
                                         "threshold (400万 / 200万 / 100万)")
    invitation_ground: str | None = Field(
        None, max_length=32, description="few_bidders | cost_disproportionate: 条例 8's ground "
                                         "for 邀请招标 of a state-funded must-tender project")
    single_source_publicity_at: Moment | None = Field(
        None, description="单一来源: when its 公示 appeared in the designated media (政采条例 38: "
                          "5 个工作日 before the procurement)")
    standardised: bool = Field(
        False, description="政府采购招标 only: 技术、服务等标准统一的货物和服务 — the "
                           "committee must use lowest_evaluated_price (政府采购法实施条例 "
                           "第三十四条; 财政部令第87号 第五十四条)")
    two_supplier_ground: Literal["failed_tender", "research_or_transfer",
                                 "purchased_services"] | None = Field(
        None, description="the case in which 2 suppliers may go on instead of 3: failed_tender "
                          "(竞争性谈判 after a 公开招标 left with 2, with the 财政部门's "
                          "approval: 财政部令第74号 第二十七条第二款), research_or_transfer (磋商 "
                          "of a 科研 or 科技成果转化 project: 财库〔2014〕214号 第二十一条), "
                          "purchased_services "
                          "(磋商 of 政府购买服务: 财库〔2015〕124号)")
    two_supplier_approval: Name | None = Field(
        None, max_length=100, description="the 财政部门's approval reference (批准文号); "
                                          "required for failed_tender")


class DeadlineOut(Out):
    rule: str = Field(description="bidding_period, clarification_notice, publicity_period, "
                                  "documents_on_sale, refund_due, award_notice_due, "
                                  "challenge_period, unsuccessful_refund_due, contract_due, "
                                  "award_report_due, contract_filing_due")
    ref: str = Field(description="the rule's source, as in error codes (LAW_24, REG_57, …)")
    last_day: date
    calendar: str = Field(description="official, or provisional: reckoned on the safe side "
                                      "before the year's holiday notice, re-reckoned when it "
                                      "is approved")


class KeyholderOut(Out):
    name: str
    index: int = Field(description="the share index: the envelope's dek_shares[index - 1]")
    public_key_pem: str
    fingerprint: str = Field(description="SHA-256 of the DER public key, hex: compare it with "
                                         "the tender documents before sealing")


class RoundOut(Out):
    section_code: str
    round_no: int
    procedure: str
    status: str
    bid_deadline: datetime
    documents_issued_at: datetime | None
    deposit: str | None
    opening_window_minutes: int
    committee_fallback: bool
    technically_complex: bool
    large_social_impact: bool
    procurement_object: str | None
    fixed_price: bool
    sme_deduction: str | None
    sme_joint_deduction: str | None
    documents_available_until: datetime = Field(
        description="the documents are on sale until then (条例 16; 87号令 18)")
    contract_kind: str | None
    invitation_ground: str | None
    single_source_publicity_at: datetime | None
    standardised: bool = Field(description="技术、服务等标准统一: 最低评标价法 only (政采条例 34)")
    two_supplier_ground: str | None = Field(description="the stated two-supplier case, or null: "
                                            "the procedure's own minimum applies")
    two_supplier_approval: str | None
    min_bids: int = Field(description="sealed bids needed at the deadline, the ground applied")
    min_bids_ref: str = Field(description="the article that sets it, as in error codes")
    envelope_version: int = Field(description="2: bidders share their data key to the "
                                  "keyholders' keys (docs/bid-package.md); 1: a round configured "
                                  "before, sealed to its legacy committee key")
    committee_public_key_pem: str | None = Field(description="legacy rounds (envelope 1) only")
    committee_key_fingerprint: str | None = Field(description="legacy rounds (envelope 1) only")
    threshold: int
    keyholders: list[str]
    keyholder_keys: list[KeyholderOut] = Field(description="envelope 2: what a bidder seals "
                                               "to, in share order (empty on a legacy round)")
    failure_reason: str | None
    deadlines: list[DeadlineOut] = Field(description="the legal periods reckoned for the round")
    tender_notice_id: int | None = Field(
        None, description="the published tender notice announcing the section "
                          "(`GET /api/v1/public/notices/{id}`: its `keyholders` are the "
                          "fingerprints fixed at publication, which `ggzy-bid` checks these "
                          "keys against); null before one, or for an invited tender")


def _pem(key: ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def round_out(session: Session, r: Round) -> RoundOut:
    record = bids.keyholders_of(r)
    announced = notices.tender_notice_of(session, r.section_id)
    legacy = isinstance(record, Committee)
    minimum, ref = supplier_minimum.minimum_bids(
        procedure_of(r), supplier_minimum.ground_of(r.two_supplier_ground))
    committee_pem = fingerprint = None
    holders: list[KeyholderOut] = []
    if isinstance(record, Committee):
        committee_pem = _pem(record.public_key)
        fingerprint = key_fingerprint(record.public_key).hex()
        names = [s.keyholder for s in record.shares]
    else:
        names = [m.name for m in record.members]
        holders = [KeyholderOut(name=m.name, index=m.index, public_key_pem=_pem(m.public_key),
                                fingerprint=m.fingerprint.hex()) for m in record.members]
    return RoundOut(
        section_code=r.section.code, round_no=r.round_no, procedure=r.procedure,
        status=r.status, bid_deadline=r.bid_deadline, documents_issued_at=r.documents_issued_at,
        deposit=None if r.deposit is None else str(r.deposit),
        opening_window_minutes=r.opening_window_minutes, committee_fallback=r.committee_fallback,
        technically_complex=r.technically_complex, large_social_impact=r.large_social_impact,
        procurement_object=r.procurement_object, fixed_price=r.fixed_price,
        sme_deduction=None if r.sme_deduction is None else str(r.sme_deduction),
        sme_joint_deduction=None if r.sme_joint_deduction is None else str(r.sme_joint_deduction),
        documents_available_until=r.documents_available_until or r.bid_deadline,
        contract_kind=r.contract_kind, invitation_ground=r.invitation_ground,
        single_source_publicity_at=r.single_source_publicity_at,
        standardised=r.standardised, two_supplier_ground=r.two_supplier_ground,
        two_supplier_approval=r.two_supplier_approval, min_bids=minimum, min_bids_ref=ref.tag,
        envelope_version=1 if legacy else 2, committee_public_key_pem=committee_pem,
        committee_key_fingerprint=fingerprint, threshold=record.k, keyholders=names,
        keyholder_keys=holders, failure_reason=r.failure_reason,
        deadlines=[DeadlineOut(rule=d.rule, ref=d.ref_tag, last_day=d.last_day,
                               calendar="provisional" if d.provisional else "official")
                   for d in deadlines_of(session, r)],
        tender_notice_id=None if announced is None else announced.id)


def _settings(body: RoundIn) -> rounds.RoundSettings:
    return rounds.RoundSettings(
        bid_deadline=body.bid_deadline,
        keyholders=tuple(rounds.Keyholder(k.name, k.public_key_pem) for k in body.keyholders),
        threshold=body.threshold, deposit=amount(body.deposit, "deposit"),
        state_funded=body.state_funded, opening_window_minutes=body.opening_window_minutes,
        committee_fallback=body.committee_fallback, technically_complex=body.technically_complex,
        large_social_impact=body.large_social_impact, procurement_object=body.procurement_object,
        fixed_price=body.fixed_price,
        sme_deduction=None if body.sme_deduction is None else Decimal(body.sme_deduction),
        sme_joint_deduction=(None if body.sme_joint_deduction is None
                             else Decimal(body.sme_joint_deduction)),
        documents_available_until=body.documents_available_until,
        contract_kind=body.contract_kind, invitation_ground=body.invitation_ground,
        single_source_publicity_at=body.single_source_publicity_at,
        standardised=body.standardised, two_supplier_ground=body.two_supplier_ground,
        two_supplier_approval=body.two_supplier_approval,
        deposit_deadline=body.deposit_deadline)


@router.post("/sections/{code}/rounds", response_model=RoundOut, status_code=201)
def configure(code: PathCode, body: RoundIn, uow: UoW, caller: Caller) -> RoundOut:
    """A new round, checked against the legal limits now (the deadline against issuing today)."""
    return round_out(uow.session, rounds.configure_round(uow, caller, code, _settings(body)))


@router.put("/sections/{code}/rounds/current", response_model=RoundOut)
def edit_draft(code: PathCode, body: RoundIn, uow: UoW, caller: Caller) -> RoundOut:
    """Correct the draft round (all settings, same checks) until its documents are issued."""
    return round_out(uow.session, rounds.edit_draft(uow, caller, code, _settings(body)))


@router.get("/sections/{code}/rounds/current", response_model=RoundOut)
def current(code: PathCode, uow: UoW, caller: Caller) -> RoundOut:
    """The round and its keyholders' public keys: what a bidder seals to."""
    return round_out(uow.session, rounds.get_round(uow, caller, code))


@router.get("/sections/{code}/rounds/current/committee")
def committee(code: PathCode, uow: UoW, caller: Caller) -> dict[str, object]:
    """The keyholders' record as stored: their public keys (envelope 2), or on a legacy round the
    committee record, each share encrypted to its keyholder, so only it can use it."""
    return dict(json.loads(rounds.get_round(uow, caller, code).committee))


@router.post("/sections/{code}/rounds/current/issue", response_model=RoundOut)
def issue(code: PathCode, uow: UoW, caller: Caller) -> RoundOut:
    return round_out(uow.session, rounds.issue_documents(uow, caller, code))


@router.post("/sections/{code}/rounds/current/clarify", response_model=RoundOut)
def clarify(code: PathCode, uow: UoW, caller: Caller) -> RoundOut:
    return round_out(uow.session, rounds.clarify(uow, caller, code))


class RegistrationOut(Out):
    section_code: str
    party_id: int
    registered_at: datetime
    deposit_status: str


@router.post("/sections/{code}/registration", response_model=RegistrationOut)
def register(code: PathCode, uow: UoW, caller: Caller) -> RegistrationOut:
    reg: Registration = bids.register(uow, caller, code)
    return RegistrationOut(section_code=code, party_id=reg.party_id,
                           registered_at=reg.registered_at, deposit_status=reg.deposit_status)


class BidOut(Out):
    id: int
    status: str
    ciphertext_sha256: str
    ciphertext_size: int
    submitted_at: datetime
    receipt: str = Field(description="the platform-signed receipt (JSON)")


def bid_out(b: Bid) -> BidOut:
    return BidOut(id=b.id, status=b.status, ciphertext_sha256=b.ciphertext_sha256,
                  ciphertext_size=b.ciphertext_size, submitted_at=b.submitted_at,
                  receipt=b.receipt)


def _submit(code: PathCode, envelope: UploadFile, ciphertext: UploadFile, uow: UoW,
            caller: Caller, c: Deps, amend: bool) -> BidOut:
    envelope_json = envelope.file.read(MAX_ENVELOPE_BYTES + 1)
    if len(envelope_json) > MAX_ENVELOPE_BYTES:
        raise DomainError("ENVELOPE_MALFORMED", "封装记录过大", "the envelope is too large")
    return bid_out(bids.submit_bid(uow, caller, c.bid_store, c.signer, code, envelope_json,
                                   ciphertext.file, amend=amend))


@router.post("/sections/{code}/bids", response_model=BidOut, status_code=201)
def submit(code: PathCode, envelope: Annotated[UploadFile, File()],
           ciphertext: Annotated[UploadFile, File()], uow: UoW, caller: Caller,
           c: Deps) -> BidOut:
    """The bidder's sealed bid; a second one is refused (BID_ALREADY_SUBMITTED)."""
    return _submit(code, envelope, ciphertext, uow, caller, c, amend=False)


@router.put("/sections/{code}/bids/mine", response_model=BidOut)
def amend(code: PathCode, envelope: Annotated[UploadFile, File()],
          ciphertext: Annotated[UploadFile, File()], uow: UoW, caller: Caller,
          c: Deps) -> BidOut:
    """An amended bid before the deadline (法 29): it supersedes the one in."""
    return _submit(code, envelope, ciphertext, uow, caller, c, amend=True)


@router.get("/sections/{code}/bids/mine", response_model=list[BidOut])
def mine(code: PathCode, uow: UoW, caller: Caller) -> list[BidOut]:
    return [bid_out(b) for b in bids.my_bids(uow, caller, code)]


@router.delete("/sections/{code}/bids/mine", response_model=BidOut)
def withdraw(code: PathCode, uow: UoW, caller: Caller) -> BidOut:
    return bid_out(bids.withdraw_bid(uow, caller, code))


@router.get("/public/platform-keys")
def platform_keys(c: Deps) -> dict[str, str]:
    """The key that verifies submission receipts and, later, opening records."""
    return {"receipt_signing_key_pem": c.signer.public_pem()}


# -- opening ----------------------------------------------------------------------------------

class KeyIn(Strict):
    dek: Secret = Field(description="the bid's data key, unwrapped on the bidder's side, "
                                    "base64", max_length=100)


class BidOpeningOut(Out):
    bid_id: int
    outcome: str
    price: str | None
    declared: dict[str, object] | None
    failure_code: str | None


def opening_out(o: BidOpening) -> BidOpeningOut:
    return BidOpeningOut(bid_id=o.bid_id, outcome=o.outcome,
                         price=None if o.price is None else str(o.price), declared=o.declared,
                         failure_code=o.failure_code)


def _b64(text: str, field: str) -> bytes:
    import base64
    import binascii

    from core.errors import DomainError

    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as err:
        raise DomainError("BASE64_INVALID", f"{field} 不是有效的 base64",
                          f"{field} is not valid base64", field=field) from err


@router.post("/sections/{code}/opening/key", response_model=BidOpeningOut)
def hand_in_key(code: PathCode, body: KeyIn, uow: UoW, caller: Caller, c: Deps) -> BidOpeningOut:
    return opening_out(opening.hand_in_key(uow, caller, c.bid_store, code,
                                           _b64(body.dek, "dek")))


class SharesIn(Strict):
    shares: list[Secret] = Field(min_length=1, max_length=3000,
                                 description="keyholders' shares, unwrapped on their side, "
                                             "base64: k per bid to open, each naming its bid "
                                             "(`ggzy-bid keyholder unwrap-share`); on a legacy "
                                             "round k shares of the committee key")


class AwaitingOut(Out):
    bid_id: int
    bidder_id: str
    envelope: dict[str, object] = Field(description="the bid's envelope: its dek_shares, each "
                                                    "wrapped to one keyholder")


@router.get("/sections/{code}/opening/committee", response_model=list[AwaitingOut], responses={
    409: {"description": "the bidders' window is not over, the documents let no keyholders "
                         "open bids, or the round is suspended (OPENING_WINDOW_NOT_OVER, "
                         "COMMITTEE_OPENING_NOT_ALLOWED, ROUND_SUSPENDED)"}})
def awaiting_keyholders(code: PathCode, uow: UoW, caller: Caller) -> list[AwaitingOut]:
    """After the bidders' window: the bids the keyholders may open, for each keyholder to
    unwrap its share on its own side."""
    out = []
    for b in opening.awaiting_keyholders(uow, caller, code):
        envelope = json.loads(b.envelope)
        out.append(AwaitingOut(bid_id=b.id, bidder_id=str(envelope.get("bidder_id", "")),
                               envelope=envelope))
    return out


@router.post("/sections/{code}/opening/committee", response_model=list[BidOpeningOut])
def committee_open(code: PathCode, body: SharesIn, uow: UoW, caller: Caller,
                   c: Deps) -> list[BidOpeningOut]:
    shares = [_b64(s, "shares") for s in body.shares]
    return [opening_out(o) for o in opening.committee_open(uow, caller, c.bid_store, code,
                                                           shares)]


class SignedDeterminationOut(Out):
    body: str = Field(description="canonical JSON (ggzy.decryption-determination.v1), exactly "
                                  "the bytes that were signed; names the record's SHA-256")
    signature: str = Field(description="Ed25519 by the platform key, base64")
    published_at: datetime


class OpeningRecordOut(Out):
    body: str = Field(description="canonical JSON, exactly the bytes that were signed")
    signature: str = Field(description="Ed25519 by the platform key, base64")
    published_at: datetime
    determinations: list[SignedDeterminationOut] = Field(
        default_factory=list, description="causes of failed decryption determined after the "
                                          "record was published (电子招标投标办法 31), each "
                                          "signed on its own; the record stays as signed")


@router.post("/sections/{code}/opening/close", response_model=OpeningRecordOut)
def close(code: PathCode, uow: UoW, caller: Caller, c: Deps) -> OpeningRecordOut:
    record = opening.close_opening(uow, c.signer, code, caller)
    return OpeningRecordOut(body=record.body, signature=record.signature,
                            published_at=record.published_at)


@router.get("/public/sections/{code}/opening-record", response_model=OpeningRecordOut)
def opening_record(code: PathCode, uow: UoW) -> OpeningRecordOut:
    """The published opening record (开标记录) and the determinations published after it;
    verify each with the platform key."""
    r, record = queries.opening_record(uow, code)
    return OpeningRecordOut(
        body=record.body, signature=record.signature, published_at=record.published_at,
        determinations=[SignedDeterminationOut(body=d.body or "", signature=d.signature or "",
                                               published_at=d.published_at or record.published_at)
                        for d in decryption.published(uow.session, r)])


class ReasonIn(Strict):
    reason: Text = Field(min_length=1, max_length=2000)


@router.post("/sections/{code}/rounds/current/terminate", response_model=RoundOut)
def terminate(code: PathCode, body: ReasonIn, uow: UoW, caller: Caller) -> RoundOut:
    """终止招标 by the tenderer or its agency, or by a supervisor's instruction."""
    return round_out(uow.session, closing.terminate_round(uow, caller, code, body.reason))


@router.post("/sections/{code}/rounds/current/fail", response_model=RoundOut)
def declare_failed(code: PathCode, body: ReasonIn, uow: UoW, caller: Caller) -> RoundOut:
    """废标 by the purchaser or its agency: a government tender left with fewer than 3
    responsive bids during the evaluation (政府采购法 第三十六条第一款第（一）项)."""
    return round_out(uow.session, failure.declare_failed(uow, caller, code, body.reason))


@router.post("/sections/{code}/rounds/current/archive", response_model=RoundOut)
def archive(code: PathCode, uow: UoW, caller: Caller) -> RoundOut:
    """Centre staff close the file once the contract is on record and deposits are back."""
    return round_out(uow.session, closing.archive_round(uow, caller, code))
