"""QueryService through a second, independent SOAP library: suds (SOAP 1.1 only; suds has no
SOAP 1.2 binding), with its own WS-Security UsernameToken, against the same live server."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from suds import WebFault
from suds.client import Client
from suds.wsse import Security, UsernameToken

from tests.webservice.conftest import FAULT_NS, PASSWORD, Live, watch


def suds_client(live: Live, username: str = "ws-system", password: str = PASSWORD) -> Any:
    client = Client(live.url("soap11", "query") + "?wsdl", cache=None, timeout=30)
    security = Security()
    security.tokens.append(UsernameToken(username, password))
    client.set_options(wsse=security)
    return client


def suds_fault(call: Any) -> tuple[str, str]:
    """(faultcode, detail code) of a call that must fail."""
    with pytest.raises(WebFault) as info:
        call()
    fault = info.value
    code = fault.document.childAtPath("Envelope/Body/Fault/detail/Error/Code")
    assert code is not None and code.namespace()[1] == FAULT_NS
    return str(fault.fault.faultcode), str(code.getText())


def test_project_and_section(live: Live) -> None:
    client = suds_client(live)
    project = client.service.GetProject(live.project_code)
    assert project.ProjectCode == live.project_code
    assert project.OwnerName == "福州市城市建设投资有限公司"
    assert Decimal(str(project.TotalInvestment)) == Decimal("86500000.00")
    assert project.CreatedAt.utcoffset() == timedelta(0)
    section = client.service.GetSection(live.section_codes[0])
    assert section.Rounds.RoundInfo[0].Status == "contracted"


def test_result_and_contract_agree(live: Live) -> None:
    client = suds_client(live)
    result = client.service.GetResult(live.section_codes[0])
    contract = client.service.GetContract(live.section_codes[0])
    assert result.Winner.BidderCode == contract.Winner.BidderCode
    assert Decimal(str(contract.ContractAmount)) == Decimal(str(result.Winner.Price))


def test_paged_notices(live: Live) -> None:
    client = suds_client(live)
    page = client.service.ListNotices(Page=1, Size=10)  # with the demo's 政府采购 采购公告
    assert (page.Total, page.Page, page.Size) == (2, 1, 10)
    assert live.notice_id in [n.NoticeId for n in page.Notices.NoticeInfo]


def test_faults_reach_suds_with_their_code(live: Live) -> None:
    client = suds_client(live)
    w = watch(live)
    faultcode, code = suds_fault(lambda: client.service.GetContract(live.section_codes[1]))
    assert (faultcode.split(":")[-1], code) == ("Client.NOT_FOUND", "NOT_FOUND")
    w.only_audited("ws.GetContract:NOT_FOUND", "system_client:ws-system")

    wrong = suds_client(live, password="not the password")
    w = watch(live)
    faultcode, code = suds_fault(lambda: wrong.service.GetProject(live.project_code))
    assert (faultcode.split(":")[-1], code) == ("Client.INVALID_CREDENTIALS",
                                                "INVALID_CREDENTIALS")
    w.only_audited("ws.GetProject:INVALID_CREDENTIALS", "anonymous")
