"""The published OpenAPI declares the problems each operation can answer, so the document is
honest: a client (and the fuzzer in tests/fuzz) can hold every 4xx to the Problem schema.

Which problems an operation can give follows from what it takes (read off the generated
operation itself), not from a list kept by hand:
every URL can be refused (422, urlguard.py), a body can be malformed or too large (400, 413),
a signed-in operation can meet a missing or useless token (401) or a caller without the right
(403), anything that names a record can miss it (404), and a change can clash with the state
(409). A route declares only what is its own, such as sign-in's 401 for a wrong password.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from adapters.rest.problems import MEDIA_TYPE

REF = "#/components/schemas/{model}"
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DESCRIPTIONS = {
    400: "the body is not valid JSON (MALFORMED_BODY)",
    401: "no token, or one unknown, revoked or expired (NOT_AUTHENTICATED, TOKEN_INVALID)",
    403: "the caller may not do this",
    404: "a record named by the request does not exist, or is not the caller's to see",
    409: "the request clashes with the current state",
    413: "the body is over the size limit (BODY_TOO_LARGE)",
    422: "a field breaks its rule: VALIDATION_FAILED, TEXT_INVALID_CHARACTER, AMOUNT_INVALID, "
         "DATE_OUT_OF_RANGE or the core's own code, with the field",
}


class FieldError(BaseModel):
    loc: list[str | int]
    field: str
    msg: str
    type: str
    code: str
    message_zh: str


class Problem(BaseModel):
    """RFC 9457 problem details with a stable ``code`` and messages in both languages."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="stable: clients branch on it")
    message_zh: str
    message_en: str
    field: str | None = Field(None, description="the field the problem is about, if one")
    errors: list[FieldError] | None = Field(None, description="every field error (422, 400)")
    missing: dict[str, list[str]] | None = Field(
        None, description="what a refused whole lacks: NOTICE_INCOMPLETE names the sections "
                          "without a round and the platforms' record fields "
                          "(503.DOC_GET_START_TIME)")
    item: str | None = Field(
        None, description="COMMITTEE_MEMBER_EXCLUDED_*: the item of the article (一 … 五)")
    recusal_grounds: list[dict[str, Any]] | None = Field(
        None, description="COMMITTEE_MEMBER_EXCLUDED_*: every ground a member must stand aside "
                          "on — ground, rule, item, article, bid_id, sources, detail")


def problem_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """From the operation as documented: its path parameters, body and security."""
    statuses = {422}
    if operation.get("requestBody"):
        statuses |= {400, 404, 413}
    if any(p.get("in") == "path" for p in operation.get("parameters", ())):
        statuses.add(404)
    if operation.get("security"):  # the bearer token, which only signed-in routes read
        statuses |= {401, 403}
    if method.upper() in CHANGES:
        statuses.add(409)
    return sorted(statuses)


def _problem_components() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template=REF)
    components = schema.pop("$defs", {})
    components["Problem"] = schema
    return dict(components)


def build(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, replaced below
        components.pop(unused, None)
    components.update(_problem_components())
    content = {MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}}
    for item in schema["paths"].values():
        for method, operation in item.items():
            responses = operation["responses"]
            responses["422"] = {"description": DESCRIPTIONS[422]}  # FastAPI's is not sent
            for status in problem_statuses(method, operation):
                responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():  # a route's own 4xx are problems too
                if status.startswith("4"):
                    response["content"] = content
    app.openapi_schema = schema
    return schema
