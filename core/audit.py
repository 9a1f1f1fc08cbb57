"""Append to and verify the hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so altering, inserting or
removing any row breaks every link after it; ``verify_chain`` names the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from core.model.audit import AuditEntry, AuditHead

GENESIS = "0" * 64
HEAD_ID = 1


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no whitespace, Decimal and time as text."""

    def default(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return str(obj)
        if isinstance(obj, datetime | date):
            return obj.isoformat()
        if isinstance(obj, set | frozenset):
            return sorted(obj)
        raise TypeError(f"cannot serialise {type(obj).__name__}")

    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=default).encode()


def snapshot(entity: Any) -> dict[str, Any]:
    """The column values of an ORM object: what the audit digests before and after a change."""
    mapper = inspect(entity).mapper
    return {attr.key: getattr(entity, attr.key) for attr in mapper.column_attrs}


def digest(state: dict[str, Any] | None) -> str | None:
    return None if state is None else hashlib.sha256(canonical_json(state)).hexdigest()


def _entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical_json(fields)).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before_digest,
        "after": entry.after_digest,
    }


def _locked_head(session: Session) -> AuditHead:
    head = session.scalars(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    head = _locked_head(session)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=at.astimezone(UTC),  # hashed as stored, so the text must not depend on the offset
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before_digest=digest(before),
        after_digest=digest(after),
        prev_hash=head.last_hash,
    )
    entry.entry_hash = _entry_hash(entry.prev_hash, _hashed_fields(entry))
    head.last_seq = entry.seq
    head.last_hash = entry.entry_hash
    session.add(entry)
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    first_broken_seq: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_entries(entries: Iterable[AuditEntry], head: AuditHead | None) -> ChainReport:
    """Walk the chain in order; stop at the first entry whose link or own hash does not hold."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry.seq, "link to the previous entry does not match")
        if _entry_hash(entry.prev_hash, _hashed_fields(entry)) != entry.entry_hash:
            return ChainReport(checked, entry.seq, "entry content does not match its hash")
        expected_prev = entry.entry_hash
        expected_seq += 1
        checked += 1
    last_seq = head.last_seq if head else 0
    last_hash = head.last_hash if head else GENESIS
    if last_seq != checked:
        return ChainReport(checked, checked + 1, f"entries after {checked} are missing")
    if last_hash != expected_prev:
        return ChainReport(checked, checked, "head hash does not match the last entry")
    return ChainReport(checked, None, None)


def verify_chain(session: Session, batch: int = 1000) -> ChainReport:
    head = session.get(AuditHead, HEAD_ID)
    stream = session.scalars(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    )
    return verify_entries(stream, head)
