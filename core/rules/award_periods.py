"""The legal periods from the evaluation report to the contract, one pure function each.

They are the procedure's :class:`~core.rules.procedures.AwardPeriods`; this module only reckons
them on the calendar and refuses what falls outside them. Each refusal's code names its rule as
in :mod:`core.rules.limits` (``<WHAT>_<TAG>``).

Which reading of an unsettled (provisional) year each takes, and why:

* a period that gives a party a right — the purchaser's time to decide, a supplier's time to
  raise a 质疑 — is read with the unsettled days resting (``Reading.LATEST``), so the platform
  never takes the right away a day early: the first candidate is deemed chosen, or a 质疑 refused
  as late, only once the period has ended under every plausible schedule;
* a period that binds the centre or the purchaser — send the notice, answer, refund, sign — is a
  due date read with the unsettled days working (``Reading.EARLIEST``): the earliest plausible
  day, to remind by, reckoned again when the year becomes official
  (:mod:`core.services.deadlines`).
"""

from __future__ import annotations

from datetime import datetime

from core.errors import DomainError, ErrorKind
from core.rules.calendar import HolidayCalendar, LegalDay, Reading, beijing_date, require_aware
from core.rules.procedures import PROCEDURES, Period, Procedure

CHALLENGE_TOO_LATE = "CHALLENGE_TOO_LATE"
DECISION_PERIOD_NOT_OVER = "DECISION_PERIOD_NOT_OVER"
RULE_NOT_APPLICABLE = "RULE_NOT_APPLICABLE"


def _reckon(calendar: HolidayCalendar, start: datetime, period: Period,
            reading: Reading, name: str) -> LegalDay:
    return calendar.count_period(beijing_date(require_aware(start, name)), period.days,
                                 period.unit, reading)


def _period(procedure: Procedure, period: Period | None, what_zh: str, what_en: str) -> Period:
    if period is None:
        raise DomainError(RULE_NOT_APPLICABLE, f"{procedure.name_zh}没有{what_zh}",
                          f"{procedure.name_en} has no {what_en}", procedure=procedure.key)
    return period


def decision_due(procedure: Procedure, calendar: HolidayCalendar,
                 report_received_at: datetime) -> LegalDay:
    """The last day the purchaser may choose among the candidates.

    政府采购法实施条例 第四十三条: "采购人应当自收到评审报告之日起5个工作日内在评审报告推荐的
    中标或者成交候选人中按顺序确定中标或者成交供应商"; after it the first-ranked is deemed
    chosen (财政部令第87号 第六十八条 **[unverified]**: "视同按评标报告推荐的顺序确定排名第一的
    中标候选人为中标人"). A right of the purchaser: the latest plausible day. E.g. the report
    received Friday 2025-09-26: the 5 个工作日 are 09-28 (the 调休 Sunday), 09-29, 09-30, 10-09
    and 10-10, across the National Day holiday.
    """
    period = _period(procedure, procedure.after_report.decision, "采购人确定期限",
                     "purchaser's decision period")
    return _reckon(calendar, report_received_at, period, Reading.LATEST, "report_received_at")


def check_decision_period_over(procedure: Procedure, calendar: HolidayCalendar,
                               report_received_at: datetime, now: datetime) -> LegalDay:
    """Refuse to deem the first candidate chosen while the purchaser's period still runs."""
    due = decision_due(procedure, calendar, report_received_at)
    if require_aware(now, "now") <= due.ends_at:
        ref = _period(procedure, procedure.after_report.decision, "", "").ref
        raise DomainError(
            f"{DECISION_PERIOD_NOT_OVER}_{ref.tag}",
            f"采购人确定中标（成交）供应商的期限至{due.day.isoformat()}尚未届满（{ref.cite_zh}）",
            f"the purchaser may still decide until {due.day.isoformat()} ({ref.cite_en})",
            ErrorKind.CONFLICT, rule=ref.tag, last_day=due.day.isoformat())
    return due


def notice_due(procedure: Procedure, calendar: HolidayCalendar, decided_at: datetime) -> LegalDay:
    """The last day to issue the 中标(成交)通知书 and publish the result with it.

    政府采购法实施条例 第四十三条: "自中标、成交供应商确定之日起2个工作日内，发出中标、成交
    通知书，并 … 公告中标、成交结果". A due date for the purchaser and its agency.
    """
    period = _period(procedure, procedure.after_report.notice, "中标通知书发出期限",
                     "award notice period")
    return _reckon(calendar, decided_at, period, Reading.EARLIEST, "decided_at")


