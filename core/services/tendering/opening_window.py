"""The online opening's window: from the bid deadline, the minutes the tender documents give
bidders to hand in their keys (电子招标投标办法 Art. 31)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.model.tendering import Round


def opening_ends(r: Round) -> datetime:
    return r.bid_deadline + timedelta(minutes=r.opening_window_minutes)
