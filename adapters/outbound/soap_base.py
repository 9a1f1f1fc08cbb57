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
import threading
from datetime import datetime
from typing import Any, ClassVar

import requests
import zeep
import zeep.exceptions
import zeep.helpers
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding

from adapters.outbound.http_json import retry_after_seconds
from adapters.outbound.soap_replies import MalformedReply, RecordResult, Refused
from adapters.outbound.soap_transport import Exchange, Journal, RecordingTransport, ThreadWsse
from adapters.outbound.target_secrets import SecretError, read_secret
from core.clock import Clock, SystemClock
from exchange.model import Target
from exchange.outcome import OutboundMessage, Outcome, PeerAcknowledgement, Verdict
from mappings.records import DataSetRecord

SETTINGS = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True,
                         forbid_external=True, xml_huge_tree=False)
DEFAULT_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_HOSTILE_XML = (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden,
                zeep.exceptions.ExternalReferenceForbidden)


# -- the adapter -------------------------------------------------------------------------------

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
        self._wsse = ThreadWsse()
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
            records = list(message.records)
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
        journal = Journal(hide=[secret])
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
    def _stopped(journal: Journal, refused: Refused, record: DataSetRecord, taken: int,
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
              secret: str, journal: Journal) -> RecordResult:
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
