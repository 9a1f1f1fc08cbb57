"""ORM entities of the trading core; importing the package registers every table."""

from core.model.account import Account, AccountKind, ApiToken
from core.model.audit import AuditEntry, AuditHead
from core.model.notice import Notice, NoticeStatus
from core.model.outbox import OutboxEvent
from core.model.party import Party, PartyKind, PartyRole
from core.model.project import CodeSequence, Project, Section, TenderProject
from core.model.tendering import (
    Award,
    Bid,
    BidOpening,
    BidStatus,
    Candidate,
    CommitteeMember,
    Evaluation,
    Objection,
    OpeningOutcome,
    OpeningRecord,
    Publicity,
    Registration,
    ReportSignature,
    Round,
    RoundStatus,
    Score,
)

__all__ = [
    "Account",
    "AccountKind",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Award",
    "Bid",
    "BidOpening",
    "BidStatus",
    "Candidate",
    "CodeSequence",
    "CommitteeMember",
    "Evaluation",
    "Notice",
    "NoticeStatus",
    "Objection",
    "OpeningOutcome",
    "OpeningRecord",
    "OutboxEvent",
    "Party",
    "PartyKind",
    "PartyRole",
    "Project",
    "Publicity",
    "Registration",
    "ReportSignature",
    "Round",
    "RoundStatus",
    "Score",
    "Section",
    "TenderProject",
]
