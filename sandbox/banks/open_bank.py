"""The sandbox bank of the ``open`` profile, written from ``docs/banks/open-protocol.md`` alone.

``python -m sandbox.banks.open_bank --data-dir var/open-bank --hub-public-key-file hub.hex``

An open-banking style bank: HTTPS JSON UTF-8, every request, answer and callback signed
SM3WithSM2 over ``KEYID&TIMESTAMP&NONCE&METHOD&URI&`` + sorted pairs, the raw body standing in as
its SM3 digest (``bodyDigest``). It opens virtual sub-accounts per (section, bidder), takes
payments through its control API, pushes signed arrival notices and refund results to the hub and
retries them with backoff until the hub answers ``{"code":"SUCCESS"}``, executes refund lines
once per line id with the interest it computes itself, and serves a paged statement per date.

Why it imports nothing of the project: the adapter and this bank are both written from the
protocol document, so a misreading on either side fails an exchange instead of being shared
(import-linter contract in pyproject.toml). Why a process with its own SQLite file: the drills
stop, kill and restart it, and nothing it accepted may be lost or executed twice across that.

Threads: the HTTPS API (one thread per connection; the TLS handshake runs in that thread, not
in the accept loop), the control API (plain HTTP on loopback), one callback dispatcher and one
refund worker. All state goes through one SQLite connection behind one lock
(``sandbox.common.sqlite_file``); each decision is one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import http.client
import ipaddress
import json
import os
import re
import secrets
import signal
import ssl
import sys
import threading
import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import gmssl_pyx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sandbox.common.sqlite_file import SqliteFile

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # UTC+8, no daylight saving
SIGN_ALG = "SM3WithSM2"
SM2_ID = b"1234567812345678"  # the default user id of GM/T 0009, in Z_A
API_PREFIX = "/open/v1"
MAX_BODY = 1024 * 1024
MAX_LINES = 500
NONCE_KEEP_SECONDS = 600  # twice the window: an older nonce is refused by the window anyway
CALLBACK_TIMEOUT = 10.0
HOLD_MAX_SECONDS = 30.0  # an out_of_order notice waits at most this long for a later one
DEFAULT_RETRY_SCHEDULE = (5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 14400, 21600)
DEFAULT_RETRY_FOR = 72 * 3600
CURRENCY = "CNY"
CENT = Decimal("0.01")

MONEY_RE = re.compile(r"^[0-9]{1,13}\.[0-9]{2}$")
TIME_RE = re.compile(r"^[0-9]{14}$")
DATE_RE = re.compile(r"^[0-9]{8}$")
KEY_ID_RE = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
NONCE_RE = re.compile(r"^[0-9A-Za-z]{1,32}$")
SIGN_HEADERS = ("X-Open-KeyId", "X-Open-Timestamp", "X-Open-Nonce", "X-Open-SignAlg",
                "X-Open-Signature")


# -- time and money ------------------------------------------------------------------------------

def now() -> dt.datetime:
    return dt.datetime.now(BEIJING).replace(microsecond=0)


def wire_time(moment: dt.datetime) -> str:
    """``yyyyMMddHHmmss`` in Asia/Shanghai, as the protocol carries every time."""
    return moment.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def parse_wire_time(text: str) -> dt.datetime:
    if not TIME_RE.match(text):
        raise ValueError(text)
    return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)


def iso(moment: dt.datetime) -> str:
    """Stored times: ISO 8601 in Beijing time, so text order is time order."""
    return moment.astimezone(BEIJING).isoformat()


def from_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


# -- signatures (docs/banks/open-protocol.md §2) --------------------------------------------------

def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def string_to_sign(key_id: str, timestamp: str, nonce: str, method: str, uri: str,
                   query: list[tuple[str, str]], body: bytes) -> str:
    """§2.2: the query pairs (decoded) plus ``bodyDigest`` of the raw body, sorted, no final &."""
    pairs = [*query, ("bodyDigest", sm3_hex(body))]
    pairs.sort(key=lambda kv: (kv[0].encode(), kv[1].encode()))
    head = f"{key_id}&{timestamp}&{nonce}&{method.upper()}&{uri}&"
    return head + "&".join(f"{k}={v}" for k, v in pairs)


class Sm2Key:
    """An SM2 key pair (or a public key alone), hex of the 32-byte scalar / 65-byte point."""

    def __init__(self, public_hex: str, private_hex: str | None = None) -> None:
        raw = bytes.fromhex(public_hex)
        if len(raw) == 65 and raw[0] == 4:
            raw = raw[1:]
        self.public = gmssl_pyx.normalize_sm2_public_key(raw)
        self.private = bytes.fromhex(private_hex) if private_hex else None

    @property
    def public_hex(self) -> str:
        return "04" + self.public.hex()

    def sign(self, message: str) -> str:
        assert self.private is not None, "a public key cannot sign"
        der = gmssl_pyx.sm2_sign(self.private, self.public, message.encode(), signer_id=SM2_ID)
        return base64.b64encode(der).decode()

    def verify(self, message: str, signature_b64: str) -> bool:
        try:
            der = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError):
            return False
        try:
            return bool(gmssl_pyx.sm2_verify(self.public, message.encode(), der,
                                             signer_id=SM2_ID))
        except Exception:  # the C layer raises on malformed DER: that is a bad signature
            return False


def signed_headers(key: Sm2Key, key_id: str, method: str, uri: str,
                   query: list[tuple[str, str]], body: bytes, *, corrupt: bool = False
                   ) -> dict[str, str]:
    timestamp = wire_time(now())
    nonce = secrets.token_hex(16)
    signature = key.sign(string_to_sign(key_id, timestamp, nonce, method, uri, query, body))
    if corrupt:  # the bad_signature fault: a valid-looking Base64 DER that does not verify
        der = bytearray(base64.b64decode(signature))
        der[-1] ^= 0x01
        signature = base64.b64encode(bytes(der)).decode()
    return {"X-Open-KeyId": key_id, "X-Open-Timestamp": timestamp, "X-Open-Nonce": nonce,
            "X-Open-SignAlg": SIGN_ALG, "X-Open-Signature": signature}


# -- files in the data directory ------------------------------------------------------------------

def load_or_make_bank_key(data_dir: Path) -> Sm2Key:
    private_file = data_dir / "bank_sm2_private.hex"
    public_file = data_dir / "bank_sm2_public.hex"
    if private_file.exists():
        return Sm2Key(public_file.read_text().strip(), private_file.read_text().strip())
    public, private = gmssl_pyx.sm2_key_generate()
    fd = os.open(private_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(private.hex() + "\n")
    key = Sm2Key(public.hex(), private.hex())
    public_file.write_text(key.public_hex + "\n")
    return key


def load_or_make_certificate(data_dir: Path) -> tuple[Path, Path]:
    """A self-signed TLS certificate for localhost/127.0.0.1/::1, made once and kept."""
    cert_file, key_file = data_dir / "cert.pem", data_dir / "key.pem"
    if cert_file.exists() and key_file.exists():
        return cert_file, key_file
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "open-bank sandbox")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_file, key_file


# -- the store -----------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS config (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sub_accounts (
    sub_account_no   TEXT PRIMARY KEY,
    section_code     TEXT NOT NULL,
    bidder_id        TEXT NOT NULL,
    fields           TEXT NOT NULL,
    opened_at        TEXT NOT NULL,
    UNIQUE (section_code, bidder_id)
);
CREATE TABLE IF NOT EXISTS credits (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    bank_serial      TEXT NOT NULL UNIQUE,
    sub_account_no   TEXT NOT NULL,
    amount           TEXT NOT NULL,
    payer_account_no TEXT NOT NULL,
    payer_name       TEXT NOT NULL,
    payer_bank       TEXT,
    arrived_at       TEXT NOT NULL,
    remark           TEXT
);
CREATE TABLE IF NOT EXISTS batches (
    batch_no         TEXT PRIMARY KEY,
    content          TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    notified         INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS refund_lines (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    line_id          TEXT NOT NULL UNIQUE,
    first_batch_no   TEXT NOT NULL,
    sub_account_no   TEXT NOT NULL,
    content          TEXT NOT NULL,
    state            TEXT NOT NULL,
    accepted_at      TEXT NOT NULL,
    result           TEXT
);
CREATE TABLE IF NOT EXISTS batch_lines (
    batch_no         TEXT NOT NULL,
    line_id          TEXT NOT NULL,
    pos              INTEGER NOT NULL,
    PRIMARY KEY (batch_no, line_id)
);
CREATE TABLE IF NOT EXISTS allocations (
    line_id          TEXT NOT NULL,
    credit_serial    TEXT NOT NULL,
    amount           TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS callbacks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    notify_id        TEXT NOT NULL,
    ref              TEXT NOT NULL,
    body             BLOB NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    next_at          REAL NOT NULL,
    held             INTEGER NOT NULL DEFAULT 0,
    bad_signatures   INTEGER NOT NULL DEFAULT 0,
    mode             TEXT,
    delivered_at     TEXT
);
CREATE TABLE IF NOT EXISTS callback_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    callback_id      INTEGER NOT NULL,
    at               TEXT NOT NULL,
    outcome          TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nonces (
    key_id           TEXT NOT NULL,
    nonce            TEXT NOT NULL,
    seen_at          REAL NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE TABLE IF NOT EXISTS frozen_accounts (account_no TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS statement_tampers (bank_serial TEXT PRIMARY KEY, amount TEXT);
"""


