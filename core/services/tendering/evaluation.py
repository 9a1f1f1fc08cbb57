"""The evaluation (评标): the committee, its method and criteria, rejections, scores, the report.

After the opening (round ``opened``), centre staff assign the committee of the section and the
method and criteria the tender documents fixed (the random draw from the expert library comes
later); the round is then ``evaluating``. Inside the round, the evaluation moves on its own:

* ``scoring`` — members read the opened bids' declared items, each scores the bids on every
  subjective criterion (replaceable until the report), and the chair records the committee's
  decision to reject a bid with its 条例 51 grounds and written reason;
* ``reported`` — the chair generated the report: the math of :mod:`core.evaluation` (price
  score, aggregation, ranking, at most three candidates, 条例 53) stored in ``Evaluation.result``
  and as ranked :class:`~core.model.tendering.Candidate` rows; nothing is scored any more;
* ``signed`` — every member signed or dissented in writing (条例 53), or the chair closed the
  signatures and those who did neither count as agreeing; ``round.evaluation_reported`` is
  announced. The publicity of the candidates (the round's next status) is the award's business.

The committee list is secret until the result is set (招标投标法 第三十七条第三款): no event names
a member, and only members and oversight staff read the evaluation before it is signed. Bidders
never read it. Every step is audited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.evaluation import (
    DEFAULT_TIE_BREAKS,
    GOV_PROCUREMENT_TIE_BREAKS,
    MAX_CANDIDATES,
    Criterion,
    CriterionCategory,
    EvaluatedBid,
    EvaluationMethod,
    ExpertScore,
    RejectionGround,
    TieBreak,
    aggregate_scores,
    check_criteria,
    price_score,
    rank_bids,
    top_candidates,
)
from core.evaluation.errors import SCORE_OUT_OF_RANGE, SCORE_REFERENCE_UNKNOWN, evaluation_error
from core.events import EventType
from core.model.account import Account, AccountKind
from core.model.party import Party
from core.model.tendering import (
    Bid,
    BidOpening,
    Candidate,
    CommitteeMember,
    Evaluation,
    OpeningOutcome,
    ReportSignature,
    Round,
    RoundStatus,
    Score,
)
from core.rules import limits
from core.rules.limits import MemberKind
from core.rules.procedures import Domain, procedure_for
from core.security.access import acts_for_project, require_kind
from core.security.principal import Principal
from core.services.tendering.rounds import emit_round, get_round
from core.services.validation import required_name, required_text
from core.uow import UnitOfWork

#: The outcomes of the opening whose bids the committee evaluates; a revoked (撤销) or retracted
#: (撤回) bid was never opened and is not evaluated (电子招标投标办法 第三十一条).
EVALUABLE = frozenset({OpeningOutcome.OPENED_BY_BIDDER.value,
                       OpeningOutcome.OPENED_BY_COMMITTEE.value})
CENT = Decimal("0.01")
CRITERION_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")  # fullmatch: "$" would let "\n" pass
MAX_REASON = 2000


class EvaluationStatus(StrEnum):
    """The values of ``Evaluation.status``; the round stays ``evaluating`` through all three."""

    SCORING = "scoring"
    REPORTED = "reported"
    SIGNED = "signed"


@dataclass(frozen=True)
class MemberIn:
    account_id: int
    kind: str  # a MemberKind value
    is_chair: bool = False


@dataclass(frozen=True)
class CriterionIn:
    code: str
    name_zh: str
    weight: Decimal  # points: also the criterion's maximum score
    category: str = CriterionCategory.TECHNICAL.value  # technical | commercial | price


@dataclass(frozen=True)
class EvaluationSetup:
    members: tuple[MemberIn, ...]
    method: str  # an EvaluationMethod value
    criteria: tuple[CriterionIn, ...] = ()


@dataclass(frozen=True)
class BidView:
    """An opened bid as the committee reads it: the items declared at the opening."""

    bid_id: int
    bidder_name: str
    bidder_identifier: str
    outcome: str
    evaluable: bool
    price: Decimal | None
    declared: dict[str, object]
    failure_code: str | None
    submitted_at: Any
    rejection: dict[str, Any] | None


@dataclass(frozen=True)
class MemberView:
    id: int
    account_id: int
    username: str
    display_name: str
    kind: str
    is_chair: bool
    signature: ReportSignature | None


@dataclass(frozen=True)
class EvaluationView:
    tender_round: Round
    evaluation: Evaluation
    members: tuple[MemberView, ...]
    candidates: tuple[Candidate, ...]


# -- helpers -------------------------------------------------------------------------------------


def _round_ref(r: Round) -> str:
    return f"{r.section.code}/{r.round_no}"


def _members(uow: UnitOfWork, r: Round) -> list[CommitteeMember]:
    return list(uow.session.scalars(select(CommitteeMember).where(
        CommitteeMember.round_id == r.id).order_by(CommitteeMember.id)))


def _membership(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember | None:
    return uow.session.scalars(select(CommitteeMember).where(
        CommitteeMember.round_id == r.id,
        CommitteeMember.account_id == principal.account_id)).first()


def _not_on_committee() -> DomainError:
    return DomainError("NOT_ON_COMMITTEE", "您不是该标段评标委员会成员",
                       "you are not a member of this section's evaluation committee",
                       ErrorKind.FORBIDDEN)


def _member(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember:
    member = _membership(uow, r, principal)
    if member is None:
        raise _not_on_committee()
    return member


def _chair(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember:
    member = _member(uow, r, principal)
    if not member.is_chair:
        raise DomainError("NOT_COMMITTEE_CHAIR", "只有评标委员会主任可以执行此操作",
                          "only the chair of the evaluation committee may do this",
                          ErrorKind.FORBIDDEN)
    return member


def _require_reader(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember | None:
    """Members and oversight staff read the evaluation; nobody else (bidders above all)."""
    member = _membership(uow, r, principal)
    if member is None and not principal.has_oversight:
        raise _not_on_committee()
    return member


def _evaluation(uow: UnitOfWork, r: Round, *, lock: bool = False) -> Evaluation:
    query = select(Evaluation).where(Evaluation.round_id == r.id)
    if lock:
        query = query.with_for_update()
    e = uow.session.scalars(query).first()
    if e is None:
        raise not_found("评标", "evaluation", r.section.code)
    return e


def _require_scoring(e: Evaluation) -> None:
    if e.status != EvaluationStatus.SCORING:
        raise DomainError("EVALUATION_CLOSED", "评标报告已生成，评分与否决不能再修改",
                          "the report is generated; scores and rejections are closed",
                          ErrorKind.CONFLICT)


def _openings(uow: UnitOfWork, r: Round) -> list[BidOpening]:
    return list(uow.session.scalars(select(BidOpening).where(
        BidOpening.round_id == r.id).order_by(BidOpening.bid_id)))


def _evaluable_bid(uow: UnitOfWork, r: Round, bid_id: int) -> BidOpening:
    opening = uow.session.get(BidOpening, bid_id)
    if opening is None or opening.round_id != r.id or opening.outcome not in EVALUABLE:
        raise not_found("投标文件", "bid", bid_id)
    return opening


def _criteria(e: Evaluation) -> list[Criterion]:
    return [Criterion(code=str(c["code"]), name_zh=str(c["name_zh"]),
                      weight=Decimal(str(c["weight"])),
                      category=CriterionCategory(str(c["category"])),
                      objective=bool(c["objective"])) for c in e.criteria]


def _criterion_json(c: Criterion) -> dict[str, object]:
    return {"code": c.code, "name_zh": c.name_zh, "weight": str(c.weight),
            "category": c.category.value, "objective": c.objective}


def _tie_breaks(r: Round) -> tuple[TieBreak, ...]:
    domain = r.section.tender_project.project.domain
    return GOV_PROCUREMENT_TIE_BREAKS if domain == Domain.GOV_PROCUREMENT else DEFAULT_TIE_BREAKS


# -- committee, method and criteria ----------------------------------------------------------


def _method(value: str) -> EvaluationMethod:
    try:
        return EvaluationMethod(value)
    except ValueError as err:
        raise DomainError("EVALUATION_METHOD_UNKNOWN", f"未知的评标方法：{value}",
                          f"unknown evaluation method: {value}", field="method") from err


def _checked_criteria(r: Round, method: EvaluationMethod,
                      given: Sequence[CriterionIn]) -> list[Criterion]:
    """综合评分: criteria whose weights add up to 100, at most one price criterion (computed from
    the declared prices, never scored by a member); the lowest-price methods take none."""
    if method is not EvaluationMethod.COMPREHENSIVE:
        if given:
            raise DomainError("CRITERIA_NOT_APPLICABLE",
                              f"{method.label_zh}按评审后的投标价排序，不设评分因素",
                              f"the {method.value} method ranks by price and takes no criteria",
                              field="criteria")
        return []
    criteria: list[Criterion] = []
    for c in given:
        if not CRITERION_CODE.fullmatch(c.code):
            raise DomainError("CRITERION_CODE_INVALID",
                              f"评审因素代码 {c.code!r} 须为小写字母开头的字母、数字或下划线",
                              f"criterion code {c.code!r} must be lower-case letters, digits or _",
                              field="criteria")
        try:
            category = CriterionCategory(c.category)
        except ValueError as err:
            raise DomainError("CRITERION_CATEGORY_UNKNOWN", f"未知的评审因素类别：{c.category}",
                              f"unknown criterion category: {c.category}",
                              field="criteria") from err
        name = required_name(c.name_zh, "criteria.name_zh", 100)
        criteria.append(Criterion(c.code, name, c.weight, category,
                                  objective=category is CriterionCategory.PRICE))
    check_criteria(criteria)  # NO_CRITERIA, CRITERION_DUPLICATE, WEIGHT_*, WEIGHTS_NOT_100
    prices = [c for c in criteria if c.category is CriterionCategory.PRICE]
    if len(prices) > 1:
        raise DomainError("PRICE_CRITERION_DUPLICATE", "只能设一个价格分评审因素",
                          "only one price criterion is allowed", field="criteria")
    if not prices and r.section.tender_project.project.domain == Domain.GOV_PROCUREMENT:
        raise DomainError("PRICE_CRITERION_MISSING",
                          "政府采购综合评分法须设价格分（低价优先法）",
                          "government procurement's scored method needs a price criterion",
                          field="criteria")
    return criteria


def _member_kinds(members: Sequence[MemberIn]) -> list[limits.CommitteeMember]:
    checked = []
    for m in members:
        try:
            kind = MemberKind(m.kind)
        except ValueError as err:
            raise DomainError("COMMITTEE_MEMBER_KIND_UNKNOWN",
                              f"未知的评标委员会成员类别：{m.kind}",
                              f"unknown committee member kind: {m.kind}",
                              field="members") from err
        checked.append(limits.CommitteeMember(str(m.account_id), kind))
    return checked


def _check_accounts(uow: UnitOfWork, r: Round, members: Sequence[MemberIn]) -> None:
    """Experts are expert accounts; the tenderer's representatives act for the project; nobody
    is tied to a bidder (实施条例 第四十六条: 与投标人有利害关系的人不得进入评标委员会)."""
    project = r.section.tender_project.project
    bidders = set(uow.session.scalars(select(Bid.party_id).where(Bid.round_id == r.id)))
    for m in members:
        account = uow.session.get(Account, m.account_id)
        if account is None or not account.is_active:
            raise DomainError("COMMITTEE_ACCOUNT_INVALID", f"账号 {m.account_id} 不存在或已停用",
                              f"account {m.account_id} does not exist or is inactive",
                              field="members")
        if account.party_id is not None and account.party_id in bidders:
            raise DomainError("COMMITTEE_MEMBER_CONFLICT",
                              f"账号 {account.username} 属于投标人，应当回避"
                              "（《招标投标法实施条例》第四十六条）",
                              f"account {account.username} belongs to a bidder and must stand "
                              "aside (Tendering Regulation art. 46)", field="members")
        if m.kind == MemberKind.TECHNICAL_ECONOMIC_EXPERT and account.kind != AccountKind.EXPERT:
            raise DomainError("COMMITTEE_MEMBER_NOT_EXPERT",
                              f"账号 {account.username} 不是评标专家账号",
                              f"account {account.username} is not an expert account",
                              field="members")
        if m.kind == MemberKind.TENDERER_REPRESENTATIVE and not (
                account.kind == AccountKind.PARTY_USER and account.party_id is not None
                and account.party_id in (project.owner_party_id, project.agency_party_id)):
            raise DomainError("COMMITTEE_MEMBER_NOT_TENDERER",
                              f"账号 {account.username} 不代表本项目的招标人（采购人）",
                              f"account {account.username} does not act for the project's owner",
                              field="members")


def assign_committee(uow: UnitOfWork, principal: Principal, section_code: str,
                     setup: EvaluationSetup) -> EvaluationView:
    """Centre staff assign the committee, the method and the criteria; the round is evaluating.

    招标投标法 第三十七条 (via :func:`core.rules.limits.check_committee`): five or more, an odd
    number, at least two thirds technical or economic experts; exactly one chair.
    """
    require_kind(principal, AccountKind.CENTRE_STAFF)
    r = get_round(uow, principal, section_code)
    if r.status != RoundStatus.OPENED:
        raise DomainError("ROUND_NOT_OPENED", "开标完成后才能组建评标委员会",
                          "the committee is assigned once the opening is complete",
                          ErrorKind.CONFLICT)
    project = r.section.tender_project.project
    procedure = procedure_for(project.domain, r.section.tender_project.tender_mode)
    method = _method(setup.method)
    limits.check_evaluation_method(procedure, method)
    criteria = _checked_criteria(r, method, setup.criteria)
    limits.check_committee(_member_kinds(setup.members), procedure)
    chairs = [m for m in setup.members if m.is_chair]
    if len(chairs) != 1:
        raise DomainError("COMMITTEE_CHAIR_INVALID", "评标委员会须有且只有一名主任",
                          "the committee needs exactly one chair", field="members")
    _check_accounts(uow, r, setup.members)

    now = uow.clock.now()
    before = snapshot(r)
    for m in setup.members:
        uow.session.add(CommitteeMember(round_id=r.id, account_id=m.account_id, kind=m.kind,
                                        is_chair=m.is_chair, assigned_at=now))
    e = Evaluation(round_id=r.id, method=method.value,
                   criteria=[_criterion_json(c) for c in criteria], rejections={},
                   result=None, status=EvaluationStatus.SCORING.value)
    uow.session.add(e)
    r.status = RoundStatus.EVALUATING.value
    r.updated_at = now
    uow.record(principal.actor, "evaluation.assign_committee", "evaluation", _round_ref(r), None,
               {**snapshot(e), "members": [{"account_id": m.account_id, "kind": m.kind,
                                            "is_chair": m.is_chair} for m in setup.members]})
    uow.record(principal.actor, "round.evaluating", "round", _round_ref(r), before, snapshot(r))
    uow.commit()
    return _view(uow, r, e)


# -- reading ---------------------------------------------------------------------------------------


def _view(uow: UnitOfWork, r: Round, e: Evaluation) -> EvaluationView:
    signatures = {s.member_id: s for s in uow.session.scalars(
        select(ReportSignature).where(ReportSignature.round_id == r.id))}
    members = []
    for m in _members(uow, r):
        account = uow.session.get(Account, m.account_id)
        assert account is not None
        members.append(MemberView(m.id, m.account_id, account.username, account.display_name,
                                  m.kind, m.is_chair, signatures.get(m.id)))
    candidates = tuple(uow.session.scalars(select(Candidate).where(
        Candidate.round_id == r.id).order_by(Candidate.rank)))
    return EvaluationView(r, e, tuple(members), candidates)


def get_evaluation(uow: UnitOfWork, principal: Principal, section_code: str) -> EvaluationView:
    """The evaluation and, once generated, its report: members and oversight staff; the
    tenderer (owner or agency) once the report is signed and handed over (条例 53)."""
    r = get_round(uow, principal, section_code)
    if _membership(uow, r, principal) is None and not principal.has_oversight:
        e = uow.session.scalars(select(Evaluation).where(Evaluation.round_id == r.id)).first()
        handed_over = e is not None and e.status == EvaluationStatus.SIGNED
        if not (handed_over and acts_for_project(principal, r.section.tender_project.project)):
            raise _not_on_committee()
    return _view(uow, r, _evaluation(uow, r))


def list_bids(uow: UnitOfWork, principal: Principal, section_code: str) -> list[BidView]:
    """The opened bids' declared items, for the committee and oversight staff only."""
    r = get_round(uow, principal, section_code)
    _require_reader(uow, r, principal)
    e = uow.session.scalars(select(Evaluation).where(Evaluation.round_id == r.id)).first()
    rejections: Mapping[str, Any] = e.rejections if e is not None else {}
    views = []
    for o in _openings(uow, r):
        party = uow.session.get(Party, o.bid.party_id)
        assert party is not None
        rejection = rejections.get(str(o.bid_id))
        views.append(BidView(o.bid_id, party.name, party.identifier, o.outcome,
                             o.outcome in EVALUABLE, o.price, dict(o.declared or {}),
                             o.failure_code, o.bid.submitted_at,
                             dict(rejection) if isinstance(rejection, dict) else None))
    return views


