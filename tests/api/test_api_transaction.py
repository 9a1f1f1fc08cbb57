"""A request's change commits before its answer is sent, so a lost commit is never a success."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from adapters.bootstrap import Container
from adapters.rest.app import create_app
from core.uow import UnitOfWork
from tests.api.conftest import Api, fingerprint


def test_a_commit_that_fails_is_answered_as_an_error(api: Api, container: Container,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, agency = api.register("agency", "MA2YTX01", ["tender_agency"])
    owner, _ = api.register("tenderer", "MA2YTX02", ["tenderer"])
    body: dict[str, Any] = {"name": "提交失败的项目", "domain": "engineering",
                            "region_code": "350102", "industry_code": "E48",
                            "total_investment": "1000000.00", "owner_party_id": owner}
    before = fingerprint(container)

    def lost(self: UnitOfWork) -> None:
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(UnitOfWork, "commit", lost)
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        r = client.post("/api/v1/projects", json=body, headers=agency)
    assert r.status_code == 500, r.text
    assert fingerprint(container) == before
    monkeypatch.undo()
    created = api.client.post("/api/v1/projects", json=body, headers=agency)
    assert created.status_code == 201, created.text  # the same request, committed, succeeds

