"""A real `ggzy serve` process on its own PostgreSQL database, started as an operator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from tests.conftest import create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class LiveServer:
    base: str  # http://127.0.0.1:<port>
    env: dict[str, str]  # the environment the server runs with (database, port, var dir)
    pid: int = 0  # of the `ggzy serve` process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    """Poll ``check`` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.05)


def ggzy(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path,
               seconds: float = 30) -> None:
    """Until /readyz answers 200; fail with the server's log if it dies or never comes up."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("ggzy serve did not come up:\n" + log.read_text())
        time.sleep(0.2)


@contextmanager
def ggzy_serve(env: dict[str, str], log: Path) -> Iterator[str]:
    """`ggzy serve` with ``env``, its output in ``log``; yields its base URL once /readyz answers
    (the port is ``env["GGZY_PORT"]``) and stops it after."""
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{env['GGZY_PORT']}"
        wait_ready(base, proc, log)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def live_server(var_dir: Path, extra_env: dict[str, str] | None = None
                ) -> Iterator[LiveServer]:
    """migrate, demo, serve; wait until /readyz answers; stop and drop the database after."""
    url = create_database()
    port = free_port()
    env = {**os.environ, "GGZY_DATABASE_URL": url, "GGZY_PORT": str(port),
           "GGZY_VAR_DIR": str(var_dir), **(extra_env or {})}
    log = var_dir / "serve.log"
    proc = None
    try:
        ggzy(env, "migrate")
        assert "published" in ggzy(env, "demo").stdout
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=ROOT,
                                    env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, proc, log)
        yield LiveServer(base, env, proc.pid)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        drop_database(url)


@contextmanager
def app_in_thread(app: Any, name: str) -> Iterator[str]:
    """An ASGI app served by uvicorn on a free loopback port from a thread of this process, for
    a test that must reach the app over real HTTP yet hold its container (its clock, its
    database) in hand; yields ``http://127.0.0.1:<port>``, stops the server after."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{name}: uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
