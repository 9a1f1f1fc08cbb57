"""`ggzy serve` and `ggzy demo` on a port another program holds (issue 10 §1).

Seen before: a second clone's `ggzy demo` on a busy port sent its sample tender to the other
clone's server, and `ggzy serve` started delivering before it found the port taken. Both run
here as real processes against a real HTTP server that is not ours.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.live import ROOT, free_port, ggzy_serve

REGISTER_A_PARTY = """
from adapters.bootstrap import build
from adapters.config import load_settings
from adapters.demo import sample_uscc
from core.model.party import PartyKind
from core.services import parties
c = build(load_settings())
with c.uow() as uow:
    parties.register_party(uow, parties.PartyDetails(
        kind=PartyKind.ORGANISATION, name="福州端口测试有限公司", uscc=sample_uscc("MA2YPRT1"),
        region_code="350100", roles=frozenset({"tenderer"})), "port-test", "a long pass phrase")
    uow.commit()
"""


class Foreign(BaseHTTPRequestHandler):
    """Some other program's HTTP server: answers everything, remembers every request."""

    seen: list[str]

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self.seen.append(f"{self.command} {self.path}")
        body = b'{"status": "ok", "instance": "somebody-else"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def foreign_server(port: int) -> Iterator[list[str]]:
    seen: list[str] = []
    handler = type("Recording", (Foreign,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def environment(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GGZY_")}
    env.update({"GGZY_VAR_DIR": str(tmp_path / "var"), "GGZY_PORT": str(port),
                "GGZY_LOG_FORMAT": "json"})
    return env


def ggzy(env: dict[str, str], *args: str, timeout: float = 300
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_demo_refuses_a_foreign_server_on_its_port_and_sends_nothing(tmp_path: Path) -> None:
    port = free_port()
    env = environment(tmp_path, port)
    assert ggzy(env, "migrate").returncode == 0
    with foreign_server(port) as seen:
        done = ggzy(env, "demo")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("error: FOREIGN_SERVER: ")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert seen == ["GET /healthz"]  # asked who it is; sent nothing else
    again = ggzy(env, "demo", timeout=600)  # nothing was loaded: the demo runs whole later
    assert again.returncode == 0, again.stdout + again.stderr
    assert "sample data already loaded" not in again.stdout
    assert "platforms       every record delivered" in again.stdout, again.stdout


def test_demo_goes_on_when_its_own_server_answers(tmp_path: Path) -> None:
    port = free_port()
    env = {**environment(tmp_path, port), "GGZY_SERVE_ENGINE": "no"}
    assert ggzy(env, "migrate").returncode == 0
    with ggzy_serve(env, tmp_path / "serve.log") as base:
        instance = httpx.get(base + "/healthz").json()["instance"]
        assert instance == (tmp_path / "var" / "instance-id").read_text().strip()
        done = ggzy(env, "demo", timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "is our ggzy serve" in done.stdout


def test_serve_on_a_busy_port_says_so_in_one_line_and_delivers_nothing(tmp_path: Path) -> None:
    port = free_port()
    env = environment(tmp_path, port)
    assert ggzy(env, "migrate").returncode == 0
    with foreign_server(port) as seen:
        endpoint = f"http://127.0.0.1:{port}/inbox"
        assert ggzy(env, "targets", "set", "elsewhere", "--endpoint", endpoint).returncode == 0
        assert ggzy(env, "routes", "add", "*", "elsewhere").returncode == 0
        registered = subprocess.run([sys.executable, "-c", REGISTER_A_PARTY], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=120)
        assert registered.returncode == 0, registered.stderr
        done = ggzy(env, "serve", timeout=60)
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.startswith("error: ADDRESS_IN_USE: ")
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert seen == []  # the engine never started: the party.registered event went nowhere
