"""回避: each member's declaration before evaluating, and the replacement of one who stands aside.

A member of the committee evaluates nothing before declaring, once, which relationships from the
closed set of :class:`core.rules.recusal.RecusalGround` it has with which bidder of the round (an
empty list: none). The declaration is the member's own signed-in act, recorded with its time and
the digest of its canonical statement, as a report signature is.

* The expert registry's facts are checked too (:func:`core.rules.recusal.recusal_findings`:
  employer, credit records, the project's 监督部门). A ground the registry shows and the member
  does not declare is refused (``COMMITTEE_MEMBER_EXCLUDED_REG_46`` — ``_GPREG_9``, ``_GPL`` or
  ``_MOF198`` for 政府采购 — with every ground and its item in ``details``) and nothing is
  recorded: centre staff replace the member instead.
* A member who declares a ground stands aside: the declaration is recorded with every ground
  found, the member is marked ``excluded_at`` and no longer sits (条例 46 第三款 "应当主动回避";
  12号令 12 "应当主动提出回避"; 政采条例 9; 198号 16).
* Centre staff replace a member who stood aside, or whom the registry shows a ground against
  (法 37 第四款 "已经进入的应当更换"; 条例 46 第二款 allows a replacement only for a reason the law
  gives, so a member with no ground is not replaced, ``COMMITTEE_REPLACEMENT_WITHOUT_GROUND``).
  The replacement takes the seat's kind, chair and 法律专家 role, passes the assignment's account
  and registry checks, and declares in turn. The draw from the pool is a later issue (政府采购: a
  new draw, 198号 17 / 87号令 49 [M]); until then staff name the account, as at the assignment.
  Anything the replaced member scored is void (条例 48 "被更换的评标委员会成员作出的评审结论无效")
  — though the declaration comes before any score, so there is none to drop in practice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.model.account import Account, AccountKind
from core.model.tendering import CommitteeMember, RecusalDeclaration, Round, Score
from core.rules import limits, recusal
from core.rules.limits import MemberKind
from core.security.access import require_kind
from core.security.principal import Principal
from core.services.tendering.evaluation.access import (
    bidders_of,
    committee_of,
    declaration_of,
    evaluation_of,
    registry_findings,
    require_member,
    require_scoring,
    round_ref,
)
from core.services.tendering.evaluation.committee import bidder_parties, check_account
from core.services.tendering.evaluation.forms import EvaluationView, MemberIn, RelationIn
from core.services.tendering.evaluation.reading import view_of
from core.services.tendering.procedure import procedure_of
from core.services.tendering.rounds import get_round
from core.uow import UnitOfWork

MAX_RELATIONS = 50


def _relations(given: Sequence[RelationIn],
               bidders: Sequence[recusal.Bidder]) -> list[recusal.Relation]:
    if len(given) > MAX_RELATIONS:
        raise DomainError(recusal.RECUSAL_RELATION_INVALID,
                          f"回避情形最多申报 {MAX_RELATIONS} 项",
                          f"at most {MAX_RELATIONS} relationships", field="relations")
    relations = [recusal.Relation(recusal.parse_ground(g.ground), g.bid_id) for g in given]
    recusal.check_relations(relations, bidders)
    return relations


def _statement(r: Round, member: CommitteeMember, username: str,
               relations: Sequence[recusal.Relation], declared_at: str) -> str:
    """The canonical JSON of what the member declared: its digest is what the record keeps."""
    return json.dumps({
        "section_code": r.section.code, "round_no": r.round_no, "member_id": member.id,
        "account": username, "declared_at": declared_at,
        "relations": [{"ground": x.ground.value, "bid_id": x.bid_id} for x in relations],
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def declare_recusal(uow: UnitOfWork, principal: Principal, section_code: str,
                    given: Sequence[RelationIn]) -> RecusalDeclaration:
    """A member declares its relationships with the round's bidders, once, before evaluating.

    Refused with the article's code when the registry shows a ground the member does not
    declare; recorded, the member standing aside, when the member declares one (module doc)."""
    r = get_round(uow, principal, section_code)
    member = require_member(uow, r, principal)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    if declaration_of(uow, member) is not None:
        raise DomainError("RECUSAL_ALREADY_DECLARED", "您已作出回避声明",
                          "you have already made your recusal declaration", ErrorKind.CONFLICT)
    bidders = bidders_of(uow, r)
    relations = _relations(given, bidders)
    findings = registry_findings(uow, r, member.expert_id, relations)
    account = uow.session.get(Account, member.account_id)
    assert account is not None
    undeclared = [f for f in findings if recusal.Source.DECLARED not in f.sources]
    if undeclared:  # the registry knows better than the declaration: refused, nothing recorded
        raise recusal.excluded_error(undeclared, f"账号 {account.username}")
    now = uow.clock.now()
    statement = _statement(r, member, account.username, relations, now.isoformat())
    digest = hashlib.sha256(statement.encode()).hexdigest()
    declaration = RecusalDeclaration(
        round_id=r.id, member_id=member.id,
        relations=[{"ground": x.ground.value, "bid_id": x.bid_id} for x in relations],
        grounds=[f.as_json() for f in findings], excluded=bool(findings),
        statement=statement, statement_sha256=digest, declared_at=now)
    uow.session.add(declaration)
    uow.record(principal.actor, "evaluation.declare_recusal", "recusal_declaration",
               f"{round_ref(r)}/{member.id}", None,
               {"member_id": member.id, "relations": declaration.relations,
                "grounds": declaration.grounds, "excluded": declaration.excluded,
                "statement_sha256": digest})
    if findings:
        before = snapshot(member)
        member.excluded_at = now
        uow.record(principal.actor, "evaluation.stand_aside", "committee_member",
                   f"{round_ref(r)}/{member.id}", before, snapshot(member))
    uow.session.flush()
    return declaration


def replace_member(uow: UnitOfWork, principal: Principal, section_code: str, member_id: int,
                   account_id: int, expert_id: int | None = None) -> EvaluationView:
    """Centre staff replace a member who stood aside, or whom the registry shows a ground
    against, with another account on the same seat (module doc)."""
    require_kind(principal, AccountKind.CENTRE_STAFF)
    r = get_round(uow, principal, section_code)
    e = evaluation_of(uow, r, lock=True)
    require_scoring(e)
    old = uow.session.get(CommitteeMember, member_id)
    if old is None or old.round_id != r.id:
        raise not_found("评标委员会成员", "committee member", member_id)
    replaced = uow.session.scalars(select(CommitteeMember.id).where(
        CommitteeMember.replaces_id == old.id)).first()
    if replaced is not None:
        raise DomainError("COMMITTEE_MEMBER_ALREADY_REPLACED", "该成员已被更换",
                          "this member has already been replaced", ErrorKind.CONFLICT,
                          replaced_by=replaced)
    declared = declaration_of(uow, old)
    if old.excluded_at is not None:  # stood aside on its declaration
        grounds = list(declared.grounds) if declared is not None else []
    else:  # still sitting: only on a ground the registry shows now
        grounds = [f.as_json() for f in registry_findings(uow, r, old.expert_id)]
    if not grounds and old.excluded_at is None:
        raise DomainError("COMMITTEE_REPLACEMENT_WITHOUT_GROUND",
                          "评标委员会成员无法定回避事由的，不得更换（《招标投标法实施条例》第四十六条"
                          "第二款）",
                          "a member is replaced only on a ground the law gives (Tendering "
                          "Regulation art. 46(2))", ErrorKind.CONFLICT, member_id=old.id)
    seat = MemberIn(account_id, old.kind, old.is_chair, old.legal_expert, expert_id)
    if any(m.account_id == account_id for m in _everyone(uow, r)):
        raise DomainError("COMMITTEE_MEMBER_DUPLICATE", f"账号 {account_id} 已在评标委员会中",
                          f"account {account_id} is already on the committee", ErrorKind.CONFLICT,
                          field="account_id")
    if expert_id is not None and any(m.expert_id == expert_id for m in committee_of(uow, r)):
        raise DomainError("COMMITTEE_EXPERT_DUPLICATE", "同一名专家不能两次进入评标委员会",
                          "the same registry expert is named twice", field="expert_id")
    party = check_account(uow, r, seat, bidder_parties(uow, r))
    sitting = [limits.CommitteeMember(str(m.account_id), MemberKind(m.kind),
                                      _party(uow, m.account_id), m.legal_expert)
               for m in committee_of(uow, r) if m.id != old.id]
    sitting.append(limits.CommitteeMember(str(account_id), MemberKind(old.kind), party,
                                          old.legal_expert))
    project = r.section.tender_project.project
    limits.check_committee_parties(procedure_of(r), sitting,
                                   owner_party_id=project.owner_party_id,
                                   agency_party_id=project.agency_party_id)
    now = uow.clock.now()
    before = snapshot(old)
    if old.excluded_at is None:
        old.excluded_at = now
    voided = list(uow.session.scalars(select(Score).where(Score.member_id == old.id)))
    for s in voided:  # 条例 48: the replaced member's conclusions are void
        uow.session.delete(s)
    new = CommitteeMember(round_id=r.id, account_id=account_id, kind=old.kind,
                          is_chair=old.is_chair, legal_expert=old.legal_expert,
                          expert_id=expert_id, assigned_at=now, replaces_id=old.id)
    uow.session.add(new)
    uow.session.flush()
    uow.record(principal.actor, "evaluation.replace_member", "committee_member",
               f"{round_ref(r)}/{old.id}", before,
               {**snapshot(old), "replaced_by": snapshot(new), "grounds": grounds,
                "scores_voided": len(voided)})
    return view_of(uow, r, e)


def _everyone(uow: UnitOfWork, r: Round) -> list[CommitteeMember]:
    return list(uow.session.scalars(select(CommitteeMember).where(
        CommitteeMember.round_id == r.id)))


def _party(uow: UnitOfWork, account_id: int) -> int | None:
    account = uow.session.get(Account, account_id)
    return None if account is None else account.party_id

