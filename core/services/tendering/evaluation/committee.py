"""Centre staff assign the committee, the method and the criteria the tender documents fixed;
the round is then ``evaluating``.

The committee's rules are the procedure's (:mod:`core.rules.limits`): 法 37 for engineering; for
政府采购 87号令 47 (评标委员会 5, or 7 at a 采购预算金额 of 1000万元 or more or on a round
declared 技术复杂 or 社会影响较大), 74号令 7 (谈判/询价 小组 3, or 5 once the budget reaches the
公开招标数额标准 — configuration, ``Settings.open_tender_thresholds``) and 214号 14 (磋商小组 3,
a declared 法律专家 on a 技术复杂、专业性强 round); in all three nobody of the project's
采购代理机构 sits on it and the 采购人代表 acts for the purchaser.

The budget is the section's 估算价 (``Section.estimated_price``, in 元 or 万元 by its
``price_unit``); a section without one is sized without the budget cases. A government
procurement whose tender project names a 招标项目类型 (code table ``tender_project_type``, the
works types) is read as 政府采购工程, measured against the works threshold.

A government tender the round declares 技术、服务等标准统一 takes 最低评标价法 and no other (政府
采购法实施条例 第三十四条, 财政部令第87号 第五十四条).

The criteria follow 政府采购's price policy (:mod:`core.rules.price_policy`) as the round declares
it: no price criterion at a 统一定价/固定价格, else one whose weight keeps to the bounds for the
round's 采购对象 (87号令 55: 货物 ≥ 30, 服务 ≥ 10; 214号 24 for 磋商: 30–60, 10–30).

An expert member may name the registry's expert (``MemberIn.expert_id``, data set 212): what the
registry knows of it — employer, credit records — is checked against the round's bidders and a
conflict refuses the assignment (``COMMITTEE_MEMBER_EXCLUDED_REG_46`` / ``_GPREG_9`` …,
:mod:`core.rules.recusal`). Each member then declares its own relationships before evaluating
(:mod:`~core.services.tendering.evaluation.recusal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.evaluation import Criterion, CriterionCategory, EvaluationMethod, check_criteria
from core.model.account import Account, AccountKind
from core.model.tendering import Bid, CommitteeMember, Evaluation, Round, RoundStatus
from core.rules import limits, price_policy, recusal
from core.rules.limits import CENTRAL_THRESHOLDS, MemberKind, OpenTenderThresholds
from core.security.access import require_kind
from core.security.principal import Principal
from core.services.tendering.evaluation.access import (
    criterion_json,
    registry_findings,
    round_ref,
)
from core.services.tendering.evaluation.forms import (
    CRITERION_CODE,
    CriterionIn,
    EvaluationSetup,
    EvaluationStatus,
    EvaluationView,
    MemberIn,
)
from core.services.tendering.evaluation.reading import view_of
from core.services.tendering.lifecycle import transition
from core.services.tendering.procedure import procedure_of
from core.services.tendering.rounds import get_round
from core.services.validation import required_name
from core.uow import UnitOfWork


def _method(value: str) -> EvaluationMethod:
    try:
        return EvaluationMethod(value)
    except ValueError as err:
        raise DomainError("EVALUATION_METHOD_UNKNOWN", f"未知的评标方法：{value}",
                          f"unknown evaluation method: {value}", field="method") from err


def _checked_criteria(r: Round, method: EvaluationMethod,
                      given: Sequence[CriterionIn]) -> list[Criterion]:
    """综合评分: criteria whose weights add up to 100, at most one price criterion (computed from
    the declared prices, never scored by a member); the lowest-price methods take none.

    政府采购 (:mod:`core.rules.price_policy`): a round declared 统一定价/固定价格 takes no price
    criterion and any other needs one (87号令 55); its weight is within the bounds for the round's
    采购对象 — 货物 ≥ 30, 服务 ≥ 10 (87号令 55), 磋商 30–60 / 10–30 (214号 24)."""
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
    procedure = procedure_of(r)
    # 87号令 55 / 214号 24: none at a fixed price, else one for 政府采购, its weight in bounds
    price_policy.check_price_criterion(procedure, fixed_price=r.fixed_price, has_price=bool(prices))
    price_policy.check_price_weight(procedure, r.procurement_object,
                                    prices[0].weight if prices else None)
    return criteria


def _member_kinds(members: Sequence[MemberIn]) -> list[MemberKind]:
    kinds = []
    for m in members:
        try:
            kind = MemberKind(m.kind)
        except ValueError as err:
            raise DomainError("COMMITTEE_MEMBER_KIND_UNKNOWN",
                              f"未知的评标委员会成员类别：{m.kind}",
                              f"unknown committee member kind: {m.kind}",
                              field="members") from err
        if m.legal_expert and kind is not MemberKind.TECHNICAL_ECONOMIC_EXPERT:
            raise DomainError("COMMITTEE_LEGAL_EXPERT_NOT_EXPERT",
                              "只有评审专家可以作为法律专家",
                              "only an expert member can be the legal expert", field="members")
        kinds.append(kind)
    return kinds


def _budget(r: Round) -> Decimal | None:
    """The 采购预算金额 in 元: the section's 估算价, times 10,000 when given in 万元."""
    section = r.section
    if section.estimated_price is None:
        return None
    return section.estimated_price * (10000 if section.price_unit == "1" else 1)


def _case(r: Round) -> limits.CommitteeCase:
    return limits.CommitteeCase(
        budget=_budget(r), works=r.section.tender_project.tender_project_type is not None,
        technically_complex=r.technically_complex, large_social_impact=r.large_social_impact)


