"""Configuring a tendering round and issuing its documents.

A round is configured by the project's owner or agency with its deadline, deposit and opening
keyholders: k of n named keyholders, each with the public key it made on its own side
(``ggzy-bid keyholder keygen``). Only those public keys are stored and published
(core.sealing.keyholders); no committee key is made, so the platform holds nothing that opens a
bid (电子招标投标办法 第二十八条). Issuing the documents opens bidding, and from then on the legal
limits of the round's procedure apply.

The owner or agency also declares here what the law leaves to its judgment and the evaluation
committee depends on: a 技术复杂 or 社会影响较大 project needs a government committee of 7 or more
(财政部令第87号 第四十七条), and a 技术复杂、专业性强 磋商 a 法律专家 (财库〔2014〕214号 第十四条);
:func:`core.services.tendering.evaluation.assign_committee` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import func, select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.events import EventType
from core.model.project import Section
from core.model.tendering import Round, RoundStatus
from core.rules import limits
from core.sealing.keyholders import keyholder_panel
from core.security.access import can_read_project, require_project_actor
from core.security.principal import Principal
from core.services import deadlines
from core.services.calendar import calendar_of
from core.services.project_queries import get_section
from core.services.tendering.lifecycle import reschedule, transition
from core.services.tendering.procedure import procedure_of, section_procedure
from core.services.tendering.round_events import emit_round
from core.services.validation import amount, required_name
from core.uow import UnitOfWork


@dataclass(frozen=True)
class Keyholder:
    name: str
    public_key_pem: str


@dataclass(frozen=True)
class RoundSettings:
    bid_deadline: datetime
    keyholders: tuple[Keyholder, ...]
    threshold: int
    deposit: Decimal | None = None
    state_funded: bool = False
    opening_window_minutes: int = 60
    committee_fallback: bool = True  # the tender documents let k keyholders open a failed bid
    technically_complex: bool = False  # 技术复杂 (87号令 47), 技术复杂、专业性强 (214号 14)
    large_social_impact: bool = False  # 社会影响较大 (87号令 47)


def _public_key(holder: Keyholder) -> ec.EllipticCurvePublicKey:
    try:
        key = load_pem_public_key(holder.public_key_pem.encode("ascii"))
    except (ValueError, UnsupportedAlgorithm) as err:  # UnicodeEncodeError is a ValueError
        raise DomainError("KEYHOLDER_KEY_INVALID", f"开标密钥持有人 {holder.name} 的公钥无效",
                          f"keyholder {holder.name} has no valid public key",
                          field="keyholders") from err
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise DomainError("KEYHOLDER_KEY_INVALID",
                          f"开标密钥持有人 {holder.name} 须使用 P-256 公钥",
                          f"keyholder {holder.name} needs a P-256 public key", field="keyholders")
    return key


def _checked(uow: UnitOfWork, section: Section, s: RoundSettings) -> dict[str, Any]:
    """The round's settings, checked against every limit that can be known before the issue.

    Why at configuration too: a deadline too close for the legal bidding period would otherwise
    be found only at issue, when the tender notice is already public. Issuing now is the earliest
    the documents can go out, so a deadline that fails from now fails at any later issue; the
    issue checks again against the real moment (time may have passed meanwhile).
    """
    procedure = section_procedure(section)
    deposit = amount(s.deposit, "deposit")
    if deposit is not None and section.estimated_price is not None:
        limits.check_deposit(procedure, deposit, section.estimated_price)
    if s.bid_deadline.tzinfo is None:
        raise DomainError("DEADLINE_NOT_AWARE", "截止时间须带时区",
                          "the deadline needs a time zone", field="bid_deadline")
    limits.check_bidding_period(procedure, calendar_of(uow), uow.clock.now(), s.bid_deadline)
    if not 5 <= s.opening_window_minutes <= 24 * 60:
        raise DomainError("OPENING_WINDOW_INVALID", "解密时限须在 5 分钟至 24 小时之间",
                          "the decryption window is 5 minutes to 24 hours",
                          field="opening_window_minutes")
    holders = [(required_name(h.name, "keyholders.name", 100), _public_key(h))
               for h in s.keyholders]
    panel = keyholder_panel(section.code, holders, s.threshold)  # public keys only
    return {"procedure": procedure.code, "state_funded": s.state_funded,
            "bid_deadline": s.bid_deadline, "opening_window_minutes": s.opening_window_minutes,
            "deposit": deposit, "committee_fallback": s.committee_fallback,
            "technically_complex": s.technically_complex,
            "large_social_impact": s.large_social_impact,
            "committee": panel.to_json().decode()}


def configure_round(uow: UnitOfWork, principal: Principal, section_code: str,
                    s: RoundSettings) -> Round:
    section = get_section(uow, principal, section_code)
    project = section.tender_project.project
    require_project_actor(principal, project)
    open_round = uow.session.scalar(select(Round.status).where(
        Round.section_id == section.id,
        Round.status.in_([RoundStatus.DRAFT, RoundStatus.BIDDING, RoundStatus.OPENING])))
    if open_round == RoundStatus.DRAFT:
        raise DomainError("ROUND_DRAFT_EXISTS", "该标段已有未发出的招标轮次，请修改该草稿"
                          "（PUT …/rounds/current）",
                          "this section has a draft round: correct it with PUT …/rounds/current",
                          ErrorKind.CONFLICT)
    if open_round is not None:
        raise DomainError("ROUND_ALREADY_OPEN", "该标段已有进行中的招标轮次",
                          "this section already has a round in progress", ErrorKind.CONFLICT)
    values = _checked(uow, section, s)
    previous = uow.session.scalar(select(func.max(Round.round_no))
                                  .where(Round.section_id == section.id)) or 0
    now = uow.clock.now()
    r = Round(section=section, round_no=previous + 1, status=RoundStatus.DRAFT.value,
              created_at=now, updated_at=now, **values)
    uow.session.add(r)
    uow.record(principal.actor, "round.configure", "round", f"{section.code}/{r.round_no}",
               None, snapshot(r))
    return r


def edit_draft(uow: UnitOfWork, principal: Principal, section_code: str,
               s: RoundSettings) -> Round:
    """Correct a round that is still a draft: nothing of it is public or sent yet, so every
    setting may change (other keyholders too) under the same limits as at configuration."""
    r = get_round(uow, principal, section_code)
    require_project_actor(principal, r.section.tender_project.project)
    if r.status != RoundStatus.DRAFT:
        raise DomainError("ROUND_NOT_DRAFT",
                          "招标文件已发出，轮次不能再修改（可澄清或修改招标文件）",
                          "the documents were issued: the round can no longer be edited "
                          "(clarify the documents instead)", ErrorKind.CONFLICT)
    values = _checked(uow, r.section, s)
    before = snapshot(r)
    for name, value in values.items():
        setattr(r, name, value)
    r.updated_at = uow.clock.now()
    uow.record(principal.actor, "round.edit_draft", "round", f"{r.section.code}/{r.round_no}",
               before, snapshot(r))
    return r


def get_round(uow: UnitOfWork, principal: Principal | None, section_code: str,
              round_no: int | None = None) -> Round:
    """The section's latest round (or round ``round_no``); bidders may read any issued round."""
    query = (select(Round).join(Round.section).where(Round.section.has(code=section_code))
             .order_by(Round.round_no.desc()))
    if round_no is not None:
        query = query.where(Round.round_no == round_no)
    r = uow.session.scalars(query.limit(1)).first()
    if r is None:
        raise not_found("招标轮次", "round", section_code)
    if r.status == RoundStatus.DRAFT and (
            principal is None or not can_read_project(principal, r.section.tender_project.project)):
        raise not_found("招标轮次", "round", section_code)
    return r


