"""The public notices the lifecycle publishes at its steps (issue 10 §3): the 开标记录 when the
record is signed, the 中标候选人公示 when the publicity starts, the 中标结果公告 with the award,
the 合同订立 with the contract, the 终止/流标公告 when a round ends without one.

Each is published at the moment of its step with the facts the law makes public then and no
others, points at the tender notice, is created once, is not created when the step is refused,
and never reaches the platforms as a notice event (the lifecycle sends its own records).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from adapters.bootstrap import Container
from adapters.demo import load_sample_data
from adapters.demo_lifecycle import BIDDERS, sample_id_number
from core.model.account import Account, AccountKind
from core.model.notice import Notice
from core.model.outbox import OutboxEvent
from core.model.project import Project, Section, TenderProject
from core.model.tendering import Award, CommitteeMember, OpeningRecord, Publicity, Round
from core.rules import limits
from core.rules.limits import MemberKind
from core.services import lifecycle_notices
from core.services.tendering.award import candidate_views
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api, fingerprint
from tests.api.test_api_award import CAL, ENGINEERING, Evaluated
from tests.api.test_api_tendering import Tender

GENERATED = ("opening_record", "candidates", "result", "contract")
ENGINEERING_DOMAIN = "engineering"


def _of_domain(domain: str) -> Any:
    """Notices of a domain's tender projects (the demo runs an engineering and a 政府采购 one)."""
    return Notice.tender_project.has(TenderProject.project.has(Project.domain == domain))


def _round_of_domain(domain: str) -> Any:
    return Round.section.has(Section.tender_project.has(
        TenderProject.project.has(Project.domain == domain)))


def _generated(container: Container, domain: str | None = None) -> dict[str, Notice]:
    with container.session_factory() as s:
        rows = s.scalars(select(Notice).where(
            Notice.round_id.is_not(None), *([] if domain is None else [_of_domain(domain)]))
        ).all()
        for n in rows:  # load what the assertions read before the session closes
            _ = n.sections, n.tender_project.project
        return {n.notice_type: n for n in rows}


def test_the_demo_tender_publishes_each_step_at_its_moment(container: Container) -> None:
    """The demo runs its engineering tender's first section from notice to contract; its second
    section's round stays a draft (the tender notice announces it) and publishes nothing. (The
    政府采购 tender beside it: tests/integration/test_demo_both_tenders.py.)"""
    for _ in load_sample_data(container):
        pass
    notices = _generated(container, ENGINEERING_DOMAIN)
    assert sorted(notices) == sorted(GENERATED)
    with container.session_factory() as s:
        tender = s.scalars(select(Notice).where(Notice.notice_type == "tender",
                                                _of_domain(ENGINEERING_DOMAIN))).one()
        r = s.scalars(select(Round).where(Round.status != "draft",
                                          _round_of_domain(ENGINEERING_DOMAIN))).one()
        record = s.get(OpeningRecord, r.id)
        publicity = s.get(Publicity, r.id)
        award = s.get(Award, r.id)
        assert record and publicity and award
        # the moment of each step, to the microsecond
        assert notices["opening_record"].published_at == record.published_at
        assert notices["candidates"].published_at == publicity.starts_at
        assert notices["result"].published_at == award.notice_issued_at
        assert award.contract_signed_at is not None
        assert notices["contract"].published_at >= award.contract_signed_at
        # no author account when the scheduler acts; the agency's when it does
        agency = s.scalars(select(Account.id).where(Account.username == "demo-agency")).one()
        assert notices["candidates"].created_by == agency
        event_types = [e.event_type for e in s.scalars(select(OutboxEvent))
                       if (e.payload or {}).get("domain") in (None, ENGINEERING_DOMAIN)]
    for n in notices.values():
        assert n.status == "published" and n.round_id == r.id
        assert n.related_notice_id == tender.id
        assert [sec.code for sec in n.sections] == [r.section.code]
        assert "闽江北岸滨江道路提升工程施工" in n.title
    # the platforms hear of the tender notice once, as a notice, and of the rest as records
    assert event_types.count("notice.published") == 1
    for name, price in ((b[1], b[2]) for b in BIDDERS):
        assert name in notices["opening_record"].content
        assert f"{float(price):,.2f} 元" in notices["opening_record"].content
    record_text = notices["opening_record"].content
    assert "开标密钥持有人解密" in record_text and "项目负责人：陈建国" in record_text
    for i in (1, 2, 3):  # a personal identifier read out of a bid is not published
        assert sample_id_number(i) not in record_text
        assert sample_id_number(i) not in notices["candidates"].content
    candidates = notices["candidates"].content
    assert "第1名：" in candidates and "公示期：" in candidates and "第五十四条" in candidates
    assert "评标专家" not in candidates  # engineering: the committee stays unnamed
    assert "中标人：" in notices["result"].content and "评审专家名单" not in notices[
        "result"].content
    assert "合同金额：" in notices["contract"].content


def test_a_step_run_again_publishes_nothing_twice(container: Container) -> None:
    for _ in load_sample_data(container):
        pass
    first = _generated(container, ENGINEERING_DOMAIN)
    before = fingerprint(container)
    with container.uow() as uow:
        r = uow.session.scalars(select(Round).where(
            Round.status != "draft", _round_of_domain(ENGINEERING_DOMAIN))).one()
        record = uow.session.get(OpeningRecord, r.id)
        assert record is not None
        again = lifecycle_notices.opening_record(uow, r, record, "test", None)
        publicity = uow.session.get(Publicity, r.id)
        assert publicity is not None
        repeat = lifecycle_notices.candidates(uow, r, publicity, candidate_views(uow, r),
                                              "test", None)
        uow.commit()
    assert again.id == first["opening_record"].id and repeat.id == first["candidates"].id
    assert fingerprint(container) == before
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Notice)
                        .where(_of_domain(ENGINEERING_DOMAIN))) == 5


