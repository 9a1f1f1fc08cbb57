"""RFC 9457 problem+json: every refusal has a stable ``code`` and a message in both languages.

Clients branch on ``code``; ``title`` and ``detail`` are for people.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.rest.limits import BodyTooLarge
from core.errors import DomainError, ErrorKind

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://ggzy-hub.invalid/problems/"

STATUS_OF_KIND = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.UNAVAILABLE: 503,
}

HTTP_CODES = {
    400: ("BAD_REQUEST", "请求无效", "bad request"),
    401: ("NOT_AUTHENTICATED", "需要登录", "authentication required"),
    403: ("FORBIDDEN", "无权访问", "forbidden"),
    404: ("NOT_FOUND", "资源不存在", "not found"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方法", "method not allowed"),
    413: ("BODY_TOO_LARGE", "请求体过大", "request body too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "不支持的内容类型", "unsupported media type"),
}


def problem(status: int, code: str, message_zh: str, message_en: str,
            **extra: Any) -> JSONResponse:
    body = {
        "type": TYPE_BASE + code.lower().replace("_", "-"),
        "title": message_en,
        "status": status,
        "detail": message_en,
        "code": code,
        "message_zh": message_zh,
        "message_en": message_en,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    # the refused field, what a refused whole lacks (NOTICE_INCOMPLETE: sections, fields), and
    # the grounds a committee member is excluded on with their item (core.rules.recusal)
    extra = {k: exc.details[k] for k in ("field", "missing", "item", "recusal_grounds")
             if k in exc.details}
    return problem(STATUS_OF_KIND[exc.kind], exc.code, exc.message_zh, exc.message_en, **extra)


def field_of(loc: list[Any]) -> str:
    """``["body", "keyholders", 0, "name"]`` -> ``keyholders.0.name``; ``["query", "q"]`` -> q."""
    return ".".join(str(part) for part in loc[1:]) or str(loc[0] if loc else "")


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    """The first error decides the problem: the code of one of our field rules (fields.py puts
    it in ``ctx``) or VALIDATION_FAILED; every error is listed with its field and code."""
    errors = []
    for e in exc.errors() if isinstance(exc, RequestValidationError) else ():
        ctx = e.get("ctx") or {}
        loc = list(e.get("loc", ()))
        errors.append({"loc": loc, "field": field_of(loc), "msg": e.get("msg", ""),
                       "type": e.get("type", ""), "code": ctx.get("code", "VALIDATION_FAILED"),
                       "message_zh": ctx.get("message_zh", "请求数据不符合要求")})
    if any(e["type"] == "json_invalid" for e in errors):
        return problem(400, "MALFORMED_BODY", "请求体不是有效的 JSON",
                       "the request body is not valid JSON", errors=errors)
    first = errors[0] if errors else {"field": "", "code": "VALIDATION_FAILED",
                                      "message_zh": "请求数据不符合要求", "msg": ""}
    if first["code"] == "VALIDATION_FAILED":
        zh = f"{first['field']}：请求数据不符合要求"
        en = f"{first['field']}: the request data is not valid ({first['msg']})"
    else:  # the core's own message, which names the field
        zh, en = first["message_zh"], first["msg"]
    return problem(422, first["code"], zh, en, field=first["field"], errors=errors)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, BodyTooLarge):  # FastAPI wraps body-read failures in a 400
        return problem(413, *HTTP_CODES[413])
    code, zh, en = HTTP_CODES.get(exc.status_code, ("HTTP_ERROR", "请求失败", "request failed"))
    return problem(exc.status_code, code, zh, en)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
