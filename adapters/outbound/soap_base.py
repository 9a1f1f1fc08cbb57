"""What the three platform adapters (Fujian, Shanxi, national) share: a zeep client built from
the peer's own WSDL, the secret named by the target, and one classification of failures.

Every platform takes one data-set record per SOAP call, so a message (a list of records that
must arrive in order) is sent record by record; the first record that must be retried or
parked decides the outcome. The records before it were taken, and a resend of them is safe
because every profile answers a repeated add with "already exists", which counts as delivered.

Failure rules, the same for every profile:

- nothing listening, connection reset, timeout, HTTP 5xx (or a status in the target's
  ``retry_statuses``), SOAP Fault: the peer failed, retry;
- a reply that is not what the protocol says (not XML, not the expected shape): retry — the
  peer may or may not have taken the record, and a resend is safe;
- a document carrying a DOCTYPE or entities (WSDL or reply): refused unread and parked, because
  a peer that sends one is misconfigured or hostile and retrying will not change it;
- a missing or unreadable secret, bad target options, a request that does not fit the peer's
  WSDL, any other HTTP 4xx: parked, because sending again cannot make it right.

The WSDL is read on the first send, not when the adapter is built, so a peer that is down when
the hub starts is a retry, not a crash.
"""

from __future__ import annotations

import abc
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from xml.sax.saxutils import escape

import requests
import zeep
import zeep.exceptions
import zeep.helpers
from lxml import etree
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding

from adapters.outbound.http_json import retry_after_seconds
from core.clock import SHANGHAI, Clock, SystemClock
from exchange.model import Target
from exchange.outcome import OutboundMessage, Outcome, PeerAcknowledgement, Verdict
from mappings.records import DataSetRecord, decode

SETTINGS = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True,
                         forbid_external=True, xml_huge_tree=False)
USER_AGENT = "ggzy-hub/0.1"
REDACTED = "***"
DEFAULT_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_HOSTILE_XML = (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden,
                zeep.exceptions.ExternalReferenceForbidden)


# -- Beijing time ------------------------------------------------------------------------------

def beijing(moment: datetime) -> datetime:
    """The Chinese systems write local (Beijing) wall-clock time without a zone."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(SHANGHAI)


def format_beijing(moment: datetime, fmt: str) -> str:
    return beijing(moment).strftime(fmt)


def parse_beijing(text: str, fmt: str) -> datetime:
    """A peer's zone-less timestamp as an aware datetime; ValueError if it does not match."""
    return datetime.strptime(text.strip(), fmt).replace(tzinfo=SHANGHAI)


# -- secrets -----------------------------------------------------------------------------------

class SecretError(Exception):
    """The target names no usable secret: an operator must fix the configuration."""


def read_secret(options: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> str:
    """The shared secret named by the target options (``secret_env`` or ``secret_file``, the
    file's first line stripped). Read at every send so a rotated secret is picked up."""
    env = os.environ if environ is None else environ
    name = options.get("secret_env")
    path = options.get("secret_file")
    if name:
        value = env.get(str(name), "").strip()
        if not value:
            raise SecretError(f"secret: environment variable {name} is not set or empty")
        return value
    if path:
        try:
            lines = Path(str(path)).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise SecretError(f"secret: cannot read secret_file {path}: "
                              f"{type(err).__name__}") from err
        value = lines[0].strip() if lines else ""
        if not value:
            raise SecretError(f"secret: secret_file {path} is empty")
        return value
    raise SecretError("secret: the target options name no secret (secret_env or secret_file)")


# -- per-record results ------------------------------------------------------------------------

class MalformedReply(Exception):
    """The peer answered, but not in the shape its protocol promises."""


@dataclass(frozen=True)
class Taken:
    """The peer holds the record (accepted now, or already held from an earlier send)."""

    acknowledgement: PeerAcknowledgement
    note: str


@dataclass(frozen=True)
class Refused:
    """The record was not taken; ``verdict`` is RETRY or PARK."""

    verdict: Verdict
    error: str

    @classmethod
    def retry(cls, error: str) -> Refused:
        return cls(Verdict.RETRY, error)

    @classmethod
    def park(cls, error: str) -> Refused:
        return cls(Verdict.PARK, error)


RecordResult = Taken | Refused


def reply_value(reply: Any, name: str) -> Any:
    """A named value of a zeep reply, whether zeep unwrapped the response element or not
    (document/literal wrapped answers come back as the single child or as the wrapper)."""
    data = zeep.helpers.serialize_object(reply, dict)
    while isinstance(data, dict):
        if name in data:
            return data[name]
        if len(data) != 1:
            break
        data = next(iter(data.values()))
    raise MalformedReply(f"reply has no {name}")


def reply_text(reply: Any, name: str, *, required: bool = True) -> str:
    value = reply_value(reply, name)
    if value is None:
        if required:
            raise MalformedReply(f"reply {name} is empty")
        return ""
    if isinstance(value, bool | dict | list):
        raise MalformedReply(f"reply {name} is not text")
    return str(value).strip()


# strftime directives as the protocols write their patterns (yyyyMMddHHmmss)
_PATTERN_LETTERS = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}


