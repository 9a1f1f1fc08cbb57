"""The payload of every event type, declared once: what a receiver may rely on finding.

Each payload is a TypedDict; ``PAYLOADS`` names the one of every :class:`EventType`. The
builders in ``core.services`` return these types, the mapping specs read them by path (a test
checks every path a shipped spec reads exists here), and ``docs/events.md`` carries the section
:func:`markdown` writes from them. The types describe the payload as built, before
:func:`core.events.jsonable`: in the outbox a ``Decimal`` is a decimal string and a ``datetime``
or ``date`` an ISO 8601 string.

``core.event_payload_check`` compares a payload's keys with its declared type (a unit of work
asked to be strict, ``GGZY_STRICT_EVENT_PAYLOADS``, on in the tests, refuses one that differs);
``core.event_payload_docs`` writes the section of ``docs/events.md``: ``python -m
core.event_payload_docs --write docs/events.md`` (without ``--write`` it prints the section).
"""

# No ``from __future__ import annotations`` here: TypedDict reads ``NotRequired`` from the
# evaluated annotations on Python 3.11, not from strings.

from datetime import date, datetime
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from core.events import EventType

# --- what several payloads share ----------------------------------------------------------


class PartyBrief(TypedDict):
    """A party as a record about something else names it: the tenderer or agency on a tender
    project, section, notice or round, with the contacts the platforms' records ask for."""

    party_id: int
    name: str
    identifier: str | None
    identifier_type: str  # uscc | id_number
    region_code: str | None
    legal_representative: str | None
    contact_name: str | None
    contact_phone: str | None
    address: str | None


class TenderContext(TypedDict):
    """The tender project around a change, as it stood then: a mapping never calls back."""

    tender_project_name: str
    tender_mode: str
    organize_form: str
    tender_project_type: str | None
    region_code: str
    industry_code: str
    unified_deal_code: str
    domain: str
    supervise_dept_name: str | None
    approval_number: str | None
    tenderer: PartyBrief | None
    agency: PartyBrief | None


class SectionContext(TenderContext):
    """The section around a change, beside its tender project; ``tender_count`` is the number
    of its latest round (1 before any)."""

    section_name: str
    section_content: str | None
    estimated_price: Decimal | None
    currency: str
    price_unit: str
    duration_days: int | None
    qualification: str | None
    tender_count: int


# --- parties and the project tree ---------------------------------------------------------


class PartyPayload(TypedDict):
    """party.*: the party's identity and roles; ``origin`` (``pushed``) only on a party the
    provincial platform pushed, so a route does not send it back where it came from."""

    party_id: int
    kind: str
    name: str
    uscc: str | None
    id_number: str | None
    region_code: str | None
    roles: list[str]
    origin: NotRequired[str]


class ProjectPayload(TypedDict):
    """project.*: the 项目 with its owner and agency as briefs (data set 500)."""

    project_code: str
    name: str
    domain: str
    region_code: str
    industry_code: str
    owner_party_id: int | None
    agency_party_id: int | None
    total_investment: Decimal | None
    currency: str
    price_unit: str
    invest_project_code: str | None
    approval_number: str | None
    created_at: datetime
    description: str | None
    owner: PartyBrief | None
    agency: PartyBrief | None


class TenderProjectPayload(TenderContext):
    """tender_project.*: the 招标项目 and its context (data set 501)."""

    project_code: str
    tender_project_code: str
    name: str
    content: str | None
    created_at: datetime


class SectionPayload(SectionContext):
    """section.*: the 标段(包) and its context (data set 502)."""

    project_code: str
    tender_project_code: str
    section_code: str
    name: str
    content: str | None
    created_at: datetime


class NoticeSchedule(TypedDict):
    """The deadlines a tender notice announces: its first section's current round."""

    round_no: int
    documents_from: datetime | None
    documents_until: datetime
    bid_deadline: datetime
    opening_at: datetime
    deposit: Decimal | None


class AnnouncedKeyholder(TypedDict):
    """One opening keyholder of a round as its tender notice published it."""

    index: int
    name: str
    fingerprint: str


class AnnouncedRound(TypedDict):
    """A round's keyholders as its tender notice published them: k of n, each key's SHA-256
    fingerprint (hex) in share order (电子招标投标办法 28; ``ggzy-bid`` checks them)."""

    section_code: str
    round_no: int
    threshold: int
    keyholders: list[AnnouncedKeyholder]


