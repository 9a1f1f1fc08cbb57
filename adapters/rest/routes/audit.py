"""Reading the audit log and checking its chain (key, links and checkpoints): supervisors and
administrators only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from adapters.audit_checkpoints import verify_anchored
from adapters.rest.deps import Caller, Deps, Paging, UoW
from adapters.rest.fields import QueryCode
from adapters.rest.schemas import Out, PageOut, page_out
from core.model.account import AccountKind
from core.model.audit import AuditEntry
from core.security.access import require_kind
from core.services.paging import paginate

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


class AuditEntryOut(Out):
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before_digest: str | None
    after_digest: str | None
    prev_hash: str
    entry_hash: str
    mac: str | None


class ProblemOut(Out):
    kind: str  # missing, altered, wiped, head_rolled_back, head_altered, head_missing, …
    message: str
    first_seq: int | None
    last_seq: int | None


class ChainOut(Out):
    ok: bool
    entries_checked: int
    first_broken_seq: int | None
    reason: str | None
    problems: list[ProblemOut]
    legacy_until: int | None  # entries 1..legacy_until were written before the audit key
    checkpoint_seq: int | None  # the latest signed checkpoint (None: the end is not anchored)
    head_seq: int


def _out(e: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(seq=e.seq, at=e.at, actor=e.actor, action=e.action,
                         object_type=e.object_type, object_id=e.object_id,
                         before_digest=e.before_digest, after_digest=e.after_digest,
                         prev_hash=e.prev_hash, entry_hash=e.entry_hash, mac=e.mac)


@router.get("", response_model=PageOut[AuditEntryOut])
def entries(uow: UoW, caller: Caller, paging: Paging, object_type: QueryCode = None,
            object_id: QueryCode = None) -> dict[str, Any]:
    require_kind(caller, AccountKind.SUPERVISOR, AccountKind.ADMIN)
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    return page_out(paginate(uow.session, query, paging), _out)


@router.get("/verify", response_model=ChainOut)
def verify(c: Deps, caller: Caller) -> ChainOut:
    require_kind(caller, AccountKind.SUPERVISOR, AccountKind.ADMIN)
    report = verify_anchored(c)  # in a snapshot of its own, not this request's transaction
    return ChainOut(ok=report.ok, entries_checked=report.entries_checked,
                    first_broken_seq=report.first_broken_seq, reason=report.reason,
                    problems=[ProblemOut(kind=p.kind, message=p.message, first_seq=p.first_seq,
                                         last_seq=p.last_seq) for p in report.problems],
                    legacy_until=report.legacy_until, checkpoint_seq=report.checkpoint_seq,
                    head_seq=report.head_seq)
