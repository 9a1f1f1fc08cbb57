"""How fast one sequential client can deliver to the peer: printed, not asserted.

The benchmark pushes ~10,000 messages at 1,000/s or more through the peer with several
workers; a single sequential httpx client mostly measures the client. The number is shown so a
slowdown of the peer's request path is noticed.
"""

from __future__ import annotations

import time

import httpx
import pytest

from sandbox.recorder import RecordingPeerProcess


def test_sequential_http_delivery_rate(peer: RecordingPeerProcess,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    count = 2000
    body = b'{"notice": "tender", "section_codes": ["E3501000001000001001001"]}'
    with httpx.Client(timeout=5) as client:
        url = peer.http_url("throughput")
        client.post(url, content=body, headers={"Idempotency-Key": "warm-up"})
        started = time.perf_counter()
        for i in range(count):
            answer = client.post(url, content=body, headers={"Idempotency-Key": f"t-{i}",
                                                             "X-Sequence": str(i)})
            assert answer.status_code == 200
        elapsed = time.perf_counter() - started
    assert peer.control.stats()["by_channel"]["throughput"]["accepted"] == count + 1
    with capsys.disabled():
        print(f"\nrecording peer: {count} sequential HTTP deliveries in {elapsed:.2f} s = "
              f"{count / elapsed:,.0f}/s (one httpx client, keep-alive)")
