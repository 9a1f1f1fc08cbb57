"""A real exchange cluster for fault drills: PostgreSQL, RabbitMQ, `ggzy relay`, `ggzy worker`
(2 Celery worker processes) and the sandbox recording peer, each its own OS process.

Each cluster has its own database and its own RabbitMQ queue, so drills never see each other's
messages; the peer counts what arrived, repeats included.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pika
from sqlalchemy import func, select

from adapters.bootstrap import Container, build
from adapters.config import load_settings
from adapters.db.migrate import upgrade
from core.events import DomainEvent, EventType
from core.model.outbox import OutboxEvent
from exchange import config
from exchange.model import Delivery
from sandbox.recording_peer import RecordingPeerProcess
from tests.conftest import create_database, drop_database, lenient_uow

ROOT = Path(__file__).resolve().parents[2]
OPEN = ("pending", "in_flight", "retrying", "held")


@dataclass(frozen=True)
class Verdict:
    delivered: int
    parked: dict[int, str]
    peer_accepted: int
    peer_duplicates: int
    order_violations: list[str]


class Cluster:
    def __init__(self, workdir: Path, main_endpoint: str | None = None) -> None:
        """``main_endpoint``: where the ``main`` target sends (default: the recording peer,
        which the drills read back; the benchmark points it at the sink peer)."""
        self.workdir = workdir
        self.db_url = create_database()
        upgrade(self.db_url)
        self.queue = f"ggzy.drill.{secrets.token_hex(4)}"
        self.env = {**os.environ, "GGZY_DATABASE_URL": self.db_url, "GGZY_TRANSPORT": "celery",
                    "GGZY_QUEUE": self.queue, "GGZY_VAR_DIR": str(workdir),
                    "GGZY_LOG_LEVEL": "WARNING"}
        self.container: Container = build(load_settings(self.env))
        self.peer = RecordingPeerProcess(workdir / "peer.db")
        self.peer.start()
        self.main_endpoint = main_endpoint or self.peer.http_url("main")
        self.worker: subprocess.Popen[bytes] | None = None
        self.relay: subprocess.Popen[bytes] | None = None
        self._configure()

    def _configure(self) -> None:
        now = self.container.clock.now()
        with self.container.session_factory() as s:
            config.upsert_target(s, "main", {
                "kind": "http_json", "endpoint": self.main_endpoint,
                "timeout_seconds": 3.0, "max_attempts": 60, "backoff_base_seconds": 0.2,
                "backoff_cap_seconds": 3.0}, "drill", now)
            config.upsert_target(s, "poison", {
                "kind": "http_json", "endpoint": self.peer.http_url("poison"),
                "timeout_seconds": 3.0, "max_attempts": 3, "backoff_base_seconds": 0.1,
                "backoff_cap_seconds": 0.5}, "drill", now)
            config.add_route(s, "project.*", "main", "json-passthrough@1", True, "drill", now)
            config.add_route(s, "party.*", "poison", "json-passthrough@1", True, "drill", now)
            s.commit()

    # -- processes -----------------------------------------------------------------------------

    def _spawn(self, *args: str, name: str) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("ab")
        return subprocess.Popen([sys.executable, "-m", "adapters.cli", *args], cwd=ROOT,
                                env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", "--concurrency", "2", name="worker")

    def kill_worker(self) -> None:
        """SIGKILL the whole worker: the Celery parent and both child processes."""
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.worker = None

    def start_relay(self) -> None:
        self.relay = self._spawn("relay", name="relay")

    def _stop(self, proc: subprocess.Popen[bytes] | None) -> None:
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def close(self) -> None:
        self._stop(self.worker)
        self._stop(self.relay)
        self.peer.stop()
        self.container.close()
        try:
            conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1"))
            channel = conn.channel()
            for q in (self.queue, f"{self.queue}.dead"):
                channel.queue_delete(q)
            conn.close()
        except pika.exceptions.AMQPError:
            pass  # the broker drill may have left it down; the queues are uniquely named
        drop_database(self.db_url)

    # -- traffic -------------------------------------------------------------------------------

    def emit(self, count: int, keys: int, start: int = 0, per_second: float | None = None,
             poison: bool = False) -> None:
        """Commit ``count`` project events spread over ``keys`` ordering keys."""
        for n in range(start, start + count):
            with lenient_uow(self.container) as uow:  # placeholder payloads
                uow.emit(DomainEvent(EventType.PROJECT_UPDATED, "project", str(n),
                                     f"project:{n % keys}", {"n": n}), "drill")
                if poison and n == start:
                    uow.emit(DomainEvent(EventType.PARTY_UPDATED, "party", "poison",
                                         "party:poison", {"poison": True}), "drill")
                uow.commit()
            if per_second:
                time.sleep(1 / per_second)

    def emit_in_background(self, count: int, keys: int, per_second: float,
                           start: int = 0) -> threading.Thread:
        t = threading.Thread(target=self.emit, args=(count, keys, start, per_second),
                             daemon=True)
        t.start()
        return t

    # -- verdict -------------------------------------------------------------------------------

    def open_count(self) -> int:
        """Open deliveries plus unrelayed events, read in one statement: two statements see two
        snapshots, and a relay committing between them makes its events vanish from both."""
        open_ = (select(func.count()).select_from(Delivery)
                 .where(Delivery.status.in_(OPEN)).scalar_subquery())
        unrelayed = (select(func.count()).select_from(OutboxEvent)
                     .where(OutboxEvent.relayed_at.is_(None)).scalar_subquery())
        with self.container.session_factory() as s:
            return int(s.scalar(select(open_ + unrelayed)) or 0)

    def wait_settled(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.open_count() > 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.open_count()} deliveries still open after "
                                     f"{timeout}s\n{self.logs()}")
            time.sleep(0.5)

    def logs(self, tail: int = 3000) -> str:
        parts = []
        for name in ("worker", "relay"):
            path = self.workdir / f"{name}.log"
            if path.exists():
                parts.append(f"--- {name}.log ---\n{path.read_text(errors='replace')[-tail:]}")
        return "\n".join(parts)

    def verdict(self) -> Verdict:
        with self.container.session_factory() as s:
            rows = s.execute(select(Delivery.id, Delivery.target, Delivery.status,
                                    Delivery.last_error)).all()
        delivered = sum(1 for r in rows if r.target == "main" and r.status == "delivered")
        parked = {r.id: r.last_error or "" for r in rows if r.status == "parked"}
        stats = self.peer.control.stats()["by_channel"].get("main", {})
        return Verdict(delivered, parked, stats.get("accepted", 0), stats.get("duplicates", 0),
                       self.order_violations())

    def order_violations(self) -> list[str]:
        """Per ordering key, accepted messages must arrive in sequence order."""
        last: dict[str, int] = defaultdict(int)
        bad = []
        for m in self.peer.control.iter_messages(channel="main"):
            key, seq = m.get("ordering_key"), int(m.get("sequence") or 0)
            if key is None:
                continue
            if seq < last[key]:
                bad.append(f"{key}: {seq} after {last[key]}")
            last[key] = max(last[key], seq)
        return bad


def peer_messages_fields(cluster: Cluster) -> list[dict[str, Any]]:
    return list(cluster.peer.control.iter_messages(channel="main"))
