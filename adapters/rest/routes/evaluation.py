"""The evaluation (评标) over REST: centre staff assign the committee, members read the opened
bids and score them, the chair records rejections, brands (87号令 31) and requests for a written
explanation of a price (87号令 60) and generates the report, every member signs or dissents in
writing.

Only committee members and oversight staff read anything here; bidders never do — except the
request for an explanation of their own bid's price, which they read and answer. Scores and
amounts travel as decimal strings.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import Field

from adapters.rest.deps import Caller, Deps, UoW
from adapters.rest.fields import Code, Id, Moment, Name, PathCode, PathId, ScoreText, Text
from adapters.rest.schemas import Out, Strict
from core.model.tendering import Score
from core.services.tendering import evaluation as ev

router = APIRouter(prefix="/api/v1", tags=["evaluation"])

WeightText = ScoreText  # points (also the criterion's maximum score); they add up to 100


class MemberIn(Strict):
    account_id: Id
    kind: Literal["technical_economic_expert", "tenderer_representative"] = Field(
        description="技术、经济等方面的专家 (an expert account) or 招标人代表 (an account of the "
                    "project's owner or agency; in 政府采购 the purchaser's only, never the "
                    "agency's, 财政部令第87号 第四十七条)")
    is_chair: bool = False
    legal_expert: bool = Field(
        False, description="an expert sitting as the 法律专家 a 技术复杂、专业性强 磋商 needs (财库"
                           "〔2014〕214号 第十四条); declared here, the expert records carry no "
                           "specialty to read it from")
    expert_id: Id | None = Field(
        None, description="the expert registry's record (data set 212) this expert member is: "
                          "its employer and credit records are checked against the bidders (回避, "
                          "实施条例 第四十六条; 政府采购法实施条例 第九条)")


class CriterionIn(Strict):
    code: Code = Field(min_length=1, description="e.g. technical, service, price")
    name_zh: Name = Field(min_length=1, max_length=100)
    weight: WeightText
    category: Literal["technical", "commercial", "price"] = Field(
        "technical", description="price: computed as lowest valid price ÷ price × weight")


class CommitteeIn(Strict):
    members: list[MemberIn] = Field(min_length=1, max_length=25)
    method: Literal["comprehensive", "lowest_evaluated_price", "lowest_price"] = Field(
        description="综合评估法/综合评分法, 经评审的最低投标价法/最低评标价法, or 最低报价")
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=50,
                                        description="综合评分 only; weights add up to 100")


class ScoresIn(Strict):
    scores: dict[Code, ScoreText] = Field(min_length=1, max_length=50,
                                         description="criterion code → score")


class RejectionIn(Strict):
    grounds: list[Code] = Field(min_length=1, max_length=8,
                                description="the round's domain's grounds: 实施条例 第五十一条 for "
                                            "engineering (e.g. below_cost), 财政部令第87号 第六十三"
                                            "条/第六十条 for 政府采购 (no_deposit, "
                                            "not_signed_as_required, above_budget, "
                                            "unacceptable_conditions, other_invalidity, "
                                            "abnormally_low_unexplained — only after a "
                                            "price explanation was answered or lapsed); "
                                            "unqualified, "
                                            "not_responsive and collusion in both")
    reason: Text = Field(min_length=1, max_length=2000, description="the written reason")


class SmeDeclarationIn(Strict):
    status: Literal["small_micro", "prison", "disabled_welfare", "joint_small_share"] = Field(
        description="as the bid's 中小企业声明函 declares: 小型、微型企业; 监狱企业 or "
                    "残疾人福利性单位 (treated as 小微); a 联合体 or subcontracting giving "
                    "小微企业 30 % or more of the contract (财库〔2020〕46号 第九条)")
    small_share: ScoreText | None = Field(
        None, description="joint_small_share only: the 小微企业 share of the contract, percent")
    source: Text | None = Field(None, max_length=2000,
                                description="where the bid declares it, e.g. 中小企业声明函 第12页")


class CoreBrandIn(Strict):
    core_product: Name = Field(min_length=1, max_length=200,
                               description="the 核心产品 the tender documents name (the only "
                                           "product in a single-product procurement); one per "
                                           "round")
    brand: Name = Field(min_length=1, max_length=200,
                        description="the brand the bid offers for it; compared with case, "
                                    "spacing and full-width letters folded")
    model: Name | None = Field(None, max_length=200, description="规格型号, for the record")
    source: Text | None = Field(None, max_length=2000,
                                description="where the bid states it, e.g. 开标一览表 第2页")


class SameBrandTieIn(Strict):
    bids: list[Id] = Field(min_length=2, max_length=50,
                           description="the tied bids of one brand, as the report's "
                                       "SAME_BRAND_TIE_UNRESOLVED_MOF87_31 lists them")
    method: Literal["documents", "draw"] = Field(
        description="documents: the bid the documents' clause gives (chosen, reason required); "
                    "draw: an audited random draw (随机抽取, 财政部令第87号 第三十一条)")
    chosen: Id | None = None
    reason: Text | None = Field(None, max_length=2000,
                                description="documents: the clause of the documents, cited")


class ExplanationRequestIn(Strict):
    deadline: Moment = Field(description="by when the bidder answers in writing, with a time "
                                         "zone; in the future (财政部令第87号 第六十条: 在评标现场"
                                         "合理的时间内)")
    reason: Text = Field(min_length=1, max_length=2000,
                         description="what the committee finds abnormally low, and why")


class ExplanationAnswerIn(Strict):
    text: Text = Field(min_length=1, max_length=10000, description="the written explanation")
    evidence: list[Annotated[Name, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=20, description="the 证明材料 submitted, each named")


class ExplanationDecisionIn(Strict):
    accepted: bool = Field(description="false: the bid is found invalid, "
                                       "abnormally_low_unexplained")
    reason: Text = Field(min_length=1, max_length=2000)


class ExplanationOut(Out):
    bid_id: int
    state: str = Field(description="requested | answered | lapsed | accepted | rejected "
                                   "(the bidder sees requested, answered or lapsed)")
    price: str
    reason: str
    deadline: datetime
    requested_at: datetime
    answer: dict[str, Any] | None
    decision: dict[str, Any] | None = Field(description="the committee's; null for the bidder")


def explanation_out(v: ev.ExplanationView) -> ExplanationOut:
    return ExplanationOut(bid_id=v.bid_id, state=v.state, price=v.price, reason=v.reason,
                          deadline=v.deadline, requested_at=v.requested_at, answer=v.answer,
                          decision=v.decision)


class SignatureIn(Strict):
    agrees: bool
    dissent: Text | None = Field(None, max_length=2000,
                                description="required when not agreeing: reasons, in writing")


class SignatureOut(Out):
    agrees: bool
    dissent: str | None
    signed_at: datetime


class RelationIn(Strict):
    ground: Literal["close_relative", "employed_by_bidder", "director_or_supervisor",
                    "controlling_shareholder", "economic_interest", "supervising_department",
                    "past_penalty"] = Field(
        description="近亲属 of the bidder or its 主要负责人/法定代表人; 劳动关系 (now or within 3 "
                    "years); 董事/监事; 控股股东/实际控制人; other economic interest; staff of "
                    "the 项目主管部门/行政监督部门; a past 行政处罚/刑事处罚 in tendering "
                    "(实施条例 第四十六条, 评标委员会和评标方法暂行规定 第十二条; "
                    "政府采购法实施条例 第九条)")
    bid_id: Id | None = Field(None, description="the bid of the bidder concerned; none for the "
                                                "last two grounds")


class RecusalIn(Strict):
    relations: list[RelationIn] = Field(default_factory=list, max_length=50,
                                        description="empty: no relationship with any bidder")


class ReplacementIn(Strict):
    account_id: Id
    expert_id: Id | None = Field(None, description="the registry's record of the new expert")


class RecusalOut(Out):
    member_id: int
    relations: list[dict[str, Any]]
    grounds: list[dict[str, Any]] = Field(
        description="each ground found, declared or shown by the registry: ground, rule, item, "
                    "article, bid_id, sources, detail")
    excluded: bool = Field(description="the member stands aside (回避) and is to be replaced")
    statement_sha256: str = Field(description="SHA-256 of the canonical statement declared")
    declared_at: datetime


def recusal_out(d: Any) -> RecusalOut:
    return RecusalOut(member_id=d.member_id, relations=list(d.relations), grounds=list(d.grounds),
                      excluded=d.excluded, statement_sha256=d.statement_sha256,
                      declared_at=d.declared_at)


class MemberOut(Out):
    id: int
    account_id: int
    username: str
    display_name: str
    kind: str
    is_chair: bool
    legal_expert: bool
    signature: SignatureOut | None
    expert_id: int | None
    recusal: RecusalOut | None = Field(description="the member's 回避 declaration, once made")
    excluded_at: datetime | None = Field(description="stood aside (回避); kept for the record")
    replaces_id: int | None = Field(description="the member stood aside this one replaces")


class CandidateOut(Out):
    rank: int = Field(description="shared by tied candidates (并列) until the tie is settled")
    bid_id: int
    status: str
    tied: bool = Field(description="in a 并列 the tenderer has not settled yet (87号令 68)")


class CriterionOut(Out):
    code: str
    name_zh: str
    weight: str
    category: str
    objective: bool


class EvaluationOut(Out):
    section_code: str
    round_no: int
    round_status: str
    status: str = Field(description="scoring | reported | signed")
    method: str
    criteria: list[CriterionOut]
    members: list[MemberOut]
    rejections: dict[str, Any] = Field(description="bid id → grounds and written reason")
    sme_declarations: dict[str, Any] = Field(
        description="bid id → the 小微企业 status the chair recorded (财库〔2020〕46号 第九条)")
    core_brands: dict[str, Any] = Field(
        description="bid id → the brand of its 核心产品 the chair recorded "
                    "(财政部令第87号 第三十一条)")
    same_brand_ties: dict[str, Any] = Field(
        description="brand → the bid chosen among tied same-brand bids, by the documents or a draw")
    price_explanations: dict[str, Any] = Field(
        description="bid id → the request for a written explanation of its price, the answer "
                    "and the decision (财政部令第87号 第六十条)")
    result: dict[str, Any] | None = Field(
        description="the report: ranking, scores, candidates; same_brand.excluded lists the "
                    "same-brand bids not ranked, each with the bid kept, the reason and the "
                    "article")
    reported_at: datetime | None
    candidates: list[CandidateOut]


def evaluation_out(view: ev.EvaluationView) -> EvaluationOut:
    r, e = view.tender_round, view.evaluation
    return EvaluationOut(
        section_code=r.section.code, round_no=r.round_no, round_status=r.status,
        status=e.status, method=e.method,
        criteria=[CriterionOut(code=str(c["code"]), name_zh=str(c["name_zh"]),
                               weight=str(c["weight"]), category=str(c["category"]),
                               objective=bool(c["objective"])) for c in e.criteria],
        members=[MemberOut(id=m.id, account_id=m.account_id, username=m.username,
                           display_name=m.display_name, kind=m.kind, is_chair=m.is_chair,
                           legal_expert=m.legal_expert,
                           signature=None if m.signature is None else SignatureOut(
                               agrees=m.signature.agrees, dissent=m.signature.dissent,
                               signed_at=m.signature.signed_at),
                           expert_id=m.expert_id,
                           recusal=None if m.recusal is None else recusal_out(m.recusal),
                           excluded_at=m.excluded_at, replaces_id=m.replaces_id)
                 for m in view.members],
        rejections=dict(e.rejections), sme_declarations=dict(e.sme_declarations or {}),
        core_brands=dict(e.core_brands or {}), same_brand_ties=dict(e.same_brand_ties or {}),
        price_explanations=dict(e.price_explanations or {}),
        result=None if e.result is None else dict(e.result),
        reported_at=e.reported_at,
        candidates=[CandidateOut(rank=c.rank, bid_id=c.bid_id, status=c.status, tied=c.tied)
                    for c in view.candidates])


class BidOut(Out):
    bid_id: int
    bidder_name: str
    bidder_identifier: str
    outcome: str
    evaluable: bool
    price: str | None
    declared: dict[str, Any]
    failure_code: str | None
    submitted_at: datetime
    rejection: dict[str, Any] | None


class ScoreOut(Out):
    bid_id: int
    criterion: str
    score: str
    scored_at: datetime


def score_out(s: Score) -> ScoreOut:
    return ScoreOut(bid_id=s.bid_id, criterion=s.criterion, score=str(s.score),
                    scored_at=s.scored_at)


@router.post("/sections/{code}/evaluation/committee", response_model=EvaluationOut,
             status_code=201)
def assign_committee(code: PathCode, body: CommitteeIn, uow: UoW, caller: Caller,
                     c: Deps) -> EvaluationOut:
    """Centre staff assign the committee (法 37; 政府采购 87号令 47, 74号令 7, 214号 14), the
    method and the criteria."""
    setup = ev.EvaluationSetup(
        members=tuple(ev.MemberIn(m.account_id, m.kind, m.is_chair, m.legal_expert, m.expert_id)
                      for m in body.members),
        method=body.method,
        criteria=tuple(ev.CriterionIn(c.code, c.name_zh, Decimal(c.weight), c.category)
                       for c in body.criteria))
    return evaluation_out(ev.assign_committee(uow, caller, code, setup,
                                              c.settings.open_tender_thresholds))


@router.post("/sections/{code}/evaluation/recusal", response_model=RecusalOut,
             status_code=201)
def declare_recusal(code: PathCode, body: RecusalIn, uow: UoW, caller: Caller) -> RecusalOut:
    """A committee member's 回避 declaration, once, before evaluating: its relationships with
    the bidders (实施条例 第四十六条第三款, 评标委员会和评标方法暂行规定 第十二条;
    政府采购法实施条例 第九条). A ground the expert registry shows and the member does not
    declare is refused (COMMITTEE_MEMBER_EXCLUDED_REG_46, _GPREG_9, _GPL, _MOF198); a declared
    one is recorded and the member stands aside."""
    relations = [ev.RelationIn(x.ground, x.bid_id) for x in body.relations]
    return recusal_out(ev.declare_recusal(uow, caller, code, relations))


@router.post("/sections/{code}/evaluation/committee/members/{member_id}/replacement",
             response_model=EvaluationOut)
def replace_member(code: PathCode, member_id: PathId, body: ReplacementIn, uow: UoW,
                   caller: Caller) -> EvaluationOut:
    """Centre staff replace a member who stood aside, or whom the registry shows a ground
    against (招标投标法 第三十七条第四款: 已经进入的应当更换); the new member declares in turn."""
    return evaluation_out(ev.replace_member(uow, caller, code, member_id, body.account_id,
                                            body.expert_id))


@router.get("/sections/{code}/evaluation", response_model=EvaluationOut)
def get_evaluation(code: PathCode, uow: UoW, caller: Caller) -> EvaluationOut:
    return evaluation_out(ev.get_evaluation(uow, caller, code))


@router.get("/sections/{code}/evaluation/bids", response_model=list[BidOut])
def list_bids(code: PathCode, uow: UoW, caller: Caller) -> list[BidOut]:
    """The opened bids' declared items: committee members and oversight staff only."""
    return [BidOut(bid_id=b.bid_id, bidder_name=b.bidder_name,
                   bidder_identifier=b.bidder_identifier, outcome=b.outcome,
                   evaluable=b.evaluable, price=None if b.price is None else str(b.price),
                   declared=b.declared, failure_code=b.failure_code,
                   submitted_at=b.submitted_at, rejection=b.rejection)
            for b in ev.list_bids(uow, caller, code)]


