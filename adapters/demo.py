"""Sample data for `make run`: a centre with staff and parties, an engineering tender and a
政府采购 one (adapters.demo_procurement), each run from its notice to its contract, then shown side
by side (adapters.demo_summary).

Account passwords are drawn from ``secrets`` and never printed or stored; an operator gets a
token with `ggzy token issue <username>`. Running it twice changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from adapters.bootstrap import Container
from core.clock import MovableClock
from core.codes.uscc import org_code_check_char, uscc_check_char
from core.model.account import Account, AccountKind
from core.model.party import PartyKind
from core.security.principal import Principal
from core.services import accounts, notices, parties, projects

STAFF_ACCOUNTS = (
    ("admin", AccountKind.ADMIN, "系统管理员"),
    ("staff", AccountKind.CENTRE_STAFF, "交易中心业务员"),
    ("supervisor", AccountKind.SUPERVISOR, "行政监督人员"),
)


def sample_uscc(body8: str, region: str = "350100", prefix: str = "91") -> str:
    """A well-formed 统一社会信用代码 for sample data: both check characters computed; ``prefix``
    the registering department and kind (91 an enterprise, 12 a 事业单位)."""
    org = body8 + org_code_check_char(body8)
    first17 = prefix + region + org
    return first17 + uscc_check_char(first17)


def _principal(c: Container, username: str) -> Principal:
    with c.uow() as uow:
        found = uow.session.scalars(select(Account).where(Account.username == username)).one()
        return accounts.principal_of(found)


def _sandbox_route(c: Container) -> Iterator[str]:
    """Route every event to the recording peer mounted on this server (embedded default)."""
    from adapters.rest.app import SANDBOX_PREFIX
    from exchange import config

    endpoint = (f"http://{c.settings.host}:{c.settings.port}{SANDBOX_PREFIX}/http/demo")
    with c.session_factory() as s:
        config.upsert_target(s, "sandbox-recorder", {
            "kind": "http_json", "endpoint": endpoint, "timeout_seconds": 5.0},
            "operator:demo", c.clock.now())
        config.add_route(s, "*", "sandbox-recorder", "json-passthrough@1", True,
                         "operator:demo", c.clock.now())
        s.commit()
    yield f"exchange        every event -> {endpoint}"
    yield f"                (what arrived: {SANDBOX_PREFIX}/_control/stats)"


def _sandbox_platforms(c: Container) -> Iterator[str]:
    """Route the tender's events to the three sandbox platforms, one route per data set."""
    from adapters.platforms import PROFILES, configure_profile, sandbox_endpoint, sandbox_secret

    with c.session_factory() as s:
        for profile in PROFILES:
            sandbox_secret(c.settings, profile.name)
            added = configure_profile(s, c.settings, profile,
                                      sandbox_endpoint(c.settings, profile), "operator:demo",
                                      c.clock.now())
            yield (f"platform        {profile.name:<9} {profile.kind:<13} "
                   f"{sandbox_endpoint(c.settings, profile)} ({added} routes)")
        s.commit()


