"""The records QueryService answers with, and how each is built from the core's objects.

Element names are PascalCase; amounts are xs:decimal (never floats); every time is an
xs:dateTime in UTC with its zone. Internal ids (bid, party, account) are never part of them:
a bidder is named by its name and 统一社会信用代码 (or 身份证号码 for a person).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal as DecimalValue
from typing import Any

from spyne import Array, Boolean, ComplexModel, DateTime, Decimal, Integer, Unicode

from core.model.notice import Notice
from core.model.party import Party
from core.model.project import Project, Section, TenderProject
from core.model.tendering import Award, OpeningRecord, Publicity, Round
from core.services.paging import Page
from core.services.tendering.award import CandidateView

TNS = "urn:ggzy-hub:ws:query:1"


def utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


class TenderProjectInfo(ComplexModel):
    __namespace__ = TNS
    TenderProjectCode = Unicode
    UnifiedDealCode = Unicode
    Name = Unicode
    TenderMode = Unicode
    OrganizeForm = Unicode
    TenderProjectType = Unicode
    SuperviseDeptName = Unicode
    CreatedAt = DateTime
    SectionCodes = Array(Unicode, member_name="SectionCode")


class ProjectInfo(ComplexModel):
    __namespace__ = TNS
    ProjectCode = Unicode
    Name = Unicode
    Domain = Unicode
    RegionCode = Unicode
    IndustryCode = Unicode
    OwnerName = Unicode
    OwnerCode = Unicode
    AgencyName = Unicode
    AgencyCode = Unicode
    TotalInvestment = Decimal
    Currency = Unicode
    PriceUnit = Unicode
    InvestProjectCode = Unicode
    ApprovalNumber = Unicode
    CreatedAt = DateTime
    TenderProjects = Array(TenderProjectInfo)


class ProjectPage(ComplexModel):
    __namespace__ = TNS
    Total = Integer
    Page = Integer
    Size = Integer
    Projects = Array(ProjectInfo)


class RoundInfo(ComplexModel):
    __namespace__ = TNS
    RoundNo = Integer
    Procedure = Unicode
    Status = Unicode
    Suspended = Boolean
    DocumentsIssuedAt = DateTime
    BidDeadline = DateTime
    FailureReason = Unicode


class SectionInfo(ComplexModel):
    __namespace__ = TNS
    SectionCode = Unicode
    Name = Unicode
    TenderProjectCode = Unicode
    TenderProjectName = Unicode
    ProjectCode = Unicode
    UnifiedDealCode = Unicode
    Content = Unicode
    EstimatedPrice = Decimal
    Currency = Unicode
    PriceUnit = Unicode
    DurationDays = Integer
    Qualification = Unicode
    CreatedAt = DateTime
    Rounds = Array(RoundInfo)


class NoticeInfo(ComplexModel):
    __namespace__ = TNS
    NoticeId = Integer
    NoticeType = Unicode
    Title = Unicode
    Content = Unicode
    ProjectCode = Unicode
    TenderProjectCode = Unicode
    UnifiedDealCode = Unicode
    Domain = Unicode
    RegionCode = Unicode
    SectionCodes = Array(Unicode, member_name="SectionCode")
    RelatedNoticeId = Integer
    PublishedAt = DateTime


class NoticePage(ComplexModel):
    __namespace__ = TNS
    Total = Integer
    Page = Integer
    Size = Integer
    Notices = Array(NoticeInfo)


class OpenedBid(ComplexModel):
    __namespace__ = TNS
    BidderName = Unicode
    BidderCode = Unicode
    Outcome = Unicode
    Price = Decimal
    FailureCode = Unicode


class OpeningRecordInfo(ComplexModel):
    __namespace__ = TNS
    SectionCode = Unicode
    RoundNo = Integer
    BidDeadline = DateTime
    PublishedAt = DateTime
    Bids = Array(OpenedBid)
    SignedBody = Unicode
    Signature = Unicode


class CandidateInfo(ComplexModel):
    __namespace__ = TNS
    Rank = Integer
    Status = Unicode
    BidderName = Unicode
    BidderCode = Unicode
    Price = Decimal


class CandidatesInfo(ComplexModel):
    __namespace__ = TNS
    SectionCode = Unicode
    RoundNo = Integer
    PublicityStatus = Unicode
    StartsAt = DateTime
    EndsAt = DateTime
    Candidates = Array(CandidateInfo)


class ResultInfo(ComplexModel):
    __namespace__ = TNS
    SectionCode = Unicode
    RoundNo = Integer
    RoundStatus = Unicode
    NoticeIssuedAt = DateTime
    Winner = CandidateInfo


class ContractInfo(ComplexModel):
    __namespace__ = TNS
    SectionCode = Unicode
    RoundNo = Integer
    Winner = CandidateInfo
    ContractAmount = Decimal
    Currency = Unicode
    PriceUnit = Unicode
    ContractSignedAt = DateTime


# -- building them ----------------------------------------------------------------------------


def _amount(text: Any) -> DecimalValue | None:
    return None if text is None else DecimalValue(str(text))


def _party(party: Party | None) -> tuple[str | None, str | None]:
    return (None, None) if party is None else (party.name, party.identifier)


def tender_project_info(tp: TenderProject) -> TenderProjectInfo:
    return TenderProjectInfo(
        TenderProjectCode=tp.code, UnifiedDealCode=tp.unified_deal_code, Name=tp.name,
        TenderMode=tp.tender_mode, OrganizeForm=tp.organize_form,
        TenderProjectType=tp.tender_project_type, SuperviseDeptName=tp.supervise_dept_name,
        CreatedAt=utc(tp.created_at), SectionCodes=[s.code for s in tp.sections])


def project_info(p: Project, owner: Party | None, agency: Party | None) -> ProjectInfo:
    owner_name, owner_code = _party(owner)
    agency_name, agency_code = _party(agency)
    return ProjectInfo(
        ProjectCode=p.code, Name=p.name, Domain=p.domain, RegionCode=p.region_code,
        IndustryCode=p.industry_code, OwnerName=owner_name, OwnerCode=owner_code,
        AgencyName=agency_name, AgencyCode=agency_code, TotalInvestment=p.total_investment,
        Currency=p.currency, PriceUnit=p.price_unit, InvestProjectCode=p.invest_project_code,
        ApprovalNumber=p.approval_number, CreatedAt=utc(p.created_at),
        TenderProjects=[tender_project_info(tp) for tp in p.tender_projects])


def project_page(page: Page[Any], items: list[ProjectInfo]) -> ProjectPage:
    return ProjectPage(Total=page.total, Page=page.page, Size=page.page_size, Projects=items)


def round_info(r: Round) -> RoundInfo:
    return RoundInfo(RoundNo=r.round_no, Procedure=r.procedure, Status=r.status,
                     Suspended=r.suspended_at is not None,
                     DocumentsIssuedAt=utc(r.documents_issued_at),
                     BidDeadline=utc(r.bid_deadline), FailureReason=r.failure_reason)


def section_info(s: Section, rounds: list[Round]) -> SectionInfo:
    tp = s.tender_project
    return SectionInfo(
        SectionCode=s.code, Name=s.name, TenderProjectCode=tp.code, TenderProjectName=tp.name,
        ProjectCode=tp.project.code, UnifiedDealCode=tp.unified_deal_code, Content=s.content,
        EstimatedPrice=s.estimated_price, Currency=s.currency, PriceUnit=s.price_unit,
        DurationDays=s.duration_days, Qualification=s.qualification,
        CreatedAt=utc(s.created_at), Rounds=[round_info(r) for r in rounds])


def notice_info(n: Notice, with_content: bool = True) -> NoticeInfo:
    tp = n.tender_project
    return NoticeInfo(
        NoticeId=n.id, NoticeType=n.notice_type, Title=n.title,
        Content=n.content if with_content else None, ProjectCode=tp.project.code,
        TenderProjectCode=tp.code, UnifiedDealCode=tp.unified_deal_code,
        Domain=tp.project.domain, RegionCode=tp.project.region_code,
        SectionCodes=[s.code for s in n.sections], RelatedNoticeId=n.related_notice_id,
        PublishedAt=utc(n.published_at))


def notice_page(page: Page[Notice]) -> NoticePage:
    """A page of notices without their content (GetNotice has it): a page of 100 full
    notices could run to megabytes."""
    return NoticePage(Total=page.total, Page=page.page, Size=page.page_size,
                      Notices=[notice_info(n, with_content=False) for n in page.items])


def opening_record_info(r: Round, record: OpeningRecord) -> OpeningRecordInfo:
    """The signed body goes out as it was signed, so a peer can verify it with the platform
    key; the bids are the same body read for convenience."""
    body = json.loads(record.body)
    bids = [OpenedBid(BidderName=b.get("bidder_name"), BidderCode=b.get("bidder_id"),
                      Outcome=b.get("outcome"), Price=_amount(b.get("price")),
                      FailureCode=b.get("failure_code"))
            for b in body.get("bids", [])]
    return OpeningRecordInfo(SectionCode=r.section.code, RoundNo=r.round_no,
                             BidDeadline=utc(r.bid_deadline),
                             PublishedAt=utc(record.published_at), Bids=bids,
                             SignedBody=record.body, Signature=record.signature)


def candidate_info(c: CandidateView) -> CandidateInfo:
    return CandidateInfo(Rank=c.rank, Status=c.status, BidderName=c.bidder_name,
                         BidderCode=c.bidder_identifier, Price=c.price)


def candidates_info(r: Round, p: Publicity, candidates: list[CandidateView]) -> CandidatesInfo:
    return CandidatesInfo(SectionCode=r.section.code, RoundNo=r.round_no,
                          PublicityStatus=p.status, StartsAt=utc(p.starts_at),
                          EndsAt=utc(p.ends_at),
                          Candidates=[candidate_info(c) for c in candidates])


def result_info(r: Round, award: Award, winner: CandidateView) -> ResultInfo:
    return ResultInfo(SectionCode=r.section.code, RoundNo=r.round_no, RoundStatus=r.status,
                      NoticeIssuedAt=utc(award.notice_issued_at),
                      Winner=candidate_info(winner))


def contract_info(r: Round, award: Award, winner: CandidateView) -> ContractInfo:
    return ContractInfo(SectionCode=r.section.code, RoundNo=r.round_no,
                        Winner=candidate_info(winner), ContractAmount=award.contract_amount,
                        Currency=r.section.currency, PriceUnit=r.section.price_unit,
                        ContractSignedAt=utc(award.contract_signed_at))