class Store(SqliteFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path, SCHEMA)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._conn.execute(sql, params).fetchall())


def next_number(conn: Any, name: str) -> int:
    conn.execute("INSERT INTO counters (name, value) VALUES (?, 0) ON CONFLICT DO NOTHING",
                 (name,))
    conn.execute("UPDATE counters SET value = value + 1 WHERE name = ?", (name,))
    return int(conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0])


def new_serial(conn: Any, moment: dt.datetime) -> str:
    """A host serial unique per bank: ``OB`` + date + 12-digit counter (22 characters)."""
    return f"OB{moment.astimezone(BEIJING):%Y%m%d}{next_number(conn, 'serial'):012d}"


# -- errors --------------------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def missing(name: str) -> ApiError:
    return ApiError(400, "FIELD_MISSING", f"{name} is required")


def invalid(name: str, why: str) -> ApiError:
    return ApiError(400, "FIELD_INVALID", f"{name} {why}")


def text_field(obj: dict[str, Any], name: str, limit: int, *, required: bool = True,
               pattern: re.Pattern[str] | None = None) -> str | None:
    value = obj.get(name)
    if value is None or value == "":
        if required:
            raise missing(name)
        return None
    if not isinstance(value, str):
        raise invalid(name, "must be a string")
    if len(value) > limit:
        raise invalid(name, f"is longer than {limit} characters")
    if pattern is not None and not pattern.match(value):
        raise invalid(name, "has the wrong format")
    return value


def money_field(obj: dict[str, Any], name: str, *, required: bool = True) -> Decimal | None:
    value = obj.get(name)
    if value is None or value == "":
        if required:
            raise missing(name)
        return None
    if not isinstance(value, str) or not MONEY_RE.match(value):
        raise invalid(name, "must be a string with two decimals, e.g. \"50000.00\"")
    amount = Decimal(value)
    if amount <= 0:
        raise invalid(name, "must be above 0.00")
    return amount


def bool_field(obj: dict[str, Any], name: str) -> bool | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise invalid(name, "must be true or false")
    return value


# -- the bank ------------------------------------------------------------------------------------

