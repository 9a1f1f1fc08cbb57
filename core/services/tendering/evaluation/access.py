"""Who may read and act in a round's evaluation, and the rows every step of it reads."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.errors import DomainError, ErrorKind, not_found
from core.evaluation import (
    Criterion,
    CriterionCategory,
    TieBreak,
)
from core.model.tendering import BidOpening, CommitteeMember, Evaluation, Round
from core.security.principal import Principal
from core.services.tendering.evaluation.forms import EVALUABLE, EvaluationStatus
from core.services.tendering.procedure import procedure_of
from core.uow import UnitOfWork


def round_ref(r: Round) -> str:
    return f"{r.section.code}/{r.round_no}"


def committee_of(uow: UnitOfWork, r: Round) -> list[CommitteeMember]:
    return list(uow.session.scalars(select(CommitteeMember).where(
        CommitteeMember.round_id == r.id).order_by(CommitteeMember.id)))


def membership(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember | None:
    return uow.session.scalars(select(CommitteeMember).where(
        CommitteeMember.round_id == r.id,
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


def require_chair(uow: UnitOfWork, r: Round, principal: Principal) -> CommitteeMember:
    member = require_member(uow, r, principal)
    if not member.is_chair:
        raise DomainError("NOT_COMMITTEE_CHAIR", "只有评标委员会主任可以执行此操作",
                          "only the chair of the evaluation committee may do this",
                          ErrorKind.FORBIDDEN)
    return member


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
