"""The inbox applies each (source, message id) once; a repeat gets the first answer."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.bootstrap import Container
from core.errors import DomainError
from core.model.project import CodeSequence
from core.uow import UnitOfWork
from exchange import inbox
from exchange.inbox import Handler, InboxResult
from exchange.model import InboxMessage


def bump(uow: UnitOfWork) -> dict[str, Any]:
    """A visible effect: increments a counter row, so repeats would show."""
    session = uow.session
    row = session.get(CodeSequence, "inbox-test")
    if row is None:
        row = CodeSequence(name="inbox-test", last_value=0)
        session.add(row)
    row.last_value += 1
    session.flush()
    return {"applied": row.last_value}


def receive(c: Container, source: str, message_id: str, body: bytes,
            apply: Handler) -> InboxResult:
    """As an entry point receives: in its own unit of work, committed on success."""
    with c.uow() as uow:
        result = inbox.receive(uow, source, message_id, body, apply)
        uow.commit()
        return result


def counter(c: Container) -> int:
    with c.session_factory() as s:
        row = s.get(CodeSequence, "inbox-test")
        return 0 if row is None else row.last_value


def test_a_repeat_gets_the_first_answer_and_changes_nothing(container: Container) -> None:
    first = receive(container, "bank", "m-1", b'{"amount":"1.00"}', bump)
    again = receive(container, "bank", "m-1", b'{"amount":"1.00"}', bump)
    assert (first.duplicate, again.duplicate) == (False, True)
    assert first.response == again.response == {"applied": 1}
    assert counter(container) == 1
    other_source = receive(container, "sms", "m-1", b"x", bump)
    assert other_source.response == {"applied": 2}


def test_the_same_id_with_other_bytes_is_a_clash(container: Container) -> None:
    receive(container, "bank", "m-1", b'{"amount":"1.00"}', bump)
    with pytest.raises(DomainError) as err:
        receive(container, "bank", "m-1", b'{"amount":"9.00"}', bump)
    assert err.value.code == "MESSAGE_ID_REUSED"
    assert counter(container) == 1


def test_a_refused_message_stores_nothing(container: Container) -> None:
    def refuse(uow: UnitOfWork) -> dict[str, Any]:
        bump(uow)
        raise DomainError("UNKNOWN_ACCOUNT", "账户不存在", "no such account")

    with pytest.raises(DomainError):
        receive(container, "bank", "m-2", b"{}", refuse)
    with container.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(InboxMessage)) == 0
    assert counter(container) == 0


def test_concurrent_copies_apply_once(container: Container) -> None:
    with container.session_factory() as s:
        s.add(CodeSequence(name="inbox-test", last_value=0))
        s.commit()
    results = []
    barrier = threading.Barrier(4)

    def slow_bump(uow: UnitOfWork) -> dict[str, Any]:
        barrier.wait(timeout=10)  # all four inside their transactions at once
        return bump(uow)

    def send() -> None:
        results.append(receive(container, "bank", "m-3", b"same", slow_bump))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 4
    assert sum(not r.duplicate for r in results) == 1
    assert len({str(r.response) for r in results}) == 1
    assert counter(container) == 1
