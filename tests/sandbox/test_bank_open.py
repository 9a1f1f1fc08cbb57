"""The sandbox bank of the ``open`` profile, as a real process on loopback.

The client and the callback receiver below are written here from ``docs/banks/open-protocol.md``
(the signature rule of §2, the fields of §3 and §4), not imported from ``sandbox``: if the bank and
this client read the document differently, these tests fail, which is the point of having both.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import gmssl_pyx
import httpx
import pytest
from cryptography.hazmat.primitives import hashes

from tests.live import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "banks" / "open-protocol.md"
BEIJING = timezone(timedelta(hours=8))
HUB_KEY_ID, BANK_KEY_ID = "GGZYHUB01", "OPENBANK01"
SM2_ID = b"1234567812345678"


# -- the protocol, from the document (§2) ---------------------------------------------------------

def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def canonical(key_id: str, ts: str, nonce: str, method: str, uri: str,
              query: list[tuple[str, str]], body: bytes) -> str:
    pairs = sorted([*query, ("bodyDigest", sm3_hex(body))],
                   key=lambda kv: (kv[0].encode(), kv[1].encode()))
    return f"{key_id}&{ts}&{nonce}&{method}&{uri}&" + "&".join(f"{k}={v}" for k, v in pairs)


def beijing_stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(BEIJING)).astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def verify(public64: bytes, headers: Any, method: str, uri: str, query: list[tuple[str, str]],
           raw: bytes, key_id: str = BANK_KEY_ID) -> bool:
    if headers.get("X-Open-KeyId") != key_id or headers.get("X-Open-SignAlg") != "SM3WithSM2":
        return False
    message = canonical(key_id, headers["X-Open-Timestamp"], headers["X-Open-Nonce"], method,
                        uri, query, raw)
    der = base64.b64decode(headers["X-Open-Signature"])
    return bool(gmssl_pyx.sm2_verify(public64, message.encode(), der, signer_id=SM2_ID))


class HubClient:
    """The hub's side of §3: signs with the hub key, verifies the bank's signed answers."""

    def __init__(self, base: str, cert: Path, hub_pub: bytes, hub_priv: bytes,
                 bank_pub: bytes) -> None:
        self.base = base  # https://127.0.0.1:PORT/open/v1
        self.http = httpx.Client(verify=ssl.create_default_context(cafile=str(cert)),
                                 timeout=10.0)
        self.hub_pub, self.hub_priv, self.bank_pub = hub_pub, hub_priv, bank_pub

    def headers(self, method: str, uri: str, query: list[tuple[str, str]], body: bytes, *,
                ts: str | None = None, nonce: str | None = None,
                key_id: str = HUB_KEY_ID) -> dict[str, str]:
        ts = ts or beijing_stamp()
        nonce = nonce or secrets.token_hex(16)
        message = canonical(key_id, ts, nonce, method, uri, query, body)
        signature = gmssl_pyx.sm2_sign(self.hub_priv, self.hub_pub, message.encode(),
                                       signer_id=SM2_ID)
        return {"X-Open-KeyId": key_id, "X-Open-Timestamp": ts, "X-Open-Nonce": nonce,
                "X-Open-SignAlg": "SM3WithSM2",
                "X-Open-Signature": base64.b64encode(signature).decode(),
                "Content-Type": "application/json; charset=utf-8"}

    def send(self, method: str, path: str, payload: Any = None, *,
             query: list[tuple[str, str]] | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        uri = urlsplit(self.base).path + path
        query = query or []
        sent = headers or self.headers(method, uri, query, body)
        answer = self.http.request(method, self.base + path, params=query or None,
                                   content=body or None, headers=sent)
        # Every answer is signed by the bank, over the request's method and URI (§2.2).
        assert verify(self.bank_pub, answer.headers, method, uri, [], answer.content), answer.text
        return answer

    def ok(self, method: str, path: str, payload: Any = None, **kw: Any) -> dict[str, Any]:
        answer = self.send(method, path, payload, **kw)
        assert answer.status_code == 200 and answer.json()["code"] == "SUCCESS", answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data


class Receiver:
    """The hub's callback door (§4): records raw bytes and headers, answers as told."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.calls: list[tuple[str, dict[str, str], bytes]] = []
        self.answer: Callable[[int], tuple[int, bytes]] = lambda n: (200, b'{"code":"SUCCESS"}')
        self.server: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.calls.append((self.path, dict(self.headers), raw))
                    status, body = receiver.answer(len(receiver.calls))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def notices(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            bodies = [json.loads(raw) for _, _, raw in self.calls]
        return [b for b in bodies if kind is None or b["notifyType"] == kind]



class BankProcess:
    """``python -m sandbox.banks.open_bank`` on loopback ports chosen now, kept across restarts."""

    def __init__(self, data_dir: Path, hub_pub_file: Path, receiver: Receiver) -> None:
        self.data_dir, self.hub_pub_file, self.receiver = data_dir, hub_pub_file, receiver
        self.port, self.control_port = free_port(), free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.control = httpx.Client(base_url=f"http://127.0.0.1:{self.control_port}/control",
                                    timeout=10.0)

    def start(self) -> None:
        log = (self.data_dir.parent / "bank.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox.banks.open_bank", "--data-dir", str(self.data_dir),
             "--hub-public-key-file", str(self.hub_pub_file), "--port", str(self.port),
             "--control-port", str(self.control_port),
             "--arrival-url", self.receiver.url + "/bank/open/arrival?bank=sandbox",
             "--refund-url", self.receiver.url + "/bank/open/refund",
             "--refund-delay", "0.2", "--retry-schedule", "0.3,0.3,0.6,1"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
        log.close()

        def healthy() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            try:
                return bool(self.control.get("/health").json()["data"]["pid"] == self.proc.pid)
            except httpx.HTTPError:
                return False

        wait_for(healthy, 20, "the bank to start")

    def log(self) -> str:
        return (self.data_dir.parent / "bank.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = self.control.get("/state").json()["data"]
        return data

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.control.post(path, json=body)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data


# -- fixtures ----------------------------------------------------------------------------------

@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    yield r
    r.stop()


@pytest.fixture
def hub_keys(tmp_path: Path) -> tuple[bytes, bytes, Path]:
    pub, priv = gmssl_pyx.sm2_key_generate()
    path = tmp_path / "hub.hex"
    path.write_text("04" + pub.hex())  # §2: hex of 04||X||Y
    return pub, priv, path


@pytest.fixture
def bank(tmp_path: Path, hub_keys: tuple[bytes, bytes, Path],
         receiver: Receiver) -> Iterator[BankProcess]:
    process = BankProcess(tmp_path / "bank", hub_keys[2], receiver)
    process.start()
    yield process
    process.stop()


def client_for(bank: BankProcess, hub_keys: tuple[bytes, bytes, Path]) -> HubClient:
    public_hex = (bank.data_dir / "bank_sm2_public.hex").read_text().strip()
    bank_pub = bytes.fromhex(public_hex)[1:]
    return HubClient(f"https://127.0.0.1:{bank.port}/open/v1", bank.data_dir / "cert.pem",
                     hub_keys[0], hub_keys[1], bank_pub)


@pytest.fixture
def hub(bank: BankProcess, hub_keys: tuple[bytes, bytes, Path]) -> HubClient:
    return client_for(bank, hub_keys)


def open_account(hub: HubClient, bidder: str = "91340100MA2N0000XX") -> dict[str, Any]:
    return hub.ok("POST", "/sub-accounts", {
        "requestNo": f"SA{secrets.token_hex(4)}", "sectionCode": "E3401000001000001001",
        "bidderId": bidder, "bidderName": "合肥某某建设有限公司", "depositAmount": "50000.00",
        "depositDeadline": beijing_stamp(datetime.now(BEIJING) + timedelta(days=5)),
        "withInterest": True})


def pay(bank: BankProcess, sub: str, amount: str, *, payer: str = "6222020000000000001",
        when: datetime | None = None) -> dict[str, Any]:
    body = {"subAccountNo": sub, "amount": amount, "payerAccountNo": payer,
            "payerAccountName": "合肥某某建设有限公司", "payerBankName": "中国工商银行合肥分行",
            "remark": "E3401000001000001001保证金"}
    if when is not None:
        body["time"] = beijing_stamp(when)
    return bank.post("/pay", body)


# -- tests -------------------------------------------------------------------------------------

def test_doc_worked_example_verifies() -> None:
    """The document's §6 signature verifies with its public key over its string to sign."""
    text = DOC.read_text(encoding="utf-8")
    public = re.search(r"hub public key\s+(04[0-9a-f]{128})", text)
    signature = re.search(r"X-Open-Signature: (\S+)", text)
    body = re.search(r'\n(\{"requestNo".*\})\n', text)
    assert public and signature and body
    raw = body.group(1).encode()
    assert f"Content-Length: {len(raw)}" in text
    message = canonical(HUB_KEY_ID, "20250301100000", "5f2b9c1d7e3a4b6c8d0e1f2a3b4c5d6e", "POST",
                        "/open/v1/sub-accounts", [], raw)
    assert message in text
    assert gmssl_pyx.sm2_verify(bytes.fromhex(public.group(1))[1:], message.encode(),
                                base64.b64decode(signature.group(1)), signer_id=SM2_ID)
    statement = canonical(HUB_KEY_ID, "20250301100000", "0a1b2c3d", "GET",
                          "/open/v1/statements",
                          [("pageSize", "100"), ("date", "20250301"), ("page", "2")], b"")
    assert statement in text


def test_open_pay_and_a_signed_arrival_callback_verified_over_raw_bytes(
        bank: BankProcess, hub: HubClient, receiver: Receiver) -> None:
    account = open_account(hub)
    assert account["created"] is True and len(account["subAccountNo"]) <= 32
    assert account["subAccountNo"].startswith(account["mainAccountNo"])
    again = open_account(hub)  # same (section, bidder): same sub-account, nothing new
    assert (again["subAccountNo"], again["created"]) == (account["subAccountNo"], False)

    paid = pay(bank, account["subAccountNo"], "50000.00")
    wait_for(lambda: receiver.calls, what="the arrival notice")
    path, headers, raw = receiver.calls[0]
    url = urlsplit(path)
    assert url.path == "/bank/open/arrival"
    assert verify(hub.bank_pub, headers, "POST", url.path, parse_qsl(url.query), raw)
    tampered = raw.replace(b"50000.00", b"50001.00")
    assert not verify(hub.bank_pub, headers, "POST", url.path, parse_qsl(url.query), tampered)
    notice = json.loads(raw)
    assert notice["notifyType"] == "ARRIVAL" and notice["bankSerial"] == paid["bankSerial"]
    assert notice["notifyId"] == paid["notifyId"]
    assert {k: notice[k] for k in ("subAccountNo", "sectionCode", "bidderId", "amount",
                                   "currency", "payerAccountNo", "balanceAfter")} == {
        "subAccountNo": account["subAccountNo"], "sectionCode": "E3401000001000001001",
        "bidderId": "91340100MA2N0000XX", "amount": "50000.00", "currency": "CNY",
        "payerAccountNo": "6222020000000000001", "balanceAfter": "50000.00"}
    assert re.fullmatch(r"[0-9]{14}", notice["arrivalTime"])

    credits = hub.ok("GET", f"/sub-accounts/{account['subAccountNo']}/credits")
    assert credits["balance"] == "50000.00"
    assert [c["bankSerial"] for c in credits["credits"]] == [paid["bankSerial"]]
    time.sleep(0.5)  # acknowledged once: no retry follows
    assert len(receiver.calls) == 1


def test_forged_stale_unknown_and_replayed_requests_are_refused_and_change_nothing(
        bank: BankProcess, hub: HubClient) -> None:
    uri = "/open/v1/sub-accounts"
    payload = {"requestNo": "SA1", "sectionCode": "S1", "bidderId": "B1", "bidderName": "甲"}
    body = json.dumps(payload, ensure_ascii=False).encode()
    before = bank.state()

    def refused(headers: dict[str, str], code: str, content: bytes = body) -> None:
        answer = hub.http.post(hub.base + "/sub-accounts", content=content, headers=headers)
        assert (answer.status_code, answer.json()["code"]) == (401, code), answer.text
        assert verify(hub.bank_pub, answer.headers, "POST", uri, [], answer.content)

    forged = hub.headers("POST", uri, [], body)
    raw_sig = bytearray(base64.b64decode(forged["X-Open-Signature"]))
    raw_sig[-1] ^= 1
    refused({**forged, "X-Open-Signature": base64.b64encode(bytes(raw_sig)).decode()},
            "SIGNATURE_INVALID")
    # A signature made by another key under the hub's key id.
    other_pub, other_priv = gmssl_pyx.sm2_key_generate()
    stranger = HubClient(hub.base, bank.data_dir / "cert.pem", other_pub, other_priv,
                         hub.bank_pub)
    refused(stranger.headers("POST", uri, [], body), "SIGNATURE_INVALID")
    # Signed over one body, another sent: verification is over the bytes received.
    refused(hub.headers("POST", uri, [], body), "SIGNATURE_INVALID", body.replace(b"B1", b"B2"))
    stale = beijing_stamp(datetime.now(BEIJING) - timedelta(seconds=400))
    refused(hub.headers("POST", uri, [], body, ts=stale), "TIMESTAMP_OUT_OF_WINDOW")
    refused(hub.headers("POST", uri, [], body, key_id="SOMEONE"), "KEY_ID_UNKNOWN")
    incomplete = hub.headers("POST", uri, [], body)
    del incomplete["X-Open-Nonce"]
    refused(incomplete, "SIGN_HEADER_MISSING")
    assert bank.state() == before

    good = hub.headers("POST", uri, [], body)
    first = hub.http.post(hub.base + "/sub-accounts", content=body, headers=good)
    assert first.json()["code"] == "SUCCESS"
    after_first = bank.state()
    refused(good, "NONCE_REPLAYED")  # the very same signed request again
    assert bank.state() == after_first
    assert len(after_first["subAccounts"]) == len(before["subAccounts"]) + 1


def test_a_callback_sent_twice_carries_the_same_bank_serial(
        bank: BankProcess, hub: HubClient, receiver: Receiver) -> None:
    account = open_account(hub)
    bank.post("/next-callback", {"mode": "twice"})
    paid = pay(bank, account["subAccountNo"], "100.00")
    wait_for(lambda: len(receiver.calls) >= 2, what="two deliveries")
    first, second = receiver.notices()
    assert first == second  # same body, same notifyId and bankSerial
    assert first["bankSerial"] == paid["bankSerial"]
    heads = [h for _, h, _ in receiver.calls]
    assert heads[0]["X-Open-Nonce"] != heads[1]["X-Open-Nonce"]  # signed afresh
    for path, headers, raw in receiver.calls:
        assert verify(hub.bank_pub, headers, "POST", urlsplit(path).path,
                      parse_qsl(urlsplit(path).query), raw)


def test_out_of_order_and_bad_signature_faults(
        bank: BankProcess, hub: HubClient, receiver: Receiver) -> None:
    account = open_account(hub)
    bank.post("/next-callback", {"mode": "out_of_order"})
    held = pay(bank, account["subAccountNo"], "1.00")
    later = pay(bank, account["subAccountNo"], "2.00")
    wait_for(lambda: len(receiver.calls) >= 2, what="both notices")
    assert [n["bankSerial"] for n in receiver.notices()] == [later["bankSerial"],
                                                            held["bankSerial"]]

    # The hub refuses a notice whose signature does not verify; the bank tries again, signed well.
    def answer(n: int) -> tuple[int, bytes]:
        path, headers, raw = receiver.calls[n - 1]
        good = verify(hub.bank_pub, headers, "POST", urlsplit(path).path,
                      parse_qsl(urlsplit(path).query), raw)
        return (200, b'{"code":"SUCCESS"}') if good else (401, b'{"code":"SIGNATURE_INVALID"}')

    receiver.answer = answer
    bank.post("/next-callback", {"mode": "bad_signature"})
    pay(bank, account["subAccountNo"], "3.00")
    wait_for(lambda: len(receiver.calls) >= 4, what="the bad and the good attempt")
    time.sleep(0.8)
    assert len(receiver.calls) == 4
    assert receiver.notices()[2] == receiver.notices()[3]


def test_the_bank_retries_while_the_hub_answers_500_or_is_down_and_stops_after_success(
        bank: BankProcess, hub: HubClient, receiver: Receiver) -> None:
    account = open_account(hub)
    receiver.answer = lambda n: (500, b"oops") if n <= 2 else (200, b'{"code":"BUSY"}') \
        if n == 3 else (200, b'{"code":"SUCCESS","extra":1}')
    paid = pay(bank, account["subAccountNo"], "10.00")
    wait_for(lambda: len(receiver.calls) >= 4, what="four attempts")
    time.sleep(1.5)
    assert len(receiver.calls) == 4  # stopped at the first SUCCESS
    assert {n["notifyId"] for n in receiver.notices()} == {paid["notifyId"]}

    # The hub goes away altogether; the bank keeps trying and delivers when it is back.
    receiver.stop()
    second = pay(bank, account["subAccountNo"], "20.00")

    def tries() -> int:
        callbacks = [c for c in bank.state()["callbacks"] if c["notifyId"] == second["notifyId"]]
        return int(callbacks[0]["attempts"]) if callbacks else 0

    wait_for(lambda: tries() >= 3, what="attempts while the hub is down")
    receiver.calls.clear()
    receiver.answer = lambda n: (200, b'{"code":"SUCCESS"}')
    receiver.start()
    wait_for(lambda: receiver.calls, what="delivery after the hub came back")
    time.sleep(2.0)
    assert [n["bankSerial"] for n in receiver.notices()] == [second["bankSerial"]]
    state = next(c for c in bank.state()["callbacks"] if c["notifyId"] == second["notifyId"])
    assert state["state"] == "delivered"
    assert all(t["outcome"] != "SUCCESS" for t in state["tries"][:-1])


def test_a_refund_line_sent_twice_executes_once_with_the_banks_interest(
        bank: BankProcess, hub: HubClient, receiver: Receiver) -> None:
    account = open_account(hub)
    sub = account["subAccountNo"]
    pay(bank, sub, "10000.00", when=datetime.now(BEIJING) - timedelta(days=30))
    line = {"lineId": "RL-1", "subAccountNo": sub, "principal": "10000.00",
            "withInterest": True, "reason": "中标合同签订后退还"}
    first = hub.ok("POST", "/refund-batches", {"batchNo": "RB1", "lines": [line]})
    assert first["lines"][0]["state"] == "ACCEPTED"
    resent = hub.ok("POST", "/refund-batches", {"batchNo": "RB1", "lines": [line]})
    assert [x["lineId"] for x in resent["lines"]] == ["RL-1"]
    other = hub.ok("POST", "/refund-batches", {"batchNo": "RB2", "lines": [line]})
    assert other["lines"][0]["duplicate"] is True and other["lines"][0]["firstBatchNo"] == "RB1"
    conflict = hub.send("POST", "/refund-batches", {"batchNo": "RB3", "lines": [
        {**line, "principal": "9000.00"}]})
    assert (conflict.status_code, conflict.json()["code"]) == (409, "LINE_CONFLICT")
    assert hub.send("GET", "/refund-batches/RB3").json()["code"] == "BATCH_NOT_FOUND"

    done = wait_for(lambda: hub.ok("GET", "/refund-batches/RB1")["state"] == "DONE"
                    and hub.ok("GET", "/refund-batches/RB1"), what="the refund")
    result = done["lines"][0]
    # 10000.00 × 0.0035 × 30 ÷ 360 = 2.9166… → 2.92 (§3.3, half up once)
    assert (result["state"], result["interest"], result["amount"]) == ("SUCCESS", "2.92",
                                                                     "10002.92")
    assert Decimal(result["principal"]) + Decimal(result["interest"]) == Decimal(result["amount"])
    assert result["payeeAccountNo"] == "6222020000000000001"  # original route
    assert hub.ok("GET", "/refund-batches/RB2")["lines"][0]["bankSerial"] == result["bankSerial"]
    assert hub.ok("GET", f"/sub-accounts/{sub}/credits")["balance"] == "0.00"
    lines = [x for x in bank.state()["refundLines"] if x["lineId"] == "RL-1"]
    assert len(lines) == 1

    # Each batch gets its refund result notice; the line's serial is the same in both.
    wait_for(lambda: len(receiver.notices("REFUND_RESULT")) >= 2, what="refund results")
    results = {n["batchNo"]: n for n in receiver.notices("REFUND_RESULT")}
    assert {results["RB1"]["lines"][0]["bankSerial"],
            results["RB2"]["lines"][0]["bankSerial"]} == {result["bankSerial"]}

    # A second refund on the now empty sub-account fails, it is not paid from nowhere.
    hub.ok("POST", "/refund-batches", {"batchNo": "RB4", "lines": [{**line, "lineId": "RL-2"}]})
    failed = wait_for(lambda: hub.ok("GET", "/refund-batches/RB4")["state"] == "DONE"
                      and hub.ok("GET", "/refund-batches/RB4"), what="the failing line")
    assert (failed["lines"][0]["state"], failed["lines"][0]["failReason"]) == (
        "FAILED", "INSUFFICIENT_BALANCE")


def test_the_statement_lists_credits_and_refunds_by_page(
        bank: BankProcess, hub: HubClient) -> None:
    sub = open_account(hub)["subAccountNo"]
    a = pay(bank, sub, "300.00")
    b = pay(bank, sub, "200.00", payer="6222020000000000002")
    hub.ok("POST", "/refund-batches", {"batchNo": "RBS", "lines": [
        {"lineId": "RL-S", "subAccountNo": sub, "principal": "300.00", "withInterest": False}]})
    wait_for(lambda: hub.ok("GET", "/refund-batches/RBS")["state"] == "DONE", what="refund")
    refund = hub.ok("GET", "/refund-batches/RBS")["lines"][0]
    assert refund["state"] == "SUCCESS" and refund["interest"] == "0.00"
    today = beijing_stamp()[:8]
    pages = []
    for page in (1, 2, 3):
        pages.append(hub.ok("GET", "/statements", query=[
            ("date", today), ("page", str(page)), ("pageSize", "2")]))
    assert [p["total"] for p in pages] == [3, 3, 3] and pages[0]["totalPages"] == 2
    assert pages[0]["final"] is False and pages[2]["lines"] == []
    lines = pages[0]["lines"] + pages[1]["lines"]
    assert {(x["bankSerial"], x["direction"], x["amount"]) for x in lines} == {
        (a["bankSerial"], "CREDIT", "300.00"), (b["bankSerial"], "CREDIT", "200.00"),
        (refund["bankSerial"], "DEBIT", "300.00")}
    assert pages[0]["summary"] == {"creditCount": 2, "creditTotal": "500.00", "debitCount": 1,
                                   "debitTotal": "300.00"}
    future = beijing_stamp(datetime.now(BEIJING) + timedelta(days=2))[:8]
    assert hub.send("GET", "/statements", query=[("date", future)]).json()["code"] == \
        "DATE_INVALID"


def test_restart_keeps_sub_accounts_credits_refunds_nonces_and_the_certificate(
        bank: BankProcess, hub: HubClient, receiver: Receiver,
        hub_keys: tuple[bytes, bytes, Path]) -> None:
    sub = open_account(hub)["subAccountNo"]
    paid = pay(bank, sub, "500.00")
    hub.ok("POST", "/refund-batches", {"batchNo": "RBR", "lines": [
        {"lineId": "RL-R", "subAccountNo": sub, "principal": "100.00"}]})
    wait_for(lambda: hub.ok("GET", "/refund-batches/RBR")["state"] == "DONE", what="refund")
    wait_for(lambda: len(receiver.calls) >= 2, what="both notices")
    uri = "/open/v1/refund-batches/RBR"
    replay = hub.headers("GET", uri, [], b"")
    assert hub.http.get(hub.base + "/refund-batches/RBR", headers=replay).status_code == 200
    before = bank.state()
    cert = (bank.data_dir / "cert.pem").read_bytes()

    bank.stop()
    bank.start()
    assert (bank.data_dir / "cert.pem").read_bytes() == cert
    again = client_for(bank, hub_keys)  # pins the same certificate, same bank key
    assert again.bank_pub == hub.bank_pub
    after = bank.state()
    assert {k: after[k] for k in ("subAccounts", "credits", "refundLines", "batches")} == {
        k: before[k] for k in ("subAccounts", "credits", "refundLines", "batches")}
    credits = again.ok("GET", f"/sub-accounts/{sub}/credits")
    assert (credits["balance"], credits["credits"][0]["bankSerial"]) == ("400.00",
                                                                         paid["bankSerial"])
    answer = again.http.get(again.base + "/refund-batches/RBR", headers=replay)
    assert answer.json()["code"] == "NONCE_REPLAYED"
    # The resent batch is not executed again after the restart.
    assert again.ok("POST", "/refund-batches", {"batchNo": "RBR", "lines": [
        {"lineId": "RL-R", "subAccountNo": sub, "principal": "100.00"}]})["state"] == "DONE"
    time.sleep(0.6)
    assert len(receiver.calls) == 2
    assert again.ok("GET", f"/sub-accounts/{sub}/credits")["balance"] == "400.00"


def test_a_bank_down_for_n_seconds_refuses_connections_then_catches_up(
        bank: BankProcess, hub: HubClient, receiver: Receiver) -> None:
    sub = open_account(hub)["subAccountNo"]
    first = pay(bank, sub, "70.00")
    wait_for(lambda: receiver.calls, what="the first notice")
    bank.post("/down", {"seconds": 1.5})
    assert bank.control.get("/health").json()["data"]["up"] is False
    with pytest.raises(httpx.ConnectError):
        hub.http.get(hub.base + f"/sub-accounts/{sub}/credits")
    during = pay(bank, sub, "30.00")  # money still arrives; a down bank sends no notice
    time.sleep(0.8)
    assert len(receiver.calls) == 1
    wait_for(lambda: bank.control.get("/health").json()["data"]["up"], what="the bank back")
    wait_for(lambda: len(receiver.calls) == 2, what="the notice held while down")
    assert receiver.notices()[1]["bankSerial"] == during["bankSerial"]
    assert hub.ok("GET", f"/sub-accounts/{sub}/credits")["balance"] == "100.00"

    # A statement line that disagrees, and one missing, for the reconciliation drill.
    bank.post("/statement-tamper", {"bankSerial": first["bankSerial"], "amount": "7.00"})
    bank.post("/statement-tamper", {"bankSerial": during["bankSerial"], "drop": True})
    lines = hub.ok("GET", "/statements", query=[("date", beijing_stamp()[:8])])["lines"]
    assert {x["bankSerial"]: x["amount"] for x in lines} == {first["bankSerial"]: "7.00"}
