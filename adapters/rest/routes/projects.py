"""项目, 招标项目 and 标段(包), addressed by their national codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, status

from adapters.rest.deps import Caller, Paging, UoW
from adapters.rest.fields import PathCode, QueryCode
from adapters.rest.schemas import (
    PageOut,
    Patch,
    ProjectIn,
    ProjectOut,
    SectionIn,
    SectionOut,
    TenderProjectIn,
    TenderProjectOut,
    page_out,
    project_out,
    section_out,
    tender_project_out,
)
from core.services import project_queries, projects

router = APIRouter(prefix="/api/v1", tags=["projects"])


def _platform(request: Request) -> Any:
    return request.app.state.container.settings.platform


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@router.post("/projects", response_model=ProjectOut, status_code=status.HTTP_201_CREATED)
def create_project(body: ProjectIn, request: Request, uow: UoW, caller: Caller) -> ProjectOut:
    details = projects.ProjectDetails(
        name=body.name, domain=body.domain, region_code=body.region_code,
        industry_code=body.industry_code, owner_party_id=body.owner_party_id,
        total_investment=_decimal(body.total_investment), currency=body.currency,
        price_unit=body.price_unit, invest_project_code=body.invest_project_code,
        approval_number=body.approval_number, description=body.description,
    )
    return project_out(projects.create_project(uow, caller, _platform(request), details))


@router.get("/projects", response_model=PageOut[ProjectOut])
def list_projects(uow: UoW, caller: Caller, paging: Paging,
                  domain: QueryCode = None) -> dict[str, Any]:
    return page_out(project_queries.list_projects(uow, caller, paging, domain), project_out)


@router.get("/projects/{code}", response_model=ProjectOut)
def read_project(code: PathCode, uow: UoW, caller: Caller) -> ProjectOut:
    return project_out(project_queries.get_project(uow, caller, code))


@router.patch("/projects/{code}", response_model=ProjectOut)
def update_project(code: PathCode, body: Patch, uow: UoW, caller: Caller) -> ProjectOut:
    changes = projects.Changes(body.model_dump(exclude_unset=True))
    return project_out(projects.update_project(uow, caller, code, changes))


@router.post("/projects/{code}/tender-projects", response_model=TenderProjectOut,
             status_code=status.HTTP_201_CREATED)
def create_tender_project(code: PathCode, body: TenderProjectIn, request: Request, uow: UoW,
                          caller: Caller) -> TenderProjectOut:
    details = projects.TenderProjectDetails(
        name=body.name, tender_mode=body.tender_mode, organize_form=body.organize_form,
        tender_project_type=body.tender_project_type, content=body.content,
        supervise_dept_name=body.supervise_dept_name,
    )
    tp = projects.create_tender_project(uow, caller, _platform(request), code, details)
    return tender_project_out(tp)


@router.get("/tender-projects/{code}", response_model=TenderProjectOut)
def read_tender_project(code: PathCode, uow: UoW, caller: Caller) -> TenderProjectOut:
    return tender_project_out(project_queries.get_tender_project(uow, caller, code))


@router.patch("/tender-projects/{code}", response_model=TenderProjectOut)
def update_tender_project(code: PathCode, body: Patch, uow: UoW,
                          caller: Caller) -> TenderProjectOut:
    changes = projects.Changes(body.model_dump(exclude_unset=True))
    return tender_project_out(projects.update_tender_project(uow, caller, code, changes))


@router.post("/tender-projects/{code}/sections", response_model=SectionOut,
             status_code=status.HTTP_201_CREATED)
def create_section(code: PathCode, body: SectionIn, uow: UoW, caller: Caller) -> SectionOut:
    details = projects.SectionDetails(
        name=body.name, content=body.content, estimated_price=_decimal(body.estimated_price),
        currency=body.currency, price_unit=body.price_unit, duration_days=body.duration_days,
        qualification=body.qualification,
    )
    return section_out(projects.create_section(uow, caller, code, details))


@router.get("/sections/{code}", response_model=SectionOut)
def read_section(code: PathCode, uow: UoW, caller: Caller) -> SectionOut:
    return section_out(project_queries.get_section(uow, caller, code))


@router.patch("/sections/{code}", response_model=SectionOut)
def update_section(code: PathCode, body: Patch, uow: UoW, caller: Caller) -> SectionOut:
    changes = projects.Changes(body.model_dump(exclude_unset=True))
    return section_out(projects.update_section(uow, caller, code, changes))
