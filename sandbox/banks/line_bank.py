"""The sandbox bank of the ``line`` profile, written from ``docs/banks/line-protocol.md`` alone.

``python -m sandbox.banks.line --port P --control-port C --data-dir D --hub-host H --hub-port HP``

A private-line bank: it listens on a TCP port for the hub's requests (open sub-account, arrival
and refund queries, refund batches, statement download, link test), one framed GBK XML message
per connection, and pushes its own messages (arrival notices, refund results, statement
announcements) to the hub's host:port from an outbox in its SQLite file, retried with a bounded
backoff until the hub answers ``00`` or ``01``. An HTTP JSON control API on loopback lets the
tests and the demo pay into a sub-account, make the next notice misbehave, take the bank down,
produce a (disagreeing) statement, and read the bank's state.

It imports nothing of the project (import-linter contract): the section numbers in comments
(``§4.4``) are those of the protocol document, which is the only thing it shares with the
adapter. Everything it must remember is in ``DIR/bank.db`` (a restart carries on, pushes not yet
answered are sent again); the armed notice modes and the down switch are in memory, so a
restarted bank is well-behaved, as the other sandbox peers are.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import signal
import socket
import socketserver
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree

from sandbox.common.sqlite_file import SqliteFile

PROFILE = "line"
BEIJING = ZoneInfo("Asia/Shanghai")
MAX_BODY = 1_048_576                       # §1: a longer declared length is a frame error
REQUEST_WINDOW = 10.0                      # §1: the whole request frame within 10 s
CONNECT_TIMEOUT = 5.0                      # §1: caller's connect timeout
EXCHANGE_TIMEOUT = 30.0                    # §1: caller's write + read timeout
SUB_ACCOUNT_PREFIX = "62270001"            # §9: + 10 digits
CENT = Decimal("0.01")
MAX_ROWS = 1000                            # §4.4: 1-1000 rows in a batch

# §5 result codes
OK, DUPLICATE, FAILED, BAD_MESSAGE, UNKNOWN, BAD_AMOUNT, BAD_CODE = (
    "00", "01", "02", "03", "04", "05", "06")

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sub_accounts (
    acct_no TEXT PRIMARY KEY, inst_seq TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    deadline TEXT, is_retire INTEGER NOT NULL, opened_at TEXT NOT NULL, via TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credits (
    serial TEXT PRIMARY KEY, acct_no TEXT NOT NULL, amount TEXT NOT NULL, booked_at TEXT NOT NULL,
    payer_account TEXT NOT NULL, payer_name TEXT NOT NULL, payer_bank TEXT NOT NULL,
    memo TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refund_batches (
    batch_no TEXT PRIMARY KEY, received_at TEXT NOT NULL, line_results TEXT NOT NULL,
    notified INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS refund_lines (
    pay_no TEXT PRIMARY KEY, batch_no TEXT NOT NULL, acct_no TEXT NOT NULL,
    credit_serial TEXT NOT NULL, principal TEXT NOT NULL, is_retire INTEGER NOT NULL,
    back_type INTEGER NOT NULL, to_account TEXT NOT NULL, to_bank TEXT NOT NULL,
    to_name TEXT NOT NULL, reason TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,
    due REAL NOT NULL, pay_serial TEXT, days INTEGER, interest TEXT, pay_amount TEXT,
    paid_at TEXT, err TEXT);
CREATE TABLE IF NOT EXISTS notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, key TEXT NOT NULL,
    fields TEXT NOT NULL, state TEXT NOT NULL, due REAL NOT NULL, twice INTEGER NOT NULL,
    mode TEXT, attempts INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
    delivered_at TEXT);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, notice_id INTEGER NOT NULL, at TEXT NOT NULL,
    seq_no TEXT NOT NULL, outcome TEXT NOT NULL, result TEXT, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS statements (
    stmt_date TEXT PRIMARY KEY, file_name TEXT NOT NULL, md5 TEXT NOT NULL, lines INTEGER NOT NULL,
    disagree INTEGER NOT NULL, announced_at TEXT NOT NULL);
"""


def now_bj() -> datetime:
    return datetime.now(BEIJING)


# -- framing (§2) and envelope (§3) --------------------------------------------------------------

class FrameError(Exception):
    """The request cannot be read: answered ``03`` (``reply``) or by closing the connection."""

    def __init__(self, message: str, *, reply: bool = True,
                 head: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.reply = reply
        self.head = head or {}


def frame(body: bytes) -> bytes:
    return f"{len(body):010d}00".encode("ascii") + body


def _read_exact(sock: socket.socket, n: int, deadline: float, *, what: str) -> bytes:
    chunks: list[bytes] = []
    got = 0
    while got < n:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FrameError(f"{what}: {got} of {n} bytes before the timeout",
                             reply=what == "body")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(min(65536, n - got))
        except TimeoutError:
            continue
        if not chunk:
            raise FrameError(f"{what}: {got} of {n} bytes, then the peer closed",
                             reply=what == "body")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket, deadline: float) -> bytes:
    prefix = _read_exact(sock, 12, deadline, what="prefix")
    if not (prefix[:10].isdigit() and prefix[10:] == b"00"):
        raise FrameError(f"bad prefix {prefix!r}: expected 10 digits and '00'")
    length = int(prefix[:10])
    if not 0 < length <= MAX_BODY:
        raise FrameError(f"declared length {length} outside 1..{MAX_BODY}")
    body = _read_exact(sock, length, deadline, what="body")
    sock.setblocking(False)
    try:
        extra = sock.recv(1)
    except (BlockingIOError, InterruptedError):
        extra = b""
    finally:
        sock.setblocking(True)
    if extra:
        raise FrameError("bytes after the declared length")
    return body


