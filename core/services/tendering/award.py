"""After the evaluation: candidates publicity, objections, the award notice, the result and the
contract (招标投标法实施条例 第五十四条至第五十七条).

The flow of a round (``Round.status``)::

    evaluating --start_publicity--> publicity --(scheduler at ends_at)--> publicity (ended)
               --issue_award--> awarded --record_contract--> contracted

* **Publicity (条例 54).** The owner or its agency publishes the ranked candidates with an end
  time; :func:`core.rules.limits.check_publicity` refuses one shorter than the procedure's minimum
  (engineering: 3 日, ``PUBLICITY_TOO_SHORT_REG_54``) and, if the evaluation report's receipt is
  on record, one started too late. ``Round.next_check`` is the end; the scheduler ends it through
  :func:`publicity_due`.
* **Objections (条例 54).** A bidder of the round (a party registered for it) may object while the
  publicity runs. "作出答复前，应当暂停招标投标活动": the first open objection suspends the
  publicity (``Publicity.status = 'suspended'``, ``Round.next_check = None``), so the scheduler
  cannot end it, and the award waits. When the owner has answered every open objection the
  publicity runs again and **its end moves later by the time it stood suspended** — from the
  moment the first of the overlapping objections was raised to the last answer — so the bidders
  get the full lawful publicity of running time. The suspension is reconstructed from the
  objections' ``raised_at``/``answered_at``; nothing else is stored.
* **Award (条例 55).** After the publicity has ended the owner issues the 中标通知书 to the
  candidate chosen by :func:`core.rules.limits.award_choice`: state-funded projects (and every
  government procurement, 政府采购法实施条例 第四十三条) the first-ranked candidate still in the
  running, falling back in rank when candidates declined or were disqualified; otherwise any
  remaining candidate (招标投标法 第四十条). The result is announced in the same transaction.
* **Contract (条例 57).** Recording the signed contract sets the refund due date of every paid
  deposit of the round (:func:`core.rules.limits.refund_due`: 5 日 after signing, engineering).

Every step is audited and emits its event in the same transaction (docs/events.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.events import EventType
from core.model.party import Party
from core.model.tendering import (
    Award,
    Bid,
    BidOpening,
    Candidate,
    Evaluation,
    Objection,
    Publicity,
    Registration,
    Round,
    RoundStatus,
)
from core.rules import limits
from core.rules.calendar import require_aware
from core.rules.procedures import Domain, Procedure, procedure_for
from core.security.access import acts_for_project, require_party_user, require_project_actor
from core.security.principal import SYSTEM_ACTOR, Principal
from core.services import deadlines, lifecycle_notices
from core.services.calendar import calendar_of
from core.services.tendering.rounds import emit_round, get_round
from core.services.tendering.supervision import ensure_not_suspended
from core.services.validation import amount, required_text
from core.uow import UnitOfWork

MAX_TEXT = 5000


class PublicityStatus(StrEnum):
    RUNNING = "running"
    SUSPENDED = "suspended"  # an objection is open (条例 54: 暂停招标投标活动)
    ENDED = "ended"


class CandidateStatus(StrEnum):
    RANKED = "ranked"
    DECLINED = "declined"  # 放弃中标, cannot perform, no performance bond (条例 55)
    DISQUALIFIED = "disqualified"  # 被查实存在影响中标结果的违法行为 (条例 55)
    AWARDED = "awarded"


OUT_OF_RUNNING = frozenset({CandidateStatus.DECLINED.value, CandidateStatus.DISQUALIFIED.value})


@dataclass(frozen=True)
class CandidateView:
    """A candidate as published: rank, bidder and the price read out at the opening."""

    rank: int
    status: str
    bid_id: int
    party_id: int
    bidder_name: str
    bidder_identifier: str
    price: Decimal | None
    declared: dict[str, Any] | None = None  # the items read out at the opening (public since)
    bidder_is_person: bool = False  # the identifier is a 身份证 number (个人信息)

    @property
    def public_identifier(self) -> str:
        """The identifier as any signed-in reader may see it: a person's 身份证 number without
        its birth date (个人信息保护法 Art. 28: sensitive personal information). The
        supervising platforms receive it whole, in the event."""
        if not self.bidder_is_person or len(self.bidder_identifier) != 18:
            return self.bidder_identifier
        return self.bidder_identifier[:6] + "*" * 8 + self.bidder_identifier[14:]


def payload(view: CandidateView) -> dict[str, Any]:
    """The candidate as the events carry it to the platforms."""
    out = asdict(view)
    del out["bidder_is_person"]
    return out


# -- helpers -------------------------------------------------------------------------------------


def procedure_of(r: Round) -> Procedure:
    tp = r.section.tender_project
    return procedure_for(tp.project.domain, tp.tender_mode)


def lock(uow: UnitOfWork, r: Round) -> Round:
    """The round again, locked for this transaction (the scheduler locks it the same way)."""
    return uow.session.scalars(
        select(Round).where(Round.id == r.id).with_for_update(of=Round)
        .execution_options(populate_existing=True)).one()


def _actor_round(uow: UnitOfWork, principal: Principal, section_code: str) -> Round:
    r = get_round(uow, principal, section_code)
    require_project_actor(principal, r.section.tender_project.project)
    return lock(uow, r)


def _key(r: Round) -> str:
    return f"{r.section.code}/{r.round_no}"


def candidate_views(uow: UnitOfWork, r: Round) -> list[CandidateView]:
    rows = uow.session.execute(
        select(Candidate, Bid.party_id, Party.name, Party.uscc, Party.id_number, BidOpening.price,
               BidOpening.declared)
        .join(Bid, Bid.id == Candidate.bid_id)
        .join(Party, Party.id == Bid.party_id)
        .outerjoin(BidOpening, BidOpening.bid_id == Bid.id)
        .where(Candidate.round_id == r.id).order_by(Candidate.rank)).all()
    return [CandidateView(rank=c.rank, status=c.status, bid_id=c.bid_id, party_id=party_id,
                          bidder_name=name, bidder_identifier=uscc or id_number or "",
                          price=price, declared=declared, bidder_is_person=uscc is None)
            for c, party_id, name, uscc, id_number, price, declared in rows]


def _candidates_payload(uow: UnitOfWork, r: Round) -> list[dict[str, Any]]:
    return [payload(c) for c in candidate_views(uow, r)]


def _publicity(uow: UnitOfWork, r: Round) -> Publicity:
    p = uow.session.get(Publicity, r.id)
    if p is None:
        raise not_found("中标候选人公示", "publicity", r.section.code)
    return p


def _publicity_payload(p: Publicity) -> dict[str, Any]:
    return {"publicity_status": p.status, "publicity_starts_at": p.starts_at,
            "publicity_ends_at": p.ends_at}


def _open_objections(uow: UnitOfWork, r: Round) -> list[Objection]:
    return list(uow.session.scalars(select(Objection).where(
        Objection.round_id == r.id, Objection.answered_at.is_(None)).order_by(Objection.id)))


def suspension_started(objections: Collection[Objection], now: datetime) -> datetime:
    """When the suspension that ends ``now`` began: the earliest raising among the objections
    whose open periods overlap (or touch) one another up to ``now``."""
    start = now
    spans = sorted(((o.raised_at, o.answered_at or now) for o in objections),
                   key=lambda span: span[1], reverse=True)
    for raised, answered in spans:
        if answered < start:
            break  # earlier spans end earlier still: the publicity ran in between
        start = min(start, raised)
    return start


# -- 条例 54: the candidates publicity -------------------------------------------------------------


def _report_received_at(evaluation: Evaluation | None) -> datetime | None:
    """When the tenderer received the evaluation report: when its signatures were closed (the
    report is handed over then), else when it was generated. ``None`` without an evaluation on
    record (the publicity's start is then not checked against the report)."""
    if evaluation is None:
        return None
    if evaluation.status != "signed" or evaluation.reported_at is None:
        raise DomainError("EVALUATION_NOT_SIGNED_OFF", "评标报告尚未签署完成，不能公示中标候选人",
                          "the evaluation report is not signed off yet", ErrorKind.CONFLICT)
    signatures = (evaluation.result or {}).get("signatures")
    closed = signatures.get("closed_at") if isinstance(signatures, dict) else None
    if isinstance(closed, str):
        try:
            return datetime.fromisoformat(closed)
        except ValueError:
            pass
    return evaluation.reported_at


def start_publicity(uow: UnitOfWork, principal: Principal, section_code: str,
                    ends_at: datetime) -> Publicity:
    """中标候选人公示 from now until ``ends_at``; refused if shorter than the legal minimum."""
    r = _actor_round(uow, principal, section_code)
    ensure_not_suspended(r)
    if r.status != RoundStatus.EVALUATING:
        raise DomainError("ROUND_NOT_EVALUATING", "只有评标结束、尚未公示的轮次可以公示中标候选人",
                          "candidates can be published only after the evaluation, once",
                          ErrorKind.CONFLICT)
    received = _report_received_at(uow.session.get(Evaluation, r.id))
    candidates = uow.session.scalars(select(Candidate).where(Candidate.round_id == r.id)).all()
    limits.check_candidates(len(candidates))
    if not candidates:
        raise DomainError("NO_CANDIDATES", "评标委员会未推荐中标候选人，无可公示",
                          "the committee named no candidate; there is nothing to publish",
                          ErrorKind.CONFLICT)
    now = uow.clock.now()
    require_aware(ends_at, "ends_at")
    procedure = procedure_of(r)
    last = limits.check_publicity(procedure, calendar_of(uow), now, ends_at,
                                  report_received_at=received)
    before = snapshot(r)
    p = Publicity(round_id=r.id, starts_at=now, ends_at=ends_at.astimezone(UTC),
                  status=PublicityStatus.RUNNING.value)
    uow.session.add(p)
    r.status = RoundStatus.PUBLICITY.value
    r.next_check = p.ends_at
    r.updated_at = now
    uow.record(principal.actor, "round.publicity", "round", _key(r), before, snapshot(r))
    uow.record(principal.actor, "publicity.start", "publicity", _key(r), None, snapshot(p))
    if last is not None and procedure.publicity is not None:
        deadlines.track(uow, r, deadlines.Rule.PUBLICITY_PERIOD, procedure.publicity, now, last)
    emit_round(uow, r, EventType.CANDIDATES_PUBLISHED, principal.actor, **_publicity_payload(p),
               candidates=_candidates_payload(uow, r))
    lifecycle_notices.candidates(uow, r, p, candidate_views(uow, r), principal.actor,
                                 principal.account_id)
    uow.commit()
    return p


def get_publicity(uow: UnitOfWork, principal: Principal, section_code: str
                  ) -> tuple[Round, Publicity, list[CandidateView], int]:
    """The publicity is public: any signed-in caller may read it, with its candidates."""
    r = get_round(uow, principal, section_code)
    p = _publicity(uow, r)
    return r, p, candidate_views(uow, r), len(_open_objections(uow, r))


def publicity_due(uow: UnitOfWork, r: Round) -> str | None:
    """The scheduler's step for a round in publicity: end the publicity once its end has come.

    A suspended publicity is never ended here (条例 54); the answer to its last objection
    schedules it again. Returns the round's status when the publicity ended, else ``None``.
    """
    p = uow.session.get(Publicity, r.id)
    now = uow.clock.now()
    if p is None or p.status != PublicityStatus.RUNNING:
        r.next_check = None  # suspended (or gone): only an answer schedules it again
        uow.commit()
        return None
    if p.ends_at > now:
        r.next_check = p.ends_at
        uow.commit()
        return None
    before = snapshot(p)
    p.status = PublicityStatus.ENDED.value
    r.next_check = None
    r.updated_at = now
    uow.record(SYSTEM_ACTOR, "publicity.end", "publicity", _key(r), before, snapshot(p))
    emit_round(uow, r, EventType.PUBLICITY_ENDED, SYSTEM_ACTOR, **_publicity_payload(p))
    uow.commit()
    return r.status


# -- 条例 54: objections ---------------------------------------------------------------------------


def _objection_payload(o: Objection, party: Party) -> dict[str, Any]:
    return {"objection_id": o.id, "party_id": party.id, "party_name": party.name,
            "party_identifier": party.identifier, "text": o.text, "raised_at": o.raised_at,
            "answer": o.answer, "answered_at": o.answered_at}


def raise_objection(uow: UnitOfWork, principal: Principal, section_code: str,
                    text: str) -> Objection:
    """A bidder of the round objects to the evaluation result while the publicity runs; the
    publicity stands suspended until every open objection is answered."""
    party_id = require_party_user(principal)
    r = lock(uow, get_round(uow, principal, section_code))
    registered = uow.session.scalar(select(Registration.id).where(
        Registration.round_id == r.id, Registration.party_id == party_id))
    if registered is None:
        raise DomainError("NOT_A_BIDDER_OF_ROUND", "只有本轮投标人可以对评标结果提出异议",
                          "only a bidder of this round may object to its result",
                          ErrorKind.FORBIDDEN)
    p = uow.session.get(Publicity, r.id) if r.status == RoundStatus.PUBLICITY else None
    now = uow.clock.now()
    if p is None or p.status == PublicityStatus.ENDED or (
            p.status == PublicityStatus.RUNNING and now > p.ends_at):
        raise DomainError("OBJECTION_OUTSIDE_PUBLICITY",
                          "对评标结果的异议应当在中标候选人公示期间提出（《招标投标法实施条例》第五十四条）",
                          "an objection to the result must be raised during the candidates "
                          "publicity (Tendering Regulation art. 54)", ErrorKind.CONFLICT)
    body = required_text(text, "text", MAX_TEXT)
    objection = Objection(round_id=r.id, party_id=party_id, text=body, raised_at=now)
    uow.session.add(objection)
    uow.session.flush()
    uow.record(principal.actor, "objection.raise", "objection", f"{_key(r)}/{objection.id}",
               None, snapshot(objection))
    if p.status == PublicityStatus.RUNNING:
        before = snapshot(p)
        p.status = PublicityStatus.SUSPENDED.value
        r.next_check = None
        r.updated_at = now
        uow.record(principal.actor, "publicity.suspend", "publicity", _key(r), before,
                   snapshot(p))
    party = uow.session.get(Party, party_id)
    assert party is not None
    emit_round(uow, r, EventType.OBJECTION_RAISED, principal.actor, **_publicity_payload(p),
               objection=_objection_payload(objection, party))
    uow.commit()
    return objection


def answer_objection(uow: UnitOfWork, principal: Principal, section_code: str,
                     objection_id: int, answer: str) -> Objection:
    """The owner's answer; when no objection is left open the publicity runs again, its end
    moved later by the time it stood suspended."""
    r = _actor_round(uow, principal, section_code)
    objection = uow.session.get(Objection, objection_id)
    if objection is None or objection.round_id != r.id:
        raise not_found("异议", "objection", objection_id)
    if objection.answered_at is not None:
        raise DomainError("OBJECTION_ALREADY_ANSWERED", "该异议已经答复",
                          "this objection has already been answered", ErrorKind.CONFLICT)
    body = required_text(answer, "answer", MAX_TEXT)
    now = uow.clock.now()
    before = snapshot(objection)
    objection.answer = body
    objection.answered_at = now
    uow.record(principal.actor, "objection.answer", "objection", f"{_key(r)}/{objection.id}",
               before, snapshot(objection))
    p = _publicity(uow, r)
    if p.status == PublicityStatus.SUSPENDED and not _open_objections(uow, r):
        episode = uow.session.scalars(select(Objection).where(Objection.round_id == r.id)).all()
        before_p = snapshot(p)
        p.ends_at = p.ends_at + (now - suspension_started(episode, now))
        p.status = PublicityStatus.RUNNING.value
        r.next_check = p.ends_at
        r.updated_at = now
        uow.record(principal.actor, "publicity.resume", "publicity", _key(r), before_p,
                   snapshot(p))
    party = uow.session.get(Party, objection.party_id)
    assert party is not None
    emit_round(uow, r, EventType.OBJECTION_ANSWERED, principal.actor, **_publicity_payload(p),
               objection=_objection_payload(objection, party))
    uow.commit()
    return objection


def list_objections(uow: UnitOfWork, principal: Principal, section_code: str
                    ) -> list[Objection]:
    """The owner, its agency and the oversight kinds see every objection; a bidder its own."""
    r = get_round(uow, principal, section_code)
    query = select(Objection).where(Objection.round_id == r.id).order_by(Objection.id)
    project = r.section.tender_project.project
    if not (principal.has_oversight or acts_for_project(principal, project)):
        query = query.where(Objection.party_id == require_party_user(principal))
    return list(uow.session.scalars(query))


# -- 条例 55: the award notice and the result ------------------------------------------------------


def _ranked(by_rank: dict[int, Candidate], ranks: Collection[int], name: str) -> set[Candidate]:
    unknown = sorted(set(ranks) - by_rank.keys())
    if unknown:
        raise DomainError("CANDIDATE_NOT_FOUND", f"没有排名为 {unknown} 的中标候选人",
                          f"there is no candidate ranked {unknown}", field=name)
    return {by_rank[rank] for rank in ranks}


def issue_award(uow: UnitOfWork, principal: Principal, section_code: str, *,
                declined_ranks: Collection[int] = (),
                disqualified_ranks: Collection[int] = (),
                rank: int | None = None) -> Award:
    """中标通知书 to the candidate the law allows, and the result announced (条例 55).

    ``declined_ranks`` gave up, cannot perform or lodged no performance bond;
    ``disqualified_ranks`` were found to have broken the law. ``rank`` is the owner's choice,
    honoured only where the law leaves one (not state-funded). Nobody left:
    ``NO_CANDIDATE_LEFT_REG_55`` and nothing changes — the section is tendered again.
    """
    r = _actor_round(uow, principal, section_code)
    ensure_not_suspended(r)
    if r.status != RoundStatus.PUBLICITY:
        raise DomainError("ROUND_NOT_IN_PUBLICITY", "只有中标候选人公示结束后才能确定中标人",
                          "the winner is chosen only after the candidates publicity",
                          ErrorKind.CONFLICT)
    p = _publicity(uow, r)
    if p.status != PublicityStatus.ENDED:
        raise DomainError("PUBLICITY_NOT_ENDED", "公示期尚未结束（或异议尚未答复），不能确定中标人",
                          "the publicity has not ended (or an objection is still open)",
                          ErrorKind.CONFLICT)
    candidates = list(uow.session.scalars(select(Candidate).where(Candidate.round_id == r.id)
                                          .order_by(Candidate.rank)))
    by_rank = {c.rank: c for c in candidates}
    declined = _ranked(by_rank, declined_ranks, "declined_ranks")
    disqualified = _ranked(by_rank, disqualified_ranks, "disqualified_ranks")
    chosen = None if rank is None else next(iter(_ranked(by_rank, [rank], "rank")))
    out = {c for c in candidates if c.status in OUT_OF_RUNNING} | declined | disqualified
    procedure = procedure_of(r)
    state_funded = r.state_funded or procedure.domain is Domain.GOV_PROCUREMENT
    winner = limits.award_choice(state_funded, candidates, out, chosen)
    now = uow.clock.now()
    statuses_before = {str(c.rank): c.status for c in candidates}
    for c in declined - disqualified:
        c.status = CandidateStatus.DECLINED.value
    for c in disqualified:
        c.status = CandidateStatus.DISQUALIFIED.value
    winner.status = CandidateStatus.AWARDED.value
    award = Award(round_id=r.id, bid_id=winner.bid_id, notice_issued_at=now)
    uow.session.add(award)
    before = snapshot(r)
    r.status = RoundStatus.AWARDED.value
    r.next_check = None
    r.updated_at = now
    uow.record(principal.actor, "candidates.status", "candidates", _key(r), statuses_before,
               {str(c.rank): c.status for c in candidates})
    uow.record(principal.actor, "award.issue", "award", _key(r), None, snapshot(award))
    uow.record(principal.actor, "round.award", "round", _key(r), before, snapshot(r))
    views = candidate_views(uow, r)
    won = next(payload(v) for v in views if v.rank == winner.rank)
    listed = [payload(v) for v in views]
    emit_round(uow, r, EventType.AWARD_NOTICE_ISSUED, principal.actor, notice_issued_at=now,
               winner=won, candidates=listed)
    emit_round(uow, r, EventType.RESULT_ANNOUNCED, principal.actor, announced_at=now,
               winner=won, candidates=listed)
    lifecycle_notices.result(uow, r, award, winner_view(uow, r, award), principal.actor,
                             principal.account_id)
    uow.commit()
    return award


def get_award(uow: UnitOfWork, principal: Principal, section_code: str
              ) -> tuple[Round, Award, CandidateView]:
    """The award is announced publicly: any signed-in caller may read it."""
    r = get_round(uow, principal, section_code)
    award = uow.session.get(Award, r.id)
    if award is None:
        raise not_found("中标结果", "award", section_code)
    return r, award, winner_view(uow, r, award)


def winner_view(uow: UnitOfWork, r: Round, award: Award) -> CandidateView:
    return next(v for v in candidate_views(uow, r) if v.bid_id == award.bid_id)


# -- 条例 57: the contract, and the deposits falling due ------------------------------------------


def record_contract(uow: UnitOfWork, principal: Principal, section_code: str,
                    contract_amount: Decimal | str, signed_at: datetime) -> Award:
    """The signed contract on record; every paid deposit of the round falls due for refund
    (5 日 after signing for engineering, 条例 57; 5 个工作日 in government procurement)."""
    r = _actor_round(uow, principal, section_code)
    if r.status != RoundStatus.AWARDED:
        raise DomainError("ROUND_NOT_AWARDED", "只有发出中标通知书后才能登记合同",
                          "a contract is recorded only after the award notice",
                          ErrorKind.CONFLICT)
    award = uow.session.get(Award, r.id)
    assert award is not None
    value = amount(contract_amount, "amount")
    if value is None or value <= 0:
        raise DomainError("CONTRACT_AMOUNT_INVALID", "合同金额必须大于零",
                          "the contract amount must be greater than zero", field="amount")
    now = uow.clock.now()
    require_aware(signed_at, "signed_at")
    if signed_at > now:
        raise DomainError("CONTRACT_SIGNED_IN_FUTURE", "合同签订时间不能晚于当前时间",
                          "the contract cannot be signed in the future", field="signed_at")
    if signed_at < award.notice_issued_at:
        raise DomainError("CONTRACT_BEFORE_AWARD", "合同签订时间不能早于中标通知书发出时间",
                          "the contract cannot be signed before the award notice",
                          field="signed_at")
    procedure = procedure_of(r)
    signed_at = signed_at.astimezone(UTC)  # UTC in storage and in event payloads
    refund = (limits.refund_due(procedure, calendar_of(uow), signed_at)
              if procedure.refund_after_contract is not None else None)
    due = refund.ends_at.astimezone(UTC) if refund is not None else None
    before_award, before_round = snapshot(award), snapshot(r)
    award.contract_amount = value
    award.contract_signed_at = signed_at
    award.refund_due_at = due
    uow.record(principal.actor, "award.contract", "award", _key(r), before_award,
               snapshot(award))
    deposits = []
    for reg in uow.session.scalars(select(Registration).where(
            Registration.round_id == r.id, Registration.deposit_status == "paid")
            .order_by(Registration.id).with_for_update(of=Registration)):
        before_reg = snapshot(reg)
        reg.deposit_refund_due_at = due
        uow.record(principal.actor, "deposit.refund_due", "registration",
                   f"{_key(r)}/{reg.party_id}", before_reg, snapshot(reg))
        deposits.append({"party_id": reg.party_id, "party_identifier": reg.party.identifier,
                         "deposit_status": reg.deposit_status, "refund_due_at": due})
    r.status = RoundStatus.CONTRACTED.value
    r.updated_at = now
    uow.record(principal.actor, "round.contract", "round", _key(r), before_round, snapshot(r))
    if refund is not None and procedure.refund_after_contract is not None:
        deadlines.track(uow, r, deadlines.Rule.REFUND_DUE, procedure.refund_after_contract,
                        signed_at, refund)
    emit_round(uow, r, EventType.CONTRACT_RECORDED, principal.actor,
               winner=payload(winner_view(uow, r, award)), contract_amount=value,
               contract_signed_at=signed_at, deposit_refund_due_at=due, deposits=deposits)
    lifecycle_notices.contract(uow, r, award, winner_view(uow, r, award), principal.actor,
                               principal.account_id)
    uow.commit()
    return award

