"""Beijing wall-clock time, as the Chinese systems write it: local time without a zone."""

from __future__ import annotations

from datetime import datetime

from core.clock import SHANGHAI


def beijing(moment: datetime) -> datetime:
    """The Chinese systems write local (Beijing) wall-clock time without a zone."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(SHANGHAI)


def format_beijing(moment: datetime, fmt: str) -> str:
    return beijing(moment).strftime(fmt)


def parse_beijing(text: str, fmt: str) -> datetime:
    """A peer's zone-less timestamp as an aware datetime; ValueError if it does not match."""
    return datetime.strptime(text.strip(), fmt).replace(tzinfo=SHANGHAI)