def my_scores(uow: UnitOfWork, principal: Principal, section_code: str) -> list[Score]:
    """A member's own score sheet; members score independently (实施条例 第四十九条)."""
    r = get_round(uow, principal, section_code)
    member = _member(uow, r, principal)
    return list(uow.session.scalars(select(Score).where(Score.member_id == member.id)
                                    .order_by(Score.bid_id, Score.criterion)))


# -- scoring and rejection ---------------------------------------------------------------------


def submit_scores(uow: UnitOfWork, principal: Principal, section_code: str, bid_id: int,
                  scores: Mapping[str, Decimal]) -> list[Score]:
    """A member scores one bid on subjective criteria; a later call replaces those criteria."""
    r = get_round(uow, principal, section_code)
    member = _member(uow, r, principal)
    e = _evaluation(uow, r, lock=True)
    _require_scoring(e)
    if e.method != EvaluationMethod.COMPREHENSIVE:
        raise DomainError("SCORING_NOT_APPLICABLE", "该评标方法不设专家打分",
                          "this evaluation method has no expert scores", ErrorKind.CONFLICT)
    _evaluable_bid(uow, r, bid_id)
    if str(bid_id) in e.rejections:
        raise DomainError("BID_REJECTED", "该投标已被否决，不再评分",
                          "this bid was rejected and is not scored", ErrorKind.CONFLICT)
    if not scores:
        raise DomainError("FIELD_REQUIRED", "scores 不能为空", "scores is required",
                          field="scores")
    by_code = {c.code: c for c in _criteria(e)}
    for code, value in scores.items():
        criterion = by_code.get(code)
        if criterion is None or criterion.objective:
            raise evaluation_error(SCORE_REFERENCE_UNKNOWN,
                                   f"评审因素 {code} 不存在或为客观分（由系统计算）",
                                   f"criterion {code} is unknown or objective (computed)",
                                   criterion=code)
        if not value.is_finite() or not 0 <= value <= criterion.weight \
                or value != value.quantize(CENT):
            raise evaluation_error(SCORE_OUT_OF_RANGE,
                                   f"评分 {value} 超出评审因素 {code} 的分值范围 "
                                   f"[0, {criterion.weight}]（最多两位小数）",
                                   f"score {value} is outside [0, {criterion.weight}] for "
                                   f"criterion {code} (at most 2 decimals)", criterion=code)
    scores = {code: value.quantize(CENT) for code, value in scores.items()}  # 2 decimals, always
    now = uow.clock.now()
    existing = {s.criterion: s for s in uow.session.scalars(select(Score).where(
        Score.member_id == member.id, Score.bid_id == bid_id))}
    before = {code: s.score for code, s in existing.items()}
    for code, value in scores.items():
        row = existing.get(code)
        if row is None:
            row = Score(round_id=r.id, member_id=member.id, bid_id=bid_id, criterion=code,
                        score=value, scored_at=now)
            uow.session.add(row)
            existing[code] = row
        else:
            row.score = value
            row.scored_at = now
    uow.record(principal.actor, "evaluation.score", "score", f"{_round_ref(r)}/{bid_id}/"
               f"{member.id}", before or None, {c: s.score for c, s in existing.items()})
    uow.commit()
    return sorted(existing.values(), key=lambda s: s.criterion)


