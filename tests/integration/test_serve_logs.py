"""What the terminal of `make run` shows (issue 10 §1): a readable line per event on a terminal,
JSON lines when the output is a pipe or a file, uvicorn's access log included. `ggzy serve` runs
as a real process, once on a pseudo-terminal and once on a file."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.test_serve_port import environment, ggzy
from tests.live import ROOT, free_port, wait_ready


def _read_until(fd: int, needle: str, seconds: float = 20) -> str:
    out = b""
    deadline = time.monotonic() + seconds
    while needle.encode() not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out.decode(errors="replace")


def test_on_a_terminal_each_event_is_one_readable_line(tmp_path: Path) -> None:
    port = free_port()
    env = {**environment(tmp_path, port), "GGZY_SERVE_ENGINE": "no"}
    env.pop("GGZY_LOG_FORMAT")
    assert ggzy(env, "migrate").returncode == 0
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=child, stderr=child)
    os.close(child)
    try:
        base = f"http://127.0.0.1:{port}"
        _read_until(main, "Uvicorn running")
        assert httpx.get(base + "/healthz").status_code == 200
        text = _read_until(main, "GET /healthz")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        os.close(main)
    lines = [line for line in text.splitlines() if line.strip()]
    access = [line for line in lines if "GET /healthz" in line]
    assert access, text
    assert "uvicorn.access" in access[0] and '"GET /healthz HTTP/1.1" 200' in access[0]
    assert access[0][8:14] == "+08:00"  # Beijing time, with its offset
    assert not any(line.lstrip().startswith("{") for line in lines), text


def test_on_a_pipe_every_log_line_is_json(tmp_path: Path) -> None:
    port = free_port()
    env = {**environment(tmp_path, port), "GGZY_SERVE_ENGINE": "no"}
    env.pop("GGZY_LOG_FORMAT")
    assert ggzy(env, "migrate").returncode == 0
    log = tmp_path / "serve.err"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, proc, log)
        assert httpx.get(base + "/healthz").status_code == 200
        time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    access = [e for e in entries if e["logger"] == "uvicorn.access"
              and "GET /healthz" in e["message"]]
    assert access and access[0]["level"] == "INFO"
