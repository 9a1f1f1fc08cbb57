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

For 政府采购 it declares the price policy the documents fix (:mod:`core.rules.price_policy`): the
采购对象 (goods, services or works: the price weight's bounds of 87号令 55 / 214号 24 and the
小微企业 deduction's range of 46号 9 depend on it), whether the price is 统一定价/固定价格 (then no
price criterion, 87号令 55), and the 小微企业 deductions (46号 9 as raised by 财库〔2022〕19号:
10–20 %, 联合体/分包 4–6 %). An engineering round declares none of these.
And what the limits before the bidding read (:mod:`core.rules.must_tender`,
:mod:`core.rules.documents_limits`, :mod:`core.rules.single_source`):

* ``documents_available_until`` — the documents stay on sale until then (default: the bid
  deadline); at least 5 日 from the issue (条例 16), 5 个工作日 for a government tender (87号令 18)
  or a 磋商 (214号 10);
* ``contract_kind`` and ``invitation_ground`` — an invited engineering tender (``tender_mode`` "2")
  of a state-funded project whose contract reaches 发改委令16号 第五条's threshold needs one of
  条例 8's grounds;
* ``single_source_publicity_at`` — 单一来源 at or above the 公开招标数额标准 is issued only after
  its 公示 in the designated media has run 5 个工作日 (政采条例 38);
* ``standardised`` — a government tender of 技术、服务等标准统一 goods or services: the committee
  will have to use 最低评标价法 (政采条例 34, 87号令 54;
  :func:`core.rules.limits.check_standardised` refuses it on other procedures);
* ``two_supplier_ground`` and ``two_supplier_approval`` — the case in which 2 suppliers may go on
  (:mod:`core.rules.supplier_minimum`: 74号令 27② for 谈判, with the 财政部门's 批准文号; 214号
  21③ and 财库〔2015〕124号 for 磋商). Stated here, so before the documents go out and long before
  the opening, by the purchaser or its agency like every other setting, and audited with them
  (``round.configure`` / ``round.edit_draft``); the deadline then lets 2 sealed responses open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import func, select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.events import EventType
from core.model.project import Section
from core.model.tendering import Round, RoundStatus
from core.rules import documents_limits, limits, price_policy, single_source, supplier_minimum
from core.rules.calendar import require_aware
from core.rules.must_tender import ContractKind, InvitationGround, check_invited_tender
from core.sealing.keyholders import keyholder_panel
from core.security.access import can_read_project, require_project_actor
from core.security.principal import Principal
from core.services import deadlines
from core.services.calendar import calendar_of
from core.services.project_queries import get_section
from core.services.tendering.lifecycle import reschedule, transition
from core.services.tendering.procedure import procedure_of, section_procedure
from core.services.tendering.round_events import emit_round
from core.services.validation import amount, optional_name, required_name
from core.uow import UnitOfWork

E = TypeVar("E", ContractKind, InvitationGround)


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
    procurement_object: str | None = None  # goods | services | works (政府采购 only)
    fixed_price: bool = False  # 执行统一定价标准/固定价格采购: no price criterion (87号令 55)
    sme_deduction: Decimal | None = None  # percent, 小微企业 (46号 9, 19号)
    sme_joint_deduction: Decimal | None = None  # percent, 联合体/分包 with ≥ 30 % 小微 share
    documents_available_until: datetime | None = None  # None: until the bid deadline (条例 16)
    contract_kind: str | None = None  # ContractKind: 发改委令16号 5's threshold
    invitation_ground: str | None = None  # InvitationGround: 条例 8, for 邀请招标
    single_source_publicity_at: datetime | None = None  # 政采条例 38's 公示, in the media
    standardised: bool = False  # 技术、服务等标准统一: 最低评标价法 (政采条例 34, 87号令 54)
    two_supplier_ground: str | None = None  # TwoSupplierGround (core.rules.supplier_minimum)
    two_supplier_approval: str | None = None  # the 财政部门's 批准文号 (74号令 27②)
    deposit_deadline: datetime | None = None  # 保证金到账截止时间; None: the bid deadline


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


def _percent(value: Decimal | None, name: str) -> Decimal | None:
    """A rate in percent as stored: two decimals, refused (not rounded) beyond them."""
    if value is None:
        return None
    if not value.is_finite() or value != value.quantize(_CENT):
        raise DomainError("RATE_INVALID", f"{name} 须为最多两位小数的百分数",
                          f"{name} is a percentage with at most 2 decimals", field=name)
    return value.quantize(_CENT)


_CENT = Decimal("0.01")


