"""废标 during the evaluation: a government tender left with fewer than 3 responsive bids fails.

政府采购法 第三十六条第一款第（一）项: "符合专业条件的供应商或者对招标文件作实质响应的供应商
不足三家的" 应予废标, and 87号令 43 says the same after the 资格审查 and the 符合性审查; 第二款:
"废标后，采购人应当将废标理由通知所有投标人", and 第三十七条 has the purchaser tender again
(or, with approval, use another method). The report refuses to name candidates from too few bids
(``TOO_FEW_RESPONSIVE_GPL_36``, :func:`core.rules.price_policy.check_enough_responsive`); the
purchaser or its agency then declares the failure here, with its reason: the round goes from
``evaluating`` to ``failed`` (``round.failed`` — the 流标 event: the round failed and the section
is tendered again in a new round), the 废标公告 is published, and every paid deposit falls due at
once, as at a termination (87号令 gives 废标 no period of its own).

Bids the chair recorded with the same 核心产品 brand count as one supplier (87号令 31,
:mod:`core.evaluation.same_brand`), as the report counts them.

Only on the ground this module checks: the other 废标 grounds of 第三十六条 ((二) 违法违规,
(三) every price over the budget, (四) the procurement cancelled) are the termination's
(:func:`core.services.tendering.closing.terminate_round`) or show as too few responsive bids once
the committee records the invalid ones.
"""

from __future__ import annotations

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.evaluation.same_brand import suppliers_counted
from core.events import EventType
from core.model.tendering import Evaluation, Registration, Round, RoundStatus
from core.rules import price_policy
from core.security.access import require_project_actor
from core.security.principal import Principal
from core.services import lifecycle_notices
from core.services.tendering import deposits
from core.services.tendering.evaluation.access import openings_of
from core.services.tendering.evaluation.forms import EVALUABLE, EvaluationStatus
from core.services.tendering.lifecycle import transition
from core.services.tendering.procedure import procedure_of
from core.services.tendering.rounds import get_round
from core.services.validation import required_text
from core.uow import UnitOfWork


def declare_failed(uow: UnitOfWork, principal: Principal, section_code: str,
                   reason: str) -> Round:
    """The purchaser or its agency declares the procurement failed (废标): only while the
    evaluation is open and fewer bids than the procedure needs are left responsive."""
    r = get_round(uow, principal, section_code)
    require_project_actor(principal, r.section.tender_project.project)
    procedure = procedure_of(r)
    if procedure.min_responsive is None:
        raise DomainError("FAILURE_NOT_APPLICABLE", f"{procedure.name_zh}不适用评标中的废标",
                          f"{procedure.name_en} has no failure during the evaluation",
                          ErrorKind.CONFLICT)
    e = uow.session.scalars(select(Evaluation).where(Evaluation.round_id == r.id)
                            .with_for_update()).first()
    if r.status != RoundStatus.EVALUATING or e is None \
            or e.status != EvaluationStatus.SCORING.value:
        raise DomainError("ROUND_NOT_IN_EVALUATION", "只有评审中、评标报告生成前可以废标",
                          "a procurement fails this way only during the evaluation, before the "
                          "report", ErrorKind.CONFLICT)
    text = required_text(reason, "reason", 2000)
    brands = {k: str(v["brand"]) for k, v in e.core_brands.items() if isinstance(v, dict)} \
        if procedure.same_brand_ref is not None else {}
    responsive = suppliers_counted(  # 87号令 31: one brand, one supplier
        brands.get(str(o.bid_id)) for o in openings_of(uow, r)
        if o.outcome in EVALUABLE and str(o.bid_id) not in e.rejections)
    try:
        price_policy.check_enough_responsive(procedure, responsive)
    except DomainError as too_few:
        before = snapshot(r)
        r.failure_reason = f"{too_few.code}: {too_few.message_zh}。{text}"
    else:
        raise DomainError("ENOUGH_RESPONSIVE_BIDS",
                          f"尚有 {responsive} 家投标通过资格审查和符合性审查，不构成废标"
                          "（《政府采购法》第三十六条第一款第（一）项）",
                          f"{responsive} bids are still responsive: no ground for failing the "
                          "procurement (Government Procurement Law art. 36(1)(i))",
                          ErrorKind.CONFLICT, count=responsive)
    now = uow.clock.now()
    for party_id in list(uow.session.scalars(select(Registration.party_id).where(
            Registration.round_id == r.id, Registration.deposit_status == deposits.PAID))):
        deposits.set_refund_due(uow, principal.actor, r, party_id, now)
    transition(uow, r, RoundStatus.FAILED, principal.actor, "round.declare_failed",
               before=before, event=EventType.ROUND_FAILED)
    lifecycle_notices.failed(uow, r, principal.actor, principal.account_id)
    return r
