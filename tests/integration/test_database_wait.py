"""A long-running process started before its database answers waits for it and comes up with
it (a reboot, a fail-over, PostgreSQL restarting under the fault drill); a one-shot command
says at once, in one line, that the database is unavailable."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from adapters.db.migrate import upgrade
from tests.conftest import ADMIN_URL, drop_database
from tests.live import ROOT


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "GGZY_DATABASE_URL": url, "GGZY_VAR_DIR": str(tmp_path),
            "GGZY_DATABASE_WAIT_SECONDS": "90", "GGZY_LOG_FORMAT": "text"}


def _wait_for(path: Path, needle: str, proc: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while needle not in path.read_text(errors="replace"):
        assert proc.poll() is None, path.read_text()
        assert time.monotonic() < deadline, path.read_text()
        time.sleep(0.2)


def test_the_scheduler_waits_for_a_database_that_is_not_there_yet(tmp_path: Path) -> None:
    name = f"ggzy_test_{secrets.token_hex(4)}"
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    template = f"{name}_template"
    template_url = make_url(ADMIN_URL).set(database=template).render_as_string(
        hide_password=False)
    env = _env(url, tmp_path)
    once = subprocess.run([sys.executable, "-m", "adapters.cli", "account", "list"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert once.returncode == 2 and once.stderr.startswith("error: DATABASE_UNAVAILABLE: ")
    log = tmp_path / "scheduler.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "adapters.cli", "scheduler"], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(log, "database unavailable, trying again", proc, 60)
        # The database must appear already migrated: one created empty and then migrated
        # would be refused as unmigrated if the scheduler's retry fell between the two.
        # A migrated template copied in one CREATE DATABASE is atomic.
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{template}"'))
        upgrade(template_url)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        admin.dispose()
        _wait_for(log, "lifecycle scheduler running", proc, 60)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        drop_database(url)
        drop_database(template_url)
    assert proc.returncode == 0, log.read_text()
