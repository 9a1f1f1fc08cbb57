"""The audit MAC key: a file outside the database, created owner-only on first use.

Whoever can write the database must not hold this key, or they could re-MAC a rewritten chain;
so it is a file (GGZY_AUDIT_KEY_FILE, default var/keys/audit-mac.key), never a setting stored in
a table. Every process that writes audit entries (web, scheduler, workers, CLI) needs the same
file. It is read on the first MAC, so commands that write nothing never create it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from pathlib import Path

from adapters.config import Settings
from adapters.keys import write_secret_file
from core.audit import MIN_KEY_BYTES, HmacAuditKey


def audit_key_path(settings: Settings) -> Path:
    return settings.audit_key_file or settings.var_dir / "keys" / "audit-mac.key"


def _parse(path: Path, text: str) -> HmacAuditKey:
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        raise SystemExit(f"{path}: an audit key file holds hex digits only") from None
    if len(secret) < MIN_KEY_BYTES:
        raise SystemExit(f"{path}: an audit key has at least {MIN_KEY_BYTES} bytes")
    return HmacAuditKey(secret)


def _create(path: Path) -> None:
    """Write the new key under a temporary name, then link it into place: two processes that
    start at once end up with the same key, and nobody ever reads a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    write_secret_file(tmp, secrets.token_bytes(32).hex().encode() + b"\n")
    try:
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(tmp, path)
    finally:
        tmp.unlink()


class FileAuditKey:
    """An AuditKey read from its file on first use (and created there if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: HmacAuditKey | None = None
        self._lock = threading.Lock()

    def mac(self, message: bytes) -> str:
        return self._loaded(create=True).mac(message)

    def existing(self) -> HmacAuditKey | None:
        """The key if its file exists; verifying never creates one (a fresh key would call
        every entry altered instead of saying the key is missing)."""
        return self._loaded(create=False) if self._key or self.path.exists() else None

    def _loaded(self, *, create: bool) -> HmacAuditKey:
        with self._lock:
            if self._key is None:
                if create and not self.path.exists():
                    _create(self.path)
                self._key = _parse(self.path, self.path.read_text(encoding="ascii"))
            return self._key
