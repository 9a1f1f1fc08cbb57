"""Append to the audit log: a hash chain, keyed with a MAC whose key is not in the database.

A hash chain alone proves nothing to someone who can write the database: they rewrite an entry
and re-hash the rest, or delete the newest entries and roll the head back, and the chain is
intact again. So each entry also carries ``mac = HMAC-SHA256(key, link || fields)``, where
``link`` is the previous entry's MAC (its hash when the previous entry is a legacy one written
before the key existed, GENESIS for the first entry) and the key lives outside the database
(the composition root binds an :class:`AuditKey` to every session). Without the key nobody can
forge an entry; what remains, dropping the newest entries, is caught by the signed checkpoints
of the head that the adapters keep outside the database (core/audit_verify.py checks both).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from core.model.audit import AuditEntry, AuditHead

GENESIS = "0" * 64
HEAD_ID = 1
#: where the composition root puts the AuditKey in ``Session.info`` (sessionmaker(info=...))
KEY_INFO = "ggzy.audit_key"
MIN_KEY_BYTES = 32


class AuditKey(Protocol):
    """The MAC key, held by the adapter (a file, an HSM); the core only asks for MACs."""

    def mac(self, message: bytes) -> str:
        """HMAC-SHA256 of ``message``, hex."""
        ...


class HmacAuditKey:
    """An AuditKey over key bytes the adapter loaded."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_KEY_BYTES:
            raise ValueError(f"an audit key has at least {MIN_KEY_BYTES} bytes")
        self._secret = bytes(secret)

    def mac(self, message: bytes) -> str:
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()


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


def entry_mac(key: AuditKey, link: str, entry: AuditEntry) -> str:
    """The MAC of an entry given its link (previous MAC, or previous hash when that one is
    legacy). The link is 64 hex digits, so the concatenation is unambiguous."""
    return key.mac(link.encode() + canonical_json(_hashed_fields(entry)))


def key_of(session: Session) -> AuditKey:
    key: AuditKey | None = session.info.get(KEY_INFO)
    if key is None:
        # Never write an unkeyed entry after keyed ones: verify would call it altered.
        raise RuntimeError("no audit key bound to this session (the composition root binds one)")
    return key


def _locked_head(session: Session) -> AuditHead:
    head = session.scalars(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS, last_mac=None)
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
    key = key_of(session)
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
    entry.mac = entry_mac(key, head.last_mac or head.last_hash, entry)
    head.last_seq = entry.seq
    head.last_hash = entry.entry_hash
    head.last_mac = entry.mac
    session.add(entry)
    return entry


@dataclass(frozen=True)
class Anchor:
    """What a checkpoint signs: the chain's end as the head states it."""

    seq: int
    hash: str
    mac: str | None


def head_anchor(session: Session) -> Anchor:
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return Anchor(0, GENESIS, None)
    return Anchor(head.last_seq, head.last_hash, head.last_mac)
