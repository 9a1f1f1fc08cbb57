"""The line-profile sandbox bank, a real process on loopback, against docs/banks/line-protocol.md.

The client and the hub's listener here are written in this file from the protocol document and
import nothing of ``sandbox.banks``: if the bank and the document disagree, these tests fail.
Ports are picked free at run time; each test runs its own bank on its own data directory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from tests.live import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
BEIJING = ZoneInfo("Asia/Shanghai")
INST = "GGZY3401"



# -- the protocol, from the document (§2, §3) ----------------------------------------------------

def frame(body: bytes) -> bytes:
    return f"{len(body):010d}00".encode("ascii") + body


def message(code: str, body_xml: str, seq_no: str = "H0001",
            moment: datetime | None = None) -> bytes:
    moment = moment or datetime.now(BEIJING)
    text = (f'<?xml version="1.0" encoding="GBK"?><root><head><TransCode>{code}</TransCode>'
            f"<TransDate>{moment:%Y%m%d}</TransDate><TransTime>{moment:%H%M%S}</TransTime>"
            f"<SeqNo>{seq_no}</SeqNo></head><body>{body_xml}</body></root>")
    return text.encode("gbk")


def fields(xml: str | dict[str, str]) -> str:
    if isinstance(xml, str):
        return xml
    return "".join(f"<{k}>{v}</{k}>" for k, v in xml.items())


def recv_frame(sock: socket.socket) -> bytes:
    def exact(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError(f"closed after {len(data)} of {n} bytes")
            data += chunk
        return data

    prefix = exact(12)
    assert prefix[:10].isdigit() and prefix[10:] == b"00", prefix
    return exact(int(prefix[:10]))


def parse(body: bytes) -> etree._Element:
    text = body.decode("gbk")
    assert text.startswith('<?xml version="1.0" encoding="GBK"?>')
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(text.split("?>", 1)[1], parser)


def call_raw(port: int, raw: bytes, *, half_close: bool = False) -> etree._Element:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(20)
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return parse(recv_frame(sock))


def call(port: int, code: str, body: str | dict[str, str]) -> etree._Element:
    return call_raw(port, frame(message(code, fields(body))))


def result(reply: etree._Element) -> str:
    return reply.findtext("body/Result") or ""


def rows(element: etree._Element) -> list[dict[str, str]]:
    return [{c.tag: c.text or "" for c in row} for row in element.findall("body/List/Row")]


# -- the hub's listener, from §1 and §6 ------------------------------------------------------------

class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class HubListener:
    """Records every push and answers it: an arrival seen before gets 01, anything else 00."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[str, etree._Element]] = []
        self.answers: list[str] = []
        self.serials: set[str] = set()
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> HubListener:
        hub = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                body = parse(recv_frame(self.request))
                code = body.findtext("head/TransCode") or ""
                with hub._lock:
                    answer = "00"
                    if code == "G00001":
                        serial = body.findtext("body/InBankFLCode") or ""
                        answer = "01" if serial in hub.serials else "00"
                        hub.serials.add(serial)
                    hub.received.append((code, body))
                    hub.answers.append(answer)
                word = "到账重复" if answer == "01" else "成功"
                reply = message(code, f"<Result>{answer}</Result><AddWord>{word}</AddWord>",
                                seq_no=body.findtext("head/SeqNo") or "")
                self.request.sendall(frame(reply))

        self._server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def of(self, code: str) -> list[etree._Element]:
        with self._lock:
            return [body for c, body in self.received if c == code]


# -- the bank process ----------------------------------------------------------------------------

