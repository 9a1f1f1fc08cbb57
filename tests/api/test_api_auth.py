"""Sign-in, bearer tokens and the account-kind checks in front of every protected endpoint."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from adapters.config import load_settings
from adapters.rest.app import create_app
from core.clock import MovableClock
from core.model.account import Account, AccountKind
from core.services import accounts
from tests.api.conftest import PASSWORD, Api
from tests.conftest import START

ME = "/api/v1/me"
# The only paths a caller may use without a token. /metrics is open by design (aggregates for
# the monitoring network, see adapters/rest/routes/metrics.py); anything else added without a
# token check fails the parametrised test below.
PUBLIC_PREFIXES = ("/api/v1/public", "/api/v1/auth/token", "/api/v1/parties/register",
                   "/healthz", "/readyz", "/metrics")


def sign_in(api: Api, username: str, password: str) -> Any:
    return api.client.post("/api/v1/auth/token",
                           json={"username": username, "password": password})


def deactivate(api: Api, username: str) -> None:
    with api.container.uow() as uow:
        account = uow.session.scalars(
            select(Account).where(Account.username == username)).one()
        account.is_active = False
        uow.commit()


# --- sign-in ----------------------------------------------------------------------------------

def test_sign_in_returns_a_bearer_token_that_expires_in_12_hours(api: Api) -> None:
    api.register("fzcj", "MA2Y0001", ["tenderer"])
    r = sign_in(api, "fzcj", PASSWORD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) >= 40
    assert datetime.fromisoformat(body["expires_at"]) == START + timedelta(hours=12)
    assert body["account"]["username"] == "fzcj" and body["account"]["kind"] == "party_user"


def test_wrong_password_and_unknown_user_get_the_same_answer(api: Api) -> None:
    """A failed sign-in does not reveal whether the username exists."""
    api.register("fzcj", "MA2Y0001", ["tenderer"])
    wrong = api.unchanged_after("POST", "/api/v1/auth/token", 401, "INVALID_CREDENTIALS",
                                json={"username": "fzcj", "password": "not the password"})
    unknown = api.unchanged_after("POST", "/api/v1/auth/token", 401, "INVALID_CREDENTIALS",
                                  json={"username": "nobody", "password": "not the password"})
    assert wrong == unknown
    r = sign_in(api, "nobody", "not the password")
    assert r.headers["www-authenticate"] == "Bearer"


def test_a_deactivated_account_cannot_sign_in_and_is_told_nothing_more(api: Api) -> None:
    api.register("fzcj", "MA2Y0001", ["tenderer"])
    unknown = sign_in(api, "nobody", PASSWORD).json()
    deactivate(api, "fzcj")
    inactive = api.unchanged_after("POST", "/api/v1/auth/token", 401, "INVALID_CREDENTIALS",
                                   json={"username": "fzcj", "password": PASSWORD})
    assert inactive == unknown



@pytest.mark.parametrize("case", ["unknown user", "wrong password", "inactive account"])
def test_every_failed_sign_in_costs_one_password_verification(
        api: Api, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    """A refusal takes the same work whatever the reason, so its timing reveals no username."""
    api.register("fzcj", "MA2Y0001", ["tenderer"])
    if case == "inactive account":
        deactivate(api, "fzcj")
    calls: list[str] = []
    real = accounts.verify_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    username, password = {"unknown user": ("nobody", PASSWORD),
                          "wrong password": ("fzcj", "not the password"),
                          "inactive account": ("fzcj", PASSWORD)}[case]
    r = sign_in(api, username, password)
    assert r.status_code == 401 and r.json()["code"] == "INVALID_CREDENTIALS"
    assert len(calls) == 1

# --- tokens -----------------------------------------------------------------------------------

def test_no_token_is_not_authenticated_and_says_how_to_authenticate(api: Api) -> None:
    api.unchanged_after("GET", ME, 401, "NOT_AUTHENTICATED")
    r = api.client.get(ME)
    assert r.headers["www-authenticate"] == "Bearer"


def test_a_non_bearer_scheme_counts_as_no_token(api: Api) -> None:
    api.unchanged_after("GET", ME, 401, "NOT_AUTHENTICATED",
                        headers={"Authorization": "Basic ZnpjajpwYXNzd29yZA=="})


def test_a_garbage_token_is_invalid(api: Api) -> None:
    api.unchanged_after("GET", ME, 401, "TOKEN_INVALID",
                        headers={"Authorization": "Bearer not-a-token-anyone-issued"})
    r = api.client.get(ME, headers={"Authorization": "Bearer not-a-token-anyone-issued"})
    assert r.headers["www-authenticate"] == "Bearer"


def test_logout_revokes_that_token_only(api: Api) -> None:
    _, first = api.register("fzcj", "MA2Y0001", ["tenderer"])
    second = api.token("fzcj")
    assert api.client.get(ME, headers=first).status_code == 200
    r = api.client.post("/api/v1/auth/logout", headers=first)
    assert r.status_code == 204, r.text
    api.unchanged_after("GET", ME, 401, "TOKEN_INVALID", headers=first)
    api.unchanged_after("POST", "/api/v1/auth/logout", 401, "TOKEN_INVALID", headers=first)
    assert api.client.get(ME, headers=second).json()["username"] == "fzcj"


def test_a_token_expires_after_12_hours(api: Api, clock: MovableClock) -> None:
    _, headers = api.register("fzcj", "MA2Y0001", ["tenderer"])
    clock.advance(timedelta(hours=12) - timedelta(seconds=1))
    assert api.client.get(ME, headers=headers).status_code == 200
    clock.advance(timedelta(seconds=2))
    api.unchanged_after("GET", ME, 401, "TOKEN_INVALID", headers=headers)
    assert api.client.get(ME, headers=api.token("fzcj")).status_code == 200  # sign in again


def test_a_deactivated_accounts_token_stops_working(api: Api) -> None:
    _, headers = api.register("fzcj", "MA2Y0001", ["tenderer"])
    assert api.client.get(ME, headers=headers).status_code == 200
    deactivate(api, "fzcj")
    api.unchanged_after("GET", ME, 401, "TOKEN_INVALID", headers=headers)
    api.unchanged_after("POST", "/api/v1/projects", 401, "TOKEN_INVALID", headers=headers,
                        json={"name": "x", "domain": "engineering", "region_code": "350102",
                              "industry_code": "E48"})


# --- every protected endpoint -----------------------------------------------------------------

def _offline_app_schema() -> dict[str, Any]:
    """The OpenAPI document at collection time; building it touches no database. Its var dir
    (where the mounted sandbox peers keep their files) is its own: every pytest-xdist worker
    collects this module, and two opening the checkout's var/ at once found it locked."""
    var = tempfile.mkdtemp(prefix="ggzy-auth-schema-")
    fake = SimpleNamespace(settings=load_settings({"GGZY_DATABASE_URL": "sqlite://",
                                                   "GGZY_VAR_DIR": var}))
    return create_app(cast(Container, fake)).openapi()