_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")
_ENCODING = re.compile(r"encoding\s*=\s*[\"']([^\"']+)[\"']")
_HEAD = ("TransCode", "TransDate", "TransTime", "SeqNo")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


def parse_body(body: bytes) -> tuple[dict[str, str], etree._Element]:
    """(head fields, body element) of a message, or FrameError (§3, §7)."""
    try:
        text = body.decode("gbk")
    except UnicodeDecodeError as err:
        raise FrameError(f"the body is not GBK (byte {err.start})") from None
    decl = _DECL.match(text)
    if decl:
        encoding = _ENCODING.search(decl.group())
        if encoding and encoding.group(1).lower() not in ("gbk", "gb2312"):
            raise FrameError(f"declared encoding {encoding.group(1)}: only GBK")
        text = text[decl.end():]
    if "<!" in text.replace("<![CDATA[", "") or "<?" in text:
        raise FrameError("DOCTYPE, entity declarations and processing instructions are refused")
    try:
        root = etree.fromstring(text, _parser())
    except etree.XMLSyntaxError as err:
        raise FrameError(f"XML: {err}") from None
    children = [c for c in root if isinstance(c.tag, str)]
    if root.tag != "root" or [c.tag for c in children] != ["head", "body"]:
        raise FrameError("the document must be <root><head/><body/></root>")
    head_el, body_el = children
    head = {name: (head_el.findtext(name) or "").strip() for name in _HEAD}
    for el in root.iter():
        for part in (el.text, el.tail):
            if part:
                try:
                    part.encode("gbk")
                except UnicodeEncodeError:
                    raise FrameError("a field holds a character outside GBK", head=head) from None
    missing = [name for name in _HEAD if not head[name]]
    if missing:
        raise FrameError(f"head lacks {', '.join(missing)}", head=head)
    return head, body_el


def gbk_safe(value: str) -> str:
    """§7: each character outside GBK becomes '?', as Java's getBytes("GBK") does."""
    return value.encode("gbk", errors="replace").decode("gbk")


Fields = dict[str, Any]   # str values, or a list of row dicts under "List"


def build(code: str, seq_no: str, fields: Fields, moment: datetime | None = None) -> bytes:
    moment = moment or now_bj()
    root = etree.Element("root")
    head = etree.SubElement(root, "head")
    for name, value in (("TransCode", code), ("TransDate", moment.strftime("%Y%m%d")),
                        ("TransTime", moment.strftime("%H%M%S")), ("SeqNo", seq_no)):
        etree.SubElement(head, name).text = value
    body = etree.SubElement(root, "body")
    _fill(body, fields)
    return (b'<?xml version="1.0" encoding="GBK"?>'
            + etree.tostring(root, encoding="GBK", xml_declaration=False))


def _fill(parent: etree._Element, fields: Fields) -> None:
    for name, value in fields.items():
        if name == "List":
            holder = etree.SubElement(parent, "List")
            for row in value:
                _fill(etree.SubElement(holder, "Row"), row)
        elif value is not None:
            etree.SubElement(parent, name).text = gbk_safe(str(value))


# -- field checks (§3 types) ---------------------------------------------------------------------

class FieldError(Exception):
    """A mandatory field is missing or a field is malformed: ``03``."""


_AMOUNT = re.compile(r"\A\d{1,13}\.\d{2}\Z")


def field(el: etree._Element, name: str, kind: str, size: int, *,
          mandatory: bool = True, exact: bool = False) -> str:
    value = (el.findtext(name) or "").strip()
    if not value:
        if mandatory:
            raise FieldError(f"{name} is mandatory")
        return ""
    if kind == "C":
        if len(value.encode("gbk")) > size:
            raise FieldError(f"{name} is longer than {size} GBK bytes")
    elif kind == "N":
        if not value.isdigit() or len(value) > size or (exact and len(value) != size):
            raise FieldError(f"{name} must be {'' if exact else 'up to '}{size} digits")
    elif kind == "A":
        if not _AMOUNT.match(value) or Decimal(value) <= 0:
            raise FieldError(f"{name} must be an amount > 0 with two decimals")
    elif kind in ("D", "DT"):
        fmt = "%Y%m%d" if kind == "D" else "%Y%m%d%H%M%S"
        try:
            if not value.isdigit() or len(value) != size:
                raise ValueError
            datetime.strptime(value, fmt)
        except ValueError:
            raise FieldError(f"{name} must be {'yyyyMMdd' if kind == 'D' else 'yyyyMMddHHmmss'}"
                             ) from None
    return value


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


# -- state -----------------------------------------------------------------------------------------

class BankDb(SqliteFile):
    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self._conn.execute(sql, args)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _next(conn: sqlite3.Connection, name: str) -> int:
    conn.execute("INSERT INTO counters (name, value) VALUES (?, 1) "
                 "ON CONFLICT (name) DO UPDATE SET value = value + 1", (name,))
    value: int = conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0]
    return value


def _serial(conn: sqlite3.Connection, booked: datetime) -> str:
    """§9: yyyyMMdd of the booking date + 12 digits, one counter for credits and debits."""
    return f"{booked:%Y%m%d}{_next(conn, 'serial'):012d}"


