"""The `ggzy` command as an operator meets it (issue 10 §4): the real console script in a
subprocess, on a temporary SQLite database (and a real PostgreSQL one where it matters).

Each ordinary mistake answers one line ``error: CODE: message`` and exit 2 and changes nothing;
no command but `migrate` creates a database; tokens have a bounded lifetime; the account kinds
are one list; list commands and account management work and are audited."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from core.model.account import OPERATOR_KINDS
from tests.conftest import create_database, drop_database
from tests.live import ROOT

GGZY = str(Path(sys.executable).parent / "ggzy")  # the installed console script
PASSWORD = "a long pass phrase"


@dataclass
class Shell:
    """An operator's shell: its environment and the folder it runs `ggzy` in."""

    env: dict[str, str]
    cwd: Path
    db: Path | None = None

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([GGZY, *args], cwd=self.cwd, env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=120)

    def ok(self, *args: str, stdin: str | None = None) -> str:
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def refused(self, code: str, *args: str, stdin: str | None = None) -> str:
        """Run a mistake: one line naming ``code`` on stderr, exit 2, nothing on stdout and
        nothing changed in the database."""
        before = self.dump()
        done = self.run(*args, stdin=stdin)
        assert done.returncode == 2, (args, done.returncode, done.stdout, done.stderr)
        assert done.stdout == "", done.stdout
        lines = done.stderr.splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith(f"error: {code}: "), lines[0]
        assert self.dump() == before, f"{args} changed the database"
        return lines[0]

    def dump(self) -> str:
        if self.db is None or not self.db.exists():
            return ""
        conn = sqlite3.connect(self.db)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()

    def actions(self) -> list[str]:
        assert self.db is not None
        conn = sqlite3.connect(self.db)
        try:
            return [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
        finally:
            conn.close()


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GGZY_") or k == "GGZY_TEST_ADMIN_URL"}
    return {**env, **extra}


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    """A migrated SQLite hub under its own var dir, used from an unrelated folder."""
    var = tmp_path / "var"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    s = Shell(_clean_env(GGZY_VAR_DIR=str(var)), elsewhere, var / "ggzy.db")
    s.ok("migrate")
    return s


@pytest.fixture
def unmigrated_pg() -> Iterator[str]:
    url = create_database()
    yield url
    drop_database(url)


# --- 1. ordinary mistakes: one line, exit 2 ---------------------------------------------------

def test_ordinary_mistakes_are_one_line_with_their_code(shell: Shell) -> None:
    shell.refused("SELECTION_EMPTY", "deliveries", "replay")
    shell.refused("SELECTION_EMPTY", "deliveries", "discard", "--reason", "x")
    shell.refused("TARGET_NOT_FOUND", "routes", "add", "notice.published", "nosuch")
    shell.refused("MIGRATION_REVISION_UNKNOWN", "migrate", "--revision", "nosuch")
    shell.refused("MIGRATION_REVISION_UNKNOWN", "migrate", "--down", "nosuch")
    shell.refused("BAD_PARAMETER", "deliveries", "replay", "--since", "yesterday")
    shell.refused("BAD_PARAMETER", "deliveries", "replay", "--since", "2026-11-24T08:00")
    shell.refused("BAD_PARAMETER", "deliveries", "replay", "--id", "seven")
    shell.refused("DELIVERY_STATUS_UNKNOWN", "deliveries", "replay", "--status", "lost")
    shell.refused("MISSING_PARAMETER", "deliveries", "discard", "--id", "1")
    shell.refused("TARGET_ENDPOINT_INVALID", "targets", "set", "t1", "--endpoint", "ftp://x")
    shell.refused("USAGE", "no-such-command")
    shell.refused("NO_SUCH_OPTION", "routes", "list", "--colour")
    shell.refused("ACCOUNT_NOT_FOUND", "token", "issue", "nobody")
    shell.refused("ACCOUNT_NOT_FOUND", "calendar", "proposals", "--as", "nobody")
    shell.refused("BAD_PARAMETER", "calendar", "show", "--year", "1900")
    shell.env["GGZY_PORT"] = "eighty"
    shell.refused("CONFIG_INVALID", "routes", "list")


def test_the_calendar_and_audit_sub_commands_answer_the_same_way(shell: Shell,
                                                                 tmp_path: Path) -> None:
    bad = tmp_path / "notice.json"
    bad.write_text("{not json", encoding="utf-8")
    shell.ok("account", "create", "--username", "cal", "--kind", "admin",
             "--password", PASSWORD)
    shell.refused("CALENDAR_DOCUMENT_NOT_JSON", "calendar", "import", "--year", "2030",
                  str(bad), "--as", "cal")
    shell.refused("CALENDAR_PROPOSAL_NOT_FOUND", "calendar", "approve", "999", "--as", "cal")
    empty = Shell(_clean_env(GGZY_VAR_DIR=str(tmp_path / "nothing")), shell.cwd)
    empty.refused("DATABASE_NOT_MIGRATED", "audit", "verify")
    assert not (tmp_path / "nothing").exists()
    assert shell.run("audit", "verify").returncode == 0


def test_an_unforeseen_error_is_one_line_with_the_debug_hint(tmp_path: Path) -> None:
    """A command that crashes (a bug): one line and a hint by default, the traceback with
    GGZY_DEBUG=1 or --debug."""
    script = ("import click, sys\n"
              "from adapters.cli_support import OneLineErrors, debug_option\n"
              "@click.group(cls=OneLineErrors)\n@debug_option\ndef main(): pass\n"
              "@main.command()\ndef boom(): {}['missing']\n"
              "main()\n")
    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", script, *args], cwd=tmp_path,
                              env=_clean_env(**env), capture_output=True, text=True,
                              timeout=60)
    plain = run("boom")
    assert plain.returncode == 1 and len(plain.stderr.splitlines()) == 1
    assert plain.stderr.startswith("error: INTERNAL: KeyError") and "--debug" in plain.stderr
    for loud in (run("boom", GGZY_DEBUG="1"), run("--debug", "boom")):
        assert loud.returncode == 1 and "Traceback" in loud.stderr