def issue_documents(uow: UnitOfWork, principal: Principal, section_code: str) -> Round:
    """招标文件发出: bidding opens; the deadline must leave the legal bidding period (法 24)."""
    r = get_round(uow, principal, section_code)
    require_project_actor(principal, r.section.tender_project.project)
    if r.status != RoundStatus.DRAFT:
        raise DomainError("ROUND_NOT_DRAFT", "招标文件已发出", "the documents were already issued",
                          ErrorKind.CONFLICT)
    now = uow.clock.now()
    procedure = procedure_of(r)
    earliest = limits.check_bidding_period(procedure, calendar_of(uow), now, r.bid_deadline)
    before = snapshot(r)
    r.documents_issued_at = now
    transition(uow, r, RoundStatus.BIDDING, principal.actor, "round.issue_documents",
               before=before)
    if earliest is not None and procedure.bidding_period is not None:
        deadlines.track(uow, r, deadlines.Rule.BIDDING_PERIOD, procedure.bidding_period, now,
                        earliest)
    emit_round(uow, r, EventType.TENDER_DOCUMENTS_ISSUED, principal.actor)
    return r


def clarify(uow: UnitOfWork, principal: Principal, section_code: str) -> Round:
    """An amendment or clarification of the documents: the deadline moves if fewer than the
    legal minimum of days remain (法 23)."""
    r = get_round(uow, principal, section_code)
    require_project_actor(principal, r.section.tender_project.project)
    if r.status != RoundStatus.BIDDING:
        raise DomainError("ROUND_NOT_BIDDING", "只有投标期内可以澄清或修改招标文件",
                          "documents can be clarified only while bidding is open",
                          ErrorKind.CONFLICT)
    procedure = procedure_of(r)
    now = uow.clock.now()
    clarified = limits.deadline_after_clarification(procedure, calendar_of(uow), now,
                                                    r.bid_deadline)
    before = snapshot(r)
    r.bid_deadline = clarified.deadline
    reschedule(uow, r)
    r.updated_at = now
    uow.record(principal.actor, "round.clarify", "round", f"{r.section.code}/{r.round_no}",
               before, snapshot(r))
    if clarified.earliest is not None and procedure.clarification_notice is not None:
        deadlines.track(uow, r, deadlines.Rule.CLARIFICATION_NOTICE,
                        procedure.clarification_notice, now, clarified.earliest)
    emit_round(uow, r, EventType.TENDER_DOCUMENTS_CLARIFIED, principal.actor)
    return r