def load_sample_data(base: Container) -> Iterator[str]:
    """The whole sample tender runs on one moved clock, from the project to the contract, so
    every record it produces tells a consistent story in time."""
    from adapters.demo_lifecycle import prepare_round, run_lifecycle
    from adapters.demo_procurement import run_procurement
    from adapters.demo_summary import side_by_side

    clock = MovableClock(base.clock.now())  # the real date: provisional years are fine
    c = replace(base, clock=clock)
    with c.uow() as uow:
        if uow.session.scalar(select(Account.id).where(Account.username == "staff")):
            yield "sample data already loaded"
            return
    if c.settings.sandbox:
        yield from _sandbox_platforms(c)
    for username, kind, name in STAFF_ACCOUNTS:
        with c.uow() as uow:
            accounts.create_account(uow, None, accounts.NewAccount(
                username=username, password=secrets.token_urlsafe(24), kind=kind,
                display_name=name))
            uow.commit()
    with c.uow() as uow:
        parties.register_party(uow, parties.PartyDetails(
            kind=PartyKind.ORGANISATION, name="福州市城市建设投资有限公司",
            uscc=sample_uscc("MA2YDEM1"), region_code="350100", roles=frozenset({"tenderer"}),
            contact_name="林工", contact_phone="0591-88000001"),
            "demo-tenderer", secrets.token_urlsafe(24))
        uow.commit()
    with c.uow() as uow:
        parties.register_party(uow, parties.PartyDetails(
            kind=PartyKind.ORGANISATION, name="福建闽江工程咨询有限公司",
            uscc=sample_uscc("MA2YDEM2"), region_code="350102",
            roles=frozenset({"tender_agency", "procurement_agency"})),
            "demo-agency", secrets.token_urlsafe(24))
        uow.commit()
    tenderer = _principal(c, "demo-tenderer")
    agency = _principal(c, "demo-agency")
    staff = _principal(c, "staff")
    with c.uow() as uow:
        project = projects.create_project(uow, agency, c.settings.platform,
                                          projects.ProjectDetails(
            name="闽江北岸滨江道路提升工程", domain="engineering", region_code="350102",
            industry_code="E48", owner_party_id=tenderer.party_id,
            total_investment=Decimal("86500000.00"), approval_number="榕发改审批〔2026〕88号"))
        uow.commit()
    with c.uow() as uow:
        tp = projects.create_tender_project(uow, agency, c.settings.platform, project.code,
                                            projects.TenderProjectDetails(
            name="闽江北岸滨江道路提升工程施工", tender_mode="1", organize_form="2",
            tender_project_type="A02", content="道路、排水、照明及绿化工程施工"))
        uow.commit()
    section_codes = []
    for name, price in (("第一标段：K0+000～K2+400", "41200000.00"),
                        ("第二标段：K2+400～K4+850", "39800000.00")):
        with c.uow() as uow:
            section = projects.create_section(uow, agency, tp.code, projects.SectionDetails(
                name=name, estimated_price=Decimal(price), duration_days=540,
                qualification="市政公用工程施工总承包二级及以上资质"))
            section_codes.append(section.code)
            uow.commit()
    clock.advance(timedelta(days=1))
    prepared = prepare_round(c, section_codes[0], "demo-agency")
    # a tender notice announces the round of every section it covers (NOTICE_INCOMPLETE
    # otherwise); the second section's round stays a draft the demo does not drive
    prepare_round(c, section_codes[1], "demo-agency", Decimal("790000.00"))  # ≤ 2 % (条例 26)
    with c.uow() as uow:
        notice = notices.create_notice(uow, agency, tp.code, notices.NoticeDraft(
            notice_type="tender", title="闽江北岸滨江道路提升工程施工招标公告",
            content="1. 招标条件\n本招标项目已由福州市发展和改革委员会批准建设，招标人为"
                    "福州市城市建设投资有限公司，现对该项目施工进行公开招标。\n"
                    "2. 项目概况与招标范围\n道路、排水、照明及绿化工程，分两个标段。\n"
                    "3. 投标人资格要求\n市政公用工程施工总承包二级及以上资质。",
            section_codes=tuple(section_codes)))
        uow.commit()
    with c.uow() as uow:
        notices.submit_notice(uow, agency, notice.id)
        uow.commit()
    with c.uow() as uow:
        notices.approve_notice(uow, staff, notice.id)
        uow.commit()
    if c.settings.sandbox:
        yield from _sandbox_route(c)
    yield "== 工程建设 公开招标 (招标投标法) =="
    yield f"project         {project.code}  {project.name}"
    yield f"tender project  {tp.code}  统一交易标识码 {tp.unified_deal_code}"
    for code in section_codes:
        yield f"section         {code}"
    yield f"notice          #{notice.id} published"
    yield from run_lifecycle(c, clock, prepared, "demo-agency", "staff")
    # after the engineering round: one prepared now would pass its deadline meanwhile
    yield "== 政府采购 公开招标 · 货物 (政府采购法) =="
    gov_section = yield from run_procurement(c, clock, "demo-agency", "staff")
    yield from side_by_side(c, [section_codes[0], gov_section])
    if c.settings.sandbox:
        from adapters.demo_exchange import deliver_to_sandbox

        yield from deliver_to_sandbox(base)
    yield ("accounts        admin, staff, supervisor, demo-tenderer, demo-agency, "
           "demo-purchaser")
    yield "                (get a token: ggzy token issue staff)"