# --- 2. the database does not depend on the working folder; only migrate creates one ---------

def test_run_from_another_folder_nothing_is_created_and_it_says_to_migrate(
        tmp_path: Path) -> None:
    """No GGZY_VAR_DIR: the default is the checkout's var/, wherever ggzy is started."""
    checkout_db = ROOT / "var" / "ggzy.db"
    existed = checkout_db.exists()
    s = Shell(_clean_env(), tmp_path)
    done = s.run("routes", "list")
    assert not (tmp_path / "var").exists() and list(tmp_path.iterdir()) == []
    assert "Traceback" not in done.stderr
    if existed:  # a developer's checkout that ran `make run`: it is that database
        assert done.returncode in (0, 2), done.stderr
    else:
        assert done.returncode == 2
        assert done.stderr.startswith("error: DATABASE_NOT_MIGRATED: ")
        assert str(checkout_db) in done.stderr and "ggzy migrate" in done.stderr
        assert not checkout_db.exists()


def test_no_command_but_migrate_creates_a_sqlite_database(tmp_path: Path) -> None:
    var = tmp_path / "var"
    s = Shell(_clean_env(GGZY_VAR_DIR=str(var)), tmp_path)
    for args in (("routes", "list"), ("accounts", "list"), ("deliveries", "stats"),
                 ("token", "issue", "admin"), ("demo",), ("audit", "verify"),
                 ("calendar", "show", "--year", "2027"),
                 ("account", "create", "--username", "u", "--kind", "admin",
                  "--password", PASSWORD)):
        line = s.refused("DATABASE_NOT_MIGRATED", *args)
        assert "run `ggzy migrate`" in line
        assert not var.exists(), args
    s.ok("migrate")
    assert (var / "ggzy.db").is_file()
    assert s.ok("routes", "list", "--json") == "[]\n"


