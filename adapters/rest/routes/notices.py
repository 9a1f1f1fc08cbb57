"""Notices: drafting by the project's parties, review and publication by centre staff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from adapters.rest.deps import Caller, Paging, UoW
from adapters.rest.fields import PathCode, PathId, QueryCode
from adapters.rest.schemas import NoticeIn, NoticeOut, PageOut, ReturnIn, notice_out, page_out
from core.services import notices

router = APIRouter(prefix="/api/v1", tags=["notices"])


def _draft(body: NoticeIn) -> notices.NoticeDraft:
    return notices.NoticeDraft(notice_type=body.notice_type, title=body.title,
                               content=body.content, section_codes=tuple(body.section_codes),
                               related_notice_id=body.related_notice_id)


@router.post("/tender-projects/{code}/notices", response_model=NoticeOut,
             status_code=status.HTTP_201_CREATED)
def create(code: PathCode, body: NoticeIn, uow: UoW, caller: Caller) -> NoticeOut:
    return notice_out(uow.session, notices.create_notice(uow, caller, code, _draft(body)))


@router.get("/notices", response_model=PageOut[NoticeOut])
def list_mine(uow: UoW, caller: Caller, paging: Paging,
              status: QueryCode = None) -> dict[str, Any]:
    """Parties see their projects' notices in every status; staff and supervisors see all."""
    return page_out(notices.list_notices(uow, caller, paging, status),
                    lambda n: notice_out(uow.session, n))


@router.get("/notices/{notice_id}", response_model=NoticeOut)
def read(notice_id: PathId, uow: UoW, caller: Caller) -> NoticeOut:
    return notice_out(uow.session, notices.get_notice(uow, caller, notice_id))


@router.put("/notices/{notice_id}", response_model=NoticeOut)
def update(notice_id: PathId, body: NoticeIn, uow: UoW, caller: Caller) -> NoticeOut:
    return notice_out(uow.session, notices.update_notice(uow, caller, notice_id, _draft(body)))


@router.post("/notices/{notice_id}/submit", response_model=NoticeOut)
def submit(notice_id: PathId, uow: UoW, caller: Caller) -> NoticeOut:
    return notice_out(uow.session, notices.submit_notice(uow, caller, notice_id))


@router.post("/notices/{notice_id}/approve", response_model=NoticeOut)
def approve(notice_id: PathId, uow: UoW, caller: Caller) -> NoticeOut:
    """Centre review passed: the notice is published at this moment."""
    return notice_out(uow.session, notices.approve_notice(uow, caller, notice_id))


@router.post("/notices/{notice_id}/return", response_model=NoticeOut)
def send_back(notice_id: PathId, body: ReturnIn, uow: UoW, caller: Caller) -> NoticeOut:
    return notice_out(uow.session, notices.return_notice(uow, caller, notice_id, body.reason))
