"""Every reader of the public record agrees on what is public: a round cancelled while still a
draft was never announced, so neither the Web Service queries, the portal's openings of the day,
the OCDS facts nor ``public_record`` itself show it; a round whose documents went out is."""

from __future__ import annotations

from sqlalchemy import select

from adapters.bootstrap import Container
from core.clock import SHANGHAI
from core.model.project import Section
from core.model.tendering import Round
from core.services import portal, public_record, queries
from exchange.ocds.loader import load_section
from tests.api.conftest import Api


def section_with_a_round(api: Api) -> tuple[str, dict[str, str]]:
    _, owner = api.register("owner", "MA2YPR01", ["tenderer"])
    project = api.project(owner)
    tp = api.tender_project(owner, project["code"])
    code = api.section(owner, tp["code"])["code"]
    api.round(owner, code, days=21)
    return code, owner


def readers(container: Container, code: str) -> dict[str, int]:
    """How many rounds of the section each reader shows."""
    with container.uow() as uow:
        section = uow.session.scalars(select(Section).where(Section.code == code)).one()
        r = uow.session.scalars(select(Round).where(Round.section_id == section.id)).one()
        day = r.bid_deadline.astimezone(SHANGHAI).date()
        facts = load_section(uow.session, code)
        return {
            "public_record": len(public_record.public_rounds(uow.session, section)),
            "web_service": len(queries.section(uow, code)[1]),
            "portal_openings": sum(o.section.code == code for o in portal.openings_on(uow, day)),
            "ocds": len(facts.rounds) if facts else 0,
        }


def test_a_draft_cancelled_is_shown_by_no_reader(api: Api, container: Container) -> None:
    code, owner = section_with_a_round(api)
    r = api.client.post(f"/api/v1/sections/{code}/rounds/current/terminate", headers=owner,
                        json={"reason": "招标人调整建设方案，取消本次招标"})
    assert r.status_code == 200, r.text
    assert readers(container, code) == {"public_record": 0, "web_service": 0,
                                        "portal_openings": 0, "ocds": 0}


def test_a_round_with_its_documents_out_is_shown_by_every_reader(api: Api,
                                                                  container: Container) -> None:
    code, owner = section_with_a_round(api)
    r = api.client.post(f"/api/v1/sections/{code}/rounds/current/issue", headers=owner)
    assert r.status_code == 200, r.text
    assert readers(container, code) == {"public_record": 1, "web_service": 1,
                                        "portal_openings": 1, "ocds": 1}
