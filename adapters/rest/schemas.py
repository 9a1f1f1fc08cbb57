"""Request and response bodies. Amounts travel as decimal strings so no float ever touches money;
every request field has a type of fields.py, which says what it may hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, field_serializer
from sqlalchemy.orm import Session

from adapters.rest.fields import AmountText, Code, Id, Name, Secret, Text
from core.clock import SHANGHAI
from core.codes.regions import region_name
from core.codes.tables import CODE_TABLES
from core.model.account import Account
from core.model.document import TenderDocument
from core.model.notice import Notice
from core.model.party import Party
from core.model.project import Project, Section, TenderProject
from core.services.notices import published_keyholders
from core.services.paging import Page
from core.services.projects import MAX_DURATION_DAYS, MAX_TEXT
from core.services.public_search import SearchPage
from core.services.tender_documents import documents_of

T = TypeVar("T")
MAX_ROLES = 16
MAX_SECTIONS = 100  # sections one notice covers


class Out(BaseModel):
    """Every REST body: its datetimes are written in Beijing time with their offset
    (``2026-12-02T15:30:00+08:00``), whatever zone they were given or stored in — the one
    output rule of docs/input.md. Without it a draft echoed the offset it was sent with and the
    same moment read back from the database came out in UTC."""

    @field_serializer("*", mode="wrap", when_used="json", check_fields=False)
    def _beijing(self, value: Any, handler: SerializerFunctionWrapHandler):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(SHANGHAI).isoformat()
        return handler(value)


class Strict(Out):
    model_config = ConfigDict(extra="forbid")


class PageOut(Out, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


def page_out(page: Page[Any], convert: Any) -> dict[str, Any]:
    return {"items": [convert(x) for x in page.items], "total": page.total,
            "page": page.page, "page_size": page.page_size}


# --- auth -------------------------------------------------------------------------------------

class TokenIn(Strict):
    username: Name = Field(max_length=64)
    password: Secret


class AccountOut(Out):
    id: int
    username: str
    kind: str
    display_name: str
    party_id: int | None
    is_active: bool
    disabled_at: datetime | None = None
    reset_pending: bool = Field(
        False, description="an administrator reset the account's secret to a one-time one: "
                           "until the account changes it, every other call answers 403 "
                           "PASSWORD_CHANGE_REQUIRED (no secret is ever in this record)")


class TokenOut(Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, no secret
    expires_at: datetime
    account: AccountOut


def account_out(a: Account) -> AccountOut:
    return AccountOut(id=a.id, username=a.username, kind=a.kind, display_name=a.display_name,
                      party_id=a.party_id, is_active=a.is_active, disabled_at=a.disabled_at,
                      reset_pending=a.must_change_password)


class PasswordChangeIn(Strict):
    old_password: Secret = Field(min_length=1)
    new_password: Secret = Field(min_length=1)


class PasswordResetIn(Strict):
    new_password: Secret | None = Field(
        None, min_length=1, description="the password to set; without it the hub draws a "
                                         "one-time password the account must change")


class PasswordResetOut(Out):
    one_time_password: str | None = Field(
        description="shown once, only when the hub drew it")
    must_change_password: bool
    tokens_revoked: int


class ApiTokenOut(Out):
    id: str = Field(description="the token's public id (not the token)")
    state: Literal["live", "expired", "revoked"]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class RevokedOut(Out):
    tokens_revoked: int


class AccountIn(Strict):
    username: Name = Field(min_length=1, max_length=64)
    password: Secret = Field(min_length=1)
    kind: Literal["party_user", "centre_staff", "supervisor", "expert", "admin",
                  "system_client"]
    display_name: Name = Field(min_length=1, max_length=100)
    party_id: Id | None = None


# --- parties ----------------------------------------------------------------------------------

class PartyRegistrationIn(Strict):
    kind: Literal["organisation", "person"]
    name: Name = Field(min_length=1, max_length=200)
    uscc: Code | None = Field(None, description="统一社会信用代码 (organisations)")
    id_number: Code | None = Field(None, description="居民身份证号码 (natural persons)")
    region_code: Code = Field(description="GB/T 2260 行政区划代码")
    roles: list[Code] = Field(min_length=1, max_length=MAX_ROLES,
                              description="codes of table 'party_role'")
    legal_representative: Name | None = Field(None, max_length=50)
    contact_name: Name | None = Field(None, max_length=50)
    contact_phone: Name | None = Field(None, max_length=20,
                                       description="ASCII digits, spaces and + - ( )")
    address: Name | None = Field(None, max_length=200)
    username: Name = Field(min_length=1, max_length=64)
    password: Secret = Field(min_length=1)


class PartyPatch(Out):
    """Only the fields sent change. Identifier fields are refused with IDENTIFIER_IMMUTABLE."""

    model_config = ConfigDict(extra="allow")
    name: Name | None = Field(None, max_length=200)
    region_code: Code | None = None
    roles: list[Code] | None = Field(None, max_length=MAX_ROLES)
    legal_representative: Name | None = Field(None, max_length=50)
    contact_name: Name | None = Field(None, max_length=50)
    contact_phone: Name | None = Field(None, max_length=20)
    address: Name | None = Field(None, max_length=200)


class PartyOut(Out):
    id: int
    kind: str
    name: str
    uscc: str | None
    id_number: str | None
    region_code: str
    region_name: str
    roles: list[str]
    legal_representative: str | None
    contact_name: str | None
    contact_phone: str | None
    address: str | None
    created_at: datetime


def party_out(p: Party) -> PartyOut:
    return PartyOut(id=p.id, kind=p.kind, name=p.name, uscc=p.uscc, id_number=p.id_number,
                    region_code=p.region_code, region_name=region_name(p.region_code),
                    roles=sorted(p.role_codes), legal_representative=p.legal_representative,
                    contact_name=p.contact_name, contact_phone=p.contact_phone,
                    address=p.address, created_at=p.created_at)


class RegistrationOut(Out):
    party: PartyOut
    account: AccountOut


# --- projects ---------------------------------------------------------------------------------

class ProjectIn(Strict):
    name: Name = Field(min_length=1, max_length=300)
    domain: Code = Field(description="code of table 'trading_domain', e.g. engineering")
    region_code: Code
    industry_code: Code = Field(description="GB/T 4754 门类 + 大类, e.g. E48")
    owner_party_id: Id | None = Field(
        None, description="the owner an agency acts for; omit when the owner creates it")
    total_investment: AmountText | None = None
    currency: Code = "156"
    price_unit: Code = Field("0", description="0 元, 1 万元")
    invest_project_code: Code | None = None
    approval_number: Name | None = Field(None, max_length=100)
    description: Text | None = Field(None, max_length=MAX_TEXT)


class Patch(Out):
    """Partial update; unknown or code fields are refused by the core with a stable code."""

    model_config = ConfigDict(extra="allow")


class ProjectOut(Out):
    code: str
    name: str
    domain: str
    domain_name: str
    region_code: str
    region_name: str
    industry_code: str
    owner_party_id: int
    agency_party_id: int | None
    total_investment: str | None
    currency: str
    price_unit: str
    invest_project_code: str | None
    approval_number: str | None
    description: str | None
    tender_project_codes: list[str]
    created_at: datetime
    updated_at: datetime


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


def project_out(p: Project) -> ProjectOut:
    return ProjectOut(
        code=p.code, name=p.name, domain=p.domain,
        domain_name=CODE_TABLES["trading_domain"].label(p.domain),
        region_code=p.region_code, region_name=region_name(p.region_code),
        industry_code=p.industry_code, owner_party_id=p.owner_party_id,
        agency_party_id=p.agency_party_id, total_investment=_money(p.total_investment),
        currency=p.currency, price_unit=p.price_unit, invest_project_code=p.invest_project_code,
        approval_number=p.approval_number, description=p.description,
        tender_project_codes=[tp.code for tp in p.tender_projects],
        created_at=p.created_at, updated_at=p.updated_at,
    )


class TenderProjectIn(Strict):
    name: Name = Field(min_length=1, max_length=300)
    tender_mode: Code = Field(description="招标方式 (1 公开, 2 邀请, 9 其他); for 政府采购 a "
                                          "code of table 'procurement_method'")
    organize_form: Code = Field(
        description="招标组织形式: 1 自行招标, 2 委托招标, 3 自行集中, 9 其他")
    tender_project_type: Code | None = Field(None, description="招标项目类型 A01…A99 "
                                                              "(required for engineering)")
    content: Text | None = Field(None, max_length=MAX_TEXT)
    supervise_dept_name: Name | None = Field(None, max_length=200)


class SectionOut(Out):
    code: str
    tender_project_code: str
    project_code: str
    name: str
    content: str | None
    estimated_price: str | None
    currency: str
    price_unit: str
    duration_days: int | None
    qualification: str | None
    created_at: datetime


def section_out(s: Section) -> SectionOut:
    return SectionOut(code=s.code, tender_project_code=s.tender_project.code,
                      project_code=s.tender_project.project.code, name=s.name, content=s.content,
                      estimated_price=_money(s.estimated_price), currency=s.currency,
                      price_unit=s.price_unit, duration_days=s.duration_days,
                      qualification=s.qualification, created_at=s.created_at)


class TenderProjectOut(Out):
    code: str
    project_code: str
    unified_deal_code: str
    name: str
    tender_mode: str
    organize_form: str
    tender_project_type: str | None
    content: str | None
    supervise_dept_name: str | None
    sections: list[SectionOut]
    created_at: datetime


def tender_project_out(tp: TenderProject) -> TenderProjectOut:
    return TenderProjectOut(code=tp.code, project_code=tp.project.code,
                            unified_deal_code=tp.unified_deal_code, name=tp.name,
                            tender_mode=tp.tender_mode, organize_form=tp.organize_form,
                            tender_project_type=tp.tender_project_type, content=tp.content,
                            supervise_dept_name=tp.supervise_dept_name,
                            sections=[section_out(s) for s in tp.sections],
                            created_at=tp.created_at)


class SectionIn(Strict):
    name: Name = Field(min_length=1, max_length=300)
    content: Text | None = Field(None, max_length=MAX_TEXT)
    estimated_price: AmountText | None = Field(None, description="估算价 / 合同估算价")
    currency: Code = "156"
    price_unit: Code = "0"
    duration_days: int | None = Field(None, ge=1, le=MAX_DURATION_DAYS,
                                      description="工期（日历天）")
    qualification: Text | None = Field(None, max_length=MAX_TEXT)


# --- notices ----------------------------------------------------------------------------------

class NoticeIn(Strict):
    notice_type: Code = Field(description="tender | prequalification | amendment | "
                                          "clarification")
    title: Name = Field(min_length=1, max_length=300)
    content: Text = Field(min_length=1, max_length=MAX_TEXT)
    section_codes: list[Code] = Field(default_factory=list, max_length=MAX_SECTIONS)
    related_notice_id: Id | None = None


class ReturnIn(Strict):
    reason: Text = Field(min_length=1, max_length=2000)


class DocumentOut(Out):
    id: int
    kind: str = Field(description="tender_documents (招标文件) or clarification (澄清或者修改)")
    name: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    download_path: str = Field(description="GET it signed in as a registered bidder")


def document_out(d: TenderDocument) -> DocumentOut:
    return DocumentOut(id=d.id, kind=d.kind, name=d.name, media_type=d.media_type, size=d.size,
                       sha256=d.sha256, uploaded_at=d.uploaded_at,
                       download_path=f"/api/v1/tender-documents/{d.id}/content")


class AnnouncedKeyholderOut(Out):
    index: int
    name: str
    fingerprint: str = Field(description="SHA-256 of the DER public key, hex")


class AnnouncedRoundOut(Out):
    section_code: str
    round_no: int
    threshold: int
    keyholders: list[AnnouncedKeyholderOut]


class NoticeOut(Out):
    id: int
    notice_type: str
    notice_type_name: str
    title: str
    content: str
    status: str
    project_code: str
    tender_project_code: str
    unified_deal_code: str
    domain: str
    region_code: str
    region_name: str
    section_codes: list[str]
    related_notice_id: int | None
    review_reason: str | None
    submitted_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    documents: list[DocumentOut] = Field(
        default_factory=list, description="the tender project's 招标文件 and clarifications "
        "(name, size, sha256, uploaded_at); registered bidders download them")
    keyholders: list[AnnouncedRoundOut] = Field(
        default_factory=list, description="a published tender notice: each announced round's "
        "opening keyholders (k, and each public key's SHA-256 fingerprint in share order), fixed "
        "at publication (电子招标投标办法 28); `ggzy-bid` refuses to seal to other keys")


class NoticeSearchOut(Out):
    """One page of the public search. ``total`` is exact when ``total_relation`` is ``eq``, a
    lower bound for ``gte`` and PostgreSQL's estimate for ``approx`` (docs/search.md); the
    cursors page on from the page's last (or back from its first) row."""

    items: list[NoticeOut]
    total: int
    total_relation: Literal["eq", "gte", "approx"]
    page: int | None = Field(description="the page number; null when reached by cursor")
    page_size: int
    next_cursor: str | None
    prev_cursor: str | None