def challenge_ends(procedure: Procedure, calendar: HolidayCalendar,
                   result_notice_ends_at: datetime) -> LegalDay:
    """The last day a 质疑 against the result may be raised.

    政府采购法 第五十二条: "在知道或者应知其权益受到损害之日起七个工作日内" and 政府采购法
    实施条例 第五十三条(三): for the result that day is "中标或者成交结果公告期限届满之日". The
    day the notice ends does not count; a supplier's right: the latest plausible day.
    """
    period = _period(procedure, procedure.after_report.challenge, "质疑期限",
                     "challenge period after the result")
    return _reckon(calendar, result_notice_ends_at, period, Reading.LATEST,
                   "result_notice_ends_at")


def check_challenge_in_time(procedure: Procedure, calendar: HolidayCalendar,
                            result_notice_ends_at: datetime, raised_at: datetime) -> LegalDay:
    """Refuse a 质疑 raised after its period (``CHALLENGE_TOO_LATE_GPREG_53``)."""
    last = challenge_ends(procedure, calendar, result_notice_ends_at)
    if require_aware(raised_at, "raised_at") > last.ends_at:
        ref = _period(procedure, procedure.after_report.challenge, "", "").ref
        raise DomainError(
            f"{CHALLENGE_TOO_LATE}_{ref.tag}",
            f"对中标（成交）结果的质疑应当在公告期限届满之日起7个工作日内提出，已于"
            f"{last.day.isoformat()}届满（{ref.cite_zh}）",
            f"a challenge to the result must be raised within 7 working days after the result "
            f"notice ends; that period ended on {last.day.isoformat()} ({ref.cite_en})",
            ErrorKind.CONFLICT, rule=ref.tag, last_day=last.day.isoformat())
    return last


def answer_due(procedure: Procedure, calendar: HolidayCalendar, received_at: datetime
               ) -> LegalDay:
    """The last day to answer an objection (异议) or a 质疑.

    招标投标法实施条例 第五十四条: "招标人应当自收到异议之日起3日内作出答复"; 政府采购法 第五十三条:
    "采购人应当在收到供应商的书面质疑后七个工作日内作出答复". A due date.
    """
    return _reckon(calendar, received_at, procedure.after_report.answer, Reading.EARLIEST,
                   "received_at")


def unsuccessful_refund_due(procedure: Procedure, calendar: HolidayCalendar,
                            notice_issued_at: datetime) -> LegalDay:
    """The last day to refund the unsuccessful bidders' deposits.

    政府采购法实施条例 第三十三条: "自中标通知书发出之日起5个工作日内退还未中标供应商的投标保证金"
    (财政部令第87号 第三十八条 alike). Engineering refunds every deposit after the contract
    (:func:`core.rules.limits.refund_due`), so it has no such day. A due date.
    """
    period = _period(procedure, procedure.after_report.refund_unsuccessful,
                     "未中标人保证金退还期限", "refund period for unsuccessful bidders")
    return _reckon(calendar, notice_issued_at, period, Reading.EARLIEST, "notice_issued_at")


def contract_due(procedure: Procedure, calendar: HolidayCalendar,
                 notice_issued_at: datetime) -> LegalDay:
    """The last day to sign the contract.

    招标投标法 第四十六条 and 政府采购法 第四十六条: "自中标通知书发出之日起三十日内" — 30 日, moved
    past legal rest days (民法典 第二百零三条). A due date; the supervisor is warned when it passes
    without a contract.
    """
    return _reckon(calendar, notice_issued_at, procedure.after_report.contract, Reading.EARLIEST,
                   "notice_issued_at")


def _codes() -> set[str]:
    codes = {RULE_NOT_APPLICABLE}
    for p in PROCEDURES.values():
        periods = p.after_report
        if periods.decision is not None:
            codes.add(f"{DECISION_PERIOD_NOT_OVER}_{periods.decision.ref.tag}")
        if periods.challenge is not None:
            codes.add(f"{CHALLENGE_TOO_LATE}_{periods.challenge.ref.tag}")
    return codes


#: Every code these functions can raise (besides the calendar's).
ERROR_CODES: frozenset[str] = frozenset(_codes())
