"""Verify the audit log against its key and its checkpoints, and name what is missing or altered.

Three things are checked, because each one alone can be defeated by someone who writes the
database: every entry's hash and link (catches careless edits, and is all legacy entries have),
every keyed entry's MAC (catches any rewrite made without the key, even with every hash redone),
and the chain's end against the signed checkpoints kept outside the database (catches deleting
the newest entries and rolling the head back, and wiping the log: nothing in the database can
tell those from a chain that simply ended there).

The report lists every problem found, not just the first, so an operator reads "entries 41–57
are missing (checkpoint at 57)" and "head rolled back (head at 40, checkpoint at 57)" together.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import (
    GENESIS,
    HEAD_ID,
    AuditKey,
    _entry_hash,
    _hashed_fields,
    entry_mac,
)
from core.model.audit import AuditEntry, AuditHead


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the chain's end (signature already checked by the adapter)."""

    seq: int
    hash: str
    mac: str | None
    at: datetime


@dataclass(frozen=True)
class Problem:
    """One finding. ``kind`` is stable (missing, altered, wiped, head_rolled_back,
    head_altered, head_missing, key_missing, checkpoint_invalid); ``message`` is for people."""

    kind: str
    message: str
    first_seq: int | None = None
    last_seq: int | None = None


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    problems: tuple[Problem, ...] = ()
    legacy_until: int | None = None  # entries 1..legacy_until were written before the key
    checkpoint_seq: int | None = None  # the latest checkpoint checked against
    head_seq: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_broken_seq(self) -> int | None:
        seqs = [p.first_seq for p in self.problems if p.first_seq is not None]
        return min(seqs) if seqs else None

    @property
    def reason(self) -> str | None:
        if not self.problems:
            return None
        first = self.first_broken_seq
        located = [p for p in self.problems if p.first_seq == first]
        return (located or list(self.problems))[0].message


def _span(first: int, last: int) -> str:
    return f"entry {first}" if first == last else f"entries {first}–{last}"


@dataclass
class _Walk:
    """The state of one pass over the entries, in seq order."""

    key: AuditKey | None
    checkpoints: dict[int, list[Checkpoint]]
    expected: int = 1
    count: int = 0
    last: AuditEntry | None = None
    first_keyed: int | None = None
    legacy_until: int | None = None
    unchecked: int = 0
    missing: list[tuple[int, int]] = field(default_factory=list)
    altered: dict[int, str] = field(default_factory=dict)
    mac_failed: set[int] = field(default_factory=set)

    def visit(self, e: AuditEntry) -> None:
        self.count += 1
        prev = self.last
        if e.seq > self.expected:
            self.missing.append((self.expected, e.seq - 1))
            prev = None  # the link across a gap cannot be checked
        if _entry_hash(e.prev_hash, _hashed_fields(e)) != e.entry_hash:
            self._alter(e.seq, "content does not match the hash")
        if prev is not None and e.prev_hash != prev.entry_hash:
            # this entry's own hash holds, so the one before changed after it was linked to
            self._alter(prev.seq, "hash changed after the next entry linked to it")
        elif e.seq == 1 and e.prev_hash != GENESIS:
            self._alter(1, "does not start from the genesis hash")
        self._check_mac(e, prev)
        for cp in self.checkpoints.get(e.seq, ()):
            # a keyed entry is what its MAC says (its hash columns are only a convenience);
            # a legacy one is its hash
            if (cp.mac != e.mac) if cp.mac is not None else (cp.hash != e.entry_hash):
                self._alter(e.seq, f"does not match the checkpoint at {e.seq}")
        self.last = e
        self.expected = e.seq + 1

    def _check_mac(self, e: AuditEntry, prev: AuditEntry | None) -> None:
        if e.mac is None:
            if self.first_keyed is not None:
                self._alter(e.seq, "MAC removed")
            else:
                self.legacy_until = e.seq
            return
        if self.first_keyed is None:
            self.first_keyed = e.seq
        if e.seq == 1:
            link: str | None = GENESIS
        else:
            link = None if prev is None else (prev.mac or prev.entry_hash)
        if link is None or (prev is not None and prev.seq in self.mac_failed):
            # follows missing entries or a MAC that failed (both reported: its stored value is
            # no evidence against this one), or starts a partial walk
            return
        if self.key is None:
            self.unchecked += 1
        elif not hmac.compare_digest(entry_mac(self.key, link, e), e.mac):
            self.mac_failed.add(e.seq)
            if prev is not None and prev.mac is None:
                self._alter(e.seq, "MAC does not match, or the legacy entries before it were "
                                   "rewritten")
            else:
                self._alter(e.seq, "MAC does not match: changed without the audit key")

    def _alter(self, seq: int, why: str) -> None:
        self.altered.setdefault(seq, why)

    def altered_problems(self) -> list[Problem]:
        """Consecutive entries altered for the same reason as one problem."""
        problems: list[Problem] = []
        run: list[int] = []
        for seq in sorted(self.altered):
            if run and (seq != run[-1] + 1 or self.altered[seq] != self.altered[run[0]]):
                problems.append(self._altered(run))
                run = []
            run.append(seq)
        if run:
            problems.append(self._altered(run))
        return problems

    def _altered(self, run: list[int]) -> Problem:
        return Problem("altered", f"{_span(run[0], run[-1])} altered ({self.altered[run[0]]})",
                       run[0], run[-1])


