"""One function per legal limit of the tendering lifecycle; each refusal's code names its rule.

Error codes are ``<WHAT>_<TAG>``, where the tag names the rule's source (see
:class:`core.rules.procedures.LegalRef`): ``BIDDING_PERIOD_TOO_SHORT_LAW_24`` for an engineering
tender, ``BIDDING_PERIOD_TOO_SHORT_GPL_35`` for a government tender, and so on. All possible codes
are in :data:`ERROR_CODES`. Messages cite the article, in Chinese and English.

How days are counted (see :mod:`core.rules.calendar`)
----------------------------------------------------
* Every moment is taken at its Beijing (Asia/Shanghai) date; naive datetimes are refused.
* The day of the triggering event (issue, clarification, report, contract) never counts
  (民法典 第二百零一条). A period of N 日 ends on the Nth day after it; if that day is a legal rest
  day the period ends on the next working day (民法典 第二百零三条, see
  :func:`~core.rules.calendar.period_end`). A period of N 工作日 ends on its Nth working day.
* For *minimum* periods (bidding period, clarification notice, publicity) the deadline's Beijing
  date must be on or after that last day. Applying the holiday rule here is the cautious reading:
  it can only make the platform ask for a later deadline, which is always lawful (see the open
  questions in the module docs of :mod:`core.rules`).
* For *maximum* periods (refund) the last day's 24:00 is the deadline (民法典 第二百零三条第二款).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import Any, TypeVar

from core.clock import SHANGHAI
from core.errors import DomainError, ErrorKind
from core.evaluation.methods import EvaluationMethod
from core.rules.calendar import (
    DayCount,
    HolidayCalendar,
    LegalDay,
    Reading,
    beijing_date,
    require_aware,
    to_beijing,
)
from core.rules.procedures import (
    GPREG_34,
    LAW_28,
    LAW_37,
    MOF87,
    PROCEDURES,
    REG_53,
    REG_55,
    Domain,
    LegalRef,
    Period,
    Procedure,
)
from core.rules.supplier_minimum import GROUNDS, TwoSupplierGround, minimum_bids

T = TypeVar("T")

# Codes that do not depend on the procedure.
BID_LATE_LAW_28 = "BID_LATE_LAW_28"
TOO_MANY_CANDIDATES = "TOO_MANY_CANDIDATES"
NO_CANDIDATE_LEFT_REG_55 = "NO_CANDIDATE_LEFT_REG_55"
AWARD_NOT_FIRST_RANKED_REG_55 = "AWARD_NOT_FIRST_RANKED_REG_55"
AWARD_NOT_A_CANDIDATE_LAW_40 = "AWARD_NOT_A_CANDIDATE_LAW_40"
DEADLINE_NOT_AFTER_ISSUE = "DEADLINE_NOT_AFTER_ISSUE"
CLARIFICATION_AFTER_DEADLINE = "CLARIFICATION_AFTER_DEADLINE"
PUBLICITY_END_BEFORE_START = "PUBLICITY_END_BEFORE_START"
DEPOSIT_NEGATIVE = "DEPOSIT_NEGATIVE"
ESTIMATED_PRICE_NOT_POSITIVE = "ESTIMATED_PRICE_NOT_POSITIVE"
AMOUNT_NOT_FINITE = "AMOUNT_NOT_FINITE"
RULE_NOT_APPLICABLE = "RULE_NOT_APPLICABLE"
EVALUATION_METHOD_NOT_ALLOWED = "EVALUATION_METHOD_NOT_ALLOWED"
CANDIDATE_TIE_UNSETTLED_MOF87_68 = "CANDIDATE_TIE_UNSETTLED_MOF87_68"

# Prefixes completed by the rule's tag.
BIDDING_PERIOD_TOO_SHORT = "BIDDING_PERIOD_TOO_SHORT"
DEPOSIT_OVER_LIMIT = "DEPOSIT_OVER_LIMIT"
TOO_FEW_BIDS = "TOO_FEW_BIDS"
COMMITTEE_INVALID = "COMMITTEE_INVALID"
COMMITTEE_AGENCY_STAFF = "COMMITTEE_AGENCY_STAFF"
COMMITTEE_REPRESENTATIVE_NOT_PURCHASER = "COMMITTEE_REPRESENTATIVE_NOT_PURCHASER"
COMMITTEE_NO_LEGAL_EXPERT = "COMMITTEE_NO_LEGAL_EXPERT"
PUBLICITY_TOO_SHORT = "PUBLICITY_TOO_SHORT"
PUBLICITY_STARTED_LATE = "PUBLICITY_STARTED_LATE"
STANDARDISED_NOT_APPLICABLE = "STANDARDISED_NOT_APPLICABLE"
EVALUATION_METHOD_NOT_LOWEST_PRICE = "EVALUATION_METHOD_NOT_LOWEST_PRICE"

#: A publicity closing at or after 23:59:59 of its last day has lasted that whole day (stored times
#: are often truncated to the second; 民法典 第二百零三条: the last day ends at 24:00).
_CLOSING = time(23, 59, 59)


def _rule_error(
    prefix: str,
    ref: LegalRef,
    message_zh: str,
    message_en: str,
    kind: ErrorKind = ErrorKind.INVALID,
    **details: Any,
) -> DomainError:
    return DomainError(
        f"{prefix}_{ref.tag}",
        f"{message_zh}（{ref.cite_zh}）",
        f"{message_en} ({ref.cite_en})",
        kind,
        rule=ref.tag,
        **details,
    )


def _decimal(value: object, name: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise DomainError(
            AMOUNT_NOT_FINITE, f"{name} 不是有限数值", f"{name} is not a finite number", field=name
        )
    return value


def _last_day(calendar: HolidayCalendar, start: datetime, period: Period,
              reading: Reading) -> LegalDay:
    return calendar.count_period(beijing_date(start), period.days, period.unit, reading)


def _provisional_zh(day: LegalDay) -> str:
    return "（节假日安排尚未公布，按暂定日历从严计算）" if day.provisional else ""


def _provisional_en(day: LegalDay) -> str:
    return (" (the holiday schedule is not yet official: reckoned on the provisional calendar, "
            "on the safe side)" if day.provisional else "")


# -- 招标投标法 第二十四条: the bidding period -----------------------------------------------------


def earliest_deadline(procedure: Procedure, calendar: HolidayCalendar,
                      documents_issued_at: datetime) -> LegalDay | None:
    """The first Beijing date the bid/response deadline may fall on (``None``: no minimum).

    A minimum period, so unsettled days of a provisional year count as rest days
    (:attr:`~core.rules.calendar.Reading.LATEST`): a deadline on or after this day holds whatever
    the year's notice turns out to say.
    """
    period = procedure.bidding_period
    if period is None:
        return None
    return _last_day(calendar, require_aware(documents_issued_at, "documents_issued_at"), period,
                     Reading.LATEST)


def check_bidding_period(
    procedure: Procedure, calendar: HolidayCalendar, documents_issued_at: datetime,
    deadline: datetime,
) -> LegalDay | None:
    """Refuse a deadline too soon after the tender documents are first issued; return the
    earliest lawful deadline day (for the record), ``None`` where no minimum applies.

    招标投标法 第二十四条: "依法必须进行招标的项目，自招标文件开始发出之日起至投标人提交投标文件截止
    之日止，最短不得少于二十日。" Government tenders: the same 20 日 (政府采购法 第三十五条); 竞争性
    谈判 and 询价: 3 个工作日 (财政部令第74号 第二十九条、第四十五条); 竞争性磋商: 10 日 (财库
    〔2014〕214号 第十条).

    Counting: the issue day does not count; the deadline's Beijing date must be on or after the
    period's last day (:func:`earliest_deadline`) — e.g. documents issued on 2025-03-03, deadline on
    2025-03-23 (20 days later, a Sunday) is too early, 2025-03-24 passes. The time of day of either
    moment does not matter. A deadline not after the issue is ``DEADLINE_NOT_AFTER_ISSUE``. On a
    provisional year the refusal says so and names the earliest day that is safe.
    """
    require_aware(documents_issued_at, "documents_issued_at")
    require_aware(deadline, "deadline")
    if deadline <= documents_issued_at:
        raise DomainError(
            DEADLINE_NOT_AFTER_ISSUE,
            "投标截止时间必须晚于招标文件发出时间",
            "The deadline must come after the documents are issued",
        )
    period = procedure.bidding_period
    if period is None:
        return None
    earliest = _last_day(calendar, documents_issued_at, period, Reading.LATEST)
    due = beijing_date(deadline)
    if due < earliest.day:
        issued = beijing_date(documents_issued_at)
        raise _rule_error(
            BIDDING_PERIOD_TOO_SHORT,
            period.ref,
            f"提交截止日 {due} 早于最早可定的截止日 {earliest.day}：自文件发出之日（{issued}，"
            f"当日不计入）起不得少于{period.describe_zh()}，最后一日为法定休假日的顺延"
            f"{_provisional_zh(earliest)}",
            f"The deadline date {due} is before the earliest lawful one, {earliest.day}: at least "
            f"{period.describe_en()} from the issue of the documents ({issued}, not counted), "
            f"a last day on a legal rest day moving to the next working day"
            f"{_provisional_en(earliest)}",
            issued=issued.isoformat(),
            deadline=due.isoformat(),
            earliest=earliest.day.isoformat(),
            calendar=earliest.status.value,
            minimum_days=period.days,
            unit=period.unit.value,
        )
    return earliest


# -- 招标投标法 第二十三条 / 实施条例 第二十一条: clarifications -----------------------------------


@dataclass(frozen=True)
class ClarifiedDeadline:
    """The deadline after a clarification, and the earliest day the rule allowed (for the
    record); ``earliest`` is ``None`` where the procedure sets no notice period."""

    deadline: datetime
    earliest: LegalDay | None


def deadline_after_clarification(
    procedure: Procedure, calendar: HolidayCalendar, clarified_at: datetime, deadline: datetime
) -> ClarifiedDeadline:
    """The deadline after a clarification or amendment: unchanged, or moved so enough time remains.

    招标投标法 第二十三条: "招标人对已发出的招标文件进行必要的澄清或者修改的，应当在招标文件要求提交
    投标文件截止时间至少十五日前，以书面形式通知所有招标文件收受人。" 实施条例 第二十一条: "…不足3日
    或者15日的，招标人应当顺延提交资格预审申请文件或者投标文件的截止时间。" Government tenders: 15
    日 (政府采购法实施条例 第三十一条); 谈判/询价: 3 个工作日 (财政部令第74号 第二十九条、第四十五
    条); 磋商: 5 日 (财库〔2014〕214号 第十条).

    Counting: the clarification day does not count; if the deadline's Beijing date is on or after
    the period's last day the same ``deadline`` is returned, otherwise a deadline on that last day
    at the original Beijing time of day. A minimum period, so a provisional year is read with its
    unsettled days as rest days: the clarification is never refused for want of the schedule, it
    only moves the deadline as far as the least favourable schedule would. Whether a clarification
    "may affect the preparation of bids" is a judgment for the caller; call this only when it
    may. A clarification at or after the deadline is ``CLARIFICATION_AFTER_DEADLINE``.
    """
    require_aware(clarified_at, "clarified_at")
    require_aware(deadline, "deadline")
    if clarified_at >= deadline:
        raise DomainError(
            CLARIFICATION_AFTER_DEADLINE,
            "投标截止后不得再澄清或修改招标文件",
            "The documents cannot be clarified or amended after the deadline",
            ErrorKind.CONFLICT,
        )
    notice = procedure.clarification_notice
    if notice is None:
        return ClarifiedDeadline(deadline, None)
    earliest = _last_day(calendar, clarified_at, notice, Reading.LATEST)
    local = to_beijing(deadline)
    if local.date() >= earliest.day:
        return ClarifiedDeadline(deadline, earliest)
    return ClarifiedDeadline(datetime.combine(earliest.day, local.timetz()), earliest)


# -- 实施条例 第二十六条: the deposit --------------------------------------------------------------


def check_deposit(procedure: Procedure, deposit: Decimal, estimated_price: Decimal) -> None:
    """Refuse a bid deposit above the cap.

    招标投标法实施条例 第二十六条: "招标人在招标文件中要求投标人提交投标保证金的，投标保证金不得超过
    招标项目估算价的2%。" Government procurement: "不得超过采购项目预算金额的2%" (政府采购法实施条
    例 第三十三条, also for 谈判/询价 by its third paragraph; 磋商: 财库〔2014〕214号).

    ``estimated_price`` is the 估算价 (engineering) or 预算金额 (government); both amounts are
    ``Decimal`` in the same unit (a float raises ``TypeError``). The comparison is exact:
    2 % of 1,000,000.00 is 20,000.00 — a deposit of 20,000.00 passes, 20,000.01 fails. A procedure
    without a cap (单一来源) accepts any non-negative deposit.
    """
    amount = _decimal(deposit, "deposit")
    base = _decimal(estimated_price, "estimated_price")
    if amount < 0:
        raise DomainError(
            DEPOSIT_NEGATIVE, "投标保证金不能为负数", "The deposit cannot be negative"
        )
    if base <= 0:
        raise DomainError(
            ESTIMATED_PRICE_NOT_POSITIVE,
            "估算价（预算金额）必须大于零",
            "The estimated price (budget) must be greater than zero",
        )
    rate, ref = procedure.max_deposit_rate, procedure.deposit_ref
    if rate is None or ref is None:
        return
    with localcontext() as exact:
        exact.prec = 100  # enough for any amount times a two-digit rate, without rounding
        limit = base * rate
        over = amount > limit
    if over:
        raise _rule_error(
            DEPOSIT_OVER_LIMIT,
            ref,
            f"投标保证金 {amount} 超过估算价（预算金额）{base} 的 {rate:%}，上限为 {limit}",
            f"Deposit {amount} exceeds {rate:%} of the estimated price (budget) {base}; "
            f"the cap is {limit}",
            deposit=str(amount),
            estimated_price=str(base),
            limit=str(limit),
        )


# -- 招标投标法 第二十八条: late bids, too few bids ------------------------------------------------


def check_late_bid(deadline: datetime, received_at: datetime) -> None:
    """Refuse a bid received after the deadline.

    招标投标法 第二十八条: "在招标文件要求提交投标文件的截止时间后送达的投标文件，招标人应当拒收。"
    (also 实施条例 第三十六条: "逾期送达…的投标文件，招标人应当拒收").

    The comparison is on instants, not dates: a bid received exactly at the deadline is on time
    (the law refuses those received *after* it); one microsecond later is ``BID_LATE_LAW_28``.
    """
    require_aware(deadline, "deadline")
    require_aware(received_at, "received_at")
    if received_at > deadline:
        raise _rule_error(
            "BID_LATE",
            LAW_28,
            f"投标文件于 {to_beijing(received_at):%Y-%m-%d %H:%M:%S} 送达，晚于截止时间 "
            f"{to_beijing(deadline):%Y-%m-%d %H:%M:%S}，应当拒收",
            f"Bid received at {to_beijing(received_at):%Y-%m-%d %H:%M:%S} Beijing time, after the "
            f"deadline {to_beijing(deadline):%Y-%m-%d %H:%M:%S}; it must be refused",
            ErrorKind.CONFLICT,
            deadline=deadline.isoformat(),
            received_at=received_at.isoformat(),
        )


def check_enough_bids(procedure: Procedure, count: int,
                      ground: TwoSupplierGround | None = None) -> None:
    """Refuse to open (or to go on) with fewer bids than the procedure needs.

    招标投标法 第二十八条: "投标人少于三个的，招标人应当依照本法重新招标。" 实施条例 第四十四条: "投
    标人少于 3个的，不得开标；招标人应当重新招标。" Government tenders: fewer than three responsive
    suppliers means 废标 (政府采购法 第三十六条); 谈判/询价/磋商: 3 suppliers (财政部令第74号; 财库
    〔2014〕214号); 单一来源: 1.

    ``ground`` — the round's stated two-supplier case (:mod:`core.rules.supplier_minimum`: 74号令
    27② for 谈判 after a failed tender, with approval; 214号 21③ for 科研/成果转化 磋商; 财库
    〔2015〕124号 for 购买服务 磋商): 2 then go on, and fewer fail with the ground's article in the
    code (``TOO_FEW_BIDS_MOF74_27`` …). Without one, the procedure's own minimum.
    """
    if count < 0:
        raise ValueError("count cannot be negative")
    minimum, ref = minimum_bids(procedure, ground)
    if count < minimum:
        stated = {} if ground is None else {"two_supplier_ground": ground.value}
        raise _rule_error(
            TOO_FEW_BIDS,
            ref,
            f"投标人（供应商）只有 {count} 个，少于 {minimum} 个",
            f"Only {count} bid(s); at least {minimum} are required",
            ErrorKind.CONFLICT,
            count=count,
            minimum=minimum,
            **stated,
        )


# -- 招标投标法 第三十七条; 87号令 47, 74号令 7, 214号 14: the evaluation committee --------------


class MemberKind(StrEnum):
    TENDERER_REPRESENTATIVE = "tenderer_representative"  # 招标人（采购人）代表
    TECHNICAL_ECONOMIC_EXPERT = "technical_economic_expert"  # 技术、经济等方面的专家（评审专家）


@dataclass(frozen=True)
class CommitteeMember:
    """A member as the rules see it: ``party_id`` is the party its account acts for (``None``: an
    account of no party, e.g. a pool expert); ``legal_expert`` is declared by whoever assigns the
    committee (the expert records hold no specialty the rules could read, see
    :func:`check_legal_expert`)."""

    member_id: str
    kind: MemberKind
    party_id: int | None = None
    legal_expert: bool = False


@dataclass(frozen=True)
class OpenTenderThresholds:
    """The 公开招标数额标准 that 74号令 第七条 measures a 谈判/询价 budget against, in 元.

    Configuration, not law: the State Council sets the central one and each province its own
    (many provinces use 400 万元 for goods and services). Defaults: 中央预算单位 goods or
    services 200 万元 (国办发〔2019〕55号 四: "政府采购货物或服务项目，单项采购金额达到200万元以上
    的，必须采用公开招标方式"); works — whose threshold 55号 leaves to "国务院有关规定" — at the
    招标规模标准 of 必须招标的工程项目规定 (发改委令第16号) 第五条, 施工单项合同估算价 400 万元.
    """

    goods_services: Decimal = Decimal("2000000.00")
    works: Decimal = Decimal("4000000.00")


#: The central thresholds (国办发〔2019〕55号; 发改委令第16号).
CENTRAL_THRESHOLDS = OpenTenderThresholds()


@dataclass(frozen=True)
class CommitteeCase:
    """What a committee's size and make-up depend on besides its members.

    ``budget`` is the 采购预算金额 in 元 (``None``: not known — the budget cases then do not apply);
    ``works`` says the procurement is of 工程 (74号令 7 measures it against the 招标规模标准);
    ``technically_complex`` and ``large_social_impact`` are declared on the round by the
    purchaser or its agency (87号令 47 (二)(三); 214号 14 reads the first as 技术复杂、专业性强).
    """

    budget: Decimal | None = None
    works: bool = False
    technically_complex: bool = False
    large_social_impact: bool = False


@dataclass(frozen=True)
class CommitteeFloor:
    """The smallest lawful committee and why it is that large (empty ``because``: the base)."""

    min_members: int
    because: tuple[str, ...] = ()


def committee_floor(procedure: Procedure, case: CommitteeCase,
                    thresholds: OpenTenderThresholds = CENTRAL_THRESHOLDS) -> CommitteeFloor | None:
    """The committee size a round needs: the procedure's base, or its larger number when a case
    of its :class:`~core.rules.procedures.CommitteeRules` holds (``None``: no committee).

    财政部令第87号 第四十七条: 5 人以上单数; "采购预算金额在1000万元以上"、"技术复杂"、"社会影响
    较大" 的 7 人以上单数 — reasons ``budget``, ``technically_complex``, ``large_social_impact``.
    财政部令第74号 第七条: 3 人以上单数; "达到公开招标数额标准的货物或者服务采购项目，或者达到招标规
    模标准的政府采购工程" 5 人以上单数 — reason ``open_tender_threshold``. Amounts compare exactly
    (Decimal) and inclusively ("以上"/"达到" include the amount, 民法典 第一千二百五十九条): a
    budget of 10,000,000.00 needs 7, 9,999,999.99 does not. Engineering (法 37) and 磋商 (214号
    14) have no larger number.
    """
    base = procedure.committee_min_members
    if base is None:
        return None
    rules = procedure.committee_rules
    if rules is None or rules.larger_min_members is None:
        return CommitteeFloor(base)
    budget = None if case.budget is None else _decimal(case.budget, "budget")
    because: list[str] = []
    if rules.larger_from_budget is not None and budget is not None \
            and budget >= rules.larger_from_budget:
        because.append("budget")
    if rules.larger_when_declared:
        because += [name for name, declared in (("technically_complex", case.technically_complex),
                                                ("large_social_impact", case.large_social_impact))
                    if declared]
    if rules.larger_at_open_tender_threshold and budget is not None:
        threshold = thresholds.works if case.works else thresholds.goods_services
        if budget >= threshold:
            because.append("open_tender_threshold")
    if not because:
        return CommitteeFloor(base)
    return CommitteeFloor(max(base, rules.larger_min_members), tuple(because))


def check_committee(
    members: Sequence[CommitteeMember],
    procedure: Procedure | None = None,
    *,
    min_members: int | None = None,
    case: CommitteeCase | None = None,
    thresholds: OpenTenderThresholds = CENTRAL_THRESHOLDS,
) -> None:
    """Refuse a committee that is too small, even, short of experts, or lists someone twice.

    招标投标法 第三十七条: "依法必须进行招标的项目，其评标委员会由招标人的代表和有关技术、经济等方面
    的专家组成，成员人数为五人以上单数，其中技术、经济等方面的专家不得少于成员总数的三分之二。"

    Without ``procedure`` this is the engineering rule. With one, its ``committee_min_members`` and
    reference apply (government tender: 5, 87号令 47; 谈判/询价 小组: 3, 74号令 7; 磋商小组: 3,
    214号 14 — odd and ≥ 2/3 experts everywhere). Given the round's ``case``, the larger number of
    :func:`committee_floor` applies (87号令 47: 7; 74号令 7: 5) and the error's ``because`` detail
    says why. ``min_members`` raises the floor further where a caller knows of more. The error's
    ``failed`` detail lists every condition that failed: ``too_few``, ``even``,
    ``experts_below_two_thirds``, ``duplicate_member``. A procedure without a committee (单一来源)
    accepts any list.
    """
    because: tuple[str, ...] = ()
    if procedure is None:
        floor, ref = 5, LAW_37
    elif procedure.committee_min_members is None or procedure.committee_ref is None:
        return
    else:
        floor, ref = procedure.committee_min_members, procedure.committee_ref
        if case is not None:
            larger = committee_floor(procedure, case, thresholds)
            if larger is not None:
                floor, because = larger.min_members, larger.because
    if min_members is not None:
        floor = max(floor, min_members)
    size = len(members)
    experts = sum(1 for m in members if m.kind is MemberKind.TECHNICAL_ECONOMIC_EXPERT)
    failed: list[str] = []
    if size < floor:
        failed.append("too_few")
    if size % 2 == 0:
        failed.append("even")
    if 3 * experts < 2 * size:
        failed.append("experts_below_two_thirds")
    if len({m.member_id for m in members}) != size:
        failed.append("duplicate_member")
    if failed:
        why_zh = f"（因{'、'.join(_BECAUSE_ZH[b] for b in because)}）" if because else ""
        why_en = f" (because of: {', '.join(because)})" if because else ""
        raise _rule_error(
            COMMITTEE_INVALID,
            ref,
            f"评标委员会（评审小组）组成不合法：{size} 人，其中专家 {experts} 人；"
            f"应为 {floor} 人以上单数{why_zh}，专家不少于三分之二（未满足：{'、'.join(failed)}）",
            f"Invalid committee: {size} members of whom {experts} experts; it needs an odd number "
            f"of at least {floor}{why_en}, at least two thirds experts "
            f"(failed: {', '.join(failed)})",
            failed=failed,
            size=size,
            experts=experts,
            minimum=floor,
            because=list(because),
        )


_BECAUSE_ZH = {
    "budget": "采购预算金额在1000万元以上",
    "technically_complex": "技术复杂",
    "large_social_impact": "社会影响较大",
    "open_tender_threshold": "达到公开招标数额标准（招标规模标准）",
}


def check_committee_parties(
    procedure: Procedure,
    members: Sequence[CommitteeMember],
    *,
    owner_party_id: int,
    agency_party_id: int | None,
) -> None:
    """Refuse, in 政府采购, a member from the project's 采购代理机构 and a 采购人代表 who is not
    the purchaser's.

    财政部令第87号 第四十七条: "采购代理机构工作人员不得参加由本机构代理的政府采购项目的评标。"
    财政部令第74号 第七条: "采购代理机构人员不得参加本机构代理的采购项目的评审。" 财库〔2014〕214号
    第十四条: "采购代理机构工作人员不得参加由本机构代理的政府采购项目的评审。" A member whose
    account acts for ``agency_party_id`` — as a representative or as an expert — is
    ``COMMITTEE_AGENCY_STAFF_<tag>``. The committee is made of "采购人代表和评审专家" (same
    articles), so a representative must act for ``owner_party_id``:
    ``COMMITTEE_REPRESENTATIVE_NOT_PURCHASER_<tag>`` otherwise. Engineering keeps 法 37, where the
    tenderer's agency may still act for it; a procedure without
    :attr:`~core.rules.procedures.Procedure.committee_rules` accepts any parties.
    """
    ref = procedure.committee_ref
    if procedure.committee_rules is None or ref is None:
        return
    if agency_party_id is not None:
        staff = [m.member_id for m in members if m.party_id == agency_party_id]
        if staff:
            raise _rule_error(
                COMMITTEE_AGENCY_STAFF,
                ref,
                "采购代理机构工作人员不得参加由本机构代理的政府采购项目的评审",
                "Staff of the procurement agency may not sit on the committee of a procurement "
                "their agency runs",
                members=staff,
            )
    outsiders = [m.member_id for m in members
                 if m.kind is MemberKind.TENDERER_REPRESENTATIVE and m.party_id != owner_party_id]
    if outsiders:
        raise _rule_error(
            COMMITTEE_REPRESENTATIVE_NOT_PURCHASER,
            ref,
            "采购人代表应当是采购人的人员",
            "The purchaser's representative must act for the purchaser",
            members=outsiders,
        )


def check_legal_expert(procedure: Procedure, members: Sequence[CommitteeMember],
                       case: CommitteeCase) -> None:
    """Refuse a 磋商小组 of a 技术复杂、专业性强 round without a 法律专家 among its experts.

    财库〔2014〕214号 第十四条: "技术复杂、专业性强的竞争性磋商采购项目，评审专家中应当包含1名法律
    专家。" **[unverified]** (the legal review's reading [M]; not found in a searched source).
    Which expert is the 法律专家 is declared on the member (:attr:`CommitteeMember.legal_expert`):
    the pool's expert records (data set 212) carry 参评专业 codes whose table is not known, and
    they are not linked to accounts, so nothing the rules could read says who is a lawyer. A
    representative declared a 法律专家 does not count ("评审专家中"). The round's
    ``technically_complex`` declaration stands for 技术复杂、专业性强.
    """
    rules, ref = procedure.committee_rules, procedure.committee_ref
    if rules is None or ref is None or not rules.legal_expert_when_complex:
        return
    if not case.technically_complex:
        return
    if not any(m.legal_expert and m.kind is MemberKind.TECHNICAL_ECONOMIC_EXPERT
               for m in members):
        raise _rule_error(
            COMMITTEE_NO_LEGAL_EXPERT,
            ref,
            "技术复杂、专业性强的采购项目，评审专家中应当包含1名法律专家",
            "A technically complex, specialised procurement needs a legal expert among the "
            "experts",
        )


# -- 实施条例 第五十三条: candidates ---------------------------------------------------------------


def check_candidates(n: int) -> None:
    """Refuse a candidate list longer than three.

    招标投标法实施条例 第五十三条: "评标完成后，评标委员会应当向招标人提交书面评标报告和中标候选人名
    单。中标候选人应当不超过3个，并标明排序。" Zero is allowed: when every bid is rejected there is
    no candidate (招标投标法 第四十二条 lets the committee reject them all).
    """
    if n < 0:
        raise ValueError("n cannot be negative")
    if n > 3:
        raise DomainError(
            TOO_MANY_CANDIDATES,
            f"中标候选人应当不超过3个，现为 {n} 个（{REG_53.cite_zh}）",
            f"At most 3 candidates may be named, not {n} ({REG_53.cite_en})",
            rule=REG_53.tag,
            count=n,
        )


def check_ties_settled(procedure: Procedure, tied_bids: Collection[int]) -> None:
    """Refuse to publish or award while candidates are tied (并列).

    财政部令第87号 第六十八条 [the research review's [H] reading]: "中标候选人并列的，由采购人或者
    采购人委托评标委员会按照招标文件规定的方式确定中标人；招标文件未规定的，采取随机抽取的方式确定".
    Engineering: 标准施工招标文件 [unverified] "投标报价也相等的，由招标人自行确定", and
    条例 55 awards in the order of the list — so the order must be settled first. One code
    for both domains (the article that names the settlement); each message cites its own basis.
    """
    if not tied_bids:
        return
    tied = sorted(tied_bids)
    if procedure.domain is Domain.GOV_PROCUREMENT:
        zh = (f"中标候选人并列，须先由采购人按照招标文件规定的方式确定排序，招标文件未规定的，"
              f"采取随机抽取的方式确定（{MOF87.cite_zh}第六十八条）")
        en = ("Candidates are tied (并列): the purchaser must first settle their order the way "
              f"the procurement documents say, else by a random draw ({MOF87.cite_en} art. 68)")
    else:
        zh = ("中标候选人并列，须先由招标人按照招标文件的规定确定排序，再按排序公示和确定中标人"
              f"（{REG_55.cite_zh}）")
        en = ("Candidates are tied (并列): the tenderer must first settle their order as the "
              "tender documents say; the publicity and the award follow that order "
              f"({REG_55.cite_en})")
    raise DomainError(CANDIDATE_TIE_UNSETTLED_MOF87_68, zh, en, ErrorKind.CONFLICT,
                      rule="MOF87_68", tied_bids=tied)


# -- 实施条例 第五十四条: publicity of candidates --------------------------------------------------


def publicity_end(procedure: Procedure, calendar: HolidayCalendar,
                  start: datetime) -> LegalDay:
    """The earliest lawful last day of a publicity (or result notice) that starts at ``start``;
    it may close at its :attr:`~core.rules.calendar.LegalDay.ends_at` (24:00).

    Counted from the day after ``start``; a minimum period (unsettled days rest). Raises
    ``RULE_NOT_APPLICABLE`` if the procedure has no publicity period.
    """
    period = procedure.publicity
    if period is None:
        raise _not_applicable(procedure, "公示期", "publicity period")
    return _last_day(calendar, require_aware(start, "start"), period, Reading.LATEST)


def check_publicity(
    procedure: Procedure,
    calendar: HolidayCalendar,
    start: datetime,
    end: datetime,
    *,
    report_received_at: datetime | None = None,
) -> LegalDay | None:
    """Refuse a publicity that is too short, or (given ``report_received_at``) started too late;
    return the period's last day (for the record), ``None`` where no period applies.

    招标投标法实施条例 第五十四条: "依法必须进行招标的项目，招标人应当自收到评标报告之日起3日内公示
    中标候选人，公示期不得少于3日。" Government procurement: the result notice lasts 1 个工作日 (财
    政部令第87号; 财库〔2015〕135号 **[unverified]**).

    Counting: the start day does not count; the publicity must stay up until the end of the
    period's last day — ``end`` at or after 23:59:59 Beijing time of that day (see
    :func:`publicity_end`). E.g. published Monday 2025-03-03 10:00: the 3 days are Tue–Thu, so it
    may close no earlier than Thursday 2025-03-06 23:59:59. With ``report_received_at``, the start
    must fall within 3 日 of the day the report was received (``PUBLICITY_STARTED_LATE_REG_54``).

    On a provisional year the length is a minimum (unsettled days rest, the strict reading); the
    start is refused as late only when it is late under every plausible schedule (the last
    allowed start reckoned with unsettled days as rest days too): refusing to publish would stop
    a lawful act, while a start that may be late is for the supervisor to judge.
    """
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        raise DomainError(
            PUBLICITY_END_BEFORE_START,
            "公示结束时间必须晚于开始时间",
            "The publicity must end after it starts",
        )
    period = procedure.publicity
    if period is None:
        return None
    last = _last_day(calendar, start, period, Reading.LATEST)
    closes_by = datetime.combine(last.day, _CLOSING, tzinfo=SHANGHAI)
    if end < closes_by:
        raise _rule_error(
            PUBLICITY_TOO_SHORT,
            period.ref,
            f"公示期不足{period.describe_zh()}：自 {to_beijing(start):%Y-%m-%d %H:%M} 开始，"
            f"应至少持续到 {last.day} 24时{_provisional_zh(last)}",
            f"The publicity is shorter than {period.describe_en()}: started "
            f"{to_beijing(start):%Y-%m-%d %H:%M}, it must last until the end of {last.day}"
            f"{_provisional_en(last)}",
            start=start.isoformat(),
            end=end.isoformat(),
            last_day=last.day.isoformat(),
            calendar=last.status.value,
        )
    within = procedure.publicity_start_within
    if report_received_at is not None and within is not None:
        latest = _last_day(calendar, require_aware(report_received_at, "report_received_at"),
                           within, Reading.LATEST)
        if beijing_date(start) > latest.day:
            raise _rule_error(
                PUBLICITY_STARTED_LATE,
                within.ref,
                f"应自收到评标报告之日起{within.describe_zh()}内公示，最迟 {latest.day}",
                f"The publicity must start within {within.describe_en()} of receiving the "
                f"evaluation report, by {latest.day}",
                latest_start=latest.day.isoformat(),
            )
    return last


# -- 实施条例 第五十七条: deposit refund -----------------------------------------------------------


def refund_due(procedure: Procedure, calendar: HolidayCalendar,
               contract_signed_at: datetime) -> LegalDay:
    """The last day to refund the deposits (with interest) after the contract is signed; they are
    due by its :attr:`~core.rules.calendar.LegalDay.ends_at` (24:00 Beijing time).

    招标投标法实施条例 第五十七条: "招标人最迟应当在书面合同签订后5日内向中标人和未中标的投标人退还
    投标保证金及银行同期存款利息。" Government procurement: "自政府采购合同签订之日起5个工作日内退还
    中标供应商的投标保证金" (政府采购法实施条例 第三十三条; the losers' deposits are due 5 个工作日
    after the award notice instead — compute that with ``count_period`` from the notice date).

    Counting: the signing day does not count; the due day is the 5th day — moved past legal rest
    days (民法典 第二百零三条) — or the 5th working day. E.g. signed Thursday 2025-09-25: 5 日 ends
    Tuesday 09-30. A due date, so a provisional year is read with its unsettled days as working
    days: the earliest plausible day, to remind by; it is re-reckoned when the year is official.
    Raises ``RULE_NOT_APPLICABLE`` for a procedure without deposits (单一来源).
    """
    period = procedure.refund_after_contract
    if period is None:
        raise _not_applicable(procedure, "保证金退还期限", "deposit refund period")
    return _last_day(calendar, require_aware(contract_signed_at, "contract_signed_at"), period,
                     Reading.EARLIEST)


# -- 实施条例 第三十五条: a withdrawn bid's deposit ------------------------------------------------

#: 条例 35 is not among the procedures' references (``core.rules.procedures``), since no procedure
#: differs in it: a bid deemed withdrawn (撤回) has its deposit back within 5 日.
REG_35 = LegalRef("REG_35", "《招标投标法实施条例》第三十五条", "Tendering Regulation art. 35")
REFUND_AFTER_WITHDRAWAL = Period(5, DayCount.CALENDAR, REG_35)


def refund_after_withdrawal(calendar: HolidayCalendar, withdrawn_at: datetime) -> LegalDay:
    """The last day to refund the deposit of a bid deemed withdrawn (视为撤回); due by its
    :attr:`~core.rules.calendar.LegalDay.ends_at` (24:00 Beijing time).

    招标投标法实施条例 第三十五条: "投标人撤回已提交的投标文件，应当在投标截止时间前书面通知招标人。
    招标人已收取投标保证金的，应当自收到投标人书面撤回通知之日起5日内退还。投标截止后投标人撤销投标
    文件的，招标人可以不退还投标保证金。" 电子招标投标办法 第三十一条 deems a bid that stayed
    undecrypted for reasons not the bidder's withdrawn: there is no written notice, so the day it
    is deemed withdrawn (the centre's determination of the cause) takes its place.

    Counting as :func:`refund_due`: that day does not count, the 5th day moved past legal rest
    days (民法典 第二百零三条), a provisional year read with its unsettled days as working days.
    Government procurement refunds a withdrawal within 5 个工作日 (财政部令第87号 第三十八条); 5 日
    never ends later than 5 个工作日, so this date is lawful there too, and the one used.
    """
    return calendar.count_period(beijing_date(require_aware(withdrawn_at, "withdrawn_at")),
                                 REFUND_AFTER_WITHDRAWAL.days, REFUND_AFTER_WITHDRAWAL.unit,
                                 Reading.EARLIEST)


# -- 实施条例 第五十五条: who is awarded -----------------------------------------------------------


def award_choice(
    state_funded: bool,
    ranked_candidates: Sequence[T],
    declined: Collection[T],
    chosen: T | None = None,
) -> T:
    """The candidate to award, given the ranked list and those out of the running.

    招标投标法实施条例 第五十五条: "国有资金占控股或者主导地位的依法必须进行招标的项目，招标人应当确
    定排名第一的中标候选人为中标人。排名第一的中标候选人放弃中标、因不可抗力不能履行合同、不按照招标
    文件要求提交履约保证金，或者被查实存在影响中标结果的违法行为等情形，不符合中标条件的，招标人可以
    按照评标委员会提出的中标候选人名单排序依次确定其他中标候选人为中标人，也可以重新招标。"

    * ``declined`` — candidates that gave up, cannot perform, did not lodge the performance bond
      or were found to have broken the law.
    * ``state_funded=True``: the first candidate in rank order not in ``declined`` is the answer;
      a different ``chosen`` is ``AWARD_NOT_FIRST_RANKED_REG_55``. Government procurement behaves
      the same ("按顺序确定", 政府采购法实施条例 第四十三条、第四十九条): pass True.
    * ``state_funded=False``: the tenderer picks any remaining candidate (招标投标法 第四十条);
      ``chosen`` defaults to the first remaining one, and one not on the list (or declined) is
      ``AWARD_NOT_A_CANDIDATE_LAW_40``.
    * Nobody left: ``NO_CANDIDATE_LEFT_REG_55`` — re-tender. (Re-tendering instead of falling back
      is also lawful; that choice is the caller's, made before calling this.)
    """
    remaining = [c for c in ranked_candidates if c not in declined]
    if not remaining:
        raise DomainError(
            NO_CANDIDATE_LEFT_REG_55,
            f"没有可确定为中标人的中标候选人，应当重新招标（{REG_55.cite_zh}）",
            f"No candidate is left to award; tender again ({REG_55.cite_en})",
            ErrorKind.CONFLICT,
            rule=REG_55.tag,
        )
    if state_funded:
        first = remaining[0]
        if chosen is not None and chosen != first:
            raise DomainError(
                AWARD_NOT_FIRST_RANKED_REG_55,
                f"国有资金占控股或者主导地位的项目应当确定排名第一的中标候选人为中标人（{REG_55.cite_zh}）",
                f"A state-funded project must award the first-ranked remaining candidate "
                f"({REG_55.cite_en})",
                ErrorKind.CONFLICT,
                rule=REG_55.tag,
            )
        return first
    if chosen is None:
        return remaining[0]
    if chosen not in remaining:
        raise DomainError(
            AWARD_NOT_A_CANDIDATE_LAW_40,
            "中标人应当在评标委员会推荐的中标候选人中确定（《招标投标法》第四十条）",
            "The award must go to one of the committee's remaining candidates "
            "(Tendering Law art. 40)",
            ErrorKind.INVALID,
            rule="LAW_40",
        )
    return chosen


# -- evaluation method ---------------------------------------------------------------------------


def check_evaluation_method(procedure: Procedure, method: EvaluationMethod) -> None:
    """Refuse an evaluation method the procedure does not allow.

    招标投标法 第四十一条 and 政府采购法实施条例 第三十四条: 综合评估法/综合评分法 or
    经评审的最低投标价法/最低评标价法; 谈判/询价: lowest price (政府采购法 第三十八条、第四十条);
    磋商: 综合评分法.
    """
    if method not in procedure.evaluation_methods:
        allowed = ", ".join(sorted(m.value for m in procedure.evaluation_methods)) or "none"
        raise DomainError(
            EVALUATION_METHOD_NOT_ALLOWED,
            f"{procedure.name_zh}不适用评标方法 {method.label_zh}",
            f"{procedure.name_en} does not allow the {method.value} method (allowed: {allowed})",
            method=method.value,
            allowed=allowed,
        )


def check_standardised(procedure: Procedure, standardised: bool) -> None:
    """Refuse the 标准统一 declaration on a round whose evaluation methods it does not govern.

    政府采购法实施条例 第三十四条 sorts the methods of a government *tender* (招标: 最低评标价法 or
    综合评分法) and makes the first mandatory for 技术、服务等标准统一的货物和服务;
    财政部令第87号 第五十四条 repeats it for 货物服务招标. 谈判 and 询价 rank by price anyway
    (政府采购法 第三十八条、第四十条; 询价 is for "规格、标准统一" goods, 第三十二条), 磋商
    always scores (214号), 单一来源 has no evaluation and engineering has 招标投标法 第四十一条:
    the declaration would decide nothing there, or (磋商) leave no lawful method, so only a
    procedure that offers both 招标 methods takes it (``STANDARDISED_NOT_APPLICABLE_GPREG_34``).
    """
    if not standardised or _offers_both_tender_methods(procedure):
        return
    raise _rule_error(
        STANDARDISED_NOT_APPLICABLE,
        GPREG_34,
        f"“技术、服务等标准统一”的申报只适用于政府采购招标项目，{procedure.name_zh}不适用",
        f"the 标准统一 declaration concerns government tenders only, not "
        f"{procedure.name_en}",
        field="standardised",
        procedure=procedure.key,
    )


def check_standardised_method(procedure: Procedure, standardised: bool,
                              method: EvaluationMethod) -> None:
    """Refuse any method but 最低评标价法 for a round declared 技术、服务等标准统一.

    政府采购法实施条例 第三十四条: "技术、服务等标准统一的货物和服务项目，应当采用最低评标价法。"
    财政部令第87号 第五十四条: "技术、服务等标准统一的货物服务项目，应当采用最低评标价法。" Whether
    the goods or services are 标准统一 is the purchaser's judgment, declared on the round with the
    documents (``Round.standardised``); the committee's method then follows it:
    ``EVALUATION_METHOD_NOT_LOWEST_PRICE_GPREG_34`` for 综合评分法 (or any other). A round not so
    declared, or a procedure that does not offer the 招标 methods (:func:`check_standardised`),
    passes — :func:`check_evaluation_method` still applies.
    """
    if not standardised or not _offers_both_tender_methods(procedure):
        return
    if method is EvaluationMethod.LOWEST_EVALUATED_PRICE:
        return
    raise _rule_error(
        EVALUATION_METHOD_NOT_LOWEST_PRICE,
        GPREG_34,
        f"技术、服务等标准统一的货物和服务项目应当采用最低评标价法，不得采用{method.label_zh}",
        f"goods and services of uniform technical and service standards are evaluated by the "
        f"lowest evaluated price, not {method.value}",
        method=method.value,
        required=EvaluationMethod.LOWEST_EVALUATED_PRICE.value,
    )


def _offers_both_tender_methods(procedure: Procedure) -> bool:
    return (procedure.domain is Domain.GOV_PROCUREMENT
            and {EvaluationMethod.LOWEST_EVALUATED_PRICE, EvaluationMethod.COMPREHENSIVE}
            <= procedure.evaluation_methods)


def _not_applicable(procedure: Procedure, what_zh: str, what_en: str) -> DomainError:
    return DomainError(
        RULE_NOT_APPLICABLE,
        f"{procedure.name_zh}没有{what_zh}",
        f"{procedure.name_en} has no {what_en}",
        procedure=procedure.key,
    )


def _refs() -> Iterator[tuple[str, LegalRef]]:
    for p in PROCEDURES.values():
        if p.bidding_period:
            yield BIDDING_PERIOD_TOO_SHORT, p.bidding_period.ref
        if p.deposit_ref:
            yield DEPOSIT_OVER_LIMIT, p.deposit_ref
        yield TOO_FEW_BIDS, p.min_bids_ref
        if p.committee_ref:
            yield COMMITTEE_INVALID, p.committee_ref
        if p.committee_ref and p.committee_rules:
            yield COMMITTEE_AGENCY_STAFF, p.committee_ref
            yield COMMITTEE_REPRESENTATIVE_NOT_PURCHASER, p.committee_ref
            if p.committee_rules.legal_expert_when_complex:
                yield COMMITTEE_NO_LEGAL_EXPERT, p.committee_ref
        if p.publicity:
            yield PUBLICITY_TOO_SHORT, p.publicity.ref
        if p.publicity_start_within:
            yield PUBLICITY_STARTED_LATE, p.publicity_start_within.ref
    yield COMMITTEE_INVALID, LAW_37
    for rule in GROUNDS.values():  # a round's two-supplier case (core.rules.supplier_minimum)
        yield TOO_FEW_BIDS, rule.ref


#: Every code these functions can raise (besides the calendar's).
ERROR_CODES: frozenset[str] = frozenset(
    {
        BID_LATE_LAW_28,
        TOO_MANY_CANDIDATES,
        NO_CANDIDATE_LEFT_REG_55,
        AWARD_NOT_FIRST_RANKED_REG_55,
        AWARD_NOT_A_CANDIDATE_LAW_40,
        DEADLINE_NOT_AFTER_ISSUE,
        CLARIFICATION_AFTER_DEADLINE,
        PUBLICITY_END_BEFORE_START,
        DEPOSIT_NEGATIVE,
        ESTIMATED_PRICE_NOT_POSITIVE,
        AMOUNT_NOT_FINITE,
        RULE_NOT_APPLICABLE,
        EVALUATION_METHOD_NOT_ALLOWED,
        CANDIDATE_TIE_UNSETTLED_MOF87_68,
        f"{STANDARDISED_NOT_APPLICABLE}_{GPREG_34.tag}",
        f"{EVALUATION_METHOD_NOT_LOWEST_PRICE}_{GPREG_34.tag}",
    }
    | {f"{prefix}_{ref.tag}" for prefix, ref in _refs()}
)
