"""The report (条例 53): the ranking and at most three candidates, then every member's signature
or written dissent; ``round.evaluation_reported`` is announced once it is signed.

政府采购 (:mod:`core.rules.price_policy`): a government tender with fewer than 3 bids left after
the rejections names no candidate — the report is refused (``TOO_FEW_RESPONSIVE_GPL_36``) and
the procurement is declared failed (废标, :func:`core.services.tendering.failure.declare_failed`);
a bid the chair recorded as 小微企业 (46号 9) is evaluated at its deducted price: the base price,
every price score (87号令 55) and the ranking by price (87号令 56) use it; bids recorded with
the same 核心产品 brand count as one supplier and only the best of them is ranked — the others
are listed in ``same_brand.excluded`` with the bid kept, the consequence and the article
(87号令 31, :mod:`core.evaluation.same_brand`); the report waits for every request for a
written explanation of a price to be decided (87号令 60)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.evaluation import (
    MAX_CANDIDATES,
    CriterionCategory,
    EvaluatedBid,
    EvaluationMethod,
    ExpertScore,
    aggregate_scores,
    price_score,
    rank_bids,
    top_candidates,
)
from core.evaluation.same_brand import BrandedBid, select_same_brand, suppliers_counted
from core.event_payloads import ReportedCandidate
from core.events import EventType
from core.model.party import Party
from core.model.tendering import (
    BidOpening,
    Candidate,
    CommitteeMember,
    Evaluation,
    ReportSignature,
    Round,
    Score,
)
from core.rules import bid_validity, limits, price_policy
from core.rules.procedures import Procedure
from core.security.principal import Principal
from core.services.tendering.evaluation.access import (
    committee_of,
    criteria_of,
    declaration_of,
    evaluation_of,
    openings_of,
    require_chair,
    require_member,
    require_scoring,
    round_ref,
    tie_breaks_of,
)
from core.services.tendering.evaluation.brands import settled_choices
from core.services.tendering.evaluation.forms import (
    EVALUABLE,
    MAX_REASON,
    EvaluationStatus,
    EvaluationView,
)
from core.services.tendering.evaluation.reading import view_of
from core.services.tendering.lifecycle import reschedule
from core.services.tendering.procedure import procedure_of
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.validation import required_text
from core.uow import UnitOfWork


def _responsive(uow: UnitOfWork, r: Round, e: Evaluation) -> list[BidOpening]:
    bids = [o for o in openings_of(uow, r)
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


def _evaluated_prices(r: Round, e: Evaluation,
                      bids: Sequence[BidOpening]) -> dict[int, Decimal]:
    """Each bid's evaluated price: its declared price less the 小微企业 deduction its recorded
    status earns under the round's rates (46号 9); the declared price where none applies."""
    rates = price_policy.SmeRates(r.sme_deduction, r.sme_joint_deduction)
    prices: dict[int, Decimal] = {}
    for o in bids:
        assert o.price is not None
        entry = e.sme_declarations.get(str(o.bid_id))
        status = (price_policy.SmeStatus(str(entry["status"])) if isinstance(entry, dict)
                  else None)
        prices[o.bid_id] = price_policy.evaluated_price(o.price, status, rates)
    return prices


def _scored(uow: UnitOfWork, e: Evaluation, members: Sequence[CommitteeMember],
            bids: Sequence[BidOpening], evaluated_prices: dict[int, Decimal]
            ) -> tuple[list[EvaluatedBid], dict[str, Any]]:
    """综合评分: the price score from the evaluated prices (87号令 55: the base price and every
    bid's score from the prices as adjusted), the members' scores aggregated."""
    criteria = criteria_of(e)
    ids = [str(o.bid_id) for o in bids]
    price = next((c for c in criteria if c.objective), None)
    objective: dict[tuple[str, str], Decimal] = {}
    lowest = min(evaluated_prices.values(), default=None)
    if price is not None and lowest is not None:
        for o in bids:
            objective[(str(o.bid_id), price.code)] = price_score(
                lowest, evaluated_prices[o.bid_id], price.weight)
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
        evaluated.append(EvaluatedBid(str(o.bid_id), o.price, score=total.total,
                                      technical_score=technical,
                                      evaluated_price=evaluated_prices[o.bid_id]))
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


