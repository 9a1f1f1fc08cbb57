"""Reading the project tree: a project, tender project or section by its code, for those who may
read it — and the same "not found" for a code that exists but is someone else's, so nobody can
probe for other parties' projects."""

from __future__ import annotations

from sqlalchemy import or_, select

from core.errors import forbidden, not_found
from core.model.project import Project, Section, TenderProject
from core.security.access import can_read_project
from core.security.principal import Principal
from core.services.paging import Page, PageRequest, paginate
from core.uow import UnitOfWork


def _readable(principal: Principal, project: Project, kind_zh: str, kind_en: str,
              code: str) -> None:
    if not can_read_project(principal, project):
        # the same answer as for a code that does not exist: no probing for others' projects
        raise not_found(kind_zh, kind_en, code)


def get_project(uow: UnitOfWork, principal: Principal, code: str) -> Project:
    project = uow.session.scalars(select(Project).where(Project.code == code)).one_or_none()
    if project is None:
        raise not_found("项目", "project", code)
    _readable(principal, project, "项目", "project", code)
    return project


def get_tender_project(uow: UnitOfWork, principal: Principal, code: str) -> TenderProject:
    tp = uow.session.scalars(
        select(TenderProject).where(TenderProject.code == code)
    ).one_or_none()
    if tp is None:
        raise not_found("招标项目", "tender project", code)
    _readable(principal, tp.project, "招标项目", "tender project", code)
    return tp


def get_section(uow: UnitOfWork, principal: Principal, code: str) -> Section:
    section = uow.session.scalars(select(Section).where(Section.code == code)).one_or_none()
    if section is None:
        raise not_found("标段(包)", "section", code)
    _readable(principal, section.tender_project.project, "标段(包)", "section", code)
    return section


def list_projects(uow: UnitOfWork, principal: Principal, request: PageRequest,
                  domain: str | None = None) -> Page[Project]:
    query = select(Project).order_by(Project.id)
    if not principal.has_oversight:
        if principal.party_id is None:
            raise forbidden("无权查看项目列表", "you may not list projects")
        query = query.where(or_(Project.owner_party_id == principal.party_id,
                                Project.agency_party_id == principal.party_id))
    if domain:
        query = query.where(Project.domain == domain)
    return paginate(uow.session, query, request)
