"""The fuzzer's world: the web app on its own PostgreSQL database holding the sample data
(`ggzy demo`'s use cases), served over real HTTP on loopback, with bearer tokens for centre
staff and an administrator issued the way `ggzy token issue` issues them.

The app is served by uvicorn in a thread of this process rather than by `ggzy serve`, for one
reason: `ggzy serve` runs the exchange engine, and an administrator's fuzzed targets and routes
would then be delivered to whatever endpoint the fuzzer wrote. Here the outbox only fills.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container, build
from adapters.db.migrate import upgrade
from adapters.demo import load_sample_data
from adapters.rest.app import create_app
from core.model.account import Account
from core.security.tokens import issue_token
from tests.conftest import create_database, drop_database, settings_for
from tests.live import app_in_thread


@dataclass(frozen=True)
class FuzzTarget:
    base: str  # http://127.0.0.1:<port>
    tokens: dict[str, str]  # username -> bearer token
    work: Path  # where schemathesis may write (its cache), never the repository


def _token(c: Container, username: str) -> str:
    with c.uow() as uow:
        account = uow.session.scalars(select(Account).where(Account.username == username)).one()
        value, _ = issue_token(uow.session, account, uow.clock.now(), timedelta(hours=12))
        uow.record("operator:fuzz", "token.issue", "account", account.id, None,
                   {"username": username})
        uow.commit()
    return value


@pytest.fixture(scope="session")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    url = create_database()  # no PostgreSQL, no run: it raises, in CI and on a laptop alike
    work = tmp_path_factory.mktemp("fuzz")
    c = None
    try:
        upgrade(url)
        c = build(settings_for({"GGZY_DATABASE_URL": url, "GGZY_VAR_DIR": str(work / "var"),
                                 "GGZY_SANDBOX": "no"}))
        for _ in load_sample_data(c):
            pass
        tokens = {name: _token(c, name) for name in ("staff", "admin")}
        with app_in_thread(create_app(c), "fuzz-server") as base:
            yield FuzzTarget(base, tokens, work)
    finally:
        if c is not None:
            c.close()
        drop_database(url)
