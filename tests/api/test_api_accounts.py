"""Account management over REST (issue 10 §4): disable/enable, password change and reset,
token revocation — administrators only, except changing one's own password — every change
audited, every refusal a problem with a stable code that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.model.account import AccountKind
from core.model.audit import AuditEntry
from tests.api.conftest import PASSWORD, Api

NEW_PASSWORD = "another long pass phrase"


def _id(api: Api, headers: dict[str, str]) -> int:
    found: int = api.client.get("/api/v1/me", headers=headers).json()["id"]
    return found


def _actions(api: Api, account_id: int) -> list[str]:
    """What was done to an account, in order (sign-ins left out)."""
    with api.container.uow() as uow:
        return list(uow.session.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "account", AuditEntry.object_id == str(account_id),
            AuditEntry.action != "account.sign_in")
            .order_by(AuditEntry.seq)))


def test_a_disabled_account_loses_its_tokens_and_cannot_get_one(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    staff_id = _id(api, staff)
    r = api.client.post(f"/api/v1/accounts/{staff_id}/disable", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["is_active"] is False and r.json()["disabled_at"]
    assert api.client.get("/api/v1/me", headers=staff).status_code == 401
    api.unchanged_after("POST", "/api/v1/auth/token", 401, "INVALID_CREDENTIALS",
                        json={"username": "staff", "password": PASSWORD})
    api.unchanged_after("POST", f"/api/v1/accounts/{staff_id}/disable", 409,
                        "ACCOUNT_ALREADY_DISABLED", headers=admin)

    assert api.client.post(f"/api/v1/accounts/{staff_id}/enable", headers=admin).json()[
        "is_active"] is True
    assert api.client.get("/api/v1/me", headers=staff).status_code == 401  # stays revoked
    assert api.client.get("/api/v1/me", headers=api.token("staff")).status_code == 200
    assert _actions(api, staff_id)[-2:] == ["account.disable", "account.enable"]


def test_an_administrator_cannot_disable_or_reset_themselves(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    api.unchanged_after("POST", f"/api/v1/accounts/{_id(api, admin)}/disable", 409,
                        "ACCOUNT_SELF_DISABLE", headers=admin)
    api.unchanged_after("POST", f"/api/v1/accounts/{_id(api, admin)}/password-reset", 409,
                        "ACCOUNT_SELF_RESET", headers=admin, json={})


@pytest.mark.parametrize("kind", [AccountKind.CENTRE_STAFF, AccountKind.SUPERVISOR,
                                  AccountKind.SYSTEM_CLIENT])
def test_only_administrators_manage_accounts(api: Api, kind: AccountKind) -> None:
    other = api.account("other", kind)
    admin = api.account("admin", AccountKind.ADMIN)
    target = _id(api, admin)
    for method, url, body in (
            ("POST", f"/api/v1/accounts/{target}/disable", None),
            ("POST", f"/api/v1/accounts/{target}/enable", None),
            ("POST", f"/api/v1/accounts/{target}/password-reset", {}),
            ("GET", f"/api/v1/accounts/{target}", None),
            ("GET", f"/api/v1/accounts/{target}/tokens", None),
            ("DELETE", f"/api/v1/accounts/{target}/tokens", None),
            ("DELETE", f"/api/v1/accounts/{target}/tokens/0123456789abcdef", None)):
        kwargs: dict[str, Any] = {"json": body} if body is not None else {}
        api.unchanged_after(method, url, 403, "ROLE_NOT_ALLOWED", headers=other, **kwargs)


def test_the_owner_changes_their_password_with_the_old_one(api: Api) -> None:
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    url = "/api/v1/accounts/me/password"
    api.unchanged_after("POST", url, 403, "OLD_PASSWORD_WRONG", headers=staff,
                        json={"old_password": "not it at all", "new_password": NEW_PASSWORD})
    api.unchanged_after("POST", url, 422, "PASSWORD_TOO_SHORT", headers=staff,
                        json={"old_password": PASSWORD, "new_password": "short"})
    api.unchanged_after("POST", url, 422, "PASSWORD_UNCHANGED", headers=staff,
                        json={"old_password": PASSWORD, "new_password": PASSWORD})
    r = api.client.post(url, headers=staff,
                        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 204, r.text
    api.unchanged_after("POST", "/api/v1/auth/token", 401, "INVALID_CREDENTIALS",
                        json={"username": "staff", "password": PASSWORD})
    assert api.token("staff", NEW_PASSWORD)
    assert _actions(api, _id(api, staff))[-1] == "account.password_change"


def test_a_reset_draws_a_one_time_password_that_must_be_changed_first(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    staff_id = _id(api, staff)
    r = api.client.post(f"/api/v1/accounts/{staff_id}/password-reset", headers=admin, json={})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["must_change_password"] is True and body["tokens_revoked"] == 1
    one_time = body["one_time_password"]
    assert len(one_time) >= 16
    assert api.client.get("/api/v1/me", headers=staff).status_code == 401  # revoked

    fresh = api.token("staff", one_time)
    me = api.client.get("/api/v1/me", headers=fresh)
    assert me.status_code == 200 and me.json()["reset_pending"] is True
    api.unchanged_after("GET", "/api/v1/notices", 403, "PASSWORD_CHANGE_REQUIRED", headers=fresh)
    changed = api.client.post("/api/v1/accounts/me/password", headers=fresh, json={
        "old_password": one_time, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204, changed.text
    assert api.client.get("/api/v1/notices", headers=fresh).status_code == 200
    assert _actions(api, staff_id)[-2:] == ["account.password_reset",
                                            "account.password_change"]
    with api.container.uow() as uow:  # the audit log never holds the password
        entries = uow.session.scalars(select(AuditEntry)).all()
        assert not any(one_time in repr(vars(e)) for e in entries)


def test_a_reset_to_a_given_password_needs_no_change(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    staff_id = _id(api, api.account("staff", AccountKind.CENTRE_STAFF))
    url = f"/api/v1/accounts/{staff_id}/password-reset"
    api.unchanged_after("POST", url, 422, "PASSWORD_TOO_SHORT", headers=admin,
                        json={"new_password": "short"})
    r = api.client.post(url, headers=admin, json={"new_password": NEW_PASSWORD})
    assert r.status_code == 200 and r.json()["one_time_password"] is None
    assert r.json()["must_change_password"] is False
    fresh = api.token("staff", NEW_PASSWORD)
    assert api.client.get("/api/v1/notices", headers=fresh).status_code == 200


def test_tokens_are_listed_by_id_and_revoked_one_or_all(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    first = api.account("staff", AccountKind.CENTRE_STAFF)
    second = api.token("staff")
    staff_id = _id(api, first)
    url = f"/api/v1/accounts/{staff_id}/tokens"
    listed = api.client.get(url, headers=admin).json()
    assert [t["state"] for t in listed] == ["live", "live"]
    assert all(len(t["id"]) == 16 for t in listed)
    # which id is whose: revoke one and see which caller lost its session
    r = api.client.delete(f"{url}/{listed[0]['id']}", headers=admin)
    assert r.status_code == 204, r.text
    alive = [api.client.get("/api/v1/me", headers=h).status_code for h in (first, second)]
    assert sorted(alive) == [200, 401]
    api.unchanged_after("DELETE", f"{url}/{listed[0]['id']}", 409, "TOKEN_NOT_LIVE",
                        headers=admin)
    api.unchanged_after("DELETE", f"{url}/ffffffffffffffff", 404, "TOKEN_NOT_FOUND",
                        headers=admin)
    api.unchanged_after("DELETE", f"{url}/not-a-token-id!", 422, "VALIDATION_FAILED",
                        headers=admin)
    assert api.client.delete(url, headers=admin).json() == {"tokens_revoked": 1}
    assert [api.client.get("/api/v1/me", headers=h).status_code
            for h in (first, second)] == [401, 401]
    assert _actions(api, staff_id)[-2:] == ["token.revoke", "token.revoke_all"]


def test_an_unknown_account_is_a_404(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    api.unchanged_after("POST", "/api/v1/accounts/999999/disable", 404, "ACCOUNT_NOT_FOUND",
                        headers=admin)


@pytest.mark.parametrize("hours", [0, -1, 721, 100000])
def test_a_token_cannot_be_issued_dead_or_for_ever(api: Api, hours: int) -> None:
    """The bound holds in the core too, not only in the CLI's option."""
    from datetime import timedelta

    from core.errors import DomainError
    from core.model.account import Account
    from core.security.tokens import issue_token

    api.account("staff", AccountKind.CENTRE_STAFF)
    with api.container.uow() as uow:
        account = uow.session.scalars(select(Account)).one()
        with pytest.raises(DomainError) as refused:
            issue_token(uow.session, account, uow.clock.now(), timedelta(hours=hours))
        assert refused.value.code == "TOKEN_LIFETIME_INVALID"
