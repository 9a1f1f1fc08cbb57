"""The audit log anchored outside the database: entries MACed with a key that is not in it, and
signed checkpoints of the head in an append-only file (and, for a witness, an outbound event).

Each attack of issue 9 is run as someone with full access to the database but not to var/:
deleting the newest entries and rolling the head back, wiping the log, rewriting an old entry
and re-hashing the rest. Every one verified as intact before the anchor; each must now be named,
through the API and through `ggzy audit verify`.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import re
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text

from adapters.audit_checkpoints import (
    Checkpointer,
    checkpoint_path,
    snapshot_session,
    verify_anchored,
)
from adapters.audit_key import FileAuditKey, audit_key_path
from adapters.bootstrap import Container, build
from adapters.exchange_runtime import build_registry
from core import audit
from core.audit_verify import verify_chain
from core.clock import MovableClock
from core.model.account import AccountKind
from core.model.audit import AuditEntry, AuditHead
from core.model.outbox import OutboxEvent
from exchange import config
from exchange.delivery import Deliverer
from exchange.relay import relay_batch
from sandbox.recorder import RecordingPeerProcess
from tests.api.conftest import Api
from tests.api.test_api_audit import cli, count, publish_a_notice, tamper, verify
from tests.conftest import TABLES, settings_for


@pytest.fixture
def supervisor(api: Api) -> dict[str, str]:
    return api.account("jdz", AccountKind.SUPERVISOR)


@pytest.fixture
def staff(api: Api) -> dict[str, str]:
    return api.account("staff", AccountKind.CENTRE_STAFF)


def checkpoint(api: Api) -> int:
    """`ggzy audit checkpoint`; returns the seq it anchored."""
    done = cli(api, "checkpoint")
    assert done.returncode == 0, done.stderr
    found = re.search(r"checkpoint at (\d+) written", done.stdout)
    assert found, done.stdout
    return int(found[1])


def problems(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["kind"], p["message"]) for p in report["problems"]]


def rehash_from(api: Api, first: int) -> None:
    """Recompute every hash from ``first`` on and the head's, as the chain's own algorithm
    does: all a database writer without the key can do."""
    with api.container.engine.begin() as conn:
        prev = conn.execute(text("SELECT entry_hash FROM audit_log WHERE seq = :s"),
                            {"s": first - 1}).scalar_one()
    with api.container.session_factory() as s:
        for entry in s.scalars(select(AuditEntry).where(AuditEntry.seq >= first)
                               .order_by(AuditEntry.seq)):
            entry.prev_hash = prev
            entry.entry_hash = prev = audit._entry_hash(prev, audit._hashed_fields(entry))
        head = s.get(AuditHead, audit.HEAD_ID)
        assert head is not None
        head.last_hash = prev
        s.commit()


def add_entries(c: Container, n: int) -> None:
    for i in range(n):
        with c.uow() as uow:
            uow.record("test", "test.entry", "test", str(i), None, {"n": i})
            uow.commit()


def broken_cli(api: Api) -> str:
    done = cli(api, "verify")
    assert done.returncode == 1, done.stdout
    return done.stderr


# --- the key ----------------------------------------------------------------------------------

def test_entries_are_maced_with_a_key_outside_the_database(api: Api,
                                                           staff: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    path = audit_key_path(api.container.settings)
    assert path == api.container.settings.var_dir / "keys" / "audit-mac.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    secret = bytes.fromhex(path.read_text())
    assert len(secret) == 32
    with api.container.engine.connect() as conn:  # not in any table, in any form
        for table in TABLES:
            dump = repr(conn.execute(text(f"SELECT * FROM {table}")).all())
            assert secret.hex() not in dump and secret.hex().upper() not in dump, table
    link = audit.GENESIS  # recomputed here from the key file, independently of the code
    with api.container.session_factory() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    for e in entries:
        fields = {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                  "object_type": e.object_type, "object_id": e.object_id,
                  "before": e.before_digest, "after": e.after_digest}
        message = link.encode() + json.dumps(fields, sort_keys=True, separators=(",", ":"),
                                             ensure_ascii=False).encode()
        assert e.mac == hmac.new(secret, message, hashlib.sha256).hexdigest(), e.seq
        link = e.mac


def test_the_key_file_can_be_named_and_is_made_owner_only(
        container: Container, tmp_path: Path, clock: MovableClock) -> None:
    named = tmp_path / "secrets" / "audit.key"
    c = build(settings_for({"GGZY_DATABASE_URL": container.settings.database_url,
                             "GGZY_VAR_DIR": str(tmp_path / "v"),
                             "GGZY_AUDIT_KEY_FILE": str(named)}), clock)
    try:
        assert not named.exists()  # created on the first MAC, not by building the container
        add_entries(c, 1)
        assert stat.S_IMODE(named.stat().st_mode) == 0o600
        assert not (tmp_path / "v" / "keys").exists()
        with c.session_factory() as s:
            (entry,) = s.scalars(select(AuditEntry)).all()  # the log was empty
        secret = bytes.fromhex(named.read_text())
        assert entry.mac == audit.HmacAuditKey(secret).mac(
            audit.GENESIS.encode() + audit.canonical_json(audit._hashed_fields(entry)))
    finally:
        c.close()


def test_a_missing_key_is_reported_not_replaced(api: Api, staff: dict[str, str],
                                                supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    path = audit_key_path(api.container.settings)
    path.unlink()
    report = verify_anchored(dataclasses.replace(api.container, audit_key=FileAuditKey(path)))
    assert not report.ok
    assert [p.kind for p in report.problems] == ["key_missing"]
    assert not path.exists()  # verifying never makes a key up


# --- the attacks of the issue -----------------------------------------------------------------

def test_deleting_the_newest_entries_and_rolling_back_the_head_is_named(
        api: Api, staff: dict[str, str], supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    anchored = checkpoint(api)
    assert anchored == count(api)
    with api.container.engine.begin() as conn:
        keep = conn.execute(text("SELECT entry_hash, mac FROM audit_log WHERE seq = 5")).one()
        conn.execute(text("DELETE FROM audit_log WHERE seq > 5"))
        conn.execute(text("UPDATE audit_head SET last_seq = 5, last_hash = :h, last_mac = :m"),
                     {"h": keep.entry_hash, "m": keep.mac})
    with api.container.session_factory() as s:  # what the database alone says: intact
        assert verify_chain(s, api.container.audit_key).ok
    report = verify(api, supervisor)
    assert report["ok"] is False and report["first_broken_seq"] == 6
    assert problems(report) == [
        ("missing", f"entries 6–{anchored} are missing (checkpoint at {anchored})"),
        ("head_rolled_back", f"head rolled back (head at 5, checkpoint at {anchored})")]
    stderr = broken_cli(api)
    assert f"BROKEN at entry 6: entries 6–{anchored} are missing (checkpoint at {anchored})" \
        in stderr
    assert f"head rolled back (head at 5, checkpoint at {anchored})" in stderr


def test_a_wiped_log_is_named(api: Api, staff: dict[str, str],
                              supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    anchored = checkpoint(api)
    with api.container.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
        conn.execute(text("DELETE FROM audit_head"))
    report = verify(api, supervisor)
    assert problems(report) == [("wiped", f"log wiped (checkpoint at {anchored}, 0 entries)")]
    assert f"log wiped (checkpoint at {anchored}, 0 entries)" in broken_cli(api)


def test_an_old_entry_rewritten_and_the_rest_rehashed_is_named(
        api: Api, staff: dict[str, str], supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    checkpoint(api)
    tamper(api, "UPDATE audit_log SET actor = 'party_user:someone_else' WHERE seq = 4")
    rehash_from(api, 4)
    with api.container.session_factory() as s:  # the hash chain alone: intact again
        assert all(e.entry_hash == audit._entry_hash(e.prev_hash, audit._hashed_fields(e))
                   for e in s.scalars(select(AuditEntry)))
    report = verify(api, supervisor)
    assert [(p["kind"], p["first_seq"], p["last_seq"]) for p in report["problems"]] == [
        ("altered", 4, 4)]
    assert report["reason"] == "entry 4 altered (MAC does not match: changed without the " \
                               "audit key)"
    assert "BROKEN at entry 4: entry 4 altered" in broken_cli(api)


def test_a_mac_forged_with_a_guessed_key_is_named(api: Api, staff: dict[str, str],
                                                  supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    guess = audit.HmacAuditKey(b"\x00" * 32)
    with api.container.session_factory() as s:
        entry = s.get(AuditEntry, 3)
        before = s.get(AuditEntry, 2)
        assert entry is not None and before is not None and before.mac is not None
        entry.actor = "party_user:someone_else"
        entry.mac = audit.entry_mac(guess, before.mac, entry)
        s.commit()
    rehash_from(api, 3)
    report = verify(api, supervisor)
    assert problems(report) == [  # and entry 4, whose link is the replaced MAC, is not blamed
        ("altered", "entry 3 altered (MAC does not match: changed without the audit key)")]


def test_macs_removed_to_pass_for_legacy_entries_are_named(
        api: Api, staff: dict[str, str], supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    anchored = checkpoint(api)
    with api.container.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET mac = NULL WHERE seq >= 6"))
        conn.execute(text("UPDATE audit_head SET last_mac = NULL"))
    report = verify(api, supervisor)
    assert problems(report) == [("altered", f"entries 6–{anchored} altered (MAC removed)")]
    with api.container.engine.begin() as conn:  # all of them: only the checkpoint can tell
        conn.execute(text("UPDATE audit_log SET mac = NULL"))
    report = verify(api, supervisor)
    assert problems(report)[0] == (
        "altered", f"entry {anchored} altered (does not match the checkpoint at {anchored})")


def test_a_head_rolled_back_over_intact_entries_is_named(
        api: Api, staff: dict[str, str], supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    last = count(api)
    tamper(api, "UPDATE audit_head SET last_seq = 5")
    assert ("head_rolled_back", f"head rolled back (head at 5, entries up to {last})") in \
        problems(verify(api, supervisor))


# --- the checkpoints --------------------------------------------------------------------------

def test_the_checkpoint_log_is_owner_only_signed_and_only_appended(
        api: Api, staff: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    first = checkpoint(api)
    path = checkpoint_path(api.container.settings)
    assert path == api.container.settings.var_dir / "audit" / "checkpoints.log"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    written = path.read_bytes()
    again = cli(api, "checkpoint")  # nothing new: nothing written
    assert again.returncode == 0 and f"checkpoint at {first} is current" in again.stdout
    assert path.read_bytes() == written
    add_entries(api.container, 1)
    second = checkpoint(api)
    assert second == first + 1
    lines = path.read_bytes().splitlines()
    assert path.read_bytes().startswith(written) and len(lines) == 2
    record = json.loads(lines[1])
    signature = base64.b64decode(record.pop("sig"))
    api.container.signer.public_key.verify(signature, audit.canonical_json(record))
    assert record["type"] == "ggzy.audit-checkpoint.v1" and record["seq"] == second
    with api.container.session_factory() as s:
        entry = s.get(AuditEntry, second)
        assert entry is not None
        assert (record["hash"], record["mac"]) == (entry.entry_hash, entry.mac)


def test_a_forged_checkpoint_is_named(api: Api, staff: dict[str, str],
                                      supervisor: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    checkpoint(api)
    path = checkpoint_path(api.container.settings)
    genuine = json.loads(path.read_bytes().splitlines()[0])
    forged = {k: v for k, v in genuine.items() if k != "sig"} | {"seq": 999}
    other = Ed25519PrivateKey.generate()  # not the platform's key
    forged["sig"] = base64.b64encode(other.sign(audit.canonical_json(forged))).decode()
    with path.open("ab") as out:
        out.write(audit.canonical_json(forged) + b"\n" + b"not even json\n")
    report = verify(api, supervisor)
    assert problems(report) == [
        ("checkpoint_invalid", "checkpoint line 2 does not verify with the platform key "
                               "(forged or edited)"),
        ("checkpoint_invalid", "checkpoint line 3 is not a signed checkpoint")]
    assert report["checkpoint_seq"] == genuine["seq"]  # the forged one anchors nothing


def test_no_checkpoint_is_signed_over_a_tampered_chain(api: Api, staff: dict[str, str]) -> None:
    publish_a_notice(api, staff)
    checkpoint(api)
    path = checkpoint_path(api.container.settings)
    written = path.read_bytes()
    add_entries(api.container, 1)
    tamper(api, "UPDATE audit_log SET actor = 'x' WHERE seq = (SELECT max(seq) FROM audit_log)")
    refused = cli(api, "checkpoint")
    assert refused.returncode == 1 and "no checkpoint written" in refused.stderr
    assert "altered" in refused.stderr
    assert path.read_bytes() == written


def test_checkpoints_are_due_every_n_entries_or_t_seconds(api: Api,
                                                          clock: MovableClock) -> None:
    c = dataclasses.replace(api.container, settings=dataclasses.replace(
        api.container.settings, audit_checkpoint_every=3, audit_checkpoint_seconds=60,
        audit_witness=False))
    checkpointer = Checkpointer(c)
    assert checkpointer.run_once() is None  # empty log
    add_entries(c, 1)
    first = checkpointer.run_once()  # the first one as soon as there is an entry
    assert first is not None and first.written and first.checkpoint is not None
    assert first.checkpoint.seq == 1
    assert checkpointer.run_once() is None
    add_entries(c, 2)
    assert checkpointer.run_once() is None  # 2 entries, 0 seconds: not yet
    clock.advance(timedelta(seconds=61))
    by_time = checkpointer.run_once()
    assert by_time is not None and by_time.checkpoint is not None
    assert by_time.checkpoint.seq == 3
    add_entries(c, 3)
    by_count = checkpointer.run_once()
    assert by_count is not None and by_count.checkpoint is not None
    assert by_count.checkpoint.seq == 6
    lines = checkpoint_path(c.settings).read_bytes().splitlines()
    assert [json.loads(x)["seq"] for x in lines] == [1, 3, 6]


def test_verify_sees_one_snapshot_while_entries_are_appended(api: Api) -> None:
    """Under READ COMMITTED the entries read after the head would include a newer one, and an
    intact chain would look like a head rolled back."""
    add_entries(api.container, 2)
    with snapshot_session(api.container) as s:
        head = s.get(AuditHead, audit.HEAD_ID)  # read first, as verify_chain does
        assert head is not None and head.last_seq == 2
        add_entries(api.container, 1)  # commits before the entries are read
        report = verify_chain(s, api.container.audit_key)
        assert report.ok, report.problems
        assert report.entries_checked == 2 and head.last_seq == 2


# --- legacy entries ---------------------------------------------------------------------------

def test_entries_written_before_the_key_are_legacy_and_anchored(
        api: Api, staff: dict[str, str], supervisor: dict[str, str]) -> None:
    """What migration 0008 leaves: old rows and the head without MACs (the key is not in the
    database, so no migration can MAC them)."""
    publish_a_notice(api, staff)
    legacy = count(api)
    with api.container.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET mac = NULL"))
        conn.execute(text("UPDATE audit_head SET last_mac = NULL"))
    report = verify(api, supervisor)
    assert report["ok"] is True and report["legacy_until"] == legacy
    assert checkpoint(api) == legacy  # the first start with a key anchors them
    add_entries(api.container, 1)
    report = verify(api, supervisor)
    assert report["ok"] is True and report["legacy_until"] == legacy
    ok = cli(api, "verify")
    assert ok.returncode == 0
    assert f"entries 1–{legacy} predate the audit key" in ok.stdout
    # rewriting a legacy entry needs no key; the next keyed entry and the checkpoint tell
    tamper(api, "UPDATE audit_log SET actor = 'x' WHERE seq = 2")
    rehash_from(api, 2)
    messages = [m for _, m in problems(verify(api, supervisor))]
    assert messages == [
        f"entry {legacy} altered (does not match the checkpoint at {legacy})",
        f"entry {legacy + 1} altered (MAC does not match, or the legacy entries before it were "
        "rewritten)"]


# --- the witness ------------------------------------------------------------------------------

@pytest.fixture
def witness(tmp_path: Path) -> Iterator[RecordingPeerProcess]:
    with RecordingPeerProcess(tmp_path / "witness.db") as peer:
        yield peer


def test_each_checkpoint_goes_to_the_witness(api: Api, staff: dict[str, str],
                                             clock: MovableClock,
                                             witness: RecordingPeerProcess) -> None:
    assert api.container.settings.audit_witness  # on by default in production (PostgreSQL)
    with api.container.session_factory() as s:
        config.upsert_target(s, "witness", {"kind": "http_json",
                                            "endpoint": witness.http_url("witness")},
                             "test", clock.now())
        config.add_route(s, "audit.checkpoint", "witness", "json-passthrough@1", True, "test",
                         clock.now())
        s.commit()
    publish_a_notice(api, staff)
    anchored = checkpoint(api)
    with api.container.session_factory() as s:
        (event,) = s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "audit.checkpoint")).all()
        assert event.ordering_key == "audit"
        ids, _ = relay_batch(s, clock.now())
        s.commit()
    registry = build_registry(api.container)
    try:
        Deliverer(api.container.session_factory, registry, clock, lambda _ids: None).deliver(ids)
    finally:
        registry.close()
    (message,) = witness.control.messages(channel="witness")
    payload = json.loads(message["body"])["payload"]
    assert payload["seq"] == anchored
    public = serialization.load_pem_public_key(api.client.get(
        "/api/v1/public/platform-keys").json()["receipt_signing_key_pem"].encode())
    public.verify(base64.b64decode(payload["signature"]),  # type: ignore[union-attr]
                  payload["body"].encode())
    assert json.loads(payload["body"])["seq"] == anchored


def test_a_refused_head_is_logged_once_not_verified_every_second(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    checkpointer = Checkpointer(dataclasses.replace(api.container, settings=dataclasses.replace(
        api.container.settings, audit_checkpoint_every=1, audit_witness=False)))
    add_entries(api.container, 2)
    first = checkpointer.run_once()
    assert first is not None and first.written
    add_entries(api.container, 1)
    tamper(api, "UPDATE audit_log SET actor = 'x' WHERE seq = (SELECT max(seq) FROM audit_log)")
    with caplog.at_level("ERROR", logger="ggzy.audit"):
        refused = checkpointer.run_once()
        assert refused is not None and refused.refused is not None and not refused.written
        assert checkpointer.run_once() is None  # the same head: not checked again
    assert [r.message.startswith("audit chain does not verify") for r in caplog.records] == [True]
    add_entries(api.container, 1)  # the head moved: tried (and refused) again
    again = checkpointer.run_once()
    assert again is not None and again.refused is not None