def _checked(uow: UnitOfWork, section: Section, s: RoundSettings) -> dict[str, Any]:
    """The round's settings, checked against every limit that can be known before the issue.

    Why at configuration too: a deadline too close for the legal bidding period would otherwise
    be found only at issue, when the tender notice is already public. Issuing now is the earliest
    the documents can go out, so a deadline that fails from now fails at any later issue; the
    issue checks again against the real moment (time may have passed meanwhile).
    """
    procedure = section_procedure(section)
    if s.procurement_object is not None:
        try:
            price_policy.ProcurementObject(s.procurement_object)
        except ValueError as err:
            raise DomainError("PROCUREMENT_OBJECT_UNKNOWN",
                              f"未知的采购对象：{s.procurement_object}（货物 goods、服务 services、"
                              "工程 works）", f"unknown procurement object: {s.procurement_object}",
                              field="procurement_object") from err
    rates = price_policy.SmeRates(_percent(s.sme_deduction, "sme_deduction"),
                                  _percent(s.sme_joint_deduction, "sme_joint_deduction"))
    price_policy.check_gov_only(procedure, procurement_object=s.procurement_object,
                                fixed_price=s.fixed_price, rates=rates)
    price_policy.check_sme_rates(s.procurement_object, rates)
    limits.check_standardised(procedure, s.standardised)
    two_ground = supplier_minimum.ground_of(s.two_supplier_ground)
    approval = optional_name(s.two_supplier_approval, "two_supplier_approval",
                             supplier_minimum.MAX_APPROVAL)
    supplier_minimum.check_two_supplier_ground(procedure, two_ground, approval)
    kind = _choice(ContractKind, s.contract_kind, "contract_kind")
    ground = _choice(InvitationGround, s.invitation_ground, "invitation_ground")
    check_invited_tender(procedure, state_funded=s.state_funded, kind=kind,
                         estimated_price=section.estimated_price, ground=ground)
    now = uow.clock.now()
    available = (None if s.documents_available_until is None
                 else require_aware(s.documents_available_until, "documents_available_until"))
    if available is not None:  # issuing now is the earliest: too short now is too short later
        documents_limits.check_documents_on_sale(procedure, calendar_of(uow), now, available)
    publicised = (None if s.single_source_publicity_at is None
                  else require_aware(s.single_source_publicity_at, "single_source_publicity_at"))
    if publicised is not None and publicised > now:
        raise DomainError("PUBLICITY_IN_FUTURE", "公示时间不能晚于当前时间",
                          "the publicity cannot start in the future",
                          field="single_source_publicity_at")
    deposit = amount(s.deposit, "deposit")
    if deposit is not None and section.estimated_price is not None:
        limits.check_deposit(procedure, deposit, section.estimated_price)
    if s.bid_deadline.tzinfo is None:
        raise DomainError("DEADLINE_NOT_AWARE", "截止时间须带时区",
                          "the deadline needs a time zone", field="bid_deadline")
    limits.check_bidding_period(procedure, calendar_of(uow), uow.clock.now(), s.bid_deadline)
    deposit_by = (None if s.deposit_deadline is None
                  else require_aware(s.deposit_deadline, "deposit_deadline"))
    if deposit_by is not None and deposit_by > s.bid_deadline:
        # a credit counts only before it; after the bid deadline it would let a bidder pay once
        # it knows who else bid (the documents may set it earlier, never later)
        raise DomainError("DEPOSIT_DEADLINE_AFTER_BID_DEADLINE",
                          "保证金到账截止时间不能晚于投标截止时间",
                          "the deposit deadline cannot be after the bid deadline",
                          field="deposit_deadline")
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
            "procurement_object": s.procurement_object, "fixed_price": s.fixed_price,
            "sme_deduction": rates.rate, "sme_joint_deduction": rates.joint_rate,
            "documents_available_until": available,
            "contract_kind": kind.value if kind else None,
            "invitation_ground": ground.value if ground else None,
            "single_source_publicity_at": publicised,
            "standardised": s.standardised,
            "two_supplier_ground": two_ground.value if two_ground else None,
            "two_supplier_approval": approval,
            "deposit_deadline": deposit_by,
            "committee": panel.to_json().decode()}


def _choice(enum: type[E], value: str | None, name: str) -> E | None:
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise DomainError(f"{name.upper()}_UNKNOWN", f"{name} 须为 {allowed} 之一",
                          f"{name} is one of {allowed}", field=name) from None


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
    """招标文件发出: bidding opens; the deadline must leave the legal bidding period (法 24), the
    documents stay on sale long enough (条例 16, 87号令 18), an invited tender has its 条例 8
    ground and a single-source procurement its 公示 behind it (政采条例 38) — checked again
    against the real moment and the section's estimated price as they are now."""
    r = get_round(uow, principal, section_code)
    require_project_actor(principal, r.section.tender_project.project)
    if r.status != RoundStatus.DRAFT:
        raise DomainError("ROUND_NOT_DRAFT", "招标文件已发出", "the documents were already issued",
                          ErrorKind.CONFLICT)
    now = uow.clock.now()
    procedure = procedure_of(r)
    calendar = calendar_of(uow)
    earliest = limits.check_bidding_period(procedure, calendar, now, r.bid_deadline)
    check_invited_tender(
        procedure, state_funded=r.state_funded,
        kind=ContractKind(r.contract_kind) if r.contract_kind else None,
        estimated_price=r.section.estimated_price,
        ground=InvitationGround(r.invitation_ground) if r.invitation_ground else None)
    on_sale = documents_limits.check_documents_on_sale(
        procedure, calendar, now, r.documents_available_until or r.bid_deadline)
    single_source.check_publicity_before(
        procedure, calendar, budget=r.section.estimated_price,
        threshold=limits.CENTRAL_THRESHOLDS.goods_services,
        published_at=r.single_source_publicity_at, issued_at=now)
    before = snapshot(r)
    r.documents_issued_at = now
    transition(uow, r, RoundStatus.BIDDING, principal.actor, "round.issue_documents",
               before=before)
    if earliest is not None and procedure.bidding_period is not None:
        deadlines.track(uow, r, deadlines.Rule.BIDDING_PERIOD, procedure.bidding_period, now,
                        earliest)
    if on_sale is not None and procedure.documents_on_sale is not None:
        deadlines.track(uow, r, deadlines.Rule.DOCUMENTS_ON_SALE, procedure.documents_on_sale,
                        now, on_sale)
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
