"""公告 and their publication workflow: draft → submitted → published, or returned with a reason.

Only centre staff publish, and only what was submitted for review: the public never sees a notice
nobody at the centre has read. A published notice is never edited; an amendment or clarification
is a new notice that points at the one it changes.

A tender notice publishes, with its rounds, their opening keyholders: k and each keyholder's
public-key fingerprint in share order, fixed at publication (``Notice.keyholders``,
:func:`announced_keyholders`). 电子招标投标办法 第二十八条 has bids encrypted so that nobody
opens them before the deadline; the keys a bidder seals to come from this server, and a bidder's
client (``ggzy-bid``) checks them against the notice — which also went out, in this payload, to
the platforms the notice is pushed to — and refuses to seal on a mismatch. Keys changed on the
round after the notice (a draft can be reconfigured) are found so: announce them with a new
notice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.audit import snapshot
from core.errors import DomainError, ErrorKind, not_found
from core.event_payloads import AnnouncedRound, NoticePayload
from core.events import DomainEvent, EventType, project_ordering_key
from core.model.account import AccountKind
from core.model.notice import Notice, NoticeStatus
from core.model.project import Project, Section, TenderProject
from core.model.tendering import Round, RoundStatus
from core.sealing.keyholders import KeyholderPanel
from core.security.access import can_read_project, require_kind, require_project_actor
from core.security.principal import Principal
from core.services import public_search
from core.services.event_context import notice_schedule, tender_context
from core.services.lifecycle_notices import GENERATED_TYPES
from core.services.paging import Page, PageRequest, paginate
from core.services.project_queries import get_tender_project
from core.services.public_search import (  # noqa: F401  (the public search's names, re-exported)
    COUNT_CAP,
    FIRST_DAY,
    LAST_DAY,
    MAX_SEARCH_TEXT,
    PublicNoticeFilter,
    SearchPage,
)
from core.services.tendering.bids import keyholders_of
from core.services.validation import (
    required_name,
    required_text,
    table_value,
)
from core.uow import UnitOfWork

FOLLOW_UP_TYPES = frozenset({"amendment", "clarification"})  # 变更 / 澄清: point at a notice
EDITABLE = frozenset({NoticeStatus.DRAFT, NoticeStatus.RETURNED})
TENDER_TYPES = frozenset({"tender"})  # 招标公告: it announces the rounds of its sections
# a round a notice can announce: configured, or with its documents already issued
ANNOUNCEABLE = frozenset({RoundStatus.DRAFT.value, RoundStatus.BIDDING.value})


@dataclass(frozen=True)
class NoticeDraft:
    notice_type: str
    title: str
    content: str
    section_codes: tuple[str, ...] = ()
    related_notice_id: int | None = None


def announced_keyholders(session: Session, n: Notice) -> list[AnnouncedRound]:
    """The keyholders of each round a tender notice announces (each section's current round,
    configured with its keyholders' own keys: a legacy committee round has no panel to list)."""
    if n.notice_type not in TENDER_TYPES:
        return []
    announced: list[AnnouncedRound] = []
    for section in n.sections:
        r = session.scalar(select(Round).where(Round.section_id == section.id)
                           .order_by(Round.round_no.desc()).limit(1))
        if r is None or r.status not in ANNOUNCEABLE:
            continue
        panel = keyholders_of(r)
        if not isinstance(panel, KeyholderPanel):
            continue
        announced.append({"section_code": section.code, "round_no": r.round_no,
                          "threshold": panel.k,
                          "keyholders": [{"index": m.index, "name": m.name,
                                          "fingerprint": m.fingerprint.hex()}
                                         for m in panel.members]})
    return announced


def tender_notice_of(session: Session, section_id: int) -> Notice | None:
    """The latest published tender notice covering the section (none for an invited tender,
    whose invitations are not public)."""
    return session.scalars(
        select(Notice).join(Notice.sections).where(
            Section.id == section_id, Notice.notice_type.in_(TENDER_TYPES),
            Notice.status == NoticeStatus.PUBLISHED.value)
        .order_by(Notice.published_at.desc(), Notice.id.desc()).limit(1)).first()


def published_keyholders(n: Notice) -> list[AnnouncedRound]:
    """What a published notice fixed of its rounds' keyholders (none before it or on others)."""
    return [] if n.keyholders is None else list(json.loads(n.keyholders))


def notice_payload(session: Session, n: Notice,
                   published_at: datetime | None = None) -> NoticePayload:
    """The event payload; ``published_at`` gives the one publishing would carry, before it."""
    tp = n.tender_project
    published_at = published_at or n.published_at
    return {
        "notice_id": n.id, "notice_type": n.notice_type, "title": n.title,
        "content": n.content,
        "status": NoticeStatus.PUBLISHED.value if published_at else n.status,
        "project_code": tp.project.code, "tender_project_code": tp.code,
        "unified_deal_code": tp.unified_deal_code, "domain": tp.project.domain,
        "region_code": tp.project.region_code,
        "section_codes": [s.code for s in n.sections], "section_count": len(n.sections),
        "related_notice_id": n.related_notice_id, "published_at": published_at,
        "review_reason": n.review_reason,
        **tender_context(session, tp),
        "schedule": notice_schedule(session, n, published_at),
        "keyholders": (published_keyholders(n) if n.published_at
                       else announced_keyholders(session, n) if published_at else []),
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


def _written_type(value: str) -> str:
    """A person writes tender notices and their follow-ups; the opening record, candidates,
    result, contract and termination notices are written by the step that makes them public
    (core.services.lifecycle_notices), so nobody can publish one the lifecycle never reached."""
    notice_type = table_value("notice_type", value, "notice_type")
    if notice_type in GENERATED_TYPES:
        raise DomainError("NOTICE_TYPE_GENERATED",
                          f"“{notice_type}”类公告由交易流程在相应环节自动发布，不能手工创建",
                          f"{notice_type} notices are published by the lifecycle step itself",
                          field="notice_type")
    return notice_type


def create_notice(uow: UnitOfWork, principal: Principal, tender_project_code: str,
                  draft: NoticeDraft) -> Notice:
    tp = get_tender_project(uow, principal, tender_project_code)
    require_project_actor(principal, tp.project)
    notice_type = _written_type(draft.notice_type)
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
    notice.notice_type = _written_type(draft.notice_type)
    notice.title = required_name(draft.title, "title", 300)
    notice.content = required_text(draft.content, "content", 200_000)
    notice.related_notice_id = _related(uow, tp, draft)
    notice.sections = _sections(uow, tp, draft.section_codes, notice.notice_type)
    notice.updated_at = uow.clock.now()
    uow.record(principal.actor, "notice.update", "notice", notice.id, before, _state(notice))
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
                         notice_payload(uow.session, notice)), principal.actor)
    return notice


