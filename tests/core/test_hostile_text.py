"""The use cases refuse hostile text and numbers themselves, so the CLI and the Web Service get
the rules REST has: a NUL never reaches PostgreSQL, a name never holds a bidi override, a
partial update's odd JSON value is refused with a code, and pages and dates stay in range."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from core.errors import DomainError
from core.model.account import Account, AccountKind
from core.model.party import PartyKind
from core.services import accounts, notices, parties, projects
from core.services.paging import MAX_PAGE, PageRequest
from core.services.subjects import receive_legal_person
from tests.api.conftest import PASSWORD, Api, make_uscc
from tests.core.conftest import make_principal, refused
from tests.core.test_subjects import legal_person


def details(**overrides: Any) -> parties.PartyDetails:
    values: dict[str, Any] = {"kind": PartyKind.ORGANISATION, "name": "福州市城市建设投资有限公司",
                              "uscc": make_uscc("MA2YH001"), "region_code": "350100",
                              "roles": frozenset({"tenderer"}), **overrides}
    return parties.PartyDetails(**values)


@pytest.mark.parametrize(("field", "value"), [
    ("name", "福州\u202e司公限有"),            # reads as another company's name
    ("name", "福州市\u200b城市建设"),           # looks the same as the name without it
    ("legal_representative", "林\x00工"),
    ("contact_name", "林\u2066工\u2069"),
    ("contact_phone", "０５９１-８８０００００１"),  # fullwidth digits
    ("address", "五四路\n100 号"),
])
def test_registration_refuses_hostile_text_in_the_use_case(container: Container, field: str,
                                                           value: str) -> None:
    code = "PHONE_INVALID" if field == "contact_phone" else "TEXT_INVALID_CHARACTER"
    err = refused(container, lambda uow: parties.register_party(
        uow, details(**{field: value}), "fzcj", PASSWORD), code)
    assert err.details["field"] == field


def test_registration_refuses_a_nul_in_the_username(container: Container) -> None:
    refused(container, lambda uow: parties.register_party(uow, details(), "fz\x00cj", PASSWORD),
            "TEXT_INVALID_CHARACTER")


def test_sign_in_refuses_a_nul_before_looking_the_account_up(container: Container) -> None:
    """PostgreSQL answered this with DataError: a plain 500 on the login form."""
    for username, password in (("admin\x00", PASSWORD), ("admin", "pass\x00word"),
                               ("admin", "\ud800" * 12)):
        refused(container, lambda uow, u=username, p=password: accounts.sign_in(uow, u, p),
                "TEXT_INVALID_CHARACTER")


def test_an_account_name_follows_the_name_rule(container: Container) -> None:
    admin = make_principal(container, "root", AccountKind.ADMIN)
    refused(container, lambda uow: accounts.create_account(uow, admin, accounts.NewAccount(
        username="staff2", password=PASSWORD, kind=AccountKind.CENTRE_STAFF,
        display_name="交易中心\u202e员务业")), "TEXT_INVALID_CHARACTER")


def test_a_pushed_legal_person_follows_the_same_rules(container: Container) -> None:
    platform = make_principal(container, "fj-platform", AccountKind.SYSTEM_CLIENT)
    for field, value in (("LEGAL_NAME", "福建\u202e司公"), ("LEGAL_CONTACT", "陈\u200b晓"),
                         ("LEGAL_UNIT_ADDRESS", "五四路\x00")):
        err = refused(container, lambda uow, f=field, v=value: receive_legal_person(
            uow, platform, legal_person(**{f: v})), "TEXT_INVALID_CHARACTER")
        assert err.details["field"] == field


@pytest.fixture
def section(api: Api) -> tuple[dict[str, str], str]:
    _, headers = api.register("owner", "MA2YH002", ["tenderer"])
    project = api.project(headers)
    tp = api.tender_project(headers, project["code"])
    return headers, api.section(headers, tp["code"])["code"]


@pytest.mark.parametrize(("changes", "code"), [
    ({"content": {"nested": "json"}}, "FIELD_NOT_TEXT"),
    ({"qualification": ["a", "list"]}, "FIELD_NOT_TEXT"),
    ({"content": "第一段\x00"}, "TEXT_INVALID_CHARACTER"),
    ({"name": "第一\u202e标段"}, "TEXT_INVALID_CHARACTER"),
    ({"duration_days": 2**31}, "DURATION_INVALID"),
    ({"duration_days": True}, "DURATION_INVALID"),
    ({"estimated_price": "１２３"}, "AMOUNT_INVALID"),
])
def test_a_partial_update_checks_each_value(api: Api, section: tuple[dict[str, str], str],
                                            changes: dict[str, Any], code: str) -> None:
    """A PATCH body is free-form JSON: each value reached setattr() as it came."""
    _, section_code = section
    with api.container.uow() as uow:
        owner = accounts.principal_of(uow.session.scalars(
            select(Account).where(Account.username == "owner")).one())
    refused(api.container, lambda uow: projects.update_section(
        uow, owner, section_code, projects.Changes(changes)), code)


def test_a_partial_update_bounds_a_column_it_did_not_check(api: Api) -> None:
    """supervise_dept_name is String(200): 300 characters were a DataError."""
    _, headers = api.register("owner", "MA2YH003", ["tenderer"])
    project = api.project(headers)
    tp = api.tender_project(headers, project["code"])
    api.unchanged_after("PATCH", f"/api/v1/tender-projects/{tp['code']}", 422, "FIELD_TOO_LONG",
                        headers=headers, json={"supervise_dept_name": "监" * 300})
    api.unchanged_after("PATCH", f"/api/v1/projects/{project['code']}", 422, "FIELD_NOT_TEXT",
                        headers=headers, json={"region_code": 350102})


def test_a_page_beyond_any_offset_is_refused() -> None:
    assert PageRequest(MAX_PAGE, 100).page == MAX_PAGE
    with pytest.raises(DomainError) as err:
        PageRequest(MAX_PAGE + 1, 20)
    assert err.value.code == "PAGE_INVALID"


@pytest.mark.parametrize(("f", "code"), [
    (notices.PublicNoticeFilter(published_from=date.min), "DATE_OUT_OF_RANGE"),
    (notices.PublicNoticeFilter(published_to=date.max), "DATE_OUT_OF_RANGE"),
    (notices.PublicNoticeFilter(text="供水" * 51), "SEARCH_TEXT_TOO_LONG"),
    (notices.PublicNoticeFilter(text="供水\x00"), "TEXT_INVALID_CHARACTER"),
    (notices.PublicNoticeFilter(region_code="35\x00"), "TEXT_INVALID_CHARACTER"),
])
def test_the_public_search_refuses_what_the_database_cannot_answer(
        container: Container, f: notices.PublicNoticeFilter, code: str) -> None:
    """date.max + 1 day and date.min in Beijing overflowed; NUL was a DataError."""
    refused(container, lambda uow: notices.list_published(uow, PageRequest(), f), code)
