"""How long the documents stay on sale and the tender notice stays up: one pure function each.

Why a module of its own: these are minimums on what the tenderer or purchaser offers the public
before anyone bids — the 资格预审文件/招标文件 on sale for long enough that every potential
bidder can obtain them — not on the bidding period (:mod:`core.rules.limits`).

* 招标投标法实施条例 第十六条: "资格预审文件或者招标文件的发售期不得少于5日" — 5 日;
* 财政部令第87号 第十八条: "提供期限自招标公告、资格预审公告发布之日起计算不得少于5个工作日" —
  5 个工作日, for government tenders;
* 财库〔2014〕214号 第十条: "磋商文件的发售期限自开始之日起不得少于5个工作日" — 磋商
  **[unverified]** (a secondary source quotes the article);
* 财政部令第87号 第十六条: "招标公告、资格预审公告的公告期限为5个工作日 … 公告期限自省级以上财政部
  门指定媒体最先发布公告之日起算" (the text read on fgw.sh.gov.cn, a government site quoting it).

Which reading: the day of the issue (or publication) does not count (民法典 第二百零一条: "开始的
当日不计入"), although 87号令 18 says "自 … 发布之日起计算" — read as including that day it would
end one day sooner, so the later end taken here is lawful under either reading. Minimum periods:
a provisional year's unsettled days rest (``Reading.LATEST``), and the documents must stay
available until the end (24:00) of the last day.

Where they bind: :func:`check_documents_on_sale` at the round's issue
(:func:`core.services.tendering.rounds.issue_documents`, the round's ``documents_available_until``,
by default the bid deadline); :func:`check_on_sale_now` whenever a bidder obtains the documents —
its registration (报名, the 购买/获取 of the documents:
:func:`core.services.tendering.bids.register`) and its download
(:func:`core.services.tender_documents.download`): the sale period is the only time they are
sold, so obtaining them before the issue or after the period's end is refused. The reading
taken for the download: a bidder that obtained the 招标文件 during the period may fetch its copy
again later, and clarifications (澄清或者修改) stay open to the bidders registered, since 条例 21
has them sent to every bidder that obtained the documents — only a *first* obtaining of the
招标文件 outside the period is a sale outside it.

The tender notice's 5 个工作日 (:func:`check_tender_notice`) is a pure function only: a
published notice stays on the portal and is never taken down (:mod:`core.services.notices`), so
it lasts at least that long by construction.
"""

from __future__ import annotations

from datetime import datetime, time

from core.clock import SHANGHAI
from core.errors import DomainError, ErrorKind
from core.rules.calendar import (
    DayCount,
    HolidayCalendar,
    LegalDay,
    Reading,
    beijing_date,
    require_aware,
    to_beijing,
)
from core.rules.procedures import PROCEDURES, LegalRef, Period, Procedure

DOCUMENTS_ON_SALE_TOO_SHORT = "DOCUMENTS_ON_SALE_TOO_SHORT"
DOCUMENTS_NOT_ON_SALE = "DOCUMENTS_NOT_ON_SALE"
TENDER_NOTICE_TOO_SHORT = "TENDER_NOTICE_TOO_SHORT"

MOF87_16 = LegalRef(
    "MOF87_16",
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第十六条",
    "MOF Order 87 art. 16",
)
#: 87号令 16: the 招标公告 / 资格预审公告 lasts 5 个工作日.
TENDER_NOTICE_PERIOD = Period(5, DayCount.WORKING, MOF87_16)

#: A period closing at or after 23:59:59 of its last day has lasted that whole day (as publicity).
_CLOSING = time(23, 59, 59)


def _last(calendar: HolidayCalendar, start: datetime, period: Period) -> LegalDay:
    return calendar.count_period(beijing_date(start), period.days, period.unit, Reading.LATEST)


def documents_on_sale_until(procedure: Procedure, calendar: HolidayCalendar,
                            issued_at: datetime) -> LegalDay | None:
    """The earliest lawful last day of the documents' sale (``None``: the procedure sets none).
    E.g. engineering documents issued Monday 2025-03-03: on sale until Saturday 03-08 — moved to
    Monday 03-10, a 5th day on a rest day moving to the next working day (民法典 第二百零三条)."""
    period = procedure.documents_on_sale
    if period is None:
        return None
    return _last(calendar, require_aware(issued_at, "issued_at"), period)