@router.put("/sections/{code}/evaluation/bids/{bid_id}/scores", response_model=list[ScoreOut])
def submit_scores(code: PathCode, bid_id: PathId, body: ScoresIn, uow: UoW,
                  caller: Caller) -> list[ScoreOut]:
    """A member's scores of one bid; sending a criterion again replaces its score."""
    scores = {k: Decimal(v) for k, v in body.scores.items()}
    return [score_out(s) for s in ev.submit_scores(uow, caller, code, bid_id, scores)]


@router.get("/sections/{code}/evaluation/scores/mine", response_model=list[ScoreOut])
def my_scores(code: PathCode, uow: UoW, caller: Caller) -> list[ScoreOut]:
    return [score_out(s) for s in ev.my_scores(uow, caller, code)]


@router.put("/sections/{code}/evaluation/bids/{bid_id}/rejection", response_model=EvaluationOut)
def reject_bid(code: PathCode, bid_id: PathId, body: RejectionIn, uow: UoW,
               caller: Caller) -> EvaluationOut:
    """The chair records the committee's rejection of a bid (实施条例 第五十一条)."""
    return evaluation_out(ev.reject_bid(uow, caller, code, bid_id, body.grounds, body.reason))


@router.delete("/sections/{code}/evaluation/bids/{bid_id}/rejection",
               response_model=EvaluationOut)
