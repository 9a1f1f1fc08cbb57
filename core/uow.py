"""The unit of work: one database transaction holding a change, its audit entries and its events.

Use cases never commit half a change: the state, the audit chain and the outbox move together or
not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from core import audit
from core.clock import Clock
from core.events import DomainEvent, jsonable
from core.model.outbox import OutboxEvent
from core.ports import RecordCheck


class UnitOfWork:
    def __init__(self, session_factory: Callable[[], Session], clock: Clock,
                 record_check: RecordCheck | None = None) -> None:
        self._session_factory = session_factory
        self.clock = clock
        # what the platforms' records of a change would lack (None: no exchange wired)
        self.record_check = record_check
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc_type is not None or session.in_transaction():
                session.rollback()  # anything not committed explicitly is discarded
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()

    def record(
        self,
        actor: str,
        action: str,
        object_type: str,
        object_id: object,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self.session.flush()  # ids and defaults exist before they are digested
        audit.append(
            self.session,
            at=self.clock.now(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=before,
            after=after,
        )

    def emit(self, event: DomainEvent, actor: str) -> None:
        self.session.info["outbox_written"] = True  # lets an in-process relay wake at commit
        self.session.add(
            OutboxEvent(
                event_id=event.event_id,
                event_type=event.type.value,
                aggregate_type=event.aggregate_type,
                aggregate_id=event.aggregate_id,
                ordering_key=event.ordering_key,
                payload=jsonable(event.payload),
                occurred_at=self.clock.now(),
                actor=actor,
            )
        )
