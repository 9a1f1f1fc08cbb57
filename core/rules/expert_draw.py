"""When the government's evaluation experts may be drawn (财库〔2016〕198号 第十四条), a pure
function; the draw itself is a later issue.

政府采购评审专家管理办法 (财库〔2016〕198号) 第十四条, as the legal review gives it [H]: "评审专家
抽取时间原则上应当在评审活动开始前2个工作日内" — so the draw is not made earlier than 2 个工作日
before the evaluation, keeping the names secret as short a time as possible (87号令 47). The review
excepts 竞争性谈判, 竞争性磋商 and 异地评审; the article text itself was not found by the
searches made (only an older rule's "开标前半天或前一天 … 不得超过两天"), so the reference is
**[unverified]** and its tag names the instrument only (``MOF198``), as
:class:`core.rules.procedures.LegalRef` requires of an unverified article.

Which reading: the 2nd working day before the evaluation's Beijing day is the earliest day of the
draw (the evaluation day itself does not count, 民法典 第二百零一条; drawing on the day is
allowed). E.g. an evaluation on Monday 2025-03-10: the two working days before are Friday 03-07
and Thursday 03-06, so the draw may be made from Thursday. On a provisional year unsettled days
count as working days (``Reading.EARLIEST``): the earliest day comes later, so a draw it allows is
not early under any plausible schedule. Engineering has no national rule (provinces set one,
legal review §2.8): ``None``.
"""

from __future__ import annotations

from datetime import date, datetime

from core.errors import DomainError, ErrorKind
from core.rules.calendar import HolidayCalendar, Reading, beijing_date, require_aware
from core.rules.procedures import Domain, LegalRef, Procedure

EXPERT_DRAW_TOO_EARLY = "EXPERT_DRAW_TOO_EARLY"
DRAW_AFTER_EVALUATION = "DRAW_AFTER_EVALUATION"

MOF198 = LegalRef(
    "MOF198",
    "《政府采购评审专家管理办法》（财库〔2016〕198号）第十四条",
    "Caiku [2016] 198 (evaluation experts) art. 14",
    verified=False,
)
DRAW_WORKING_DAYS = 2
#: The methods the review excepts from the window.
EXCEPTED = frozenset({"competitive_negotiation", "competitive_consultation"})


def earliest_draw(procedure: Procedure, calendar: HolidayCalendar, evaluation_at: datetime, *,
                  remote_evaluation: bool = False) -> date | None:
    """The first Beijing day the experts may be drawn (``None``: no window applies)."""
    if (procedure.domain is not Domain.GOV_PROCUREMENT or procedure.key in EXCEPTED
            or procedure.committee_min_members is None or remote_evaluation):
        return None
    return calendar.add_working_days(beijing_date(require_aware(evaluation_at, "evaluation_at")),
                                     -DRAW_WORKING_DAYS, Reading.EARLIEST).day


def check_draw_time(procedure: Procedure, calendar: HolidayCalendar, drawn_at: datetime,
                    evaluation_at: datetime, *, remote_evaluation: bool = False) -> date | None:
    """Refuse a draw earlier than 2 个工作日 before the evaluation
    (``EXPERT_DRAW_TOO_EARLY_MOF198``) or after it began (``DRAW_AFTER_EVALUATION``); return
    the earliest day allowed."""
    if require_aware(drawn_at, "drawn_at") > require_aware(evaluation_at, "evaluation_at"):
        raise DomainError(DRAW_AFTER_EVALUATION, "评审专家应当在评审活动开始前抽取",
                          "the experts are drawn before the evaluation begins",
                          ErrorKind.CONFLICT)
    earliest = earliest_draw(procedure, calendar, evaluation_at,
                             remote_evaluation=remote_evaluation)
    if earliest is not None and beijing_date(drawn_at) < earliest:
        raise DomainError(
            f"{EXPERT_DRAW_TOO_EARLY}_{MOF198.tag}",
            f"评审专家抽取时间原则上应当在评审活动开始前2个工作日内，最早 {earliest}"
            f"（{MOF198.cite_zh}）",
            f"the experts are drawn no earlier than 2 working days before the evaluation, from "
            f"{earliest} ({MOF198.cite_en})", ErrorKind.CONFLICT, rule=MOF198.tag,
            earliest=earliest.isoformat())
    return earliest


#: Every code these functions can raise (besides the calendar's).
ERROR_CODES: frozenset[str] = frozenset({f"{EXPERT_DRAW_TOO_EARLY}_{MOF198.tag}",
                                         DRAW_AFTER_EVALUATION})
