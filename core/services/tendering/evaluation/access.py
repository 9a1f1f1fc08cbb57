"""Who may read and act in a round's evaluation, and the rows every step of it reads."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select

from core.errors import DomainError, ErrorKind, not_found
from core.evaluation import (
    Criterion,
    CriterionCategory,
    TieBreak,
)
from core.model.credit import CreditDataSet, CreditRecord
from core.model.expert import Expert
from core.model.party import Party
from core.model.tendering import (
    BidOpening,
    CommitteeMember,
    Evaluation,
    RecusalDeclaration,
    Round,
)
from core.rules import recusal
from core.security.principal import Principal
from core.services.tendering.evaluation.forms import EVALUABLE, EvaluationStatus
from core.services.tendering.procedure import procedure_of
from core.uow import UnitOfWork


def round_ref(r: Round) -> str:
    return f"{r.section.code}/{r.round_no}"


def committee_of(uow: UnitOfWork, r: Round) -> list[CommitteeMember]:
    """The members sitting: those who stood aside (回避) are kept for the record only."""
    return list(uow.session.scalars(select(CommitteeMember).where(
        CommitteeMember.round_id == r.id, CommitteeMember.excluded_at.is_(None))
        .order_by(CommitteeMember.id)))


def all_members_of(uow: UnitOfWork, r: Round) -> list[CommitteeMember]:
    """Every member ever assigned, those who stood aside included."""
    return list(uow.session.scalars(select(CommitteeMember).where(
        CommitteeMember.round_id == r.id).order_by(CommitteeMember.id)))


def membership(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember | None:
    """The caller's seat on the committee; one who stood aside has none any more."""
    return uow.session.scalars(select(CommitteeMember).where(
        CommitteeMember.round_id == r.id, CommitteeMember.excluded_at.is_(None),
        CommitteeMember.account_id == principal.account_id)).first()


def not_on_committee() -> DomainError:
    return DomainError("NOT_ON_COMMITTEE", "您不是该标段评标委员会成员",
                       "you are not a member of this section's evaluation committee",
                       ErrorKind.FORBIDDEN)


def require_member(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember:
    member = membership(uow, r, principal)
    if member is None:
        raise not_on_committee()
    return member


def declaration_of(uow: UnitOfWork, member: CommitteeMember) -> RecusalDeclaration | None:
    return uow.session.scalars(select(RecusalDeclaration).where(
        RecusalDeclaration.member_id == member.id)).first()


def require_declared(uow: UnitOfWork, member: CommitteeMember) -> CommitteeMember:
    """A member evaluates nothing before declaring its 回避 relationships (条例 46 第三款;
    政采条例 9)."""
    if declaration_of(uow, member) is None:
        raise DomainError("RECUSAL_NOT_DECLARED", "评标前须先作出回避声明",
                          "declare your recusal relationships before evaluating",
                          ErrorKind.CONFLICT, member_id=member.id)
    return member


def require_evaluator(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember:
    """A sitting member who has declared no ground: the one who may score."""
    return require_declared(uow, require_member(uow, r, principal))


def require_chair(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember:
    member = require_member(uow, r, principal)
    if not member.is_chair:
        raise DomainError("NOT_COMMITTEE_CHAIR", "只有评标委员会主任可以执行此操作",
                          "only the chair of the evaluation committee may do this",
                          ErrorKind.FORBIDDEN)
    return require_declared(uow, member)


def bidders_of(uow: UnitOfWork, r: Round) -> list[recusal.Bidder]:
    """The bidders of the round as the committee reads them (the opened bids, 开标记录)."""
    bidders = []
    for o in openings_of(uow, r):
        party = uow.session.get(Party, o.bid.party_id)
        assert party is not None
        bidders.append(recusal.Bidder(o.bid_id, party.name, party.identifier))
    return bidders


def registry_facts(uow: UnitOfWork, expert_id: int | None) -> recusal.RegistryFacts | None:
    """What the registry knows of the expert: the employer (212 COMPANY) and the credit records
    (300 违法违规, 302 黑名单) pushed on the expert's 身份证号码."""
    if expert_id is None:
        return None
    expert = uow.session.get(Expert, expert_id)
    if expert is None:
        raise not_found("评标专家", "expert", expert_id)
    records = uow.session.scalars(select(CreditRecord).where(
        CreditRecord.body_code == expert.id_number.upper(),
        CreditRecord.data_set.in_((CreditDataSet.VIOLATION.value,
                                   CreditDataSet.BLACKLIST.value)))
        .order_by(CreditRecord.id))
    return recusal.RegistryFacts(expert.id_number, expert.company, tuple(
        recusal.Penalty(c.data_set, c.record_code, c.recorded_at, c.revoked) for c in records))


def registry_findings(uow: UnitOfWork, r: Round, expert_id: int | None,
                      declared: Sequence[recusal.Relation] = ()) -> tuple[recusal.Finding, ...]:
    """The grounds against a member: those declared and those the registry shows."""
    return recusal.recusal_findings(procedure_of(r), declared, registry_facts(uow, expert_id),
                                    bidders_of(uow, r),
                                    r.section.tender_project.supervise_dept_name)


def require_reader(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember | None:
    """Members and oversight staff read the evaluation; nobody else (bidders above all)."""
    member = membership(uow, r, principal)
    if member is None and not principal.has_oversight:
        raise not_on_committee()
    return member


def evaluation_of(uow: UnitOfWork, r: Round, *, lock: bool = False) -> Evaluation:
    query = select(Evaluation).where(Evaluation.round_id == r.id)
    if lock:
        query = query.with_for_update()
    e = uow.session.scalars(query).first()
    if e is None:
        raise not_found("评标", "evaluation", r.section.code)
    return e


def require_scoring(e: Evaluation) -> None:
    if e.status != EvaluationStatus.SCORING:
        raise DomainError("EVALUATION_CLOSED", "评标报告已生成，评分与否决不能再修改",
                          "the report is generated; scores and rejections are closed",
                          ErrorKind.CONFLICT)


def openings_of(uow: UnitOfWork, r: Round) -> list[BidOpening]:
    return list(uow.session.scalars(select(BidOpening).where(
        BidOpening.round_id == r.id).order_by(BidOpening.bid_id)))


def evaluable_bid(uow: UnitOfWork, r: Round, bid_id: int) -> BidOpening:
    opening = uow.session.get(BidOpening, bid_id)
    if opening is None or opening.round_id != r.id or opening.outcome not in EVALUABLE:
        raise not_found("投标文件", "bid", bid_id)
    return opening


def criteria_of(e: Evaluation) -> list[Criterion]:
    return [Criterion(code=str(c["code"]), name_zh=str(c["name_zh"]),
                      weight=Decimal(str(c["weight"])),
                      category=CriterionCategory(str(c["category"])),
                      objective=bool(c["objective"])) for c in e.criteria]


def criterion_json(c: Criterion) -> dict[str, object]:
    return {"code": c.code, "name_zh": c.name_zh, "weight": str(c.weight),
            "category": c.category.value, "objective": c.objective}


def tie_breaks_of(r: Round) -> tuple[TieBreak, ...]:
    return procedure_of(r).tie_breaks
