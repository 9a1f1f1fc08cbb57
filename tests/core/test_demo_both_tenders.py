"""Issue 12's "done when": `ggzy demo` shows a 政府采购 tender beside the engineering one.

The demo runs on the embedded default (SQLite, no sandbox server) in this process; the test
reads what it printed and what it left in the database: the 政府采购 公开招标 of goods went
through its own flow (no candidates publicity; the 采购人's decision; the 中标通知书 with the
中标(成交)结果公告 naming the 评审专家; refunds split around the contract; the contract, its
notice and its filing), the 小微企业 deduction ranked the small supplier first, the closing
table shows both tenders on the same lines, and the platform profiles' 工程建设 routes take none
of the government tender's events while a route of no domain takes them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container, build
from adapters.db.migrate import upgrade
from adapters.demo import load_sample_data
from adapters.platforms import PROFILES, configure_profile
from core.model.account import Account
from core.model.notice import Notice
from core.model.outbox import OutboxEvent
from core.model.project import Project, Section, TenderProject
from core.model.tendering import Award, Decision, Publicity, Registration, Round
from core.services import accounts
from exchange import config
from exchange.model import Delivery
from exchange.relay import relay_batch
from tests.conftest import settings_for


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Container, list[str]]]:
    var: Path = tmp_path_factory.mktemp("demo-var")
    settings = settings_for({"GGZY_VAR_DIR": str(var), "GGZY_SANDBOX": "no"})
    assert settings.database_url.startswith("sqlite")
    upgrade(settings.database_url)
    c = build(settings)
    try:
        yield c, list(load_sample_data(c))
    finally:
        c.close()


def _line(lines: list[str], start: str) -> str:
    found = [line for line in lines if line.startswith(start)]
    assert len(found) == 1, (start, lines)
    return found[0]


def test_the_output_shows_both_tenders_side_by_side(demo: tuple[Container, list[str]]) -> None:
    _, lines = demo
    assert "== 工程建设 公开招标 (招标投标法) ==" in lines
    assert "== 政府采购 公开招标 · 货物 (政府采购法) ==" in lines
    projects = [line for line in lines if line.startswith("project ")]
    assert [p.split("  ")[-1] for p in projects] == ["闽江北岸滨江道路提升工程",
                                                     "福州第一中学智慧教室设备采购项目"]
    assert "  rank 1: demo-supplier-1 2698000.00 (小微企业 −10%: 2428200.00)" in lines
    assert "采购人 decided: rank 1 chosen (政采条例 43)" in lines
    table = lines[lines.index("tenders side by side") + 1:]
    domain = _line(table, "  domain")
    assert "工程建设 · 公开招标" in domain and "政府采购 · 公开招标 · 货物" in domain
    flow = _line(table, "  flow")
    assert flow.split()[1:] == ["tendering", "gov_procurement"]
    assert _line(table, "  round").count("contracted") == 2
    choice = _line(table, "  choice")
    assert "中标候选人公示" in choice and "采购人确定 第1名" in choice
    evaluation = _line(table, "  evaluation")
    assert "综合评估法" in evaluation and "综合评分法 · 小微企业扣除 10.00% ×1" in evaluation
    winner = _line(table, "  winner")
    assert "闽江路桥建设集团有限公司" in winner and "福建星网智慧教育科技有限公司" in winner
    notices = _line(table, "  notices")
    assert "招标公告" in notices and "采购公告" in notices


def test_the_government_tender_went_through_its_own_flow(
        demo: tuple[Container, list[str]]) -> None:
    c, _ = demo
    with c.session_factory() as s:
        assert sorted(s.scalars(select(Project.domain))) == ["engineering", "gov_procurement"]
        r = s.scalars(select(Round).join(Section).join(TenderProject).join(Project)
                      .where(Project.domain == "gov_procurement")).one()
        purchaser = s.scalars(select(Account).where(Account.username == "demo-purchaser")).one()
        assert r.status == "contracted" and r.procurement_object == "goods"
        assert s.get(Publicity, r.id) is None  # no candidates publicity in 政府采购
        decision = s.get(Decision, r.id)
        assert decision is not None and not decision.deemed and decision.rank == 1
        assert decision.decided_by == accounts.principal_of(purchaser).actor  # 政采条例 43
        won = s.get(Award, r.id)
        assert won is not None and won.contract_amount == Decimal("2698000.00")
        assert won.challenge_ends_at is not None and won.contract_signed_at is not None
        refunds = s.scalars(select(Registration).where(Registration.round_id == r.id)).all()
        assert [x.deposit_status for x in refunds] == ["refunded"] * 3
        winner_reg = next(x for x in refunds if x.deposit_refunded_at is not None
                          and x.deposit_refunded_at > won.contract_signed_at)
        losers = [x for x in refunds if x is not winner_reg]
        assert all(x.deposit_refunded_at is not None
                   and x.deposit_refunded_at < won.contract_signed_at for x in losers)
        steps = s.scalars(select(Notice).where(Notice.round_id == r.id)
                          .order_by(Notice.published_at, Notice.id)).all()
        assert [n.notice_type for n in steps] == ["opening_record", "result", "contract"]
        assert "评审专家名单：评审专家1" in steps[1].content  # 政采条例 43


def test_the_engineering_profiles_take_none_of_the_government_events(
        demo: tuple[Container, list[str]]) -> None:
    """What `make run` routes (the sandbox recorder takes every event, the three profiles their
    data sets), relayed over the demo's events: the profiles' routes are engineering's."""
    c, _ = demo
    now = c.clock.now()
    with c.session_factory() as s:
        for profile in PROFILES:
            configure_profile(s, c.settings, profile, f"http://{profile.name}.invalid/", "test",
                              now)
        config.upsert_target(s, "recorder", {"kind": "http_json",
                                             "endpoint": "http://recorder.invalid/"}, "test", now)
        config.add_route(s, "*", "recorder", "json-passthrough@1", True, "test", now)
        s.commit()
    with c.session_factory() as s:
        relay_batch(s, now, limit=10_000)
        s.commit()
        domain_of = {e.event_id: (e.payload or {}).get("domain")
                     for e in s.scalars(select(OutboxEvent))}
        by_target: dict[str, set[str | None]] = {}
        for target, event_id in s.execute(select(Delivery.target, Delivery.event_id)):
            by_target.setdefault(target, set()).add(domain_of[event_id])
    for profile in PROFILES:
        assert by_target[profile.name] == {"engineering"}, profile.name
    assert {"engineering", "gov_procurement", None} <= by_target["recorder"]