def withdraw_rejection(code: PathCode, bid_id: PathId, uow: UoW, caller: Caller) -> EvaluationOut:
    return evaluation_out(ev.withdraw_rejection(uow, caller, code, bid_id))


@router.put("/sections/{code}/evaluation/bids/{bid_id}/sme-declaration",
            response_model=EvaluationOut)
def declare_sme(code: PathCode, bid_id: PathId, body: SmeDeclarationIn, uow: UoW,
                caller: Caller) -> EvaluationOut:
    """The chair records a bid's 小微企业 status from its 中小企业声明函; the report evaluates it at
    the price less the round's deduction (财库〔2020〕46号 第九条, 财政部令第87号 第五十五条)."""
    share = None if body.small_share is None else Decimal(body.small_share)
    return evaluation_out(ev.declare_sme(uow, caller, code, bid_id, body.status, share,
                                         body.source))


@router.delete("/sections/{code}/evaluation/bids/{bid_id}/sme-declaration",
               response_model=EvaluationOut)
def withdraw_sme(code: PathCode, bid_id: PathId, uow: UoW, caller: Caller) -> EvaluationOut:
    return evaluation_out(ev.withdraw_sme(uow, caller, code, bid_id))


@router.put("/sections/{code}/evaluation/bids/{bid_id}/core-brand",
            response_model=EvaluationOut)
