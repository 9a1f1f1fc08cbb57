"""SupervisionService over zeep: a supervisor suspends, resumes and terminates the round of a
section by instruction; a repeated instruction changes nothing; others may not instruct."""

from __future__ import annotations

import pytest

from tests.webservice.conftest import Live, configure_round, unique, watch, zeep_fault

SUPERVISOR = "supervisor:ws-supervisor"


@pytest.fixture(scope="module")
def section(live: Live) -> str:
    """The demo's second section, with a round whose documents are out (bidding)."""
    code = live.section_codes[1]
    configure_round(live, code, issue=True)
    return code


def test_suspend_resume_terminate(live: Live, section: str) -> None:
    client = live.zeep("soap11", "supervision", "ws-supervisor")
    query = live.zeep("soap12", "query")
    bidding = query.service.GetSection(section).Rounds.RoundInfo[-1]
    assert (bidding.Status, bidding.Suspended) == ("bidding", False)

    suspend_no = unique("榕建监〔2026〕")
    head = live.audit_head()
    state = client.service.SuspendSection(section, suspend_no, "收到投诉，暂停招标投标活动")
    assert (state.Status, state.Suspended, state.SuspensionInstruction) == (
        "bidding", True, suspend_no)
    actions = [(e.action, e.actor) for e in live.audit_since(head)]
    assert ("round.suspend", SUPERVISOR) in actions and ("ws.SuspendSection", SUPERVISOR) in actions
    assert query.service.GetSection(section).Rounds.RoundInfo[-1].Suspended is True

    # the same instruction pushed again: the round as it stands, nothing else
    w = watch(live)
    again = client.service.SuspendSection(section, suspend_no, "收到投诉，暂停招标投标活动")
    assert again.Suspended is True and again.SuspendedAt == state.SuspendedAt
    w.only_audited("ws.SuspendSection", SUPERVISOR)

    soap12 = live.zeep("soap12", "supervision", "ws-supervisor")
    resumed = soap12.service.ResumeSection(section, unique("榕建监恢复"), "投诉处理完毕")
    assert resumed.Suspended is False and resumed.Status == "bidding"
    assert resumed.BidDeadline >= state.BidDeadline  # the suspended time is given back

    w = watch(live)
    error = zeep_fault(lambda: client.service.ResumeSection(section, unique("再恢复"), "重复"))
    assert (error["Side"], error["Code"]) == ("Client", "ROUND_NOT_SUSPENDED")
    w.only_audited("ws.ResumeSection:ROUND_NOT_SUSPENDED", SUPERVISOR)

    terminate_no = unique("榕建监终止")
    ended = client.service.TerminateSection(section, terminate_no, "招标文件违法，责令终止")
    assert ended.Status == "terminated" and terminate_no in ended.FailureReason


def test_only_supervisors_and_administrators_instruct(live: Live) -> None:
    code = live.section_codes[0]
    for username, kind in (("ws-system", "system_client"), ("ws-staff", "centre_staff")):
        client = live.zeep("soap11", "supervision", username)
        w = watch(live)
        error = zeep_fault(lambda c=client: c.service.SuspendSection(code, unique("X"), "无权"))
        assert error["Code"] == "ROLE_NOT_ALLOWED"
        w.only_audited("ws.SuspendSection:ROLE_NOT_ALLOWED", f"{kind}:{username}")


def test_instruction_for_an_unknown_section(live: Live) -> None:
    client = live.zeep("soap12", "supervision", "ws-admin")
    w = watch(live)
    error = zeep_fault(lambda: client.service.SuspendSection(
        "E3501000001999999999001", unique("X"), "无此标段"))
    assert error["Code"] == "NOT_FOUND"
    w.only_audited("ws.SuspendSection:NOT_FOUND", "admin:ws-admin")


def test_a_contracted_round_cannot_be_suspended(live: Live) -> None:
    client = live.zeep("soap11", "supervision", "ws-supervisor")
    w = watch(live)
    error = zeep_fault(lambda: client.service.SuspendSection(
        live.section_codes[0], unique("X"), "已签合同"))
    assert error["Code"] == "ROUND_NOT_SUSPENDABLE"
    w.only_audited("ws.SuspendSection:ROUND_NOT_SUSPENDABLE", SUPERVISOR)