def reject_bid(uow: UnitOfWork, principal: Principal, section_code: str, bid_id: int,
               grounds: Sequence[str], reason: str) -> EvaluationView:
    """The chair records the committee's decision to reject a bid (否决投标, 实施条例 第五十一条),
    with its grounds and a written reason; recording it again replaces it."""
    r = get_round(uow, principal, section_code)
    _chair(uow, r, principal)
    e = _evaluation(uow, r, lock=True)
    _require_scoring(e)
    _evaluable_bid(uow, r, bid_id)
    if not grounds:
        raise DomainError("REJECTION_GROUND_REQUIRED", "须注明否决投标的法定情形",
                          "name at least one ground for the rejection", field="grounds")
    try:
        parsed = sorted({RejectionGround(g) for g in grounds}, key=lambda g: (g.item, g.value))
    except ValueError as err:
        raise DomainError("REJECTION_GROUND_UNKNOWN", "否决投标的情形不在《招标投标法实施条例》"
                          "第五十一条所列范围内",
                          "a ground is not one of Tendering Regulation art. 51",
                          field="grounds") from err
    text = required_text(reason, "reason", MAX_REASON)
    entry = {"grounds": [g.value for g in parsed], "items": [g.item for g in parsed],
             "labels_zh": [g.label_zh for g in parsed], "reason": text,
             "recorded_by": principal.actor, "recorded_at": uow.clock.now().isoformat()}
    key = str(bid_id)
    before = e.rejections.get(key)
    e.rejections = {**e.rejections, key: entry}  # a new dict: JSON columns track assignment
    uow.record(principal.actor, "evaluation.reject_bid", "bid", str(bid_id),
               before if isinstance(before, dict) else None, entry)
    uow.commit()
    return _view(uow, r, e)


