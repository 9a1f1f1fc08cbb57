"""A sink peer for benchmarks: answers every POST ``200 {}`` at once and keeps nothing.

The recording peer stores every message in SQLite, one request at a time, so in a benchmark it
is the ceiling of the hub and of its raw baseline alike, and neither figure shows what the hub
itself costs. The sink is the other end of that scale: several processes share one listening
socket, each an asyncio HTTP/1.1 loop with keep-alive that reads the body and answers without
looking at it. All it counts is how many POSTs it answered (one counter in shared memory), and
``GET /_stats`` says so. It is no stand-in for a platform: it checks nothing, records nothing
and never fails — the benchmark measures its capacity alone first, so a reader can see how far
from it the hub runs.

    python -m sandbox.sink --port 8765 --processes 2

Standard library only; it shares no code with the project.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[1]
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
MAX_HEADER_BYTES = 64 * 1024


def _answer_stats(count: int) -> bytes:
    body = json.dumps({"accepted": count}).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                            accepted: Synchronized[int]) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if len(head) > MAX_HEADER_BYTES:
                break
            lines = head.decode("latin-1").split("\r\n")
            method = lines[0].split(" ", 1)[0]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            if method == "POST":
                with accepted.get_lock():
                    accepted.value += 1
                writer.write(ANSWER)
            else:
                writer.write(_answer_stats(accepted.value))
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
            ValueError):
        pass
    finally:
        writer.close()


def _worker(sock: socket.socket, accepted: Synchronized[int]) -> None:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    async def run() -> None:
        server = await asyncio.start_server(
            lambda r, w: _serve_connection(r, w, accepted), sock=sock, limit=MAX_HEADER_BYTES)
        async with server:
            await server.serve_forever()

    asyncio.run(run())


def serve(host: str, port: int, processes: int) -> None:
    sock = socket.create_server((host, port), backlog=1024)
    context = multiprocessing.get_context("fork")
    accepted: Synchronized[int] = context.Value("Q", 0)
    workers = [context.Process(target=_worker, args=(sock, accepted), daemon=True)
               for _ in range(processes)]
    for w in workers:
        w.start()

    def stop(*_: object) -> None:
        for w in workers:
            w.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for w in workers:
        w.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    serve(args.host, args.port, args.processes)


class SinkProcess:
    """The sink in a child process group, for the benchmark: ``accepted()`` reads its counter."""

    def __init__(self, port: int, processes: int = 2, host: str = "127.0.0.1") -> None:
        self.host, self.port, self.processes = host, port, processes
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def http_url(self, channel: str) -> str:
        return f"{self.base_url}/http/{channel}"

    @property
    def pids(self) -> list[int]:
        """The parent and its worker processes, for CPU accounting."""
        if self._proc is None:
            return []
        children = Path(f"/proc/{self._proc.pid}/task/{self._proc.pid}/children")
        found = children.read_text().split() if children.exists() else []
        return [self._proc.pid, *map(int, found)]

    def accepted(self) -> int:
        # our own loopback http:// address, never a caller's
        with urllib.request.urlopen(f"{self.base_url}/_stats", timeout=5) as r:  # noqa: S310
            return int(json.loads(r.read())["accepted"])

    def start(self, timeout: float = 20.0) -> None:
        self._proc = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [sys.executable, "-m", "sandbox.sink", "--host", self.host, "--port", str(self.port),
             "--processes", str(self.processes)], cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.accepted()
                return
            except OSError:
                if time.monotonic() > deadline or self._proc.poll() is not None:
                    raise RuntimeError("the sink peer did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            self._proc.wait(timeout=10)
        self._proc = None

    def __enter__(self) -> SinkProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


if __name__ == "__main__":
    main()
