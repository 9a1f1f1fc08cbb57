"""Properties of the refusals, drawn by hypothesis against the real endpoints on PostgreSQL:
whichever string field of a registration holds a NUL or a bidi/zero-width character, wherever
in it, the answer is a 422 naming that field and the database is unchanged; the same for
amounts with digits of other scripts and for ids past the integer column."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Api, fingerprint
from tests.api.test_api_hostile import REGISTER, registration

# A refused request changes nothing, so examples may share one database: the function-scoped
# fixtures are fine here, which is what the health check would otherwise warn about.
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

STRING_FIELDS = ["name", "uscc", "region_code", "roles", "legal_representative",
                 "contact_name", "contact_phone", "address", "username", "password"]
NAME_FIELDS = [f for f in STRING_FIELDS if f != "password"]
NUL_AND_CONTROLS = st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x9f"])
SPOOFING = st.sampled_from(["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
                            "\u2067", "\u2068", "\u2069", "\u200b", "\u200c", "\u200d",
                            "\u200e", "\u200f", "\u2060", "\ufeff", "\u061c"])


def _insert(body: dict[str, Any], field: str, ch: str, at: int) -> dict[str, Any]:
    value = body[field]
    if isinstance(value, list):
        return {**body, field: [value[0][:at] + ch + value[0][at:]]}
    return {**body, field: value[: at % (len(value) + 1)] + ch + value[at % (len(value) + 1):]}


def _refused(api: Api, body: dict[str, Any], field: str) -> dict[str, Any]:
    before = fingerprint(api.container)
    r = api.client.post(REGISTER, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = dict(r.json())
    assert problem["field"].split(".")[0] == field, problem
    assert fingerprint(api.container) == before, "a refused registration changed the database"
    return problem


@PROPERTY
@given(field=st.sampled_from(STRING_FIELDS), ch=NUL_AND_CONTROLS, at=st.integers(0, 40))
def test_a_control_character_in_any_field_of_a_registration_is_refused(
        api: Api, field: str, ch: str, at: int) -> None:
    body = _insert(registration(password="a long pass phrase"), field, ch, at)
    problem = _refused(api, body, field)
    assert problem["code"] == "TEXT_INVALID_CHARACTER"


@PROPERTY
@given(field=st.sampled_from(NAME_FIELDS), ch=SPOOFING, at=st.integers(0, 40))
def test_a_bidi_or_zero_width_character_in_any_name_field_is_refused(
        api: Api, field: str, ch: str, at: int) -> None:
    body = _insert(registration(), field, ch, at)
    problem = _refused(api, body, field)
    assert problem["code"] == "TEXT_INVALID_CHARACTER"


@pytest.fixture
def owner(api: Api) -> dict[str, str]:
    """Built once for all the examples of a test (fixtures are not reset between them)."""
    return api.register("owner", "MA2YP101", ["tenderer"])[1]


@PROPERTY
@given(digits=st.text(st.characters(categories=["Nd"]).filter(lambda c: not c.isascii()),
                      min_size=1, max_size=8))
def test_an_amount_in_digits_of_another_script_is_refused(api: Api, owner: dict[str, str],
                                                          digits: str) -> None:
    before = fingerprint(api.container)
    r = api.client.post("/api/v1/projects", headers=owner, json={
        "name": "滨江道路", "domain": "engineering", "region_code": "350102",
        "industry_code": "E48", "total_investment": digits + ".00"})
    assert r.status_code == 422 and r.json()["code"] == "AMOUNT_INVALID", r.text
    assert fingerprint(api.container) == before


@PROPERTY
@given(n=st.one_of(st.integers(max_value=0), st.integers(min_value=2**31)))
def test_an_id_outside_the_integer_column_is_a_422_not_a_500(api: Api, n: int) -> None:
    before = fingerprint(api.container)
    r = api.client.get(f"/api/v1/public/notices/{n}")
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "notice_id"
    page = api.client.get(f"/notices/{n}")  # the portal answers people with a page
    assert page.status_code == 422, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "VALIDATION_FAILED" in page.text
    assert fingerprint(api.container) == before