def withdraw_rejection(uow: UnitOfWork, principal: Principal, section_code: str,
                       bid_id: int) -> EvaluationView:
    """The committee reconsidered: the bid is evaluated again (before the report only)."""
    r = get_round(uow, principal, section_code)
    _chair(uow, r, principal)
    e = _evaluation(uow, r, lock=True)
    _require_scoring(e)
    key = str(bid_id)
    if key not in e.rejections:
        raise not_found("否决记录", "rejection", bid_id)
    before = e.rejections[key]
    e.rejections = {k: v for k, v in e.rejections.items() if k != key}
    uow.record(principal.actor, "evaluation.withdraw_rejection", "bid", key,
               before if isinstance(before, dict) else None, None)
    uow.commit()
    return _view(uow, r, e)


# -- the report --------------------------------------------------------------------------------


def _responsive(uow: UnitOfWork, r: Round, e: Evaluation) -> list[BidOpening]:
    bids = [o for o in _openings(uow, r)
            if o.outcome in EVALUABLE and str(o.bid_id) not in e.rejections]
    for o in bids:
        if o.price is None:
            raise DomainError("BID_PRICE_UNKNOWN",
                              f"投标 {o.bid_id} 开标时未读出投标报价，"
                              "须由评标委员会认定（如否决）后才能生成报告",
                              f"bid {o.bid_id} has no declared price; the committee must decide on "
                              "it (e.g. reject it) before the report", ErrorKind.CONFLICT,
                              bid=o.bid_id)
    return bids