def reply_time(name: str, text: str, fmt: str) -> datetime:
    """A timestamp the reply carried (``text`` of its ``name``), read as Beijing time. A time in
    another shape means the reply is not an answer of the protocol: MalformedReply."""
    try:
        return parse_beijing(text, fmt)
    except ValueError as err:
        pattern = fmt
        for directive, letters in _PATTERN_LETTERS.items():
            pattern = pattern.replace(directive, letters)
        raise MalformedReply(f"{name} {text!r} is not {pattern}") from err


def refusal(code: str, text: str, known: Mapping[str, Refused]) -> Refused | None:
    """The profile's refusal for a reply code it documents (its verdict, its wording then the
    peer's ``text``), or None for a code the profile does not know."""
    meaning = known.get(code)
    if meaning is None:
        return None
    return Refused(meaning.verdict, f"{meaning.error}: {text}")


# -- transport ---------------------------------------------------------------------------------

@dataclass
class Exchange:
    """One HTTP round trip as it went over the wire, for the attempt log."""

    request: str | None = None
    status: int | None = None
    response: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class RecordingTransport(zeep.Transport):
    """zeep's transport, remembering the last POST of the calling thread (adapters are shared
    by the delivery threads, so the exchange is kept per thread). It posts itself instead of
    through zeep's ``post``, which writes whole envelopes — secrets included — to its DEBUG log;
    redaction happens in the attempt log instead."""

    def __init__(self, timeout: float, session: requests.Session) -> None:
        super().__init__(timeout=timeout, operation_timeout=timeout, session=session)
        session.headers["User-Agent"] = USER_AGENT  # zeep puts its own there
        self._local = threading.local()

    def begin(self) -> Exchange:
        self._local.exchange = Exchange()
        return self._local.exchange

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> Any:
        exchange: Exchange | None = getattr(self._local, "exchange", None)
        if exchange is not None:
            exchange.request = (message.decode("utf-8", "replace")
                                if isinstance(message, bytes) else message)
        response = self.session.post(address, data=message, headers=headers,
                                     timeout=self.operation_timeout)
        if exchange is not None:
            exchange.status = response.status_code
            exchange.response = response.content.decode("utf-8", "replace")
            exchange.headers = dict(response.headers)
        return response


class _ThreadWsse:
    """Stands in as the client's ``wsse``: the token of the calling thread's send, so the secret
    is read per send (rotation) without rebuilding the client or sharing state across threads."""

    def __init__(self) -> None:
        self._local = threading.local()

    def use(self, token: Any) -> None:
        self._local.token = token

    def apply(self, envelope: Any, headers: Any) -> tuple[Any, Any]:
        token = getattr(self._local, "token", None)
        if token is None:
            return envelope, headers
        return token.apply(envelope, headers)

    def verify(self, envelope: Any) -> None:
        """Replies are not signed in any of the profiles."""


# -- the adapter -------------------------------------------------------------------------------

@dataclass
class _Journal:
    """What went over the wire for one message: one line per record, then the deciding (last)
    exchange in full (answer, then request) with secrets redacted. The attempt log keeps the
    first 8 KiB of this."""

    lines: list[str] = field(default_factory=list)
    last: Exchange | None = None
    hide: list[str] = field(default_factory=list)

    def note(self, record: DataSetRecord, text: str) -> None:
        self.lines.append(f"{record.data_set} {record.key} {record.operation.value}: {text}")

    def text(self) -> str:
        out = list(self.lines)
        if self.last is not None and (self.last.request or self.last.response):
            # the answer first: a long request must not push it past the log's limit
            out.append(f"--- last exchange (HTTP {self.last.status}) ---")
            out.append("<<< " + self._redact(self.last.response or ""))
            out.append(">>> " + self._redact(self.last.request or ""))
        return "\n".join(out)

    def _redact(self, text: str) -> str:
        for secret in self.hide:
            if secret:
                text = text.replace(escape(secret), REDACTED).replace(secret, REDACTED)
        return text