@dataclass
class Settings:
    host: str
    port: int
    control_port: int
    data_dir: Path
    hub_host: str
    hub_port: int
    inst_code: str = "GGZY3401"
    rate: Decimal = Decimal("0.0035")
    retry_base: float = 0.5
    retry_cap: float = 30.0
    max_attempts: int = 50
    refund_delay: float = 0.2


class ControlError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


class Bank:
    """The bank's decisions; the socket, the control API and the worker call into it."""

    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.db = BankDb(settings.data_dir / "bank.db", SCHEMA)
        self.statement_dir = settings.data_dir / "statements"
        self.statement_dir.mkdir(parents=True, exist_ok=True)
        self.armed: list[tuple[str, float]] = []          # next arrival notices' modes, in memory
        self.down_until = 0.0                             # monotonic; 0: up
        self.wake = threading.Event()
        self._arm_lock = threading.Lock()

    # -- hub requests (§4) ------------------------------------------------------------------------

    def answer(self, raw: bytes) -> bytes:
        """The framed reply to one framed request's body."""
        try:
            head, body = parse_body(raw)
        except FrameError as err:
            return self.error_reply(str(err), err.head)
        code = head["TransCode"]
        handler = self._handlers().get(code)
        extra: Fields = {}
        try:
            if handler is None:
                result, word = BAD_CODE, f"交易码不支持: {code}"
            else:
                result, word, extra = handler(body)
        except FieldError as err:
            result, word = BAD_MESSAGE, str(err)
        return frame(build(code, head["SeqNo"], {"Result": result, "AddWord": word, **extra}))

    def error_reply(self, message: str, head: dict[str, str] | None = None) -> bytes:
        head = head or {}
        return frame(build(head.get("TransCode") or "000000", head.get("SeqNo") or "",
                           {"Result": BAD_MESSAGE, "AddWord": f"报文格式错误: {message}"[:100]}))

    def _handlers(self) -> dict[str, Callable[[etree._Element], tuple[str, str, Fields]]]:
        return {"G00003": self.open_sub_account, "G00005": self.arrival_query,
                "G00010": self.refund_batch, "G00011": self.refund_query,
                "G00021": self.statement_file, "G00009": self.link_test}

    def link_test(self, body: etree._Element) -> tuple[str, str, Fields]:
        field(body, "InstCode", "C", 20, mandatory=False)
        return OK, "OK", {}

    def open_sub_account(self, body: etree._Element) -> tuple[str, str, Fields]:
        inst_code = field(body, "InstCode", "C", 20)
        inst_seq = field(body, "InstSeq", "C", 32)
        name = field(body, "BaseAcctName", "C", 120)
        deadline = field(body, "MatuDay", "DT", 14)
        retire = field(body, "IsRetire", "N", 1, mandatory=False) or "1"
        if retire not in ("0", "1"):
            raise FieldError("IsRetire must be 0 or 1")
        if inst_code != self.s.inst_code:
            return UNKNOWN, f"机构代码不存在: {inst_code}", {}
        acct, fresh = self._open(inst_seq, name, deadline, int(retire), via="G00003")
        return (OK, "开户成功", {"AcctNo": acct}) if fresh else (
            DUPLICATE, "重复交易: 该申请号已开户", {"AcctNo": acct})

    def _open(self, inst_seq: str, name: str, deadline: str, retire: int, *,
              via: str) -> tuple[str, bool]:
        with self.db.tx() as conn:
            row = conn.execute("SELECT acct_no FROM sub_accounts WHERE inst_seq = ?",
                               (inst_seq,)).fetchone()
            if row:
                return row[0], False
            acct = f"{SUB_ACCOUNT_PREFIX}{_next(conn, 'sub_account'):010d}"
            conn.execute("INSERT INTO sub_accounts VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (acct, inst_seq, name, deadline, retire, now_bj().isoformat(), via))
            return acct, True

    def arrival_query(self, body: etree._Element) -> tuple[str, str, Fields]:
        start = field(body, "StartDate", "D", 8)
        end = field(body, "EndDate", "D", 8)
        acct = field(body, "InMemo", "N", 18, mandatory=False, exact=True)
        first, last = (datetime.strptime(v, "%Y%m%d").date() for v in (start, end))
        if not first <= last <= first + timedelta(days=31):
            raise FieldError("EndDate must be StartDate to StartDate + 31 days")
        rows = [self._arrival_fields(c) for c in self.db.rows(
            "SELECT c.*, s.inst_seq FROM credits c JOIN sub_accounts s USING (acct_no) "
            "WHERE substr(c.booked_at, 1, 10) BETWEEN ? AND ? AND (? = '' OR c.acct_no = ?) "
            "ORDER BY c.booked_at, c.serial", (first.isoformat(), last.isoformat(), acct, acct))]
        return OK, "查询成功", {"TotalNum": str(len(rows)), "List": rows}

    def _arrival_fields(self, credit: dict[str, Any]) -> Fields:
        booked = datetime.fromisoformat(credit["booked_at"])
        return {"InBankFLCode": credit["serial"], "InstCode": self.s.inst_code,
                "InstSeq": credit["inst_seq"], "InMemo": credit["acct_no"],
                "InAmount": credit["amount"], "InDate": f"{booked:%Y%m%d}",
                "InTime": f"{booked:%H%M%S}", "InAcct": credit["payer_account"],
                "InName": credit["payer_name"], "InBankName": credit["payer_bank"] or None,
                "Fy": credit["memo"] or None}

    def refund_batch(self, body: etree._Element) -> tuple[str, str, Fields]:
        inst_code = field(body, "InstCode", "C", 20)
        batch_no = field(body, "BatchNo", "C", 32)
        total_num = int(field(body, "TotalNum", "N", 6))
        total_amt = Decimal(field(body, "TotalAmt", "A", 16))
        rows = body.findall("List/Row")
        if not 1 <= len(rows) <= MAX_ROWS or total_num != len(rows):
            raise FieldError(f"TotalNum {total_num} but {len(rows)} rows (1-{MAX_ROWS})")
        lines = [self._refund_row(row) for row in rows]
        if sum((line["principal"] for line in lines), Decimal(0)) != total_amt:
            raise FieldError("TotalAmt is not the sum of the rows' InTranAmt")
        if inst_code != self.s.inst_code:
            return UNKNOWN, f"机构代码不存在: {inst_code}", {}
        with self.db.tx() as conn:
            known = conn.execute("SELECT line_results FROM refund_batches WHERE batch_no = ?",
                                 (batch_no,)).fetchone()
            if known:
                return DUPLICATE, "重复交易: 该批次已受理", {"List": json.loads(known[0])}
            results = [{"PayNo": line["pay_no"], "LineResult": self._accept_line(
                conn, batch_no, line)} for line in lines]
            all_dupes = all(r["LineResult"] != OK for r in results)
            conn.execute("INSERT INTO refund_batches VALUES (?, ?, ?, ?)",
                         (batch_no, now_bj().isoformat(), json.dumps(results), int(all_dupes)))
        self.wake.set()
        return OK, "批次已受理", {"List": results}

    def _refund_row(self, row: etree._Element) -> dict[str, Any]:
        back_type = field(row, "BackType", "N", 1)
        retire = field(row, "IsRetire", "N", 1)
        if back_type not in ("1", "2") or retire not in ("0", "1"):
            raise FieldError("BackType must be 1 or 2 and IsRetire 0 or 1")
        whitelist = back_type == "2"
        return {"pay_no": field(row, "PayNo", "C", 32),
                "acct_no": field(row, "IAcctNo", "N", 18, exact=True),
                "credit": field(row, "InBankFLCode", "N", 20, exact=True),
                "principal": Decimal(field(row, "InTranAmt", "A", 16)),
                "retire": int(retire), "back_type": int(back_type),
                "to_account": field(row, "InAcctNo", "C", 40, mandatory=whitelist),
                "to_bank": field(row, "InAcctBank", "C", 120, mandatory=False),
                "to_name": field(row, "InName", "C", 120, mandatory=whitelist),
                "reason": field(row, "Reason", "C", 200, mandatory=False)}

    def _accept_line(self, conn: sqlite3.Connection, batch_no: str, line: dict[str, Any]) -> str:
        if conn.execute("SELECT 1 FROM refund_lines WHERE pay_no = ?",
                        (line["pay_no"],)).fetchone():
            return DUPLICATE                       # §4.4: a line id runs once, ever
        credit = conn.execute("SELECT amount FROM credits WHERE serial = ? AND acct_no = ?",
                              (line["credit"], line["acct_no"])).fetchone()
        if credit is None:
            return UNKNOWN
        taken = sum((Decimal(r[0]) for r in conn.execute(
            "SELECT principal FROM refund_lines WHERE credit_serial = ? AND state IN (0, 1)",
            (line["credit"],))), Decimal(0))
        if line["principal"] > Decimal(credit[0]) - taken:
            return BAD_AMOUNT
        conn.execute(
            "INSERT INTO refund_lines (pay_no, batch_no, acct_no, credit_serial, principal, "
            "is_retire, back_type, to_account, to_bank, to_name, reason, due) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (line["pay_no"], batch_no, line["acct_no"], line["credit"], money(line["principal"]),
             line["retire"], line["back_type"], line["to_account"], line["to_bank"],
             line["to_name"], line["reason"], time.time() + self.s.refund_delay))
        return OK

    def refund_query(self, body: etree._Element) -> tuple[str, str, Fields]:
        batch_no = field(body, "BatchNo", "C", 32)
        pay_no = field(body, "PayNo", "C", 32, mandatory=False)
        if not self.db.rows("SELECT 1 FROM refund_batches WHERE batch_no = ?", (batch_no,)):
            return UNKNOWN, f"批次不存在: {batch_no}", {}
        rows = [self._result_row(line) for line in self.db.rows(
            "SELECT * FROM refund_lines WHERE batch_no = ? AND (? = '' OR pay_no = ?) "
            "ORDER BY rowid", (batch_no, pay_no, pay_no))]
        return OK, "查询成功", {"TotalNum": str(len(rows)), "List": rows}

    @staticmethod
    def _result_row(line: dict[str, Any]) -> Fields:
        paid = datetime.fromisoformat(line["paid_at"]) if line["paid_at"] else None
        return {"PayNo": line["pay_no"], "IAcctNo": line["acct_no"],
                "InBankFLCode": line["credit_serial"], "State": str(line["state"]),
                "PayBankFLCode": line["pay_serial"], "InTranAmt": line["principal"],
                "Interest": line["interest"], "PayAmount": line["pay_amount"],
                "PayAcctNo": line["to_account"] if paid else None,
                "PayName": line["to_name"] if paid else None,
                "PayDate": f"{paid:%Y%m%d}" if paid else None,
                "PayTime": f"{paid:%H%M%S}" if paid else None, "ErrMsg": line["err"]}

    def statement_file(self, body: etree._Element) -> tuple[str, str, Fields]:
        name = field(body, "FileName", "C", 64)
        known = self.db.rows("SELECT md5 FROM statements WHERE file_name = ?", (name,))
        if not known:
            return UNKNOWN, f"文件不存在: {name}", {}
        data = (self.statement_dir / name).read_bytes()
        return OK, "下载成功", {"FileName": name, "FileSize": str(len(data)),
                               "FileMd5": hashlib.md5(data).hexdigest(),  # noqa: S324 - §4.8
                               "FileData": base64.b64encode(data).decode("ascii")}

    # -- control API decisions (§9) ----------------------------------------------------------------

    def pay(self, req: dict[str, Any]) -> dict[str, Any]:
        acct = _text(req, "sub_account")
        amount = _text(req, "amount")
        if not _AMOUNT.match(amount) or Decimal(amount) <= 0:
            raise ControlError(400, "bad_amount", "amount: a string > 0 with two decimals")
        payer_account, payer_name = _text(req, "payer_account"), _text(req, "payer_name")
        payer_bank, memo = _text(req, "payer_bank", ""), _text(req, "memo", "")
        booked = now_bj()
        if req.get("time"):
            try:
                booked = datetime.fromisoformat(str(req["time"]))
            except ValueError:
                raise ControlError(400, "bad_time", "time: ISO 8601 with an offset") from None
            if booked.tzinfo is None:
                raise ControlError(400, "bad_time", "time: ISO 8601 with an offset")
            booked = booked.astimezone(BEIJING)
        booked = booked.replace(microsecond=0)
        with self._arm_lock:
            mode = self.armed.pop(0) if self.armed else None
        with self.db.tx() as conn:
            sub = conn.execute("SELECT inst_seq FROM sub_accounts WHERE acct_no = ?",
                               (acct,)).fetchone()
            if sub is None:
                if mode:
                    with self._arm_lock:
                        self.armed.insert(0, mode)
                raise ControlError(404, "unknown_sub_account", f"no sub-account {acct}")
            serial = _serial(conn, booked)
            conn.execute("INSERT INTO credits VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (serial, acct, amount, booked.isoformat(), payer_account, payer_name,
                          payer_bank, memo))
            credit = {"serial": serial, "acct_no": acct, "amount": amount,
                      "booked_at": booked.isoformat(), "payer_account": payer_account,
                      "payer_name": payer_name, "payer_bank": payer_bank, "memo": memo,
                      "inst_seq": sub[0]}
            self._queue(conn, "G00001", serial, self._arrival_fields(credit), mode)
        self.wake.set()
        return {"serial": serial, "credit": credit}

    def open_direct(self, req: dict[str, Any]) -> dict[str, Any]:
        deadline = _text(req, "deadline", "")
        acct, fresh = self._open(_text(req, "inst_seq"), _text(req, "name"), deadline, 1,
                                 via="control")
        return {"sub_account": acct, "opened": fresh}

    def arm(self, req: dict[str, Any]) -> dict[str, Any]:
        mode = req.get("mode")
        if mode not in ("twice", "out_of_order", "late"):
            raise ControlError(400, "bad_mode", "mode: twice, out_of_order or late")
        seconds = _seconds(req, 5.0 if mode == "late" else 60.0)
        with self._arm_lock:
            self.armed.append((mode, seconds))
            return {"armed": [{"mode": m, "seconds": s} for m, s in self.armed]}

    def go_down(self, req: dict[str, Any]) -> float:
        seconds = _seconds(req, None)
        self.down_until = time.monotonic() + seconds if seconds > 0 else 0.0
        return seconds

    @property
    def down(self) -> bool:
        return self.down_until > time.monotonic()

    def statement(self, req: dict[str, Any]) -> dict[str, Any]:
        raw = str(req.get("date") or f"{now_bj():%Y%m%d}")
        try:
            day = datetime.strptime(raw, "%Y%m%d").date()
        except ValueError:
            raise ControlError(400, "bad_date", "date: yyyyMMdd") from None
        disagree = bool(req.get("disagree"))
        with self.db.tx() as conn:
            fields, data = self._write_statement(conn, day, disagree)
            conn.execute("INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                         "(stmt_date) DO UPDATE SET md5 = excluded.md5, lines = excluded.lines, "
                         "disagree = excluded.disagree, announced_at = excluded.announced_at",
                         (fields["StmtDate"], fields["FileName"], fields["FileMd5"],
                          int(fields["TotalNum"]), int(disagree), now_bj().isoformat()))
            self._queue(conn, "G00020", fields["StmtDate"], fields, None)
        self.wake.set()
        return {"statement": fields, "file": data.decode("gbk")}

    def _write_statement(self, conn: sqlite3.Connection, day: date,
                         disagree: bool) -> tuple[Fields, bytes]:
        """§4.8: the day's movements; ``disagree`` shifts the first line's amount by 0.01."""
        moves: list[tuple[str, str, list[str], Decimal, bool]] = []
        for serial, booked, amount, acct, opp, name, inst_seq in conn.execute(
                "SELECT c.serial, c.booked_at, c.amount, c.acct_no, c.payer_account, "
                "c.payer_name, s.inst_seq FROM credits c JOIN sub_accounts s USING (acct_no) "
                "WHERE substr(c.booked_at, 1, 10) = ?", (day.isoformat(),)):
            at = datetime.fromisoformat(booked)
            moves.append((booked, serial, [serial, f"{at:%Y%m%d}", f"{at:%H%M%S}", "C", amount,
                                           acct, opp, name, inst_seq, "0.00"],
                          Decimal(amount), True))
        for serial, paid, amount, acct, opp, name, pay_no, interest in conn.execute(
                "SELECT pay_serial, paid_at, pay_amount, acct_no, to_account, to_name, pay_no, "
                "interest FROM refund_lines WHERE state = 1 AND substr(paid_at, 1, 10) = ?",
                (day.isoformat(),)):
            at = datetime.fromisoformat(paid)
            moves.append((paid, serial, [serial, f"{at:%Y%m%d}", f"{at:%H%M%S}", "D", amount,
                                         acct, opp, name, pay_no, interest],
                          Decimal(amount), False))
        moves.sort(key=lambda m: (m[0], m[1]))
        credit = [m[3] for m in moves if m[4]]
        debit = [m[3] for m in moves if not m[4]]
        stamp = f"{day:%Y%m%d}"
        header = ["H", stamp, self.s.inst_code, str(len(moves)), str(len(credit)),
                  money(sum(credit, Decimal(0))), str(len(debit)), money(sum(debit, Decimal(0)))]
        lines = [header]
        for index, move in enumerate(moves):
            cols = list(move[2])
            if disagree and index == 0:
                cols[4] = money(Decimal(cols[4]) + CENT)
            lines.append(["D", *cols])
        lines.append(["T", str(len(moves))])
        text = "".join("|".join(gbk_safe(c).replace("|", " ") for c in cols) + "\r\n"
                       for cols in lines)
        data = text.encode("gbk")
        name = f"{stamp}_{self.s.inst_code}.txt"
        (self.statement_dir / name).write_bytes(data)
        fields = {"InstCode": self.s.inst_code, "StmtDate": stamp, "FileName": name,
                  "TotalNum": str(len(moves)), "CreditNum": str(len(credit)),
                  "CreditAmt": header[5], "DebitNum": str(len(debit)), "DebitAmt": header[7],
                  "FileMd5": hashlib.md5(data).hexdigest()}  # noqa: S324 - the protocol's check
        return fields, data

    def state(self) -> dict[str, Any]:
        batches = self.db.rows("SELECT * FROM refund_batches ORDER BY rowid")
        lines = self.db.rows("SELECT * FROM refund_lines ORDER BY rowid")
        for batch in batches:
            batch["line_results"] = json.loads(batch["line_results"])
            batch["lines"] = [line for line in lines if line["batch_no"] == batch["batch_no"]]
        notices = self.db.rows("SELECT * FROM notices ORDER BY id")
        attempts = self.db.rows("SELECT * FROM attempts ORDER BY id")
        for notice in notices:
            notice["fields"] = json.loads(notice["fields"])
            notice["attempts"] = [a for a in attempts if a["notice_id"] == notice["id"]]
        return {"profile": PROFILE, "rate": str(self.s.rate),
                "sub_accounts": self.db.rows("SELECT * FROM sub_accounts ORDER BY rowid"),
                "credits": self.db.rows("SELECT * FROM credits ORDER BY serial"),
                "refund_batches": batches, "notices": notices,
                "statements": self.db.rows("SELECT * FROM statements ORDER BY stmt_date")}

    # -- outbox and worker (§6) --------------------------------------------------------------------

    def _queue(self, conn: sqlite3.Connection, code: str, key: str, fields: Fields,
               mode: tuple[str, float] | None) -> None:
        due, state, twice = time.time(), "pending", 0
        if mode is not None:
            name, seconds = mode
            if name == "late":
                due += seconds
            elif name == "out_of_order":
                state, due = "held", due + seconds     # until a later one is answered
            else:
                twice = 1
        conn.execute("INSERT INTO notices (code, key, fields, state, due, twice, mode, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (code, key, json.dumps(fields), state, due, twice,
                      mode[0] if mode else None, now_bj().isoformat()))

    def work_once(self) -> bool:
        """Execute due refund lines, then send one due push. True if it did anything."""
        if self.down:
            return False
        did = self._execute_refunds()
        return self._push_one() or did

    def _execute_refunds(self) -> bool:
        due = self.db.rows("SELECT pay_no FROM refund_lines WHERE state = 0 AND due <= ? "
                           "ORDER BY rowid", (time.time(),))
        for line in due:
            with self.db.tx() as conn:
                self._execute(conn, line["pay_no"])
        with self.db.tx() as conn:
            for (batch_no,) in conn.execute(
                    "SELECT batch_no FROM refund_batches b WHERE notified = 0 AND NOT EXISTS "
                    "(SELECT 1 FROM refund_lines l WHERE l.batch_no = b.batch_no AND state = 0)"
                    ).fetchall():
                cursor = conn.execute("SELECT * FROM refund_lines WHERE batch_no = ? "
                                      "ORDER BY rowid", (batch_no,))
                names = [d[0] for d in cursor.description]
                rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
                fields = {"InstCode": self.s.inst_code, "BatchNo": batch_no,
                          "TotalNum": str(len(rows)),
                          "List": [self._result_row(r) for r in rows]}
                self._queue(conn, "G00012", batch_no, fields, None)
                conn.execute("UPDATE refund_batches SET notified = 1 WHERE batch_no = ?",
                             (batch_no,))
        return bool(due)

    def _execute(self, conn: sqlite3.Connection, pay_no: str) -> None:
        """§4.4.1: one line, once: the state check and the booking are one transaction."""
        line = conn.execute(
            "SELECT l.principal, l.is_retire, l.back_type, l.to_account, l.to_name, "
            "c.booked_at, c.payer_account, c.payer_name, s.is_retire FROM refund_lines l "
            "JOIN credits c ON c.serial = l.credit_serial JOIN sub_accounts s "
            "ON s.acct_no = l.acct_no WHERE l.pay_no = ? AND l.state = 0", (pay_no,)).fetchone()
        if line is None:
            return
        principal, retire, back_type, to_acct, to_name, booked, payer_acct, payer_name, \
            acct_retire = line
        paid = now_bj().replace(microsecond=0)
        days = max(0, (paid.date() - datetime.fromisoformat(booked).date()).days)
        interest = Decimal(0)
        if retire and acct_retire:
            interest = (Decimal(principal) * self.s.rate * days / 360).quantize(
                CENT, rounding=ROUND_HALF_UP)
        if back_type == 1:
            to_acct, to_name = payer_acct, payer_name
        conn.execute("UPDATE refund_lines SET state = 1, pay_serial = ?, days = ?, interest = ?, "
                     "pay_amount = ?, paid_at = ?, to_account = ?, to_name = ? WHERE pay_no = ?",
                     (_serial(conn, paid), days, money(interest),
                      money(Decimal(principal) + interest), paid.isoformat(), to_acct, to_name,
                      pay_no))

    def _push_one(self) -> bool:
        now = time.time()
        due = self.db.rows("SELECT * FROM notices WHERE state IN ('pending', 'held') "
                           "AND due <= ? ORDER BY id LIMIT 1", (now,))
        if not due:
            return False
        notice = due[0]
        with self.db.tx() as conn:
            seq_no = f"B{now_bj():%Y%m%d}{_next(conn, 'seq_no'):010d}"
        outcome, result, detail = self._send(notice["code"], seq_no,
                                             json.loads(notice["fields"]))
        answered = outcome == "answered" and result in (OK, DUPLICATE)
        with self.db.tx() as conn:
            conn.execute("INSERT INTO attempts (notice_id, at, seq_no, outcome, result, detail) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (notice["id"], now_bj().isoformat(),
                                                        seq_no, outcome, result, detail[:500]))
            attempts = notice["attempts"] + 1
            if answered:
                conn.execute("UPDATE notices SET state = 'delivered', attempts = ?, "
                             "delivered_at = ? WHERE id = ?",
                             (attempts, now_bj().isoformat(), notice["id"]))
                conn.execute("UPDATE notices SET state = 'pending', due = ? WHERE "
                             "state = 'held' AND id < ?", (time.time(), notice["id"]))
                if notice["twice"]:
                    conn.execute("INSERT INTO notices (code, key, fields, state, due, twice, "
                                 "mode, created_at) VALUES (?, ?, ?, 'pending', ?, 0, "
                                 "'twice (copy)', ?)",
                                 (notice["code"], notice["key"], notice["fields"], time.time(),
                                  now_bj().isoformat()))
            elif attempts >= self.s.max_attempts:
                conn.execute("UPDATE notices SET state = 'abandoned', attempts = ? WHERE id = ?",
                             (attempts, notice["id"]))
            else:
                wait = min(self.s.retry_cap, self.s.retry_base * 2 ** (attempts - 1))
                conn.execute("UPDATE notices SET state = 'pending', attempts = ?, due = ? "
                             "WHERE id = ?", (attempts, time.time() + wait, notice["id"]))
        return True

    def _send(self, code: str, seq_no: str, fields: Fields) -> tuple[str, str | None, str]:
        """One attempt: (outcome, Result or TransResult, detail)."""
        message = frame(build(code, seq_no, fields))
        try:
            with socket.create_connection((self.s.hub_host, self.s.hub_port),
                                          timeout=CONNECT_TIMEOUT) as sock:
                sock.settimeout(EXCHANGE_TIMEOUT)
                sock.sendall(message)
                reply = read_frame(sock, time.monotonic() + EXCHANGE_TIMEOUT)
        except ConnectionRefusedError as err:
            return "refused", None, str(err)
        except TimeoutError as err:
            return "timeout", None, str(err) or "timed out"
        except FrameError as err:
            return "bad_reply", None, str(err)
        except OSError as err:
            return "error", None, str(err)
        try:
            _head, body = parse_body(reply)
        except FrameError as err:
            return "bad_reply", None, str(err)
        result = (body.findtext("Result") or body.findtext("TransResult") or "").strip()
        return "answered", result, (body.findtext("AddWord") or "").strip()


