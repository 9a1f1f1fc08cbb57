"""QueryService through zeep clients built from the served WSDL, over SOAP 1.1 and SOAP 1.2,
against a live server whose data the demo drove through a whole tender."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
import requests
import zeep
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import select

from core.clock import SHANGHAI
from core.model.project import TenderProject
from core.services import notices, projects
from tests.webservice.conftest import (
    ZEEP_SETTINGS,
    Live,
    agency_principal,
    configure_round,
    watch,
    zeep_fault,
)

SOAP = ("soap11", "soap12")


def _utc(moment: datetime) -> None:
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize("soap", SOAP)
def test_project_with_its_tender_projects_and_an_audit_entry(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    head = live.audit_head()
    project = client.service.GetProject(live.project_code)
    assert project.ProjectCode == live.project_code
    assert project.Name == "闽江北岸滨江道路提升工程"
    assert project.OwnerName == "福州市城市建设投资有限公司"
    assert project.AgencyName == "福建闽江工程咨询有限公司"
    assert project.TotalInvestment == Decimal("86500000.00")
    _utc(project.CreatedAt)
    tp = project.TenderProjects.TenderProjectInfo[0]
    assert tp.SectionCodes.SectionCode[:2] == live.section_codes  # later tests add a third
    assert tp.UnifiedDealCode.startswith("E48-91350100M000100Y43-")
    entries = live.audit_since(head)
    assert [(e.action, e.actor, e.object_type, e.object_id) for e in entries] == [
        ("ws.GetProject", "system_client:ws-system", "project", live.project_code)]


@pytest.mark.parametrize("soap", SOAP)
def test_section_shows_its_rounds_but_not_a_draft(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    section = client.service.GetSection(live.section_codes[0])
    (round_1,) = section.Rounds.RoundInfo
    assert (round_1.RoundNo, round_1.Status, round_1.Suspended) == (1, "contracted", False)
    _utc(round_1.BidDeadline)
    assert section.EstimatedPrice == Decimal("41200000.00")
    assert section.ProjectCode == live.project_code

    agency = agency_principal(live)
    with live.container.uow() as uow:  # a new section with a round configured, not issued
        tp_code = uow.session.scalars(select(TenderProject.code).where(  # engineering's
            TenderProject.code.startswith(live.project_code))).one()
        drafted = projects.create_section(uow, agency, tp_code,
                                          projects.SectionDetails(name="第三标段（草稿轮次）"))
        code = drafted.code
        uow.commit()
    configure_round(live, code, issue=False)
    drafted_view = client.service.GetSection(code)
    assert drafted_view.Rounds is None or not drafted_view.Rounds.RoundInfo
    error = zeep_fault(lambda: client.service.GetOpeningRecord(code))
    assert (error["Side"], error["Code"]) == ("Client", "NOT_FOUND")


@pytest.mark.parametrize("soap", SOAP)
def test_published_notices_only(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    notice = client.service.GetNotice(live.notice_id)
    assert notice.Title == "闽江北岸滨江道路提升工程施工招标公告"
    assert "招标条件" in notice.Content
    assert notice.SectionCodes.SectionCode == live.section_codes
    _utc(notice.PublishedAt)

    agency = agency_principal(live)
    with live.container.uow() as uow:
        tp_code = uow.session.scalars(select(TenderProject.code).where(  # engineering's
            TenderProject.code.startswith(live.project_code))).one()
        draft = notices.create_notice(uow, agency, tp_code, notices.NoticeDraft(
            notice_type="tender", title="未发布的公告", content="草稿",
            section_codes=(live.section_codes[1],)))
        draft_id = draft.id
        uow.commit()
    error = zeep_fault(lambda: client.service.GetNotice(draft_id))
    assert (error["Code"], error["Cause"]) == ("NOT_FOUND", "NOTICE_NOT_FOUND")

    page = client.service.ListNotices()  # and the demo's 政府采购 采购公告, published later
    assert (page.Total, page.Page, page.Size) == (2, 1, 20)
    listed = next(n for n in page.Notices.NoticeInfo if n.NoticeId == live.notice_id)
    assert listed.Content is None

    published = notice.PublishedAt
    inside = client.service.ListNotices(From=published, To=published + timedelta(seconds=1))
    assert inside.Total == 1
    after = client.service.ListNotices(From=published + timedelta(seconds=1))
    assert after.Total == 1  # only the 政府采购 tender's, published weeks later
    assert after.Notices.NoticeInfo[0].NoticeId != live.notice_id
    # the same instant written in Beijing time is the same instant
    beijing = published.astimezone(SHANGHAI)
    assert client.service.ListNotices(From=beijing, To=beijing + timedelta(hours=1)).Total == 1


@pytest.mark.parametrize("soap", SOAP)
def test_list_projects_pages_by_creation_time(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    first = client.service.ListProjects(Page=1, Size=1)  # the engineering project, then the
    assert (first.Total, first.Page, first.Size) == (2, 1, 1)  # 政府采购 one weeks later
    assert first.Projects.ProjectInfo[0].ProjectCode == live.project_code
    second = client.service.ListProjects(Page=2, Size=1)
    assert second.Total == 2
    assert second.Projects.ProjectInfo[0].ProjectCode != live.project_code
    assert client.service.ListProjects(Page=3, Size=1).Projects is None
    created = first.Projects.ProjectInfo[0].CreatedAt
    assert client.service.ListProjects(To=created).Total == 0  # To is exclusive
    assert client.service.ListProjects(From=created, To=created + timedelta(days=1)).Total == 1


@pytest.mark.parametrize("soap", SOAP)
def test_range_and_paging_refusals(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    now = datetime.now(UTC)
    w = watch(live)
    error = zeep_fault(lambda: client.service.ListNotices(From=now, To=now - timedelta(days=1)))
    assert (error["Side"], error["Code"], error["Field"]) == ("Client", "RANGE_INVALID", "to")
    w.only_audited("ws.ListNotices:RANGE_INVALID", "system_client:ws-system")

    w = watch(live)
    naive = datetime(2026, 3, 1, 8, 0)  # no zone: no instant, refused rather than guessed
    error = zeep_fault(lambda: client.service.ListProjects(From=naive))
    assert error["Code"] == "DATETIME_NOT_AWARE"
    w.only_audited("ws.ListProjects:DATETIME_NOT_AWARE", "system_client:ws-system")

    w = watch(live)
    error = zeep_fault(lambda: client.service.ListProjects(Size=101))
    assert error["Code"] == "INVALID_REQUEST"  # the WSDL says at most 100
    w.only_audited("ws.ListProjects:INVALID_REQUEST", "system_client:ws-system")


@pytest.mark.parametrize("soap", SOAP)
def test_opening_record_verifies_with_the_platform_key(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    record = client.service.GetOpeningRecord(live.section_codes[0])
    key = load_pem_public_key(httpx.get(live.base + "/api/v1/public/platform-keys")
                              .json()["receipt_signing_key_pem"].encode())
    assert isinstance(key, Ed25519PublicKey)
    key.verify(base64.b64decode(record.Signature), record.SignedBody.encode())  # raises if not
    body = json.loads(record.SignedBody)
    bids = record.Bids.OpenedBid
    assert [(b.BidderName, b.Price) for b in bids] == [
        (b["bidder_name"], Decimal(b["price"])) for b in body["bids"]]
    assert len(bids) == 3
    rest = httpx.get(f"{live.base}/api/v1/public/sections/{live.section_codes[0]}"
                     "/opening-record").json()
    assert rest["body"] == record.SignedBody


@pytest.mark.parametrize("soap", SOAP)
def test_candidates_result_and_contract(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    code = live.section_codes[0]
    candidates = client.service.GetCandidates(code)
    ranked = candidates.Candidates.CandidateInfo
    assert [c.Rank for c in ranked] == [1, 2, 3]
    assert ranked[0].Status == "awarded"
    assert all(c.Price is not None and c.BidderCode for c in ranked)
    assert candidates.PublicityStatus == "ended"
    _utc(candidates.EndsAt)
    result = client.service.GetResult(code)
    assert result.Winner.BidderName == ranked[0].BidderName
    assert result.RoundStatus == "contracted"
    contract = client.service.GetContract(code)
    assert contract.ContractAmount == ranked[0].Price
    assert contract.Winner.BidderCode == ranked[0].BidderCode
    _utc(contract.ContractSignedAt)


@pytest.mark.parametrize("soap", SOAP)
def test_no_bid_ids_scores_or_committee_in_any_answer(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    code = live.section_codes[0]
    with client.settings(raw_response=True):
        answers = [client.service.GetCandidates(code), client.service.GetResult(code),
                   client.service.GetContract(code), client.service.GetSection(code),
                   client.service.GetOpeningRecord(code)]
    for answer in answers:
        assert answer.status_code == 200
        for word in ("BidId", "bid_id", "PartyId", "party_id", "Score", "评标专家", "demo-expert"):
            assert word not in answer.text, word


@pytest.mark.parametrize("soap", SOAP)
def test_later_steps_not_yet_public_are_not_found(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    code = live.section_codes[1]  # published notice, but never tendered
    for operation in ("GetOpeningRecord", "GetCandidates", "GetResult", "GetContract"):
        w = watch(live)
        error = zeep_fault(lambda op=operation: getattr(client.service, op)(code))
        assert (error["Side"], error["Code"]) == ("Client", "NOT_FOUND")
        assert error["Cause"].endswith("_NOT_FOUND")
        entry = w.only_audited(f"ws.{operation}:NOT_FOUND", "system_client:ws-system")
        assert entry.object_id == code


@pytest.mark.parametrize("soap", SOAP)
def test_unknown_project_is_a_not_found_fault(live: Live, soap: str) -> None:
    client = live.zeep(soap, "query")
    w = watch(live)
    error = zeep_fault(lambda: client.service.GetProject("E3501000001999999"))
    assert error["Code"] == "NOT_FOUND" and error["Cause"] == "PROJECT_NOT_FOUND"
    assert "不存在" in error["MessageZh"] and "does not exist" in error["MessageEn"]
    w.only_audited("ws.GetProject:NOT_FOUND", "system_client:ws-system")


@pytest.mark.parametrize("soap", SOAP)
def test_bearer_token_instead_of_a_username_token(live: Live, soap: str) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {live.bearer}"
    transport = zeep.transports.Transport(session=session)
    client = zeep.Client(live.url(soap, "query") + "?wsdl", settings=ZEEP_SETTINGS,
                         transport=transport)
    head = live.audit_head()
    assert client.service.GetProject(live.project_code).ProjectCode == live.project_code
    assert [e.actor for e in live.audit_since(head)] == ["system_client:ws-system"]


@pytest.mark.parametrize("soap", SOAP)
def test_who_may_query(live: Live, soap: str) -> None:
    admin = live.zeep(soap, "query", "ws-admin")
    assert admin.service.GetProject(live.project_code).ProjectCode == live.project_code
    for username, kind in (("ws-supervisor", "supervisor"), ("ws-party", "party_user"),
                           ("ws-staff", "centre_staff")):
        client = live.zeep(soap, "query", username)
        w = watch(live)
        error = zeep_fault(lambda c=client: c.service.GetProject(live.project_code))
        assert error["Code"] == "ROLE_NOT_ALLOWED"
        w.only_audited("ws.GetProject:ROLE_NOT_ALLOWED", f"{kind}:{username}")
