"""The one error every code check raises.

A bad identifier is the user's (or the peer platform's) fault, never ours, so ``CodeError`` is a
``DomainError`` of kind INVALID: the transports already turn those into a 4xx / SOAP client fault
with the stable ``code``. It is also a ``ValueError`` so that plain Python callers (pydantic
validators, CLI argument parsing) can treat it as the bad value it is.

The codes below are part of the public contract: peers and the UI switch on them, so never rename
one; add a new one instead.
"""

from __future__ import annotations

from typing import Any

from core.errors import DomainError, ErrorKind

USCC_INVALID_FORMAT = "USCC_INVALID_FORMAT"
USCC_BAD_CHECK = "USCC_BAD_CHECK"
ORG_CODE_INVALID_FORMAT = "ORG_CODE_INVALID_FORMAT"
ORG_CODE_BAD_CHECK = "ORG_CODE_BAD_CHECK"
ID_NUMBER_INVALID_FORMAT = "ID_NUMBER_INVALID_FORMAT"
ID_NUMBER_BAD_DATE = "ID_NUMBER_BAD_DATE"
ID_NUMBER_BAD_CHECK = "ID_NUMBER_BAD_CHECK"
REGION_CODE_UNKNOWN = "REGION_CODE_UNKNOWN"
INDUSTRY_CODE_UNKNOWN = "INDUSTRY_CODE_UNKNOWN"
PLATFORM_CODE_INVALID = "PLATFORM_CODE_INVALID"
TRADE_CODE_INVALID = "TRADE_CODE_INVALID"
UNIFIED_DEAL_CODE_INVALID = "UNIFIED_DEAL_CODE_INVALID"
UNIFIED_DEAL_CODE_BAD_CHECK = "UNIFIED_DEAL_CODE_BAD_CHECK"
CODE_TABLE_VALUE_UNKNOWN = "CODE_TABLE_VALUE_UNKNOWN"
USCC_DEPARTMENT_UNKNOWN = "USCC_DEPARTMENT_UNKNOWN"
USCC_CATEGORY_UNKNOWN = "USCC_CATEGORY_UNKNOWN"
USCC_REGION_UNKNOWN = "USCC_REGION_UNKNOWN"

ERROR_CODES: frozenset[str] = frozenset(
    {
        USCC_INVALID_FORMAT,
        USCC_BAD_CHECK,
        ORG_CODE_INVALID_FORMAT,
        ORG_CODE_BAD_CHECK,
        ID_NUMBER_INVALID_FORMAT,
        ID_NUMBER_BAD_DATE,
        ID_NUMBER_BAD_CHECK,
        REGION_CODE_UNKNOWN,
        INDUSTRY_CODE_UNKNOWN,
        PLATFORM_CODE_INVALID,
        TRADE_CODE_INVALID,
        UNIFIED_DEAL_CODE_INVALID,
        UNIFIED_DEAL_CODE_BAD_CHECK,
        CODE_TABLE_VALUE_UNKNOWN,
        USCC_DEPARTMENT_UNKNOWN,
        USCC_CATEGORY_UNKNOWN,
        USCC_REGION_UNKNOWN,
    }
)


class CodeError(DomainError, ValueError):
    """A value that breaks a national coding rule; ``str(e)`` is the English message.

    ``details`` carries the offending ``value`` (and, where useful, ``expected``) so that a UI can
    highlight the field without parsing the message.
    """

    code: str
    message_zh: str
    message_en: str

    def __init__(self, code: str, message_zh: str, message_en: str, **details: Any) -> None:
        if code not in ERROR_CODES:
            # A typo here would silently create an error code no client knows about.
            raise AssertionError(f"unregistered code error {code!r}")
        super().__init__(code, message_zh, message_en, ErrorKind.INVALID, **details)

    def __str__(self) -> str:
        return self.message_en


def shown(value: object) -> str:
    """How an offending value is quoted in a message: short, and visibly empty when empty."""
    text = value if isinstance(value, str) else repr(value)
    if text == "":
        return "''"
    return text if len(text) <= 64 else text[:61] + "..."