def test_no_command_but_migrate_touches_an_unmigrated_postgresql(unmigrated_pg: str,
                                                                 tmp_path: Path) -> None:
    s = Shell(_clean_env(GGZY_DATABASE_URL=unmigrated_pg, GGZY_VAR_DIR=str(tmp_path / "v")),
              tmp_path)
    s.refused("DATABASE_NOT_MIGRATED", "targets", "list")
    s.refused("DATABASE_NOT_MIGRATED", "demo")
    engine = create_engine(unmigrated_pg)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    s.ok("migrate", "--revision", "0012")
    s.refused("DATABASE_SCHEMA_OUTDATED", "targets", "list")
    s.ok("migrate")
    assert s.ok("targets", "list", "--json") == "[]\n"


# --- 3. token lifetimes ----------------------------------------------------------------------

def test_a_token_lives_between_one_and_720_hours(shell: Shell) -> None:
    shell.ok("account", "create", "--username", "ops", "--kind", "admin",
             "--password", PASSWORD)
    for hours in ("0", "-1", "721", "100000"):
        line = shell.refused("BAD_PARAMETER", "token", "issue", "ops", "--hours", hours)
        assert "1<=x<=720" in line
    assert "720" in shell.ok("token", "issue", "--help")
    token = shell.ok("token", "issue", "ops", "--hours", "720").strip()
    assert len(token) >= 40
    listed = json.loads(shell.ok("token", "list", "ops", "--json"))
    assert [t["state"] for t in listed] == ["live"]


# --- 4. one list of account kinds ------------------------------------------------------------

def test_the_account_kinds_are_one_list_in_the_cli_and_the_readme(shell: Shell) -> None:
    kinds = [k.value for k in OPERATOR_KINDS]
    helped = shell.ok("account", "create", "--help")
    assert all(k in helped for k in kinds)
    row = next(line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
               if line.startswith("| `ggzy account create"))
    assert [k for k in kinds if f"`{k}`" in row] == kinds
    assert "system-client" not in row and "`staff`" not in row
    shell.refused("BAD_PARAMETER", "account", "create", "--username", "x", "--kind", "staff",
                  "--password", PASSWORD)
    for kind in kinds:
        shell.ok("account", "create", "--username", f"u-{kind}", "--kind", kind,
                 "--password", PASSWORD)


# --- 5. list commands ------------------------------------------------------------------------

def test_list_commands_show_a_table_and_json(shell: Shell) -> None:
    shell.ok("targets", "set", "peer", "--endpoint", "http://127.0.0.1:9/in")
    shell.ok("routes", "add", "notice.*", "peer")
    shell.ok("account", "create", "--username", "ops", "--kind", "admin",
             "--password", PASSWORD)

    targets = json.loads(shell.ok("targets", "list", "--json"))
    assert [(t["name"], t["endpoint"], t["state"]) for t in targets] == [
        ("peer", "http://127.0.0.1:9/in", "enabled")]
    routes = json.loads(shell.ok("routes", "list", "--json"))
    assert [(r["event_type"], r["target"], r["mapping"]) for r in routes] == [
        ("notice.*", "peer", "json-passthrough@1")]
    accounts = json.loads(shell.ok("accounts", "list", "--json"))
    assert [(a["username"], a["kind"], a["state"]) for a in accounts] == [
        ("ops", "admin", "enabled")]
    assert "password" not in json.dumps(accounts).replace("must_change_password", "")
    assert json.loads(shell.ok("deliveries", "list", "--json")) == []

    table = shell.ok("targets", "list").splitlines()
    assert table[0].split() == ["name", "kind", "state", "max_attempts", "endpoint"]
    assert table[1].split()[0] == "peer"
    assert shell.ok("routes", "list").splitlines()[1].split()[1:3] == ["notice.*", "peer"]
    assert shell.ok("accounts", "list").splitlines()[1].split()[1:4] == [
        "ops", "admin", "enabled"]
    shell.refused("DELIVERY_STATUS_UNKNOWN", "deliveries", "list", "--status", "lost")
    shell.refused("BAD_PARAMETER", "deliveries", "list", "--limit", "0")