def record_brand(code: PathCode, bid_id: PathId, body: CoreBrandIn, uow: UoW,
                 caller: Caller) -> EvaluationOut:
    """The chair records the brand a bid offers for the documents' 核心产品: bids of one brand
    count as one supplier and only the best of them is ranked (财政部令第87号 第三十一条)."""
    return evaluation_out(ev.record_brand(uow, caller, code, bid_id, body.core_product,
                                          body.brand, body.model, body.source))


@router.delete("/sections/{code}/evaluation/bids/{bid_id}/core-brand",
               response_model=EvaluationOut)
def withdraw_brand(code: PathCode, bid_id: PathId, uow: UoW, caller: Caller) -> EvaluationOut:
    return evaluation_out(ev.withdraw_brand(uow, caller, code, bid_id))


@router.put("/sections/{code}/evaluation/same-brand-ties", response_model=EvaluationOut)
def settle_same_brand(code: PathCode, body: SameBrandTieIn, uow: UoW,
                      caller: Caller) -> EvaluationOut:
    """The chair settles a tie among same-brand bids: the documents' rule, or an audited random
    draw (财政部令第87号 第三十一条: "招标文件未规定的采取随机抽取方式确定")."""
    return evaluation_out(ev.settle_same_brand(uow, caller, code, body.bids, body.method,
                                               body.chosen, body.reason))