def _sections_without_round(uow: UnitOfWork, notice: Notice) -> list[str]:
    """Sections a tender notice covers whose current round is not open for tendering: the
    notice would announce no document period, deadline or opening for them."""
    missing = []
    for section in notice.sections:
        status = uow.session.scalar(select(Round.status).where(Round.section_id == section.id)
                                    .order_by(Round.round_no.desc()).limit(1))
        if status not in ANNOUNCEABLE:
            missing.append(section.code)
    return missing


def require_complete(uow: UnitOfWork, notice: Notice) -> None:
    """Refuse, changing nothing, a notice lacking what the national standard requires of it:
    a tender notice announces the round of each of its sections, and every record the
    platforms will take from its publication must pass their validation now (the same
    mappings the exchange uses, through ``uow.record_check``), not be parked later."""
    sections = _sections_without_round(uow, notice) if notice.notice_type in TENDER_TYPES else []
    now = uow.clock.now()
    gaps = (uow.record_check.gaps(uow.session, EventType.NOTICE_PUBLISHED.value,
                                  notice_payload(uow.session, notice, published_at=now), now)
            if uow.record_check is not None else [])
    if not sections and not gaps:
        return
    fields = [f"{g.data_set}.{g.field}" for g in gaps]
    parts_zh, parts_en = [], []
    if sections:
        parts_zh.append(f"标段(包) {', '.join(sections)} 尚未设置招标轮次（投标截止时间、开标等）")
        parts_en.append(f"sections {', '.join(sections)} have no configured round "
                        "(bid deadline, opening)")
    if fields:
        parts_zh.append(f"报送平台的数据缺少 {', '.join(fields)}")
        parts_en.append(f"the platforms' records would lack {', '.join(fields)}")
    raise DomainError("NOTICE_INCOMPLETE", "公告不完整：" + "；".join(parts_zh),
                      "the notice is incomplete: " + "; ".join(parts_en),
                      missing={"sections": sections, "fields": fields})


def submit_notice(uow: UnitOfWork, principal: Principal, notice_id: int) -> Notice:
    notice = _owned_notice(uow, principal, notice_id)
    _require_status(notice, EDITABLE, "NOTICE_NOT_SUBMITTABLE",
                    "只有草稿或退回的公告可以提交审核",
                    "only a draft or returned notice can be submitted")
    require_complete(uow, notice)
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
    require_complete(uow, notice)  # the round may have changed since it was submitted
    now = uow.clock.now()
    announced = announced_keyholders(uow.session, notice)
    return _transition(uow, principal, notice, "notice.publish", EventType.NOTICE_PUBLISHED,
                       {"status": NoticeStatus.PUBLISHED.value, "published_at": now,
                        "reviewed_by": principal.account_id, "review_reason": None,
                        "keyholders": json.dumps(announced, ensure_ascii=False)
                        if notice.notice_type in TENDER_TYPES else None})


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


def list_published(uow: UnitOfWork, request: PageRequest, f: PublicNoticeFilter,
                   cursor: str | None = None, count_cap: int = COUNT_CAP) -> SearchPage:
    """The public list: published notices only, newest first; no sign-in needed.

    Searched in its own table with capped counts and keyset pages (core/services/public_search.py,
    docs/search.md), so it answers the same at a province's 10^6 notices as at ten.
    """
    return public_search.search(uow, request, f, cursor, count_cap)


def get_published(uow: UnitOfWork, notice_id: int) -> Notice:
    notice = uow.session.get(Notice, notice_id)
    if notice is None or notice.status != NoticeStatus.PUBLISHED:
        raise not_found("公告", "notice", notice_id)
    return notice
