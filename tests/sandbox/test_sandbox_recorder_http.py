"""The HTTP door of the recording peer: accepted once per key, repeats counted, order kept."""

from __future__ import annotations

import json

import httpx

from sandbox.recorder import RecordingPeerProcess
from tests.sandbox.conftest import deliver


def test_first_arrival_is_accepted_and_a_repeat_is_counted_not_accepted(
        peer: RecordingPeerProcess, client: httpx.Client) -> None:
    first = deliver(client, peer, "notices", "key-1", b'{"notice": 1}')
    assert first.status_code == 200
    assert first.json() == {"status": "accepted", "id": first.json()["id"]}
    for _ in range(3):
        again = deliver(client, peer, "notices", "key-1", b'{"notice": 1}')
        assert again.status_code == 200
        assert again.json() == {"status": "duplicate", "id": first.json()["id"]}
    other = deliver(client, peer, "notices", "key-2", b'{"notice": 2}')
    assert other.json()["status"] == "accepted"
    assert other.json()["id"] > first.json()["id"]

    stats = peer.control.stats()
    assert (stats["accepted"], stats["duplicates"], stats["faults_injected"]) == (2, 3, 0)
    assert stats["by_channel"] == {"notices": {"accepted": 2, "duplicates": 3,
                                               "faults_injected": 0}}


def test_a_key_is_deduplicated_per_channel(peer: RecordingPeerProcess,
                                           client: httpx.Client) -> None:
    assert deliver(client, peer, "projects", "same").json()["status"] == "accepted"
    assert deliver(client, peer, "sections", "same").json()["status"] == "accepted"
    stats = peer.control.stats()
    assert stats["by_channel"]["projects"]["accepted"] == 1
    assert stats["by_channel"]["sections"]["accepted"] == 1
    assert stats["duplicates"] == 0


def test_missing_idempotency_key_is_refused_with_a_json_error_and_not_recorded(
        peer: RecordingPeerProcess, client: httpx.Client) -> None:
    for key in (None, ""):
        answer = deliver(client, peer, "notices", key)
        assert answer.status_code == 400
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "MISSING_IDEMPOTENCY_KEY"
    too_long = deliver(client, peer, "notices", "k" * 257)
    assert too_long.status_code == 400
    assert too_long.json()["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert peer.control.stats()["accepted"] == 0


def test_what_is_recorded_is_what_was_sent(peer: RecordingPeerProcess,
                                           client: httpx.Client) -> None:
    body = json.dumps({"项目名称": "城区供水管网改造工程", "amount": "32000000.00"},
                      ensure_ascii=False).encode()
    deliver(client, peer, "projects", "p-1", body, X_Ordering_Key="E3501000001000001",
            X_Sequence="7")
    deliver(client, peer, "projects", "p-1", body)
    [record] = peer.control.messages(channel="projects")
    assert record["transport"] == "http"
    assert record["idempotency_key"] == "p-1"
    assert record["ordering_key"] == "E3501000001000001"
    assert record["sequence"] == "7"
    assert record["content_type"] == "application/json"
    assert json.loads(record["body"]) == json.loads(body)
    assert record["duplicate"] is False
    assert record["received_at"].endswith("+00:00")
    both = peer.control.messages(channel="projects", include_duplicates=True)
    assert [m["duplicate_of"] for m in both] == [None, record["id"]]


def test_the_listing_keeps_arrival_order_and_pages_by_after_id(
        peer: RecordingPeerProcess, client: httpx.Client) -> None:
    # Two channels interleaved, and the HTTP and SOAP doors of one channel, as a relay would.
    for seq in range(60):
        channel = "sections" if seq % 3 else "projects"
        deliver(client, peer, channel, f"m-{seq}", json.dumps({"seq": seq}).encode(),
                X_Ordering_Key="P1", X_Sequence=str(seq))
    listing = [m for m in peer.control.iter_messages(page=7)]
    assert [int(m["sequence"]) for m in listing] == list(range(60))
    assert [m["id"] for m in listing] == sorted(m["id"] for m in listing)
    sections = peer.control.messages(channel="sections")
    assert [int(m["sequence"]) for m in sections] == [s for s in range(60) if s % 3]

    page = peer.control.messages(after_id=listing[9]["id"], limit=5)
    assert [m["idempotency_key"] for m in page] == [f"m-{s}" for s in range(10, 15)]


def test_refusals_of_the_control_api_and_unknown_routes(peer: RecordingPeerProcess,
                                                        client: httpx.Client) -> None:
    base = peer.base_url
    assert client.get(peer.http_url("notices")).status_code == 405
    assert client.post(f"{base}/http/bad%20name", headers={"Idempotency-Key": "k"}
                       ).status_code == 404
    assert client.get(f"{base}/nowhere").status_code == 404
    assert client.get(f"{base}/_control/messages?after_id=x").status_code == 400
    assert client.get(f"{base}/_control/messages?limit=0").status_code == 400
    assert client.post(f"{base}/_control/faults", json={"mode": "explode"}).status_code == 400
    assert client.post(f"{base}/_control/faults", json={"mode": "slow", "count": 0}
                       ).status_code == 400
    assert client.post(f"{base}/_control/faults", content=b"not json").status_code == 400
    health = client.get(f"{base}/_control/health").json()
    assert health["status"] == "ok"
    assert health["pid"] == peer.pid


def test_a_body_over_the_limit_is_refused(peer: RecordingPeerProcess,
                                          client: httpx.Client) -> None:
    answer = deliver(client, peer, "notices", "big", b"x" * (1024 * 1024 + 1))
    assert answer.status_code == 413
    assert answer.json()["code"] == "BODY_TOO_LARGE"
    assert peer.control.stats()["accepted"] == 0


def test_reset_forgets_records_and_faults(peer: RecordingPeerProcess,
                                          client: httpx.Client) -> None:
    deliver(client, peer, "notices", "r-1")
    peer.control.arm("http500", 5)
    peer.control.reset()
    assert peer.control.stats() == {"accepted": 0, "duplicates": 0, "faults_injected": 0,
                                    "by_channel": {}, "pending_faults": []}
    assert deliver(client, peer, "notices", "r-1").json()["status"] == "accepted"


def test_concurrent_senders_of_the_same_keys_get_exactly_one_acceptance_each(
        peer: RecordingPeerProcess) -> None:
    """Eight workers race to deliver the same 60 messages: 60 accepted, the rest repeats."""
    from concurrent.futures import ThreadPoolExecutor

    keys = [f"race-{i}" for i in range(60)]

    def worker(offset: int) -> list[tuple[str, str, int]]:
        seen = []
        with httpx.Client(timeout=5.0) as c:
            for i in range(len(keys)):
                key = keys[(i + offset) % len(keys)]
                answer = deliver(c, peer, "race", key).json()
                seen.append((key, answer["status"], answer["id"]))
        return seen

    with ThreadPoolExecutor(8) as pool:
        results = [row for rows in pool.map(worker, range(0, 80, 10)) for row in rows]

    accepted = [row for row in results if row[1] == "accepted"]
    assert sorted(key for key, _, _ in accepted) == sorted(keys)
    first_id = {key: id_ for key, _, id_ in accepted}
    assert all(id_ == first_id[key] for key, _, id_ in results)  # a repeat names the first
    stats = peer.control.stats()
    assert (stats["accepted"], stats["duplicates"]) == (60, 7 * 60)
