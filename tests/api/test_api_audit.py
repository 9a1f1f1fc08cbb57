"""The hash-chained audit log: every state change is an entry, only oversight reads it, and any
edit or deletion made behind the application's back is found and located by `verify`."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from core import audit
from core.model.account import AccountKind
from core.model.audit import AuditEntry
from tests.api.conftest import PASSWORD, Api, make_uscc

ROOT = Path(__file__).resolve().parents[2]


def entries(api: Api, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every audit entry, oldest first (the API pages newest first)."""
    r = api.client.get("/api/v1/audit", headers=headers, params={"page_size": 100, **params})
    assert r.status_code == 200, r.text
    assert r.json()["total"] <= 100
    return list(reversed(r.json()["items"]))


def count(api: Api) -> int:
    with api.container.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())


def verify(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    r = api.client.get("/api/v1/audit/verify", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def tamper(api: Api, sql: str, **params: Any) -> None:
    """Change the database directly, as someone with database access but not the app would."""
    with api.container.engine.begin() as conn:
        assert conn.execute(text(sql), params).rowcount == 1


def cli(api: Api, *args: str) -> subprocess.CompletedProcess[str]:
    """`ggzy audit …` as an operator runs it: its own process, on the test's database and the
    test's var/ (where the audit key, the signing key and the checkpoint log live)."""
    env = {**os.environ, "GGZY_DATABASE_URL": api.container.settings.database_url,
           "GGZY_VAR_DIR": str(api.container.settings.var_dir)}
    env.pop("GGZY_AUDIT_KEY_FILE", None)
    env.pop("GGZY_AUDIT_CHECKPOINT_FILE", None)
    return subprocess.run([sys.executable, "-m", "adapters.cli", "audit", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def cli_verify(api: Api) -> subprocess.CompletedProcess[str]:
    return cli(api, "verify")


def publish_a_notice(api: Api, staff: dict[str, str]) -> tuple[dict[str, str], int]:
    """Register a tenderer and take a notice through to publication; returns its id."""
    _, owner = api.register("fzcj", "MA2Y0001", ["tenderer"])
    project = api.project(owner)
    tp = api.tender_project(owner, project["code"])
    section = api.section(owner, tp["code"])
    n = api.notice(owner, tp["code"], [section["code"]])
    assert api.client.post(f"/api/v1/notices/{n['id']}/submit", headers=owner).is_success
    assert api.client.post(f"/api/v1/notices/{n['id']}/approve", headers=staff).is_success
    return owner, n["id"]


@pytest.fixture
def supervisor(api: Api) -> dict[str, str]:
    return api.account("jdz", AccountKind.SUPERVISOR)


@pytest.fixture
def staff(api: Api) -> dict[str, str]:
    return api.account("staff", AccountKind.CENTRE_STAFF)


# --- every change is recorded -----------------------------------------------------------------

def test_every_state_change_appends_entries(api: Api, staff: dict[str, str],
                                            supervisor: dict[str, str]) -> None:
    """Each request that changes state appends its entries; reads append nothing."""
    start = count(api)
    steps: list[tuple[str, int]] = []

    def step(name: str, response: Any) -> Any:
        assert response.is_success, response.text
        steps.append((name, count(api) - start - sum(n for _, n in steps)))
        return response.json() if response.content else None

    c = api.client
    step("register", c.post("/api/v1/parties/register", json={
        "kind": "organisation", "name": "福州市城市建设投资有限公司",
        "uscc": make_uscc("MA2Y0001"), "region_code": "350100", "roles": ["tenderer"],
        "username": "fzcj", "password": PASSWORD}))
    token = step("sign-in", c.post("/api/v1/auth/token",
                                   json={"username": "fzcj", "password": PASSWORD}))
    owner = {"Authorization": f"Bearer {token['access_token']}"}
    project = step("project", c.post("/api/v1/projects", headers=owner, json={
        "name": "滨江道路提升工程", "domain": "engineering", "region_code": "350102",
        "industry_code": "E48", "total_investment": "86500000.00"}))
    step("read", c.get(f"/api/v1/projects/{project['code']}", headers=owner))
    tp = step("tender project", c.post(
        f"/api/v1/projects/{project['code']}/tender-projects", headers=owner,
        json={"name": "施工", "tender_mode": "1", "organize_form": "1",
              "tender_project_type": "A02"}))
    section = step("section", c.post(f"/api/v1/tender-projects/{tp['code']}/sections",
                                     headers=owner, json={"name": "第一标段"}))
    step("round", c.post(f"/api/v1/sections/{section['code']}/rounds", headers=owner,
                         json=api.round_body()))
    n = step("notice", c.post(f"/api/v1/tender-projects/{tp['code']}/notices", headers=owner,
                              json={"notice_type": "tender", "title": "招标公告",
                                    "content": "招标条件", "section_codes": [section["code"]]}))
    step("submit", c.post(f"/api/v1/notices/{n['id']}/submit", headers=owner))
    step("approve", c.post(f"/api/v1/notices/{n['id']}/approve", headers=staff))
    step("public read", c.get(f"/api/v1/public/notices/{n['id']}"))
    assert steps == [("register", 2), ("sign-in", 1), ("project", 1), ("read", 0),
                     ("tender project", 1), ("section", 1), ("round", 1), ("notice", 1),
                     ("submit", 1),
                     ("approve", 1), ("public read", 0)]

    log = entries(api, supervisor)
    assert [e["action"] for e in log[start:]] == [
        "party.register", "account.create", "account.sign_in", "project.create",
        "tender_project.create", "section.create", "round.configure", "notice.create",
        "notice.submit",
        "notice.publish"]
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    by_action = {e["action"]: e for e in log[start:]}
    assert by_action["notice.publish"]["actor"] == "centre_staff:staff"
    assert by_action["notice.publish"]["object_id"] == str(n["id"])
    assert by_action["notice.submit"]["actor"] == "party_user:fzcj"
    assert by_action["party.register"]["actor"] == "anonymous:fzcj"
    assert by_action["project.create"]["object_id"] == project["code"]
    # a transition digests the state before and after it
    publish = by_action["notice.publish"]
    assert publish["before_digest"] == by_action["notice.submit"]["after_digest"]
    assert publish["after_digest"] not in (None, publish["before_digest"])
    assert all(later["prev_hash"] == earlier["entry_hash"]
               for earlier, later in itertools.pairwise(log))
    assert all(len(e["mac"]) == 64 for e in log)  # keyed (tests/api/test_api_audit_anchor.py)


def test_a_refused_request_appends_nothing(api: Api, staff: dict[str, str]) -> None:
    owner, notice_id = publish_a_notice(api, staff)
    before = count(api)
    api.client.post(f"/api/v1/notices/{notice_id}/approve", headers=staff)  # already published
    api.client.put(f"/api/v1/notices/{notice_id}", headers=owner, json={
        "notice_type": "tender", "title": "改", "content": "改", "section_codes": []})
    assert count(api) == before


def test_the_log_can_be_read_for_one_object(api: Api, staff: dict[str, str],
                                            supervisor: dict[str, str]) -> None:
    _, notice_id = publish_a_notice(api, staff)
    log = entries(api, supervisor, object_type="notice", object_id=str(notice_id))
    assert [e["action"] for e in log] == ["notice.create", "notice.submit", "notice.publish"]


# --- who may read it --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [AccountKind.SUPERVISOR, AccountKind.ADMIN])
def test_supervisors_and_administrators_read_the_log(api: Api, kind: AccountKind) -> None:
    reader = api.account("reader", kind)
    assert entries(api, reader)[0]["action"] == "account.create"
    assert verify(api, reader)["ok"] is True


@pytest.mark.parametrize("kind", [AccountKind.CENTRE_STAFF, AccountKind.EXPERT,
                                  AccountKind.SYSTEM_CLIENT])
def test_other_staff_may_not_read_the_log(api: Api, kind: AccountKind) -> None:
    caller = api.account("caller", kind)
    api.unchanged_after("GET", "/api/v1/audit", 403, "ROLE_NOT_ALLOWED", headers=caller)
    api.unchanged_after("GET", "/api/v1/audit/verify", 403, "ROLE_NOT_ALLOWED",
                        headers=caller)


def test_party_users_may_not_read_the_log(api: Api) -> None:
    _, party = api.register("fzcj", "MA2Y0001", ["tenderer"])
    api.unchanged_after("GET", "/api/v1/audit", 403, "ROLE_NOT_ALLOWED", headers=party)
    api.unchanged_after("GET", "/api/v1/audit/verify", 403, "ROLE_NOT_ALLOWED", headers=party)


# --- tampering is found -----------------------------------------------------------------------

def test_an_untouched_chain_verifies(api: Api, staff: dict[str, str],
                                     supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    report = verify(api, supervisor)
    assert report == {"ok": True, "entries_checked": count(api), "first_broken_seq": None,
                      "reason": None, "problems": [], "legacy_until": None,
                      "checkpoint_seq": None, "head_seq": count(api)}


def test_an_altered_actor_breaks_the_chain_at_that_entry(
        api: Api, staff: dict[str, str], supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    total = count(api)
    ok = cli_verify(api)
    assert ok.returncode == 0, ok.stderr
    assert f"audit chain intact: {total} entries" in ok.stdout

    tamper(api, "UPDATE audit_log SET actor = 'party_user:someone_else' WHERE seq = :seq",
           seq=6)
    report = verify(api, supervisor)
    assert report["ok"] is False and report["first_broken_seq"] == 6
    assert report["entries_checked"] == total
    assert [p["kind"] for p in report["problems"]] == ["altered"]
    broken = cli_verify(api)
    assert broken.returncode == 1
    assert "BROKEN at entry 6: entry 6 altered" in broken.stderr


def test_a_deleted_middle_entry_breaks_the_chain_at_that_entry(
        api: Api, staff: dict[str, str], supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    assert verify(api, supervisor)["ok"] is True
    tamper(api, "DELETE FROM audit_log WHERE seq = :seq", seq=5)
    report = verify(api, supervisor)
    assert report["ok"] is False and report["first_broken_seq"] == 5
    broken = cli_verify(api)
    assert broken.returncode == 1 and "BROKEN at entry 5" in broken.stderr


def test_a_deleted_last_entry_is_noticed(api: Api, staff: dict[str, str],
                                         supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    last = count(api)
    tamper(api, "DELETE FROM audit_log WHERE seq = :seq", seq=last)
    report = verify(api, supervisor)
    assert report["ok"] is False and report["first_broken_seq"] == last
    assert report["reason"] == f"entry {last} is missing (head at {last})"
    broken = cli_verify(api)
    assert broken.returncode == 1 and f"BROKEN at entry {last}" in broken.stderr


def test_a_rewritten_entry_with_a_recomputed_hash_is_found_by_its_mac(
        api: Api, staff: dict[str, str], supervisor: dict[str, str]) -> None:
    """Forging one entry and its own hash is not enough: its MAC needs the key, and the next
    entry links to the old hash."""
    publish_a_notice(api, staff)
    with api.container.uow() as uow:
        entry = uow.session.get(AuditEntry, 4)
        assert entry is not None
        entry.actor = "party_user:someone_else"
        entry.entry_hash = audit._entry_hash(entry.prev_hash, audit._hashed_fields(entry))
        uow.commit()
    report = verify(api, supervisor)
    assert report["ok"] is False and report["first_broken_seq"] == 4
    assert report["reason"].startswith("entry 4 altered")
    assert [(p["kind"], p["first_seq"], p["last_seq"]) for p in report["problems"]] == [
        ("altered", 4, 4)]
