"""`ggzy demo`, third part: a 政府采购 公开招标 of goods beside the engineering tender.

The same use cases the REST API runs, on the demo's moved clock, after the engineering tender
has reached its contract (a round prepared earlier would pass its deadline while the engineering
one is driven, and fail with no bids): a 采购人 and its 采购代理机构, the 采购公告, three
suppliers' sealed bids, the online opening, a committee scoring under the price policy (goods:
price weight 30 %, 87号令 55) with a 10 % deduction for the one supplier whose 中小企业声明函
declares it 小微 (财库〔2020〕46号 第九条 as raised by 财库〔2022〕19号), the report, the
purchaser's own choice in rank (政采条例 43), the 中标通知书 with the 中标(成交)结果公告 (listing
the 评审专家), the unsuccessful suppliers' deposits refunded after the notice and the winner's
after the contract (政采条例 33), the contract, its 合同公告 (政采条例 50) and its filing
(政府采购法 47). The flow is ``core.services.tendering.flows.GOV_PROCUREMENT``: no candidates
publicity.

The exchange sends none of it to the platforms' 工程建设 (gcjs) data sets: their routes take the
engineering domain only (``Route.domain``), and no 政府采购 (55x) spec ships yet.
"""

from __future__ import annotations

import secrets
from collections.abc import Generator, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from adapters.bootstrap import Container
from adapters.demo_lifecycle import (
    Bidder,
    bid_and_open,
    confirm_deposits,
    prepare_round,
    score_and_sign,
    seat_committee,
)
from core.clock import MovableClock
from core.evaluation.methods import EvaluationMethod
from core.evaluation.scoring import CriterionCategory
from core.model.account import Account
from core.model.notice import Notice
from core.model.party import PartyKind
from core.security.principal import Principal
from core.services import accounts, notices, parties, projects
from core.services.lifecycle_notices import label
from core.services.tendering import award, deposits, evaluation, rounds

GOV = "gov_procurement"
BUDGET = Decimal("2860000.00")
DEPOSIT = Decimal("50000.00")  # ≤ 2 % of the budget (政采条例 33)
SME_DEDUCTION = Decimal("10")  # percent, within 46号 9's 10–20 % as raised by 19号
#: (USCC body, name, price, 交货期 in days, declares itself 小微企业)
SUPPLIERS = (("MA2YGP01", "福建星网智慧教育科技有限公司", "2698000.00", 30, True),
             ("MA2YGP02", "福州海峡信息设备有限公司", "2585000.00", 45, False),
             ("MA2YGP03", "闽都数码科技有限公司", "2736000.00", 30, False))
CRITERIA = (evaluation.CriterionIn("technical", "技术参数响应", Decimal(50)),
            evaluation.CriterionIn("service", "售后服务与业绩", Decimal(20),
                                   CriterionCategory.COMMERCIAL),
            evaluation.CriterionIn("price", "价格分", Decimal(30), CriterionCategory.PRICE))


def _principal(c: Container, username: str) -> Principal:
    with c.uow() as uow:
        found = uow.session.scalars(select(Account).where(Account.username == username)).one()
        return accounts.principal_of(found)


def run_procurement(c: Container, clock: MovableClock, agency_username: str,
                    staff_username: str) -> Generator[str, None, str]:
    """The government tender from its project to its contract notice, on ``clock``; returns
    its section's code."""
    from adapters.demo import sample_uscc

    agency = _principal(c, agency_username)
    staff = _principal(c, staff_username)
    with c.uow() as uow:  # a 事业单位 (统一社会信用代码 12…): the 采购人
        parties.register_party(uow, parties.PartyDetails(
            kind=PartyKind.ORGANISATION, name="福州第一中学",
            uscc=sample_uscc("MA2YGPB1", prefix="12"), region_code="350102",
            roles=frozenset({"purchaser"}), contact_name="郑老师",
            contact_phone="0591-88000002"), "demo-purchaser", secrets.token_urlsafe(24))
        uow.commit()
    purchaser = _principal(c, "demo-purchaser")
    with c.uow() as uow:
        project = projects.create_project(uow, agency, c.settings.platform,
                                          projects.ProjectDetails(
            name="福州第一中学智慧教室设备采购项目", domain=GOV, region_code="350102",
            industry_code="F51", owner_party_id=purchaser.party_id, total_investment=BUDGET))
        uow.commit()
    with c.uow() as uow:
        tp = projects.create_tender_project(uow, agency, c.settings.platform, project.code,
                                            projects.TenderProjectDetails(
            name="福州第一中学智慧教室设备采购", tender_mode="public_tender", organize_form="2",
            tender_project_type=None,
            content="交互式智能平板、学生计算机及配套设备的供货、安装与售后服务"))
        uow.commit()
    with c.uow() as uow:
        section = projects.create_section(uow, agency, tp.code, projects.SectionDetails(
            name="第1包：交互式智能平板及学生计算机", estimated_price=BUDGET, duration_days=60,
            qualification="符合政府采购法第二十二条规定的供应商条件"))
        uow.commit()
    section_code = section.code
    clock.advance(timedelta(days=1))
    prepared = prepare_round(c, section_code, agency_username, DEPOSIT,
                             procurement_object="goods", sme_deduction=SME_DEDUCTION)
    with c.uow() as uow:
        notice = notices.create_notice(uow, agency, tp.code, notices.NoticeDraft(
            notice_type="tender", title="福州第一中学智慧教室设备采购公开招标公告",
            content="一、项目基本情况\n采购人：福州第一中学；预算金额：2,860,000.00 元；"
                    "采购方式：公开招标；采购需求：交互式智能平板、学生计算机及配套设备。\n"
                    "二、申请人的资格要求\n满足《中华人民共和国政府采购法》第二十二条规定；"
                    "落实政府采购政策：小微企业价格扣除 10%。",
            section_codes=(section_code,)))
        uow.commit()
    with c.uow() as uow:
        notices.submit_notice(uow, agency, notice.id)
        uow.commit()
    with c.uow() as uow:
        notices.approve_notice(uow, staff, notice.id)
        uow.commit()
    yield f"project         {project.code}  {project.name}"
    yield f"tender project  {tp.code}  统一交易标识码 {tp.unified_deal_code}"
    yield f"section         {section_code}"
    yield f"notice          #{notice.id} published ({label('tender', GOV)})"
    offers = [(body8, name, {"price": price, "delivery_days": days, "warranty": "3年",
                             "bidder": name})
              for body8, name, price, days, _ in SUPPLIERS]
    bidders = yield from bid_and_open(c, clock, prepared, agency_username, staff_username,
                                      offers, "demo-supplier", "supplier")
    yield from _evaluate(c, section_code, staff, bidders)
    yield from _award_and_contract(c, clock, section_code, agency, purchaser, staff, bidders)
    return section_code