def _scored(uow: UnitOfWork, e: Evaluation, members: Sequence[CommitteeMember],
            bids: Sequence[BidOpening]) -> tuple[list[EvaluatedBid], dict[str, Any]]:
    """综合评分: the price score from the declared prices, the members' scores aggregated."""
    criteria = _criteria(e)
    ids = [str(o.bid_id) for o in bids]
    price = next((c for c in criteria if c.objective), None)
    objective: dict[tuple[str, str], Decimal] = {}
    lowest = min((o.price for o in bids if o.price is not None), default=None)
    if price is not None and lowest is not None:
        for o in bids:
            assert o.price is not None
            objective[(str(o.bid_id), price.code)] = price_score(lowest, o.price, price.weight)
    subjective = {c.code for c in criteria if not c.objective}
    wanted = {o.bid_id for o in bids}
    sheet = [ExpertScore(str(s.member_id), str(s.bid_id), s.criterion, s.score)
             for s in uow.session.scalars(select(Score).where(Score.round_id == e.round_id))
             if s.bid_id in wanted and s.criterion in subjective]
    totals = aggregate_scores(criteria, ids, [str(m.id) for m in members], sheet,
                              objective_scores=objective)
    has_technical = any(c.category is CriterionCategory.TECHNICAL for c in criteria)
    evaluated = []
    details: dict[str, Any] = {}
    for o, total in zip(bids, totals, strict=True):
        assert o.price is not None
        technical = total.subtotal(CriterionCategory.TECHNICAL) if has_technical else None
        evaluated.append(EvaluatedBid(str(o.bid_id), o.price, o.bid.submitted_at,
                                      score=total.total, technical_score=technical))
        details[str(o.bid_id)] = {
            "total": str(total.total),
            "criteria": [{"criterion": c.criterion, "score": str(c.score),
                          "counted": [str(x) for x in c.counted],
                          "dropped": [str(x) for x in c.dropped]} for c in total.criteria],
            "subtotals": {k.value: str(v) for k, v in total.subtotals},
        }
    sheets: dict[str, dict[str, dict[str, str]]] = {}
    for s in sheet:
        sheets.setdefault(s.expert_id, {}).setdefault(s.bid_id, {})[s.criterion] = str(s.score)
    return evaluated, {"lowest_valid_price": None if lowest is None else str(lowest),
                       "scores": details, "sheets": sheets}


