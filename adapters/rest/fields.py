"""What a request may hold, field by field: the one place the REST edge says it.

Every string, number, date and list a client sends is typed here, so a hostile value is refused
with a 422 problem (a stable ``code`` and the field) before any use case or database sees it:
PostgreSQL cannot store NUL, a name with a bidi override can pose as another company, Decimal()
reads fullwidth digits, and an unbounded integer or date overflows its column. The character
rules are the core's (core/services/validation.py), so SOAP and the CLI refuse the same input.
The rules are listed for people in docs/input.md.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from annotated_types import Interval
from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from core.errors import DomainError
from core.rules.calendar import DATETIME_NOT_AWARE
from core.search.cursor import MAX_CURSOR
from core.services import validation
from core.services.notices import FIRST_DAY, LAST_DAY, MAX_SEARCH_TEXT
from core.services.paging import MAX_PAGE, MAX_PAGE_SIZE

MAX_INT = 2**31 - 1  # PostgreSQL integer: ids, round numbers, ranks, counts


def refusal(err: DomainError) -> PydanticCustomError:
    """A core refusal as a pydantic error; problems.py turns ``ctx.code`` into the problem's."""
    return PydanticCustomError(err.code.lower(), err.message_en,
                               {"code": err.code, "message_zh": err.message_zh})


def _rule(check: Any) -> AfterValidator:
    """``check(value, field)`` from the core; its DomainError becomes the field's error."""
    def run(value: Any, info: ValidationInfo) -> Any:
        try:
            return check(value, info.field_name or "value")
        except DomainError as err:
            raise refusal(err) from None
    return AfterValidator(run)


def _characters(name: bool) -> AfterValidator:
    return _rule(lambda v, field: validation.check_characters(v, field, name=name))


def _amount(value: str, field: str) -> str:
    validation.amount(value, field)
    return value


# pydantic also reads a number (0, "0", 1.7e9) as seconds since 1970: a client that sends one
# has made a mistake, not chosen the epoch.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ISO_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ].+")


