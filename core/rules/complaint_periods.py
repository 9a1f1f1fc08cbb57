"""The periods of objections (异议 / 质疑) by stage and of 投诉, one pure function each.

They are the procedure's :class:`~core.rules.procedures.Remedies`; this module reckons them on
the calendar and refuses what falls outside them, each refusal's code naming its article as in
:mod:`core.rules.limits` (``<WHAT>_<TAG>``). The result stage's own periods (the 质疑 after the
result notice, the answer) stay in :mod:`core.rules.award_periods`, which these reuse.

Readings, as in :mod:`core.rules.award_periods`: a period that gives a party a right (to object,
to complain) is read with unsettled days resting (``Reading.LATEST``), so it is never cut short;
a period that binds the tenderer or the supervisor (answer, accept, decide, the longest
suspension) is a due date read with them working (``Reading.EARLIEST``).

What the law says, and where each number sits:

* 招标投标法实施条例 第二十二条: "潜在投标人或者其他利害关系人对资格预审文件有异议的，应当在提交
  资格预审申请文件截止时间2日前提出；对招标文件有异议的，应当在投标截止时间10日前提出。招标人应当
  自收到异议之日起3日内作出答复；作出答复前，应当暂停招标投标活动。"
* 第四十四条: "投标人对开标有异议的，应当在开标现场提出，招标人应当当场作出答复，并制作记录。"
* 第六十条: "…可以自知道或者应当知道之日起10日内向有关行政监督部门投诉。…就本条例第二十二条、
  第四十四条、第五十四条规定事项投诉的，应当先向招标人提出异议，异议答复期间不计算在前款规定的期限
  内。" 第六十一条: "…自收到投诉之日起3个工作日内决定是否受理投诉，并自受理投诉之日起30个工作日内
  作出书面处理决定". 第六十二条: "必要时，行政监督部门可以责令暂停招标投标活动。"
* 政府采购法 第五十二条 and 政采条例 第五十三条: 7 个工作日 from "收到采购文件之日或者采购文件
  公告期限届满之日" (documents), "各采购程序环节结束之日" (process), "中标或者成交结果公告期限
  届满之日" (result). 第五十五条: 投诉 "在答复期满后十五个工作日内". 第五十六条: decided
  "在收到投诉后三十个工作日内". 第五十七条: "暂停采购活动，但暂停时间最长不得超过三十日".
  财政部令第94号 第十条 (one per stage), 第二十一条 (reviewed within 5 个工作日) **[unverified]**.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core.errors import DomainError, ErrorKind
from core.rules.calendar import (
    DayCount,
    HolidayCalendar,
    LegalDay,
    Reading,
    beijing_date,
    end_of_day,
    require_aware,
)
from core.rules.procedures import (
    MOF94_10,
    PROCEDURES,
    REG_22,
    ObjectionStage,
    Period,
    Procedure,
    StageObjection,
    Timing,
)

OBJECTION_TOO_LATE = "OBJECTION_TOO_LATE"
OBJECTION_OUTSIDE_OPENING = "OBJECTION_OUTSIDE_OPENING"
CHALLENGE_TOO_LATE = "CHALLENGE_TOO_LATE"
CHALLENGE_ALREADY_RAISED = "CHALLENGE_ALREADY_RAISED"
COMPLAINT_TOO_LATE = "COMPLAINT_TOO_LATE"
COMPLAINT_WITHOUT_OBJECTION = "COMPLAINT_WITHOUT_OBJECTION"
COMPLAINT_BEFORE_ANSWER = "COMPLAINT_BEFORE_ANSWER"
COMPLAINT_SUSPENSION_OVER_LIMIT = "COMPLAINT_SUSPENSION_OVER_LIMIT"
RULE_NOT_APPLICABLE = "RULE_NOT_APPLICABLE"

#: 条例 22: an objection to the 资格预审文件 at least 2 日 before the application deadline. The
#: platform has no prequalification rounds yet, so only this rule knows it.
PREQUALIFICATION_OBJECTION = Period(2, DayCount.CALENDAR, REG_22)

_STAGE_ZH = {ObjectionStage.DOCUMENTS: "采购文件（招标文件）", ObjectionStage.OPENING: "开标",
             ObjectionStage.RESULT: "中标（成交）结果"}


def stage_rule(procedure: Procedure, stage: ObjectionStage) -> StageObjection:
    rule = procedure.remedies.stages.get(stage)
    if rule is None:
        raise DomainError(RULE_NOT_APPLICABLE, f"{procedure.name_zh}没有对{_STAGE_ZH[stage]}的异议",
                          f"{procedure.name_en} has no objection to the {stage.value}",
                          procedure=procedure.key)
    return rule


def _require(rule: StageObjection, timing: Timing, procedure: Procedure) -> Period | None:
    if rule.timing is not timing:
        raise DomainError(RULE_NOT_APPLICABLE, f"{procedure.name_zh}的此项异议不按该时限计算",
                          f"{procedure.name_en} does not time this objection so",
                          procedure=procedure.key, timing=rule.timing.value)
    return rule.period


# -- objections ---------------------------------------------------------------------------------


def documents_objection_last_day(procedure: Procedure, deadline: datetime, *,
                                 prequalification: bool = False) -> date:
    """The last day an objection to the documents may be raised (条例 22): 10 日 before the bid
    deadline's day (资格预审文件: 2 日 before the application deadline's). "在…截止时间10日前"
    counts back from the deadline's Beijing day; no rest day moves it (民法典 第二百零三条 moves
    only the end of a period running forward). E.g. a deadline on 2025-03-20 10:00: by
    2025-03-10."""
    rule = stage_rule(procedure, ObjectionStage.DOCUMENTS)
    period = PREQUALIFICATION_OBJECTION if prequalification else _require(
        rule, Timing.BEFORE_DEADLINE, procedure)
    assert period is not None
    return beijing_date(require_aware(deadline, "deadline")) - timedelta(days=period.days)


def check_documents_objection_in_time(procedure: Procedure, deadline: datetime,
                                      raised_at: datetime, *,
                                      prequalification: bool = False) -> date:
    """Refuse an objection to the documents raised too close to the deadline
    (``OBJECTION_TOO_LATE_REG_22``)."""
    last = documents_objection_last_day(procedure, deadline, prequalification=prequalification)
    if beijing_date(require_aware(raised_at, "raised_at")) > last:
        days = (PREQUALIFICATION_OBJECTION if prequalification
                else stage_rule(procedure, ObjectionStage.DOCUMENTS).period)
        assert days is not None
        ref = days.ref
        raise DomainError(
            f"{OBJECTION_TOO_LATE}_{ref.tag}",
            f"对招标文件的异议应当在截止时间{days.days}日前提出，已于{last.isoformat()}届满"
            f"（{ref.cite_zh}）",
            f"an objection to the documents must be raised {days.days} days before the "
            f"deadline; that ended on {last.isoformat()} ({ref.cite_en})",
            ErrorKind.CONFLICT, rule=ref.tag, last_day=last.isoformat())
    return last


def check_on_site(procedure: Procedure, window_starts: datetime, window_ends: datetime,
                  raised_at: datetime) -> None:
    """Refuse an objection to the opening outside the opening (条例 44: "在开标现场提出"): on this
    platform the opening is its decryption window, from the deadline to its end
    (``OBJECTION_OUTSIDE_OPENING_REG_44``)."""
    raised = require_aware(raised_at, "raised_at")
    if not require_aware(window_starts, "window_starts") <= raised <= require_aware(
            window_ends, "window_ends"):
        raise outside_opening(procedure)


def outside_opening(procedure: Procedure) -> DomainError:
    """The refusal of an objection to the opening away from it (条例 44), whatever the round's
    status (``OBJECTION_OUTSIDE_OPENING_REG_44``)."""
    rule = stage_rule(procedure, ObjectionStage.OPENING)
    _require(rule, Timing.ON_SITE, procedure)
    return DomainError(
        f"{OBJECTION_OUTSIDE_OPENING}_{rule.ref.tag}",
        f"对开标的异议应当在开标现场（开标解密时段内）提出（{rule.ref.cite_zh}）",
        f"an objection to the opening must be raised at the opening, during its window "
        f"({rule.ref.cite_en})", ErrorKind.CONFLICT, rule=rule.ref.tag)


def challenge_start(received_at: datetime | None, notice_ends_at: datetime | None) -> datetime:
    """When a 质疑 against the documents starts to run (政采条例 53(一)): the day the supplier
    received them or the day their notice period ended — the later of the two given, so the
    supplier's right is never cut short."""
    given = [require_aware(m, "start") for m in (received_at, notice_ends_at) if m is not None]
    if not given:
        raise ValueError("a 质疑 against the documents starts at their receipt or notice end")
    return max(given)


