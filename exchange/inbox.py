"""The inbox: each inbound message is applied once per (source, message id).

The message is stored with its raw bytes and the answer it got, in the same transaction as its
effect: the caller's unit of work, which the caller commits. A resend of the same message gets
the stored answer and changes nothing; the same id with different bytes is refused, because it
is not a resend but a clash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import DomainError, ErrorKind
from core.uow import UnitOfWork
from exchange.model import InboxMessage

Handler = Callable[[UnitOfWork], dict[str, Any]]


@dataclass(frozen=True)
class InboxResult:
    response: dict[str, Any]
    duplicate: bool


def _stored(session: Session, source: str, message_id: str) -> InboxMessage | None:
    return session.scalars(select(InboxMessage).where(
        InboxMessage.source == source, InboxMessage.message_id == message_id)).first()


def _same_or_clash(found: InboxMessage, digest: str) -> InboxResult:
    if found.body_sha256 != digest:
        raise DomainError(
            "MESSAGE_ID_REUSED",
            f"消息编号 {found.message_id} 已用于另一条内容不同的消息",
            f"message id {found.message_id} was already used for a different message",
            ErrorKind.CONFLICT)
    return InboxResult(found.response, duplicate=True)


def receive(uow: UnitOfWork, source: str, message_id: str, body: bytes,
            apply: Handler) -> InboxResult:
    """Apply ``apply`` once for this message, in ``uow``; the caller commits. A DomainError from
    it stores nothing (the caller rolls back), so a corrected message with the same id can still
    be sent. A concurrent copy that is stored first wins: ours is undone (a savepoint) and
    answered with its answer."""
    if not message_id or len(message_id) > 255:
        raise DomainError("MESSAGE_ID_INVALID", "消息编号缺失或过长",
                          "the message id is missing or longer than 255 characters")
    digest = hashlib.sha256(body).hexdigest()
    session = uow.session
    found = _stored(session, source, message_id)
    if found is not None:
        return _same_or_clash(found, digest)
    try:
        with session.begin_nested():
            response = apply(uow)
            session.add(InboxMessage(source=source, message_id=message_id, body=body,
                                     body_sha256=digest, received_at=uow.clock.now(),
                                     status="applied", response=response))
    except IntegrityError:
        found = _stored(session, source, message_id)
        if found is None:
            raise  # not a copy of this message: the effect itself clashed with another
        return _same_or_clash(found, digest)  # a concurrent copy won; ours is undone
    return InboxResult(response, duplicate=False)