def _evaluate(c: Container, section_code: str, staff: Principal,
              bidders: list[Bidder]) -> Iterator[str]:
    confirm_deposits(c, staff, section_code, bidders)
    experts = seat_committee(c, staff, section_code, EvaluationMethod.COMPREHENSIVE, CRITERIA,
                             username="demo-gp-expert", title="评审专家")
    with c.uow() as uow:
        by_bidder = {v.bidder_identifier: v.bid_id
                     for v in evaluation.list_bids(uow, experts[0], section_code)}
    bid_ids = [by_bidder[b.uscc] for b in bidders]
    for bid_id, (*_, small) in zip(bid_ids, SUPPLIERS, strict=True):
        if small:  # the chair records what the 中小企业声明函 in the opened bid declares
            with c.uow() as uow:
                evaluation.declare_sme(uow, experts[0], section_code, bid_id, "small_micro",
                                       source="中小企业声明函")
                uow.commit()
    score_and_sign(c, section_code, experts, bid_ids, lambda n, k: {
        "technical": Decimal(42 + (k + n) % 4), "service": Decimal(16 + k % 2)})
    with c.uow() as uow:
        result = evaluation.get_evaluation(uow, experts[0], section_code).evaluation.result
    assert result is not None
    ranking: list[dict[str, Any]] = result["ranking"]  # type: ignore[assignment]
    yield "evaluation: 5 experts scored (综合评分法, 价格分 30), report signed by all"
    names = {by_bidder[b.uscc]: b.username for b in bidders}
    for row in ranking:
        deducted = (f" (小微企业 −{SME_DEDUCTION}%: {row['evaluated_price']})"
                    if row["price"] != row["evaluated_price"] else "")
        yield f"  rank {row['rank']}: {names[row['bid_id']]} {row['price']}{deducted}"


def _award_and_contract(c: Container, clock: MovableClock, section_code: str,
                        agency: Principal, purchaser: Principal, staff: Principal,
                        bidders: list[Bidder]) -> Iterator[str]:
    clock.advance(timedelta(hours=20))  # within its 5 个工作日 (政采条例 43)
    with c.uow() as uow:
        decided = award.decide(uow, purchaser, section_code)
        uow.commit()
    yield f"采购人 decided: rank {decided.rank} chosen (政采条例 43)"
    clock.advance(timedelta(hours=4))
    with c.uow() as uow:
        won = award.issue_award(uow, agency, section_code)
        uow.commit()
    with c.uow() as uow:
        winner = award.winner_view(uow, rounds.get_round(uow, agency, section_code), won)
    yield (f"中标通知书 to {winner.bidder_name} with the 中标(成交)结果公告; "
           f"质疑 until {won.challenge_ends_at:%Y-%m-%d}")
    clock.advance(timedelta(days=1))
    losers = [p for p in (_principal(c, b.username).party_id for b in bidders)
              if p is not None and p != winner.party_id]
    for party_id in losers:  # the unsuccessful suppliers' after the notice (政采条例 33)
        with c.uow() as uow:
            deposits.mark_refunded(uow, staff, section_code, party_id)
            uow.commit()
    yield f"deposits: {len(losers)} unsuccessful suppliers refunded after the notice (政采条例 33)"
    clock.advance(timedelta(days=9))  # within 30 日 of the notice (政府采购法 46)
    with c.uow() as uow:
        award.record_contract(uow, agency, section_code, winner.price or Decimal(0), clock.now())
        uow.commit()
    clock.advance(timedelta(days=1))
    with c.uow() as uow:
        deposits.mark_refunded(uow, staff, section_code, winner.party_id)
        uow.commit()
    with c.uow() as uow:
        award.record_contract_filing(uow, agency, section_code)
        uow.commit()
    yield ("contract recorded and filed (政府采购法 47); the winner's deposit refunded "
           "after it")
    with c.uow() as uow:
        r = rounds.get_round(uow, agency, section_code)
        for step in uow.session.scalars(select(Notice).where(Notice.round_id == r.id)
                                        .order_by(Notice.published_at, Notice.id)):
            yield f"portal page     /notices/{step.id}  {label(step.notice_type, GOV)}"