class OpenBank:
    """The bank's rules over its store; the HTTP shells below only translate."""

    def __init__(self, store: Store, *, bank_key: Sm2Key, bank_key_id: str, hub_key: Sm2Key,
                 hub_key_id: str, main_account: str, bank_name: str, demand_rate: Decimal,
                 refund_delay: float, retry_schedule: tuple[float, ...], retry_for: float,
                 window: int, hub_ca_file: str | None) -> None:
        self.store = store
        self.bank_key, self.bank_key_id = bank_key, bank_key_id
        self.hub_key, self.hub_key_id = hub_key, hub_key_id
        self.main_account, self.bank_name = main_account, bank_name
        self.demand_rate = demand_rate
        self.refund_delay = refund_delay
        self.retry_schedule, self.retry_for = retry_schedule, retry_for
        self.window = window
        self.hub_ca_file = hub_ca_file
        self.plans: list[dict[str, Any]] = []  # next-callback faults; in memory, like the peers'
        self.plans_lock = threading.Lock()
        self.down_until = 0.0
        self.wake = threading.Event()

    @property
    def up(self) -> bool:
        return time.monotonic() >= self.down_until

    # -- verification of the hub's requests (§2.4) ------------------------------------------------

    def verify_request(self, headers: Any, method: str, uri: str, query: list[tuple[str, str]],
                       body: bytes) -> None:
        values = {name: headers.get(name) for name in SIGN_HEADERS}
        absent = [name for name, value in values.items() if not value]
        if absent:
            raise ApiError(401, "SIGN_HEADER_MISSING", f"missing header {absent[0]}")
        key_id, timestamp, nonce = (values["X-Open-KeyId"], values["X-Open-Timestamp"],
                                    values["X-Open-Nonce"])
        assert key_id and timestamp and nonce
        if not KEY_ID_RE.match(key_id) or not NONCE_RE.match(nonce):
            raise ApiError(401, "SIGN_HEADER_INVALID", "key id or nonce has the wrong format")
        try:
            signed_at = parse_wire_time(timestamp)
        except ValueError:
            raise ApiError(401, "SIGN_HEADER_INVALID", "X-Open-Timestamp is not yyyyMMddHHmmss"
                           ) from None
        try:
            base64.b64decode(str(values["X-Open-Signature"]), validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(401, "SIGN_HEADER_INVALID", "X-Open-Signature is not Base64"
                           ) from None
        if values["X-Open-SignAlg"] != SIGN_ALG:
            raise ApiError(401, "SIGN_ALG_UNSUPPORTED", f"only {SIGN_ALG} is accepted")
        if key_id != self.hub_key_id:
            raise ApiError(401, "KEY_ID_UNKNOWN", f"key id {key_id} is not known")
        if abs((now() - signed_at).total_seconds()) > self.window:
            raise ApiError(401, "TIMESTAMP_OUT_OF_WINDOW",
                           f"the timestamp is more than {self.window} s from the bank's clock")
        if any(name == "bodyDigest" for name, _ in query):
            raise invalid("bodyDigest", "may not be a query parameter")
        message = string_to_sign(key_id, timestamp, nonce, method, uri, query, body)
        if not self.hub_key.verify(message, str(values["X-Open-Signature"])):
            raise ApiError(401, "SIGNATURE_INVALID", "the signature does not verify")
        seen = time.time()
        with self.store.tx() as conn:
            conn.execute("DELETE FROM nonces WHERE seen_at < ?", (seen - NONCE_KEEP_SECONDS,))
            if conn.execute("SELECT 1 FROM nonces WHERE key_id = ? AND nonce = ?",
                            (key_id, nonce)).fetchone():
                raise ApiError(401, "NONCE_REPLAYED", "the nonce was used before")
            conn.execute("INSERT INTO nonces (key_id, nonce, seen_at) VALUES (?, ?, ?)",
                         (key_id, nonce, seen))

    # -- §3.1 open a sub-account ------------------------------------------------------------------

    def open_sub_account(self, body: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "requestNo": text_field(body, "requestNo", 32),
            "sectionCode": text_field(body, "sectionCode", 64),
            "sectionName": text_field(body, "sectionName", 200, required=False),
            "bidderId": text_field(body, "bidderId", 64),
            "bidderName": text_field(body, "bidderName", 200),
            "depositAmount": None,
            "depositDeadline": text_field(body, "depositDeadline", 14, required=False,
                                          pattern=TIME_RE),
            "withInterest": bool_field(body, "withInterest"),
        }
        amount = money_field(body, "depositAmount", required=False)
        fields["depositAmount"] = money(amount) if amount is not None else None
        if fields["depositDeadline"]:
            try:
                parse_wire_time(str(fields["depositDeadline"]))
            except ValueError:
                raise invalid("depositDeadline", "is not a valid time") from None
        with self.store.tx() as conn:
            row = conn.execute("SELECT sub_account_no FROM sub_accounts WHERE section_code = ? "
                               "AND bidder_id = ?", (fields["sectionCode"], fields["bidderId"])
                               ).fetchone()
            if row:
                return {**self._sub_account(conn, row[0]), "created": False}
            number = f"{self.main_account}{next_number(conn, 'sub_account'):07d}"
            conn.execute("INSERT INTO sub_accounts (sub_account_no, section_code, bidder_id, "
                         "fields, opened_at) VALUES (?, ?, ?, ?, ?)",
                         (number, fields["sectionCode"], fields["bidderId"],
                          json.dumps(fields, ensure_ascii=False), iso(now())))
            return {**self._sub_account(conn, number), "created": True}

    def _sub_account(self, conn: Any, number: str) -> dict[str, Any]:
        fields, opened_at = conn.execute("SELECT fields, opened_at FROM sub_accounts WHERE "
                                         "sub_account_no = ?", (number,)).fetchone()
        stored = json.loads(fields)
        return {"subAccountNo": number, "subAccountName": stored["bidderName"],
                "mainAccountNo": self.main_account, "bankName": self.bank_name,
                **{k: v for k, v in stored.items() if v is not None and k != "bidderName"},
                "bidderName": stored["bidderName"],
                "withInterest": bool(stored.get("withInterest") or False),
                "openedTime": wire_time(from_iso(opened_at))}

    # -- §3.2 credits ---------------------------------------------------------------------------

    def credits_of(self, number: str) -> dict[str, Any]:
        with self.store.tx() as conn:
            row = conn.execute("SELECT section_code, bidder_id FROM sub_accounts WHERE "
                               "sub_account_no = ?", (number,)).fetchone()
            if row is None:
                raise ApiError(404, "SUB_ACCOUNT_NOT_FOUND", f"no sub-account {number}")
            credits = [self._arrival(conn, serial) for (serial,) in conn.execute(
                "SELECT bank_serial FROM credits WHERE sub_account_no = ? ORDER BY arrived_at, "
                "id", (number,)).fetchall()]
            return {"subAccountNo": number, "sectionCode": row[0], "bidderId": row[1],
                    "balance": money(self._balance(conn, number)), "currency": CURRENCY,
                    "credits": credits}

    def _balance(self, conn: Any, number: str) -> Decimal:
        credits = sum((Decimal(a) for (a,) in conn.execute(
            "SELECT amount FROM credits WHERE sub_account_no = ?", (number,))), Decimal("0"))
        refunded = sum((Decimal(a) for (a,) in conn.execute(
            "SELECT a.amount FROM allocations a JOIN credits c ON c.bank_serial = "
            "a.credit_serial WHERE c.sub_account_no = ?", (number,))), Decimal("0"))
        return credits - refunded

    def _arrival(self, conn: Any, serial: str) -> dict[str, Any]:
        (number, amount, payer_no, payer_name, payer_bank, arrived_at, remark,
         credit_id) = conn.execute(
            "SELECT sub_account_no, amount, payer_account_no, payer_name, payer_bank, "
            "arrived_at, remark, id FROM credits WHERE bank_serial = ?", (serial,)).fetchone()
        account = conn.execute("SELECT section_code, bidder_id FROM sub_accounts WHERE "
                               "sub_account_no = ?", (number,)).fetchone()
        balance = sum((Decimal(a) for (a,) in conn.execute(
            "SELECT amount FROM credits WHERE sub_account_no = ? AND (arrived_at < ? OR "
            "(arrived_at = ? AND id <= ?))", (number, arrived_at, arrived_at, credit_id))),
            Decimal("0"))
        arrival: dict[str, Any] = {
            "bankSerial": serial, "subAccountNo": number, "mainAccountNo": self.main_account,
            "amount": amount, "currency": CURRENCY, "payerAccountNo": payer_no,
            "payerAccountName": payer_name, "arrivalTime": wire_time(from_iso(arrived_at)),
            "balanceAfter": money(balance)}
        if account:
            arrival["sectionCode"], arrival["bidderId"] = account
        if payer_bank:
            arrival["payerBankName"] = payer_bank
        if remark:
            arrival["remark"] = remark
        return arrival

    # -- control: a payment arrives ---------------------------------------------------------------

    def pay(self, body: dict[str, Any]) -> dict[str, Any]:
        number = text_field(body, "subAccountNo", 32)
        amount = money_field(body, "amount")
        payer_no = text_field(body, "payerAccountNo", 32)
        payer_name = text_field(body, "payerAccountName", 200)
        payer_bank = text_field(body, "payerBankName", 100, required=False)
        remark = text_field(body, "remark", 200, required=False)
        when_text = text_field(body, "time", 14, required=False, pattern=TIME_RE)
        try:
            when = parse_wire_time(when_text) if when_text else now()
        except ValueError:
            raise invalid("time", "is not a valid time") from None
        assert amount is not None
        with self.store.tx() as conn:
            serial = new_serial(conn, when)
            conn.execute("INSERT INTO credits (bank_serial, sub_account_no, amount, "
                         "payer_account_no, payer_name, payer_bank, arrived_at, remark) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (serial, number, money(amount), payer_no, payer_name, payer_bank,
                          iso(when), remark))
            notice = {"notifyType": "ARRIVAL", **self._arrival(conn, serial)}
            notify_id = self._enqueue(conn, "ARRIVAL", serial, notice)
        return {"bankSerial": serial, "notifyId": notify_id}

    # -- §3.3 refund batches ----------------------------------------------------------------------

    def submit_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        batch_no = text_field(body, "batchNo", 32)
        lines = body.get("lines")
        if lines is None or lines == []:
            raise missing("lines")
        if not isinstance(lines, list):
            raise invalid("lines", "must be an array")
        if len(lines) > MAX_LINES:
            raise ApiError(400, "BATCH_TOO_LARGE", f"at most {MAX_LINES} lines in a batch")
        parsed: list[dict[str, Any]] = []
        for index, line in enumerate(lines):
            if not isinstance(line, dict):
                raise invalid(f"lines[{index}]", "must be an object")
            parsed.append(self._parse_line(line, index))
        ids = [p["lineId"] for p in parsed]
        if len(set(ids)) != len(ids):
            raise invalid("lines", "carry a lineId twice")
        content = json.dumps(parsed, ensure_ascii=False, sort_keys=True)
        with self.store.tx() as conn:
            known = conn.execute("SELECT content FROM batches WHERE batch_no = ?",
                                 (batch_no,)).fetchone()
            if known is not None:
                if known[0] != content:
                    raise ApiError(409, "BATCH_CONFLICT",
                                   f"batch {batch_no} is known with other lines")
                return self._batch_answer(conn, str(batch_no))
            for line in parsed:
                if not conn.execute("SELECT 1 FROM sub_accounts WHERE sub_account_no = ?",
                                    (line["subAccountNo"],)).fetchone():
                    raise ApiError(404, "SUB_ACCOUNT_NOT_FOUND",
                                   f"no sub-account {line['subAccountNo']}")
                line_content = json.dumps(line, ensure_ascii=False, sort_keys=True)
                seen = conn.execute("SELECT content FROM refund_lines WHERE line_id = ?",
                                    (line["lineId"],)).fetchone()
                if seen is not None and seen[0] != line_content:
                    raise ApiError(409, "LINE_CONFLICT",
                                   f"line {line['lineId']} is known with other content")
            received = iso(now())
            conn.execute("INSERT INTO batches (batch_no, content, received_at) VALUES (?, ?, ?)",
                         (batch_no, content, received))
            for pos, line in enumerate(parsed):
                conn.execute("INSERT INTO refund_lines (line_id, first_batch_no, sub_account_no, "
                             "content, state, accepted_at) VALUES (?, ?, ?, ?, 'ACCEPTED', ?) "
                             "ON CONFLICT (line_id) DO NOTHING",
                             (line["lineId"], batch_no, line["subAccountNo"],
                              json.dumps(line, ensure_ascii=False, sort_keys=True), received))
                conn.execute("INSERT INTO batch_lines (batch_no, line_id, pos) VALUES (?, ?, ?)",
                             (batch_no, line["lineId"], pos))
            answer = self._batch_answer(conn, str(batch_no))
        self.wake.set()
        return answer

    @staticmethod
    def _parse_line(line: dict[str, Any], index: int) -> dict[str, Any]:
        """One line, checked; an error names the line (``lines[2].principal is required``)."""
        where = f"lines[{index}]."
        try:
            principal = money_field(line, "principal")
            assert principal is not None
            refund_to = line.get("refundTo")
            target = None
            if refund_to is not None:
                where += "refundTo."
                if not isinstance(refund_to, dict):
                    raise invalid("", "must be an object")
                target = {"accountNo": text_field(refund_to, "accountNo", 32),
                          "accountName": text_field(refund_to, "accountName", 200),
                          "bankName": text_field(refund_to, "bankName", 100, required=False)}
                where = f"lines[{index}]."
            return {"lineId": text_field(line, "lineId", 64),
                    "subAccountNo": text_field(line, "subAccountNo", 32),
                    "principal": money(principal),
                    "withInterest": bool_field(line, "withInterest"), "refundTo": target,
                    "reason": text_field(line, "reason", 200, required=False)}
        except ApiError as err:
            raise ApiError(err.status, err.code, where + err.message) from None

    def _line_result(self, conn: Any, line_id: str, batch_no: str) -> dict[str, Any]:
        first_batch, number, content, state, result = conn.execute(
            "SELECT first_batch_no, sub_account_no, content, state, result FROM refund_lines "
            "WHERE line_id = ?", (line_id,)).fetchone()
        line = json.loads(content)
        answer: dict[str, Any] = {"lineId": line_id, "subAccountNo": number, "state": state,
                                  "principal": line["principal"],
                                  "duplicate": first_batch != batch_no,
                                  "firstBatchNo": first_batch}
        if result:
            answer.update(json.loads(result))
        return answer

    def _batch_answer(self, conn: Any, batch_no: str) -> dict[str, Any]:
        received = conn.execute("SELECT received_at FROM batches WHERE batch_no = ?",
                                (batch_no,)).fetchone()[0]
        lines = [self._line_result(conn, line_id, batch_no) for (line_id,) in conn.execute(
            "SELECT line_id FROM batch_lines WHERE batch_no = ? ORDER BY pos", (batch_no,)
        ).fetchall()]
        done = all(line["state"] != "ACCEPTED" for line in lines)
        return {"batchNo": batch_no, "state": "DONE" if done else "PROCESSING",
                "receivedTime": wire_time(from_iso(received)), "lines": lines}

    def batch_status(self, batch_no: str) -> dict[str, Any]:
        with self.store.tx() as conn:
            if not conn.execute("SELECT 1 FROM batches WHERE batch_no = ?",
                                (batch_no,)).fetchone():
                raise ApiError(404, "BATCH_NOT_FOUND", f"no batch {batch_no}")
            return self._batch_answer(conn, batch_no)

    def execute_due_lines(self) -> int:
        """Run every accepted line whose delay has passed, one transaction per line."""
        due = time.time() - self.refund_delay
        count = 0
        for seq, accepted_at in self.store.rows(
                "SELECT seq, accepted_at FROM refund_lines WHERE state = 'ACCEPTED' ORDER BY seq"):
            if not self.up:
                break
            if from_iso(accepted_at).timestamp() > due:
                continue
            with self.store.tx() as conn:
                self._execute_line(conn, int(seq))
            count += 1
        self._notify_finished_batches()
        return count

    def _execute_line(self, conn: Any, seq: int) -> None:
        row = conn.execute("SELECT line_id, sub_account_no, content FROM refund_lines WHERE "
                           "seq = ? AND state = 'ACCEPTED'", (seq,)).fetchone()
        if row is None:  # executed already: once per line id, whatever happens around it
            return
        line_id, number, content = row
        line = json.loads(content)
        executed = now()
        principal = Decimal(line["principal"])
        with_interest = line["withInterest"]
        if with_interest is None:
            stored = json.loads(conn.execute("SELECT fields FROM sub_accounts WHERE "
                                             "sub_account_no = ?", (number,)).fetchone()[0])
            with_interest = bool(stored.get("withInterest") or False)
        result: dict[str, Any] = {"executedTime": wire_time(executed)}

        def fail(reason: str) -> None:
            result["failReason"] = reason
            conn.execute("UPDATE refund_lines SET state = 'FAILED', result = ? WHERE seq = ?",
                         (json.dumps(result), seq))

        parts: list[tuple[str, Decimal, dt.datetime, str, str]] = []
        left = principal
        for serial, amount, arrived_at, payer_no, payer_name in conn.execute(
                "SELECT bank_serial, amount, arrived_at, payer_account_no, payer_name FROM "
                "credits WHERE sub_account_no = ? ORDER BY arrived_at, id", (number,)).fetchall():
            used = sum((Decimal(a) for (a,) in conn.execute(
                "SELECT amount FROM allocations WHERE credit_serial = ?", (serial,))),
                Decimal("0"))
            free = Decimal(amount) - used
            if free <= 0 or left <= 0:
                continue
            take = min(free, left)
            parts.append((serial, take, from_iso(arrived_at), payer_no, payer_name))
            left -= take
        if left > 0:
            fail("INSUFFICIENT_BALANCE" if parts or self._has_credit(conn, number)
                 else "NO_CREDIT")
            return
        if line["refundTo"]:
            payee_no, payee_name = line["refundTo"]["accountNo"], line["refundTo"]["accountName"]
        else:
            payers = {(p[3], p[4]) for p in parts}
            if len({p[0] for p in payers}) != 1:
                fail("ORIGINAL_ROUTE_AMBIGUOUS")
                return
            payee_no, payee_name = next(iter(payers))
        if conn.execute("SELECT 1 FROM frozen_accounts WHERE account_no = ?",
                        (payee_no,)).fetchone():
            fail("ACCOUNT_FROZEN")
            return
        interest = Decimal("0")
        if with_interest:
            exact = sum((part * self.demand_rate
                         * max(0, (executed.date() - arrived.astimezone(BEIJING).date()).days)
                         / Decimal(360) for _, part, arrived, _, _ in parts), Decimal("0"))
            interest = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        for serial, part, _, _, _ in parts:
            conn.execute("INSERT INTO allocations (line_id, credit_serial, amount) VALUES "
                         "(?, ?, ?)", (line_id, serial, money(part)))
        result.update({"interest": money(interest), "amount": money(principal + interest),
                       "bankSerial": new_serial(conn, executed), "payeeAccountNo": payee_no,
                       "payeeAccountName": payee_name})
        conn.execute("UPDATE refund_lines SET state = 'SUCCESS', result = ? WHERE seq = ?",
                     (json.dumps(result, ensure_ascii=False), seq))

    @staticmethod
    def _has_credit(conn: Any, number: str) -> bool:
        return conn.execute("SELECT 1 FROM credits WHERE sub_account_no = ?",
                            (number,)).fetchone() is not None

    def _notify_finished_batches(self) -> None:
        for (batch_no,) in self.store.rows("SELECT batch_no FROM batches WHERE notified = 0"):
            with self.store.tx() as conn:
                answer = self._batch_answer(conn, batch_no)
                if answer["state"] != "DONE" or conn.execute(
                        "SELECT notified FROM batches WHERE batch_no = ?",
                        (batch_no,)).fetchone()[0]:
                    continue
                notice = {"notifyType": "REFUND_RESULT", "batchNo": batch_no,
                          "lines": answer["lines"]}
                self._enqueue(conn, "REFUND_RESULT", batch_no, notice)
                conn.execute("UPDATE batches SET notified = 1 WHERE batch_no = ?", (batch_no,))

    # -- §3.5 statements ------------------------------------------------------------------------

    def statement(self, query: dict[str, str]) -> dict[str, Any]:
        date_text = query.get("date", "")
        try:
            if not DATE_RE.match(date_text):
                raise ValueError(date_text)
            day = dt.datetime.strptime(date_text, "%Y%m%d").date()
        except ValueError:
            raise ApiError(400, "DATE_INVALID", "date must be yyyyMMdd") from None
        today = now().date()
        if day > today:
            raise ApiError(400, "DATE_INVALID", "the date is in the future")
        page = self._int_param(query, "page", 1, 1, 10**9)
        size = self._int_param(query, "pageSize", 100, 1, 500)
        prefix = day.isoformat()
        lines: list[dict[str, Any]] = []
        with self.store.tx() as conn:
            for serial, number, amount, payer_no, payer_name, arrived_at in conn.execute(
                    "SELECT bank_serial, sub_account_no, amount, payer_account_no, payer_name, "
                    "arrived_at FROM credits WHERE substr(arrived_at, 1, 10) = ?", (prefix,)):
                lines.append({"bankSerial": serial, "direction": "CREDIT", "kind": "ARRIVAL",
                              "subAccountNo": number, "amount": amount, "currency": CURRENCY,
                              "counterpartyAccountNo": payer_no,
                              "counterpartyAccountName": payer_name,
                              "time": wire_time(from_iso(arrived_at))})
            for line_id, number, content, result in conn.execute(
                    "SELECT line_id, sub_account_no, content, result FROM refund_lines WHERE "
                    "state = 'SUCCESS'"):
                done = json.loads(result)
                if parse_wire_time(done["executedTime"]).date() != day:
                    continue
                lines.append({"bankSerial": done["bankSerial"], "direction": "DEBIT",
                              "kind": "REFUND", "subAccountNo": number,
                              "amount": done["amount"],
                              "principal": json.loads(content)["principal"],
                              "interest": done["interest"], "currency": CURRENCY,
                              "counterpartyAccountNo": done["payeeAccountNo"],
                              "counterpartyAccountName": done["payeeAccountName"],
                              "time": done["executedTime"], "reference": line_id})
            tampers = dict(conn.execute("SELECT bank_serial, amount FROM statement_tampers"))
        shown: list[dict[str, Any]] = []
        for line in lines:
            if line["bankSerial"] in tampers:
                if tampers[line["bankSerial"]] is None:
                    continue
                line = {**line, "amount": tampers[line["bankSerial"]]}
            shown.append(line)
        shown.sort(key=lambda line: (line["time"], line["bankSerial"]))
        credits = [Decimal(x["amount"]) for x in shown if x["direction"] == "CREDIT"]
        debits = [Decimal(x["amount"]) for x in shown if x["direction"] == "DEBIT"]
        total = len(shown)
        return {"date": date_text, "final": day < today, "page": page, "pageSize": size,
                "total": total, "totalPages": (total + size - 1) // size,
                "summary": {"creditCount": len(credits),
                            "creditTotal": money(sum(credits, Decimal("0"))),
                            "debitCount": len(debits),
                            "debitTotal": money(sum(debits, Decimal("0")))},
                "lines": shown[(page - 1) * size: page * size]}

    @staticmethod
    def _int_param(query: dict[str, str], name: str, default: int, low: int, high: int) -> int:
        text = query.get(name)
        if text is None or text == "":
            return default
        if not text.isdigit() or not low <= int(text) <= high:
            raise invalid(name, f"must be an integer from {low} to {high}")
        return int(text)

    # -- callbacks (§4) -------------------------------------------------------------------------

    def _enqueue(self, conn: Any, kind: str, ref: str, notice: dict[str, Any]) -> str:
        created = now()
        notify_id = f"N{next_number(conn, 'notify'):020d}"
        notice = {"notifyType": notice["notifyType"], "notifyId": notify_id,
                  "notifyTime": wire_time(created),
                  **{k: v for k, v in notice.items() if k != "notifyType"}}
        body = json.dumps(notice, ensure_ascii=False, separators=(",", ":")).encode()
        with self.plans_lock:
            plan = self.plans[0] if self.plans else None
            if plan is not None:
                plan["count"] -= 1
                if plan["count"] <= 0:
                    self.plans.pop(0)
        mode = plan["mode"] if plan else None
        late_by = float((plan or {}).get("seconds") or 10) if mode == "late" else 0.0
        first_at = time.time() + late_by
        copies = 2 if mode == "twice" else 1
        for _ in range(copies):
            conn.execute("INSERT INTO callbacks (kind, notify_id, ref, body, created_at, next_at, "
                         "held, bad_signatures, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (kind, notify_id, ref, body, iso(created), first_at,
                          1 if mode == "out_of_order" else 0,
                          1 if mode == "bad_signature" else 0, mode))
        self.wake.set()
        return notify_id

    def url_for(self, kind: str) -> str | None:
        name = "arrival_url" if kind == "ARRIVAL" else "refund_url"
        rows = self.store.rows("SELECT value FROM config WHERE name = ?", (name,))
        return rows[0][0] if rows and rows[0][0] else None

    def set_config(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.store.tx() as conn:
            for field, name in (("arrivalUrl", "arrival_url"), ("refundUrl", "refund_url")):
                if field in body:
                    value = body[field]
                    if value is not None and (not isinstance(value, str) or urlsplit(
                            value).scheme not in ("http", "https")):
                        raise invalid(field, "must be an http(s) URL")
                    conn.execute("INSERT INTO config (name, value) VALUES (?, ?) ON CONFLICT "
                                 "(name) DO UPDATE SET value = excluded.value", (name, value))
        self.wake.set()
        return {"arrivalUrl": self.url_for("ARRIVAL"), "refundUrl": self.url_for("REFUND_RESULT")}

    def deliver_due_callbacks(self) -> None:
        """One pass of the dispatcher: every due notice, oldest first, one attempt each."""
        moment = time.time()
        delivered_after = self.store.rows(
            "SELECT MAX(id) FROM callbacks WHERE state = 'delivered'")[0][0] or 0
        for cid, held, created_at, first_copy in self.store.rows(
                "SELECT c.id, c.held, c.created_at, (SELECT MIN(id) FROM callbacks d WHERE "
                "d.notify_id = c.notify_id) FROM callbacks c WHERE c.state = 'pending' AND "
                "c.next_at <= ? ORDER BY c.id", (moment,)):
            if not self.up:
                return
            if held and cid >= delivered_after and (
                    moment - from_iso(created_at).timestamp() < HOLD_MAX_SECONDS):
                continue  # out_of_order: wait for a later notice to be delivered first
            if cid != first_copy and self.store.rows(
                    "SELECT state FROM callbacks WHERE id = ?", (first_copy,))[0][0] == "pending":
                continue  # twice: the second copy goes after the first one got through
            self._attempt(int(cid))

    def _attempt(self, cid: int) -> None:
        kind, body, attempts, created_at, bad = self.store.rows(
            "SELECT kind, body, attempts, created_at, bad_signatures FROM callbacks WHERE id = ?",
            (cid,))[0]
        url = self.url_for(kind)
        outcome = "no url configured"
        ok = False
        if url:
            ok, outcome = self._post(url, bytes(body), corrupt=attempts < bad)
        attempts += 1
        at = iso(now())
        with self.store.tx() as conn:
            conn.execute("INSERT INTO callback_attempts (callback_id, at, outcome) VALUES "
                         "(?, ?, ?)", (cid, at, outcome))
            if ok:
                conn.execute("UPDATE callbacks SET state = 'delivered', attempts = ?, "
                             "delivered_at = ? WHERE id = ?", (attempts, at, cid))
                return
            age = time.time() - from_iso(created_at).timestamp()
            wait = self.retry_schedule[min(attempts - 1, len(self.retry_schedule) - 1)]
            if age + wait > self.retry_for:
                conn.execute("UPDATE callbacks SET state = 'abandoned', attempts = ? WHERE id = ?",
                             (attempts, cid))
            else:
                conn.execute("UPDATE callbacks SET attempts = ?, next_at = ? WHERE id = ?",
                             (attempts, time.time() + wait, cid))

    def _post(self, url: str, body: bytes, *, corrupt: bool) -> tuple[bool, str]:
        parts = urlsplit(url)
        uri = parts.path or "/"
        query = parse_qsl(parts.query, keep_blank_values=True)
        headers = signed_headers(self.bank_key, self.bank_key_id, "POST", uri, query, body,
                                 corrupt=corrupt)
        headers["Content-Type"] = "application/json; charset=utf-8"
        target = uri + (f"?{parts.query}" if parts.query else "")
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=self.hub_ca_file)
            connection = http.client.HTTPSConnection(parts.hostname or "", parts.port,
                                                     timeout=CALLBACK_TIMEOUT, context=context)
        else:
            connection = http.client.HTTPConnection(parts.hostname or "", parts.port,
                                                    timeout=CALLBACK_TIMEOUT)
        try:
            connection.request("POST", target, body=body, headers=headers)
            answer = connection.getresponse()
            raw = answer.read(64 * 1024)
        except (OSError, http.client.HTTPException) as err:
            return False, f"{type(err).__name__}: {err}"
        finally:
            connection.close()
        try:
            code = json.loads(raw).get("code")
        except (ValueError, AttributeError):
            code = None
        if answer.status == 200 and code == "SUCCESS":
            return True, "SUCCESS"
        return False, f"HTTP {answer.status} code {code!r}"

    # -- control ----------------------------------------------------------------------------------

    def arm(self, body: dict[str, Any]) -> dict[str, Any]:
        mode = body.get("mode")
        if mode not in ("twice", "out_of_order", "late", "bad_signature"):
            raise invalid("mode", "must be twice, out_of_order, late or bad_signature")
        count = body.get("count", 1)
        seconds = body.get("seconds")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 1000:
            raise invalid("count", "must be an integer from 1 to 1000")
        if seconds is not None and (not isinstance(seconds, int | float) or seconds < 0):
            raise invalid("seconds", "must be a number of seconds")
        plan = {"mode": mode, "count": count, "seconds": seconds}
        with self.plans_lock:
            self.plans.append(plan)
        return {"armed": dict(plan)}

    def freeze(self, body: dict[str, Any]) -> dict[str, Any]:
        account = text_field(body, "accountNo", 32)
        with self.store.tx() as conn:
            conn.execute("INSERT INTO frozen_accounts VALUES (?) ON CONFLICT DO NOTHING",
                         (account,))
        return {"frozen": account}

    def tamper(self, body: dict[str, Any]) -> dict[str, Any]:
        serial = text_field(body, "bankSerial", 32)
        amount = None if body.get("drop") is True else money_field(body, "amount")
        with self.store.tx() as conn:
            conn.execute("INSERT INTO statement_tampers VALUES (?, ?) ON CONFLICT (bank_serial) "
                         "DO UPDATE SET amount = excluded.amount",
                         (serial, money(amount) if amount is not None else None))
        return {"bankSerial": serial, "amount": money(amount) if amount is not None else None,
                "dropped": amount is None}

    def state(self) -> dict[str, Any]:
        with self.store.tx() as conn:
            accounts = [self._sub_account(conn, n) for (n,) in conn.execute(
                "SELECT sub_account_no FROM sub_accounts ORDER BY sub_account_no").fetchall()]
            credits = [self._arrival(conn, s) for (s,) in conn.execute(
                "SELECT bank_serial FROM credits ORDER BY id").fetchall()]
            lines = [self._line_result(conn, line_id, batch) for line_id, batch in conn.execute(
                "SELECT line_id, first_batch_no FROM refund_lines ORDER BY seq").fetchall()]
            batches = [self._batch_answer(conn, b) for (b,) in conn.execute(
                "SELECT batch_no FROM batches ORDER BY received_at, batch_no").fetchall()]
            callbacks = []
            for cid, kind, notify_id, ref, state, attempts, mode in conn.execute(
                    "SELECT id, kind, notify_id, ref, state, attempts, mode FROM callbacks "
                    "ORDER BY id").fetchall():
                tries = [{"at": at, "outcome": outcome} for at, outcome in conn.execute(
                    "SELECT at, outcome FROM callback_attempts WHERE callback_id = ? ORDER BY id",
                    (cid,))]
                callbacks.append({"id": cid, "kind": kind, "notifyId": notify_id, "ref": ref,
                                  "state": state, "attempts": attempts, "mode": mode,
                                  "tries": tries})
        with self.plans_lock:
            plans = [dict(p) for p in self.plans]
        return {"up": self.up, "demandRate": str(self.demand_rate), "subAccounts": accounts,
                "credits": credits, "refundLines": lines, "batches": batches,
                "callbacks": callbacks, "plans": plans}