class NoticePayload(TenderContext):
    """notice.*: the notice, its sections and, once a round is configured, its schedule
    (data set 503 reads the schedule of a published tender notice); a published tender notice
    also its rounds' keyholder fingerprints, fixed at publication (empty otherwise)."""

    notice_id: int
    notice_type: str
    title: str
    content: str
    status: str
    project_code: str
    tender_project_code: str
    section_codes: list[str]
    section_count: int
    related_notice_id: int | None
    published_at: datetime | None
    review_reason: str | None
    schedule: NoticeSchedule | None
    keyholders: list[AnnouncedRound]


# --- rounds ---------------------------------------------------------------------------------


class RoundPayload(SectionContext):
    """round.*: the round with its section's context; every round event carries these."""

    section_code: str
    tender_project_code: str
    project_code: str
    round_no: int
    procedure: str
    status: str
    bid_deadline: datetime
    documents_issued_at: datetime | None
    deposit: Decimal | None
    failure_reason: str | None


class RecordedDetermination(TypedDict):
    """Centre staff's determination of a cause as the signed opening record carries it (as read
    back from the record: ``determined_at`` an ISO 8601 string)."""

    determination_id: int
    reason: str
    basis: str | None
    incident_ids: list[int]
    determined_at: str


class OpeningBid(TypedDict):
    """A bid as the signed opening record read it out (``price`` already a decimal string,
    ``declared`` without personal identifiers), with what a bidder list needs beside it.
    ``cause`` is null for a bid opened, else bidder (撤销) or not_bidder (撤回, and then
    ``loss_claim``: the bidder may claim its direct losses, 电子招标投标办法 31);
    ``determination`` null where the cause is the rule's presumption."""

    bidder_name: str
    bidder_id: str
    outcome: str
    price: str | None
    declared: dict[str, Any]
    failure_code: str | None
    cause: str | None
    loss_claim: bool
    determination: RecordedDetermination | None
    region_code: str | None
    contact_name: str | None
    contact_phone: str | None
    identifier_type: str
    submitted_at: datetime | None
    deposit_paid: bool
    deposit_paid_at: datetime | None


class Opening(TypedDict):
    """The published opening record (data sets 506 and 507, a record per bid)."""

    published_at: datetime
    bids: list[OpeningBid]
    bid_count: int


class RoundOpenedPayload(RoundPayload):
    """round.opened: the round and its opening record."""

    opening: Opening | None


class SuspensionPayload(RoundPayload):
    """round.suspended: the supervision instruction that suspended the round."""

    instruction_no: str
    reason: str
    suspended_at: datetime


class ResumptionPayload(SuspensionPayload):
    """round.resumed: the resuming instruction (``instruction_no``, ``reason``), since when
    the round stood suspended and by which instruction."""

    suspension_instruction: str | None
    resumed_at: datetime


class ReportedCandidate(TypedDict):
    """A candidate in the evaluation report; ``score`` null for the lowest-price methods."""

    rank: int
    bidder_name: str
    bidder_identifier: str
    price: Any
    score: Any


class EvaluationReportedPayload(RoundPayload):
    """round.evaluation_reported: the signed report's outcome, naming no committee member
    (法 37); data set 509."""

    evaluation_method: str
    reported_at: datetime | None
    candidates: list[ReportedCandidate]
    rejected_count: int
    dissent_count: int


class CandidateBrief(TypedDict):
    """A candidate as published and awarded: the bidder whole (the supervising platforms
    receive the identifier unmasked) and the price read out at the opening."""

    rank: int
    status: str
    bid_id: int
    party_id: int
    bidder_name: str
    bidder_identifier: str
    price: Decimal | None
    declared: dict[str, Any] | None


class TieDraw(TypedDict):
    """The random draw that settled a 并列 (87号令 68): what reproduces its order
    (``core.evaluation.draw``: the bids ascending, their SHA-256, the seed's SHA-256, the seed,
    and the order it draws)."""

    algorithm: str
    bids: list[int]
    bids_sha256: str
    seed_sha256: str
    seed: str
    order: list[int]


class TieSettledPayload(RoundPayload):
    """round.candidates_tie_settled: the tied bids of one shared rank put in order, by the
    documents' clause (``reason``) or by a draw (``draw``), and the candidates as they now stand;
    ``dropped`` are the tied bids the order put past the last candidate place (条例 53)."""

    shared_rank: int
    method: str  # documents | draw
    order: list[int]  # bid ids, the higher rank first
    dropped: list[int]
    reason: str | None
    draw: TieDraw | None
    settled_at: datetime
    candidates: list[CandidateBrief]


class PublicityFields(TypedDict):
    """Where the 中标候选人公示 stands."""

    publicity_status: str  # running | suspended | ended
    publicity_starts_at: datetime
    publicity_ends_at: datetime


