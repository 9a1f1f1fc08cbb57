"""One recording peer process for the sandbox tests, wiped before each test.

Tests that stop, kill or restart the peer start their own (see test_sandbox_recorder_restart).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.recorder import RecordingPeerProcess


@pytest.fixture(scope="session")
def shared_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecordingPeerProcess]:
    store = Path(tmp_path_factory.mktemp("recorder")) / "peer.db"
    with RecordingPeerProcess(store) as peer:
        yield peer


@pytest.fixture
def peer(shared_peer: RecordingPeerProcess) -> RecordingPeerProcess:
    """The shared peer with no records and no armed faults."""
    if not shared_peer.running:  # a test that took it down should not spoil the next one
        shared_peer.start()
    shared_peer.control.reset()
    return shared_peer


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as c:
        yield c


def deliver(client: httpx.Client, peer: RecordingPeerProcess, channel: str, key: str | None,
            body: bytes = b'{"n": 1}', **headers: str) -> httpx.Response:
    """POST one HTTP delivery; ``headers`` as keyword arguments with _ for -."""
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    if key is not None:
        sent["Idempotency-Key"] = key
    sent.setdefault("content-type", "application/json")
    return client.post(peer.http_url(channel), content=body, headers=sent)
