"""Fault modes: the next N data calls misbehave exactly as armed, then service is normal again.

Each test checks what a client sees (a status, a timeout, a reset connection, a body it cannot
read), that the faulted calls were not accepted (except ``slow``), and that the call after the
N-th is served normally.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
import zeep
import zeep.exceptions

from sandbox.recorder import RecordingPeerProcess
from tests.sandbox.conftest import deliver


def assert_normal_again(peer: RecordingPeerProcess, client: httpx.Client, channel: str,
                        key: str) -> None:
    answer = deliver(client, peer, channel, key)
    assert answer.status_code == 200
    assert answer.json()["status"] == "accepted"


def counts(peer: RecordingPeerProcess) -> tuple[int, int, int]:
    stats = peer.control.stats()
    return stats["accepted"], stats["duplicates"], stats["faults_injected"]


def test_http500_for_n_calls(peer: RecordingPeerProcess, client: httpx.Client) -> None:
    peer.control.arm("http500", 3)
    for i in range(3):
        answer = deliver(client, peer, "notices", f"k-{i}")
        assert answer.status_code == 500
        assert answer.json()["code"] == "INJECTED_FAULT"
    assert counts(peer) == (0, 0, 3)
    assert_normal_again(peer, client, "notices", "k-0")
    assert counts(peer) == (1, 0, 3)


def test_timeout_the_client_gives_up_and_nothing_is_recorded(
        peer: RecordingPeerProcess, client: httpx.Client) -> None:
    peer.control.arm("timeout", 2, delay_seconds=2)
    for i in range(2):
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            client.post(peer.http_url("notices"), content=b"{}",
                        headers={"Idempotency-Key": f"t-{i}"}, timeout=0.3)
        assert time.monotonic() - started < 1.5
    assert_normal_again(peer, client, "notices", "t-0")
    assert counts(peer) == (1, 0, 2)


def test_timeout_a_patient_client_gets_504(peer: RecordingPeerProcess,
                                           client: httpx.Client) -> None:
    peer.control.arm("timeout", 1, delay_seconds=0.3)
    answer = deliver(client, peer, "notices", "t-1")
    assert answer.status_code == 504
    assert counts(peer) == (0, 0, 1)


def test_slow_answers_correctly_late_and_records(peer: RecordingPeerProcess,
                                                 client: httpx.Client) -> None:
    peer.control.arm("slow", 2, delay_seconds=0.4)
    for i in range(2):
        started = time.monotonic()
        answer = deliver(client, peer, "notices", f"s-{i}")
        assert time.monotonic() - started >= 0.4
        assert answer.status_code == 200
        assert answer.json()["status"] == "accepted"
    started = time.monotonic()
    assert_normal_again(peer, client, "notices", "s-2")
    assert time.monotonic() - started < 0.4
    assert counts(peer) == (3, 0, 2)


def test_slow_answer_after_the_client_gave_up_makes_its_retry_a_counted_repeat(
        peer: RecordingPeerProcess, client: httpx.Client) -> None:
    """The exactly-once-in-effect case: delivered, answer lost, retried, dropped as a repeat."""
    peer.control.arm("slow", 1, delay_seconds=1.0)
    with pytest.raises(httpx.ReadTimeout):
        client.post(peer.http_url("awards"), content=b"{}",
                    headers={"Idempotency-Key": "award-1"}, timeout=0.3)
    retry = deliver(client, peer, "awards", "award-1")
    assert retry.json()["status"] == "duplicate"
    assert counts(peer) == (1, 1, 1)


def test_reset_drops_the_connection_without_an_answer(peer: RecordingPeerProcess,
                                                      client: httpx.Client) -> None:
    assert_normal_again(peer, client, "notices", "warm-up")  # a kept-alive connection is reset
    peer.control.arm("reset", 2)
    for i in range(2):
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as caught:
            deliver(client, peer, "notices", f"r-{i}")
        assert not isinstance(caught.value, httpx.TimeoutException)
    assert_normal_again(peer, client, "notices", "r-0")
    assert counts(peer) == (2, 0, 2)


def test_reset_is_a_tcp_reset(peer: RecordingPeerProcess) -> None:
    """Below httpx: the socket read fails with ECONNRESET, not an orderly close."""
    import socket

    peer.control.arm("reset", 1)
    with socket.create_connection((peer.host, peer.port), timeout=2) as sock:
        sock.sendall(b"POST /http/notices HTTP/1.1\r\nHost: x\r\nIdempotency-Key: raw\r\n"
                     b"Content-Length: 2\r\n\r\n{}")
        with pytest.raises(ConnectionResetError):
            sock.recv(1024)


def test_malformed_answer_is_200_with_an_unreadable_body(peer: RecordingPeerProcess,
                                                         client: httpx.Client) -> None:
    peer.control.arm("malformed", 2)
    for i in range(2):
        answer = deliver(client, peer, "notices", f"m-{i}")
        assert answer.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            answer.json()
    assert_normal_again(peer, client, "notices", "m-0")
    assert counts(peer) == (1, 0, 2)


def test_retry_after_is_503_with_the_header(peer: RecordingPeerProcess,
                                            client: httpx.Client) -> None:
    peer.control.arm("retry_after", 2, retry_after_seconds=7)
    for i in range(2):
        answer = deliver(client, peer, "notices", f"ra-{i}")
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "7"
    assert_normal_again(peer, client, "notices", "ra-0")
    assert counts(peer) == (1, 0, 2)


def test_a_plan_for_one_channel_leaves_the_others_alone(peer: RecordingPeerProcess,
                                                        client: httpx.Client) -> None:
    peer.control.arm("http500", 1, channel="bank")
    assert deliver(client, peer, "notices", "c-1").status_code == 200
    assert deliver(client, peer, "bank", "c-1").status_code == 500
    assert deliver(client, peer, "bank", "c-1").status_code == 200
    stats = peer.control.stats()
    assert stats["by_channel"]["bank"] == {"accepted": 1, "duplicates": 0, "faults_injected": 1}
    assert stats["by_channel"]["notices"]["faults_injected"] == 0


def test_plans_run_in_the_order_they_were_armed(peer: RecordingPeerProcess,
                                                client: httpx.Client) -> None:
    peer.control.arm("http500", 2)
    peer.control.arm("retry_after", 1)
    assert len(peer.control.faults()["pending"]) == 2
    statuses = [deliver(client, peer, "notices", "q").status_code for _ in range(4)]
    assert statuses == [500, 500, 503, 200]
    injected = peer.control.faults()
    assert injected["pending"] == []
    assert [f["mode"] for f in injected["injected"]] == ["http500", "http500", "retry_after"]


def test_refused_calls_do_not_use_up_a_plan(peer: RecordingPeerProcess,
                                            client: httpx.Client) -> None:
    peer.control.arm("http500", 1)
    assert deliver(client, peer, "notices", None).status_code == 400
    assert deliver(client, peer, "notices", "k").status_code == 500


def test_disarm(peer: RecordingPeerProcess, client: httpx.Client) -> None:
    peer.control.arm("http500", 10)
    peer.control.disarm()
    assert deliver(client, peer, "notices", "k").status_code == 200


# -- the same faults through the SOAP door, as zeep sees them ---------------------------------

def soap_client(peer: RecordingPeerProcess, timeout: float = 5) -> zeep.Client:
    transport = zeep.Transport(timeout=timeout, operation_timeout=timeout)
    return zeep.Client(peer.wsdl_url("soapfaults"), transport=transport,
                       settings=zeep.Settings(forbid_dtd=True))


def test_soap_faults_as_zeep_sees_them(peer: RecordingPeerProcess) -> None:
    service = soap_client(peer).service  # the WSDL fetch is not a data call
    peer.control.arm("http500", 1, transport="soap")
    with pytest.raises(zeep.exceptions.Fault) as fault:
        service.Deliver(idempotencyKey="z", payload="p")
    assert fault.value.code == "soap:Server"

    peer.control.arm("retry_after", 1, retry_after_seconds=3)
    with pytest.raises(zeep.exceptions.TransportError) as transport_error:
        service.Deliver(idempotencyKey="z", payload="p")
    assert transport_error.value.status_code == 503

    peer.control.arm("malformed", 1)
    with pytest.raises(zeep.exceptions.TransportError) as unreadable:
        service.Deliver(idempotencyKey="z", payload="p")
    assert unreadable.value.status_code == 200
    assert "invalid XML" in unreadable.value.message

    peer.control.arm("reset", 1)
    import requests  # zeep's HTTP library

    with pytest.raises(requests.ConnectionError):
        service.Deliver(idempotencyKey="z", payload="p")

    peer.control.arm("slow", 1, delay_seconds=0.3)
    assert service.Deliver(idempotencyKey="z", payload="p").status == "accepted"
    assert service.Deliver(idempotencyKey="z", payload="p").status == "duplicate"
    assert counts(peer) == (1, 1, 5)


def test_soap_timeout_as_zeep_sees_it(peer: RecordingPeerProcess) -> None:
    service = soap_client(peer, timeout=0.3).service
    peer.control.arm("timeout", 1, delay_seconds=2)
    import requests

    with pytest.raises(requests.Timeout):
        service.Deliver(idempotencyKey="zt", payload="p")
    assert service.Deliver(idempotencyKey="zt", payload="p").status == "accepted"