def challenge_ends(procedure: Procedure, calendar: HolidayCalendar, stage: ObjectionStage,
                   stage_ended_at: datetime) -> LegalDay:
    """The last day of a 质疑 against ``stage``: 7 个工作日 after the day it starts
    (政府采购法 52; 政采条例 53): the receipt of the documents or their notice's end
    (:func:`challenge_start`), the end of the 采购程序环节 (the opening record), the end of the
    result notice. That day does not count. A supplier's right: the latest plausible day."""
    period = _require(stage_rule(procedure, stage), Timing.AFTER_STAGE, procedure)
    assert period is not None
    return calendar.count_period(beijing_date(require_aware(stage_ended_at, "stage_ended_at")),
                                 period.days, period.unit, Reading.LATEST)


def check_challenge_in_time(procedure: Procedure, calendar: HolidayCalendar,
                            stage: ObjectionStage, stage_ended_at: datetime,
                            raised_at: datetime) -> LegalDay:
    """Refuse a 质疑 raised after its period (``CHALLENGE_TOO_LATE_GPREG_53``)."""
    last = challenge_ends(procedure, calendar, stage, stage_ended_at)
    if require_aware(raised_at, "raised_at") > last.ends_at:
        rule = stage_rule(procedure, stage)
        assert rule.period is not None
        raise DomainError(
            f"{CHALLENGE_TOO_LATE}_{rule.ref.tag}",
            f"对{_STAGE_ZH[stage]}的质疑应当在{rule.period.describe_zh()}内提出，已于"
            f"{last.day.isoformat()}届满（{rule.ref.cite_zh}）",
            f"a challenge to the {stage.value} must be raised within "
            f"{rule.period.describe_en()}; that period ended on {last.day.isoformat()} "
            f"({rule.ref.cite_en})", ErrorKind.CONFLICT, rule=rule.ref.tag, stage=stage.value,
            last_day=last.day.isoformat())
    return last


