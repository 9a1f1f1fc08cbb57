"""The benchmark's sink peer answers every POST at once and counts them, across its processes."""

from __future__ import annotations

import socket

import httpx

from sandbox.recorder import free_port
from sandbox.sink import SinkProcess


def test_every_post_is_answered_and_counted_once() -> None:
    with SinkProcess(free_port(), processes=2) as sink:
        assert len(sink.pids) == 3  # the parent and its two workers
        with httpx.Client() as one, httpx.Client() as other:  # two keep-alive connections
            for i in range(50):
                client = one if i % 2 else other
                r = client.post(sink.http_url("x"), content=b'{"n": %d}' % i,
                                headers={"Content-Type": "application/json"})
                assert (r.status_code, r.json()) == (200, {})
            assert one.get(f"{sink.base_url}/_stats").json() == {"accepted": 50}
        assert sink.accepted() == 50


def test_a_request_cut_short_is_not_counted() -> None:
    with SinkProcess(free_port(), processes=1) as sink:
        with socket.create_connection((sink.host, sink.port)) as s:
            s.sendall(b"POST /http/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}")
        assert httpx.post(sink.http_url("x"), content=b"{}").status_code == 200
        assert sink.accepted() == 1  # the whole request only
