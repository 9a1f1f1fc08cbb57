"""Domain events: what the core tells the outside world, through the outbox.

The catalogue (docs/events.md) lists every type with its payload. Payloads are plain JSON: codes,
names, amounts as decimal strings, times as ISO 8601 in UTC. Everything under one project shares
the project's ordering key, so a peer receives a project before its tender projects, sections and
notices.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    PARTY_REGISTERED = "party.registered"
    PARTY_UPDATED = "party.updated"
    PROJECT_CREATED = "project.created"
    PROJECT_UPDATED = "project.updated"
    TENDER_PROJECT_CREATED = "tender_project.created"
    TENDER_PROJECT_UPDATED = "tender_project.updated"
    SECTION_CREATED = "section.created"
    SECTION_UPDATED = "section.updated"
    NOTICE_SUBMITTED = "notice.submitted"
    NOTICE_RETURNED = "notice.returned"
    NOTICE_PUBLISHED = "notice.published"
    # Nothing about registrations or bids is announced before the deadline: 招标投标法 Art. 22
    # forbids disclosing who obtained the documents, and how many.
    TENDER_DOCUMENTS_ISSUED = "round.documents_issued"
    TENDER_DOCUMENTS_CLARIFIED = "round.clarified"
    ROUND_OPENING_STARTED = "round.opening_started"
    ROUND_FAILED = "round.failed"
    ROUND_OPENED = "round.opened"
    ROUND_TERMINATED = "round.terminated"
    # 暂停 / 恢复 by a supervision instruction: a flag on the round, its status unchanged.
    ROUND_SUSPENDED = "round.suspended"
    ROUND_RESUMED = "round.resumed"
    ROUND_ARCHIVED = "round.archived"
    EVALUATION_REPORTED = "round.evaluation_reported"
    # A 并列 among the candidates settled by the tenderer (purchaser): the documents' way or a
    # random draw (87号令 68), before the publicity.
    CANDIDATES_TIE_SETTLED = "round.candidates_tie_settled"
    # After the evaluation (条例 54–57): publicity, objections, award, result, contract.
    CANDIDATES_PUBLISHED = "round.candidates_published"
    OBJECTION_RAISED = "round.objection_raised"
    OBJECTION_ANSWERED = "round.objection_answered"
    CHALLENGE_RAISED = "round.challenge_raised"  # 政府采购 质疑 against a stage (政采条例 53)
    CHALLENGE_ANSWERED = "round.challenge_answered"
    # Engineering objections before the result: to the documents (条例 22, the round held until
    # answered) and to the opening (条例 44, on site).
    STAGE_OBJECTION_RAISED = "round.stage_objection_raised"
    STAGE_OBJECTION_ANSWERED = "round.stage_objection_answered"
    # 投诉 to the supervisor (条例 60/61; 政府采购法 55-57) and what the supervisor did with it.
    COMPLAINT_RAISED = "round.complaint_raised"
    COMPLAINT_ACCEPTED = "round.complaint_accepted"
    COMPLAINT_REFUSED = "round.complaint_refused"
    COMPLAINT_SUSPENDED = "round.complaint_suspended"
    COMPLAINT_DECIDED = "round.complaint_decided"
    # A supervisor's order that the committee evaluate again (a 投诉 upheld; supervision.py).
    RE_EVALUATION_ORDERED = "round.re_evaluation_ordered"
    PUBLICITY_ENDED = "round.publicity_ended"
    AWARD_NOTICE_ISSUED = "round.awarded"
    RESULT_ANNOUNCED = "round.result_announced"
    CONTRACT_RECORDED = "round.contract_recorded"
    # Deposits: only after the deadline (before it they would disclose a registration, 法 22).
    DEPOSIT_CONFIRMED = "deposit.confirmed"
    DEPOSIT_REFUNDED = "deposit.refunded"
    # The official holiday schedule (core.services.calendar): a year approved, and each legal
    # deadline its approval moved (core.services.deadlines).
    CALENDAR_YEAR_APPROVED = "calendar.year_approved"
    DEADLINE_MOVED = "calendar.deadline_moved"
    # A due date that passed unmet (core.services.overdue): a warning for the supervisor, once.
    DEADLINE_OVERDUE = "deadline.overdue"
    # A sealed bid refused at the opening because its stored ciphertext is not what was sealed
    # and receipted (content address or authentication fails): for the supervisors.
    BID_TAMPERED = "bid.tampered"
    # Centre staff determined why a bid stayed undecrypted (电子招标投标办法 第三十一条): the
    # bidder's doing (撤销) or not (撤回, its deposit refunded and its claim for losses noted).
    BID_DECRYPTION_CAUSE_DETERMINED = "bid.decryption_cause_determined"
    # A signed checkpoint of the audit chain's end, for an external witness (docs/audit.md).
    AUDIT_CHECKPOINT = "audit.checkpoint"


@dataclass(frozen=True)
class DomainEvent:
    type: EventType
    aggregate_type: str
    aggregate_id: str
    ordering_key: str
    payload: Mapping[str, Any]  # its type: core.event_payloads.PAYLOADS[type]
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def jsonable(value: Any) -> Any:
    """Payload values as JSON types; Decimal stays exact as a string."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def project_ordering_key(project_code: str) -> str:
    return f"project:{project_code}"


def party_ordering_key(identifier: str) -> str:
    return f"party:{identifier}"
