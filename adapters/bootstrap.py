"""The composition root: builds engine, clock and unit-of-work factory for every entry point."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.audit_key import FileAuditKey, audit_key_path
from adapters.config import Settings
from adapters.db.engine import make_engine, make_session_factory
from adapters.keys import FileReceiptSigner
from core.audit import KEY_INFO
from core.clock import Clock, SystemClock
from core.ports import RecordCheck
from core.sealing.store import FolderStore
from core.security import passwords
from core.uow import UnitOfWork


@dataclass
class Container:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    audit_key: FileAuditKey  # bound to every session: each audit entry is MACed with it
    # hands delivery ids to the transport when this process runs one (embedded mode)
    dispatch: Callable[[list[int]], None] | None = None
    _signer: FileReceiptSigner | None = None

    _bid_store: FolderStore | None = None
    _file_store: FolderStore | None = None
    _record_check: RecordCheck | None = None

    @property
    def bid_store(self) -> FolderStore:
        """Sealed bids by content address (a folder by default; ciphertext only). Made once:
        it creates its folder, which need not happen on every request."""
        if self._bid_store is None:
            self._bid_store = FolderStore(self.settings.var_dir / "bids")
        return self._bid_store

    @property
    def file_store(self) -> FolderStore:
        """Published files by SHA-256 (tender documents, clarifications) under
        GGZY_VAR_DIR/files: apart from the sealed bids, whose folder holds ciphertext only."""
        if self._file_store is None:
            self._file_store = FolderStore(self.settings.var_dir / "files")
        return self._file_store

    @property
    def signer(self) -> FileReceiptSigner:
        if self._signer is None:
            self._signer = FileReceiptSigner(self.settings)
        return self._signer

    @property
    def record_check(self) -> RecordCheck:
        """The records the platforms will take from a change, checked before it commits."""
        if self._record_check is None:
            from adapters.exchange_runtime import mapping_context
            from exchange.readiness import RecordReadiness

            self._record_check = RecordReadiness(mapping_context(self.settings))
        return self._record_check

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.clock, self.record_check,
                          strict_events=self.settings.strict_event_payloads,
                          deposit_rates=self.settings.deposit_rates)

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings, clock: Clock | None = None) -> Container:
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    passwords.limit_concurrency(settings.limits.password_hash_concurrency)
    sessions = make_session_factory(engine)
    audit_key = FileAuditKey(audit_key_path(settings))
    sessions.configure(info={KEY_INFO: audit_key})
    return Container(settings, engine, sessions, clock or SystemClock(), audit_key)
