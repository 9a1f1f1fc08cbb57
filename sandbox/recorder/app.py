"""The recording peer as a bare ASGI application.

A plain ASGI callable rather than a framework app: the delivery path is one route that must stay
cheap at thousands of calls a second, and the fault modes need the raw ``receive``/``send`` pair
(holding a request while watching for the client to hang up, dropping the connection without an
answer), which a framework would hide.

Routes (JSON errors are RFC 9457 problem+json with a stable ``code``):

====================================  =========================================================
``POST /http/{channel}``              a delivery; ``Idempotency-Key`` header required,
                                      ``X-Ordering-Key`` and ``X-Sequence`` recorded if given
``GET  /soap/{channel}?wsdl``         the WSDL (its address points back at this channel)
``POST /soap/{channel}``              a SOAP 1.1 ``Deliver`` call
``GET  /_control/health``             liveness, with the pid (a restarted peer has a new one)
``GET  /_control/stats``              accepted, duplicates, faults_injected, by_channel
``GET  /_control/messages``           records in arrival order: ``channel``, ``transport``,
                                      ``after_id``, ``limit``, ``include_duplicates``
``POST /_control/faults``             arm a plan: the next N data calls misbehave
``GET  /_control/faults``             armed plans and the calls already answered with a fault
``DELETE /_control/faults``           disarm every plan
``POST /_control/reset``              forget every record and disarm every plan
====================================  =========================================================

A channel is a name; the HTTP and SOAP doors lead to the same channels, and a key is deduplicated
per channel whichever door it came through.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from sandbox.recorder import soap
from sandbox.recorder.faults import FaultBook, FaultMode, FaultPlan, PlanError
from sandbox.recorder.store import Store

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Set in the request scope by the peer's own server (server.py): a callable that drops the TCP
# connection with a RST. ASGI has no way to say "answer nothing"; under another server the peer
# falls back to breaking the answer off half-way.
ABORT_EXTENSION = "ggzy.sandbox.abort"

CHANNEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_KEY_LENGTH = 256
MAX_LIST_LIMIT = 10_000
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
JSON_TYPE = b"application/json"
PROBLEM_TYPE = b"application/problem+json"
MALFORMED_JSON = b'{"status": "accepted", "id": '


class ClientGone(Exception):
    """The client hung up before the peer had the whole request."""


class ConnectionResetRequested(Exception):
    """Raised to break off an answer where the server offers no way to drop the connection."""


class BodyTooLarge(Exception):
    pass


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


async def _answer(send: Send, status: int, body: bytes, content_type: bytes,
                  headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


async def _problem(send: Send, status: int, code: str, detail: str,
                   headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = {"type": "urn:ggzy-sandbox:recorder:" + code.lower().replace("_", "-"),
            "title": detail, "status": status, "code": code, "detail": detail}
    await _answer(send, status, _json(body), PROBLEM_TYPE, headers)


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _hold(scope: Scope, receive: Receive, seconds: float) -> bool:
    """Wait ``seconds``; False as soon as the client hangs up (then there is no one to answer).

    If the server cancels the wait because it is shutting down, the connection is dropped rather
    than answered: a peer that goes down mid-call sends nothing, where uvicorn would answer the
    cancelled request with a 500. Under our own server (the only one that cancels a held call,
    and only at shutdown) the cancellation is then spent: the request ends here, quietly.
    """
    try:
        async with asyncio.timeout(seconds):
            await _until_disconnect(receive)
            return False
    except TimeoutError:
        return True
    except asyncio.CancelledError:
        abort = scope.get("extensions", {}).get(ABORT_EXTENSION)
        if abort is None:
            raise
        abort()
        await _until_disconnect(receive)
        return False


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RecordingPeer:
    """The ASGI callable. Owns its store: closed at lifespan shutdown or by ``close()``."""

    def __init__(self, store: Store, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.store = store
        self.faults = FaultBook()
        self.max_body_bytes = max_body_bytes
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")

    def close(self) -> None:
        self.store.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        # Mounted under a prefix (``make run`` mounts the peers on the main server), ``path``
        # still holds the prefix and ``root_path`` says how long it is.
        root_path: str = scope.get("root_path", "")
        route = path[len(root_path):] if root_path and path.startswith(root_path) else path
        try:
            door, _, name = route[1:].partition("/")
            if door in ("http", "soap"):
                if not CHANNEL.fullmatch(name):
                    await _problem(send, 404, "UNKNOWN_CHANNEL",
                                   "a channel name is 1-100 of A-Z a-z 0-9 . _ -")
                elif door == "http":
                    if method != "POST":
                        await _problem(send, 405, "METHOD_NOT_ALLOWED", "deliver with POST",
                                       ((b"allow", b"POST"),))
                    else:
                        await self._deliver_http(scope, receive, send, name)
                elif method == "POST":
                    await self._deliver_soap(scope, receive, send, name)
                elif method == "GET" and scope["query_string"].lower().startswith(b"wsdl"):
                    await _answer(send, 200, soap.wsdl(self._address(scope, path)),
                                  soap.CONTENT_TYPE.encode())
                else:
                    await _problem(send, 405, "METHOD_NOT_ALLOWED",
                                   "POST a SOAP envelope, or GET ?wsdl",
                                   ((b"allow", b"GET, POST"),))
            elif door == "_control":
                await self._control(scope, receive, send, name, method)
            else:
                await _problem(send, 404, "NOT_FOUND", f"no route for {path}")
        except ClientGone:
            return

    @staticmethod
    def _address(scope: Scope, path: str) -> str:
        host = _header(scope, b"host")
        if host is None or not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]{1,255}", host):
            server_host, server_port = scope.get("server") or ("127.0.0.1", 80)
            host = f"{server_host}:{server_port}"
        return f"{scope.get('scheme', 'http')}://{host}{path}"

    # -- deliveries --------------------------------------------------------------------------

    async def _deliver_http(self, scope: Scope, receive: Receive, send: Send,
                            channel: str) -> None:
        try:
            body = await _read_body(receive, self.max_body_bytes)
        except BodyTooLarge:
            await _problem(send, 413, "BODY_TOO_LARGE",
                           f"the body is larger than {self.max_body_bytes} bytes")
            return
        key = ordering = sequence = content_type = None
        for name, value in scope["headers"]:
            if name == b"idempotency-key":
                key = value.decode("latin-1")
            elif name == b"x-ordering-key":
                ordering = value.decode("latin-1")
            elif name == b"x-sequence":
                sequence = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value.decode("latin-1")
        if not key or not key.strip():
            await _problem(send, 400, "MISSING_IDEMPOTENCY_KEY",
                           "every delivery needs an Idempotency-Key header")
            return
        if len(key) > MAX_KEY_LENGTH:
            await _problem(send, 400, "INVALID_IDEMPOTENCY_KEY",
                           f"the Idempotency-Key is longer than {MAX_KEY_LENGTH} characters")
            return

        def record() -> bytes:
            rec = self.store.record(transport="http", channel=channel, idempotency_key=key,
                                    ordering_key=ordering, sequence=sequence,
                                    content_type=content_type, body=body)
            return _json({"status": "duplicate" if rec.duplicate else "accepted",
                          "id": rec.first_id})

        plan = self.faults.take("http", channel)
        if plan is None:
            await _answer(send, 200, record(), JSON_TYPE)
            return
        await self._misbehave(plan, "http", channel, key, scope, receive, send, record)

    async def _deliver_soap(self, scope: Scope, receive: Receive, send: Send,
                            channel: str) -> None:
        try:
            body = await _read_body(receive, self.max_body_bytes)
            delivery = soap.read_delivery(body)
        except BodyTooLarge:
            await self._soap_fault(send, soap.SoapFault(
                "Client", "BODY_TOO_LARGE", f"the body is larger than {self.max_body_bytes} bytes"))
            return
        except soap.SoapFault as fault:
            await self._soap_fault(send, fault)
            return

        def record() -> bytes:
            rec = self.store.record(transport="soap", channel=channel,
                                    idempotency_key=delivery.idempotency_key,
                                    ordering_key=delivery.ordering_key,
                                    sequence=_header(scope, b"x-sequence"), content_type=None,
                                    body=delivery.payload.encode())
            return soap.result_envelope("duplicate" if rec.duplicate else "accepted",
                                        rec.first_id)

        plan = self.faults.take("soap", channel)
        if plan is None:
            await _answer(send, 200, record(), soap.CONTENT_TYPE.encode())
            return
        await self._misbehave(plan, "soap", channel, delivery.idempotency_key, scope, receive,
                              send, record)

    @staticmethod
    async def _soap_fault(send: Send, fault: soap.SoapFault) -> None:
        await _answer(send, 500, soap.fault_envelope(fault.faultcode, fault.code,
                                                     fault.faultstring),
                      soap.CONTENT_TYPE.encode())

    async def _misbehave(self, plan: FaultPlan, transport: str, channel: str, key: str,
                         scope: Scope, receive: Receive, send: Send,
                         record: Callable[[], bytes]) -> None:
        """Answer one data call the way the armed plan says; only ``slow`` records it."""
        self.store.record_fault(transport=transport, channel=channel, mode=plan.mode,
                                idempotency_key=key)
        is_soap = transport == "soap"
        content_type = soap.CONTENT_TYPE.encode() if is_soap else JSON_TYPE
        mode = plan.mode
        if mode is FaultMode.SLOW:
            # Recorded on arrival, answered late: a client that gives up first has delivered
            # anyway, and its retry is the repeat the peer then counts.
            answer = record()
            if await _hold(scope, receive, plan.delay_seconds):
                await _answer(send, 200, answer, content_type)
        elif mode is FaultMode.TIMEOUT:
            if await _hold(scope, receive, plan.delay_seconds):
                await _problem(send, 504, "INJECTED_TIMEOUT", "injected fault: timeout")
        elif mode is FaultMode.HTTP500:
            if is_soap:
                await self._soap_fault(send, soap.SoapFault(
                    "Server", "INJECTED_FAULT", "injected fault: http500"))
            else:
                await _problem(send, 500, "INJECTED_FAULT", "injected fault: http500")
        elif mode is FaultMode.MALFORMED:
            await _answer(send, 200, soap.MALFORMED_ANSWER if is_soap else MALFORMED_JSON,
                          content_type)
        elif mode is FaultMode.RETRY_AFTER:
            await _problem(send, 503, "INJECTED_UNAVAILABLE", "injected fault: retry later",
                           ((b"retry-after", str(plan.retry_after_seconds).encode()),))
        elif mode is FaultMode.RESET:
            await self._reset(scope, receive, send)

    @staticmethod
    async def _reset(scope: Scope, receive: Receive, send: Send) -> None:
        abort = scope.get("extensions", {}).get(ABORT_EXTENSION)
        if abort is not None:
            abort()
            # Wait until the server has seen the connection go, so it does not answer for us.
            await _until_disconnect(receive)
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", JSON_TYPE), (b"content-length", b"1024")]})
        await send({"type": "http.response.body", "body": b'{"status": "acc',
                    "more_body": True})
        raise ConnectionResetRequested("injected fault: reset (answer broken off)")

    # -- control API -------------------------------------------------------------------------

    async def _control(self, scope: Scope, receive: Receive, send: Send, name: str,
                       method: str) -> None:
        route = (method, name)
        if route == ("GET", "health"):
            await _answer(send, 200, _json({
                "status": "ok", "pid": os.getpid(), "store": str(self.store.path),
                "started_at": self.started_at}), JSON_TYPE)
        elif route == ("GET", "stats"):
            stats = self.store.stats()
            stats["pending_faults"] = self.faults.pending()
            await _answer(send, 200, _json(stats), JSON_TYPE)
        elif route == ("GET", "messages"):
            await self._list_messages(scope, send)
        elif route == ("POST", "faults"):
            await self._arm(receive, send)
        elif route == ("GET", "faults"):
            query = parse_qs(scope["query_string"].decode("latin-1"))
            try:
                after_id = _int_param(query, "after_id", 0, 0, 2**62)
                limit = _int_param(query, "limit", 1000, 1, MAX_LIST_LIMIT)
            except ValueError as err:
                await _problem(send, 400, "INVALID_QUERY", str(err))
                return
            await _answer(send, 200, _json({
                "pending": self.faults.pending(),
                "injected": self.store.faults(after_id=after_id, limit=limit)}), JSON_TYPE)
        elif route == ("DELETE", "faults"):
            self.faults.clear()
            await _answer(send, 200, _json({"pending": []}), JSON_TYPE)
        elif route == ("POST", "reset"):
            self.faults.clear()
            self.store.clear()
            await _answer(send, 200, _json({"status": "reset"}), JSON_TYPE)
        elif name in ("health", "stats", "messages", "faults", "reset"):
            await _problem(send, 405, "METHOD_NOT_ALLOWED", f"{method} /_control/{name}")
        else:
            await _problem(send, 404, "NOT_FOUND", f"no control route {name!r}")

    async def _arm(self, receive: Receive, send: Send) -> None:
        try:
            data = json.loads(await _read_body(receive, 64 * 1024) or b"null")
        except (BodyTooLarge, ValueError):
            await _problem(send, 400, "INVALID_PLAN", "the body must be a JSON object")
            return
        if not isinstance(data, dict):
            await _problem(send, 400, "INVALID_PLAN", "the body must be a JSON object")
            return
        try:
            plan = self.faults.arm(data)
        except PlanError as err:
            await _problem(send, 400, "INVALID_PLAN", str(err))
            return
        await _answer(send, 200, _json({"armed": plan.as_json(),
                                        "pending": self.faults.pending()}), JSON_TYPE)

    async def _list_messages(self, scope: Scope, send: Send) -> None:
        query = parse_qs(scope["query_string"].decode("latin-1"))
        try:
            after_id = _int_param(query, "after_id", 0, 0, 2**62)
            limit = _int_param(query, "limit", 1000, 1, MAX_LIST_LIMIT)
            include = query.get("include_duplicates", ["false"])[-1].lower()
            if include not in ("true", "false", "1", "0"):
                raise ValueError("include_duplicates must be true or false")
            transport = query.get("transport", [None])[-1]
            if transport not in (None, "http", "soap"):
                raise ValueError("transport must be http or soap")
        except ValueError as err:
            await _problem(send, 400, "INVALID_QUERY", str(err))
            return
        messages = self.store.messages(
            channel=query.get("channel", [None])[-1] or None, transport=transport,
            after_id=after_id, limit=limit, include_duplicates=include in ("true", "1"))
        last_id = messages[-1]["id"] if messages else after_id
        await _answer(send, 200, _json({"messages": messages, "last_id": last_id}), JSON_TYPE)


def _int_param(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    values = query.get(name)
    if not values or values[-1] == "":
        return default
    try:
        value = int(values[-1])
    except ValueError:
        raise ValueError(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


def create_app(store_path: str | Path, *,
               max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> RecordingPeer:
    """A recording peer on the SQLite file at ``store_path`` (created if missing)."""
    return RecordingPeer(Store(store_path), max_body_bytes=max_body_bytes)