def test_candidates_notice_only_when_the_publicity_starts(api: Api) -> None:
    e = Evaluated(api)
    now = api.container.clock.now()
    api.unchanged_after("POST", e.url("publicity"), 422, "PUBLICITY_TOO_SHORT_REG_54",
                        headers=e.owner,
                        json={"ends_at": (now + timedelta(days=1)).isoformat()})
    assert _generated(api.container) == {}
    ends = limits.publicity_end(ENGINEERING, CAL, now).ends_at
    e.publish(ends)
    notices = _generated(api.container)
    assert list(notices) == ["candidates"]
    text = notices["candidates"].content
    assert [line.split("　")[0] for line in text.splitlines() if line.startswith("第")] == [
        "第1名：b1 有限公司", "第2名：b2 有限公司", "第3名：b3 有限公司"]
    assert "39,800,000.00 元" in text
    assert notices["candidates"].related_notice_id is None  # this tender announced nothing
    e.clock.set(ends)
    assert run_due(api.container.uow) == 1
    assert e.award().status_code == 201
    api.unchanged_after("POST", e.url("award"), 409, "ROUND_NOT_IN_PUBLICITY",
                        headers=e.signed_in("owner"), json={})
    notices = _generated(api.container)
    assert sorted(notices) == ["candidates", "result"]
    assert "中标人：b1 有限公司" in notices["result"].content


def test_government_procurement_result_names_the_experts(api: Api) -> None:
    """政采条例 43: the 中标(成交)结果公告 lists the 评审专家, secret until then."""
    e = Evaluated(api)
    experts = [api.account(f"ex{i}", AccountKind.EXPERT) for i in range(3)]
    assert experts
    with api.container.session_factory() as s:
        s.scalars(select(Project)).one().domain = "gov_procurement"
        s.scalars(select(TenderProject)).one().tender_mode = "public_tender"
        for i in range(3):
            account = s.scalars(select(Account).where(Account.username == f"ex{i}")).one()
            account.display_name = f"专家{i}"
            s.add(CommitteeMember(round_id=e.round_id, account_id=account.id,
                                  kind=MemberKind.TECHNICAL_ECONOMIC_EXPERT.value,
                                  is_chair=i == 0, assigned_at=e.clock.now()))
        s.commit()
    assert "result" not in _generated(api.container)  # the names are secret until the result
    awarded = e.award()  # 政府采购: no candidates publicity; the result goes with the award
    assert awarded.status_code == 201, awarded.text
    assert sorted(_generated(api.container)) == ["result"]
    result = _generated(api.container)["result"]
    assert "评审专家名单：专家0、专家1、专家2" in result.content
    assert result.title.endswith("中标(成交)结果公告")
    assert "公告期限：至" in result.content and "以书面形式提出质疑" in result.content


def test_termination_publishes_a_notice(api: Api) -> None:
    t = Tender(api)
    t.issue()
    url = f"/api/v1/sections/{t.section}/rounds/current/terminate"
    api.unchanged_after("POST", url, 422, "VALIDATION_FAILED", headers=t.owner,
                        json={"reason": ""})
    assert _generated(api.container) == {}
    r = api.client.post(url, headers=t.owner, json={"reason": "招标人资金未落实"})
    assert r.status_code == 200, r.text
    notice = _generated(api.container)["termination"]
    assert "终止原因：招标人资金未落实" in notice.content and "第三十一条" in notice.content
    assert notice.title.endswith("终止公告")
    assert notice.published_at == api.container.clock.now()
    api.unchanged_after("POST", url, 409, "ROUND_NOT_TERMINABLE", headers=t.owner,
                        json={"reason": "again"})


def test_a_round_never_issued_ends_without_a_notice(api: Api) -> None:
    draft = Tender(api)
    assert draft.configure.status_code == 201
    r = api.client.post(f"/api/v1/sections/{draft.section}/rounds/current/terminate",
                        headers=draft.owner, json={"reason": "项目取消"})
    assert r.status_code == 200, r.text
    assert _generated(api.container) == {}  # a draft was never announced


def test_too_few_bids_publish_the_failed_tender_notice(api: Api, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    for name, body in (("b1", "MA2YB001"), ("b2", "MA2YB002")):
        headers, uscc, key = t.bidder(name, body)
        assert t.submit(headers, t.seal(tmp_path, uscc, key)).status_code == 201
    api.container.clock.set(t.deadline - timedelta(seconds=1))  # type: ignore[attr-defined]
    assert run_due(api.container.uow) == 0
    assert _generated(api.container) == {}
    api.container.clock.set(t.deadline)  # type: ignore[attr-defined]
    assert run_due(api.container.uow) == 1
    failed = _generated(api.container)["failed"]
    assert failed.created_by is None and failed.published_at == t.deadline
    assert failed.title.endswith("流标公告")
    assert "TOO_FEW_BIDS" not in failed.content and "第二十八条" in failed.content


def test_nobody_can_write_a_notice_of_a_generated_type(api: Api) -> None:
    _, owner = api.register("owner", "MA2Y0001", ["tenderer"])
    project = api.project(owner)
    tp = api.tender_project(owner, project["code"])
    section = api.section(owner, tp["code"])["code"]
    for kind in (*GENERATED, "termination", "failed"):
        problem = api.unchanged_after(
            "POST", f"/api/v1/tender-projects/{tp['code']}/notices", 422,
            "NOTICE_TYPE_GENERATED", headers=owner,
            json={"notice_type": kind, "title": "伪造的中标结果公告", "content": "……",
                  "section_codes": [section]})
        assert problem["field"] == "notice_type"
