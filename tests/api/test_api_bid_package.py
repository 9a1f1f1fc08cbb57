"""Bid packages end to end (issue 10 §2): `ggzy-bid`, pointed at a live server by GGZY_API,
builds a package of a PDF and its 开标一览表, seals and submits it; at the opening the server reads
the price and the other items from the package. A bad package is refused on the bidder's side
before sealing and read out as BID_PACKAGE_… at the opening; every CLI error is one line."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.bidder.client import unwrap_dek
from adapters.bootstrap import Container
from adapters.rest.app import create_app
from core.model.account import AccountKind
from core.sealing.package import MANIFEST
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api
from tests.api.test_api_tendering import PLAINTEXT, Tender
from tests.live import app_in_thread, free_port

GGZY_BID = str(Path(sys.executable).with_name("ggzy-bid"))
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def live_api(container: Container) -> Iterator[str]:
    """The app on the test database over loopback HTTP (the test moves its clock), as
    `ggzy serve` would serve it."""
    with app_in_thread(create_app(container), "bid-package-server") as base:
        yield base + "/api/v1"


def ggzy_bid(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GGZY_")}
    return subprocess.run([GGZY_BID, *args], env={**clean, **env}, capture_output=True,
                          text=True, timeout=120, check=False)


def bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def one_line_error(result: subprocess.CompletedProcess[str], code: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith(f"error: {code}: "), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_ggzy_bid_submits_a_package_and_the_opening_reads_its_price(
        api: Api, live_api: str, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    headers, uscc, _ = t.bidder("pkg", "MA2YB010")
    pdf = tmp_path / "投标函.pdf"
    pdf.write_bytes(PDF)
    env = {"GGZY_API": live_api, "GGZY_TOKEN": bearer(headers)}
    assert ggzy_bid(env, "keygen", str(tmp_path / "bidder.pem")).returncode == 0
    out = tmp_path / "bid"
    done = ggzy_bid(env, "bid", "--section", t.section, "--bidder-id", uscc, "--key",
                    str(tmp_path / "bidder.pem"), "--out", str(out), "--price", "39990000.00",
                    "--duration-days", "500", "--quality", "合格", "--field",
                    "project_manager=陈建国", str(pdf))
    assert done.returncode == 0, done.stderr
    assert "price 39990000.00" in done.stdout and "(verified)" in done.stdout
    assert (out / "receipt.json").is_file()
    # the server holds only ciphertext: not the PDF, not the price
    blob = (out / "bid.sealed").read_bytes()
    assert b"%PDF" not in blob and b"39990000" not in blob
    for name, body8, price in (("b2", "MA2YB011", "40100000.00"),
                               ("b3", "MA2YB012", "41000000.00")):
        h, other_uscc, key = t.bidder(name, body8)
        sealed = t.seal(tmp_path, other_uscc, key,
                        plaintext=PLAINTEXT.replace(b"40100000.00", price.encode()))
        assert t.submit(h, sealed).status_code == 201

    api.container.clock.set(t.deadline)  # type: ignore[attr-defined]
    assert run_due(api.container.uow, api.container.signer) == 1
    env["GGZY_TOKEN"] = bearer(api.token("pkg"))  # the old token expired on the way
    opened = ggzy_bid(env, "open", "--section", t.section, "--key",
                      str(tmp_path / "bidder.pem"), str(out))
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.startswith("opened: price 39990000.00")
    assert '"duration_days": 500' in opened.stdout and "陈建国" in opened.stdout

    # the other two never hand in their keys: revoked at the close (电子办法 31)
    api.container.clock.advance(timedelta(minutes=61))  # type: ignore[attr-defined]
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    closed = api.client.post(f"/api/v1/sections/{t.section}/opening/close", headers=staff)
    assert closed.status_code == 200, closed.text
    record = json.loads(closed.json()["body"])
    [mine] = [b for b in record["bids"] if b["bidder_id"] == uscc]
    assert mine["price"] == "39990000.00" and mine["failure_code"] is None
    assert mine["declared"] == {"duration_days": 500, "quality": "合格",
                                "project_manager": "陈建国"}


def test_a_damaged_package_opens_as_bid_package_hash_mismatch(
        api: Api, tmp_path: Path) -> None:
    """Put together by hand (not by ggzy-bid, which would refuse it): the opening says why."""
    from adapters.bidder.client import build_package_file

    t = Tender(api)
    t.issue()
    headers, uscc, key = t.bidder("pkg", "MA2YB010")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    good = build_package_file(tmp_path / "good.zip", t.section, uscc, [pdf],
                              {"price": "40000000.00"})
    assert good.schedule.price == 40000000
    with zipfile.ZipFile(tmp_path / "good.zip") as z:
        entries = {i.filename: z.read(i) for i in z.infolist()}
    entries["documents/a.pdf"] = PDF + b"% changed after the manifest\n"
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    sealed = t.seal(tmp_path, uscc, key, plaintext=damaged.getvalue())
    assert t.submit(headers, sealed).status_code == 201
    for name, body8 in (("b2", "MA2YB011"), ("b3", "MA2YB012")):
        h, other, k = t.bidder(name, body8)
        assert t.submit(h, t.seal(tmp_path, other, k)).status_code == 201
    api.container.clock.set(t.deadline)  # type: ignore[attr-defined]
    assert run_due(api.container.uow, api.container.signer) == 1
    r = api.client.post(f"/api/v1/sections/{t.section}/opening/key", headers=api.token("pkg"),
                        json={"dek": base64.b64encode(unwrap_dek(sealed, key)).decode()})
    assert r.status_code == 200, r.text
    assert r.json()["failure_code"] == "BID_PACKAGE_HASH_MISMATCH"
    assert r.json()["price"] is None
    assert MANIFEST in entries


def test_ggzy_bid_errors_are_one_line_with_a_code(api: Api, live_api: str,
                                                  tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    headers, uscc, _ = t.bidder("pkg", "MA2YB010")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    key = tmp_path / "k.pem"
    token = bearer(headers)

    def bid(env: dict[str, str], *extra: str, section: str = t.section) -> Any:
        return ggzy_bid(env, "bid", "--section", section, "--bidder-id", uscc, "--key",
                        str(key), "--out", str(tmp_path / "out"), *extra, str(pdf))

    assert ggzy_bid({}, "keygen", str(key)).returncode == 0
    one_line_error(ggzy_bid({}, "keygen", str(key)), "KEY_FILE_EXISTS")
    # GGZY_API is read: nothing listens on this port, and the error says so in one line
    dead = {"GGZY_API": f"http://127.0.0.1:{free_port()}/api/v1", "GGZY_TOKEN": token}
    one_line_error(bid(dead, "--price", "1.00"), "API_UNREACHABLE")
    one_line_error(bid({"GGZY_API": live_api}, "--price", "1.00"), "TOKEN_MISSING")
    env = {"GGZY_API": live_api, "GGZY_TOKEN": token}
    # a bad 开标一览表 is refused before anything is sealed or sent
    one_line_error(bid(env), "BID_PACKAGE_SCHEDULE_INVALID")
    one_line_error(bid(env, "--price", "4.01e7x"), "BID_PACKAGE_SCHEDULE_INVALID")
    assert not (tmp_path / "out" / "bid.sealed").exists()
    # the server's refusal comes back with the problem's own code
    one_line_error(bid(env, "--price", "1.00", section="E3501000001000001009999"),
                   "ROUND_NOT_FOUND")
    one_line_error(ggzy_bid(env, "seal", "--section", t.section, "--bidder-id", uscc,
                            "--key", str(key), "--out", str(tmp_path / "s"), str(pdf)),
                   "BID_PACKAGE_NOT_ZIP")
    one_line_error(ggzy_bid(env, "bid", "--section", t.section), "USAGE")
