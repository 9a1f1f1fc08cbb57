"""API fixtures: an app on the test database, accounts of every kind, and a database fingerprint
for asserting that a refused request changed nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy import text

from adapters.bootstrap import Container
from adapters.rest.app import create_app
from core.codes.uscc import org_code_check_char, uscc_check_char
from core.model.account import AccountKind
from core.services.accounts import NewAccount, create_account
from tests.conftest import SEEDED_TABLES, TABLES

PASSWORD = "correct horse battery"


def make_uscc(body8: str, region: str = "350100") -> str:
    """A valid 统一社会信用代码 around an 8-character organisation-code body."""
    org = body8 + org_code_check_char(body8)
    first17 = "91" + region + org
    return first17 + uscc_check_char(first17)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=True) as c:
        yield c


def fingerprint(container: Container) -> dict[str, str]:
    """A digest of every row of every table: equal fingerprints mean nothing changed."""
    result = {}
    with container.engine.connect() as conn:
        for table in (*TABLES, *SEEDED_TABLES):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            blob = "\n".join(sorted(repr(tuple(r)) for r in rows))
            result[table] = hashlib.sha256(blob.encode()).hexdigest()
    return result


@dataclass
class Api:
    """Signed-in callers and shortcuts for the requests most tests start with."""

    client: TestClient
    container: Container

    def token(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        r = self.client.post("/api/v1/auth/token",
                             json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def account(self, username: str, kind: AccountKind) -> dict[str, str]:
        with self.container.uow() as uow:
            create_account(uow, None, NewAccount(username=username, password=PASSWORD,
                                                 kind=kind, display_name=username))
            uow.commit()
        return self.token(username)

    def register(self, username: str, body8: str, roles: list[str], name: str | None = None,
                 region: str = "350100") -> tuple[int, dict[str, str]]:
        r = self.client.post("/api/v1/parties/register", json={
            "kind": "organisation", "name": name or f"{username} 有限公司",
            "uscc": make_uscc(body8), "region_code": region, "roles": roles,
            "username": username, "password": PASSWORD,
        })
        assert r.status_code == 201, r.text
        return r.json()["party"]["id"], self.token(username)

    def project(self, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
        body = {"name": "滨江道路提升工程", "domain": "engineering", "region_code": "350102",
                "industry_code": "E48", "total_investment": "86500000.00", **overrides}
        r = self.client.post("/api/v1/projects", json=body, headers=headers)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def tender_project(self, headers: dict[str, str], project_code: str,
                       **overrides: Any) -> dict[str, Any]:
        body = {"name": "滨江道路提升工程施工", "tender_mode": "1", "organize_form": "1",
                "tender_project_type": "A02", **overrides}
        r = self.client.post(f"/api/v1/projects/{project_code}/tender-projects", json=body,
                             headers=headers)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def section(self, headers: dict[str, str], tp_code: str, name: str = "第一标段",
                price: str = "41200000.00") -> dict[str, Any]:
        r = self.client.post(f"/api/v1/tender-projects/{tp_code}/sections",
                             json={"name": name, "estimated_price": price}, headers=headers)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def round_body(self, days: int = 30) -> dict[str, Any]:
        """A round's settings: deadline ``days`` out, three keyholders, 2 of 3."""
        deadline = self.container.clock.now() + timedelta(days=days)
        keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(3)]
        return {"bid_deadline": deadline.isoformat(), "threshold": 2,
                "keyholders": [{"name": f"keyholder-{i}", "public_key_pem": k.public_key()
                                .public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
                                .decode()} for i, k in enumerate(keys)]}

    def round(self, headers: dict[str, str], section_code: str, days: int = 30) -> dict[str, Any]:
        """Configure a round (a draft) on a section."""
        r = self.client.post(f"/api/v1/sections/{section_code}/rounds", headers=headers,
                             json=self.round_body(days))
        assert r.status_code == 201, r.text
        return dict(r.json())

    def notice(self, headers: dict[str, str], tp_code: str, section_codes: list[str],
               rounds: bool = True, **overrides: Any) -> dict[str, Any]:
        """A draft notice; a tender notice gets a round on each section that has none
        (``rounds=False``: not), since it cannot be submitted without (NOTICE_INCOMPLETE)."""
        body = {"notice_type": "tender", "title": "滨江道路提升工程施工招标公告",
                "content": "招标条件……", "section_codes": section_codes, **overrides}
        if rounds and body["notice_type"] == "tender":
            for code in section_codes:
                current = self.client.get(f"/api/v1/sections/{code}/rounds/current",
                                          headers=headers)
                if current.status_code == 404:
                    self.round(headers, code)
        r = self.client.post(f"/api/v1/tender-projects/{tp_code}/notices", json=body,
                             headers=headers)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def page_refused(self, url: str, status: int, code: str) -> str:
        """A portal URL that must be refused: a page in Chinese with the status and the code
        (not problem+json), and nothing changed. Returns the page."""
        before = fingerprint(self.container)
        r = self.client.get(url)
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
        assert '<html lang="zh-CN">' in r.text and code in r.text, r.text
        assert fingerprint(self.container) == before, "a refused request changed the database"
        return r.text

    def unchanged_after(self, method: str, url: str, status: int, code: str,
                        **kwargs: Any) -> dict[str, Any]:
        """Send a request that must be refused; check its problem and that nothing changed."""
        before = fingerprint(self.container)
        r = self.client.request(method, url, **kwargs)
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        problem = dict(r.json())
        assert problem["code"] == code, problem
        assert problem["message_zh"] and problem["message_en"]
        assert fingerprint(self.container) == before, "a refused request changed the database"
        return problem


@pytest.fixture
def api(client: TestClient, container: Container) -> Api:
    return Api(client, container)
