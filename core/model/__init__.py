"""ORM entities of the trading core; importing the package registers every table."""

from core.model.account import Account, AccountKind, ApiToken
from core.model.audit import AuditEntry, AuditHead
from core.model.bank import BankCredit, BankSubAccount, PayerCheck, RefundLine, RefundLineStatus
from core.model.calendar import (
    CalendarDay,
    CalendarNotice,
    CalendarNoticeStatus,
    CalendarSource,
    LegalDeadline,
)
from core.model.credentials import DigestSecret, UsedNonce
from core.model.credit import CreditDataSet, CreditRecord
from core.model.document import DocumentKind, TenderDocument
from core.model.expert import Expert, ExpertMajor
from core.model.incident import IncidentComponent, PlatformIncident
from core.model.ledger import (
    LedgerAccount,
    LedgerAccountKind,
    LedgerEntry,
    LedgerPosting,
    SourceKind,
)
from core.model.notice import Notice, NoticeStatus
from core.model.notice_search import NoticeSearchEntry
from core.model.outbox import OutboxEvent
from core.model.party import Party, PartyKind, PartyRole
from core.model.project import CodeSequence, Project, Section, TenderProject
from core.model.subject import ProvincialPartyRecord
from core.model.tendering import (
    Award,
    Bid,
    BidOpening,
    BidStatus,
    Candidate,
    CommitteeMember,
    DecryptionCause,
    DecryptionDetermination,
    Evaluation,
    Objection,
    OpeningOutcome,
    OpeningRecord,
    Publicity,
    RecusalDeclaration,
    Registration,
    ReportSignature,
    Round,
    RoundStatus,
    Score,
    SupervisionInstruction,
    TieSettlementRecord,
)

__all__ = [
    "Account",
    "AccountKind",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Award",
    "BankCredit",
    "BankSubAccount",
    "Bid",
    "BidOpening",
    "BidStatus",
    "CalendarDay",
    "CalendarNotice",
    "CalendarNoticeStatus",
    "CalendarSource",
    "Candidate",
    "CodeSequence",
    "CommitteeMember",
    "CreditDataSet",
    "CreditRecord",
    "DecryptionCause",
    "DecryptionDetermination",
    "DigestSecret",
    "DocumentKind",
    "Evaluation",
    "Expert",
    "ExpertMajor",
    "IncidentComponent",
    "LedgerAccount",
    "LedgerAccountKind",
    "LedgerEntry",
    "LedgerPosting",
    "LegalDeadline",
    "Notice",
    "NoticeSearchEntry",
    "NoticeStatus",
    "Objection",
    "OpeningOutcome",
    "OpeningRecord",
    "OutboxEvent",
    "Party",
    "PartyKind",
    "PartyRole",
    "PayerCheck",
    "PlatformIncident",
    "Project",
    "ProvincialPartyRecord",
    "Publicity",
    "RecusalDeclaration",
    "RefundLine",
    "RefundLineStatus",
    "Registration",
    "ReportSignature",
    "Round",
    "RoundStatus",
    "Score",
    "Section",
    "SourceKind",
    "SupervisionInstruction",
    "TenderDocument",
    "TenderProject",
    "TieSettlementRecord",
    "UsedNonce",
]