def check_one_per_stage(procedure: Procedure, stage: ObjectionStage, raised_before: int) -> None:
    """Refuse a second 质疑 of one supplier against one stage (94号令 10: "一次性提出针对同一采购
    程序环节的质疑", ``CHALLENGE_ALREADY_RAISED_MOF94_10``)."""
    rule = stage_rule(procedure, stage)
    if rule.one_per_party and raised_before > 0:
        raise DomainError(
            f"{CHALLENGE_ALREADY_RAISED}_{MOF94_10.tag}",
            f"供应商应当一次性提出针对同一采购程序环节（{_STAGE_ZH[stage]}）的质疑"
            f"（{MOF94_10.cite_zh}）",
            f"a supplier raises its challenges to one stage ({stage.value}) at once "
            f"({MOF94_10.cite_en})", ErrorKind.CONFLICT, rule=MOF94_10.tag, stage=stage.value)


def answer_due(procedure: Procedure, calendar: HolidayCalendar, stage: ObjectionStage,
               received_at: datetime) -> LegalDay | None:
    """The last day to answer an objection against ``stage``: 3 日 (条例 22, 54), 7 个工作日
    (政府采购法 53); ``None`` for one answered on site (条例 44: before the opening ends). A due
    date."""
    period = stage_rule(procedure, stage).answer
    if period is None:
        return None
    return calendar.count_period(beijing_date(require_aware(received_at, "received_at")),
                                 period.days, period.unit, Reading.EARLIEST)


# -- 投诉 -----------------------------------------------------------------------------------------


def check_objection_first(procedure: Procedure, stage: ObjectionStage | None,
                          objected: bool) -> None:
    """Refuse a 投诉 on a matter that must first be objected to (条例 60 for 22, 44, 54 matters;
    政府采购法 55: every 投诉 follows a 质疑) — ``COMPLAINT_WITHOUT_OBJECTION_<tag>``. ``stage``
    ``None``: a matter no stage covers, which only engineering hears without an objection."""
    rules = procedure.remedies.complaint
    needed = (stage in rules.objection_first) if stage is not None else not rules.other_matters
    if needed and not objected:
        ref = rules.within.ref
        raise DomainError(
            f"{COMPLAINT_WITHOUT_OBJECTION}_{ref.tag}",
            f"就该事项投诉的，应当先提出异议（质疑）（{ref.cite_zh}）",
            f"a complaint on this matter must follow an objection (challenge) ({ref.cite_en})",
            ErrorKind.CONFLICT, rule=ref.tag)


