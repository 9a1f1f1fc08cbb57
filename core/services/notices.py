"""公告 and their publication workflow: draft → submitted → published, or returned with a reason.

Only centre staff publish, and only what was submitted for review: the public never sees a notice
nobody at the centre has read. A published notice is never edited; an amendment or clarification
is a new notice that points at the one it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from core.audit import snapshot
from core.clock import SHANGHAI
from core.errors import DomainError, ErrorKind, not_found
from core.events import DomainEvent, EventType, project_ordering_key
from core.model.account import AccountKind
from core.model.notice import Notice, NoticeStatus
from core.model.project import Project, Section, TenderProject
from core.security.access import can_read_project, require_kind, require_project_actor
from core.security.principal import Principal
from core.services.event_context import notice_schedule, tender_context
from core.services.paging import Page, PageRequest, paginate
from core.services.projects import get_tender_project, object_session_of
from core.services.validation import (
    check_characters,
    required_name,
    required_text,
    table_value,
)
from core.uow import UnitOfWork

FOLLOW_UP_TYPES = frozenset({"amendment", "clarification"})  # 变更 / 澄清: point at a notice
MAX_SEARCH_TEXT = 100  # a title is at most 300; a longer query is no search, only load
FIRST_DAY = date(1970, 1, 1)  # the searchable publication dates; outside them the day's
LAST_DAY = date(2999, 12, 31)  # start in Beijing cannot even be converted to UTC near the ends
EDITABLE = frozenset({NoticeStatus.DRAFT, NoticeStatus.RETURNED})


@dataclass(frozen=True)
class NoticeDraft:
    notice_type: str
    title: str
    content: str
    section_codes: tuple[str, ...] = ()
    related_notice_id: int | None = None


def notice_payload(n: Notice) -> dict[str, Any]:
    tp = n.tender_project
    return {
        "notice_id": n.id, "notice_type": n.notice_type, "title": n.title,
        "content": n.content, "status": n.status,
        "project_code": tp.project.code, "tender_project_code": tp.code,
        "unified_deal_code": tp.unified_deal_code, "domain": tp.project.domain,
        "region_code": tp.project.region_code,
        "section_codes": [s.code for s in n.sections], "section_count": len(n.sections),
        "related_notice_id": n.related_notice_id, "published_at": n.published_at,
        "review_reason": n.review_reason,
        **tender_context(object_session_of(n), tp),
        "schedule": notice_schedule(object_session_of(n), n),
    }


def _sections(uow: UnitOfWork, tp: TenderProject, codes: tuple[str, ...],
              notice_type: str) -> list[Section]:
    if not codes and notice_type not in FOLLOW_UP_TYPES:
        raise DomainError("NOTICE_NEEDS_SECTION", "公告须至少对应一个标段(包)",
                          "a notice covers at least one section", field="section_codes")
    found = {s.code: s for s in tp.sections}
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(
            "SECTION_NOT_IN_TENDER_PROJECT",
            f"标段(包) {', '.join(missing)} 不属于招标项目 {tp.code}",
            f"sections {', '.join(missing)} do not belong to tender project {tp.code}",
            field="section_codes",
        )
    return [found[c] for c in dict.fromkeys(codes)]


def _related(uow: UnitOfWork, tp: TenderProject, draft: NoticeDraft) -> int | None:
    if draft.notice_type not in FOLLOW_UP_TYPES:
        if draft.related_notice_id is not None:
            raise DomainError("RELATED_NOTICE_NOT_ALLOWED", "只有变更或澄清公告引用原公告",
                              "only amendments and clarifications refer to a notice",
                              field="related_notice_id")
        return None
    related = (uow.session.get(Notice, draft.related_notice_id)
               if draft.related_notice_id is not None else None)
    if (related is None or related.tender_project_id != tp.id
            or related.status != NoticeStatus.PUBLISHED):
        raise DomainError(
            "RELATED_NOTICE_INVALID",
            "变更或澄清公告须引用本招标项目已发布的公告",
            "an amendment or clarification refers to a published notice of the same "
            "tender project",
            field="related_notice_id",
        )
    return related.id


def create_notice(uow: UnitOfWork, principal: Principal, tender_project_code: str,
                  draft: NoticeDraft) -> Notice:
    tp = get_tender_project(uow, principal, tender_project_code)
    require_project_actor(principal, tp.project)
    notice_type = table_value("notice_type", draft.notice_type, "notice_type")
    now = uow.clock.now()
    notice = Notice(
        tender_project=tp, notice_type=notice_type,
        title=required_name(draft.title, "title", 300),
        content=required_text(draft.content, "content", 200_000),
        status=NoticeStatus.DRAFT.value, related_notice_id=_related(uow, tp, draft),
        sections=_sections(uow, tp, draft.section_codes, notice_type),
        created_by=principal.account_id, created_at=now, updated_at=now,
    )
    uow.session.add(notice)
    uow.record(principal.actor, "notice.create", "notice", _id(uow, notice), None,
               _state(notice))
    uow.commit()
    return notice


def _id(uow: UnitOfWork, notice: Notice) -> int:
    uow.session.flush()
    return notice.id


def _state(notice: Notice) -> dict[str, Any]:
    return {**snapshot(notice), "section_codes": [s.code for s in notice.sections]}


def _owned_notice(uow: UnitOfWork, principal: Principal, notice_id: int) -> Notice:
    notice = get_notice(uow, principal, notice_id)
    require_project_actor(principal, notice.tender_project.project)
    return notice


def _require_status(notice: Notice, allowed: frozenset[NoticeStatus], code: str,
                    zh: str, en: str) -> None:
    if NoticeStatus(notice.status) not in allowed:
        raise DomainError(code, f"{zh}（当前状态：{notice.status}）",
                          f"{en} (status is {notice.status})", ErrorKind.CONFLICT)


def update_notice(uow: UnitOfWork, principal: Principal, notice_id: int,
                  draft: NoticeDraft) -> Notice:
    notice = _owned_notice(uow, principal, notice_id)
    _require_status(notice, EDITABLE, "NOTICE_NOT_EDITABLE", "只有草稿或退回的公告可以修改",
                    "only a draft or returned notice can be edited")
    before = _state(notice)
    tp = notice.tender_project
    notice.notice_type = table_value("notice_type", draft.notice_type, "notice_type")
    notice.title = required_name(draft.title, "title", 300)
    notice.content = required_text(draft.content, "content", 200_000)
    notice.related_notice_id = _related(uow, tp, draft)
    notice.sections = _sections(uow, tp, draft.section_codes, notice.notice_type)
    notice.updated_at = uow.clock.now()
    uow.record(principal.actor, "notice.update", "notice", notice.id, before, _state(notice))
    uow.commit()
    return notice


def _transition(uow: UnitOfWork, principal: Principal, notice: Notice, action: str,
                event: EventType, change: dict[str, Any]) -> Notice:
    before = _state(notice)
    for key, value in change.items():
        setattr(notice, key, value)
    notice.updated_at = uow.clock.now()
    uow.record(principal.actor, action, "notice", notice.id, before, _state(notice))
    uow.emit(DomainEvent(event, "notice", str(notice.id),
                         project_ordering_key(notice.tender_project.project.code),
                         notice_payload(notice)), principal.actor)
    uow.commit()
    return notice


def submit_notice(uow: UnitOfWork, principal: Principal, notice_id: int) -> Notice:
    notice = _owned_notice(uow, principal, notice_id)
    _require_status(notice, EDITABLE, "NOTICE_NOT_SUBMITTABLE",
                    "只有草稿或退回的公告可以提交审核",
                    "only a draft or returned notice can be submitted")
    return _transition(uow, principal, notice, "notice.submit", EventType.NOTICE_SUBMITTED,
                       {"status": NoticeStatus.SUBMITTED.value,
                        "submitted_at": uow.clock.now()})


def _reviewable(uow: UnitOfWork, principal: Principal, notice_id: int) -> Notice:
    require_kind(principal, AccountKind.CENTRE_STAFF)
    notice = get_notice(uow, principal, notice_id)
    _require_status(notice, frozenset({NoticeStatus.SUBMITTED}), "NOTICE_NOT_SUBMITTED",
                    "公告未提交审核，不能审核或发布",
                    "the notice has not been submitted for review")
    return notice


def approve_notice(uow: UnitOfWork, principal: Principal, notice_id: int) -> Notice:
    notice = _reviewable(uow, principal, notice_id)
    now = uow.clock.now()
    return _transition(uow, principal, notice, "notice.publish", EventType.NOTICE_PUBLISHED,
                       {"status": NoticeStatus.PUBLISHED.value, "published_at": now,
                        "reviewed_by": principal.account_id, "review_reason": None})


def return_notice(uow: UnitOfWork, principal: Principal, notice_id: int,
                  reason: str) -> Notice:
    notice = _reviewable(uow, principal, notice_id)
    return _transition(uow, principal, notice, "notice.return", EventType.NOTICE_RETURNED,
                       {"status": NoticeStatus.RETURNED.value,
                        "reviewed_by": principal.account_id,
                        "review_reason": required_text(reason, "reason", 2000)})


def get_notice(uow: UnitOfWork, principal: Principal, notice_id: int) -> Notice:
    notice = uow.session.get(Notice, notice_id)
    if notice is None or not can_read_project(principal, notice.tender_project.project):
        raise not_found("公告", "notice", notice_id)
    return notice


def list_notices(uow: UnitOfWork, principal: Principal, request: PageRequest,
                 status: str | None = None) -> Page[Notice]:
    query = _joined().order_by(Notice.id.desc())
    if not principal.has_oversight:
        query = query.where(
            (Project.owner_party_id == principal.party_id)
            | (Project.agency_party_id == principal.party_id)
        )
    if status:
        query = query.where(Notice.status == status)
    return paginate(uow.session, query, request)


def _joined() -> Select[Any]:
    return select(Notice).join(Notice.tender_project).join(TenderProject.project)


@dataclass(frozen=True)
class PublicNoticeFilter:
    domain: str | None = None
    region_code: str | None = None  # a province or city code matches everything under it
    published_from: date | None = None  # Beijing dates, inclusive
    published_to: date | None = None
    notice_type: str | None = None
    text: str | None = None


def _region_prefix(code: str) -> str:
    """350000 covers 35xxxx, 350100 covers 3501xx, 350102 only itself (GB/T 2260 levels)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def _check_filter(f: PublicNoticeFilter) -> None:
    for field, day in (("published_from", f.published_from), ("published_to", f.published_to)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise DomainError("DATE_OUT_OF_RANGE",
                              f"{field} 须在 {FIRST_DAY} 至 {LAST_DAY} 之间",
                              f"{field} must lie between {FIRST_DAY} and {LAST_DAY}", field=field)
    if f.text is not None:
        check_characters(f.text, "q", name=False)
        if len(f.text) > MAX_SEARCH_TEXT:
            raise DomainError("SEARCH_TEXT_TOO_LONG",
                              f"搜索词至多 {MAX_SEARCH_TEXT} 个字符",
                              f"the search text has at most {MAX_SEARCH_TEXT} characters",
                              field="q")
    for field, value in (("domain", f.domain), ("region", f.region_code),
                         ("notice_type", f.notice_type)):
        if value is not None:
            check_characters(value, field, name=True)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def list_published(uow: UnitOfWork, request: PageRequest,
                   f: PublicNoticeFilter) -> Page[Notice]:
    """The public list: published notices only, newest first; no sign-in needed."""
    _check_filter(f)
    query = _joined().where(Notice.status == NoticeStatus.PUBLISHED.value)
    if f.domain:
        query = query.where(Project.domain == table_value("trading_domain", f.domain, "domain"))
    if f.region_code:
        query = query.where(Project.region_code.startswith(_region_prefix(f.region_code)))
    if f.published_from:
        query = query.where(Notice.published_at >= _day_start(f.published_from))
    if f.published_to:
        query = query.where(Notice.published_at < _day_start(f.published_to + timedelta(days=1)))
    if f.notice_type:
        query = query.where(Notice.notice_type == f.notice_type)
    if f.text:
        query = query.where(Notice.title.contains(f.text, autoescape=True))
    return paginate(uow.session, query.order_by(Notice.published_at.desc(), Notice.id.desc()),
                    request)


def get_published(uow: UnitOfWork, notice_id: int) -> Notice:
    notice = uow.session.get(Notice, notice_id)
    if notice is None or notice.status != NoticeStatus.PUBLISHED:
        raise not_found("公告", "notice", notice_id)
    return notice