# --- 6. account management -------------------------------------------------------------------

def test_an_operator_manages_accounts_and_every_change_is_audited(shell: Shell) -> None:
    shell.ok("account", "create", "--username", "alice", "--kind", "centre_staff",
             "--password", PASSWORD)
    first = shell.ok("token", "issue", "alice").strip()
    shell.ok("token", "issue", "alice")
    assert first

    assert "disabled" in shell.ok("account", "disable", "alice")
    shell.refused("ACCOUNT_DISABLED", "token", "issue", "alice")
    shell.refused("ACCOUNT_ALREADY_DISABLED", "account", "disable", "alice")
    assert [t["state"] for t in json.loads(shell.ok("token", "list", "alice", "--json"))] == [
        "revoked", "revoked"]
    assert json.loads(shell.ok("accounts", "list", "--json"))[0]["state"] == "disabled"
    shell.ok("account", "enable", "alice")

    shell.refused("OLD_PASSWORD_WRONG", "account", "password", "alice",
                  stdin="wrong old one\nnew long pass phrase\n")
    shell.refused("PASSWORD_TOO_SHORT", "account", "password", "alice",
                  stdin=f"{PASSWORD}\nshort\n")
    assert "changed" in shell.ok("account", "password", "alice",
                                 stdin=f"{PASSWORD}\nnew long pass phrase\n")

    reset = shell.run("account", "reset-password", "alice")
    assert reset.returncode == 0, reset.stderr
    one_time = reset.stdout.strip()
    assert len(one_time) == 16 and "one-time" in reset.stderr
    assert json.loads(shell.ok("accounts", "list", "--json"))[0]["must_change_password"]
    shell.ok("account", "password", "alice", stdin=f"{one_time}\nthird long pass phrase\n")
    assert not json.loads(shell.ok("accounts", "list", "--json"))[0]["must_change_password"]
    shell.refused("PASSWORD_REQUIRED", "account", "reset-password", "alice", "--stdin",
                  stdin="\n")
    assert "set" in shell.ok("account", "reset-password", "alice", "--stdin",
                             stdin="fourth long pass phrase\n")

    shell.ok("token", "issue", "alice")
    shell.ok("token", "issue", "alice")
    live = [t["id"] for t in json.loads(shell.ok("token", "list", "alice", "--json"))
            if t["state"] == "live"]
    assert len(live) == 2
    shell.refused("TOKEN_SELECTION_REQUIRED", "token", "revoke", "alice")
    shell.refused("TOKEN_SELECTION_REQUIRED", "token", "revoke", "alice", "--all",
                  "--id", live[0])
    shell.refused("TOKEN_NOT_FOUND", "token", "revoke", "alice", "--id", "0" * 16)
    assert "1 tokens" in shell.ok("token", "revoke", "alice", "--id", live[0])
    shell.refused("TOKEN_NOT_LIVE", "token", "revoke", "alice", "--id", live[0])
    assert "1 tokens" in shell.ok("token", "revoke", "alice", "--all")
    assert all(t["state"] == "revoked"
               for t in json.loads(shell.ok("token", "list", "alice", "--json")))

    managed = [a for a in shell.actions() if a.startswith(("account.", "token."))]
    assert managed == [
        "account.create", "token.issue", "token.issue", "account.disable", "account.enable",
        "account.password_change", "account.password_reset", "account.password_change",
        "account.password_reset", "token.issue", "token.issue", "token.revoke",
        "token.revoke_all"]
    assert "intact" in shell.ok("audit", "verify")