def check_answer_awaited(procedure: Procedure, answered_at: datetime | None,
                         answer_ends_at: datetime | None, now: datetime) -> None:
    """Refuse a 投诉 while its objection still waits within its answer period
    (``COMPLAINT_BEFORE_ANSWER_<tag>``): 政府采购法 55 hears one "对答复不满意或者…未在规定的时间
    内作出答复的"; 条例 60 has the objection first and its answer time not counted."""
    if answered_at is not None:
        return
    if answer_ends_at is None or require_aware(now, "now") <= answer_ends_at:
        ref = procedure.remedies.complaint.within.ref
        raise DomainError(
            f"{COMPLAINT_BEFORE_ANSWER}_{ref.tag}",
            f"异议（质疑）尚在答复期内，答复或答复期满后方可投诉（{ref.cite_zh}）",
            f"the objection (challenge) is still within its answer period; complain once it is "
            f"answered or the period is over ({ref.cite_en})", ErrorKind.CONFLICT, rule=ref.tag)


def complaint_ends(procedure: Procedure, calendar: HolidayCalendar, *,
                   knew_at: datetime | None = None,
                   objection_raised_at: datetime | None = None,
                   answer_ends_at: datetime | None = None) -> LegalDay:
    """The last day to lodge a 投诉.

    Engineering (条例 60): 10 日 from the day the complainant knew (or, having objected, at the
    latest the day it objected), the days from the objection to its answer (or to the end of its
    answer period, unanswered) not counted. E.g. knew and objected 2025-03-03, answered 03-05:
    the 10 日 run to 03-15, a Saturday → 03-17 (民法典 203).

    政府采购 (政府采购法 55): 15 个工作日 after the 质疑's answer period ends, however early it
    was answered. A complainant's right: the latest plausible day."""
    rules = procedure.remedies.complaint
    period = rules.within
    if rules.from_answer_end:
        if answer_ends_at is None:
            raise ValueError("a government 投诉 runs from the end of the 质疑's answer period")
        start = beijing_date(require_aware(answer_ends_at, "answer_ends_at"))
        return calendar.count_period(start, period.days, period.unit, Reading.LATEST)
    known = [require_aware(m, "knew_at") for m in (knew_at, objection_raised_at) if m is not None]
    if not known:
        raise ValueError("an engineering 投诉 runs from the day the complainant knew")
    start = beijing_date(min(known))
    if objection_raised_at is not None and answer_ends_at is not None:
        start += beijing_date(answer_ends_at) - beijing_date(objection_raised_at)
    return calendar.count_period(start, period.days, period.unit, Reading.LATEST)


def check_complaint_in_time(procedure: Procedure, calendar: HolidayCalendar, raised_at: datetime,
                            *, knew_at: datetime | None = None,
                            objection_raised_at: datetime | None = None,
                            answer_ends_at: datetime | None = None) -> LegalDay:
    """Refuse a late 投诉 (``COMPLAINT_TOO_LATE_REG_60`` / ``COMPLAINT_TOO_LATE_GPL_55``)."""
    last = complaint_ends(procedure, calendar, knew_at=knew_at,
                          objection_raised_at=objection_raised_at, answer_ends_at=answer_ends_at)
    if require_aware(raised_at, "raised_at") > last.ends_at:
        period = procedure.remedies.complaint.within
        raise DomainError(
            f"{COMPLAINT_TOO_LATE}_{period.ref.tag}",
            f"投诉应当在{period.describe_zh()}内提出，已于{last.day.isoformat()}届满"
            f"（{period.ref.cite_zh}）",
            f"a complaint must be lodged within {period.describe_en()}; that period ended on "
            f"{last.day.isoformat()} ({period.ref.cite_en})", ErrorKind.CONFLICT,
            rule=period.ref.tag, last_day=last.day.isoformat())
    return last


