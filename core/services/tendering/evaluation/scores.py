"""Scoring and rejection while the evaluation is ``scoring``: each member's scores on the
subjective criteria, the chair's rejections with their grounds — 条例 51 for engineering, 87号令
63 and 60 (with the grounds both laws share) for 政府采购
(:class:`~core.evaluation.RejectionGround`). ``abnormally_low_unexplained`` (87号令 60) only
after the bidder was asked for a written explanation and answered or let the deadline pass
(:mod:`core.services.tendering.evaluation.explanations`); taking such a rejection back reopens
the explanation's decision."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.errors import DomainError, ErrorKind
from core.evaluation import EvaluationMethod, RejectionGround
from core.evaluation.errors import SCORE_OUT_OF_RANGE, SCORE_REFERENCE_UNKNOWN, evaluation_error
from core.model.tendering import Evaluation, Score
from core.rules import bid_validity
from core.security.principal import Principal
from core.services.tendering.evaluation import bid_notes
from core.services.tendering.evaluation.access import (
    criteria_of,
    evaluable_bid,
    evaluation_of,
    require_chair,
    require_evaluator,
    require_scoring,
    round_ref,
)
from core.services.tendering.evaluation.forms import CENT, MAX_REASON, EvaluationView
from core.services.tendering.evaluation.reading import view_of
from core.services.tendering.procedure import procedure_of
from core.services.tendering.rounds import get_round
from core.services.validation import required_text
from core.uow import UnitOfWork


def submit_scores(uow: UnitOfWork, principal: Principal, section_code: str, bid_id: int,
                  scores: Mapping[str, Decimal]) -> list[Score]:
    """A member scores one bid on subjective criteria; a later call replaces those criteria."""
    r = get_round(uow, principal, section_code)
    member = require_evaluator(uow, r, principal)  # its 回避 declared, no ground
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    if e.method != EvaluationMethod.COMPREHENSIVE:
        raise DomainError("SCORING_NOT_APPLICABLE", "该评标方法不设专家打分",
                          "this evaluation method has no expert scores", ErrorKind.CONFLICT)
    evaluable_bid(uow, r, bid_id)
    if str(bid_id) in e.rejections:
        raise DomainError("BID_REJECTED", "该投标已被否决，不再评分",
                          "this bid was rejected and is not scored", ErrorKind.CONFLICT)
    if not scores:
        raise DomainError("FIELD_REQUIRED", "scores 不能为空", "scores is required",
                          field="scores")
    by_code = {c.code: c for c in criteria_of(e)}
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
    uow.record(principal.actor, "evaluation.score", "score", f"{round_ref(r)}/{bid_id}/"
               f"{member.id}", before or None, {c: s.score for c, s in existing.items()})
    return sorted(existing.values(), key=lambda s: s.criterion)


def reject_bid(uow: UnitOfWork, principal: Principal, section_code: str, bid_id: int,
               grounds: Sequence[str], reason: str) -> EvaluationView:
    """The chair records the committee's decision to reject a bid (否决投标, 实施条例 第五十一条;
    政府采购: 投标无效, 87号令 63, 60), with its grounds and a written reason; recording it again
    replaces it. A ground of the other domain's law is refused."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    evaluable_bid(uow, r, bid_id)
    if not grounds:
        raise DomainError("REJECTION_GROUND_REQUIRED", "须注明否决投标的法定情形",
                          "name at least one ground for the rejection", field="grounds")
    try:
        parsed = sorted({RejectionGround(g) for g in grounds},
                        key=lambda g: (g.article_zh, g.item, g.value))
    except ValueError as err:
        raise DomainError("REJECTION_GROUND_UNKNOWN", "否决投标（投标无效）的情形不在法定范围内",
                          "a ground is not one the law lists", field="grounds") from err
    procedure = procedure_of(r)
    foreign = [g.value for g in parsed if not g.applies_to(procedure.domain.value)]
    if foreign:
        raise DomainError("REJECTION_GROUND_NOT_APPLICABLE",
                          f"情形 {', '.join(foreign)} 不适用于本项目的{procedure.name_zh}",
                          f"ground(s) {', '.join(foreign)} do not apply to this "
                          f"{procedure.name_en}", field="grounds", grounds=foreign)
    text = required_text(reason, "reason", MAX_REASON)
    unexplained = RejectionGround.ABNORMALLY_LOW_UNEXPLAINED in parsed
    if unexplained:  # 87号令 60: asked first, answered or lapsed, not accepted
        note = e.price_explanations.get(str(bid_id))
        bid_validity.check_unexplained_rejection(bid_validity.explanation_state(
            note if isinstance(note, dict) else None, uow.clock.now()))
    entry = {"grounds": [g.value for g in parsed], "items": [g.item for g in parsed],
             "articles": [g.article_zh for g in parsed],
             "labels_zh": [g.label_zh for g in parsed], "reason": text,
             "recorded_by": principal.actor, "recorded_at": uow.clock.now().isoformat()}
    bid_notes.put(uow, principal, e, "rejections", "evaluation.reject_bid", bid_id, entry)
    if unexplained:
        _decide_rejected(uow, principal, e, bid_id, text)
    return view_of(uow, r, e)


def withdraw_rejection(uow: UnitOfWork, principal: Principal, section_code: str,
                       bid_id: int) -> EvaluationView:
    """The committee reconsidered: the bid is evaluated again (before the report only)."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    bid_notes.drop(uow, principal, e, "rejections", "evaluation.withdraw_rejection", bid_id,
                   "否决记录", "rejection")
    _reopen_decision(uow, principal, e, bid_id)
    return view_of(uow, r, e)


def _explanation(e: Evaluation, bid_id: int) -> dict[str, Any] | None:
    note = e.price_explanations.get(str(bid_id))
    return dict(note) if isinstance(note, dict) else None


def _decide_rejected(uow: UnitOfWork, principal: Principal, e: Evaluation, bid_id: int,
                     reason: str) -> None:
    """A rejection on ``abnormally_low_unexplained`` decides an undecided (answered or lapsed)
    request for an explanation (87号令 60)."""
    note = _explanation(e, bid_id)
    if note is None or isinstance(note.get("decision"), dict):
        return
    entry = {**note, "decision": {"accepted": False, "reason": reason,
                                  "decided_by": principal.actor,
                                  "decided_at": uow.clock.now().isoformat()}}
    bid_notes.put(uow, principal, e, "price_explanations", "evaluation.decide_price_explanation",
                  bid_id, entry)


def _reopen_decision(uow: UnitOfWork, principal: Principal, e: Evaluation, bid_id: int) -> None:
    """The rejection was taken back: a request it decided is open for a decision again."""
    note = _explanation(e, bid_id)
    decision = None if note is None else note.get("decision")
    if note is None or not isinstance(decision, dict) or decision.get("accepted"):
        return
    bid_notes.put(uow, principal, e, "price_explanations", "evaluation.reopen_price_explanation",
                  bid_id, {**note, "decision": None})