class PublicityPayload(RoundPayload, PublicityFields):
    """round.publicity_ended: the round and its publicity."""


class CandidatesPublishedPayload(PublicityPayload):
    """round.candidates_published: the publicity and the candidates (data sets 510, 511)."""

    candidates: list[CandidateBrief]


class ObjectionBrief(TypedDict):
    """An objection and, once given, its answer. Before the bid deadline the party is withheld
    (null): who obtained the documents is not disclosed (招标投标法 第二十二条)."""

    objection_id: int
    stage: str  # documents | opening | result
    party_id: int | None
    party_name: str | None
    party_identifier: str | None
    interest: str | None  # a 利害关系人 outside the round: its declared interest (条例 54)
    text: str
    raised_at: datetime
    answer: str | None
    answered_at: datetime | None
    answer_due_at: datetime | None  # 条例 22/54: 3 日; 政府采购法 53: 7 个工作日; 条例 44: on site


class ObjectionPayload(PublicityPayload):
    """round.objection_raised / round.objection_answered: the publicity and the objection."""

    objection: ObjectionBrief


class ChallengePayload(RoundPayload):
    """round.challenge_raised / round.challenge_answered: a 质疑 against a government result
    (政采条例 53), with the period it was raised in."""

    result_notice_ends_at: datetime | None
    challenge_ends_at: datetime | None
    objection: ObjectionBrief


class StageObjectionPayload(RoundPayload):
    """round.stage_objection_raised / round.stage_objection_answered: an engineering objection
    to the documents (条例 22: the round is held until every one is answered, its deadline then
    moved later by the time held) or to the opening (条例 44: answered on site)."""

    objection: ObjectionBrief


class ComplaintBrief(TypedDict):
    """A 投诉 and where its handling stands. Before the bid deadline the party is withheld, as
    in :class:`ObjectionBrief`."""

    complaint_id: int
    objection_id: int | None
    stage: str | None  # the objection's stage; null: a matter no stage covers
    party_id: int | None
    party_name: str | None
    party_identifier: str | None
    text: str
    knew_at: datetime | None
    raised_at: datetime
    status: str  # received | accepted | refused | decided
    acceptance_due_at: datetime  # 条例 61: 3 个工作日; 94号令 21: 5 个工作日
    accepted_at: datetime | None
    decision_due_at: datetime | None  # 30 个工作日 (条例 61 from acceptance; 政府采购法 56)
    refused_at: datetime | None
    suspended_at: datetime | None
    suspension_instruction: str | None
    suspension_ends_at: datetime | None  # 政府采购法 57: at most 30 日
    resumed_at: datetime | None
    outcome: str | None  # dismissed | upheld
    remedy: str | None  # continue | re_evaluate | new_procurement
    decision_no: str | None
    resolution: str | None  # the refusal's reason, or the decision
    decided_at: datetime | None


class ComplaintPayload(RoundPayload):
    """round.complaint_*: the round and the 投诉 as it stands after the step."""

    complaint: ComplaintBrief


class ReEvaluationPayload(RoundPayload):
    """round.re_evaluation_ordered: the supervisor's instruction; the candidates, the report's
    signatures and any publicity or decision are gone, the committee scores again."""

    instruction_no: str
    reason: str
    ordered_at: datetime


class AwardPayload(RoundPayload):
    """round.awarded: the winner and every candidate's status."""

    notice_issued_at: datetime
    winner: CandidateBrief
    candidates: list[CandidateBrief]
    unsuccessful_refund_due_at: datetime | None  # 政采条例 33; engineering: after the contract


class ResultPayload(RoundPayload):
    """round.result_announced: as round.awarded, announced (data set 513)."""

    announced_at: datetime
    winner: CandidateBrief
    candidates: list[CandidateBrief]
    result_notice_ends_at: datetime | None  # 政府采购: the 1-个工作日 result notice
    challenge_ends_at: datetime | None  # 政府采购: 质疑 against the result until then
    experts: list[str]  # 政采条例 43: the 评审专家 (empty where the result does not list them)


class ContractDeposit(TypedDict):
    """A paid deposit and when it falls due for refund."""

    party_id: int
    party_identifier: str
    deposit_status: str
    refund_due_at: datetime | None


class ContractPayload(RoundPayload):
    """round.contract_recorded: the contract and the deposits it makes due (data set 512)."""

    winner: CandidateBrief
    contract_amount: Decimal
    contract_signed_at: datetime
    performance_bond: Decimal | None
    deposit_refund_due_at: datetime | None
    deposits: list[ContractDeposit]


class TamperedBid(TypedDict):
    """The sealed bid refused as tampered."""

    bid_id: int
    party_id: int
    bidder_name: str | None
    bidder_identifier: str | None
    ciphertext_sha256: str
    submitted_at: datetime | None