def acceptance_due(procedure: Procedure, calendar: HolidayCalendar,
                   received_at: datetime) -> LegalDay:
    """The last day the supervisor accepts or refuses a 投诉: 3 个工作日 (条例 61); 政府采购: its
    review, 5 个工作日 (94号令 21). A due date."""
    period = procedure.remedies.complaint.acceptance
    return calendar.count_period(beijing_date(require_aware(received_at, "received_at")),
                                 period.days, period.unit, Reading.EARLIEST)


def decision_due(procedure: Procedure, calendar: HolidayCalendar, received_at: datetime,
                 accepted_at: datetime) -> LegalDay:
    """The last day of the supervisor's decision: 30 个工作日 from the acceptance (条例 61) or
    from the receipt (政府采购法 56); testing, expert review and the complainant's corrections are
    not counted (条例 61; 94号令 28), which the supervisor records by deciding later. A due
    date."""
    rules = procedure.remedies.complaint
    start = received_at if rules.decision_from_receipt else accepted_at
    return calendar.count_period(beijing_date(require_aware(start, "start")),
                                 rules.decision.days, rules.decision.unit, Reading.EARLIEST)


def suspension_ends(procedure: Procedure, calendar: HolidayCalendar,
                    suspended_at: datetime) -> LegalDay | None:
    """The last day a suspension for a 投诉 may last: 30 日 from the day it began (政府采购法 57:
    "最长不得超过三十日"), after which the procurement resumes by itself; ``None``: no cap
    (engineering, 条例 62). Binds the supervisor: the earliest plausible day."""
    cap = procedure.remedies.complaint.max_suspension
    if cap is None:
        return None
    return calendar.count_period(beijing_date(require_aware(suspended_at, "suspended_at")),
                                 cap.days, cap.unit, Reading.EARLIEST)


def check_suspension_within(procedure: Procedure, calendar: HolidayCalendar,
                            first_suspended_at: datetime, now: datetime) -> LegalDay | None:
    """Refuse to suspend for a 投诉 once its 30 日 since the first suspension are spent
    (``COMPLAINT_SUSPENSION_OVER_LIMIT_GPL_57``)."""
    last = suspension_ends(procedure, calendar, first_suspended_at)
    if last is not None and require_aware(now, "now") > last.ends_at:
        cap = procedure.remedies.complaint.max_suspension
        assert cap is not None
        raise DomainError(
            f"{COMPLAINT_SUSPENSION_OVER_LIMIT}_{cap.ref.tag}",
            f"因投诉暂停采购活动最长不得超过{cap.describe_zh()}，已于{last.day.isoformat()}届满"
            f"（{cap.ref.cite_zh}）",
            f"a procurement may be suspended for a complaint for at most {cap.describe_en()}; "
            f"that ended on {last.day.isoformat()} ({cap.ref.cite_en})", ErrorKind.CONFLICT,
            rule=cap.ref.tag, last_day=last.day.isoformat())
    return last


def end_of(day: LegalDay | None) -> datetime | None:
    """The last instant of a legal day, or ``None``."""
    return None if day is None else end_of_day(day.day)


def _codes() -> set[str]:
    codes = {RULE_NOT_APPLICABLE, f"{OBJECTION_TOO_LATE}_{REG_22.tag}",
             f"{CHALLENGE_ALREADY_RAISED}_{MOF94_10.tag}"}
    for p in PROCEDURES.values():
        for rule in p.remedies.stages.values():
            if rule.timing is Timing.BEFORE_DEADLINE:
                codes.add(f"{OBJECTION_TOO_LATE}_{rule.ref.tag}")
            elif rule.timing is Timing.ON_SITE:
                codes.add(f"{OBJECTION_OUTSIDE_OPENING}_{rule.ref.tag}")
            elif rule.timing is Timing.AFTER_STAGE:
                codes.add(f"{CHALLENGE_TOO_LATE}_{rule.ref.tag}")
        c = p.remedies.complaint
        for what in (COMPLAINT_TOO_LATE, COMPLAINT_WITHOUT_OBJECTION, COMPLAINT_BEFORE_ANSWER):
            codes.add(f"{what}_{c.within.ref.tag}")
        if c.max_suspension is not None:
            codes.add(f"{COMPLAINT_SUSPENSION_OVER_LIMIT}_{c.max_suspension.ref.tag}")
    return codes


#: Every code these functions can raise (besides the calendar's).
ERROR_CODES: frozenset[str] = frozenset(_codes())
