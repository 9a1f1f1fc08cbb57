"""Benchmark: what the audit anchor costs — the MAC on every append, the MAC check in verify,
and one checkpoint (segment verify, Ed25519 signature, fsync'd append).

    .venv/bin/python -m tests.bench.bench_audit [--entries 5000 --per-tx 1]

On a fresh PostgreSQL database built through the migrations:

1. append ``--entries`` entries, ``--per-tx`` per transaction, through the unit of work (the
   path every use case takes), with the real HMAC key; then the same number with a key whose
   MAC is a constant (the baseline: the hash chain and the row alone);
2. verify the whole chain in one snapshot with the key (hash, link and MAC of every entry) and
   without it (hash and link only, what verify cost before the anchor), best of ``--repeat``;
3. write checkpoints ``--checkpoints`` times, each after ``--every`` new entries: the median
   time of the checkpoint itself.

Figures are printed, never asserted (other jobs share this machine).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

from adapters.audit_checkpoints import Checkpointer, snapshot_session
from adapters.bootstrap import Container, build
from adapters.config import load_settings
from adapters.db.migrate import upgrade
from core.audit import KEY_INFO
from core.audit_verify import verify_chain
from tests.conftest import create_database, drop_database


class ConstantKey:
    """The baseline: every MAC the same constant, so only the HMAC's own cost differs."""

    def mac(self, message: bytes) -> str:
        return "0" * 64


def append(c: Container, entries: int, per_tx: int) -> float:
    started = time.perf_counter()
    done = 0
    while done < entries:
        with c.uow() as uow:
            for _ in range(min(per_tx, entries - done)):
                uow.record("bench", "bench.entry", "bench", str(done), None, {"n": done})
                done += 1
            uow.commit()
    return time.perf_counter() - started


def verify_seconds(c: Container, keyed: bool, repeat: int) -> tuple[float, int]:
    best, checked = float("inf"), 0
    for _ in range(repeat):
        with snapshot_session(c) as s:
            started = time.perf_counter()
            report = verify_chain(s, c.audit_key if keyed else None)
            best = min(best, time.perf_counter() - started)
        checked = report.entries_checked
    return best, checked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--per-tx", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--checkpoints", type=int, default=20)
    parser.add_argument("--every", type=int, default=100)
    args = parser.parse_args()

    for label, constant in (("HMAC key", False), ("constant MAC (baseline)", True)):
        url = create_database()
        try:
            upgrade(url)
            with tempfile.TemporaryDirectory() as var:
                c = build(load_settings({"GGZY_DATABASE_URL": url, "GGZY_VAR_DIR": var,
                                         "GGZY_AUDIT_WITNESS": "no"}))
                if constant:
                    c.session_factory.configure(info={KEY_INFO: ConstantKey()})
                seconds = append(c, args.entries, args.per_tx)
                print(f"append, {label}: {args.entries} entries ({args.per_tx}/tx) in "
                      f"{seconds:.2f} s = {args.entries / seconds:,.0f} entries/s")
                if not constant:
                    report(c, args, Path(var))
                c.close()
        finally:
            drop_database(url)


def report(c: Container, args: argparse.Namespace, var: Path) -> None:
    keyed, n = verify_seconds(c, True, args.repeat)
    plain, _ = verify_seconds(c, False, args.repeat)
    print(f"verify {n} entries with the key: {keyed:.2f} s = {n / keyed:,.0f} entries/s; "
          f"hash and link only: {plain:.2f} s = {n / plain:,.0f} entries/s; "
          f"ratio {plain / keyed:.2f}")
    c = dataclasses.replace(c, settings=dataclasses.replace(
        c.settings, audit_checkpoint_file=var / "bench-checkpoints.log"))
    checkpointer = Checkpointer(c)
    checkpointer.checkpoint()  # the first one verifies everything: not what is measured
    times = []
    for _ in range(args.checkpoints):
        append(c, args.every, args.per_tx)
        started = time.perf_counter()
        outcome = checkpointer.checkpoint()
        times.append(time.perf_counter() - started)
        assert outcome.written, outcome
    print(f"checkpoint after {args.every} entries (verify the segment, sign, fsync): median "
          f"{statistics.median(times) * 1000:.1f} ms over {len(times)}")


if __name__ == "__main__":
    main()
