"""Credit records pushed by the provincial platform and the supervision systems, and the one rule
the trading core draws from them: a blacklisted party does not bid.

Data sets (field lists: research national-standards-fields.md; 303 and 300 from the Fujian V4
ingest configuration and its VIOLATING_LAWS_RULES_INFO table, [I]):

* 302 黑名单 — BLACKLIST_CODE (36), the subject (BODY_CODE = its USCC or ID number), the penalty
  (RECORD_REASON, RECORD_DATE, GOVERNMENT, DOCUMENT_CODE), CONFINED_ACTION (D1007 限制的行为) and
  REVOCATION_STATUS. The data set has no period; CONFINED_START / CONFINED_END are read when a
  peer sends them (as 300 does), otherwise the blacklisting holds from RECORD_DATE until withdrawn.
* 303 撤销黑名单 — withdraws the 302 of the same BLACKLIST_CODE from the moment it arrives.
* 300 违法违规 — stored for the record (and for the 507 IS_LOST flag later); it bars nobody.

Each record is identified by its data set and its own code. The same record again (the sender's
envelope fields aside) is a no-op answered with the stored row; a different record under a code
we hold is refused (CREDIT_RECORD_CONFLICT): a correction is a withdrawal and a new record.

A record naming a subject that is not a party here is refused with SUBJECT_UNKNOWN, kind
NOT_FOUND: the record is well formed, what is missing is its subject on our side — like a
child record before its parent, the peer may send it again once the subject's 100 record is in.

D1007 (限制的行为): the national values were not retrieved, so no code is known to leave bidding
free. A blacklist exists to keep its subject out of trading, so every CONFINED_ACTION bars
bidding unless it is listed in ``NON_BIDDING_RESTRICTIONS`` — the safe default until the
dictionary is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.model.account import AccountKind
from core.model.credit import CreditDataSet, CreditRecord
from core.model.party import Party
from core.rules.calendar import require_aware
from core.security.access import require_kind
from core.security.principal import Principal
from core.services.pushed_records import (
    as_fields,
    exact,
    flag,
    instant,
    optional_instant,
    optional_text,
    substance,
    text,
)
from core.uow import UnitOfWork

PUSHER_KINDS = (AccountKind.SYSTEM_CLIENT, AccountKind.SUPERVISOR, AccountKind.ADMIN)
NON_BIDDING_RESTRICTIONS: frozenset[str] = frozenset()  # D1007 codes that leave bidding free
MAX_TEXT = 10_000


@dataclass(frozen=True)
class PushedCredit:
    code: str
    body_code: str
    body_name: str
    reason: str | None
    government: str | None
    document_code: str | None
    recorded_at: datetime
    confined_action: str | None = None
    confined_from: datetime | None = None
    confined_until: datetime | None = None
    revoked: bool = False


def _subject(fields: Mapping[str, str]) -> tuple[str, str]:
    return text(fields, "BODY_CODE", 18).upper(), text(fields, "BODY_NAME", 200)


def _period(fields: Mapping[str, str]) -> tuple[datetime | None, datetime | None]:
    start = optional_instant(fields, "CONFINED_START")
    end = optional_instant(fields, "CONFINED_END")
    if start is not None and end is not None and end <= start:
        raise DomainError("CONFINED_PERIOD_INVALID", "限制行为结束时间须晚于开始时间",
                          "CONFINED_END must be later than CONFINED_START", field="CONFINED_END")
    return start, end


def _read_blacklist(fields: Mapping[str, str]) -> PushedCredit:
    body_code, body_name = _subject(fields)
    start, end = _period(fields)
    return PushedCredit(
        code=exact(fields, "BLACKLIST_CODE", 36), body_code=body_code, body_name=body_name,
        reason=text(fields, "RECORD_REASON", MAX_TEXT),
        government=text(fields, "GOVERNMENT", 200),
        document_code=text(fields, "DOCUMENT_CODE", 50),
        recorded_at=instant(fields, "RECORD_DATE"),
        confined_action=text(fields, "CONFINED_ACTION", 2),
        confined_from=start, confined_until=end,
        revoked=flag(fields, "REVOCATION_STATUS"))


def _read_withdrawal(fields: Mapping[str, str]) -> PushedCredit:
    body_code, body_name = _subject(fields)
    # Fujian spells it REVOCATIONEASONS; the spelled-out name is accepted as well.
    reason_field = "REVOCATION_REASONS" if fields.get("REVOCATION_REASONS") else "REVOCATIONEASONS"
    return PushedCredit(
        code=text(fields, "BLACKLIST_CODE", 50), body_code=body_code, body_name=body_name,
        reason=text(fields, reason_field, MAX_TEXT),
        government=text(fields, "GOVERNMENT", 200),
        document_code=text(fields, "DOCUMENT_CODE", 50),
        recorded_at=instant(fields, "APPLICATION_DATE"))


def _read_violation(fields: Mapping[str, str]) -> PushedCredit:
    body_code, body_name = _subject(fields)
    start, end = _period(fields)
    name = text(fields, "VIOLATING_NAME", MAX_TEXT)
    return PushedCredit(
        code=text(fields, "VIOLATING_CODE", 50), body_code=body_code, body_name=body_name,
        reason=optional_text(fields, "VIOLATING_INSTRUCTIONS", MAX_TEXT) or name,
        government=optional_text(fields, "GOVERNMENT", 200),
        document_code=optional_text(fields, "DOCUMENT_CODE", 50),
        recorded_at=instant(fields, "VIOLATING_TIME"),
        confined_action=optional_text(fields, "CONFINED_ACTION", 2),
        confined_from=start, confined_until=end)


READERS: Mapping[str, Callable[[Mapping[str, str]], PushedCredit]] = {
    CreditDataSet.VIOLATION: _read_violation,
    CreditDataSet.BLACKLIST: _read_blacklist,
    CreditDataSet.BLACKLIST_WITHDRAWAL: _read_withdrawal,
}


def _conflict(existing: CreditRecord, fields: Mapping[str, str]) -> DomainError:
    old, new = substance(existing.fields), substance(fields)
    differing = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return DomainError(
        "CREDIT_RECORD_CONFLICT",
        f"数据集 {existing.data_set} 中已有标识号为 {existing.record_code} 的不同记录"
        f"（不同字段：{', '.join(differing)}）；更正请先撤销再重新报送",
        f"data set {existing.data_set} already holds a different record {existing.record_code} "
        f"(differing fields: {', '.join(differing)}); withdraw it and send a new one instead",
        ErrorKind.CONFLICT, data_set=existing.data_set, record_code=existing.record_code,
        fields=differing)


def _party_of(uow: UnitOfWork, body_code: str) -> Party:
    party = uow.session.scalars(select(Party).where(
        or_(Party.uscc == body_code, Party.id_number == body_code))).first()
    if party is None:
        raise DomainError("SUBJECT_UNKNOWN", f"主体 {body_code} 不是本平台的交易主体",
                          f"subject {body_code} is not a party here", ErrorKind.NOT_FOUND,
                          field="BODY_CODE")
    return party


def _withdrawn_blacklist(uow: UnitOfWork, code: str, party: Party) -> CreditRecord:
    target = uow.session.scalars(select(CreditRecord).where(
        CreditRecord.data_set == CreditDataSet.BLACKLIST.value,
        CreditRecord.record_code == code).with_for_update()).first()
    if target is None:
        raise DomainError("BLACKLIST_RECORD_UNKNOWN", f"黑名单记录 {code} 不存在",
                          f"blacklist record {code} does not exist", ErrorKind.NOT_FOUND,
                          field="BLACKLIST_CODE")
    if target.party_id != party.id:
        raise DomainError("CREDIT_SUBJECT_MISMATCH",
                          f"黑名单记录 {code} 的主体不是 {party.identifier}",
                          f"blacklist record {code} names another subject than "
                          f"{party.identifier}", ErrorKind.CONFLICT, field="BODY_CODE")
    return target


def receive_credit_record(uow: UnitOfWork, principal: Principal, data_set: str,
                          record: dict[str, str]) -> CreditRecord:
    """Store a pushed 300 / 302 / 303 record (a 303 withdraws its 302); idempotent per data set
    and record code. A refused record stores nothing."""
    require_kind(principal, *PUSHER_KINDS)
    reader = READERS.get(data_set)
    if reader is None:
        raise DomainError("DATA_SET_NOT_SUPPORTED", f"不受理数据集 {data_set} 的信用记录",
                          f"credit records of data set {data_set} are not accepted",
                          supported=sorted(READERS))
    fields = as_fields(record)
    pushed = reader(fields)
    existing = uow.session.scalars(select(CreditRecord).where(
        CreditRecord.data_set == data_set, CreditRecord.record_code == pushed.code)
        .with_for_update()).first()
    if existing is not None:
        if substance(existing.fields) != substance(fields):
            raise _conflict(existing, fields)
        return existing
    party = _party_of(uow, pushed.body_code)
    target = (_withdrawn_blacklist(uow, pushed.code, party)
              if data_set == CreditDataSet.BLACKLIST_WITHDRAWAL else None)
    now = uow.clock.now()
    row = CreditRecord(
        data_set=data_set, record_code=pushed.code, party_id=party.id,
        body_code=pushed.body_code, body_name=pushed.body_name, reason=pushed.reason,
        government=pushed.government, document_code=pushed.document_code,
        recorded_at=pushed.recorded_at, confined_action=pushed.confined_action,
        confined_from=pushed.confined_from, confined_until=pushed.confined_until,
        revoked=pushed.revoked, withdraws_id=None if target is None else target.id,
        fields=fields, received_at=now)
    uow.session.add(row)
    uow.record(principal.actor, "credit.receive", "credit_record", f"{data_set}/{pushed.code}",
               None, snapshot(row))
    if target is not None:
        before = snapshot(target)
        target.withdrawn_at = now
        uow.record(principal.actor, "credit.withdraw", "credit_record",
                   f"{target.data_set}/{target.record_code}", before, snapshot(target))
    return row


def active_blacklist(uow: UnitOfWork, party_id: int, at: datetime) -> list[CreditRecord]:
    """The party's 302 records in force at ``at``: recorded by then, not revoked, not withdrawn
    by then, and inside their restriction period when they carry one."""
    require_aware(at, "at")
    return list(uow.session.scalars(select(CreditRecord).where(
        CreditRecord.party_id == party_id,
        CreditRecord.data_set == CreditDataSet.BLACKLIST.value,
        CreditRecord.revoked.is_(False),
        CreditRecord.recorded_at <= at,
        or_(CreditRecord.withdrawn_at.is_(None), CreditRecord.withdrawn_at > at),
        or_(CreditRecord.confined_from.is_(None), CreditRecord.confined_from <= at),
        or_(CreditRecord.confined_until.is_(None), CreditRecord.confined_until > at),
    ).order_by(CreditRecord.recorded_at, CreditRecord.id)))


def bidding_restrictions(uow: UnitOfWork, party_id: int, at: datetime,
                         exempt: frozenset[str] = NON_BIDDING_RESTRICTIONS
                         ) -> list[CreditRecord]:
    """The blacklistings in force whose CONFINED_ACTION bars taking part in a tender."""
    return [r for r in active_blacklist(uow, party_id, at) if r.confined_action not in exempt]


def refuse_blacklisted_bidder(uow: UnitOfWork, party_id: int, at: datetime) -> None:
    """BIDDER_BLACKLISTED when a blacklisting in force bars the party from bidding."""
    barring = bidding_restrictions(uow, party_id, at)
    if barring:
        first = barring[0]
        raise DomainError(
            "BIDDER_BLACKLISTED",
            f"该主体已被{first.government or '有关部门'}列入黑名单（{first.document_code}），"
            "限制期间不得参加投标",
            f"the party is blacklisted ({first.document_code}, {first.government}) and may not "
            "bid while the restriction lasts",
            ErrorKind.FORBIDDEN, blacklist_codes=[r.record_code for r in barring])