def check_account(uow: UnitOfWork, r: Round, m: MemberIn, bidders: set[int]) -> int | None:
    """Experts are expert accounts; the tenderer's representatives act for the project; nobody
    is tied to a bidder (实施条例 第四十六条: 与投标人有利害关系的人不得进入评标委员会). Returns
    the party the member's account acts for (``None``: none)."""
    project = r.section.tender_project.project
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
    if m.expert_id is not None:
        if m.kind != MemberKind.TECHNICAL_ECONOMIC_EXPERT:
            raise DomainError("COMMITTEE_EXPERT_RECORD_NOT_EXPERT",
                              "只有评审专家成员对应专家库中的专家",
                              "only an expert member is an expert of the registry",
                              field="members")
        # what the registry knows is refused whatever the member will declare (条例 46 第三款,
        # 12号令 12; 政采条例 9, 198号 16): core.rules.recusal
        findings = registry_findings(uow, r, m.expert_id)
        if findings:
            raise recusal.excluded_error(findings, f"账号 {account.username}")
    return account.party_id


def bidder_parties(uow: UnitOfWork, r: Round) -> set[int]:
    return set(uow.session.scalars(select(Bid.party_id).where(Bid.round_id == r.id)))


def _check_accounts(uow: UnitOfWork, r: Round,
                    members: Sequence[MemberIn]) -> dict[int, int | None]:
    """:func:`check_account` for each member; one registry expert sits once."""
    experts = [m.expert_id for m in members if m.expert_id is not None]
    if len(experts) != len(set(experts)):
        raise DomainError("COMMITTEE_EXPERT_DUPLICATE", "同一名专家不能两次进入评标委员会",
                          "the same registry expert is named twice", field="members")
    bidders = bidder_parties(uow, r)
    return {m.account_id: check_account(uow, r, m, bidders) for m in members}


def assign_committee(uow: UnitOfWork, principal: Principal, section_code: str,
                     setup: EvaluationSetup,
                     thresholds: OpenTenderThresholds = CENTRAL_THRESHOLDS) -> EvaluationView:
    """Centre staff assign the committee, the method and the criteria; the round is evaluating.

    招标投标法 第三十七条 (via :func:`core.rules.limits.check_committee`): five or more, an odd
    number, at least two thirds technical or economic experts; exactly one chair. 政府采购: the
    size of 87号令 47 / 74号令 7 for the round's budget and declarations (``thresholds`` being the
    公开招标数额标准), then, once the accounts are known, no agency staff and the purchaser's own
    representatives (:func:`~core.rules.limits.check_committee_parties`) and, for 磋商, the
    法律专家 (:func:`~core.rules.limits.check_legal_expert`).
    """
    require_kind(principal, AccountKind.CENTRE_STAFF)
    r = get_round(uow, principal, section_code)
    if r.status != RoundStatus.OPENED:
        raise DomainError("ROUND_NOT_OPENED", "开标完成后才能组建评标委员会",
                          "the committee is assigned once the opening is complete",
                          ErrorKind.CONFLICT)
    procedure = procedure_of(r)
    method = _method(setup.method)
    limits.check_evaluation_method(procedure, method)
    limits.check_standardised_method(procedure, r.standardised, method)  # 政采条例 34, 87号令 54
    criteria = _checked_criteria(r, method, setup.criteria)
    kinds = _member_kinds(setup.members)
    case = _case(r)
    limits.check_committee([limits.CommitteeMember(str(m.account_id), kind)
                            for m, kind in zip(setup.members, kinds, strict=True)],
                           procedure, case=case, thresholds=thresholds)
    chairs = [m for m in setup.members if m.is_chair]
    if len(chairs) != 1:
        raise DomainError("COMMITTEE_CHAIR_INVALID", "评标委员会须有且只有一名主任",
                          "the committee needs exactly one chair", field="members")
    parties = _check_accounts(uow, r, setup.members)
    members = [limits.CommitteeMember(str(m.account_id), kind, parties[m.account_id],
                                      m.legal_expert)
               for m, kind in zip(setup.members, kinds, strict=True)]
    project = r.section.tender_project.project
    limits.check_committee_parties(procedure, members, owner_party_id=project.owner_party_id,
                                   agency_party_id=project.agency_party_id)
    limits.check_legal_expert(procedure, members, case)

    now = uow.clock.now()
    before = snapshot(r)
    for m in setup.members:
        uow.session.add(CommitteeMember(round_id=r.id, account_id=m.account_id, kind=m.kind,
                                        is_chair=m.is_chair, legal_expert=m.legal_expert,
                                        expert_id=m.expert_id, assigned_at=now))
    e = Evaluation(round_id=r.id, method=method.value,
                   criteria=[criterion_json(c) for c in criteria], rejections={},
                   sme_declarations={},
                   result=None, status=EvaluationStatus.SCORING.value)
    uow.session.add(e)
    uow.record(principal.actor, "evaluation.assign_committee", "evaluation", round_ref(r), None,
               {**snapshot(e), "members": [{"account_id": m.account_id, "kind": m.kind,
                                            "is_chair": m.is_chair,
                                            "legal_expert": m.legal_expert,
                                            "expert_id": m.expert_id}
                                           for m in setup.members]})
    transition(uow, r, RoundStatus.EVALUATING, principal.actor, "round.evaluating",
               before=before)
    return view_of(uow, r, e)
