"""单一来源's 公示 before the procurement (政府采购法实施条例 第三十八条), a pure function.

"达到公开招标数额标准，符合政府采购法第三十一条第一项规定情形，只能从唯一供应商处采购的，采购人应当
将采购项目信息和唯一供应商名称在省级以上人民政府财政部门指定的媒体上公示，公示期不得少于5个工作
日。" The article text is the 条例's (LawRefBook/Laws).

Where it binds: :func:`core.services.tendering.rounds.issue_documents` refuses to issue a
single-source round whose budget (the section's estimated price) reaches the 公开招标数额标准
(configuration, :data:`core.rules.limits.CENTRAL_THRESHOLDS`: 200 万元 for goods and services)
until its 公示 — published in the designated media, outside the platform, and declared on the round
(``single_source_publicity_at``) — has run its 5 个工作日.

Which reading: the day of publication does not count (民法典 第二百零一条) and the 公示 must have
ended — the issue falls on a Beijing day after its last day; a minimum period, so unsettled days of
a provisional year rest. A 公示 of a budget under the threshold is not required (政府采购法 31(一)
still governs the choice of the method; the platform does not check it).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from core.errors import DomainError, ErrorKind
from core.rules.calendar import (
    DayCount,
    HolidayCalendar,
    LegalDay,
    Reading,
    beijing_date,
    require_aware,
)
from core.rules.procedures import LegalRef, Period, Procedure

SINGLE_SOURCE_PUBLICITY_MISSING = "SINGLE_SOURCE_PUBLICITY_MISSING"
SINGLE_SOURCE_PUBLICITY_TOO_SHORT = "SINGLE_SOURCE_PUBLICITY_TOO_SHORT"
SINGLE_SOURCE = "single_source"

GPREG_38 = LegalRef(
    "GPREG_38", "《政府采购法实施条例》第三十八条", "Government Procurement Regulation art. 38"
)
SINGLE_SOURCE_PUBLICITY = Period(5, DayCount.WORKING, GPREG_38)


def publicity_needed(procedure: Procedure, budget: Decimal | None, threshold: Decimal) -> bool:
    """A single-source procurement at or above the 公开招标数额标准 (no budget: assumed to reach
    it, the strict reading)."""
    return procedure.key == SINGLE_SOURCE and (budget is None or budget >= threshold)


def publicity_end(calendar: HolidayCalendar, published_at: datetime) -> LegalDay:
    """The last day of a 公示 published at ``published_at`` (5 个工作日)."""
    return calendar.count_period(beijing_date(require_aware(published_at, "published_at")),
                                 SINGLE_SOURCE_PUBLICITY.days, SINGLE_SOURCE_PUBLICITY.unit,
                                 Reading.LATEST)


def check_publicity_before(procedure: Procedure, calendar: HolidayCalendar, *,
                           budget: Decimal | None, threshold: Decimal,
                           published_at: datetime | None, issued_at: datetime) -> LegalDay | None:
    """Refuse to start a single-source procurement before its 公示 has run 5 个工作日
    (``SINGLE_SOURCE_PUBLICITY_TOO_SHORT_GPREG_38``) or without one
    (``SINGLE_SOURCE_PUBLICITY_MISSING_GPREG_38``); return its last day, ``None`` where none is
    needed. E.g. published Friday 2025-09-26: the 5 个工作日 are 09-28 (the 调休 Sunday), 09-29,
    09-30, 10-09 and 10-10, so the procurement may start on 10-11."""
    if not publicity_needed(procedure, budget, threshold):
        return None
    ref = SINGLE_SOURCE_PUBLICITY.ref
    if published_at is None:
        raise DomainError(
            f"{SINGLE_SOURCE_PUBLICITY_MISSING}_{ref.tag}",
            f"达到公开招标数额标准的单一来源采购，应当先公示采购项目信息和唯一供应商名称，公示期不得少于"
            f"5个工作日（{ref.cite_zh}）",
            f"a single-source procurement at or above the open-tender threshold is first "
            f"publicised (the project and the sole supplier) for at least 5 working days "
            f"({ref.cite_en})",
            ErrorKind.CONFLICT, rule=ref.tag, field="single_source_publicity_at")
    last = publicity_end(calendar, published_at)
    if beijing_date(require_aware(issued_at, "issued_at")) <= last.day:
        raise DomainError(
            f"{SINGLE_SOURCE_PUBLICITY_TOO_SHORT}_{ref.tag}",
            f"单一来源公示期不得少于5个工作日，至 {last.day} 届满，届满后方可开始采购"
            f"（{ref.cite_zh}）",
            f"the single-source publicity lasts at least 5 working days, until {last.day}; the "
            f"procurement starts after it ({ref.cite_en})",
            ErrorKind.CONFLICT, rule=ref.tag, last_day=last.day.isoformat(),
            calendar=last.status.value)
    return last


#: Every code these functions can raise (besides the calendar's).
ERROR_CODES: frozenset[str] = frozenset({f"{SINGLE_SOURCE_PUBLICITY_MISSING}_{GPREG_38.tag}",
                                         f"{SINGLE_SOURCE_PUBLICITY_TOO_SHORT}_{GPREG_38.tag}"})
