"""Two 财政部令第87号 rules on which bids a government tender's committee may count or reject: one
pure function per rule, the article in its code.

Beside :mod:`core.rules.price_policy` (the evaluation's price rules). The references and their
confidence are in :mod:`core.rules.procedures` (``MOF87_31``, ``MOF87_60``: verified on
secondary sources that quote the articles alike; the official text was not read).

87号令 31 — same brand, one supplier
------------------------------------
Where the procedure has the rule (``Procedure.same_brand_ref``: the government tenders 87号令
governs), the chair records the brand of each bid's 核心产品 — the product the documents name —
and :mod:`core.evaluation.same_brand` decides which same-brand bids count. Here:

* :func:`check_same_brand_applies` — a procedure without the rule, or a round buying works
  (工程, not 87号令's), takes no brand;
* :func:`check_core_product` — **our reading** of "核心产品品牌相同": the documents name one
  核心产品 and every brand recorded is of that product, so a second product name is refused
  (documents naming several 核心产品 are not modelled);
* :func:`check_same_brand_settled` — a tie inside a brand (equal best price or score) is the
  documents' or the draw's to settle, not the ranking's: the report waits for it.

87号令 60 — an abnormally low price is explained before it is rejected
----------------------------------------------------------------------
"评标委员会认为投标人的报价明显低于其他通过符合性审查投标人的报价，有可能影响产品质量或者不能诚信
履约的，应当要求其在评标现场合理的时间内提供书面说明，必要时提交相关证明材料；投标人不能证明其报价
合理性的，评标委员会应当将其作为无效投标处理。" So the committee first asks, with a deadline
("合理的时间内"; the article gives no number, the committee sets it — in the future, while the
evaluation is open); the bidder answers in writing before it; then the committee accepts the
answer or rejects the bid as ``abnormally_low_unexplained``. A request's state
(:func:`explanation_state`) is derived from its note and the time:

``requested`` (open) → ``answered`` (the bidder wrote in time) or ``lapsed`` (the deadline passed
unanswered) → ``accepted`` | ``rejected``.

* :func:`check_explanation_applies` — 政府采购 only, where the ground is;
* :func:`check_requestable` — a bid is asked once;
* :func:`check_deadline` — the deadline is aware and later than now;
* :func:`check_answerable` — only an open request is answered, once;
* :func:`check_decision` — a decision follows an answer or a lapse; **our reading**: an
  unanswered request cannot be accepted — a bidder that wrote nothing did not "证明其报价合理性";
* :func:`check_unexplained_rejection` — the ground ``abnormally_low_unexplained`` needs a
  request that was answered or lapsed and was not accepted;
* :func:`check_all_decided` — the report waits for every request's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.errors import DomainError, ErrorKind
from core.evaluation.methods import RejectionGround
from core.evaluation.same_brand import ARTICLE_EN, ARTICLE_ZH, Tie, brand_key
from core.rules.calendar import require_aware
from core.rules.procedures import MOF87_31, MOF87_60, Procedure

# 87号令 31
SAME_BRAND_NOT_APPLICABLE = f"SAME_BRAND_NOT_APPLICABLE_{MOF87_31.tag}"
CORE_PRODUCT_MISMATCH = f"CORE_PRODUCT_MISMATCH_{MOF87_31.tag}"
SAME_BRAND_TIE_UNRESOLVED = f"SAME_BRAND_TIE_UNRESOLVED_{MOF87_31.tag}"
SAME_BRAND_NOT_TIED = f"SAME_BRAND_NOT_TIED_{MOF87_31.tag}"
# 87号令 60
EXPLANATION_NOT_APPLICABLE = f"PRICE_EXPLANATION_NOT_APPLICABLE_{MOF87_60.tag}"
EXPLANATION_DEADLINE_NOT_FUTURE = f"PRICE_EXPLANATION_DEADLINE_NOT_FUTURE_{MOF87_60.tag}"
EXPLANATION_ALREADY_REQUESTED = f"PRICE_EXPLANATION_ALREADY_REQUESTED_{MOF87_60.tag}"
EXPLANATION_NOT_REQUESTED = f"PRICE_EXPLANATION_NOT_REQUESTED_{MOF87_60.tag}"
EXPLANATION_DEADLINE_PASSED = f"PRICE_EXPLANATION_DEADLINE_PASSED_{MOF87_60.tag}"
EXPLANATION_ALREADY_ANSWERED = f"PRICE_EXPLANATION_ALREADY_ANSWERED_{MOF87_60.tag}"
EXPLANATION_PENDING = f"PRICE_EXPLANATION_PENDING_{MOF87_60.tag}"
EXPLANATION_NOT_ANSWERED = f"PRICE_EXPLANATION_NOT_ANSWERED_{MOF87_60.tag}"
EXPLANATION_ALREADY_DECIDED = f"PRICE_EXPLANATION_ALREADY_DECIDED_{MOF87_60.tag}"
EXPLANATION_ACCEPTED = f"PRICE_EXPLANATION_ACCEPTED_{MOF87_60.tag}"
EXPLANATION_UNDECIDED = f"PRICE_EXPLANATION_UNDECIDED_{MOF87_60.tag}"

_31_ZH, _31_EN = MOF87_31.cite_zh, MOF87_31.cite_en
_60_ZH, _60_EN = MOF87_60.cite_zh, MOF87_60.cite_en
assert (ARTICLE_ZH, ARTICLE_EN) == (_31_ZH, _31_EN)


# -- 87号令 31 -------------------------------------------------------------------------------


def check_same_brand_applies(procedure: Procedure, procurement_object: str | None) -> None:
    """Refuse a brand on a round whose procedure has no same-brand rule, or that buys works."""
    if procedure.same_brand_ref is None or procurement_object == "works":
        raise DomainError(SAME_BRAND_NOT_APPLICABLE,
                          f"同品牌投标按一家投标人计算的规定只适用于政府采购货物和服务招标（{_31_ZH}），"
                          f"不适用于本轮次的{procedure.name_zh}",
                          f"the same-brand rule ({_31_EN}) applies to government tenders of "
                          f"goods and services only, not to this {procedure.name_en}",
                          ErrorKind.CONFLICT, rule=MOF87_31.tag)


def check_core_product(recorded: Iterable[str], core_product: str) -> None:
    """Refuse a 核心产品 other than the one already recorded for this round's bids."""
    wanted = brand_key(core_product)
    others = sorted({p for p in recorded if brand_key(p) != wanted})
    if others:
        raise DomainError(CORE_PRODUCT_MISMATCH,
                          f"招标文件载明的核心产品已记录为“{others[0]}”，同品牌比较只针对同一核心产品"
                          f"（{_31_ZH}）",
                          f"the documents' core product is already recorded as {others[0]!r}; "
                          f"brands are compared for that one product ({_31_EN})",
                          ErrorKind.CONFLICT, field="core_product", recorded=others[0])


