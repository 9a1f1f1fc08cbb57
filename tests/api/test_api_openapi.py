"""The OpenAPI document declares the problems each operation answers, with the schema they
really have, so clients and the fuzzer (tests/fuzz) can hold every 4xx to it."""

from __future__ import annotations

import re
from typing import Any

from adapters.rest.openapi import Problem
from core.model.account import AccountKind
from core.services.validation import refused_character
from tests.api.conftest import Api

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
SIGNED_IN = ("/api/v1/me", "get"), ("/api/v1/projects", "post"), ("/api/v1/audit", "get")
PUBLIC = ("/api/v1/public/notices", "get"), ("/api/v1/public/code-tables", "get")


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in schema["paths"].items()
            for method, op in item.items()]


def test_every_operation_declares_its_422_as_a_problem(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    for path, method, op in operations(schema):
        assert op["responses"]["422"]["content"] == PROBLEM, (method, path)
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # FastAPI's, never sent
    assert set(schema["components"]["schemas"]["Problem"]["required"]) >= {
        "type", "title", "status", "detail", "code", "message_zh", "message_en"}


def test_what_an_operation_takes_decides_the_problems_it_declares(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    responses = {(path, method): set(op["responses"]) for path, method, op in operations(schema)}
    for key in SIGNED_IN:
        assert {"401", "403"} <= responses[key], key
    for key in PUBLIC:
        assert not {"401", "403", "409"} & responses[key], key
    assert {"400", "404", "409", "413"} <= responses[("/api/v1/parties/register", "post")]
    assert "404" in responses[("/api/v1/public/notices/{notice_id}", "get")]
    # sign-in reads no token, yet a wrong password is its 401 (found by schemathesis)
    assert "401" in responses[("/api/v1/auth/token", "post")]


def test_the_problems_sent_match_the_declared_schema(api: Api) -> None:
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    for method, url, kwargs, status in (
            ("GET", "/api/v1/me", {}, 401),
            ("POST", "/api/v1/auth/token", {"json": {"username": "staff", "password": "x"}}, 401),
            ("GET", "/api/v1/public/notices?page=0", {}, 422),
            ("GET", "/api/v1/public/notices?q=%00", {}, 422),
            ("POST", "/api/v1/parties/register", {"content": b"{", "headers": {
                "content-type": "application/json"}}, 400),
            ("GET", "/api/v1/notices/99", {"headers": staff}, 404),
            ("GET", "/api/v1/audit", {"headers": staff}, 403)):
        r = api.client.request(method, url, **kwargs)
        assert r.status_code == status, (url, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        problem = Problem.model_validate(r.json())
        assert problem.status == status and problem.code


def test_the_documented_patterns_never_refuse_what_the_rules_accept(api: Api) -> None:
    """The text patterns in the document are for generating valid input; the check is the
    core's. So a character the core accepts must match the pattern (the pattern may still let
    through what the core refuses, e.g. unassigned code points)."""
    schema = api.client.get("/openapi.json").json()["components"]["schemas"]
    name = schema["PartyRegistrationIn"]["properties"]["name"]["pattern"]
    text = schema["ReturnIn"]["properties"]["reason"]["pattern"]
    for pattern, is_name in ((name, True), (text, False)):
        compiled = re.compile(pattern)
        for cp in range(0x10000):
            ch = chr(cp)
            if refused_character(ch, name=is_name) is None:
                assert compiled.fullmatch(ch), (hex(cp), pattern)
        assert not compiled.fullmatch("福州\u0000") and not compiled.fullmatch("\u0007")
    assert not re.fullmatch(name, "福州\u202e司公")