class BidTamperedPayload(RoundPayload):
    """bid.tampered: for the supervisors, which bid, why and who found it."""

    bid: TamperedBid
    code: str
    reason: str | None
    detected_by: str  # bidder_key | keyholders
    detected_at: datetime


class IncidentBrief(TypedDict):
    """A platform incident (交易平台故障记录) as an opening shows it; ``ended_at`` null while
    it runs."""

    incident_id: int
    component: str
    description: str
    reference: str | None
    started_at: datetime
    ended_at: datetime | None


class UndecryptedBid(TypedDict):
    """The bid left undecrypted."""

    bid_id: int
    party_id: int
    bidder_name: str | None
    bidder_identifier: str | None


class DecryptionCausePayload(RoundPayload):
    """bid.decryption_cause_determined: why a bid stayed undecrypted, as centre staff found
    (电子招标投标办法 31), and what follows: ``outcome`` revoked (撤销, the deposit may be kept)
    or retracted (撤回: the deposit falls due ``deposit_refund_due_at``, 条例 35, and
    ``loss_claim``). ``previous_outcome`` null before the opening record; ``published_at`` set
    when the determination came after it and was published, signed, on its own."""

    bid: UndecryptedBid
    determination_id: int
    cause: str
    outcome: str
    previous_outcome: str | None
    reason: str
    basis: str | None
    incidents: list[IncidentBrief]
    loss_claim: bool
    determined_at: datetime
    deposit_status: str | None
    deposit_refund_due_at: datetime | None
    published_at: datetime | None


# --- deposits, calendar, audit ------------------------------------------------------------


class DepositPayload(TypedDict):
    """deposit.*: one registration's deposit; ``refunded_late`` null until it is refunded.
    ``interest`` is the 银行同期存款利息 refunded with an engineering deposit (条例 57), and
    ``overdue_fee`` the 超期资金占用费 owed on a late government refund (87号令 38); both null
    until the refund and where their rule does not apply."""

    section_code: str
    project_code: str
    round_no: int
    party_id: int
    party_name: str
    party_identifier: str
    deposit: Decimal | None
    deposit_status: str
    paid_at: datetime | None
    refund_due_at: datetime | None
    refunded_at: datetime | None
    refunded_late: bool | None
    interest: Decimal | None
    overdue_fee: Decimal | None


class CalendarNoticeBrief(TypedDict):
    """A year's holiday notice as proposed and decided (docs/calendar.md)."""

    id: int
    year: int
    status: str
    notice_number: str | None
    notice_date: date | None
    notice_title: str | None
    document_sha256: str | None
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class CalendarYearApprovedPayload(CalendarNoticeBrief):
    """calendar.year_approved: the approved notice, how many deadlines moved and how many
    provisional ones stand."""

    moved: int
    confirmed: int


# ``from`` is a keyword: the functional form. calendar.deadline_moved: a legal deadline the
# approval re-reckoned, Beijing dates as ISO strings; ``at_risk`` when a minimum now ends after
# the subject's own day (``chosen_day``).
DeadlineMovedPayload = TypedDict("DeadlineMovedPayload", {
    "rule": str, "ref": str, "bound": str, "subject_type": str, "subject_id": str,
    "from": str, "to": str, "calendar": str, "at_risk": bool, "chosen_day": str | None,
})


class DeadlineOverduePayload(TypedDict):
    """deadline.overdue: a due date whose last day ended with its obligation unmet (a warning
    for the supervisor, sent once); ``last_day`` a Beijing date as an ISO string, ``party_ids``
    the bidders whose deposits are still not refunded (empty for the other rules)."""

    rule: str
    ref: str
    subject_type: str
    subject_id: str
    section_code: str
    round_no: int
    last_day: str
    calendar: str
    unmet: str
    party_ids: list[int]
    warned_at: datetime


class AuditCheckpointPayload(TypedDict):
    """audit.checkpoint: the signed checkpoint; ``body`` is the exact signed text."""

    type: str
    seq: int
    hash: str
    mac: str
    at: str
    key_id: str
    body: str
    signature: str


class EventEnvelope(TypedDict):
    """What a mapping reads as ``event.*`` (``exchange.delivery.event_document``), beside the
    payload."""

    event_id: str
    event_type: str
    aggregate_type: str
    aggregate_id: str
    ordering_key: str
    occurred_at: str
    payload: dict[str, Any]


