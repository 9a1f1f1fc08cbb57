"""An abnormally low price is explained before the bid is found invalid (财政部令第87号 第六十条).

"评标委员会认为投标人的报价明显低于其他通过符合性审查投标人的报价，有可能影响产品质量或者不能诚信
履约的，应当要求其在评标现场合理的时间内提供书面说明，必要时提交相关证明材料；投标人不能证明其报价
合理性的，评标委员会应当将其作为无效投标处理。"

The steps, while the evaluation is ``scoring`` (the rules: :mod:`core.rules.bid_validity`):

1. the chair asks (:func:`request_explanation`): the question and a deadline — aware, in the
   future; how long is "合理的时间" the committee decides, the article gives no number;
2. the bidder answers through its own account (:func:`answer_explanation`): only for its own
   bid, once, before the deadline — the written explanation and, where needed, a list of the
   证明材料 it submits (named in writing: the platform stores no attachment here);
3. the chair records the committee's decision (:func:`decide_explanation`): accepted, or
   rejected — the bid is then rejected with ``abnormally_low_unexplained`` and the reason. An
   unanswered request, once lapsed, can only be rejected.

The ground is refused on its own (:func:`core.services.tendering.evaluation.scores.reject_bid`)
until a request was answered or lapsed, and against an accepted answer; the report waits for
every request's decision. Taking such a rejection back reopens the decision.

Whom it shows what: members and oversight staff read the whole note (:func:`explanation_of`);
the bidder reads its own request and answer — not who asked (the committee is secret until the
result, 招标投标法 37) and not the decision, which reaches it with the result (87号令 69: failed
bidders are told why). No event is emitted: like every other step of the evaluation, these are
audited, not announced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.errors import DomainError, ErrorKind, not_found
from core.evaluation import RejectionGround
from core.model.tendering import Evaluation
from core.rules import bid_validity
from core.rules.bid_validity import ExplanationState, explanation_state
from core.security.access import require_party_user
from core.security.principal import Principal
from core.services.tendering.evaluation import bid_notes
from core.services.tendering.evaluation.access import (
    evaluable_bid,
    evaluation_of,
    membership,
    not_on_committee,
    require_chair,
    require_scoring,
)
from core.services.tendering.evaluation.forms import MAX_REASON, EvaluationView
from core.services.tendering.evaluation.reading import view_of
from core.services.tendering.evaluation.scores import reject_bid
from core.services.tendering.procedure import procedure_of
from core.services.tendering.rounds import get_round
from core.services.validation import required_name, required_text
from core.uow import UnitOfWork

MAX_ANSWER = 10000
MAX_EVIDENCE = 20


@dataclass(frozen=True)
class ExplanationView:
    """A request as its reader may see it; ``full``: the committee's view (who asked, the
    decision), else the bidder's."""

    bid_id: int
    state: str  # an ExplanationState value (the bidder never sees accepted/rejected)
    price: str
    reason: str
    deadline: datetime
    requested_at: datetime
    answer: dict[str, Any] | None
    decision: dict[str, Any] | None
    requested_by: str | None
    full: bool


def _note(e: Evaluation, bid_id: int) -> dict[str, Any] | None:
    note = e.price_explanations.get(str(bid_id))
    return dict(note) if isinstance(note, dict) else None


def states_of(e: Evaluation, now: datetime) -> dict[str, ExplanationState]:
    return {k: explanation_state(v if isinstance(v, dict) else None, now)
            for k, v in e.price_explanations.items()}


def _view(bid_id: int, note: dict[str, Any], now: datetime, full: bool) -> ExplanationView:
    state = explanation_state(note, now)
    if not full and state in (ExplanationState.ACCEPTED, ExplanationState.REJECTED):
        state = ExplanationState.ANSWERED if note.get("answer") else ExplanationState.LAPSED
    answer = note.get("answer")
    return ExplanationView(
        bid_id=bid_id, state=state.value, price=str(note["price"]), reason=str(note["reason"]),
        deadline=datetime.fromisoformat(str(note["deadline"])),
        requested_at=datetime.fromisoformat(str(note["requested_at"])),
        answer=None if not isinstance(answer, dict) else (
            dict(answer) if full else {k: v for k, v in answer.items() if k != "answered_by"}),
        decision=note.get("decision") if full else None,
        requested_by=str(note["requested_by"]) if full else None, full=full)


