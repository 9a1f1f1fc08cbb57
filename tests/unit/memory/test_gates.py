"""The concurrency bounds on their own: argon2 checks, large SOAP parses (ThreadGate) and
large REST bodies (LargeBodyGate) let only their slots in at once, and memory is trimmed when
the last holder leaves. No timing is asserted: a thread that must wait is shown to still be
waiting while the slot is held, and to finish once it is released."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from starlette.types import Receive, Scope, Send

from adapters import memory
from adapters.memory import ThreadGate
from adapters.rest.body_gate import LargeBodyGate
from core.security import passwords

WAIT = 0.5  # how long a blocked thread is given to (wrongly) get through


@pytest.fixture
def one_password_slot() -> Iterator[None]:
    passwords.limit_concurrency(1)
    yield
    passwords.limit_concurrency(passwords.DEFAULT_CONCURRENCY)


def test_a_password_check_waits_for_a_free_slot(one_password_slot: None) -> None:
    hashed = passwords.hash_password("pass phrase")
    results: list[bool] = []
    checker = threading.Thread(target=lambda: results.append(
        passwords.verify_password(hashed, "pass phrase")))
    with passwords._slots:  # the one slot is taken
        checker.start()
        checker.join(WAIT)
        assert checker.is_alive() and results == []
    checker.join()
    assert results == [True]


def test_at_least_one_password_slot() -> None:
    with pytest.raises(ValueError):
        passwords.limit_concurrency(0)


def test_thread_gate_lets_only_its_slots_in() -> None:
    gate = ThreadGate(2)
    release = threading.Event()
    inside_counts: list[int] = []

    def hold() -> None:
        with gate.slot():
            inside_counts.append(gate.inside)
            release.wait()

    threads = [threading.Thread(target=hold) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert sum(thread.is_alive() for thread in threads) == 3  # two inside, one at the door
    assert sorted(inside_counts) == [1, 2] and gate.inside == 2
    release.set()
    for thread in threads:
        thread.join()
    assert gate.inside == 0


def test_memory_is_trimmed_when_the_last_holder_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []
    monkeypatch.setattr(memory, "trim", lambda: trims.append(1) or True)
    gate = ThreadGate(2)
    with gate.slot():
        with gate.slot():
            pass
        assert trims == []  # one is still inside
    assert trims == [1] and gate.trims == 1


def test_malloc_trim_is_found_on_glibc() -> None:
    assert memory.trim() is True  # this machine runs glibc; elsewhere trim() is a no-op


def _scope(path: str, length: int | None, chunked: bool = False) -> Scope:
    headers = []
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    if chunked:
        headers.append((b"transfer-encoding", b"chunked"))
    return {"type": "http", "path": path, "headers": headers}


def test_large_rest_bodies_wait_at_the_gate() -> None:
    async def scenario() -> None:
        release = asyncio.Event()
        inside: list[str] = []

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            inside.append(scope["path"])
            await release.wait()

        async def nothing() -> dict[str, object]:
            return {}

        async def ignore(message: object) -> None:
            return None

        gate = LargeBodyGate(app, threshold=1000, slots=2,
                             skip=lambda path: path.startswith("/ws/"))
        calls = [gate(_scope("/big1", 5000), nothing, ignore),
                 gate(_scope("/big2", 5000), nothing, ignore),
                 gate(_scope("/big3", None, chunked=True), nothing, ignore),
                 gate(_scope("/small", 10), nothing, ignore),
                 gate(_scope("/no-body", None), nothing, ignore),
                 gate(_scope("/ws/soap11/query", 5000), nothing, ignore)]
        tasks = [asyncio.create_task(call) for call in calls]
        for _ in range(20):
            await asyncio.sleep(0)
        assert sorted(inside) == ["/big1", "/big2", "/no-body", "/small", "/ws/soap11/query"]
        release.set()
        await asyncio.gather(*tasks)
        assert "/big3" in inside

    asyncio.run(scenario())