def check_same_brand_settled(unresolved: Iterable[Tie]) -> None:
    """Refuse to rank while bids of one brand are tied at the best price or score: 31 gives
    the choice to the documents' rule, else to a random draw."""
    ties = list(unresolved)
    if not ties:
        return
    zh = "；".join(f"品牌“{t.brand}”：投标 {'、'.join(t.bid_ids)}" for t in ties)
    en = "; ".join(f"brand {t.brand!r}: bids {', '.join(t.bid_ids)}" for t in ties)
    raise DomainError(SAME_BRAND_TIE_UNRESOLVED,
                      "同品牌投标人报价（得分）相同，须按照招标文件规定的方式或者随机抽取确定一个"
                      f"投标人后才能生成报告（{_31_ZH}）：{zh}",
                      f"same-brand bids are tied; the documents' rule or a random draw must pick "
                      f"one before the report ({_31_EN}): {en}", ErrorKind.CONFLICT,
                      ties=[{"brand": t.brand, "bids": [int(b) for b in t.bid_ids]}
                            for t in ties])


def check_tie_claim(brands: Mapping[str, str | None], bid_ids: Iterable[int]) -> str:
    """The bids a settlement names must be two or more of one recorded brand; their brand key."""
    ids = list(bid_ids)
    keys = {brand_key(brands.get(str(i))) for i in ids}
    if len(ids) < 2 or len(set(ids)) != len(ids) or len(keys) != 1 or None in keys:
        raise DomainError(SAME_BRAND_NOT_TIED,
                          f"只能在记录为同一品牌的两家以上投标中确定一个（{_31_ZH}）",
                          f"a same-brand choice is among two or more bids recorded with one "
                          f"brand ({_31_EN})", field="bids")
    key = keys.pop()
    assert key is not None
    return key


