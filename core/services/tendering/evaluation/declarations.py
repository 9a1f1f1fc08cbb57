"""The chair records each bid's 小微企业 status from its 中小企业声明函 while the evaluation is
``scoring``; the report evaluates the bid at its deducted price (财库〔2020〕46号 第九条 as
raised by 财库〔2022〕19号, :mod:`core.rules.price_policy`).

Why here and not with the bid: the status is a statement inside the sealed bid file (the 声明函,
or the 监狱企业 certificate, the 残疾人福利性单位 声明函), which nobody reads before the opening and
the platform does not parse; the committee reads it and is answerable for what it records, as it
is for a rejection. Only a round whose documents give a deduction takes a status (the rates are
the round's), and a 联合体/分包 only with the 小微企业 share of its agreement, 30 % or more.
"""

from __future__ import annotations

from decimal import Decimal

from core.rules import price_policy
from core.security.principal import Principal
from core.services.tendering.evaluation import bid_notes
from core.services.tendering.evaluation.access import (
    evaluable_bid,
    evaluation_of,
    require_chair,
    require_scoring,
)
from core.services.tendering.evaluation.forms import MAX_REASON, EvaluationView
from core.services.tendering.evaluation.reading import view_of
from core.services.tendering.rounds import get_round
from core.services.validation import required_text
from core.uow import UnitOfWork


def declare_sme(uow: UnitOfWork, principal: Principal, section_code: str, bid_id: int,
                status: str, small_share: Decimal | None = None,
                source: str | None = None) -> EvaluationView:
    """The chair records bid ``bid_id``'s status as its 中小企业声明函 declares it (``source``:
    where in the bid, optional); recording it again replaces it."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    evaluable_bid(uow, r, bid_id)
    rates = price_policy.SmeRates(r.sme_deduction, r.sme_joint_deduction)
    declared = price_policy.check_sme_declaration(rates, status, small_share)
    rate = rates.joint_rate if declared is price_policy.SmeStatus.JOINT_SMALL_SHARE else rates.rate
    entry = {"status": declared.value, "label_zh": declared.label_zh, "rate": str(rate),
             "small_share": None if small_share is None else str(small_share),
             "source": None if source is None or not source.strip()
             else required_text(source, "source", MAX_REASON),
             "recorded_by": principal.actor, "recorded_at": uow.clock.now().isoformat()}
    bid_notes.put(uow, principal, e, "sme_declarations", "evaluation.declare_sme", bid_id, entry)
    return view_of(uow, r, e)


def withdraw_sme(uow: UnitOfWork, principal: Principal, section_code: str,
                 bid_id: int) -> EvaluationView:
    """The chair takes a recorded status back (before the report only)."""
    r = get_round(uow, principal, section_code)
    require_chair(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    bid_notes.drop(uow, principal, e, "sme_declarations", "evaluation.withdraw_sme", bid_id,
                   "小微企业声明记录", "sme_declaration")
    return view_of(uow, r, e)
