"""Beijing time, as every Chinese platform writes it on the wire.

The sandbox keeps its own copy (it imports nothing of the project); a peer takes a ``Clock`` so
a test can pin "now" when it checks a token's age or a receive time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def beijing_now() -> datetime:
    return datetime.now(SHANGHAI)


def dt14(moment: datetime) -> str:
    """yyyyMMddHHmmss in Beijing time."""
    return moment.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")


def parse_dt14(text: str) -> datetime:
    """An aware datetime from yyyyMMddHHmmss read as Beijing time; ValueError if it is not one."""
    if len(text) != 14 or not text.isdigit() or not text.isascii():
        raise ValueError(f"not yyyyMMddHHmmss: {text!r}")
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=SHANGHAI)


def request_time(moment: datetime) -> str:
    """yyyy-MM-dd HH:mm:ss in Beijing time (Shanxi's REQUESTTIME and receiveTime)."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
