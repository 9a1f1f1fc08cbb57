"""Exchange benchmark: 10,000 events end to end through PostgreSQL, RabbitMQ and 2 Celery worker
processes to a loopback peer; the raw baseline (pika publish + consume + the same HTTP call) in
the same run against the same peer; latency at a steady 200 events/s; the embedded mode's rate;
and the CPU each delivery costs.

The peer is the sink (``sandbox/sink.py``: several processes, no persistence), whose own
capacity is measured first and printed beside the rest, so the hub's rate is read against a
peer that is not its ceiling. The recording peer (SQLite per request) was that ceiling for the
hub and its raw baseline alike.

    .venv/bin/python -m tests.bench.bench_exchange [--events 10000] [--steady-seconds 15]

Prints figures, never asserts them: targets are read off the table (≥ 1,000 deliveries/s,
≥ 0.5 of raw, p99 < 1 s at 200/s). The figures are also written as JSON under var/bench/.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pika
from sqlalchemy import func, select

from adapters.bootstrap import Container, build
from adapters.config import load_settings
from adapters.db.migrate import upgrade
from core.events import DomainEvent, EventType
from exchange import config
from exchange.model import Delivery
from sandbox.recorder import free_port
from sandbox.sink import SinkProcess
from tests.bench.cpu import CpuMeter, named
from tests.bench.results import Results
from tests.conftest import lenient_uow
from tests.faults.cluster import Cluster

KEYS = 1000  # ordering keys (projects); 10 events per key at 10,000 events


def emit(container: Container, count: int, start: int = 0, per_second: float | None = None,
         batch: int = 100) -> None:
    step = 1 if per_second else batch
    n = start
    t0 = time.perf_counter()
    while n < start + count:
        with lenient_uow(container) as uow:  # placeholder payloads: what is sent is not the point
            for i in range(n, min(n + step, start + count)):
                uow.emit(DomainEvent(EventType.PROJECT_UPDATED, "project", str(i),
                                     f"project:{i % KEYS}", {"n": i, "pad": "x" * 200}),
                         "bench")
            uow.commit()
        n += step
        if per_second:
            wait = t0 + (n - start) / per_second - time.perf_counter()
            if wait > 0:
                time.sleep(wait)


def wait_delivered(container: Container, total: int, timeout: float = 600) -> float:
    deadline = time.monotonic() + timeout
    while True:
        with container.session_factory() as s:
            done = s.scalar(select(func.count()).select_from(Delivery)
                            .where(Delivery.status == "delivered")) or 0
        if done >= total:
            return time.perf_counter()
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done}/{total} delivered after {timeout}s")
        time.sleep(0.05)


def latencies(container: Container, since_id: int = 0) -> list[float]:
    with container.session_factory() as s:
        rows = s.execute(select(Delivery.committed_at, Delivery.delivered_at)
                         .where(Delivery.id > since_id, Delivery.status == "delivered")).all()
    return sorted((d - c).total_seconds() for c, d in rows)


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


# -- the peer alone -----------------------------------------------------------------------------

BODY = json.dumps({"n": 0, "pad": "x" * 200}).encode()


def _load_client(url: str, count: int, done: Any) -> None:
    client = httpx.Client()
    for i in range(count):
        client.post(url, content=BODY, headers={"Idempotency-Key": f"cap-{os.getpid()}-{i}",
                                                "Content-Type": "application/json"})
    done.set()


def peer_capacity(peer: SinkProcess, count: int, clients: int) -> float:
    """The peer alone: ``clients`` processes posting the hub's kind of request back to back
    (keep-alive, one at a time each, as a delivery worker does): requests/s."""
    before = peer.accepted()
    done = [multiprocessing.Event() for _ in range(clients)]
    procs = [multiprocessing.Process(target=_load_client,
                                     args=(peer.http_url("capacity"), count // clients, d))
             for d in done]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - t0
    assert peer.accepted() - before == clients * (count // clients)
    return clients * (count // clients) / elapsed


# -- raw baseline --------------------------------------------------------------------------------

def _raw_consumer(queue: str, url: str, ready: Any) -> None:
    client = httpx.Client()
    conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1"))
    ch = conn.channel()
    ch.basic_qos(prefetch_count=1)

    def on_message(chan: Any, method: Any, props: Any, body: bytes) -> None:
        msg = json.loads(body)
        client.post(url, content=body, headers={"Idempotency-Key": msg["key"],
                                                "Content-Type": "application/json"})
        chan.basic_ack(method.delivery_tag)

    ch.basic_consume(queue, on_message)
    ready.set()
    with contextlib.suppress(KeyboardInterrupt, pika.exceptions.AMQPError):
        ch.start_consuming()


def raw_baseline(peer: SinkProcess, count: int) -> float:
    """pika publish (with confirms) + consume by 2 processes + the same HTTP POST: msgs/s."""
    queue = f"ggzy.bench.raw.{secrets.token_hex(3)}"
    conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1"))
    ch = conn.channel()
    ch.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    ch.confirm_delivery()
    url = peer.http_url("raw")
    before = peer.accepted()
    ready = [multiprocessing.Event() for _ in range(2)]
    workers = [multiprocessing.Process(target=_raw_consumer, args=(queue, url, r), daemon=True)
               for r in ready]
    for w in workers:
        w.start()
    for r in ready:
        r.wait(30)
    t0 = time.perf_counter()
    for i in range(count):
        body = json.dumps({"key": f"raw-{queue}-{i}", "n": i, "pad": "x" * 200}).encode()
        ch.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2))
    while peer.accepted() < before + count:
        time.sleep(0.05)
    elapsed = time.perf_counter() - t0
    for w in workers:
        w.terminate()
    ch.queue_delete(queue)
    conn.close()
    return count / elapsed


# -- embedded ------------------------------------------------------------------------------------

def embedded_rate(peer: SinkProcess, count: int) -> float:
    from adapters.exchange_runtime import embedded_engine

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"GGZY_VAR_DIR": tmp})
        upgrade(settings.database_url)
        c = build(settings)
        with c.session_factory() as s:
            config.upsert_target(s, "peer", {"kind": "http_json",
                                              "endpoint": peer.http_url("embedded")},
                                 "bench", c.clock.now())
            config.add_route(s, "*", "peer", "json-passthrough@1", True, "bench", c.clock.now())
            s.commit()
        engine = embedded_engine(c)
        engine.start()
        t0 = time.perf_counter()
        emit(c, count)
        t1 = wait_delivered(c, count)
        engine.stop()
        c.close()
    return count / (t1 - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--steady-seconds", type=float, default=15.0)
    parser.add_argument("--embedded-events", type=int, default=3_000)
    parser.add_argument("--peer-processes", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            SinkProcess(free_port(), processes=args.peer_processes) as sink:
        capacity_2 = peer_capacity(sink, args.events, clients=2)
        capacity_8 = peer_capacity(sink, args.events, clients=8)
        cluster = Cluster(Path(tmp), main_endpoint=sink.http_url("main"))
        try:
            cluster.start_relay()
            cluster.start_worker()
            time.sleep(3)  # workers connected
            c = cluster.container
            assert cluster.relay is not None and cluster.worker is not None
            hub = [cluster.relay.pid, cluster.worker.pid]
            meter = CpuMeter({"hub": lambda: hub,
                              "services": lambda: named("postgres", "beam.smp"),
                              "peer": lambda: sink.pids})
            accepted_before = sink.accepted()
            meter.start()
            emitter_before = time.process_time()
            t0 = time.perf_counter()
            emit(c, args.events)
            t1 = wait_delivered(c, args.events)
            emitter_cpu = time.process_time() - emitter_before
            cpu = meter.stop()
            rate = args.events / (t1 - t0)
            accepted = sink.accepted() - accepted_before
            burst = latencies(c)
            with c.session_factory() as s:
                last_id = s.scalar(select(func.max(Delivery.id))) or 0
            steady_n = int(200 * args.steady_seconds)
            emit(c, steady_n, start=args.events, per_second=200)
            wait_delivered(c, args.events + steady_n)
            steady = latencies(c, last_id)
            raw = raw_baseline(sink, args.events)
            embedded = embedded_rate(sink, args.embedded_events)
        finally:
            cluster.close()
    per_k = {name: seconds / args.events * 1000 for name, seconds in cpu.items()}
    rows = [
        (f"peer alone (sink, {args.peer_processes} processes), 2 clients req/s",
         f"{capacity_2:,.0f}"),
        ("peer alone, 8 clients req/s", f"{capacity_8:,.0f}"),
        ("events end to end (PostgreSQL + RabbitMQ + 2 workers)", f"{args.events}"),
        ("deliveries/s", f"{rate:,.0f}   (target ≥ 1,000; peer alone {capacity_2:,.0f})"),
        ("raw baseline msgs/s (pika + same HTTP call, same peer)", f"{raw:,.0f}"),
        ("ratio ggzy / raw", f"{rate / raw:.2f}   (target ≥ 0.5)"),
        ("burst latency commit→ack p50 / p99",
         f"{pct(burst, .5):.3f} s / {pct(burst, .99):.3f} s"),
        (f"steady 200/s for {args.steady_seconds:.0f} s: p50 / p99 / max",
         f"{pct(steady, .5):.3f} s / {pct(steady, .99):.3f} s / {max(steady):.3f} s"
         "   (target p99 < 1 s)"),
        ("CPU s per 1,000 deliveries: hub (relay + workers)", f"{per_k['hub']:.2f}"),
        ("  … emitter (committing the events)", f"{emitter_cpu / args.events * 1000:.2f}"),
        ("  … PostgreSQL + RabbitMQ", f"{per_k['services']:.2f}"),
        ("  … peer", f"{per_k['peer']:.2f}"),
        ("peer: POSTs answered during the burst", f"{accepted}"),
        (f"embedded mode (SQLite, in-process) deliveries/s, {args.embedded_events} events",
         f"{embedded:,.0f}"),
    ]
    width = max(len(k) for k, _ in rows)
    print("\nexchange benchmark (" + os.uname().nodename + f", {os.cpu_count()} cores)")
    for k, v in rows:
        print(f"  {k.ljust(width)}  {v}")
    sys.stdout.flush()
    with Results("exchange", context={"events": args.events,
                                      "peer_processes": args.peer_processes}) as results:
        results.record("peer capacity, 2 clients", capacity_2, "requests/s")
        results.record("peer capacity, 8 clients", capacity_8, "requests/s")
        results.record("deliveries end to end", rate, "deliveries/s", baseline=raw,
                       baseline_name="pika publish + consume + the same HTTP call",
                       note=f"peer alone: {capacity_2:.0f} requests/s")
        results.record("burst latency p99", pct(burst, .99), "s")
        results.record("steady 200/s latency p99", pct(steady, .99), "s")
        for name, value in per_k.items():
            results.record(f"CPU per 1,000 deliveries: {name}", value, "s")
        results.record("CPU per 1,000 deliveries: emitter",
                       emitter_cpu / args.events * 1000, "s")
        results.record("embedded deliveries", embedded, "deliveries/s")


if __name__ == "__main__":
    main()
