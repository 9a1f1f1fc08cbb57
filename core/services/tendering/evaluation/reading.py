"""The evaluation as its members and oversight staff read it; bidders never do (招标投标法 37)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from core.model.account import Account
from core.model.party import Party
from core.model.tendering import Candidate, Evaluation, ReportSignature, Round, Score
from core.security.access import acts_for_project
from core.security.principal import Principal
from core.services.tendering.evaluation.access import (
    all_members_of,
    declaration_of,
    evaluation_of,
    membership,
    not_on_committee,
    openings_of,
    require_member,
    require_reader,
)
from core.services.tendering.evaluation.forms import (
    EVALUABLE,
    BidView,
    EvaluationStatus,
    EvaluationView,
    MemberView,
)
from core.services.tendering.rounds import get_round
from core.uow import UnitOfWork


def view_of(uow: UnitOfWork, r: Round, e: Evaluation) -> EvaluationView:
    signatures = {s.member_id: s for s in uow.session.scalars(
        select(ReportSignature).where(ReportSignature.round_id == r.id))}
    members = []
    for m in all_members_of(uow, r):  # those who stood aside too, marked, for the record
        account = uow.session.get(Account, m.account_id)
        assert account is not None
        members.append(MemberView(m.id, m.account_id, account.username, account.display_name,
                                  m.kind, m.is_chair, signatures.get(m.id),
                                  legal_expert=m.legal_expert, expert_id=m.expert_id,
                                  recusal=declaration_of(uow, m), excluded_at=m.excluded_at,
                                  replaces_id=m.replaces_id))
    candidates = tuple(uow.session.scalars(select(Candidate).where(
        Candidate.round_id == r.id).order_by(Candidate.rank, Candidate.bid_id)))
    return EvaluationView(r, e, tuple(members), candidates)


def get_evaluation(uow: UnitOfWork, principal: Principal, section_code: str) -> EvaluationView:
    """The evaluation and, once generated, its report: members and oversight staff; the
    tenderer (owner or agency) once the report is signed and handed over (条例 53)."""
    r = get_round(uow, principal, section_code)
    if membership(uow, r, principal) is None and not principal.has_oversight:
        e = uow.session.scalars(select(Evaluation).where(Evaluation.round_id == r.id)).first()
        handed_over = e is not None and e.status == EvaluationStatus.SIGNED
        if not (handed_over and acts_for_project(principal, r.section.tender_project.project)):
            raise not_on_committee()
    return view_of(uow, r, evaluation_of(uow, r))


def list_bids(uow: UnitOfWork, principal: Principal, section_code: str) -> list[BidView]:
    """The opened bids' declared items, for the committee and oversight staff only."""
    r = get_round(uow, principal, section_code)
    require_reader(uow, r, principal)
    e = uow.session.scalars(select(Evaluation).where(Evaluation.round_id == r.id)).first()
    rejections: Mapping[str, Any] = e.rejections if e is not None else {}
    views = []
    for o in openings_of(uow, r):
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
    member = require_member(uow, r, principal)
    return list(uow.session.scalars(select(Score).where(Score.member_id == member.id)
                                    .order_by(Score.bid_id, Score.criterion)))