class BankProcess:
    def __init__(self, data_dir: Path, hub_port: int) -> None:
        self.data_dir, self.hub_port = data_dir, hub_port
        self.port, self.control_port = free_port(), free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> BankProcess:
        log = (self.data_dir.parent / f"{self.data_dir.name}.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox.banks.line", "--port", str(self.port),
             "--control-port", str(self.control_port), "--data-dir", str(self.data_dir),
             "--hub-port", str(self.hub_port), "--inst-code", INST, "--retry-base", "0.05",
             "--retry-cap", "0.2", "--refund-delay", "0.1"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
        log.close()
        pid = self.proc.pid

        def healthy() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            try:
                return bool(self.get("/control/health")["pid"] == pid)
            except OSError:
                return False

        wait_for(healthy, 20, "the bank to start")
        return self

    def log(self) -> str:
        return (self.data_dir.parent / f"{self.data_dir.name}.log").read_text(errors="replace")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def _http(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.control_port}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            return json.loads(answer.read())

    def get(self, path: str) -> Any:
        return self._http("GET", path)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._http("POST", path, body)

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.get("/control/state")
        return result

    def open(self, inst_seq: str, name: str = "安徽某某建设有限公司") -> str:
        reply = call(self.port, "G00003", {"InstCode": INST, "InstSeq": inst_seq,
                                           "BaseAcctName": name, "MatuDay": "20261215093000"})
        assert result(reply) == "00", etree.tostring(reply, encoding="unicode")
        return reply.findtext("body/AcctNo") or ""

    def pay(self, acct: str, amount: str, *, name: str = "安徽某某建设有限公司",
            when: datetime | None = None) -> str:
        body = {"sub_account": acct, "amount": amount, "payer_account": "1302010109000123456",
                "payer_name": name, "payer_bank": "中国工商银行合肥分行", "memo": "S1保证金"}
        if when is not None:
            body["time"] = when.isoformat()
        serial: str = self.post("/control/pay", body)["serial"]
        return serial


@pytest.fixture
def hub() -> Iterator[HubListener]:
    listener = HubListener(free_port()).start()
    yield listener
    listener.stop()


@pytest.fixture
def bank(tmp_path: Path, hub: HubListener) -> Iterator[BankProcess]:
    process = BankProcess(tmp_path / "bank", hub.port).start()
    yield process
    process.stop()


def delivered(bank: BankProcess, code: str) -> list[dict[str, Any]]:
    return [n for n in bank.state()["notices"] if n["code"] == code and n["state"] == "delivered"]


# -- tests ---------------------------------------------------------------------------------------

def test_the_documented_example_is_byte_exact() -> None:
    """§8: the worked example's prefix, length and GBK bytes are what this client produces."""
    raw = frame(message("G00003", fields({"InstCode": INST, "InstSeq": "S1-B07",
                                          "BaseAcctName": "张三", "MatuDay": "20261215093000"}),
                        moment=datetime(2026, 12, 1, 9, 30, tzinfo=BEIJING)))
    assert (raw[:12], len(raw)) == (b"000000030400", 316)
    assert bytes.fromhex("d5c5c8fd") in raw
    doc = (ROOT / "docs/banks/line-protocol.md").read_text(encoding="utf-8")
    assert raw[12:].decode("gbk") in doc


def test_open_pay_and_the_arrival_push_answered_00(bank: BankProcess, hub: HubListener) -> None:
    acct = bank.open("S1-B07")
    again = call(bank.port, "G00003", {"InstCode": INST, "InstSeq": "S1-B07",
                                       "BaseAcctName": "别的名字", "MatuDay": "20261215093000"})
    assert (result(again), again.findtext("body/AcctNo")) == ("01", acct)
    assert call(bank.port, "G00009", {"InstCode": INST}).findtext("body/Result") == "00"

    serial = bank.pay(acct, "20000.00", name="王𠀀建设")   # 𠀀 is outside GBK: §7 says "?"
    notice = wait_for(lambda: hub.of("G00001"), what="the arrival notice")[0]
    assert notice.findtext("body/InBankFLCode") == serial and len(serial) == 20
    assert {k: notice.findtext(f"body/{k}") for k in (
        "InstCode", "InstSeq", "InMemo", "InAmount", "InAcct", "InName", "InBankName")} == {
        "InstCode": INST, "InstSeq": "S1-B07", "InMemo": acct, "InAmount": "20000.00",
        "InAcct": "1302010109000123456", "InName": "王?建设", "InBankName": "中国工商银行合肥分行"}
    sent = wait_for(lambda: delivered(bank, "G00001"), what="the notice marked delivered")
    assert [a["result"] for a in sent[0]["attempts"]] == ["00"]

    query = call(bank.port, "G00005", {"StartDate": serial[:8], "EndDate": serial[:8],
                                       "InMemo": acct})
    assert (result(query), [r["InBankFLCode"] for r in rows(query)]) == ("00", [serial])


def test_a_duplicate_push_answered_01_makes_no_second_credit(
        bank: BankProcess, hub: HubListener) -> None:
    acct = bank.open("S1-B08")
    bank.post("/control/notices", {"mode": "twice"})
    serial = bank.pay(acct, "500.00")
    wait_for(lambda: len(delivered(bank, "G00001")) == 2, what="both copies answered")
    assert [n.findtext("body/InBankFLCode") for n in hub.of("G00001")] == [serial, serial]
    assert hub.answers == ["00", "01"]
    state = bank.state()
    assert [c["serial"] for c in state["credits"]] == [serial]
    assert [n["attempts"][-1]["result"] for n in state["notices"]] == ["00", "01"]


def test_out_of_order_and_late_notices(bank: BankProcess, hub: HubListener) -> None:
    acct = bank.open("S1-B09")
    bank.post("/control/notices", {"mode": "out_of_order"})
    first = bank.pay(acct, "1.00")
    second = bank.pay(acct, "2.00")
    wait_for(lambda: len(hub.of("G00001")) == 2, what="two notices")
    assert [n.findtext("body/InBankFLCode") for n in hub.of("G00001")] == [second, first]


def test_the_bank_retries_while_the_hub_is_down_and_delivers_once_up(tmp_path: Path) -> None:
    hub = HubListener(free_port())                 # not listening yet
    bank = BankProcess(tmp_path / "bank", hub.port).start()
    try:
        serial = bank.pay(bank.open("S1-B10"), "300.00")
        wait_for(lambda: len(bank.state()["notices"][0]["attempts"]) >= 3, what="3 attempts")
        notice = bank.state()["notices"][0]
        assert notice["state"] == "pending"
        assert {a["outcome"] for a in notice["attempts"]} == {"refused"}
        hub.start()
        wait_for(lambda: delivered(bank, "G00001"), what="delivery once the hub is up")
        assert [n.findtext("body/InBankFLCode") for n in hub.of("G00001")] == [serial]
        assert len({a["seq_no"] for a in bank.state()["notices"][0]["attempts"]}) == len(
            bank.state()["notices"][0]["attempts"])          # §6: a new SeqNo per attempt
    finally:
        bank.stop()
        hub.stop()


def refund_row(pay_no: str, acct: str, credit: str, amount: str, *, retire: str = "1",
               back_type: str = "1", to: str = "") -> str:
    return ("<Row>" + fields({"PayNo": pay_no, "IAcctNo": acct, "InBankFLCode": credit,
                              "InTranAmt": amount, "IsRetire": retire, "BackType": back_type,
                              "Reason": "合同签订后退还"}) + to + "</Row>")


def batch(batch_no: str, lines: list[str], total: str) -> str:
    return fields({"InstCode": INST, "BatchNo": batch_no, "TotalNum": str(len(lines)),
                   "TotalAmt": total}) + "<List>" + "".join(lines) + "</List>"


def test_a_refund_line_runs_once_with_the_banks_interest(
        bank: BankProcess, hub: HubListener) -> None:
    acct = bank.open("S1-B11")
    paid_at = datetime.now(BEIJING) - timedelta(days=30)
    old = bank.pay(acct, "20000.00", when=paid_at)
    new = bank.pay(acct, "5000.00")
    whitelist = "<InAcctNo>6222000011112222</InAcctNo><InName>白名单户</InName>"
    b1 = batch("RF1", [refund_row("RF1-01", acct, old, "20000.00"),
                       refund_row("RF1-02", acct, new, "5000.00", retire="0", back_type="2",
                                  to=whitelist)], "25000.00")
    first = call(bank.port, "G00010", b1)
    assert (result(first), rows(first)) == ("00", [
        {"PayNo": "RF1-01", "LineResult": "00"}, {"PayNo": "RF1-02", "LineResult": "00"}])
    again = call(bank.port, "G00010", b1)                       # the same batch resent
    assert (result(again), rows(again)) == ("01", rows(first))
    b2 = call(bank.port, "G00010", batch("RF2", [
        refund_row("RF1-01", acct, old, "20000.00"),            # the same line id, new batch
        refund_row("RF2-02", acct, new, "1.00"),                # nothing left of that credit
        refund_row("RF2-03", acct, "20990101000000000001", "1.00")], "20002.00"))
    assert (result(b2), [r["LineResult"] for r in rows(b2)]) == ("00", ["01", "05", "04"])

    notice = wait_for(lambda: hub.of("G00012"), what="the refund result")[0]
    results = {r["PayNo"]: r for r in rows(notice)}
    days = (datetime.now(BEIJING).date() - paid_at.date()).days
    interest = (Decimal("20000.00") * Decimal("0.0035") * days / 360).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert days == 30 and interest == Decimal("5.83")
    assert results["RF1-01"]["State"] == "1"
    assert (results["RF1-01"]["Interest"], results["RF1-01"]["PayAmount"]) == (
        str(interest), str(Decimal("20000.00") + interest))
    assert results["RF1-01"]["PayAcctNo"] == "1302010109000123456"   # 原路退回
    assert (results["RF1-02"]["Interest"], results["RF1-02"]["PayAcctNo"]) == (
        "0.00", "6222000011112222")
    assert notice.findtext("body/BatchNo") == "RF1"

    time.sleep(0.5)   # give a second execution every chance to happen
    state = bank.state()
    lines = [line for b in state["refund_batches"] for line in b["lines"]]
    assert sorted((line["pay_no"], line["state"]) for line in lines) == [
        ("RF1-01", 1), ("RF1-02", 1)]
    assert len({line["pay_serial"] for line in lines}) == 2
    assert [n.findtext("body/BatchNo") for n in hub.of("G00012")] == ["RF1"]
    query = call(bank.port, "G00011", {"BatchNo": "RF1", "PayNo": "RF1-01"})
    assert [(r["State"], r["Interest"]) for r in rows(query)] == [("1", "5.83")]
    assert result(call(bank.port, "G00011", {"BatchNo": "nope"})) == "04"


def fetch_statement(bank: BankProcess, name: str) -> bytes:
    reply = call(bank.port, "G00021", {"FileName": name})
    assert result(reply) == "00"
    data = base64.b64decode(reply.findtext("body/FileData") or "")
    assert hashlib.md5(data).hexdigest() == reply.findtext("body/FileMd5")  # noqa: S324
    return data


def test_the_statement_matches_credits_and_refunds(bank: BankProcess, hub: HubListener) -> None:
    acct = bank.open("S1-B12")
    paid_at = datetime.now(BEIJING) - timedelta(days=10)
    old = bank.pay(acct, "1000.00", when=paid_at)
    new = bank.pay(acct, "200.00")
    assert result(call(bank.port, "G00010", batch("RF9", [
        refund_row("RF9-01", acct, old, "1000.00")], "1000.00"))) == "00"
    wait_for(lambda: hub.of("G00012"), what="the refund result")
    refund = bank.state()["refund_batches"][0]["lines"][0]
    today = f"{datetime.now(BEIJING):%Y%m%d}"

    bank.post("/control/statement", {"date": today})
    announce = wait_for(lambda: hub.of("G00020"), what="the announcement")[0]
    info = {c.tag: c.text for c in announce.find("body")}
    assert info == {"InstCode": INST, "StmtDate": today, "FileName": f"{today}_{INST}.txt",
                    "TotalNum": "2", "CreditNum": "1", "CreditAmt": "200.00", "DebitNum": "1",
                    "DebitAmt": refund["pay_amount"], "FileMd5": info["FileMd5"]}
    data = fetch_statement(bank, info["FileName"])
    assert hashlib.md5(data).hexdigest() == info["FileMd5"]  # noqa: S324
    lines = [line.split("|") for line in data.decode("gbk").split("\r\n") if line]
    assert lines[0] == ["H", today, INST, "2", "1", "200.00", "1", refund["pay_amount"]]
    assert lines[-1] == ["T", "2"]
    details = {cols[1]: cols for cols in lines[1:-1]}
    assert details[new][4:6] == ["C", "200.00"] and details[new][9] == "S1-B12"
    debit = details[refund["pay_serial"]]
    assert debit[4:6] == ["D", refund["pay_amount"]]
    assert (debit[9], debit[10]) == ("RF9-01", refund["interest"]) and refund["interest"] != "0.00"

    past = f"{paid_at:%Y%m%d}"
    bank.post("/control/statement", {"date": past})
    wait_for(lambda: len(hub.of("G00020")) == 2, what="the second announcement")
    past_lines = fetch_statement(bank, f"{past}_{INST}.txt").decode("gbk").split("\r\n")
    assert past_lines[1].split("|")[1:7] == [old, past, paid_at.strftime("%H%M%S"), "C",
                                             "1000.00", acct]

    bank.post("/control/statement", {"date": today, "disagree": True})
    wait_for(lambda: len(hub.of("G00020")) == 3, what="the re-run announcement")
    skewed = [line.split("|") for line in fetch_statement(
        bank, info["FileName"]).decode("gbk").split("\r\n") if line]
    assert skewed[0] == lines[0]                                   # the sums stay true
    assert Decimal(skewed[1][5]) - Decimal(lines[1][5]) == Decimal("0.01")


def _unchanged(bank: BankProcess) -> dict[str, Any]:
    state = bank.state()
    return {k: state[k] for k in ("sub_accounts", "credits", "refund_batches", "statements")}


@pytest.mark.parametrize("case", ["longer", "shorter", "prefix", "not_gbk", "char_ref",
                                  "utf8_declared", "doctype"])
def test_a_bad_frame_gets_the_error_reply_and_changes_nothing(
        bank: BankProcess, case: str) -> None:
    bank.open("S1-B13")
    before = _unchanged(bank)
    good = message("G00003", fields({"InstCode": INST, "InstSeq": "S1-X", "BaseAcctName": "李四",
                                     "MatuDay": "20261215093000"}))
    raw = {
        "longer": f"{len(good) + 10:010d}00".encode() + good,
        "shorter": f"{len(good) - 10:010d}00".encode() + good[:-10],
        "prefix": b"0000000abc00" + good,
        "not_gbk": frame(good.replace("李四".encode("gbk"), b"\xff\xfe")),
        "char_ref": frame(good.replace("李四".encode("gbk"), b"&#x20000;")),
        "utf8_declared": frame(good.replace(b'encoding="GBK"', b'encoding="UTF-8"')),
        "doctype": frame(good.replace(b"<root>", b'<!DOCTYPE root [<!ENTITY x "y">]><root>')),
    }[case]
    reply = call_raw(bank.port, raw, half_close=case == "longer")
    assert result(reply) == "03", etree.tostring(reply, encoding="unicode")
    assert _unchanged(bank) == before
    assert result(call_raw(bank.port, frame(good))) == "00"       # the line still works


def test_a_missing_field_or_an_unknown_code(bank: BankProcess) -> None:
    assert result(call(bank.port, "G00003", {"InstCode": INST, "InstSeq": "S1-Y"})) == "03"
    assert result(call(bank.port, "G09999", {})) == "06"
    assert bank.state()["sub_accounts"] == []


def test_down_refuses_connections_and_holds_pushes(bank: BankProcess, hub: HubListener) -> None:
    acct = bank.open("S1-B14")
    bank.post("/control/down", {"seconds": 1.5})
    with pytest.raises(OSError):
        call(bank.port, "G00009", {})
    bank.pay(acct, "10.00")
    time.sleep(0.5)
    assert hub.of("G00001") == []
    wait_for(lambda: hub.of("G00001"), what="the notice after the outage")
    assert result(call(bank.port, "G00009", {})) == "00"


def test_restart_keeps_state_and_sends_what_was_not_answered(
        tmp_path: Path) -> None:
    hub = HubListener(free_port()).start()
    bank = BankProcess(tmp_path / "bank", hub.port).start()
    try:
        acct = bank.open("S1-B15")
        first = bank.pay(acct, "100.00")
        wait_for(lambda: delivered(bank, "G00001"), what="the first notice")
        hub.stop()
        second = bank.pay(acct, "200.00")
        wait_for(lambda: bank.state()["notices"][1]["attempts"], what="an attempt while down")
        before = _unchanged(bank)
        bank.kill()

        hub.start()
        bank.start()
        assert _unchanged(bank) == before
        reply = call(bank.port, "G00003", {"InstCode": INST, "InstSeq": "S1-B15",
                                           "BaseAcctName": "x", "MatuDay": "20261215093000"})
        assert (result(reply), reply.findtext("body/AcctNo")) == ("01", acct)
        wait_for(lambda: len(delivered(bank, "G00001")) == 2, what="the pending notice")
        assert [n.findtext("body/InBankFLCode") for n in hub.of("G00001")] == [first, second]
        third = bank.pay(acct, "1.00")                  # serials go on, never reused
        assert third[8:] > second[8:]
    finally:
        bank.stop()
        hub.stop()