def request_explanation(uow: UnitOfWork, principal: Principal, section_code: str, bid_id: int,
                        deadline: datetime, reason: str) -> EvaluationView:
    """The chair asks the bidder of ``bid_id`` to show in writing, by ``deadline``, that its
    price is reasonable; ``reason``: what the committee finds abnormally low, and why."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    bid_validity.check_explanation_applies(procedure_of(r))
    opening = evaluable_bid(uow, r, bid_id)
    if str(bid_id) in e.rejections:
        raise DomainError("BID_REJECTED", "该投标已被否决（投标无效），无需说明报价",
                          "this bid was rejected; its price needs no explanation",
                          ErrorKind.CONFLICT)
    if opening.price is None:
        raise DomainError("BID_PRICE_UNKNOWN", f"投标 {bid_id} 开标时未读出投标报价",
                          f"bid {bid_id} has no declared price", ErrorKind.CONFLICT,
                          bid=bid_id)
    now = uow.clock.now()
    bid_validity.check_requestable(explanation_state(_note(e, bid_id), now))
    bid_validity.check_deadline(now, deadline)
    entry = {"price": str(opening.price), "reason": required_text(reason, "reason", MAX_REASON),
             "deadline": deadline.astimezone(UTC).isoformat(),
             "requested_by": principal.actor, "requested_at": now.isoformat(),
             "answer": None, "decision": None}
    bid_notes.put(uow, principal, e, "price_explanations",
                  "evaluation.request_price_explanation", bid_id, entry)
    return view_of(uow, r, e)


def answer_explanation(uow: UnitOfWork, principal: Principal, section_code: str, bid_id: int,
                       text: str, evidence: Sequence[str] = ()) -> ExplanationView:
    """The bidder answers the request for its own bid, in writing, before the deadline: a party
    user's account (``ROLE_NOT_ALLOWED`` otherwise) of the party that submitted the bid."""
    party_id = require_party_user(principal)
    r = get_round(uow, principal, section_code)
    opening = evaluable_bid(uow, r, bid_id)
    if opening.bid.party_id != party_id:
        raise not_found("投标文件", "bid", bid_id)  # another bidder's bid: nothing to say
    e = evaluation_of(uow, r, lock=True)
    if e.status != "scoring":
        raise DomainError("EVALUATION_CLOSED", "评标报告已生成，不再接受书面说明",
                          "the report is generated; no explanation is taken any more",
                          ErrorKind.CONFLICT)
    note = _note(e, bid_id)
    now = uow.clock.now()
    bid_validity.check_answerable(explanation_state(note, now))
    assert note is not None
    if len(evidence) > MAX_EVIDENCE:
        raise DomainError("TOO_MANY_ITEMS", f"证明材料最多 {MAX_EVIDENCE} 项",
                          f"at most {MAX_EVIDENCE} items of evidence", field="evidence")
    answer = {"text": required_text(text, "text", MAX_ANSWER),
              "evidence": [required_name(x, "evidence", 500) for x in evidence],
              "answered_by": principal.actor, "answered_at": now.isoformat()}
    entry = {**note, "answer": answer}
    bid_notes.put(uow, principal, e, "price_explanations", "evaluation.answer_price_explanation",
                  bid_id, entry)
    return _view(bid_id, entry, now, full=False)


def decide_explanation(uow: UnitOfWork, principal: Principal, section_code: str, bid_id: int,
                       accepted: bool, reason: str) -> EvaluationView:
    """The chair records the committee's decision on the explanation; a rejection finds the bid
    invalid (``abnormally_low_unexplained``) with ``reason``."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    evaluable_bid(uow, r, bid_id)
    note = _note(e, bid_id)
    now = uow.clock.now()
    bid_validity.check_decision(explanation_state(note, now), accepted)
    assert note is not None
    text = required_text(reason, "reason", MAX_REASON)
    entry = {**note, "decision": {"accepted": accepted, "reason": text,
                                  "decided_by": principal.actor, "decided_at": now.isoformat()}}
    bid_notes.put(uow, principal, e, "price_explanations", "evaluation.decide_price_explanation",
                  bid_id, entry)
    if accepted:
        return view_of(uow, r, e)
    return reject_bid(uow, principal, section_code, bid_id,
                      [RejectionGround.ABNORMALLY_LOW_UNEXPLAINED.value], text)


def explanation_of(uow: UnitOfWork, principal: Principal, section_code: str,
                   bid_id: int) -> ExplanationView:
    """The request about ``bid_id``: members and oversight staff in full, its bidder its own."""
    r = get_round(uow, principal, section_code)
    opening = evaluable_bid(uow, r, bid_id)
    full = membership(uow, r, principal) is not None or principal.has_oversight
    if not full and (principal.party_id is None or principal.party_id != opening.bid.party_id):
        raise not_on_committee()
    note = _note(evaluation_of(uow, r), bid_id)
    if note is None:
        raise not_found("报价说明要求", "price_explanation", bid_id)
    return _view(bid_id, note, uow.clock.now(), full)
