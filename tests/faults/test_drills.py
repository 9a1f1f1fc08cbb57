"""Fault drills with real processes: PostgreSQL, RabbitMQ, `ggzy relay`, two Celery worker
processes and the recording peer. After each drill every event is delivered, each exactly once in
effect (the peer drops repeats by idempotency key and counts them), in order per key, and the
poison message is parked with its reason while the other keys flow.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from tests.faults.cluster import Cluster

OUTAGE_SECONDS = float(os.environ.get("GGZY_DRILL_OUTAGE_SECONDS", "60"))
SETTLE_SECONDS = 180


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(tmp_path)
    c.peer.control.arm("http500", 100_000, channel="poison")  # the poison never gets through
    try:
        yield c
    finally:
        c.close()


def assert_clean(c: Cluster, expected: int) -> None:
    c.wait_settled(SETTLE_SECONDS)
    v = c.verdict()
    print(f"\ndelivered={v.delivered} peer_accepted={v.peer_accepted} "
          f"repeats_dropped_by_peer={v.peer_duplicates} parked={v.parked}")
    assert v.delivered == expected, c.logs()
    assert v.peer_accepted == expected  # nothing lost, nothing applied twice
    assert v.order_violations == []
    assert len(v.parked) == 1, v.parked
    (reason,) = v.parked.values()
    assert reason.startswith("attempts exhausted (3): ")  # HTTP 500, or refused while down


def test_worker_killed_with_sigkill_mid_delivery(cluster: Cluster) -> None:
    cluster.peer.control.arm("slow", 30, delay_seconds=1.0, channel="main")
    cluster.start_relay()
    cluster.start_worker()
    cluster.emit(1, 1, poison=True)
    feeder = cluster.emit_in_background(399, keys=40, per_second=150, start=1)
    time.sleep(2.0)  # deliveries are now held in slow calls
    cluster.kill_worker()
    time.sleep(1.0)
    cluster.start_worker()
    feeder.join(timeout=60)
    assert_clean(cluster, 400)


@pytest.mark.serial
def test_rabbitmq_stopped_and_restarted_while_events_flow(cluster: Cluster) -> None:
    cluster.start_relay()
    cluster.start_worker()
    cluster.emit(1, 1, poison=True)
    feeder = cluster.emit_in_background(399, keys=40, per_second=100, start=1)
    time.sleep(1.0)
    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=120)
    try:
        time.sleep(5.0)
    finally:
        subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True,
                       timeout=120)
    feeder.join(timeout=60)
    assert_clean(cluster, 400)


def test_peer_down_for_a_minute_and_back(cluster: Cluster) -> None:
    cluster.start_relay()
    cluster.start_worker()
    cluster.emit(1, 1, poison=True)
    cluster.emit(50, keys=10, start=1)
    cluster.peer.stop()
    cluster.emit(150, keys=10, start=51)
    time.sleep(OUTAGE_SECONDS)
    cluster.peer.start()
    cluster.peer.control.arm("http500", 100_000, channel="poison")  # faults are not persisted
    assert_clean(cluster, 201)


def test_peer_answers_500_five_times(cluster: Cluster) -> None:
    cluster.peer.control.arm("http500", 5, channel="main")
    cluster.start_relay()
    cluster.start_worker()
    cluster.emit(1, 1, poison=True)
    cluster.emit(99, keys=10, start=1)
    assert_clean(cluster, 100)
    faults = cluster.peer.control.stats()["by_channel"]["main"]["faults_injected"]
    assert faults == 5


@pytest.mark.serial
def test_postgresql_restarted_under_load(cluster: Cluster) -> None:
    cluster.start_relay()
    cluster.start_worker()
    cluster.emit(1, 1, poison=True)
    committed = [1]  # the poison's companion event
    stop = threading.Event()

    def feed() -> None:
        n = 1
        while n < 400 and not stop.is_set():
            try:
                cluster.emit(1, keys=40, start=n)
                committed[0] += 1
                n += 1
            except OperationalError:
                time.sleep(0.2)  # the application sees the outage and tries again
            time.sleep(0.01)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    time.sleep(1.5)
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True, capture_output=True, timeout=120)
    feeder.join(timeout=120)
    stop.set()
    assert_clean(cluster, committed[0])
