"""The edges of the API: body size, malformed and unexpected input, paging bounds, money as text,
unknown routes, the published OpenAPI and the health probes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from adapters.bootstrap import Container
from adapters.db.migrate import current_heads
from tests.api.conftest import PASSWORD, Api, make_uscc

LIMIT = 1024 * 1024  # GGZY_MAX_BODY_BYTES default
REGISTER = "/api/v1/parties/register"


def registration(**overrides: object) -> dict[str, object]:
    return {"kind": "organisation", "name": "福州市城市建设投资有限公司",
            "uscc": make_uscc("MA2Y0001"), "region_code": "350100", "roles": ["tenderer"],
            "username": "fzcj", "password": PASSWORD, **overrides}


def padded_registration(size: int) -> bytes:
    """A well-formed registration JSON padded to exactly ``size`` bytes."""
    base = json.dumps(registration(address="")).encode()
    padded = json.dumps(registration(address="x" * (size - len(base)))).encode()
    assert len(padded) == size
    return padded


def test_the_default_body_limit_is_one_mebibyte(api: Api) -> None:
    assert api.container.settings.max_body_bytes == LIMIT


def test_a_body_over_the_limit_is_refused_up_front(api: Api) -> None:
    api.unchanged_after("POST", REGISTER, 413, "BODY_TOO_LARGE",
                        content=padded_registration(LIMIT + 1),
                        headers={"Content-Type": "application/json"})


def test_a_chunked_body_over_the_limit_is_cut_off_while_streaming(api: Api) -> None:
    body = padded_registration(LIMIT + 1)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start:start + 64 * 1024]

    p = api.unchanged_after("POST", REGISTER, 413, "BODY_TOO_LARGE", content=chunks(),
                            headers={"Content-Type": "application/json"})
    assert p["status"] == 413
    r = api.client.post(REGISTER, content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in r.request.headers  # the size was not announced
    assert r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 413 and r.json()["code"] == "BODY_TOO_LARGE"


def test_a_body_of_exactly_the_limit_is_read(api: Api) -> None:
    """The limit refuses size, not content: a body of exactly the limit reaches validation
    (where a 1 MiB address is too long for the party record: 422, not 413)."""
    r = api.client.post(REGISTER, content=padded_registration(LIMIT),
                        headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "VALIDATION_FAILED"
    assert r.json()["errors"][0]["loc"][-1] == "address"


def test_malformed_json_is_a_bad_request(api: Api) -> None:
    p = api.unchanged_after("POST", REGISTER, 400, "MALFORMED_BODY",
                            content=b'{"kind": "organisation", "name": ',
                            headers={"Content-Type": "application/json"})
    assert p["errors"]


@pytest.mark.parametrize(("url", "body"), [
    (REGISTER, registration(is_admin=True)),
    ("/api/v1/auth/token", {"username": "fzcj", "password": PASSWORD, "remember": True}),
], ids=["register", "sign-in"])
def test_unknown_fields_are_refused(api: Api, url: str, body: dict[str, object]) -> None:
    p = api.unchanged_after("POST", url, 422, "VALIDATION_FAILED", json=body)
    assert any(e["type"] == "extra_forbidden" for e in p["errors"])


def test_unknown_fields_on_a_project_are_refused(api: Api) -> None:
    _, headers = api.register("fzcj", "MA2Y0001", ["tenderer"])
    p = api.unchanged_after("POST", "/api/v1/projects", 422, "VALIDATION_FAILED",
                            headers=headers,
                            json={"name": "滨江道路", "domain": "engineering",
                                  "region_code": "350102", "industry_code": "E48",
                                  "code": "E3501000001000001"})
    assert p["errors"][0]["loc"][-1] == "code"


@pytest.mark.parametrize("query", ["page_size=101", "page_size=0", "page=0"])
def test_page_bounds_are_enforced(api: Api, query: str) -> None:
    api.unchanged_after("GET", f"/api/v1/public/notices?{query}", 422, "VALIDATION_FAILED")


def test_page_size_100_is_allowed(api: Api) -> None:
    r = api.client.get("/api/v1/public/notices?page_size=100")
    assert r.status_code == 200 and r.json()["page_size"] == 100


def test_an_unknown_route_is_a_problem_not_found(api: Api) -> None:
    api.unchanged_after("GET", "/api/v1/no-such-thing", 404, "NOT_FOUND")
    api.unchanged_after("POST", "/api/v2/projects", 404, "NOT_FOUND", json={})


def test_a_wrong_method_is_a_problem_too(api: Api) -> None:
    api.unchanged_after("DELETE", "/api/v1/public/notices", 405, "METHOD_NOT_ALLOWED")


def test_openapi_lists_the_main_paths_and_docs_are_served(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    for path in ("/api/v1/auth/token", "/api/v1/parties/register", "/api/v1/projects",
                 "/api/v1/tender-projects/{code}/sections",
                 "/api/v1/tender-projects/{code}/notices",
                 "/api/v1/notices/{notice_id}/approve", "/api/v1/public/notices",
                 "/api/v1/audit/verify"):
        assert path in schema["paths"], path
    assert "/" not in schema["paths"]  # the portal pages are not part of the API
    docs = api.client.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in docs.text


def test_health_and_readiness_report_the_migrated_schema(api: Api, pg_url: str) -> None:
    """Ready means the database answers at the newest migration (the chain starts at 0001)."""
    health = api.client.get("/healthz").json()
    assert health["status"] == "ok" and len(health["instance"]) == 32  # ggzy demo checks it
    r = api.client.get("/readyz")
    heads = current_heads(pg_url)
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["schema"]) == ("ready", heads[0])
    assert len(heads) == 1 and heads[0] >= "0001"


def test_readiness_fails_when_the_schema_is_not_migrated(api: Api) -> None:
    with api.container.engine.begin() as conn:
        conn.execute(text("ALTER TABLE alembic_version RENAME TO alembic_version_away"))
    try:
        r = api.client.get("/readyz")
        assert r.status_code == 503 and r.json()["status"] == "unavailable"
        assert api.client.get("/healthz").status_code == 200  # alive, just not ready
    finally:
        with api.container.engine.begin() as conn:
            conn.execute(text("ALTER TABLE alembic_version_away RENAME TO alembic_version"))


def test_money_as_a_json_number_is_refused(api: Api) -> None:
    """Amounts are decimal strings: a JSON number may already have lost 分 on the way."""
    _, headers = api.register("fzcj", "MA2Y0001", ["tenderer"])
    p = api.unchanged_after("POST", "/api/v1/projects", 422, "VALIDATION_FAILED",
                            headers=headers,
                            json={"name": "滨江道路", "domain": "engineering",
                                  "region_code": "350102", "industry_code": "E48",
                                  "total_investment": 86500000.10})
    assert p["errors"][0]["loc"][-1] == "total_investment"


def test_money_as_a_float_in_a_partial_update_is_refused(api: Api) -> None:
    _, headers = api.register("fzcj", "MA2Y0001", ["tenderer"])
    project = api.project(headers)
    tp = api.tender_project(headers, project["code"])
    section = api.section(headers, tp["code"])
    p = api.unchanged_after("PATCH", f"/api/v1/sections/{section['code']}", 422,
                            "AMOUNT_INVALID", headers=headers, json={"estimated_price": 1.1})
    assert p["field"] == "estimated_price"
    r = api.client.patch(f"/api/v1/sections/{section['code']}", headers=headers,
                         json={"estimated_price": "1.10"})
    assert r.status_code == 200 and r.json()["estimated_price"] == "1.10"


def test_readiness_needs_the_broker_when_deliveries_go_through_it(
        container: Container) -> None:
    from dataclasses import replace

    from adapters.rest.app import create_app

    for url, status in (("amqp://guest:guest@127.0.0.1:5672//", 200),
                        ("amqp://guest:guest@127.0.0.1:1//", 503)):
        container.settings = replace(container.settings, transport="celery", broker_url=url)
        with TestClient(create_app(container)) as client:
            r = client.get("/readyz")
        assert r.status_code == status, r.text