class SoapAdapter(abc.ABC):
    """One target reached through one operation of the peer's WSDL."""

    service_name: ClassVar[str]
    port_name: ClassVar[str | None] = None
    operation: ClassVar[str]

    def __init__(self, target: Target, *, clock: Clock | None = None) -> None:
        self.name = target.name
        self.endpoint = target.endpoint
        self.timeout = float(target.timeout_seconds or 10.0)
        self.options: dict[str, Any] = dict(target.options or {})
        self._retry_statuses = frozenset(target.retry_statuses or DEFAULT_RETRY_STATUSES)
        self._clock: Clock = clock or SystemClock()
        self._session = requests.Session()
        self._transport = RecordingTransport(self.timeout, self._session)
        self._wsse = _ThreadWsse()
        self._lock = threading.Lock()
        self._service: Any = None
        self._problem = self.check_options()

    # -- for subclasses ----------------------------------------------------------------------

    @abc.abstractmethod
    def check_options(self) -> str | None:
        """Why the target options cannot work (parked at every send), or None."""

    @abc.abstractmethod
    def build(self, record: DataSetRecord, secret: str) -> dict[str, Any] | Refused:
        """The operation's arguments for one record, or why it cannot be sent."""

    @abc.abstractmethod
    def interpret(self, record: DataSetRecord, arguments: dict[str, Any], reply: Any
                  ) -> RecordResult:
        """What the peer's answer means; raise MalformedReply when it is not an answer."""

    def soap_version(self) -> str:
        return "1.1"

    def wsse_token(self, secret: str) -> Any:
        """A WS-Security token to put in the header of every call, or None."""
        return None

    def hidden(self, arguments: dict[str, Any], secret: str) -> list[str]:
        """Values never to be written to the attempt log."""
        return [secret]

    def now(self) -> datetime:
        return self._clock.now()

    def option(self, name: str, default: str = "") -> str:
        """A target option as text, ``default`` when it is unset or empty."""
        return str(self.options.get(name) or default)

    # -- the engine's interface --------------------------------------------------------------

    def send(self, message: OutboundMessage) -> Outcome:
        if self._problem:
            return Outcome.park(f"target {self.name}: {self._problem}")
        try:
            records = decode(message.body)
        except (ValueError, KeyError, TypeError) as err:
            return Outcome.park(f"body is not data-set records: {type(err).__name__}: {err}")
        if not records:
            return Outcome.park("body carries no record")
        try:
            secret = read_secret(self.options)
        except SecretError as err:
            return Outcome.park(f"target {self.name}: {err}")
        # every record is written before anything is sent: one that cannot be written parks
        # the message instead of leaving the peer with half of it
        journal = _Journal(hide=[secret])
        calls: list[tuple[DataSetRecord, dict[str, Any]]] = []
        for record in records:
            arguments = self._build(record, secret)
            if isinstance(arguments, Refused):
                journal.note(record, f"{arguments.verdict.value}: {arguments.error}")
                return self._stopped(journal, arguments, record, 0, len(records))
            journal.hide.extend(h for h in self.hidden(arguments, secret)
                                if h not in journal.hide)
            calls.append((record, arguments))
        service = self._service_proxy()
        if isinstance(service, Outcome):
            return service
        acks: list[PeerAcknowledgement] = []
        for record, arguments in calls:
            result = self._call(service, record, arguments, secret, journal)
            if isinstance(result, Refused):
                journal.note(record, f"{result.verdict.value}: {result.error}")
                return self._stopped(journal, result, record, len(acks), len(records))
            journal.note(record, result.note)
            acks.append(result.acknowledgement)
        status = journal.last.status if journal.last else None
        return Outcome.delivered(status, journal.text(), tuple(acks))

    @staticmethod
    def _stopped(journal: _Journal, refused: Refused, record: DataSetRecord, taken: int,
                 total: int) -> Outcome:
        status = journal.last.status if journal.last else None
        where = (f"record {taken + 1} of {total} ({record.data_set} {record.key}): "
                 if total > 1 else "")
        if refused.verdict == Verdict.RETRY:
            retry_after = None
            if journal.last is not None:
                retry_after = retry_after_seconds(journal.last.headers.get("Retry-After"))
            return Outcome.retry(where + refused.error, status, journal.text(), retry_after)
        return Outcome.park(where + refused.error, status, journal.text())

    def close(self) -> None:
        self._session.close()

    # -- internals ---------------------------------------------------------------------------

    def _service_proxy(self) -> Any:
        with self._lock:
            if self._service is not None:
                return self._service
            wsdl = self.endpoint + "?wsdl"
            try:
                client = zeep.Client(wsdl, transport=self._transport, settings=SETTINGS,
                                     wsse=self._wsse)
            except Exception as err:
                return self._wsdl_failure(wsdl, err)
            if not client.wsdl.services:
                # an error or login page served as 200 by something in between: try again later
                return Outcome.retry(f"{wsdl} is unreadable: not a WSDL (it has no service)")
            bound = self._bind(client)
            if isinstance(bound, str):
                return Outcome.park(f"WSDL {wsdl}: {bound}")
            self._service = bound
            return bound

    def _wsdl_failure(self, wsdl: str, err: Exception) -> Outcome:
        what = f"loading WSDL {wsdl} failed"
        if isinstance(err, _HOSTILE_XML):
            return Outcome.park(f"{what}: refused a DOCTYPE/entity/external reference ({err})")
        if isinstance(err, requests.HTTPError) and err.response is not None:
            code = err.response.status_code
            text = err.response.text
            if code >= 500 or code in self._retry_statuses:
                return Outcome.retry(f"{what}: HTTP {code}", code, text)
            return Outcome.park(f"{what}: HTTP {code} (not retryable)", code, text)
        if isinstance(err, requests.Timeout):
            return Outcome.retry(f"{what}: timeout after {self.timeout:g}s")
        if isinstance(err, requests.RequestException):
            return Outcome.retry(f"{what}: connection failed: {type(err).__name__}")
        return Outcome.retry(f"{what}: unreadable: {type(err).__name__}: {err}")

    def _bind(self, client: zeep.Client) -> Any:
        """The proxy of our operation on the named service, posting to the target's endpoint
        whatever address the WSDL advertises (a peer behind a proxy does not know its name)."""
        services = client.wsdl.services
        service = services.get(self.service_name)
        if service is None:
            return f"no service {self.service_name} (has {', '.join(services)})"
        wanted = Soap12Binding if self.soap_version() == "1.2" else Soap11Binding
        ports = list(service.ports.values())
        if self.port_name is not None:
            ports.sort(key=lambda p: p.name != self.port_name)
        for port in ports:
            binding = port.binding
            if not isinstance(binding, wanted):
                continue
            try:
                binding.get(self.operation)
            except ValueError:
                continue
            return client.create_service(binding.name, self.endpoint)
        return (f"service {self.service_name} has no SOAP {self.soap_version()} port with "
                f"operation {self.operation}")

    def _build(self, record: DataSetRecord, secret: str) -> dict[str, Any] | Refused:
        try:
            return self.build(record, secret)
        except ValueError as err:  # e.g. a value lxml refuses (control characters)
            return Refused.park(f"record cannot be written: {err}")

    def _call(self, service: Any, record: DataSetRecord, arguments: dict[str, Any],
              secret: str, journal: _Journal) -> RecordResult:
        exchange = self._transport.begin()
        journal.last = exchange
        self._wsse.use(self.wsse_token(secret))
        try:
            reply = getattr(service, self.operation)(**arguments)
        except Exception as err:
            return self._call_failure(err, exchange)
        finally:
            self._wsse.use(None)
        try:
            return self.interpret(record, arguments, reply)
        except MalformedReply as err:
            return Refused.retry(f"malformed reply: {err}")

    def _call_failure(self, err: Exception, exchange: Exchange) -> Refused:
        if isinstance(err, requests.Timeout):
            return Refused.retry(f"timeout after {self.timeout:g}s")
        if isinstance(err, requests.RequestException):
            return Refused.retry(f"connection failed: {type(err).__name__}: {err}")
        if isinstance(err, _HOSTILE_XML):
            return Refused.park(f"reply refused: it carries a DOCTYPE/entity ({err})")
        if isinstance(err, zeep.exceptions.Fault):
            return self.fault(err)
        if isinstance(err, zeep.exceptions.TransportError):
            code = err.status_code or exchange.status
            if code is None or code == 200:
                return Refused.retry(f"malformed reply: not XML (HTTP {code})")
            if code >= 500 or code in self._retry_statuses:
                return Refused.retry(f"HTTP {code}")
            return Refused.park(f"HTTP {code} (not retryable)")
        if exchange.status is None:
            # zeep refused the arguments before anything was sent: the peer's WSDL does not
            # describe the operation as the protocol does; reload it next time, in case it moved
            self._service = None
            return Refused.park(f"request does not fit the peer's WSDL: "
                                f"{type(err).__name__}: {err}")
        return Refused.retry(f"malformed reply: {type(err).__name__}: {err}")

    def fault(self, err: zeep.exceptions.Fault) -> Refused:
        """A SOAP Fault: the peer failed to process the call."""
        return Refused.retry(f"SOAP Fault {err.code or ''}: {err.message}".replace("  ", " "))


def serialize(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode")


def element(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    """A child element; lxml escapes the text and refuses names and characters XML cannot
    carry, and the error names the field so a parked record says which one is wrong."""
    if not tag or ":" in tag:
        raise ValueError(f"field code {tag!r} is not an XML element name")
    try:
        child = etree.SubElement(parent, tag)
    except ValueError as err:
        raise ValueError(f"field code {tag!r} is not an XML element name") from err
    if text is not None:
        try:
            child.text = text
        except ValueError as err:
            parent.remove(child)
            raise ValueError(f"field {tag}: {err}") from err
    return child


def fields_of(parent: etree._Element, fields: Mapping[str, str]) -> None:
    """The record's fields as elements, in the record's order."""
    for code, value in fields.items():
        element(parent, code, value)