def generate_report(uow: UnitOfWork, principal: Principal, section_code: str) -> EvaluationView:
    """The chair generates the report: ranking and at most three candidates (条例 53).

    综合评分: the price criterion scores ``lowest valid price ÷ price × weight`` over the bids not
    rejected, every member must have scored every subjective criterion of every such bid, and the
    bids rank by total. The lowest-price methods rank by the declared price. A tie touching the
    candidate list is refused (``CANDIDATE_TIE_UNRESOLVED``) until the documents' rule settles it.
    """
    r = get_round(uow, principal, section_code)
    _chair(uow, r, principal)
    e = _evaluation(uow, r, lock=True)
    _require_scoring(e)
    method = EvaluationMethod(e.method)
    members = _members(uow, r)
    bids = _responsive(uow, r, e)
    extra: dict[str, Any] = {}
    if method is EvaluationMethod.COMPREHENSIVE:
        evaluated, extra = _scored(uow, e, members, bids)
    else:
        evaluated = [EvaluatedBid(str(o.bid_id), o.price, o.bid.submitted_at)
                     for o in bids if o.price is not None]
    ranking = rank_bids(method, evaluated, tie_breaks=_tie_breaks(r))
    chosen = top_candidates(ranking, min(MAX_CANDIDATES, len(ranking.ranked))) \
        if ranking.ranked else ()
    limits.check_candidates(len(chosen))

    parties = {o.bid_id: uow.session.get(Party, o.bid.party_id) for o in _openings(uow, r)}

    def bidder(bid_id: int) -> dict[str, Any]:
        party = parties[bid_id]
        assert party is not None
        return {"bid_id": bid_id, "party_id": party.id, "bidder_name": party.name,
                "bidder_identifier": party.identifier}

    by_id = {o.bid_id: o for o in bids}
    before = snapshot(e)
    now = uow.clock.now()
    e.result = {
        "method": method.value,
        "tie_breaks": [t.value for t in ranking.tie_breaks],
        **extra,
        "ranking": [{**bidder(int(x.bid.bid_id)), "rank": x.rank,
                     "price": str(by_id[int(x.bid.bid_id)].price),
                     "score": None if x.bid.score is None else str(x.bid.score),
                     "tied_with": [int(t) for t in x.tied_with]} for x in ranking.ranked],
        "rejected": [{**bidder(int(k)), **v} for k, v in sorted(
            e.rejections.items(), key=lambda kv: int(kv[0])) if isinstance(v, dict)],
        "candidates": [{**bidder(int(c.bid.bid_id)), "rank": c.rank} for c in chosen],
        "members": [{"member_id": m.id, "kind": m.kind, "is_chair": m.is_chair}
                    for m in members],
        "generated_by": principal.actor,
        "generated_at": now.isoformat(),
    }
    for c in chosen:
        uow.session.add(Candidate(round_id=r.id, bid_id=int(c.bid.bid_id), rank=c.rank,
                                  status="ranked"))
    e.status = EvaluationStatus.REPORTED.value
    e.reported_at = now
    uow.record(principal.actor, "evaluation.report", "evaluation", _round_ref(r), before,
               snapshot(e))
    uow.commit()
    return _view(uow, r, e)


