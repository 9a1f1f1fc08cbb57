"""Start the recording peer as a subprocess, and take it down and back up, for tests and drills.

The "peer down for a minute and back" drill needs a peer that really goes away: its port closed,
its process gone, in-flight connections broken. So the peer runs as a child process on a fixed
port with a fixed store; ``stop()`` (SIGTERM) and ``kill()`` (SIGKILL) end it, and ``start()``
brings it back on the same port and the same SQLite file, records intact.

Standard library only, like ``control``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from sandbox.recorder.control import PeerControl

ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class RecordingPeerProcess:
    """A recording peer in a child process; a context manager that stops it on exit.

    ``store`` is the SQLite file (kept across restarts); the log of every run is appended to
    ``log_path`` (default: next to the store, ``.log``).
    """

    def __init__(self, store: str | Path, *, host: str = "127.0.0.1", port: int | None = None,
                 log_path: str | Path | None = None, startup_timeout: float = 20.0,
                 extra_args: tuple[str, ...] = ()) -> None:
        self.store = Path(store)
        self.host = host
        self.port = port if port is not None else free_port(host)
        self.log_path = Path(log_path) if log_path else self.store.with_suffix(".log")
        self.startup_timeout = startup_timeout
        self.extra_args = extra_args
        self.control = PeerControl(self.base_url)
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # -- addresses -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def http_url(self, channel: str) -> str:
        return f"{self.base_url}/http/{channel}"

    def soap_url(self, channel: str) -> str:
        return f"{self.base_url}/soap/{channel}"

    def wsdl_url(self, channel: str) -> str:
        return f"{self.base_url}/soap/{channel}?wsdl"

    # -- life cycle ----------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the peer and return once it answers its health check."""
        if self.running:
            raise RuntimeError(f"the recording peer is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        command = [sys.executable, "-m", "sandbox.recording_peer", "--host", self.host,
                   "--port", str(self.port), "--store", str(self.store), *self.extra_args]
        self._proc = subprocess.Popen(  # noqa: S603 - runs our own module
            command, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ})
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the recording peer exited with {self._proc.returncode}:\n"
                                   + self._log_tail())
            try:
                # The pid check makes sure it is this process answering, not one left behind.
                if self.control.health(timeout=1.0).get("pid") == self._proc.pid:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"the recording peer did not come up on {self.base_url} "
                                   f"within {self.startup_timeout:g} s:\n" + self._log_tail())
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, as an orderly shutdown; SIGKILL if it has not gone after ``timeout``."""
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        return self._finish()

    def kill(self) -> int | None:
        """SIGKILL: the peer dies mid-whatever, as in a crash or a pulled plug (minus the disk)."""
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        return self._finish()

    def restart(self) -> None:
        self.stop()
        self.start()

    def _finish(self) -> int | None:
        code = self._proc.returncode if self._proc is not None else None
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def _log_tail(self, size: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-size:].decode("utf-8", errors="replace")
        except OSError:
            return "(no log)"

    def __enter__(self) -> RecordingPeerProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
