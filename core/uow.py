"""The unit of work: one database transaction holding a change, its audit entries and its events.

Use cases never commit: they change, record and emit, and flush at most. The entry point that
opened the unit (a REST request, a CLI command, a SOAP call, a scheduler tick, a worker) commits
once the whole of what it asked for has succeeded, so the state, the audit chain and the outbox
move together or not at all, and two use cases called by one entry point share one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from core import audit
from core.clock import Clock
from core.errors import DomainError
from core.event_payload_check import check_payload
from core.events import DomainEvent, jsonable
from core.model.outbox import OutboxEvent
from core.ports import RecordCheck
from core.rules.deposit_limits import DEFAULT_RATES, DepositRates


class UnitOfWork:
    def __init__(self, session_factory: Callable[[], Session], clock: Clock,
                 record_check: RecordCheck | None = None, strict_events: bool = False,
                 deposit_rates: DepositRates = DEFAULT_RATES) -> None:
        self._session_factory = session_factory
        self.clock = clock
        # the centre's rates for a refund's interest (条例 57) and late fee (87号令 38)
        self.deposit_rates = deposit_rates
        # what the platforms' records of a change would lack (None: no exchange wired)
        self.record_check = record_check
        # refuse an event whose payload differs from its declared type (the tests run so)
        self.strict_events = strict_events
        self._session: Session | None = None
        self._kept_on_refusal = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self._kept_on_refusal = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if (self._kept_on_refusal and exc_type is not None
                    and issubclass(exc_type, DomainError)):
                session.commit()
            elif exc_type is not None or session.in_transaction():
                session.rollback()  # anything not committed explicitly is discarded
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        """For the entry point that opened this unit; use cases never call it."""
        self.session.commit()

    def keep_on_refusal(self) -> None:
        """What the use case wrote so far stays on record even though it now refuses (a bid
        refused as tampered is evidence for the supervisors). Only a refusal, a
        :class:`DomainError`, commits it; any other failure still rolls everything back."""
        self._kept_on_refusal = True

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
        if self.strict_events:
            problems = check_payload(event.type, event.payload)
            if problems:
                raise RuntimeError(f"{event.type.value} payload differs from its declared "
                                   f"type: {'; '.join(problems)}")
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
