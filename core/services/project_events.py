"""What the project tree's events carry: a project, tender project or section with the parties
and the tender around it, as the platforms' data sets 500–502 need them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.event_payloads import ProjectPayload, SectionPayload, TenderProjectPayload
from core.model.project import Project, Section, TenderProject
from core.services.event_context import party_brief, section_context, tender_context


def project_payload(session: Session, p: Project) -> ProjectPayload:
    return {
        "project_code": p.code, "name": p.name, "domain": p.domain,
        "region_code": p.region_code, "industry_code": p.industry_code,
        "owner_party_id": p.owner_party_id, "agency_party_id": p.agency_party_id,
        "total_investment": p.total_investment, "currency": p.currency,
        "price_unit": p.price_unit, "invest_project_code": p.invest_project_code,
        "approval_number": p.approval_number, "created_at": p.created_at,
        "description": p.description,
        "owner": party_brief(session, p.owner_party_id),
        "agency": party_brief(session, p.agency_party_id),
    }


def tender_project_payload(session: Session, tp: TenderProject) -> TenderProjectPayload:
    return {
        "project_code": tp.project.code, "tender_project_code": tp.code,
        "unified_deal_code": tp.unified_deal_code, "name": tp.name,
        "domain": tp.project.domain, "tender_mode": tp.tender_mode,
        "organize_form": tp.organize_form, "tender_project_type": tp.tender_project_type,
        "content": tp.content, "supervise_dept_name": tp.supervise_dept_name,
        "created_at": tp.created_at, **tender_context(session, tp),
    }


def section_payload(session: Session, s: Section) -> SectionPayload:
    return {
        "project_code": s.tender_project.project.code,
        "tender_project_code": s.tender_project.code, "section_code": s.code,
        "unified_deal_code": s.tender_project.unified_deal_code, "name": s.name,
        "content": s.content, "estimated_price": s.estimated_price, "currency": s.currency,
        "price_unit": s.price_unit, "duration_days": s.duration_days,
        "qualification": s.qualification, "created_at": s.created_at,
        **section_context(session, s),
    }
