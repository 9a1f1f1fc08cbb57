"""Who this trading platform is in the national scheme (read from config at the root)."""

from __future__ import annotations

from dataclasses import dataclass

from core.codes.trade_codes import validate_platform_code
from core.codes.uscc import validate_uscc


@dataclass(frozen=True)
class PlatformIdentity:
    code: str  # 交易平台标识码, 11 characters, assigned by the public service platform
    uscc: str  # the operator's 统一社会信用代码: the body of every 统一交易标识码 we issue

    def __post_init__(self) -> None:
        validate_platform_code(self.code)
        validate_uscc(self.uscc)
