"""After the evaluation over REST: settling a 并列 among the candidates, candidates publicity
(engineering) or the purchaser's decision (政府采购), objections and 质疑, award notice and
result, contract (owner or agency; objections by the round's bidders), and deposits (centre
staff).

Every refusal is a problem with a stable code and changes nothing; e.g. a publicity shorter than
the legal minimum is ``PUBLICITY_TOO_SHORT_REG_54``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from pydantic import Field

from adapters.rest.deps import Caller, UoW
from adapters.rest.fields import MAX_INT, AmountText, Moment, PathCode, PathId, RoundNo, Text
from adapters.rest.schemas import Out, Strict
from core.model.tendering import (
    Award,
    Objection,
    Publicity,
    Registration,
    Round,
    TieSettlementRecord,
)
from core.rules.procedures import ObjectionStage
from core.services.tendering import award, deposits
from core.services.tendering.award import CandidateView
from core.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", tags=["award"])
MAX_RANK = 3  # at most three candidates (条例 53)
Rank = Annotated[int, Field(ge=1, le=MAX_INT, description="a candidate's rank; the core names "
                                                          "one it does not know")]


class CandidateOut(Out):
    rank: int
    status: str = Field(description="ranked | declined | disqualified | awarded")
    bid_id: int
    party_id: int
    bidder_name: str
    bidder_identifier: str = Field(description="统一社会信用代码; a person's 身份证 number "
                                               "without its birth date")
    price: str | None = Field(description="the price read out at the opening")
    tied: bool = Field(description="in a 并列 not settled yet; the rank is shared")


def candidate_out(c: CandidateView) -> CandidateOut:
    return CandidateOut(rank=c.rank, status=c.status, bid_id=c.bid_id, party_id=c.party_id,
                        bidder_name=c.bidder_name, bidder_identifier=c.public_identifier,
                        price=None if c.price is None else str(c.price), tied=c.tied)


BidId = Annotated[int, Field(ge=1, le=MAX_INT)]
MAX_TIED = 1000  # bids tied at one rank: far more than any tender has


class TieIn(Strict):
    rank: Rank = Field(description="the rank the tied candidates share")
    method: award.TieMethod = Field(description="documents: the order the tender documents "
                                                "give; draw: a random draw (随机抽取, 87号令 68)")
    order: list[BidId] | None = Field(
        None, max_length=MAX_TIED,
        description="documents: every tied bid id once, the higher rank first; not with draw")
    reason: Text | None = Field(None, max_length=award.MAX_TEXT,
                                description="documents: the clause of the documents, cited "
                                            "(required); draw: optional")


class TieDrawOut(Out):
    algorithm: str = Field(description="sha256-sort-v1: the bids by sha256(seed + ':' + bid id)")
    bids: list[int] = Field(description="the tied bids, ascending")
    bids_sha256: str = Field(description="SHA-256 of the bids joined by commas")
    seed_sha256: str = Field(description="the commitment: SHA-256 of the seed")
    seed: str = Field(description="32 random bytes from the secrets module, hex")
    order: list[int]


class SettlementOut(Out):
    shared_rank: int
    method: str = Field(description="documents | draw")
    bids: list[int] = Field(description="the tied bids, ascending")
    order: list[int] = Field(description="bid ids, the higher rank first")
    dropped: list[int] = Field(description="tied bids put past the third place (条例 53)")
    reason: str | None = Field(description="documents: the clause cited")
    draw: TieDrawOut | None = Field(description="what reproduces the draw's order")
    settled_by: str
    settled_at: datetime


class TiesOut(Out):
    section_code: str
    round_no: int
    round_status: str
    candidates: list[CandidateOut] = Field(description="tied ones share their rank")
    settlements: list[SettlementOut]


def ties_out(r: Round, candidates: list[CandidateView],
             settlements: list[TieSettlementRecord]) -> TiesOut:
    return TiesOut(
        section_code=r.section.code, round_no=r.round_no, round_status=r.status,
        candidates=[candidate_out(c) for c in candidates],
        settlements=[SettlementOut(
            shared_rank=s.shared_rank, method=s.method, bids=list(s.bids), order=list(s.order),
            dropped=list(s.dropped), reason=s.reason,
            draw=None if s.draw is None else TieDrawOut.model_validate(s.draw),
            settled_by=s.settled_by, settled_at=s.settled_at) for s in settlements])


@router.post("/sections/{code}/ties", response_model=TiesOut, status_code=201)
def settle_tie(code: PathCode, body: TieIn, uow: UoW, caller: Caller) -> TiesOut:
    """The owner or its agency settles the 并列 at one rank among the candidates, by the
    documents (the clause cited) or by a random draw (87号令 68), after the report is signed and
    before the publicity; until every tie is settled the publicity and the award are refused
    (``CANDIDATE_TIE_UNSETTLED_MOF87_68``)."""
    award.settle_tie(uow, caller, code, rank=body.rank, method=body.method, order=body.order,
                     reason=body.reason)
    return ties_out(*award.get_ties(uow, caller, code))


@router.get("/sections/{code}/ties", response_model=TiesOut)
def get_ties(code: PathCode, uow: UoW, caller: Caller) -> TiesOut:
    """The candidates with any tie and every settlement, draws with the record that reproduces
    them: the owner, its agency and oversight."""
    return ties_out(*award.get_ties(uow, caller, code))


class PublicityIn(Strict):
    ends_at: Moment = Field(description="公示结束时间, with a time zone; it starts now")


class PublicityOut(Out):
    section_code: str
    round_no: int
    round_status: str
    status: str = Field(description="running | suspended (an objection is open) | ended")
    starts_at: datetime
    ends_at: datetime = Field(description="moves later by the time spent suspended")
    open_objections: int
    candidates: list[CandidateOut]


def publicity_out(r: Round, p: Publicity, candidates: list[CandidateView],
                  open_objections: int) -> PublicityOut:
    return PublicityOut(section_code=r.section.code, round_no=r.round_no, round_status=r.status,
                        status=p.status, starts_at=p.starts_at, ends_at=p.ends_at,
                        open_objections=open_objections,
                        candidates=[candidate_out(c) for c in candidates])


@router.post("/sections/{code}/publicity", response_model=PublicityOut, status_code=201)
def start_publicity(code: PathCode, body: PublicityIn, uow: UoW, caller: Caller) -> PublicityOut:
    """中标候选人公示 (条例 54): at least 3 days for engineering tenders."""
    award.start_publicity(uow, caller, code, body.ends_at)
    return publicity_out(*award.get_publicity(uow, caller, code))


@router.get("/sections/{code}/publicity", response_model=PublicityOut)
def get_publicity(code: PathCode, uow: UoW, caller: Caller) -> PublicityOut:
    return publicity_out(*award.get_publicity(uow, caller, code))


class ObjectionIn(Strict):
    text: Text = Field(min_length=1, max_length=award.MAX_TEXT)
    stage: ObjectionStage = Field(
        ObjectionStage.RESULT,
        description="documents: ≥ 10 日 before the deadline, the round held until answered "
                    "(条例 22; 政府采购: 7 个工作日 of receiving them); opening: on site during "
                    "the opening window (条例 44; 政府采购: 7 个工作日 after the opening record); "
                    "result: during the publicity (条例 54; 政府采购: 7 个工作日 after the result "
                    "notice ends)")
    interest: Text | None = Field(
        None, max_length=2000,
        description="engineering result: a 利害关系人 not bidding states its interest (条例 54)")


class AnswerIn(Strict):
    answer: Text = Field(min_length=1, max_length=award.MAX_TEXT)


class ObjectionOut(Out):
    id: int
    stage: str = Field(description="documents | opening | result")
    party_id: int
    interest: str | None
    text: str
    raised_at: datetime
    answer: str | None
    answered_at: datetime | None
    answer_due_at: datetime | None = Field(
        description="answer due by (条例 22, 54: 3 日; 政府采购法 53: 7 个工作日; 条例 44: on "
                    "site, by the end of the opening window)")


def objection_out(o: Objection) -> ObjectionOut:
    return ObjectionOut(id=o.id, stage=o.stage, party_id=o.party_id, interest=o.interest,
                        text=o.text, raised_at=o.raised_at, answer=o.answer,
                        answered_at=o.answered_at, answer_due_at=o.answer_due_at)


@router.post("/sections/{code}/objections", response_model=ObjectionOut, status_code=201)
def raise_objection(code: PathCode, body: ObjectionIn, uow: UoW, caller: Caller) -> ObjectionOut:
    """A party objects to one stage of the round (``stage``, default the result): the
    documents (a potential bidder; engineering ≥ 10 日 before the deadline, the round held until
    answered, ``OBJECTION_TOO_LATE_REG_22``), the opening (a bidder, on site,
    ``OBJECTION_OUTSIDE_OPENING_REG_44``), the result (a bidder or a 利害关系人 stating its
    interest, during the publicity, which stands suspended). 政府采购: a 质疑 against any stage
    within 7 个工作日 of its start (``CHALLENGE_TOO_LATE_GPREG_53``), one per stage
    (``CHALLENGE_ALREADY_RAISED_MOF94_10``); nothing is suspended."""
    return objection_out(award.raise_objection(uow, caller, code, body.text, stage=body.stage,
                                               interest=body.interest))


@router.get("/sections/{code}/objections", response_model=list[ObjectionOut])
def list_objections(code: PathCode, uow: UoW, caller: Caller) -> list[ObjectionOut]:
    """All of them for the owner, its agency and oversight; a party sees its own."""
    return [objection_out(o) for o in award.list_objections(uow, caller, code)]


@router.post("/sections/{code}/objections/{objection_id}/answer", response_model=ObjectionOut)
def answer_objection(code: PathCode, objection_id: PathId, body: AnswerIn, uow: UoW,
                     caller: Caller) -> ObjectionOut:
    """The owner's answer (on site for the opening); with none left open the held round or the
    suspended publicity runs again, its deadline or end moved later by the time it stood
    still."""
    return objection_out(award.answer_objection(uow, caller, code, objection_id, body.answer))


class DecisionIn(Strict):
    """Who is out of the running when the winner is chosen (政府采购's decision, the award)."""

    declined_ranks: list[Rank] = Field(
        default_factory=list, max_length=MAX_RANK,
        description="candidates who gave up, cannot perform or lodged no performance bond")
    disqualified_ranks: list[Rank] = Field(
        default_factory=list, max_length=MAX_RANK,
        description="candidates found to have broken the law (条例 55)")


class DecisionOut(Out):
    section_code: str
    rank: int = Field(description="the chosen candidate's rank: the first still in the running")
    bid_id: int
    decided_at: datetime
    deemed: bool = Field(description="the purchaser let 5 个工作日 pass: the first was deemed "
                                     "chosen (87号令 68)")
    notice_due_at: datetime = Field(description="the award and result notices due by "
                                                "(政采条例 43: 2 个工作日)")


@router.post("/sections/{code}/decision", response_model=DecisionOut, status_code=201)
def decide(code: PathCode, body: DecisionIn, uow: UoW, caller: Caller) -> DecisionOut:
    """政府采购: the purchaser (or its agency) chooses the supplier in rank order within 5 个工作日
    of the report (政采条例 43); the notices follow."""
    d = award.decide(uow, caller, code, declined_ranks=body.declined_ranks,
                     disqualified_ranks=body.disqualified_ranks)
    return DecisionOut(section_code=code, rank=d.rank, bid_id=d.bid_id, decided_at=d.decided_at,
                       deemed=d.deemed, notice_due_at=d.notice_due_at)


class AwardIn(DecisionIn):
    rank: Rank | None = Field(None, description="the owner's choice; state-funded: must be the "
                                               "first remaining candidate (条例 55)")


class AwardOut(Out):
    section_code: str
    round_no: int
    round_status: str
    winner: CandidateOut
    notice_issued_at: datetime
    contract_amount: str | None
    contract_signed_at: datetime | None
    performance_bond: str | None = Field(
        description="履约保证金, ≤ 10 % of the contract (条例 58; 政采条例 48)")
    report_submitted_at: datetime | None = Field(
        description="engineering: the written report to the supervisor (法 47: within 15 日)")
    contract_filed_at: datetime | None = Field(
        description="政府采购: the contract copy filed (政府采购法 47: within 7 个工作日)")
    refund_due_at: datetime | None = Field(
        description="deposits due back by after the contract (条例 57; 政府采购: the winner's)")
    result_notice_ends_at: datetime | None = Field(
        description="政府采购: the result notice published with the award ends (1 个工作日)")
    challenge_ends_at: datetime | None = Field(
        description="政府采购: 质疑 against the result until (政采条例 53: 7 个工作日)")


def award_out(r: Round, a: Award, winner: CandidateView) -> AwardOut:
    return AwardOut(section_code=r.section.code, round_no=r.round_no, round_status=r.status,
                    winner=candidate_out(winner), notice_issued_at=a.notice_issued_at,
                    contract_amount=None if a.contract_amount is None else str(a.contract_amount),
                    contract_signed_at=a.contract_signed_at,
                    performance_bond=(None if a.performance_bond is None
                                      else str(a.performance_bond)),
                    report_submitted_at=a.report_submitted_at,
                    contract_filed_at=a.contract_filed_at, refund_due_at=a.refund_due_at,
                    result_notice_ends_at=a.result_notice_ends_at,
                    challenge_ends_at=a.challenge_ends_at)


@router.post("/sections/{code}/award", response_model=AwardOut, status_code=201)
def issue_award(code: PathCode, body: AwardIn, uow: UoW, caller: Caller) -> AwardOut:
    """中标通知书 and the result announcement: engineering once the publicity has ended;
    政府采购 after the purchaser's decision (made now from the ranks given when none is on
    record), with the result notice."""
    award.issue_award(uow, caller, code, declined_ranks=body.declined_ranks,
                      disqualified_ranks=body.disqualified_ranks, rank=body.rank)
    return award_out(*award.get_award(uow, caller, code))


@router.get("/sections/{code}/award", response_model=AwardOut)
def get_award(code: PathCode, uow: UoW, caller: Caller) -> AwardOut:
    return award_out(*award.get_award(uow, caller, code))


class ContractIn(Strict):
    amount: AmountText
    signed_at: Moment = Field(description="合同签订时间, with a time zone")
    performance_bond: AmountText | None = Field(
        None, description="履约保证金 the documents ask for; refused above 10 % of the amount "
                          "(PERFORMANCE_BOND_OVER_LIMIT_REG_58 / _GPREG_48)")


@router.post("/sections/{code}/contract", response_model=AwardOut)
def record_contract(code: PathCode, body: ContractIn, uow: UoW, caller: Caller) -> AwardOut:
    """The signed contract; paid deposits fall due for refund (条例 57: within 5 days)."""
    award.record_contract(uow, caller, code, body.amount, body.signed_at, body.performance_bond)
    return award_out(*award.get_award(uow, caller, code))


class SubmittedIn(Strict):
    at: Moment | None = Field(None, description="when it was submitted; default now")


@router.post("/sections/{code}/award/report", response_model=AwardOut)
def record_award_report(code: PathCode, uow: UoW, caller: Caller,
                        body: SubmittedIn | None = None) -> AwardOut:
    """Engineering: the written report to the supervising department was submitted (法 47)."""
    award.record_award_report(uow, caller, code, body.at if body else None)
    return award_out(*award.get_award(uow, caller, code))


@router.post("/sections/{code}/contract/filing", response_model=AwardOut)
def record_contract_filing(code: PathCode, uow: UoW, caller: Caller,
                           body: SubmittedIn | None = None) -> AwardOut:
    """政府采购: the contract copy was filed with the supervising department (政府采购法 47)."""
    award.record_contract_filing(uow, caller, code, body.at if body else None)
    return award_out(*award.get_award(uow, caller, code))


WITHHELD_DESCRIPTION = (
    "null, or the rule that leaves this registration's payment fields null: 'LAW_22' before "
    "the bid deadline for anyone but the bidder itself — nobody, centre staff and supervisors "
    "included, reads who has paid until then (招标投标法 第二十二条; docs/deposits.md)")


class DepositOut(Out):
    section_code: str
    round_no: int
    party_id: int
    party_name: str
    deposit: str | None
    withheld: str | None = Field(description=WITHHELD_DESCRIPTION)
    deposit_status: str | None = Field(
        description="none | due | paid | refunded; null when withheld")
    paid_at: datetime | None
    refund_due_at: datetime | None
    refunded_at: datetime | None
    counted_amount: str | None = Field(
        description="the bank credits that arrived before the deposit deadline; null when "
                    "withheld")
    late_amount: str | None = Field(
        description="the bank credits that arrived after it: kept and refunded, not counted")
    payer_check: str | None = Field(
        description="the worst finding on its credits against the bidder's registered 基本账户 "
                    "(条例 26): not_basic_account | basic_account_unknown | basic_account; null "
                    "without a bank credit or when withheld — for the evaluators to weigh")
    interest: str | None = Field(
        description="engineering: the 银行同期存款利息 refunded with it (条例 57), once refunded")
    overdue_fee: str | None = Field(
        description="政府采购: the 超期资金占用费 owed on a late refund (87号令 38), once refunded")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def deposit_out(uow: UnitOfWork, r: Round, reg: Registration, *, own: bool) -> DepositOut:
    """The registration's deposit as the caller may see it (``own``: the bidder itself)."""
    view = deposits.deposit_view(uow, r, reg, own=own)
    if not view.visible:
        return DepositOut(section_code=r.section.code, round_no=r.round_no,
                          party_id=reg.party_id, party_name=reg.party.name,
                          deposit=_money(r.deposit), withheld=view.withheld,
                          deposit_status=None, paid_at=None, refund_due_at=None,
                          refunded_at=None, counted_amount=None, late_amount=None,
                          payer_check=None, interest=None, overdue_fee=None)
    interest, fee = deposits.refund_extras(r, reg, uow.deposit_rates)  # the centre's rates
    return DepositOut(section_code=r.section.code, round_no=r.round_no, party_id=reg.party_id,
                      party_name=reg.party.name, deposit=_money(r.deposit), withheld=None,
                      deposit_status=reg.deposit_status,
                      paid_at=reg.deposit_paid_at, refund_due_at=reg.deposit_refund_due_at,
                      refunded_at=reg.deposit_refunded_at,
                      counted_amount=_money(view.counted), late_amount=_money(view.late),
                      payer_check=view.payer_check, interest=_money(interest),
                      overdue_fee=_money(fee))


class DepositCountsOut(Out):
    registrations: int
    paid: int = Field(description="how many have paid (or been refunded) — never who")


class DepositConfirmIn(Strict):
    paid_at: Moment | None = Field(None, description="when the money arrived; default now")


@router.get("/sections/{code}/registrations", response_model=list[DepositOut])
def list_registrations(code: PathCode, uow: UoW, caller: Caller,
                       round_no: RoundNo = None) -> list[DepositOut]:
    """Registrations and deposits: oversight; the owner and agency after the deadline. Before
    the deadline each payment field is withheld (``withheld``: LAW_22)."""
    r, regs = deposits.list_registrations(uow, caller, code, round_no)
    return [deposit_out(uow, r, reg, own=reg.party_id == caller.party_id) for reg in regs]


@router.get("/sections/{code}/deposits/counts", response_model=DepositCountsOut)
def deposit_counts(code: PathCode, uow: UoW, caller: Caller,
                   round_no: RoundNo = None) -> DepositCountsOut:
    """Centre staff: how many registrations have paid, at any time — never who (法 22)."""
    counts = deposits.deposit_counts(uow, caller, code, round_no)
    return DepositCountsOut(registrations=counts.registrations, paid=counts.paid)


@router.get("/sections/{code}/deposits/opening", response_model=list[DepositOut])
def opening_deposits(code: PathCode, uow: UoW, caller: Caller,
                     round_no: RoundNo = None) -> list[DepositOut]:
    """At and after the bid deadline: who paid on time, late credits and payer findings (for
    the opening, the committee and whoever may list the registrations); before it 403
    DEPOSITS_SECRET_LAW_22."""
    r, views = deposits.opening_deposits(uow, caller, code, round_no)
    return [deposit_out(uow, r, v.registration, own=False) for v in views]


@router.get("/sections/{code}/registration", response_model=DepositOut)
def my_registration(code: PathCode, uow: UoW, caller: Caller,
                    round_no: RoundNo = None) -> DepositOut:
    """A bidder's own registration and deposit, at any time."""
    return deposit_out(uow, *deposits.my_registration(uow, caller, code, round_no), own=True)


@router.post("/sections/{code}/registrations/{party_id}/deposit/confirm",
             response_model=DepositOut)
def confirm_deposit(code: PathCode, party_id: PathId, uow: UoW, caller: Caller,
                    body: DepositConfirmIn | None = None,
                    round_no: RoundNo = None) -> DepositOut:
    """Centre staff confirm a cash or cheque deposit (the fallback beside the bank's credits),
    booked in the ledger. Before the deadline the answer withholds the payment fields too."""
    reg = deposits.confirm_payment(uow, caller, code, party_id,
                                   body.paid_at if body else None, round_no)
    r = uow.session.get(Round, reg.round_id)
    assert r is not None
    return deposit_out(uow, r, reg, own=False)


@router.post("/sections/{code}/registrations/{party_id}/deposit/refund",
             response_model=DepositOut)
def refund_deposit(code: PathCode, party_id: PathId, uow: UoW, caller: Caller,
                   round_no: RoundNo = None) -> DepositOut:
    """Centre staff record the refund of a paid deposit (settling its refund line)."""
    reg = deposits.mark_refunded(uow, caller, code, party_id, round_no)
    r = uow.session.get(Round, reg.round_id)
    assert r is not None
    return deposit_out(uow, r, reg, own=False)