PAYLOADS: dict[EventType, type] = {
    EventType.PARTY_REGISTERED: PartyPayload,
    EventType.PARTY_UPDATED: PartyPayload,
    EventType.PROJECT_CREATED: ProjectPayload,
    EventType.PROJECT_UPDATED: ProjectPayload,
    EventType.TENDER_PROJECT_CREATED: TenderProjectPayload,
    EventType.TENDER_PROJECT_UPDATED: TenderProjectPayload,
    EventType.SECTION_CREATED: SectionPayload,
    EventType.SECTION_UPDATED: SectionPayload,
    EventType.NOTICE_SUBMITTED: NoticePayload,
    EventType.NOTICE_RETURNED: NoticePayload,
    EventType.NOTICE_PUBLISHED: NoticePayload,
    EventType.TENDER_DOCUMENTS_ISSUED: RoundPayload,
    EventType.TENDER_DOCUMENTS_CLARIFIED: RoundPayload,
    EventType.ROUND_OPENING_STARTED: RoundPayload,
    EventType.ROUND_FAILED: RoundPayload,
    EventType.ROUND_OPENED: RoundOpenedPayload,
    EventType.ROUND_TERMINATED: RoundPayload,
    EventType.ROUND_SUSPENDED: SuspensionPayload,
    EventType.ROUND_RESUMED: ResumptionPayload,
    EventType.ROUND_ARCHIVED: RoundPayload,
    EventType.EVALUATION_REPORTED: EvaluationReportedPayload,
    EventType.CANDIDATES_TIE_SETTLED: TieSettledPayload,
    EventType.CANDIDATES_PUBLISHED: CandidatesPublishedPayload,
    EventType.OBJECTION_RAISED: ObjectionPayload,
    EventType.OBJECTION_ANSWERED: ObjectionPayload,
    EventType.CHALLENGE_RAISED: ChallengePayload,
    EventType.CHALLENGE_ANSWERED: ChallengePayload,
    EventType.STAGE_OBJECTION_RAISED: StageObjectionPayload,
    EventType.STAGE_OBJECTION_ANSWERED: StageObjectionPayload,
    EventType.COMPLAINT_RAISED: ComplaintPayload,
    EventType.COMPLAINT_ACCEPTED: ComplaintPayload,
    EventType.COMPLAINT_REFUSED: ComplaintPayload,
    EventType.COMPLAINT_SUSPENDED: ComplaintPayload,
    EventType.COMPLAINT_DECIDED: ComplaintPayload,
    EventType.RE_EVALUATION_ORDERED: ReEvaluationPayload,
    EventType.PUBLICITY_ENDED: PublicityPayload,
    EventType.AWARD_NOTICE_ISSUED: AwardPayload,
    EventType.RESULT_ANNOUNCED: ResultPayload,
    EventType.CONTRACT_RECORDED: ContractPayload,
    EventType.DEPOSIT_CONFIRMED: DepositPayload,
    EventType.DEPOSIT_REFUNDED: DepositPayload,
    EventType.CALENDAR_YEAR_APPROVED: CalendarYearApprovedPayload,
    EventType.DEADLINE_MOVED: DeadlineMovedPayload,
    EventType.DEADLINE_OVERDUE: DeadlineOverduePayload,
    EventType.BID_TAMPERED: BidTamperedPayload,
    EventType.BID_DECRYPTION_CAUSE_DETERMINED: DecryptionCausePayload,
    EventType.AUDIT_CHECKPOINT: AuditCheckpointPayload,
}

#: What each payload type extends (its own fields are the rest): for the documentation.
BASES: dict[type, tuple[type, ...]] = {
    SectionContext: (TenderContext,),
    TenderProjectPayload: (TenderContext,),
    SectionPayload: (SectionContext,),
    NoticePayload: (TenderContext,),
    RoundPayload: (SectionContext,),
    RoundOpenedPayload: (RoundPayload,),
    SuspensionPayload: (RoundPayload,),
    ResumptionPayload: (SuspensionPayload,),
    EvaluationReportedPayload: (RoundPayload,),
    TieSettledPayload: (RoundPayload,),
    PublicityPayload: (RoundPayload, PublicityFields),
    CandidatesPublishedPayload: (PublicityPayload,),
    ObjectionPayload: (PublicityPayload,),
    StageObjectionPayload: (RoundPayload,),
    ComplaintPayload: (RoundPayload,),
    ReEvaluationPayload: (RoundPayload,),
    AwardPayload: (RoundPayload,),
    ResultPayload: (RoundPayload,),
    ContractPayload: (RoundPayload,),
    BidTamperedPayload: (RoundPayload,),
    DecryptionCausePayload: (RoundPayload,),
    CalendarYearApprovedPayload: (CalendarNoticeBrief,),
}
