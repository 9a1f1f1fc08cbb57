"""Signed checkpoints of the audit chain's end, kept where the database's writers cannot reach.

Someone who can write the database can delete the newest entries and roll the head back, or
wipe the log, and what is left is a chain that verifies. Only a record of where the chain
stood, kept elsewhere, tells. So every N entries or T seconds (and at `ggzy audit checkpoint`)
the head's {seq, hash, mac, at} is signed with the platform's Ed25519 key and appended to
var/audit/checkpoints.log (O_APPEND, fsync, owner-only), and with GGZY_AUDIT_WITNESS also
emitted as an ``audit.checkpoint`` event that a route delivers to an external witness. A
checkpoint is only written over a chain that verifies from the previous one: signing a
tampered head would launder the tampering.

Entries written after the latest checkpoint are not anchored yet; that window is what
GGZY_AUDIT_CHECKPOINT_EVERY / _SECONDS bound.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from adapters.bootstrap import Container
from adapters.config import Settings
from core.audit import Anchor, canonical_json, head_anchor
from core.audit_verify import ChainReport, Checkpoint, Problem, verify_chain
from core.events import DomainEvent, EventType
from core.security.principal import SYSTEM_ACTOR

log = logging.getLogger("ggzy.audit")

CHECKPOINT_TYPE = "ggzy.audit-checkpoint.v1"  # signed bodies of other kinds never pass as one


def checkpoint_path(settings: Settings) -> Path:
    return settings.audit_checkpoint_file or settings.var_dir / "audit" / "checkpoints.log"


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class CheckpointLog:
    """An append-only file of signed lines. Nothing here rewrites or truncates it; on a server
    `chattr +a` makes the file system refuse that too (docs/audit.md)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(line + b"\n")
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)

    def lines(self) -> list[bytes]:
        try:
            return self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []


def _parse(raw: bytes, public_key: Ed25519PublicKey, expected_key: str) -> Checkpoint | str:
    """The checkpoint of one line, or why it is not one."""
    try:
        record = json.loads(raw)
        if not isinstance(record, dict):
            raise ValueError("not an object")
        signature = base64.b64decode(record.pop("sig"), validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return "is not a signed checkpoint"
    if record.get("key_id") != expected_key:
        return f"was signed by another key (key id {str(record.get('key_id'))[:16]})"
    try:
        public_key.verify(signature, canonical_json(record))
    except InvalidSignature:
        return "does not verify with the platform key (forged or edited)"
    try:
        if record["type"] != CHECKPOINT_TYPE:
            raise ValueError(record["type"])
        return Checkpoint(int(record["seq"]), str(record["hash"]),
                          None if record["mac"] is None else str(record["mac"]),
                          datetime.fromisoformat(record["at"]))
    except (KeyError, ValueError, TypeError):
        return "is signed but not a checkpoint"


def read_checkpoints(lines: list[bytes], public_key: Ed25519PublicKey
                     ) -> tuple[list[Checkpoint], list[Problem]]:
    expected = key_id(public_key)
    found: list[Checkpoint] = []
    problems: list[Problem] = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        parsed = _parse(raw, public_key, expected)
        if isinstance(parsed, Checkpoint):
            found.append(parsed)
        else:
            problems.append(Problem("checkpoint_invalid", f"checkpoint line {number} {parsed}"))
    return found, problems


def snapshot_session(c: Container) -> Session:
    """A session that sees one snapshot of the log (see core.audit_verify.verify_chain)."""
    if c.settings.is_sqlite:
        return c.session_factory()  # BEGIN IMMEDIATE: nothing appends meanwhile
    return c.session_factory(bind=c.engine.execution_options(isolation_level="REPEATABLE READ"))


def verify_anchored(c: Container) -> ChainReport:
    """The whole chain against the key and every checkpoint: `ggzy audit verify` and REST."""
    checkpoints, bad = read_checkpoints(CheckpointLog(checkpoint_path(c.settings)).lines(),
                                        c.signer.public_key)
    with snapshot_session(c) as session:
        report = verify_chain(session, c.audit_key.existing(), checkpoints)
    return replace(report, problems=report.problems + tuple(bad))


@dataclass(frozen=True)
class CheckpointOutcome:
    checkpoint: Checkpoint | None  # the one written, or the current one when nothing was new
    written: bool
    refused: ChainReport | None = None  # the chain did not verify: nothing was signed


class Checkpointer:
    """Writes checkpoints when due; one per process that runs the lifecycle loop."""

    def __init__(self, c: Container) -> None:
        self._c = c
        self._log = CheckpointLog(checkpoint_path(c.settings))
        self._latest: Checkpoint | None = None
        self._read = False
        self._refused_at: Anchor | None = None

    def latest(self) -> Checkpoint | None:
        if not self._read:
            found, _ = read_checkpoints(self._log.lines(), self._c.signer.public_key)
            self._latest = max(found, key=lambda cp: cp.seq, default=None)
            self._read = True
        return self._latest

    def due(self, anchor: Anchor, now: datetime) -> bool:
        latest = self.latest()
        if anchor.seq == 0:
            return False
        if latest is None or anchor.seq < latest.seq:
            return True  # the first one (legacy entries included), or a head that went back
        s = self._c.settings
        return anchor.seq > latest.seq and (
            anchor.seq - latest.seq >= s.audit_checkpoint_every
            or now - latest.at >= timedelta(seconds=s.audit_checkpoint_seconds))

    def run_once(self) -> CheckpointOutcome | None:
        """The loop's step: a checkpoint if one is due (a head already refused is not verified
        again every second; a new entry or `ggzy audit checkpoint` tries again)."""
        with self._c.session_factory() as session:
            anchor = head_anchor(session)
        if anchor == self._refused_at or not self.due(anchor, self._c.clock.now()):
            return None
        return self.checkpoint()

    def checkpoint(self) -> CheckpointOutcome:
        latest = self.latest()
        with snapshot_session(self._c) as session:
            anchor = head_anchor(session)
            if latest is not None and (anchor.seq, anchor.hash, anchor.mac) == (
                    latest.seq, latest.hash, latest.mac):
                return CheckpointOutcome(latest, written=False)
            report = verify_chain(session, self._c.audit_key.existing(),
                                  [latest] if latest else [],
                                  start=latest.seq if latest else 1)
        if anchor.seq == 0 and report.ok:
            return CheckpointOutcome(None, written=False)
        if not report.ok:
            if self._refused_at != anchor:  # once per head, not once a second
                log.error("audit chain does not verify since the last checkpoint; none "
                          "written: %s", "; ".join(p.message for p in report.problems))
                self._refused_at = anchor
            return CheckpointOutcome(None, written=False, refused=report)
        written = self._write(anchor)
        self._latest = written
        return CheckpointOutcome(written, written=True)

    def _write(self, anchor: Anchor) -> Checkpoint:
        at = self._c.clock.now()
        body: dict[str, Any] = {"type": CHECKPOINT_TYPE, "seq": anchor.seq, "hash": anchor.hash,
                                "mac": anchor.mac, "at": at.isoformat(),
                                "key_id": key_id(self._c.signer.public_key)}
        signed = canonical_json(body)
        signature = base64.b64encode(self._c.signer.sign_bytes(signed)).decode()
        self._log.append(canonical_json({**body, "sig": signature}))
        if self._c.settings.audit_witness:
            self._tell_witness(body, signed, signature)
        return Checkpoint(anchor.seq, anchor.hash, anchor.mac, at)

    def _tell_witness(self, body: dict[str, Any], signed: bytes, signature: str) -> None:
        """The outbox event a route sends to the external witness. Not audited: an entry for
        it would move the head it anchors."""
        payload = {**body, "body": signed.decode(), "signature": signature}
        with self._c.uow() as uow:
            uow.emit(DomainEvent(EventType.AUDIT_CHECKPOINT, "audit", str(body["seq"]),
                                 "audit", payload), SYSTEM_ACTOR)
            uow.commit()