def _brands(procedure: Procedure, e: Evaluation) -> dict[str, str | None]:
    """Each bid's recorded 核心产品 brand, where the procedure has the same-brand rule."""
    if procedure.same_brand_ref is None:
        return {}
    return {k: str(v["brand"]) for k, v in e.core_brands.items() if isinstance(v, dict)}


def _deductions(r: Round, e: Evaluation, bids: Sequence[BidOpening]) -> dict[str, Any]:
    """The round's rates and, per bid evaluated, the status it was deducted for (46号 9)."""
    return {"rate": None if r.sme_deduction is None else str(r.sme_deduction),
            "joint_rate": None if r.sme_joint_deduction is None else str(r.sme_joint_deduction),
            "bids": {str(o.bid_id): e.sme_declarations[str(o.bid_id)] for o in bids
                     if str(o.bid_id) in e.sme_declarations}}


def generate_report(uow: UnitOfWork, principal: Principal, section_code: str) -> EvaluationView:
    """The chair generates the report: ranking and at most three candidates (条例 53).

    政府采购法 36(一): a government tender with fewer than 3 bids not rejected is refused here
    (``TOO_FEW_RESPONSIVE_GPL_36``) and is declared failed instead.

    综合评分: the price criterion scores ``lowest valid price ÷ price × weight`` over the bids not
    rejected — the prices as evaluated, after the 小微企业 deduction (87号令 55) — every member
    must have scored every subjective criterion of every such bid, and the bids rank by total.
    The lowest-price methods rank by the evaluated price (87号令 56: equal ones tie). Ties go by the
    procedure's tie-breaks; what stays equal is a 并列 (87号令 57) and is reported as one: the
    tied candidates share their rank, list each other in ``tied_with`` and are stored ``tied``
    — a tie across the third place brings every tied bid in — until the tenderer settles the
    order (``core.services.tendering.award.ties``), which the publicity and the award wait for.

    87号令 31: the 3 suppliers are counted one per recorded brand; within a brand only the lowest
    evaluated price (最低评标价法; the others 投标无效) or the highest score (综合评分法; the others
    scored, their prices in the base price, but not ranked) takes part in the ranking, and a tie
    at the top of a brand must be settled first (``SAME_BRAND_TIE_UNRESOLVED_MOF87_31``).
    87号令 60: refused while a request for an explanation is undecided
    (``PRICE_EXPLANATION_UNDECIDED_MOF87_60``).
    """
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    method = EvaluationMethod(e.method)
    members = committee_of(uow, r)
    undeclared = [m.id for m in members if declaration_of(uow, m) is None]
    if undeclared:  # 条例 46 第三款 / 政采条例 9: every member sitting has declared
        raise DomainError("RECUSAL_NOT_DECLARED", "尚有评标委员会成员未作出回避声明",
                          "some committee members have not declared their recusal "
                          "relationships", ErrorKind.CONFLICT, member_ids=undeclared)
    bids = _responsive(uow, r, e)
    procedure = procedure_of(r)
    now = uow.clock.now()
    responsive_ids = {str(o.bid_id) for o in bids}
    bid_validity.check_all_decided({  # 87号令 60: every request for an explanation decided
        k: bid_validity.explanation_state(v if isinstance(v, dict) else None, now)
        for k, v in e.price_explanations.items() if k in responsive_ids})
    brands = _brands(procedure, e)
    suppliers = suppliers_counted(brands.get(str(o.bid_id)) for o in bids)  # 87号令 31
    price_policy.check_enough_responsive(procedure, suppliers)  # 政府采购法 36(一)
    prices = _evaluated_prices(r, e, bids)
    extra: dict[str, Any] = {}
    if method is EvaluationMethod.COMPREHENSIVE:
        evaluated, extra = _scored(uow, e, members, bids, prices)
    else:
        evaluated = [EvaluatedBid(str(o.bid_id), o.price, evaluated_price=prices[o.bid_id])
                     for o in bids if o.price is not None]
    selection = select_same_brand(
        method, [BrandedBid(b.bid_id, brands.get(b.bid_id), b.price_for_ranking, b.score)
                 for b in evaluated], settled_choices(e.same_brand_ties))
    bid_validity.check_same_brand_settled(selection.unresolved)
    counted = set(selection.counted)
    ranking = rank_bids(method, [b for b in evaluated if b.bid_id in counted],
                        tie_breaks=tie_breaks_of(r))
    places = min(MAX_CANDIDATES, len(ranking.ranked))
    chosen = top_candidates(ranking, places) if ranking.ranked else ()
    limits.check_candidates(places)  # more rows only while a tie at the last place is open

    parties = {o.bid_id: uow.session.get(Party, o.bid.party_id) for o in openings_of(uow, r)}

    def bidder(bid_id: int) -> dict[str, Any]:
        party = parties[bid_id]
        assert party is not None
        return {"bid_id": bid_id, "party_id": party.id, "bidder_name": party.name,
                "bidder_identifier": party.identifier}

    by_id = {o.bid_id: o for o in bids}
    by_evaluated = {b.bid_id: b for b in evaluated}
    before = snapshot(e)
    e.result = {
        "method": method.value,
        "tie_breaks": [t.value for t in ranking.tie_breaks],
        **extra,
        "ranking": [{**bidder(int(x.bid.bid_id)), "rank": x.rank,
                     "price": str(by_id[int(x.bid.bid_id)].price),
                     "evaluated_price": str(x.bid.price_for_ranking),
                     "score": None if x.bid.score is None else str(x.bid.score),
                     "tied_with": [int(t) for t in x.tied_with]} for x in ranking.ranked],
        "rejected": [{**bidder(int(k)), **v} for k, v in sorted(
            e.rejections.items(), key=lambda kv: int(kv[0])) if isinstance(v, dict)],
        "candidates": [{**bidder(int(c.bid.bid_id)), "rank": c.rank,
                        "tied_with": [int(t) for t in c.tied_with]} for c in chosen],
        "places": places,
        "sme_deductions": _deductions(r, e, bids),
        "same_brand": {
            "article": None if procedure.same_brand_ref is None
            else procedure.same_brand_ref.cite_zh,
            "suppliers_counted": suppliers,
            "brands": {k: v for k, v in e.core_brands.items() if k in responsive_ids},
            "settlements": dict(e.same_brand_ties),
            "excluded": [{**bidder(int(x.bid_id)), "brand": x.brand,
                          "kept_bid_id": None if x.kept is None else int(x.kept),
                          "consequence": x.consequence.value,
                          "reason_zh": x.consequence.label_zh,
                          "reason_en": x.consequence.label_en, "article": x.article_zh,
                          "price": str(by_id[int(x.bid_id)].price),
                          "evaluated_price": str(by_evaluated[x.bid_id].price_for_ranking),
                          "score": None if by_evaluated[x.bid_id].score is None
                          else str(by_evaluated[x.bid_id].score)}
                         for x in selection.excluded],
        },
        "price_explanations": {k: v for k, v in e.price_explanations.items()},
        "members": [{"member_id": m.id, "kind": m.kind, "is_chair": m.is_chair}
                    for m in members],
        "generated_by": principal.actor,
        "generated_at": now.isoformat(),
    }
    for c in chosen:
        uow.session.add(Candidate(round_id=r.id, bid_id=int(c.bid.bid_id), rank=c.rank,
                                  status="ranked", tied=bool(c.tied_with)))
    e.status = EvaluationStatus.REPORTED.value
    e.reported_at = now
    uow.record(principal.actor, "evaluation.report", "evaluation", round_ref(r), before,
               snapshot(e))
    return view_of(uow, r, e)


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
    reschedule(uow, r)  # 政府采购: the purchaser's decision period runs from the handover
    uow.record(principal.actor, "evaluation.signed", "evaluation", round_ref(r), before,
               snapshot(e))
    candidates: list[ReportedCandidate] = []
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
    member = require_member(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
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
               "report_signature", f"{round_ref(r)}/{member.id}", None,
               {"agrees": agrees, "dissent": text})
    signatures[member.id] = signature
    if all(m.id in signatures for m in committee_of(uow, r)):
        _close(uow, principal, r, e, ())
    return view_of(uow, r, e)


def close_signatures(uow: UnitOfWork, principal: Principal, section_code: str) -> EvaluationView:
    """The chair closes the signatures: a member who neither signed nor dissented in writing is
    deemed to agree (条例 53: "拒绝在评标报告上签字又不书面说明其不同意见和理由的，视为同意")."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    _require_reported(e)
    signatures = _signatures(uow, r)
    missing = [m for m in committee_of(uow, r) if m.id not in signatures]
    _close(uow, principal, r, e, missing)
    return view_of(uow, r, e)