def _text(req: dict[str, Any], name: str, default: str | None = None) -> str:
    value = req.get(name, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise ControlError(400, f"bad_{name}", f"{name}: a non-empty string")
    return value.strip()


def _seconds(req: dict[str, Any], default: float | None) -> float:
    value = req.get("seconds", default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 86400:
        raise ControlError(400, "bad_seconds", "seconds: a number from 0 to 86400")
    return float(value)


# -- the bank's socket (§1) ------------------------------------------------------------------------

class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Listener:
    """The bank's socket; closed while the bank is down so that connections are refused."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self._server: _ThreadingTCPServer | None = None
        self._lock = threading.Lock()

    def _handler(self) -> type[socketserver.BaseRequestHandler]:
        bank = self.bank

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                try:
                    raw = read_frame(sock, time.monotonic() + REQUEST_WINDOW)
                    reply = bank.answer(raw)
                except FrameError as err:
                    if not err.reply:
                        return
                    reply = bank.error_reply(str(err))
                except OSError:
                    return
                try:
                    sock.settimeout(EXCHANGE_TIMEOUT)
                    sock.sendall(reply)
                except OSError:
                    pass

        return Handler

    def open(self) -> None:
        with self._lock:
            if self._server is None:
                server = _ThreadingTCPServer((self.bank.s.host, self.bank.s.port),
                                             self._handler())
                self.bank.s.port = server.server_address[1]
                threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                 daemon=True, name="line-bank-socket").start()
                self._server = server

    def close(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def follow(self, stop: threading.Event) -> None:
        """Close the socket while the bank is down, open it again when it is up."""
        while not stop.wait(0.05):
            try:
                if self.bank.down:
                    self.close()
                else:
                    self.open()
            except OSError as err:   # the port taken meanwhile: say so and try again
                print(f"line bank: cannot reopen the socket: {err}", file=sys.stderr, flush=True)
                stop.wait(1.0)


# -- control API (§9) ------------------------------------------------------------------------------

MAX_CONTROL_BODY = 64 * 1024


def control_handler(bank: Bank, listener: Listener) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "line-bank"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, payload: Any) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_CONTROL_BODY:
                raise ControlError(413, "too_large", "control body too large")
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                raise ControlError(400, "bad_json", "the body must be JSON") from None
            if not isinstance(body, dict):
                raise ControlError(400, "bad_json", "the body must be a JSON object")
            return body

        def do_GET(self) -> None:
            if self.path == "/control/health":
                self._send(200, {"profile": PROFILE, "pid": os.getpid(), "port": bank.s.port,
                                 "control_port": bank.s.control_port, "down": bank.down})
            elif self.path == "/control/state":
                self._send(200, bank.state())
            else:
                self._send(404, {"error": "not_found", "message": self.path})

        def do_POST(self) -> None:
            routes: dict[str, Callable[[dict[str, Any]], tuple[int, Any]]] = {
                "/control/pay": lambda b: (201, bank.pay(b)),
                "/control/sub-accounts": lambda b: (201, bank.open_direct(b)),
                "/control/notices": lambda b: (201, bank.arm(b)),
                "/control/down": lambda b: (200, {"down_seconds": bank.go_down(b)}),
                "/control/statement": lambda b: (201, bank.statement(b)),
            }
            route = routes.get(self.path)
            if route is None:
                self._send(404, {"error": "not_found", "message": self.path})
                return
            try:
                status, payload = route(self._body())
            except ControlError as err:
                self._send(err.status, {"error": err.code, "message": str(err)})
                return
            if self.path == "/control/down":
                listener.close() if bank.down else listener.open()
            self._send(status, payload)

    return Handler


# -- process -------------------------------------------------------------------------------------

def run(settings: Settings) -> None:
    bank = Bank(settings)
    listener = Listener(bank)
    listener.open()
    control = ThreadingHTTPServer(("127.0.0.1", settings.control_port),
                                  control_handler(bank, listener))
    control.daemon_threads = True
    settings.control_port = control.server_address[1]
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            if not bank.work_once():
                bank.wake.wait(0.05)
                bank.wake.clear()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()
        threading.Thread(target=control.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    threads = [threading.Thread(target=work, daemon=True, name="line-bank-worker"),
               threading.Thread(target=listener.follow, args=(stop,), daemon=True,
                                name="line-bank-down")]
    for thread in threads:
        thread.start()
    print(f"line bank on tcp://{settings.host}:{settings.port} (control "
          f"http://127.0.0.1:{settings.control_port}/, data {settings.data_dir}, hub "
          f"{settings.hub_host}:{settings.hub_port})", file=sys.stderr, flush=True)
    try:
        control.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)
        listener.close()
        control.server_close()
        bank.db.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.banks.line",
        description="Sandbox bank of the line profile (docs/banks/line-protocol.md).")
    parser.add_argument("--host", default="127.0.0.1", help="address of the bank's socket")
    parser.add_argument("--port", type=int, required=True, help="the bank's socket (0: free)")
    parser.add_argument("--control-port", type=int, required=True,
                        help="HTTP control API on 127.0.0.1 (0: free)")
    parser.add_argument("--data-dir", type=Path, required=True,
                        help="bank.db and statements/ (kept)")
    parser.add_argument("--hub-host", default="127.0.0.1")
    parser.add_argument("--hub-port", type=int, required=True, help="where pushes go")
    parser.add_argument("--inst-code", default="GGZY3401")
    parser.add_argument("--rate", type=Decimal, default=Decimal("0.0035"),
                        help="活期 annual rate for refund interest")
    parser.add_argument("--retry-base", type=float, default=0.5)
    parser.add_argument("--retry-cap", type=float, default=30.0)
    parser.add_argument("--max-attempts", type=int, default=50)
    parser.add_argument("--refund-delay", type=float, default=0.2,
                        help="seconds between accepting a refund line and executing it")
    args = parser.parse_args(argv)
    run(Settings(host=args.host, port=args.port, control_port=args.control_port,
                 data_dir=args.data_dir, hub_host=args.hub_host, hub_port=args.hub_port,
                 inst_code=args.inst_code, rate=args.rate, retry_base=args.retry_base,
                 retry_cap=args.retry_cap, max_attempts=args.max_attempts,
                 refund_delay=args.refund_delay))


if __name__ == "__main__":
    main()
