"""Fault drills: the peer goes down (killed or stopped) and comes back on the same port and file.

Each test runs its own peer process, since it takes it down.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import zeep

from sandbox.recorder import RecordingPeerProcess
from tests.sandbox.conftest import deliver


@pytest.fixture
def own_peer(tmp_path: Path) -> Iterator[RecordingPeerProcess]:
    peer = RecordingPeerProcess(tmp_path / "drill.db")
    peer.start()
    try:
        yield peer
    finally:
        peer.kill()


def test_records_survive_kill_9_and_a_restart_on_the_same_port(
        own_peer: RecordingPeerProcess, client: httpx.Client) -> None:
    peer = own_peer
    ids = [deliver(client, peer, "projects", f"k-{i}", f'{{"i": {i}}}'.encode(),
                   X_Sequence=str(i)).json()["id"] for i in range(50)]
    deliver(client, peer, "projects", "k-0")  # a repeat, counted
    soap = zeep.Client(peer.wsdl_url("results"), settings=zeep.Settings(forbid_dtd=True))
    soap.service.Deliver(idempotencyKey="s-1", payload="result")
    before = peer.control.stats()
    listing_before = peer.control.messages(include_duplicates=True)
    old_pid, port = peer.pid, peer.port

    peer.kill()  # SIGKILL straight after the last answer: nothing flushed on the way out
    with pytest.raises(httpx.ConnectError):
        deliver(client, peer, "projects", "while-down")

    peer.start()
    assert (peer.pid != old_pid, peer.port) == (True, port)
    assert peer.control.health()["pid"] == peer.pid
    assert peer.control.stats() == before
    assert peer.control.messages(include_duplicates=True) == listing_before
    assert before["by_channel"]["projects"] == {"accepted": 50, "duplicates": 1,
                                                "faults_injected": 0}

    # Dedup holds across the gap; ids go on from where they were.
    again = deliver(client, peer, "projects", "k-7").json()
    assert again == {"status": "duplicate", "id": ids[7]}
    new = deliver(client, peer, "projects", "k-50").json()
    assert new["status"] == "accepted" and new["id"] > max(m["id"] for m in listing_before)
    assert zeep.Client(peer.wsdl_url("results"), settings=zeep.Settings(forbid_dtd=True)
                       ).service.Deliver(idempotencyKey="s-1", payload="r").status == "duplicate"


def test_stop_and_start_keeps_records_and_comes_back_well_behaved(
        own_peer: RecordingPeerProcess, client: httpx.Client) -> None:
    peer = own_peer
    deliver(client, peer, "notices", "a")
    peer.control.arm("http500", 100)
    assert deliver(client, peer, "notices", "b").status_code == 500
    # SIGTERM: an orderly exit (uvicorn re-raises the signal once it has shut down)
    assert peer.stop() in (0, -signal.SIGTERM)
    peer.start()
    # Armed plans lived in memory: a peer back from an outage serves normally.
    assert peer.control.stats()["pending_faults"] == []
    assert deliver(client, peer, "notices", "b").json()["status"] == "accepted"
    stats = peer.control.stats()
    assert (stats["accepted"], stats["faults_injected"]) == (2, 1)


def test_stopping_while_a_call_is_held_drops_that_call_and_does_not_hang(
        own_peer: RecordingPeerProcess) -> None:
    """A peer going down mid-call sends nothing for that call, and goes down promptly."""
    peer = own_peer
    peer.control.arm("timeout", 1, delay_seconds=30)
    outcome: list[BaseException | int] = []

    def call() -> None:
        try:
            with httpx.Client(timeout=10) as c:
                outcome.append(deliver(c, peer, "notices", "held").status_code)
        except httpx.HTTPError as err:
            outcome.append(err)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 5
    while peer.control.stats()["faults_injected"] == 0:  # the call has reached the peer
        assert time.monotonic() < deadline
        time.sleep(0.02)
    started = time.monotonic()
    peer.stop()
    assert time.monotonic() - started < 5
    caller.join(5)
    [result] = outcome
    assert isinstance(result, httpx.ReadError | httpx.RemoteProtocolError), result
