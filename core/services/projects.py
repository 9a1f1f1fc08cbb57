"""项目, 招标项目 and 标段(包): creating and changing them with their national codes, and keeping
codes fixed. Reading them is ``project_queries``; what their events carry, ``project_events``.

Who may create a project depends on the trading domain: the owner role (招标人 for 工程建设,
采购人 for 政府采购, 出让人 for land, mineral and property rights) or the matching agency acting
for an owner that holds that role.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.audit import snapshot
from core.codes.industries import validate_industry
from core.codes.regions import validate_region
from core.errors import DomainError, ErrorKind, not_found
from core.events import DomainEvent, EventType, project_ordering_key
from core.model.party import Party
from core.model.project import Project, Section, TenderProject
from core.platform import PlatformIdentity
from core.rules.domains import trading_domain
from core.security.access import require_party_user, require_project_actor
from core.security.principal import Principal
from core.services import codes_issuer
from core.services.project_events import project_payload, section_payload, tender_project_payload
from core.services.project_queries import get_project, get_section, get_tender_project
from core.services.validation import (
    amount,
    checked,
    optional_name,
    optional_text,
    required_name,
    table_value,
)
from core.uow import UnitOfWork

ENTRUSTED = "2"  # 招标组织形式 2 委托招标: needs an agency
MAX_NAME = 300
MAX_TEXT = 200_000  # descriptions, contents, qualification requirements
MAX_DURATION_DAYS = 36_500  # 工期: a hundred years is already no plan


def _name(v: object) -> str:
    return required_name(v, "name", MAX_NAME)


def _text(field_name: str) -> Any:
    return lambda v: optional_text(v, field_name, MAX_TEXT)


def _label(field_name: str, max_len: int) -> Any:
    return lambda v: optional_name(v, field_name, max_len)


def owner_role(domain: str) -> str:
    return trading_domain(domain).owner_role


def agency_role(domain: str) -> str:
    return trading_domain(domain).agency_role


@dataclass(frozen=True)
class ProjectDetails:
    name: str
    domain: str
    region_code: str
    industry_code: str
    owner_party_id: int | None = None  # required when an agency creates the project
    total_investment: Decimal | None = None
    currency: str = "156"
    price_unit: str = "0"
    invest_project_code: str | None = None
    approval_number: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class TenderProjectDetails:
    name: str
    tender_mode: str
    organize_form: str
    tender_project_type: str | None = None
    content: str | None = None
    supervise_dept_name: str | None = None


@dataclass(frozen=True)
class SectionDetails:
    name: str
    content: str | None = None
    estimated_price: Decimal | None = None
    currency: str = "156"
    price_unit: str = "0"
    duration_days: int | None = None
    qualification: str | None = None


@dataclass(frozen=True)
class Changes:
    """A partial update: ``values`` holds only the fields the caller sent."""

    values: dict[str, Any] = field(default_factory=dict)


IMMUTABLE_FIELDS = frozenset({"code", "unified_deal_code", "project_code",
                              "tender_project_code", "domain"})


def refuse_immutable(values: dict[str, Any]) -> None:
    touched = sorted(IMMUTABLE_FIELDS & values.keys())
    if touched:
        raise DomainError(
            "CODE_IMMUTABLE",
            f"编码一经赋予不得修改：{', '.join(touched)}",
            f"codes are fixed once issued: {', '.join(touched)}",
            ErrorKind.CONFLICT,
            field=touched[0],
        )


def _party_with_role(uow: UnitOfWork, party_id: int, role: str, field_name: str,
                     kind: ErrorKind = ErrorKind.INVALID) -> Party:
    party = uow.session.get(Party, party_id)
    if party is None:
        raise not_found("交易主体", "party", party_id)
    if role not in party.role_codes:
        raise DomainError(
            "PARTY_LACKS_ROLE",
            f"主体 {party.name} 不具有角色 {role}",
            f"party {party.name} does not hold the role {role}",
            kind,
            field=field_name,
        )
    return party


def _owner_and_agency(uow: UnitOfWork, principal: Principal, domain: str,
                      owner_party_id: int | None) -> tuple[int, int | None]:
    """The caller is the owner itself, or an agency naming the owner it acts for."""
    own = require_party_user(principal)
    if owner_party_id is None or owner_party_id == own:
        _party_with_role(uow, own, owner_role(domain), "owner_party_id", ErrorKind.FORBIDDEN)
        return own, None
    _party_with_role(uow, own, agency_role(domain), "owner_party_id", ErrorKind.FORBIDDEN)
    _party_with_role(uow, owner_party_id, owner_role(domain), "owner_party_id")
    return owner_party_id, own


def _money_fields(currency: str, unit: str) -> tuple[str, str]:
    return table_value("currency", currency, "currency"), table_value(
        "price_unit", unit, "price_unit"
    )


def create_project(uow: UnitOfWork, principal: Principal, platform: PlatformIdentity,
                   d: ProjectDetails) -> Project:
    domain = table_value("trading_domain", d.domain, "domain")
    owner_id, agency_id = _owner_and_agency(uow, principal, domain, d.owner_party_id)
    currency, unit = _money_fields(d.currency, d.price_unit)
    invest_code = optional_name(d.invest_project_code, "invest_project_code", 24)
    if invest_code is not None and len(invest_code) != 24:
        raise DomainError("INVEST_PROJECT_CODE_INVALID", "投资项目统一代码应为 24 位",
                          "the investment project code has 24 characters",
                          field="invest_project_code")
    now = uow.clock.now()
    project = Project(
        code=codes_issuer.issue_project_code(uow, platform.code),
        name=_name(d.name), domain=domain,
        region_code=checked(validate_region, d.region_code, "region_code"),
        industry_code=checked(validate_industry, d.industry_code, "industry_code"),
        owner_party_id=owner_id, agency_party_id=agency_id,
        total_investment=amount(d.total_investment, "total_investment"),
        currency=currency, price_unit=unit, invest_project_code=invest_code,
        approval_number=_label("approval_number", 100)(d.approval_number),
        description=_text("description")(d.description),
        created_by=principal.account_id, created_at=now, updated_at=now,
    )
    uow.session.add(project)
    _commit_change(uow, principal, project, "project", project.code,
                   EventType.PROJECT_CREATED, project_payload(uow.session, project), None)
    return project


def _commit_change(uow: UnitOfWork, principal: Principal, obj: Any, kind: str,
                   project_code: str, event: EventType, payload: Mapping[str, Any],
                   before: dict[str, Any] | None) -> None:
    """Audit, announce and commit one change to a project-tree object, in one transaction."""
    action = f"{kind}.{'create' if before is None else 'update'}"
    uow.record(principal.actor, action, kind, obj.code, before, snapshot(obj))
    uow.emit(DomainEvent(event, kind, obj.code, project_ordering_key(project_code), payload),
             principal.actor)


def _tender_mode(domain: str, mode: str) -> str:
    return table_value(trading_domain(domain).mode_table, mode, "tender_mode")


def create_tender_project(uow: UnitOfWork, principal: Principal, platform: PlatformIdentity,
                          project_code: str, d: TenderProjectDetails) -> TenderProject:
    project = get_project(uow, principal, project_code)
    require_project_actor(principal, project)
    form = table_value("tender_organize_form", d.organize_form, "organize_form")
    if form == ENTRUSTED and project.agency_party_id is None:
        raise DomainError("ORGANIZE_FORM_NEEDS_AGENCY", "委托招标须由招标代理机构创建项目",
                          "an entrusted tender needs an agency on the project",
                          field="organize_form")
    project_type = None
    if d.tender_project_type is not None or trading_domain(project.domain).project_type_required:
        project_type = table_value("tender_project_type", d.tender_project_type or "",
                                   "tender_project_type")
    now = uow.clock.now()
    tp = TenderProject(
        project=project,
        code=codes_issuer.issue_tender_project_code(uow, project.code),
        unified_deal_code=codes_issuer.issue_unified_deal_code(
            uow, project.industry_code, platform.uscc, now),
        name=_name(d.name),
        tender_mode=_tender_mode(project.domain, d.tender_mode), organize_form=form,
        tender_project_type=project_type, content=_text("content")(d.content),
        supervise_dept_name=_label("supervise_dept_name", 200)(d.supervise_dept_name),
        created_at=now, updated_at=now,
    )
    uow.session.add(tp)
    _commit_change(uow, principal, tp, "tender_project", project.code,
                   EventType.TENDER_PROJECT_CREATED, tender_project_payload(uow.session, tp), None)
    return tp


def create_section(uow: UnitOfWork, principal: Principal, tender_project_code: str,
                   d: SectionDetails) -> Section:
    tp = get_tender_project(uow, principal, tender_project_code)
    require_project_actor(principal, tp.project)
    currency, unit = _money_fields(d.currency, d.price_unit)
    duration = _duration(d.duration_days)
    now = uow.clock.now()
    section = Section(
        tender_project=tp, code=codes_issuer.issue_section_code(uow, tp.code),
        name=_name(d.name), content=_text("content")(d.content),
        estimated_price=amount(d.estimated_price, "estimated_price"), currency=currency,
        price_unit=unit, duration_days=duration,
        qualification=_text("qualification")(d.qualification),
        created_at=now, updated_at=now,
    )
    uow.session.add(section)
    _commit_change(uow, principal, section, "section", tp.project.code,
                   EventType.SECTION_CREATED, section_payload(uow.session, section), None)
    return section


def _duration(v: object) -> int | None:
    if v is not None and (not isinstance(v, int) or isinstance(v, bool)
                          or not 0 < v <= MAX_DURATION_DAYS):
        raise DomainError("DURATION_INVALID",
                          f"工期须为 1 至 {MAX_DURATION_DAYS} 之间的整数天数",
                          f"the duration is a whole number of days, 1 to {MAX_DURATION_DAYS}",
                          field="duration_days")
    return v


def _apply(uow: UnitOfWork, obj: Any, values: dict[str, Any],
           rules: dict[str, Any]) -> None:
    refuse_immutable(values)
    unknown = sorted(values.keys() - rules.keys())
    if unknown:
        raise DomainError("FIELD_NOT_EDITABLE", f"字段不可修改：{', '.join(unknown)}",
                          f"these fields cannot be changed: {', '.join(unknown)}",
                          field=unknown[0])
    for name, value in values.items():
        setattr(obj, name, rules[name](value))
    obj.updated_at = uow.clock.now()


def _optional(rule: Any) -> Any:
    return lambda v: None if v is None else rule(v)


def update_project(uow: UnitOfWork, principal: Principal, code: str, ch: Changes) -> Project:
    project = get_project(uow, principal, code)
    require_project_actor(principal, project)
    before = snapshot(project)
    _apply(uow, project, ch.values, {
        "name": _name,
        "region_code": lambda v: checked(validate_region, v, "region_code"),
        "industry_code": lambda v: checked(validate_industry, v, "industry_code"),
        "total_investment": lambda v: amount(v, "total_investment"),
        "approval_number": _label("approval_number", 100),
        "description": _text("description"),
    })
    _commit_change(uow, principal, project, "project", project.code,
                   EventType.PROJECT_UPDATED, project_payload(uow.session, project), before)
    return project


def update_tender_project(uow: UnitOfWork, principal: Principal, code: str,
                          ch: Changes) -> TenderProject:
    tp = get_tender_project(uow, principal, code)
    require_project_actor(principal, tp.project)
    before = snapshot(tp)
    _apply(uow, tp, ch.values, {
        "name": _name,
        "content": _text("content"),
        "supervise_dept_name": _label("supervise_dept_name", 200),
        "tender_project_type": _optional(
            lambda v: table_value("tender_project_type", v, "tender_project_type")),
    })
    _commit_change(uow, principal, tp, "tender_project", tp.project.code,
                   EventType.TENDER_PROJECT_UPDATED, tender_project_payload(uow.session, tp),
                   before)
    return tp


def update_section(uow: UnitOfWork, principal: Principal, code: str, ch: Changes) -> Section:
    section = get_section(uow, principal, code)
    require_project_actor(principal, section.tender_project.project)
    before = snapshot(section)
    _apply(uow, section, ch.values, {
        "name": _name,
        "content": _text("content"),
        "estimated_price": lambda v: amount(v, "estimated_price"),
        "duration_days": _duration,
        "qualification": _text("qualification"),
    })
    _commit_change(uow, principal, section, "section", section.tender_project.project.code,
                   EventType.SECTION_UPDATED, section_payload(uow.session, section), before)
    return section
