"""What the owner or purchaser sends the authorities after the award and the contract, on record:
the written report on the tender (招标投标法 第四十七条: within 15 日 of the award, engineering) and
the contract copy filed (政府采购法 第四十七条: within 7 个工作日 of signing, 政府采购).

The platform does not send them (each goes to the supervising department by its own channel); the
owner or its agency records when it did, and until then the due date tracked at the award or the
contract (:mod:`core.services.deadlines`) stands, the scheduler warning the supervisor once it has
passed (:mod:`core.services.overdue`). Recording again changes nothing; a time in the future, or
before the step that made it due, is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.model.tendering import Award, Round
from core.rules.calendar import require_aware
from core.security.principal import Principal
from core.services.tendering.award.rows import actor_round, round_key
from core.services.tendering.procedure import procedure_of
from core.uow import UnitOfWork


def _award(uow: UnitOfWork, principal: Principal, section_code: str) -> tuple[Round, Award]:
    r = actor_round(uow, principal, section_code)
    award = uow.session.get(Award, r.id)
    if award is None:
        raise DomainError("ROUND_NOT_AWARDED", "尚未发出中标通知书", "there is no award yet",
                          ErrorKind.CONFLICT)
    return r, award


def _moment(uow: UnitOfWork, at: datetime | None, earliest: datetime, name: str) -> datetime:
    now = uow.clock.now()
    when = now if at is None else require_aware(at, name)
    if when > now:
        raise DomainError("SUBMITTED_IN_FUTURE", "提交时间不能晚于当前时间",
                          "it cannot have been submitted in the future", field=name)
    if when < earliest:
        raise DomainError("SUBMITTED_TOO_EARLY", "提交时间不能早于其所依据的事项",
                          "it cannot have been submitted before what it reports", field=name)
    return when.astimezone(UTC)


def record_award_report(uow: UnitOfWork, principal: Principal, section_code: str,
                        submitted_at: datetime | None = None) -> Award:
    """The written report of 法 47 was submitted to the supervising department (engineering)."""
    r, award = _award(uow, principal, section_code)
    if procedure_of(r).after_report.award_report is None:
        raise DomainError("RULE_NOT_APPLICABLE", "政府采购项目不适用招标投标情况书面报告（法 47）",
                          "the written report of Tendering Law art. 47 is for engineering",
                          ErrorKind.CONFLICT)
    if award.report_submitted_at is not None:
        return award
    before = snapshot(award)
    award.report_submitted_at = _moment(uow, submitted_at, award.notice_issued_at,
                                        "submitted_at")
    uow.record(principal.actor, "award.report_submitted", "award", round_key(r), before,
               snapshot(award))
    return award


def record_contract_filing(uow: UnitOfWork, principal: Principal, section_code: str,
                           filed_at: datetime | None = None) -> Award:
    """The contract copy of 政府采购法 47 was filed with the supervising department."""
    r, award = _award(uow, principal, section_code)
    if procedure_of(r).after_report.contract_filing is None:
        raise DomainError("RULE_NOT_APPLICABLE",
                          "工程建设项目不适用政府采购合同备案（政府采购法 47）",
                          "the contract filing of Government Procurement Law art. 47 is for "
                          "government procurement", ErrorKind.CONFLICT)
    if award.contract_signed_at is None:
        raise DomainError("CONTRACT_NOT_RECORDED", "合同尚未登记", "no contract is on record yet",
                          ErrorKind.CONFLICT)
    if award.contract_filed_at is not None:
        return award
    before = snapshot(award)
    award.contract_filed_at = _moment(uow, filed_at, award.contract_signed_at, "filed_at")
    uow.record(principal.actor, "award.contract_filed", "award", round_key(r), before,
               snapshot(award))
    return award
