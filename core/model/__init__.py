"""ORM entities of the trading core; importing the package registers every table."""

from core.model.account import Account, AccountKind, ApiToken
from core.model.audit import AuditEntry, AuditHead
from core.model.notice import Notice, NoticeStatus
from core.model.outbox import OutboxEvent
from core.model.party import Party, PartyKind, PartyRole
from core.model.project import CodeSequence, Project, Section, TenderProject
from core.model.tendering import Bid, BidStatus, Registration, Round, RoundStatus

__all__ = [
    "Account",
    "AccountKind",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Bid",
    "BidStatus",
    "CodeSequence",
    "Notice",
    "NoticeStatus",
    "OutboxEvent",
    "Party",
    "PartyKind",
    "PartyRole",
    "Project",
    "Registration",
    "Round",
    "RoundStatus",
    "Section",
    "TenderProject",
]