def _written(pattern: re.Pattern[str], example: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if isinstance(value, date) or (isinstance(value, str) and pattern.fullmatch(value)):
            return value
        raise PydanticCustomError("date_not_iso", f"write it as ISO 8601, e.g. {example}")
    return BeforeValidator(check)


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError(
        "date_out_of_range", f"the date must lie between {FIRST_DAY} and {LAST_DAY}",
        {"code": "DATE_OUT_OF_RANGE", "message_zh": f"日期须在 {FIRST_DAY} 至 {LAST_DAY} 之间"})


def _in_calendar(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _out_of_range()
    return day


def _in_time(moment: datetime) -> datetime:
    """Aware, and convertible to UTC: 9999-12-31T23:00-05:00 is past datetime's own end."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PydanticCustomError(
            "datetime_not_aware", "the time needs its offset, e.g. 2026-11-24T09:30:00+08:00",
            {"code": DATETIME_NOT_AWARE, "message_zh": "时间须带时区，如 2026-11-24T09:30+08:00"})
    try:
        _in_calendar(moment.astimezone(UTC).date())
    except OverflowError:
        raise _out_of_range() from None
    return moment


# -- strings -----------------------------------------------------------------------------------

# The rules as JSON Schema patterns, for clients and the fuzzer to generate valid text from; the
# check itself is the core's (it also knows unassigned and astral code points a pattern here
# leaves out, which is why the pattern is documentation only and never what refuses).
_NAME_PATTERN = ("^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f"
                 "\\u08e2\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff"
                 "\\ufff9-\\ufffb\\ue000-\\uf8ff]*$")
_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def _documented(pattern: str) -> Any:
    return Field(json_schema_extra={"pattern": pattern})


Name = Annotated[str, _documented(_NAME_PATTERN), _characters(name=True)]
"""Names, titles, usernames, contact details: printable only, no control, format (zero-width,
bidi), private-use or unassigned character. Give the length with Field(max_length=...)."""

Text = Annotated[str, _documented(_TEXT_PATTERN), _characters(name=False)]
"""Free text (content, reasons): may keep tab and newline; no NUL, other controls or surrogates."""

Code = Annotated[str, Field(max_length=64), _documented(_NAME_PATTERN), _characters(name=True)]
"""Codes and identifiers (region, USCC, table codes, section codes); the core checks the rule of
each code, this only keeps what cannot be a code of any kind out. At most 64 characters (a
Field(max_length=...) can shorten it, not lengthen it)."""

Secret = Annotated[str, Field(max_length=200), _documented(_TEXT_PATTERN),
                   _characters(name=False)]
"""Passwords and keys: never stored as given, but hashed or parsed, which a surrogate breaks."""

AmountText = Annotated[
    str, _rule(_amount),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,18}(\.[0-9]{1,2})?$",
                    "description": "decimal string of ASCII digits, at most 2 decimals, "
                                   "e.g. \"12500000.00\""}),
]
"""Money as decimal text: ASCII digits only, at most 18 before the point and 2 after
(AMOUNT_INVALID otherwise: Decimal('１２３') and Decimal('٣') would be 123 and 3)."""

ScoreText = Annotated[
    str, Field(pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$",
               description="decimal string of ASCII digits, at most 2 decimals, e.g. \"27.50\""),
]


MAX_JSON_DEPTH = 32


def _json_strings(value: Any, field: str, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise DomainError("JSON_TOO_DEEP", f"{field} 嵌套超过 {MAX_JSON_DEPTH} 层",
                          f"{field} nests deeper than {MAX_JSON_DEPTH} levels", field=field)
    if isinstance(value, str):
        validation.check_characters(value, field, name=False)
    elif isinstance(value, dict):
        for key, item in value.items():
            validation.check_characters(key, field, name=True)
            _json_strings(item, field, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _json_strings(item, field, depth + 1)


def _json_object(value: dict[str, Any], field: str) -> dict[str, Any]:
    _json_strings(value, field)
    return value


JsonObject = Annotated[dict[str, Any], _rule(_json_object)]
"""A free-form JSON document (a mapping spec): every key and string under the same rules."""


# -- numbers, dates, times ---------------------------------------------------------------------

Id = Annotated[int, Interval(ge=1, le=MAX_INT)]
"""A row id in a body or a path: 1 … 2^31-1, never an overflow in the database."""

Moment = Annotated[datetime, _written(ISO_TIME, "2026-11-24T09:30:00+08:00"),
                   AfterValidator(_in_time)]
"""A point in time with its offset (a naive one is refused), within the years 1970–2999."""

Day = Annotated[date, _written(ISO_DATE, "2026-11-24"), AfterValidator(_in_calendar)]


# -- path and query parameters -----------------------------------------------------------------

# Their characters are checked for every route at once by urlguard.py (the name rule).
URL_TEXT = {"pattern": _NAME_PATTERN}
PathId = Annotated[int, Path(ge=1, le=MAX_INT)]
PathCode = Annotated[str, Path(max_length=64, json_schema_extra=URL_TEXT)]
QueryCode = Annotated[str | None, Query(max_length=64, json_schema_extra=URL_TEXT)]
RequiredQueryCode = Annotated[str, Query(max_length=64, json_schema_extra=URL_TEXT)]
QueryName = Annotated[str | None, Query(max_length=200, json_schema_extra=URL_TEXT)]
SearchText = Annotated[str | None, Query(
    max_length=MAX_SEARCH_TEXT, json_schema_extra=URL_TEXT,
    description="words (space-separated, all must occur) of title, content, 项目编号 or 招标人")]
SearchCursor = Annotated[str | None, Query(
    max_length=MAX_CURSOR, json_schema_extra=URL_TEXT,
    description="next_cursor or prev_cursor of the previous answer, with the same filters")]
RoundNo = Annotated[int | None, Query(ge=1, le=MAX_INT,
                                      description="the round; default: the section's latest")]
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