@router.post("/sections/{code}/evaluation/bids/{bid_id}/price-explanation",
             response_model=EvaluationOut, status_code=201)
def request_explanation(code: PathCode, bid_id: PathId, body: ExplanationRequestIn, uow: UoW,
                        caller: Caller) -> EvaluationOut:
    """The chair asks a bidder whose price the committee finds abnormally low to show in
    writing, by the deadline, that it is reasonable (财政部令第87号 第六十条)."""
    return evaluation_out(ev.request_explanation(uow, caller, code, bid_id, body.deadline,
                                                 body.reason))


@router.get("/sections/{code}/evaluation/bids/{bid_id}/price-explanation",
            response_model=ExplanationOut)
def explanation_of(code: PathCode, bid_id: PathId, uow: UoW, caller: Caller) -> ExplanationOut:
    """The request: members and oversight staff in full; the bidder of that bid its own request
    and answer (not who asked, not the decision)."""
    return explanation_out(ev.explanation_of(uow, caller, code, bid_id))


@router.put("/sections/{code}/evaluation/bids/{bid_id}/price-explanation/answer",
            response_model=ExplanationOut)
def answer_explanation(code: PathCode, bid_id: PathId, body: ExplanationAnswerIn, uow: UoW,
                       caller: Caller) -> ExplanationOut:
    """The bidder answers for its own bid, once, before the deadline."""
    return explanation_out(ev.answer_explanation(uow, caller, code, bid_id, body.text,
                                                 body.evidence))


@router.put("/sections/{code}/evaluation/bids/{bid_id}/price-explanation/decision",
            response_model=EvaluationOut)
def decide_explanation(code: PathCode, bid_id: PathId, body: ExplanationDecisionIn, uow: UoW,
                       caller: Caller) -> EvaluationOut:
    """The chair records the committee's decision: accepted, or the bid is found invalid
    (abnormally_low_unexplained) — after the answer, or after the deadline passed unanswered."""
    return evaluation_out(ev.decide_explanation(uow, caller, code, bid_id, body.accepted,
                                                body.reason))


@router.post("/sections/{code}/evaluation/report", response_model=EvaluationOut)
def generate_report(code: PathCode, uow: UoW, caller: Caller) -> EvaluationOut:
    """The chair generates the report: ranking and at most three candidates (政府采购: refused
    with fewer than 3 responsive bids, 政府采购法 第三十六条 — the procurement fails instead)."""
    return evaluation_out(ev.generate_report(uow, caller, code))


@router.post("/sections/{code}/evaluation/report/signatures", response_model=EvaluationOut)
def sign_report(code: PathCode, body: SignatureIn, uow: UoW, caller: Caller) -> EvaluationOut:
    """A member signs, or dissents in writing (实施条例 第五十三条)."""
    return evaluation_out(ev.sign_report(uow, caller, code, body.agrees, body.dissent))


@router.post("/sections/{code}/evaluation/report/close", response_model=EvaluationOut)
def close_signatures(code: PathCode, uow: UoW, caller: Caller) -> EvaluationOut:
    """The chair closes the signatures: no signature and no written dissent counts as agreeing."""
    return evaluation_out(ev.close_signatures(uow, caller, code))