def _signatures(uow: UnitOfWork, r: Round) -> dict[int, ReportSignature]:
    return {s.member_id: s for s in uow.session.scalars(
        select(ReportSignature).where(ReportSignature.round_id == r.id))}


def _require_reported(e: Evaluation) -> None:
    if e.status == EvaluationStatus.SCORING:
        raise DomainError("REPORT_NOT_GENERATED", "评标报告尚未生成",
                          "the evaluation report has not been generated", ErrorKind.CONFLICT)
    if e.status == EvaluationStatus.SIGNED:
        raise DomainError("REPORT_CLOSED", "评标报告的签署已完成",
                          "the evaluation report is already signed off", ErrorKind.CONFLICT)


def _close(uow: UnitOfWork, principal: Principal, r: Round, e: Evaluation,
           deemed: Sequence[CommitteeMember]) -> None:
    """All members answered: the report is signed, handed over, and announced."""
    before = snapshot(e)
    signatures = _signatures(uow, r)
    e.status = EvaluationStatus.SIGNED.value
    result: dict[str, Any] = dict(e.result or {})
    result["signatures"] = {
        "agreed": sum(1 for s in signatures.values() if s.agrees),
        "dissented": sum(1 for s in signatures.values() if not s.agrees),
        "deemed_agreed": [m.id for m in deemed],  # 条例 53: no signature, no written dissent
        "closed_by": principal.actor,
        "closed_at": uow.clock.now().isoformat(),
    }
    e.result = result
    uow.record(principal.actor, "evaluation.signed", "evaluation", _round_ref(r), before,
               snapshot(e))
    candidates = []
    by_bid = {int(x["bid_id"]): x for x in result.get("ranking", [])}
    for c in result.get("candidates", []):
        ranked = by_bid.get(int(c["bid_id"]), {})
        candidates.append({"rank": c["rank"], "bidder_name": c["bidder_name"],
                           "bidder_identifier": c["bidder_identifier"],
                           "price": ranked.get("price"), "score": ranked.get("score")})
    emit_round(uow, r, EventType.EVALUATION_REPORTED, principal.actor,
               evaluation_method=e.method, reported_at=e.reported_at, candidates=candidates,
               rejected_count=len(result.get("rejected", [])),
               dissent_count=result["signatures"]["dissented"])


