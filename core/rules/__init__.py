"""Legal rules of the tendering lifecycle: the Beijing calendar, procedure types, and legal limits.

Pure: no database, no clock of its own, no I/O — callers pass the moments in. Modules:

* :mod:`core.rules.calendar` — 日 vs 工作日, 调休, 民法典 第二百零一条/第二百零三条 period ends, on
  official years and (safe side) on provisional ones;
* :mod:`core.rules.holidays` — the statutory holidays from their rules, and the provisional year;
* :mod:`core.rules.procedures` — :class:`Procedure` configuration and the :data:`PROCEDURES`
  registry;
* :mod:`core.rules.limits` — one check per legal limit, each raising a ``DomainError`` whose code
  names the rule (``BIDDING_PERIOD_TOO_SHORT_LAW_24``, ``DEPOSIT_OVER_LIMIT_REG_26``…);
* :mod:`core.rules.award_periods` — the periods from the report to the contract;
* beside them, one small module per topic: :mod:`~core.rules.documents_limits` (条例 16,
  87号令 16/18), :mod:`~core.rules.must_tender` (发改委令16号 5, 条例 8, 法 17),
  :mod:`~core.rules.single_source` (政采条例 38), :mod:`~core.rules.deposit_limits` (条例 57/58,
  政采条例 48, 87号令 38), :mod:`~core.rules.reporting_periods` (法 47, 政府采购法 47, 政采条例 50)
  and :mod:`~core.rules.expert_draw` (财库〔2016〕198号 14).

Open legal questions (decisions taken here, to confirm with the centre's legal staff)
--------------------------------------------------------------------------------------
1. Whether 民法典 第二百零三条 (last day on a legal rest day moves to the next working day) applies
   to *minimum* periods such as 招标投标法 第二十四条's 20 days. We apply it (cautious: it only
   ever asks for a later deadline); if it does not, deadlines on a weekend 20th day would be
   refused needlessly.
2. Whether weekends count as 法定休假日 for that rule (we say yes, following the older judicial
   reading).
3. Whether the day a publicity starts counts towards its 3 日 (we say no, 民法典 第二百零一条).
4. A bid received exactly at the deadline instant is accepted (the law refuses bids "after" it).
5. The articles marked [unverified] in :mod:`core.rules.procedures` (财政部令第74号/第87号, 财库
   〔2014〕214号, 财库〔2015〕135号).
6. Government committees (:func:`core.rules.limits.committee_floor`): a section without a budget
   is sized without the budget cases (87号令 47's 1000万元, 74号令 7's threshold) rather than
   refused; 74号令 7's 公开招标数额标准 defaults to the central one (200万元; 工程 400万元) and is
   the centre's to set; a 政府采购 tender project with a 招标项目类型 is taken as 政府采购工程;
   214号 14's 技术复杂、专业性强 is the same round declaration as 87号令 47's 技术复杂.
7. Issue 12 §3 (each module's docstring says the reading taken): the issue day of the documents
   does not count towards 条例 16's 5 日 (nor 87号令 18's "自…发布之日起计算"); a round that
   declares no contract kind is held to 发改委令16号 5's lowest threshold (100万元); interest and
   fees count actual days over 360 at configurable default rates; 财库〔2016〕198号 14 and
   87号令 38's article numbers are unverified.
"""

from core.rules.calendar import (
    DayCount,
    DayKind,
    HolidayCalendar,
    LegalDay,
    OfficialYear,
    Reading,
    YearStatus,
    add_days,
    beijing_date,
    end_of_day,
    start_of_day,
    to_beijing,
)
from core.rules.procedures import PROCEDURES, Domain, LegalRef, Period, Procedure, procedure_for

__all__ = [
    "PROCEDURES",
    "DayCount",
    "DayKind",
    "Domain",
    "HolidayCalendar",
    "LegalDay",
    "LegalRef",
    "OfficialYear",
    "Period",
    "Procedure",
    "Reading",
    "YearStatus",
    "add_days",
    "beijing_date",
    "end_of_day",
    "procedure_for",
    "start_of_day",
    "to_beijing",
]
