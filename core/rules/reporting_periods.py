"""What the owner or purchaser owes the authorities and the public after the award and the
contract: three due dates, one pure function each.

* 招标投标法 第四十七条: "依法必须进行招标的项目，招标人应当自确定中标人之日起十五日内，向有关
  行政监督部门提交招标投标情况的书面报告" — 15 日 after the award (engineering). The day the winner
  is determined is, on this platform, the day the 中标通知书 is issued (the award and its notice
  are one step, :mod:`core.services.tendering.award.issuing`); every engineering round is treated
  as 依法必须招标 — the centre's rounds are, and a report sent when not required harms no one.
* 政府采购法 第四十七条: "政府采购项目的采购合同自签订之日起七个工作日内，采购人应当将合同副本
  报同级政府采购监督管理部门和有关部门备案" — 7 个工作日 after signing (政府采购).
* 政府采购法实施条例 第五十条: "采购人应当自政府采购合同签订之日起2个工作日内，将政府采购合同在
  省级以上人民政府财政部门指定的媒体上公告" — 2 个工作日 after signing (政府采购). The platform
  publishes its contract notice in the same transaction as the contract
  (:func:`core.services.lifecycle_notices.contract`), so :func:`check_contract_published` holds
  by construction; the test of the contract use case asserts it.

Due dates bind the owner, so a provisional year's unsettled days count as working days
(``Reading.EARLIEST``): the earliest plausible day, to remind by, reckoned again when the year
becomes official (:mod:`core.services.deadlines`). The periods are the procedure's
(:class:`~core.rules.procedures.AwardPeriods`: ``award_report``, ``contract_filing``,
``contract_publication``). The first two are tracked there, and the scheduler warns the
supervisor when one passes unmet (:mod:`core.services.overdue`).
"""

from __future__ import annotations

from datetime import datetime

from core.errors import DomainError, ErrorKind
from core.rules.calendar import HolidayCalendar, LegalDay, Reading, beijing_date, require_aware
from core.rules.procedures import GPREG_50, Period, Procedure

RULE_NOT_APPLICABLE = "RULE_NOT_APPLICABLE"
CONTRACT_PUBLISHED_LATE = "CONTRACT_PUBLISHED_LATE"


def _period(period: Period | None, procedure: Procedure, what_zh: str, what_en: str) -> Period:
    if period is None:
        raise DomainError(RULE_NOT_APPLICABLE, f"{procedure.name_zh}没有{what_zh}",
                          f"{procedure.name_en} has no {what_en}", procedure=procedure.key)
    return period


def _due(calendar: HolidayCalendar, start: datetime, period: Period, name: str) -> LegalDay:
    return calendar.count_period(beijing_date(require_aware(start, name)), period.days,
                                 period.unit, Reading.EARLIEST)


def award_report_due(procedure: Procedure, calendar: HolidayCalendar,
                     awarded_at: datetime) -> LegalDay:
    """The last day of 法 47's written report (15 日 after the award, moved past rest days,
    民法典 第二百零三条). E.g. awarded Friday 2025-09-19: 15 日 end Saturday 10-04, in the National
    Day holiday, so the report is due Thursday 10-09."""
    period = _period(procedure.after_report.award_report, procedure, "招标投标情况书面报告期限",
                     "written report period")
    return _due(calendar, awarded_at, period, "awarded_at")


def contract_filing_due(procedure: Procedure, calendar: HolidayCalendar,
                        signed_at: datetime) -> LegalDay:
    """The last day to file the contract copy (政府采购法 47: 7 个工作日 after signing)."""
    period = _period(procedure.after_report.contract_filing, procedure, "合同备案期限",
                     "contract filing period")
    return _due(calendar, signed_at, period, "signed_at")


def contract_publication_due(procedure: Procedure, calendar: HolidayCalendar,
                             signed_at: datetime) -> LegalDay:
    """The last day to publish the contract (政采条例 50: 2 个工作日 after signing)."""
    period = _period(procedure.after_report.contract_publication, procedure, "合同公告期限",
                     "contract publication period")
    return _due(calendar, signed_at, period, "signed_at")


def check_contract_published(procedure: Procedure, calendar: HolidayCalendar,
                             signed_at: datetime, published_at: datetime) -> LegalDay:
    """Refuse a contract notice published after its due date (``CONTRACT_PUBLISHED_LATE_GPREG_50``).
    """
    due = contract_publication_due(procedure, calendar, signed_at)
    if require_aware(published_at, "published_at") > due.ends_at:
        raise DomainError(
            f"{CONTRACT_PUBLISHED_LATE}_{GPREG_50.tag}",
            f"政府采购合同应当自签订之日起2个工作日内公告，最迟 {due.day}（{GPREG_50.cite_zh}）",
            f"a government contract is published within 2 working days of signing, by {due.day} "
            f"({GPREG_50.cite_en})", ErrorKind.CONFLICT, rule=GPREG_50.tag,
            last_day=due.day.isoformat())
    return due


#: Every code these functions can raise (besides the calendar's).
ERROR_CODES: frozenset[str] = frozenset(
    {RULE_NOT_APPLICABLE, f"{CONTRACT_PUBLISHED_LATE}_{GPREG_50.tag}"})