def sign_report(uow: UnitOfWork, principal: Principal, section_code: str, agrees: bool,
                dissent: str | None = None) -> EvaluationView:
    """A member signs the report or dissents in writing with reasons (条例 53); when every
    member has answered, the report is signed off."""
    r = get_round(uow, principal, section_code)
    member = _member(uow, r, principal)
    e = _evaluation(uow, r, lock=True)
    _require_reported(e)
    signatures = _signatures(uow, r)
    if member.id in signatures:
        raise DomainError("REPORT_ALREADY_SIGNED", "您已签署或提出书面不同意见",
                          "you have already signed or dissented", ErrorKind.CONFLICT)
    if agrees:
        if dissent is not None and dissent.strip():
            raise DomainError("DISSENT_WITH_AGREEMENT", "同意评标结果时不填写不同意见",
                              "a dissent goes with disagreement, not with a signature",
                              field="dissent")
        text = None
    else:
        if dissent is None or not dissent.strip():
            raise DomainError("DISSENT_REASON_REQUIRED",
                              "对评标结果有不同意见的，应当以书面形式说明其不同意见和理由"
                              "（《招标投标法实施条例》第五十三条）",
                              "a dissent must be given in writing with its reasons "
                              "(Tendering Regulation art. 53)", field="dissent")
        text = required_text(dissent, "dissent", MAX_REASON)
    signature = ReportSignature(round_id=r.id, member_id=member.id, agrees=agrees, dissent=text,
                                signed_at=uow.clock.now())
    uow.session.add(signature)
    uow.record(principal.actor, "evaluation.sign" if agrees else "evaluation.dissent",
               "report_signature", f"{_round_ref(r)}/{member.id}", None,
               {"agrees": agrees, "dissent": text})
    signatures[member.id] = signature
    if all(m.id in signatures for m in _members(uow, r)):
        _close(uow, principal, r, e, ())
    uow.commit()
    return _view(uow, r, e)


def close_signatures(uow: UnitOfWork, principal: Principal, section_code: str) -> EvaluationView:
    """The chair closes the signatures: a member who neither signed nor dissented in writing is
    deemed to agree (条例 53: "拒绝在评标报告上签字又不书面说明其不同意见和理由的，视为同意")."""
    r = get_round(uow, principal, section_code)
    _chair(uow, r, principal)
    e = _evaluation(uow, r, lock=True)
    _require_reported(e)
    signatures = _signatures(uow, r)
    missing = [m for m in _members(uow, r) if m.id not in signatures]
    _close(uow, principal, r, e, missing)
    uow.commit()
    return _view(uow, r, e)