# -- 87号令 60 -------------------------------------------------------------------------------


class ExplanationState(StrEnum):
    NONE = "none"
    REQUESTED = "requested"  # open: the deadline has not passed, no answer yet
    ANSWERED = "answered"
    LAPSED = "lapsed"  # the deadline passed unanswered
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def explanation_state(note: Mapping[str, Any] | None, now: datetime) -> ExplanationState:
    """The state of a request note (``deadline`` ISO 8601, ``answer`` and ``decision``)."""
    if not note:
        return ExplanationState.NONE
    decision = note.get("decision")
    if isinstance(decision, Mapping):
        return (ExplanationState.ACCEPTED if decision.get("accepted")
                else ExplanationState.REJECTED)
    if note.get("answer"):
        return ExplanationState.ANSWERED
    deadline = datetime.fromisoformat(str(note["deadline"]))
    return ExplanationState.REQUESTED if require_aware(now) < deadline \
        else ExplanationState.LAPSED


def check_explanation_applies(procedure: Procedure) -> None:
    """The step is 政府采购's, where ``abnormally_low_unexplained`` is a ground (engineering's
    below-cost rule, 评标委员会和评标方法暂行规定 21, is not modelled as a step)."""
    if not RejectionGround.ABNORMALLY_LOW_UNEXPLAINED.applies_to(procedure.domain.value):
        raise DomainError(EXPLANATION_NOT_APPLICABLE,
                          f"要求说明报价合理性的程序只适用于政府采购（{_60_ZH}），不适用于本轮次的"
                          f"{procedure.name_zh}",
                          f"the price explanation step ({_60_EN}) is government procurement's, "
                          f"not this {procedure.name_en}'s", ErrorKind.CONFLICT)


def check_deadline(now: datetime, deadline: datetime) -> None:
    """The bidder's deadline is an aware time after now (87号令 60: 合理的时间内)."""
    if not require_aware(deadline, "deadline") > require_aware(now):
        raise DomainError(EXPLANATION_DEADLINE_NOT_FUTURE,
                          f"提供书面说明的期限须晚于当前时间（{_60_ZH}）",
                          f"the deadline for the written explanation must be in the future "
                          f"({_60_EN})", field="deadline")


def check_requestable(state: ExplanationState) -> None:
    """A bid is asked once; a decided request is not asked again."""
    if state is not ExplanationState.NONE:
        raise DomainError(EXPLANATION_ALREADY_REQUESTED,
                          f"已要求该投标人说明报价合理性（{state.value}）（{_60_ZH}）",
                          f"an explanation of this price was already requested ({state.value}; "
                          f"{_60_EN})", ErrorKind.CONFLICT, state=state.value)


def _not_requested() -> DomainError:
    return DomainError(EXPLANATION_NOT_REQUESTED,
                       f"评标委员会未要求对该投标报价作出说明（{_60_ZH}）",
                       f"the committee has asked for no explanation of this price ({_60_EN})",
                       ErrorKind.CONFLICT)


def check_answerable(state: ExplanationState) -> None:
    """Only an open request is answered, and only once."""
    if state is ExplanationState.REQUESTED:
        return
    if state is ExplanationState.NONE:
        raise _not_requested()
    if state is ExplanationState.LAPSED:
        raise DomainError(EXPLANATION_DEADLINE_PASSED,
                          f"提供书面说明的期限已过（{_60_ZH}）",
                          f"the deadline for the written explanation has passed ({_60_EN})",
                          ErrorKind.CONFLICT)
    raise DomainError(EXPLANATION_ALREADY_ANSWERED, f"书面说明已提交（{_60_ZH}）",
                      f"the written explanation was already given ({_60_EN})",
                      ErrorKind.CONFLICT, state=state.value)


