"""zeep's HTTP transport as the adapters use it: each thread's last exchange kept for the
attempt log, the WS-Security token chosen per send, and the journal of one message with its
secrets redacted."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import requests
import zeep

from mappings.records import DataSetRecord

USER_AGENT = "ggzy-hub/0.1"
REDACTED = "***"


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


class ThreadWsse:
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


@dataclass
class Journal:
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