# -- HTTP shells --------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    server_version = "open-bank-sandbox"
    timeout = 30  # a client that stalls mid-request does not hold its thread for ever
    sys_version = ""
    bank: OpenBank

    def log_message(self, format: str, *args: Any) -> None:  # quiet, like the other peers
        return

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise ApiError(411, "LENGTH_REQUIRED", "send a Content-Length, not chunks")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            if self.command == "POST":
                raise ApiError(411, "LENGTH_REQUIRED", "send a Content-Length")
            return b""
        if not length_text.isdigit():
            raise ApiError(400, "BODY_INVALID", "Content-Length is not a number")
        length = int(length_text)
        if length > MAX_BODY:
            raise ApiError(413, "BODY_TOO_LARGE", f"at most {MAX_BODY} bytes")
        return self.rfile.read(length)

    @staticmethod
    def _json(body: bytes) -> dict[str, Any]:
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "BODY_INVALID", "the body is not UTF-8 JSON") from None
        if not isinstance(parsed, dict):
            raise ApiError(400, "BODY_INVALID", "the body must be a JSON object")
        return parsed

    def _send(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(self._out)))
        self.end_headers()
        self.wfile.write(self._out)

    _out: bytes = b""


class BankApiHandler(_Handler):
    """§3: the signed HTTPS API. Verify over the raw bytes first, parse afterwards."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        uri, query = parts.path, parse_qsl(parts.query, keep_blank_values=True)
        try:
            body = self._read_body()
            route = self._route(uri)
            if route is None:
                raise ApiError(404, "NOT_FOUND", f"no route {uri}")
            method, action = route
            if self.command != method:
                raise ApiError(405, "METHOD_NOT_ALLOWED", f"{self.command} is not allowed")
            self.bank.verify_request(self.headers, self.command, uri, query, body)
            status, payload = 200, {"code": "SUCCESS", "message": "OK",
                                    "data": action(body, dict(query))}
        except ApiError as err:
            status, payload = err.status, {"code": err.code, "message": err.message}
        except Exception as err:  # the bank failed: say so, signed, and keep serving
            status, payload = 500, {"code": "INTERNAL_ERROR", "message": type(err).__name__}
        self._out = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = signed_headers(self.bank.bank_key, self.bank.bank_key_id, self.command, uri,
                                 [], self._out)
        headers["Content-Type"] = "application/json; charset=utf-8"
        self._send(status, headers)

    def _route(self, uri: str) -> tuple[str, Any] | None:
        bank = self.bank
        if not uri.startswith(API_PREFIX + "/"):
            return None
        rest = uri[len(API_PREFIX) + 1:].split("/")
        if rest == ["sub-accounts"]:
            return "POST", lambda body, q: bank.open_sub_account(self._json(body))
        if len(rest) == 3 and rest[0] == "sub-accounts" and rest[2] == "credits" and rest[1]:
            return "GET", lambda body, q: bank.credits_of(rest[1])
        if rest == ["refund-batches"]:
            return "POST", lambda body, q: bank.submit_batch(self._json(body))
        if len(rest) == 2 and rest[0] == "refund-batches" and rest[1]:
            return "GET", lambda body, q: bank.batch_status(rest[1])
        if rest == ["statements"]:
            return "GET", lambda body, q: bank.statement(q)
        return None


class ControlHandler(_Handler):
    """§7: the sandbox's own door, plain HTTP on loopback, unsigned."""

    runtime: BankRuntime

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        bank, runtime = self.bank, self.runtime
        routes: dict[tuple[str, str], Any] = {
            ("GET", "/control/health"): lambda b: runtime.health(),
            ("GET", "/control/state"): lambda b: bank.state(),
            ("POST", "/control/pay"): lambda b: bank.pay(b),
            ("POST", "/control/next-callback"): lambda b: bank.arm(b),
            ("POST", "/control/down"): lambda b: runtime.go_down(b),
            ("POST", "/control/config"): lambda b: bank.set_config(b),
            ("POST", "/control/fail-account"): lambda b: bank.freeze(b),
            ("POST", "/control/statement-tamper"): lambda b: bank.tamper(b),
        }
        try:
            action = routes.get((self.command, path))
            if action is None:
                known = any(p == path for _, p in routes)
                raise ApiError(405 if known else 404,
                               "METHOD_NOT_ALLOWED" if known else "NOT_FOUND", path)
            raw = self._read_body()
            body = self._json(raw) if self.command == "POST" else {}
            status, payload = 200, {"code": "SUCCESS", "data": action(body)}
        except ApiError as err:
            status, payload = err.status, {"code": err.code, "message": err.message}
        self._out = json.dumps(payload, ensure_ascii=False).encode()
        self._send(status, {"Content-Type": "application/json; charset=utf-8"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError | ssl.SSLError):
            return  # a client that went away or failed the handshake: not worth a trace
        super().handle_error(request, client_address)


class BankRuntime:
    """The process: both servers, the dispatcher and the refund worker, and going down."""

    def __init__(self, bank: OpenBank, host: str, port: int, control_port: int,
                 cert_file: Path, key_file: Path, poll: float = 0.05) -> None:
        self.bank, self.host, self.port = bank, host, port
        self.cert_file = cert_file
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(cert_file, key_file)
        self.poll = poll
        self.stopping = threading.Event()
        self.api: _Server | None = None
        self.api_lock = threading.Lock()
        handler = type("Control", (ControlHandler,), {"bank": bank, "runtime": self})
        self.control = _Server(("127.0.0.1", control_port), handler)
        self.control_port = self.control.server_address[1]
        self.threads: list[threading.Thread] = []

    @property
    def bank_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}{API_PREFIX}"

    def _open_api(self) -> None:
        handler = type("Api", (BankApiHandler,), {"bank": self.bank})
        server = _Server((self.host, self.port), handler)
        # The handshake runs on the first read, in the connection's own thread.
        server.socket = self.context.wrap_socket(server.socket, server_side=True,
                                                 do_handshake_on_connect=False)
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                  name="open-bank-api", daemon=True)
        thread.start()
        self.api = server

    def _close_api(self) -> None:
        server, self.api = self.api, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def go_down(self, body: dict[str, Any]) -> dict[str, Any]:
        seconds = body.get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not (
                0 < seconds <= 3600):
            raise invalid("seconds", "must be a number of seconds from 0 to 3600")
        with self.api_lock:
            self.bank.down_until = time.monotonic() + float(seconds)
            self._close_api()
        threading.Thread(target=self._come_back, args=(float(seconds),), daemon=True).start()
        return {"downForSeconds": seconds}

    def _come_back(self, seconds: float) -> None:
        if self.stopping.wait(seconds):
            return
        with self.api_lock:
            if self.bank.up and self.api is None and not self.stopping.is_set():
                self._open_api()
        self.bank.wake.set()

    def health(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "up": self.bank.up and self.api is not None,
                "bankUrl": self.bank_url, "keyId": self.bank.bank_key_id,
                "publicKey": self.bank.bank_key.public_hex, "certFile": str(self.cert_file)}

    def _loop(self, work: Any, name: str) -> None:
        while not self.stopping.is_set():
            if self.bank.up:
                try:
                    work()
                except Exception as err:  # keep the loop alive; the next pass tries again
                    print(f"open bank: {name} failed: {err!r}", file=sys.stderr, flush=True)
            self.bank.wake.wait(self.poll)
            self.bank.wake.clear()

    def start(self) -> None:
        self._open_api()
        for name, work in (("callbacks", self.bank.deliver_due_callbacks),
                           ("refunds", self.bank.execute_due_lines)):
            thread = threading.Thread(target=self._loop, args=(work, name),
                                      name=f"open-bank-{name}", daemon=True)
            thread.start()
            self.threads.append(thread)
        control = threading.Thread(target=self.control.serve_forever,
                                   kwargs={"poll_interval": 0.1}, daemon=True)
        control.start()
        self.threads.append(control)

    def stop(self) -> None:
        self.stopping.set()
        self.bank.wake.set()
        with self.api_lock:
            self._close_api()
        self.control.shutdown()
        self.control.server_close()
        for thread in self.threads:
            thread.join(5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.banks.open_bank",
        description="Sandbox bank of the open profile (docs/banks/open-protocol.md).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8841, help="HTTPS API port (0: any)")
    parser.add_argument("--control-port", type=int, default=8842,
                        help="control API port on 127.0.0.1 (0: any)")
    parser.add_argument("--data-dir", type=Path, required=True,
                        help="bank.db, cert.pem, key.pem and the bank's SM2 key (kept)")
    parser.add_argument("--hub-public-key-file", type=Path, required=True,
                        help="the hub's SM2 public key, hex of 04||X||Y")
    parser.add_argument("--hub-key-id", default="GGZYHUB01")
    parser.add_argument("--bank-key-id", default="OPENBANK01")
    parser.add_argument("--arrival-url", help="the hub's arrival-notice URL (kept in the store)")
    parser.add_argument("--refund-url", help="the hub's refund-result URL (kept in the store)")
    parser.add_argument("--hub-ca-file", help="CA file to verify an https hub with")
    parser.add_argument("--main-account", default="3501012345678900001")
    parser.add_argument("--bank-name", default="开放银行沙箱分行")
    parser.add_argument("--demand-rate", default="0.0035", help="活期 annual rate (0.0035)")
    parser.add_argument("--refund-delay", type=float, default=1.0,
                        help="seconds before an accepted refund line executes")
    parser.add_argument("--retry-schedule", default=",".join(map(str, DEFAULT_RETRY_SCHEDULE)),
                        help="callback retry waits in seconds, comma separated; the last repeats")
    parser.add_argument("--retry-for", type=float, default=DEFAULT_RETRY_FOR,
                        help="seconds after which an unacknowledged callback is given up")
    parser.add_argument("--window", type=int, default=300, help="timestamp window, seconds")
    args = parser.parse_args(argv)
    try:
        rate = Decimal(args.demand_rate)
        schedule = tuple(float(x) for x in args.retry_schedule.split(",") if x.strip())
    except (InvalidOperation, ValueError):
        raise SystemExit("--demand-rate must be a decimal, --retry-schedule numbers") from None
    if not schedule or min(schedule) <= 0 or rate < 0:
        raise SystemExit("--retry-schedule needs positive waits and --demand-rate >= 0")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    bank_key = load_or_make_bank_key(args.data_dir)
    cert_file, key_file = load_or_make_certificate(args.data_dir)
    hub_key = Sm2Key(args.hub_public_key_file.read_text().strip())
    store = Store(args.data_dir / "bank.db")
    bank = OpenBank(store, bank_key=bank_key, bank_key_id=args.bank_key_id, hub_key=hub_key,
                    hub_key_id=args.hub_key_id, main_account=args.main_account,
                    bank_name=args.bank_name, demand_rate=rate, refund_delay=args.refund_delay,
                    retry_schedule=schedule, retry_for=args.retry_for, window=args.window,
                    hub_ca_file=args.hub_ca_file)
    config = {k: v for k, v in (("arrivalUrl", args.arrival_url),
                                ("refundUrl", args.refund_url)) if v}
    if config:
        bank.set_config(config)
    runtime = BankRuntime(bank, args.host, args.port, args.control_port, cert_file, key_file)
    done = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runtime.start()
    print(f"open bank on {runtime.bank_url} (control http://127.0.0.1:{runtime.control_port}"
          f"/control, data {args.data_dir}, key id {args.bank_key_id})", file=sys.stderr,
          flush=True)
    try:
        done.wait()
    finally:
        runtime.stop()
        store.close()


if __name__ == "__main__":
    main()