def check_decision(state: ExplanationState, accepted: bool) -> None:
    """A decision follows an answer (accept or reject) or a lapse (reject only), once."""
    if state in (ExplanationState.ACCEPTED, ExplanationState.REJECTED):
        raise DomainError(EXPLANATION_ALREADY_DECIDED, f"评标委员会已对该说明作出认定（{_60_ZH}）",
                          f"the committee has already decided on this explanation ({_60_EN})",
                          ErrorKind.CONFLICT, state=state.value)
    if state is ExplanationState.NONE:
        raise _not_requested()
    if state is ExplanationState.REQUESTED:
        raise DomainError(EXPLANATION_PENDING,
                          f"投标人尚未提交书面说明且期限未到，不能作出认定（{_60_ZH}）",
                          f"the bidder has not answered and the deadline has not passed "
                          f"({_60_EN})", ErrorKind.CONFLICT)
    if accepted and state is ExplanationState.LAPSED:
        raise DomainError(EXPLANATION_NOT_ANSWERED,
                          f"投标人未在期限内提交书面说明，未能证明其报价合理性（{_60_ZH}）",
                          f"the bidder gave no explanation in time and so did not show its price "
                          f"reasonable ({_60_EN})", ErrorKind.CONFLICT)


def check_unexplained_rejection(state: ExplanationState) -> None:
    """``abnormally_low_unexplained`` only after the bidder was asked and answered (or let the
    deadline pass), and not against an explanation the committee accepted."""
    if state is ExplanationState.NONE:
        raise DomainError(EXPLANATION_NOT_REQUESTED,
                          "以报价明显偏低、不能证明其合理性为由认定投标无效前，须先要求投标人在评标"
                          f"现场合理的时间内提供书面说明（{_60_ZH}）",
                          "a bid is invalid as abnormally low and unexplained only after the "
                          f"bidder was asked for a written explanation ({_60_EN})",
                          ErrorKind.CONFLICT, field="grounds")
    if state is ExplanationState.REQUESTED:
        check_decision(state, accepted=False)
    if state is ExplanationState.ACCEPTED:
        raise DomainError(EXPLANATION_ACCEPTED,
                          f"评标委员会已认可该投标人的书面说明（{_60_ZH}）",
                          f"the committee accepted this bidder's explanation ({_60_EN})",
                          ErrorKind.CONFLICT, field="grounds")


def check_all_decided(states: Mapping[str, ExplanationState]) -> None:
    """The report waits until every request for an explanation is decided."""
    open_ = sorted((b for b, s in states.items() if s in (
        ExplanationState.REQUESTED, ExplanationState.ANSWERED, ExplanationState.LAPSED)),
        key=int)
    if open_:
        raise DomainError(EXPLANATION_UNDECIDED,
                          f"投标 {', '.join(open_)} 的报价说明尚未认定，不能生成报告（{_60_ZH}）",
                          f"the price explanation of bid(s) {', '.join(open_)} is not decided "
                          f"yet ({_60_EN})", ErrorKind.CONFLICT, bids=[int(b) for b in open_])


#: Every code these functions can raise.
ERROR_CODES: frozenset[str] = frozenset({
    SAME_BRAND_NOT_APPLICABLE, CORE_PRODUCT_MISMATCH, SAME_BRAND_TIE_UNRESOLVED,
    SAME_BRAND_NOT_TIED, EXPLANATION_NOT_APPLICABLE, EXPLANATION_DEADLINE_NOT_FUTURE,
    EXPLANATION_ALREADY_REQUESTED, EXPLANATION_NOT_REQUESTED, EXPLANATION_DEADLINE_PASSED,
    EXPLANATION_ALREADY_ANSWERED, EXPLANATION_PENDING, EXPLANATION_NOT_ANSWERED,
    EXPLANATION_ALREADY_DECIDED, EXPLANATION_ACCEPTED, EXPLANATION_UNDECIDED,
})