def _missing(first: int, last: int, why: list[str]) -> Problem:
    verb = "is" if first == last else "are"
    note = f" ({', '.join(why)})" if why else ""
    return Problem("missing", f"{_span(first, last)} {verb} missing{note}", first, last)


def _end_problems(w: _Walk, head: AuditHead | None, latest: Checkpoint | None,
                  start: int) -> list[Problem]:
    """What the head and the latest checkpoint say about where the chain should end."""
    head_seq = head.last_seq if head is not None else 0
    anchored = latest.seq if latest is not None else 0
    last_seq = w.last.seq if w.last is not None else start - 1
    if w.count == 0 and start == 1:
        if anchored or head_seq:
            by = f"checkpoint at {anchored}" if anchored else f"head at {head_seq}"
            return [Problem("wiped", f"log wiped ({by}, 0 entries)", 1, max(anchored, head_seq))]
        return []
    problems = []
    end = max(head_seq, anchored)
    if end > last_seq:
        why = [f"checkpoint at {anchored}"] if anchored > last_seq else []
        why += [f"head at {head_seq}"] if head_seq > last_seq and head_seq != anchored else []
        problems.append(_missing(last_seq + 1, end, why))
    if head is None and w.count:
        problems.append(Problem("head_missing", f"the chain's head is missing (entries up to "
                                f"{last_seq})", last_seq))
    elif head_seq < max(last_seq, anchored):
        ahead = [f"entries up to {last_seq}"] if last_seq > head_seq else []
        ahead += [f"checkpoint at {anchored}"] if anchored > head_seq else []
        problems.append(Problem("head_rolled_back",
                                f"head rolled back (head at {head_seq}, {', '.join(ahead)})",
                                head_seq + 1))
    elif (head is not None and w.last is not None and head_seq == last_seq
          and (head.last_hash != w.last.entry_hash or head.last_mac != w.last.mac)):
        problems.append(Problem("head_altered", f"the head does not match entry {last_seq}",
                                last_seq))
    return problems


def verify_entries(entries: Iterable[AuditEntry], head: AuditHead | None, *,
                   key: AuditKey | None, checkpoints: Sequence[Checkpoint] = (),
                   start: int = 1) -> ChainReport:
    """Walk the entries (seq order, from ``start``); report every problem found."""
    by_seq: dict[int, list[Checkpoint]] = {}
    for cp in checkpoints:
        by_seq.setdefault(cp.seq, []).append(cp)
    latest = max(checkpoints, key=lambda c: c.seq, default=None)
    w = _Walk(key, by_seq, expected=start)
    for entry in entries:
        w.visit(entry)
    problems: list[Problem] = []
    for first, last in w.missing:
        inside = sorted(s for s in by_seq if first <= s <= last)
        problems.append(_missing(first, last, [f"checkpoint at {inside[-1]}"] if inside else []))
    problems += w.altered_problems()
    problems += _end_problems(w, head, latest, start)
    if w.unchecked:
        problems.append(Problem("key_missing", f"the audit key is not available: the MACs of "
                                f"{w.unchecked} entries were not checked"))
    problems.sort(key=lambda p: (p.first_seq is None, p.first_seq or 0))
    return ChainReport(w.count, tuple(problems), w.legacy_until,
                       latest.seq if latest else None, head.last_seq if head else 0)


def verify_chain(session: Session, key: AuditKey | None,
                 checkpoints: Sequence[Checkpoint] = (), *, start: int = 1,
                 batch: int = 1000) -> ChainReport:
    """Verify the log as this session sees it. Run it in one snapshot (REPEATABLE READ on
    PostgreSQL): under READ COMMITTED an append between reading the entries and the head would
    look like a rolled-back head."""
    head = session.get(AuditHead, HEAD_ID)
    stream = session.scalars(
        select(AuditEntry).where(AuditEntry.seq >= start).order_by(AuditEntry.seq)
        .execution_options(yield_per=batch)
    )
    return verify_entries(stream, head, key=key, checkpoints=checkpoints, start=start)