def notice_search_out(session: Session, p: SearchPage) -> NoticeSearchOut:
    return NoticeSearchOut(items=[notice_out(session, n) for n in p.items], total=p.total,
                           total_relation=p.total_relation, page=p.page,
                           page_size=p.page_size, next_cursor=p.next_cursor,
                           prev_cursor=p.prev_cursor)


def notice_out(session: Session, n: Notice) -> NoticeOut:
    tp = n.tender_project
    return NoticeOut(
        id=n.id, notice_type=n.notice_type,
        notice_type_name=CODE_TABLES["notice_type"].label(n.notice_type), title=n.title,
        content=n.content, status=n.status, project_code=tp.project.code,
        tender_project_code=tp.code, unified_deal_code=tp.unified_deal_code,
        domain=tp.project.domain, region_code=tp.project.region_code,
        region_name=region_name(tp.project.region_code),
        section_codes=[s.code for s in n.sections], related_notice_id=n.related_notice_id,
        review_reason=n.review_reason, submitted_at=n.submitted_at,
        published_at=n.published_at, created_at=n.created_at,
        documents=[document_out(d) for d in documents_of(session, tp.id)],
        keyholders=[AnnouncedRoundOut(
            section_code=a["section_code"], round_no=a["round_no"], threshold=a["threshold"],
            keyholders=[AnnouncedKeyholderOut(**k) for k in a["keyholders"]])
            for a in published_keyholders(n)],
    )
