"""QueryService (urn:ggzy-hub:ws:query:1): the public record of projects and tenders, for
connected government systems (system-client accounts and administrators).

What it shows is decided by core.services.queries: published notices only, no draft round, no
bid, no score, no committee member; each later step once the law makes it public.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from spyne import DateTime, Integer, ServiceBase, Unicode, rpc

from adapters.webservice import query_types as qt
from adapters.webservice.calls import Call, run
from core.model.account import AccountKind
from core.model.party import Party
from core.model.project import Project
from core.security.principal import Principal
from core.services import queries
from core.services.paging import PageRequest
from core.uow import UnitOfWork

TNS = qt.TNS
KINDS = frozenset({AccountKind.SYSTEM_CLIENT, AccountKind.ADMIN})
DEFAULT_SIZE = 20
# Bounds that keep every input inside what the database holds: a notice id is an INTEGER
# column, and Page × Size is the query's OFFSET. Past them a caller got a Server fault from the
# database; the WSDL refuses them now (INVALID_REQUEST), so a client's mistake stays its own.
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000

ProjectCodeIn = Unicode(min_occurs=1, nillable=False, min_len=17, max_len=17)
SectionCodeIn = Unicode(min_occurs=1, nillable=False, min_len=23, max_len=23)
NoticeIdIn = Integer(min_occurs=1, nillable=False, ge=1, le=MAX_ID)
FromIn = DateTime(min_occurs=0)
ToIn = DateTime(min_occurs=0)
PageIn = Integer(min_occurs=0, ge=1, le=MAX_PAGE)
SizeIn = Integer(min_occurs=0, ge=1, le=100)


def _paging(page: int | None, size: int | None) -> PageRequest:
    return PageRequest(page or 1, size or DEFAULT_SIZE)


def _window(start: datetime | None, end: datetime | None) -> str:
    """How a list call names what was asked, for the audit log."""
    return f"{start.isoformat() if start else ''}/{end.isoformat() if end else ''}"


def _project(uow: UnitOfWork, code: str) -> qt.ProjectInfo:
    p = queries.project(uow, code)
    return _project_info(uow, p)


def _project_info(uow: UnitOfWork, p: Project) -> qt.ProjectInfo:
    owner = uow.session.get(Party, p.owner_party_id)
    agency = uow.session.get(Party, p.agency_party_id) if p.agency_party_id else None
    return qt.project_info(p, owner, agency)


class QueryService(ServiceBase):
    """Reads only: nothing here changes a record (each call leaves its audit entry)."""

    @rpc(ProjectCodeIn, _returns=qt.ProjectInfo, _out_variable_name="Project")
    def GetProject(ctx: Any, ProjectCode: str) -> qt.ProjectInfo:
        """项目 with its 招标项目 and their sections' codes."""
        return run(ctx, Call("GetProject", "project", ProjectCode, KINDS),
                   lambda uow, _: _project(uow, ProjectCode))

    @rpc(FromIn, ToIn, PageIn, SizeIn, _returns=qt.ProjectPage, _out_variable_name="Page")
    def ListProjects(ctx: Any, From: datetime | None, To: datetime | None, Page: int | None,
                     Size: int | None) -> qt.ProjectPage:
        """Projects created in [From, To), oldest first; From and To carry a time zone."""
        def work(uow: UnitOfWork, _: Principal) -> qt.ProjectPage:
            page = queries.projects_created(uow, _paging(Page, Size), From, To)
            return qt.project_page(page, [_project_info(uow, p) for p in page.items])

        return run(ctx, Call("ListProjects", "project", _window(From, To), KINDS), work)

    @rpc(SectionCodeIn, _returns=qt.SectionInfo, _out_variable_name="Section")
    def GetSection(ctx: Any, SectionCode: str) -> qt.SectionInfo:
        """标段(包) with its rounds (not one in draft) and their status."""
        return run(ctx, Call("GetSection", "section", SectionCode, KINDS),
                   lambda uow, _: qt.section_info(*queries.section(uow, SectionCode)))

    @rpc(NoticeIdIn, _returns=qt.NoticeInfo, _out_variable_name="Notice")
    def GetNotice(ctx: Any, NoticeId: int) -> qt.NoticeInfo:
        """A published notice (公告) with its content; any other is NOT_FOUND."""
        return run(ctx, Call("GetNotice", "notice", str(NoticeId), KINDS),
                   lambda uow, _: qt.notice_info(queries.notice(uow, NoticeId)))

    @rpc(FromIn, ToIn, PageIn, SizeIn, _returns=qt.NoticePage, _out_variable_name="Page")
    def ListNotices(ctx: Any, From: datetime | None, To: datetime | None, Page: int | None,
                    Size: int | None) -> qt.NoticePage:
        """Notices published in [From, To), oldest first, without their content."""
        return run(ctx, Call("ListNotices", "notice", _window(From, To), KINDS),
                   lambda uow, _: qt.notice_page(
                       queries.notices_published(uow, _paging(Page, Size), From, To)))

    @rpc(SectionCodeIn, _returns=qt.OpeningRecordInfo, _out_variable_name="OpeningRecord")
    def GetOpeningRecord(ctx: Any, SectionCode: str) -> qt.OpeningRecordInfo:
        """开标记录 of the section's latest opened round, as signed by the platform."""
        return run(ctx, Call("GetOpeningRecord", "section", SectionCode, KINDS),
                   lambda uow, _: qt.opening_record_info(
                       *queries.opening_record(uow, SectionCode)))

    @rpc(SectionCodeIn, _returns=qt.CandidatesInfo, _out_variable_name="Candidates")
    def GetCandidates(ctx: Any, SectionCode: str) -> qt.CandidatesInfo:
        """中标候选人 once their publicity has started."""
        return run(ctx, Call("GetCandidates", "section", SectionCode, KINDS),
                   lambda uow, _: qt.candidates_info(*queries.candidates(uow, SectionCode)))

    @rpc(SectionCodeIn, _returns=qt.ResultInfo, _out_variable_name="Result")
    def GetResult(ctx: Any, SectionCode: str) -> qt.ResultInfo:
        """中标结果 once the award notice is issued."""
        return run(ctx, Call("GetResult", "section", SectionCode, KINDS),
                   lambda uow, _: qt.result_info(*queries.result(uow, SectionCode)))

    @rpc(SectionCodeIn, _returns=qt.ContractInfo, _out_variable_name="Contract")
    def GetContract(ctx: Any, SectionCode: str) -> qt.ContractInfo:
        """合同 once it is on record."""
        return run(ctx, Call("GetContract", "section", SectionCode, KINDS),
                   lambda uow, _: qt.contract_info(*queries.contract(uow, SectionCode)))