def _is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(method, path template, URL with dummy path values) for every protected operation."""
    found = []
    for path, item in schema["paths"].items():
        if _is_public(path):
            continue
        for method, op in item.items():
            url = path
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    dummy = "1" if p["schema"].get("type") == "integer" else "X"
                    url = url.replace("{" + p["name"] + "}", dummy)
            found.append((method.upper(), path, url))
    return sorted(found)


PROTECTED = _operations(_offline_app_schema())


def test_the_protected_list_is_the_served_openapi_minus_the_public_paths(api: Api) -> None:
    served = api.client.get("/openapi.json").json()
    assert _operations(served) == PROTECTED
    assert len(PROTECTED) >= 25  # parties, projects, notices, accounts, audit, me, logout
    assert ("POST", "/api/v1/notices/{notice_id}/approve",
            "/api/v1/notices/1/approve") in PROTECTED


@pytest.mark.parametrize(("method", "url"), [(m, u) for m, _, u in PROTECTED],
                         ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_every_protected_endpoint_refuses_a_caller_without_a_token(api: Api, method: str,
                                                                   url: str) -> None:
    kwargs: dict[str, Any] = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    api.unchanged_after(method, url, 401, "NOT_AUTHENTICATED", **kwargs)
    api.unchanged_after(method, url, 401, "TOKEN_INVALID",
                        headers={"Authorization": "Bearer forged"}, **kwargs)


# --- account administration -------------------------------------------------------------------

NEW_STAFF = {"username": "reviewer2", "password": PASSWORD, "kind": "centre_staff",
             "display_name": "审核员二"}


@pytest.mark.parametrize("kind", [AccountKind.CENTRE_STAFF, AccountKind.SUPERVISOR,
                                  AccountKind.EXPERT, AccountKind.SYSTEM_CLIENT])
def test_only_administrators_create_accounts(api: Api, kind: AccountKind) -> None:
    caller = api.account("caller", kind)
    api.unchanged_after("POST", "/api/v1/accounts", 403, "ROLE_NOT_ALLOWED", headers=caller,
                        json=NEW_STAFF)
    api.unchanged_after("GET", "/api/v1/accounts", 403, "ROLE_NOT_ALLOWED", headers=caller)


def test_a_party_user_cannot_create_accounts(api: Api) -> None:
    _, party = api.register("fzcj", "MA2Y0001", ["tenderer"])
    api.unchanged_after("POST", "/api/v1/accounts", 403, "ROLE_NOT_ALLOWED", headers=party,
                        json={**NEW_STAFF, "kind": "admin"})


def test_an_administrator_creates_a_staff_account_that_can_sign_in(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    r = api.client.post("/api/v1/accounts", headers=admin, json=NEW_STAFF)
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "centre_staff" and r.json()["is_active"] is True
    assert "password" not in r.text and "hash" not in r.text
    me = api.client.get(ME, headers=api.token("reviewer2")).json()
    assert me["kind"] == "centre_staff"
    listing = api.client.get("/api/v1/accounts", headers=admin).json()
    assert sorted(a["username"] for a in listing["items"]) == ["admin", "reviewer2"]