def check_documents_on_sale(procedure: Procedure, calendar: HolidayCalendar,
                            issued_at: datetime, available_until: datetime) -> LegalDay | None:
    """Refuse documents offered for less than the procedure's minimum
    (``DOCUMENTS_ON_SALE_TOO_SHORT_REG_16`` / ``_MOF87_18`` / ``_MOF214_10``); return the last
    day (for the record), ``None`` where no minimum applies (谈判, 询价, 单一来源)."""
    period = procedure.documents_on_sale
    if period is None:
        return None
    last = _last(calendar, require_aware(issued_at, "issued_at"), period)
    if require_aware(available_until, "available_until") < datetime.combine(
            last.day, _CLOSING, tzinfo=SHANGHAI):
        ref = period.ref
        raise DomainError(
            f"{DOCUMENTS_ON_SALE_TOO_SHORT}_{ref.tag}",
            f"资格预审文件或者招标文件的发售（提供）期不得少于{period.describe_zh()}：自"
            f"{beijing_date(issued_at)}发出（当日不计入），应至少提供至 {last.day} 24时"
            f"（{ref.cite_zh}）",
            f"the documents must be on sale for at least {period.describe_en()}: issued on "
            f"{beijing_date(issued_at)} (not counted), they must stay available until the end of "
            f"{last.day} ({ref.cite_en})",
            rule=ref.tag, issued=beijing_date(issued_at).isoformat(), last_day=last.day.isoformat(),
            available_until=to_beijing(available_until).isoformat(),
            calendar=last.status.value, field="documents_available_until")
    return last


def not_on_sale_code(procedure: Procedure) -> str:
    """``DOCUMENTS_NOT_ON_SALE_REG_16`` / ``_MOF87_18`` / ``_MOF214_10``; plain
    ``DOCUMENTS_NOT_ON_SALE`` where the law sets no sale period (谈判, 询价, 单一来源: the
    documents' own period, until the deadline by default, still bounds the sale)."""
    period = procedure.documents_on_sale
    return DOCUMENTS_NOT_ON_SALE if period is None else f"{DOCUMENTS_NOT_ON_SALE}_{period.ref.tag}"


def check_on_sale_now(procedure: Procedure, issued_at: datetime | None,
                      available_until: datetime, now: datetime) -> None:
    """Refuse obtaining the documents outside their sale period: before they are issued
    (``issued_at`` none or later than ``now``) or after ``available_until`` (the round's
    ``documents_available_until``, by default its bid deadline), the instant itself still on
    sale. The code names the article that sets the period (:func:`not_on_sale_code`); a
    conflict with the round's state, not bad input."""
    at = require_aware(now, "now")
    until = require_aware(available_until, "available_until")
    before = issued_at is None or at < require_aware(issued_at, "issued_at")
    if not before and at <= until:
        return
    period = procedure.documents_on_sale
    cite_zh = f"（{period.ref.cite_zh}）" if period is not None else ""
    cite_en = f" ({period.ref.cite_en})" if period is not None else ""
    if before:
        zh, en = "招标文件尚未发出，不能获取", "the documents have not been issued yet"
    else:
        zh = f"招标文件的发售（提供）期已于 {to_beijing(until).isoformat()} 结束，不能再获取"
        en = f"the documents were on sale until {to_beijing(until).isoformat()}; that is over"
    raise DomainError(not_on_sale_code(procedure), zh + cite_zh, en + cite_en, ErrorKind.CONFLICT,
                      rule=None if period is None else period.ref.tag,
                      issued_at=None if issued_at is None else to_beijing(issued_at).isoformat(),
                      available_until=to_beijing(until).isoformat())


def tender_notice_end(calendar: HolidayCalendar, published_at: datetime) -> LegalDay:
    """The earliest lawful last day of a government 招标公告 or 资格预审公告 (87号令 16)."""
    return _last(calendar, require_aware(published_at, "published_at"), TENDER_NOTICE_PERIOD)


def check_tender_notice(calendar: HolidayCalendar, published_at: datetime,
                        ends_at: datetime) -> LegalDay:
    """Refuse a government tender notice shorter than 5 个工作日
    (``TENDER_NOTICE_TOO_SHORT_MOF87_16``)."""
    last = tender_notice_end(calendar, published_at)
    if require_aware(ends_at, "ends_at") < datetime.combine(last.day, _CLOSING, tzinfo=SHANGHAI):
        ref = TENDER_NOTICE_PERIOD.ref
        raise DomainError(
            f"{TENDER_NOTICE_TOO_SHORT}_{ref.tag}",
            f"招标公告、资格预审公告的公告期限为5个工作日，应至少持续到 {last.day} 24时"
            f"（{ref.cite_zh}）",
            f"a tender or prequalification notice lasts 5 working days: until the end of "
            f"{last.day} ({ref.cite_en})",
            rule=ref.tag, last_day=last.day.isoformat(), calendar=last.status.value)
    return last


#: Every code these functions can raise (besides the calendar's).
ERROR_CODES: frozenset[str] = frozenset(
    {f"{DOCUMENTS_ON_SALE_TOO_SHORT}_{p.documents_on_sale.ref.tag}"
     for p in PROCEDURES.values() if p.documents_on_sale is not None}
    | {not_on_sale_code(p) for p in PROCEDURES.values()}
    | {f"{TENDER_NOTICE_TOO_SHORT}_{MOF87_16.tag}"})
