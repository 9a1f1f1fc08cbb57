"""A tendering round of one section: registration, sealed bids, and the time that drives it.

A section is tendered in rounds: when a round fails (fewer than the legal minimum of bids, 流标)
the section is tendered again in a new round, and the first round's record stays as it was.
``next_check`` is when the scheduler must look at the round again (the bid deadline, the end of
the opening window); the scheduler only ever runs what is due.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, Money, UTCDateTime
from core.model.party import Party
from core.model.project import Section


class RoundStatus(StrEnum):
    DRAFT = "draft"  # configured, documents not yet issued
    BIDDING = "bidding"  # documents issued; bids accepted until the deadline
    OPENING = "opening"  # deadline passed; bidders hand in their keys within the window
    OPENED = "opened"  # the opening record is published
    EVALUATING = "evaluating"  # the committee scores
    PUBLICITY = "publicity"  # candidates are public; objections may suspend it
    AWARDED = "awarded"  # 中标通知书 issued
    CONTRACTED = "contracted"  # contract recorded; deposits fall due for refund
    ARCHIVED = "archived"  # contract on record and every deposit refunded: the file is closed
    FAILED = "failed"  # 流标: too few bids; the section is tendered again in a new round
    TERMINATED = "terminated"  # 终止 by the tenderer or a supervision instruction


class Round(Base):
    __tablename__ = "tender_rounds"
    __table_args__ = (UniqueConstraint("section_id", "round_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"), index=True)
    round_no: Mapped[int] = mapped_column(Integer)
    procedure: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), index=True)
    state_funded: Mapped[bool] = mapped_column(Boolean, default=False)
    # declared by the purchaser or its agency: 87号令 47 wants 7 members for either, 214号 14 a
    # 法律专家 for a 技术复杂、专业性强 磋商 (core.rules.limits.CommitteeCase)
    technically_complex: Mapped[bool] = mapped_column(default=False, server_default=false())
    large_social_impact: Mapped[bool] = mapped_column(default=False, server_default=false())
    # 政府采购's price policy, as the documents fix it (core.rules.price_policy): what is bought
    # (goods | services | works: the price weight of 87号令 55 / 214号 24 and the deduction range
    # of 46号 9 depend on it), a uniform or fixed price (no price criterion, 87号令 55), and the
    # 小微企业 deductions in percent (46号 9 as raised by 财库〔2022〕19号; null: none)
    procurement_object: Mapped[str | None] = mapped_column(String(16))
    fixed_price: Mapped[bool] = mapped_column(default=False, server_default=false())
    sme_deduction: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    sme_joint_deduction: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    # 技术、服务等标准统一的货物和服务: the committee must use 最低评标价法 (政采条例 34, 87号令 54)
    standardised: Mapped[bool] = mapped_column(default=False, server_default=false())
    # the case in which 2 suppliers may go on (core.rules.supplier_minimum: 74号令 27② with the
    # 财政部门's approval, its reference beside it; 214号 21③; 财库〔2015〕124号); null: none
    two_supplier_ground: Mapped[str | None] = mapped_column(String(32))
    two_supplier_approval: Mapped[str | None] = mapped_column(String(100))
    documents_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the documents stay on sale (available) until then (条例 16, 87号令 18; None: the deadline)
    documents_available_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # declared by the owner: what the contract procures (发改委令16号 5) and, for an invited
    # tender of a state-funded must-tender project, the 条例 8 ground (core.rules.must_tender)
    contract_kind: Mapped[str | None] = mapped_column(String(16))
    invitation_ground: Mapped[str | None] = mapped_column(String(32))
    # 单一来源: when its 公示 appeared in the designated media (政采条例 38)
    single_source_publicity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bid_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    opening_window_minutes: Mapped[int] = mapped_column(Integer, default=60)
    deposit: Mapped[Decimal | None] = mapped_column(Money())
    # the documents' 保证金到账截止时间 when earlier than the bid deadline (None: the deadline);
    # a credit counts only if it arrived before it (core.services.banking.credits)
    deposit_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    committee_fallback: Mapped[bool] = mapped_column(Boolean, default=True)
    committee: Mapped[str] = mapped_column(Text)  # the keyholders' record (JSON, version 2:
    # core.sealing.keyholders.KeyholderPanel, k and their own public keys; version 1 on rounds
    # configured before it: core.sealing.committee.Committee); nothing here opens a bid
    next_check: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # 暂停 by a supervision instruction: a flag beside the status, not a status, so that resuming
    # returns the round to where it stood (core.services.tendering.supervision).
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_instruction: Mapped[str | None] = mapped_column(String(100))
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    section: Mapped[Section] = relationship(lazy="joined")

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class SupervisionInstruction(Base):
    """A supervision instruction (监督指令) applied to a round: suspend, resume or terminate.

    Unique per round, action and instruction number, so that a supervision system pushing the same
    instruction again changes nothing.
    """

    __tablename__ = "tender_supervision_instructions"
    __table_args__ = (UniqueConstraint("round_id", "action", "instruction_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # suspend | resume | terminate
    instruction_no: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Registration(Base):
    """A bidder registered for a round (报名), with the deposit it owes."""

    __tablename__ = "tender_registrations"
    __table_args__ = (UniqueConstraint("round_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    documents_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deposit_status: Mapped[str] = mapped_column(String(16))  # none | due | paid | refunded
    deposit_paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deposit_confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    deposit_refund_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deposit_refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    party: Mapped[Party] = relationship(lazy="joined")


class BidStatus(StrEnum):
    SEALED = "sealed"  # the bidder's current bid
    SUPERSEDED = "superseded"  # replaced by an amended bid before the deadline
    WITHDRAWN = "withdrawn"  # 撤回 before the deadline


class Bid(Base):
    """A sealed bid: ciphertext address, envelope and receipt. No key that opens it is here."""

    __tablename__ = "tender_bids"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    envelope: Mapped[str] = mapped_column(Text)  # core.sealing Envelope JSON
    ciphertext_sha256: Mapped[str] = mapped_column(String(64))
    ciphertext_size: Mapped[int] = mapped_column(BigInteger)
    receipt: Mapped[str] = mapped_column(Text)  # signed by the platform
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OpeningOutcome(StrEnum):
    OPENED_BY_BIDDER = "opened_by_bidder"  # the bidder handed in its key in the window
    OPENED_BY_COMMITTEE = "opened_by_committee"  # k keyholders opened it (documents allow it)
    # Not decrypted (电子办法 31; the cause: core.services.tendering.decryption):
    REVOKED = "revoked"  # 视为撤销: the bidder's own doing (its deposit may be kept, 条例 35)
    RETRACTED = "retracted"  # 视为撤回: not the bidder's doing (its deposit is refunded)


class BidOpening(Base):
    """What the opening found in one bid: the declared items read out (唱标).

    The decrypted file is kept by content address in the bid store, readable from here on by the
    evaluation; before the deadline no such row exists, so nothing here can leak a bid early.
    """

    __tablename__ = "tender_bid_openings"

    bid_id: Mapped[int] = mapped_column(ForeignKey("tender_bids.id"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(24))
    plaintext_sha256: Mapped[str | None] = mapped_column(String(64))
    price: Mapped[Decimal | None] = mapped_column(Money())
    declared: Mapped[dict[str, object] | None] = mapped_column(JSON)  # duration, quality, …
    failure_code: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())

    bid: Mapped[Bid] = relationship(lazy="joined")


class DecryptionCause(StrEnum):
    """Who caused a bid to stay undecrypted (电子招标投标办法 第三十一条)."""

    BIDDER = "bidder"  # the bidder's own doing: 视为撤销 (the deposit may be kept, 条例 35)
    NOT_BIDDER = "not_bidder"  # platform, CA, storage…: 视为撤回, the bidder may claim losses


class DecryptionDetermination(Base):
    """Centre staff's determination of why a bid was not decrypted, with its reason and basis.

    Every determination is a row: a later one (before the evaluation starts) supersedes the
    earlier without erasing it. One made after the opening record was published is signed and
    published on its own (``body``, ``signature``, ``published_at``), so the signed record stays
    the bytes it was; one made before the record is part of the record itself.
    """

    __tablename__ = "tender_decryption_determinations"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("tender_bids.id"), index=True)
    cause: Mapped[str] = mapped_column(String(16))  # a DecryptionCause value
    outcome: Mapped[str] = mapped_column(String(24))  # revoked | retracted: what it makes it
    previous_outcome: Mapped[str | None] = mapped_column(String(24))  # null: before the record
    reason: Mapped[str] = mapped_column(Text)
    incident_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    basis: Mapped[str | None] = mapped_column(Text)  # the basis in words, beside or instead
    determined_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    determined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[str | None] = mapped_column(Text)  # canonical JSON signed, once published
    signature: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OpeningRecord(Base):
    """The published, platform-signed opening record (开标记录) of a round."""

    __tablename__ = "tender_opening_records"

    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)  # canonical JSON that was signed
    signature: Mapped[str] = mapped_column(String(200))  # base64 Ed25519 over ``body``
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CommitteeMember(Base):
    """A member of the evaluation committee (评标委员会) of a round."""

    __tablename__ = "tender_committee_members"
    __table_args__ = (UniqueConstraint("round_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(32))  # technical_economic_expert | tenderer_rep…
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    # declared at assignment: the expert sits as the 法律专家 (214号 14)
    legal_expert: Mapped[bool] = mapped_column(default=False, server_default=false())
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the registry's expert this member is (data set 212), when the assignment names one
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id"))
    # stood aside (回避): a ground declared or shown by the registry; kept for the record
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the member stood aside that this one replaces (法 37 第四款: 已经进入的应当更换)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("tender_committee_members.id"))


class RecusalDeclaration(Base):
    """A member's 回避 declaration, made once before the member evaluates anything (条例 46
    第三款, 12号令 12; 政采条例 9, 198号 16): the relationships declared per bidder from the closed
    set of :class:`core.rules.recusal.RecusalGround` (none: an empty list), the grounds found with
    the registry's, and the declaration as the member made it — ``statement`` the canonical JSON
    the member's signed-in act recorded, ``statement_sha256`` its digest (also in the audit log)
    and ``declared_at`` — as a report signature keeps its member and ``signed_at``."""

    __tablename__ = "tender_recusal_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("tender_committee_members.id"),
                                           unique=True)
    relations: Mapped[list[dict[str, object]]] = mapped_column(JSON)  # ground, bid_id
    grounds: Mapped[list[dict[str, object]]] = mapped_column(JSON)  # Finding.as_json()
    excluded: Mapped[bool] = mapped_column(Boolean)
    statement: Mapped[str] = mapped_column(Text)
    statement_sha256: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Score(Base):
    """One member's score of one criterion of one bid; replaced while the evaluation is open."""

    __tablename__ = "tender_scores"
    __table_args__ = (UniqueConstraint("member_id", "bid_id", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("tender_committee_members.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("tender_bids.id"))
    criterion: Mapped[str] = mapped_column(String(64))
    score: Mapped[Decimal] = mapped_column(Money())
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Evaluation(Base):
    """The evaluation of a round: method, criteria, rejections, result and its report."""

    __tablename__ = "tender_evaluations"

    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), primary_key=True)
    method: Mapped[str] = mapped_column(String(40))
    criteria: Mapped[list[dict[str, object]]] = mapped_column(JSON)  # name, weight, kind
    rejections: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)  # bid id -> reason
    # bid id -> the status its 中小企业声明函 declares (46号 9), as the chair recorded it
    sme_declarations: Mapped[dict[str, object]] = mapped_column(JSON, default=dict,
                                                                server_default=text("'{}'"))
    # bid id -> the brand of its 核心产品 as the chair recorded it (87号令 31)
    core_brands: Mapped[dict[str, object]] = mapped_column(JSON, default=dict,
                                                           server_default=text("'{}'"))
    # brand -> the bid the documents' rule or a draw chose among tied same-brand bids (87号令 31)
    same_brand_ties: Mapped[dict[str, object]] = mapped_column(JSON, default=dict,
                                                               server_default=text("'{}'"))
    # bid id -> the request for a written explanation of its price, the answer, the decision
    # (87号令 60)
    price_explanations: Mapped[dict[str, object]] = mapped_column(JSON, default=dict,
                                                                  server_default=text("'{}'"))
    result: Mapped[dict[str, object] | None] = mapped_column(JSON)  # ranking, totals
    status: Mapped[str] = mapped_column(String(16))  # scoring | reported | signed
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReportSignature(Base):
    """A member signs the report or dissents in writing (条例 53)."""

    __tablename__ = "tender_report_signatures"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("tender_committee_members.id"))
    agrees: Mapped[bool] = mapped_column(Boolean)
    dissent: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Candidate(Base):
    """A ranked 中标候选人 (at most three per round once every tie is settled).

    A 并列 the evaluation leaves (87号令 57) is stored as it is: the tied candidates share their
    ``rank`` and have ``tied`` set, and a tie across the cut-off brings every tied bid in. The
    settlement (``core.services.tendering.award.ties``) gives them distinct ranks, clears
    ``tied`` and removes those it puts past the third place. So a rank is unique among the
    settled candidates of a round only — the partial unique index.
    """

    __tablename__ = "tender_candidates"
    __table_args__ = (
        Index("uq_tender_candidates_settled_rank", "round_id", "rank", unique=True,
              postgresql_where=text("NOT tied"), sqlite_where=text("NOT tied")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("tender_bids.id"))
    rank: Mapped[int] = mapped_column(Integer)  # while tied: the shared rank (1, 1, 3)
    status: Mapped[str] = mapped_column(String(16))  # ranked | declined | disqualified | awarded
    tied: Mapped[bool] = mapped_column(default=False, server_default=false())


class TieSettlementRecord(Base):
    """How one 并列 was settled, kept whole (the audit log holds its digest): the order and
    either the documents' clause (``reason``) or the draw that reproduces it (``draw``:
    ``core.evaluation.draw.DrawRecord.as_json``)."""

    __tablename__ = "tender_tie_settlements"
    __table_args__ = (UniqueConstraint("round_id", "shared_rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    shared_rank: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))  # documents | draw
    bids: Mapped[list[int]] = mapped_column(JSON)  # the tied bids, ascending
    order: Mapped[list[int]] = mapped_column(JSON)  # the higher rank first
    dropped: Mapped[list[int]] = mapped_column(JSON)  # put past the third place
    reason: Mapped[str | None] = mapped_column(Text)
    draw: Mapped[dict[str, object] | None] = mapped_column(JSON)
    settled_by: Mapped[str] = mapped_column(String(100))
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PublicityStatus(StrEnum):
    RUNNING = "running"
    SUSPENDED = "suspended"  # an objection is open (条例 54: 暂停招标投标活动)
    ENDED = "ended"


class Publicity(Base):
    """中标候选人公示, suspended while an objection is open (条例 54)."""

    __tablename__ = "tender_publicities"

    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # running | suspended | ended


class Objection(Base):
    __tablename__ = "tender_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    text: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 条例 22/54 (3 日), 政府采购法 53 (7 个工作日), 条例 44 (on site: the end of the opening
    #: window); unset on objections raised before it was kept
    answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: what it is against (core.rules.procedures.ObjectionStage): documents | opening | result
    stage: Mapped[str] = mapped_column(String(16), default="result", server_default="result")
    #: a 利害关系人 not bidding in the round states its interest (条例 54)
    interest: Mapped[str | None] = mapped_column(Text)


class ComplaintStatus(StrEnum):
    RECEIVED = "received"  # lodged; the supervisor accepts or refuses it (条例 61; 94号令 21)
    ACCEPTED = "accepted"  # 受理: being handled, the round perhaps suspended
    REFUSED = "refused"  # 不予受理, with the reason
    DECIDED = "decided"  # 处理决定 made and carried out on the round


class Complaint(Base):
    """A 投诉 to the supervisor (行政监督部门; 政府采购: 财政部门) about a round, after the
    objection the law requires first (条例 60; 政府采购法 55), and what the supervisor did with it
    (core.services.tendering.complaints)."""

    __tablename__ = "tender_complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    objection_id: Mapped[int | None] = mapped_column(ForeignKey("tender_objections.id"),
                                                     unique=True)
    stage: Mapped[str | None] = mapped_column(String(16))  # null: a matter no stage covers
    text: Mapped[str] = mapped_column(Text)  # 投诉请求, facts and evidence
    knew_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 条例 60: 知道或者应当知道
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # a ComplaintStatus value
    acceptance_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the first suspension for it, the instruction in force, and (政府采购法 57) its last day
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_instruction: Mapped[str | None] = mapped_column(String(100))
    suspension_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))  # dismissed | upheld
    remedy: Mapped[str | None] = mapped_column(String(24))  # continue | re_evaluate | …
    decision_no: Mapped[str | None] = mapped_column(String(100))  # 处理决定书 文号
    resolution: Mapped[str | None] = mapped_column(Text)  # the refusal's reason or the decision
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Decision(Base):
    """The purchaser's choice of the 中标(成交)供应商 after the report (政采条例 43), or the
    first remaining candidate deemed chosen when the purchaser let the period pass
    (``deemed``); the award notice and the result notice follow it."""

    __tablename__ = "tender_decisions"

    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("tender_bids.id"))
    rank: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str] = mapped_column(String(200))  # the actor, or the system when deemed
    deemed: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_due_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Award(Base):
    """中标通知书 and, later, the contract record of a round."""

    __tablename__ = "tender_awards"

    round_id: Mapped[int] = mapped_column(ForeignKey("tender_rounds.id"), primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("tender_bids.id"))
    notice_issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    contract_amount: Mapped[Decimal | None] = mapped_column(Money())
    contract_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 履约保证金 the documents ask of the winner, ≤ 10 % of the contract (条例 58, 政采条例 48)
    performance_bond: Mapped[Decimal | None] = mapped_column(Money())
    refund_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the written report to the supervisor (法 47) and the contract copy filed (政府采购法 47)
    report_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contract_filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: 政府采购: the result notice published with the award notice ends then (1 个工作日), and
    #: 质疑 against the result may be raised until ``challenge_ends_at`` (政采条例 53)
    result_notice_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    challenge_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
