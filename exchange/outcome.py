"""What a target adapter reports back: delivered, worth retrying, or not worth retrying."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mappings import records
from mappings.records import DataSetRecord


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    PARK = "park"


@dataclass(frozen=True)
class PeerAcknowledgement:
    """What a peer said about one record it took, as its adapter reports it: e.g. Shanxi's
    receiveTime, which is the official publication time of a notice. The delivery stores it
    as an ``exchange.model.Acknowledgement`` row in the transaction that marks it delivered."""

    data_set: str
    record_key: str
    official_time: datetime | None = None  # aware
    reference: str | None = None  # the peer's own id or serial for the record, if any


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    status_code: int | None = None
    response: str | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds the peer asked us to wait
    acknowledgements: tuple[PeerAcknowledgement, ...] = ()

    @classmethod
    def delivered(cls, status_code: int | None = None, response: str | None = None,
                  acknowledgements: tuple[PeerAcknowledgement, ...] = ()) -> Outcome:
        return cls(Verdict.DELIVERED, status_code, response, acknowledgements=acknowledgements)

    @classmethod
    def retry(cls, error: str, status_code: int | None = None, response: str | None = None,
              retry_after: float | None = None) -> Outcome:
        return cls(Verdict.RETRY, status_code, response, error, retry_after)

    @classmethod
    def park(cls, error: str, status_code: int | None = None,
             response: str | None = None) -> Outcome:
        return cls(Verdict.PARK, status_code, response, error)


@dataclass(frozen=True)
class OutboundMessage:
    """A mapped payload ready for a target, plus what the peer needs to de-duplicate.

    ``content`` is what the mapping made: bytes (the JSON pass-through), or the typed data-set
    records of a spec, which the adapter serialises once, in its own protocol, at the edge
    (the SOAP profiles write XML from them; nothing encodes them to JSON only to decode them
    again in the same process)."""

    content: bytes | tuple[DataSetRecord, ...]
    content_type: str
    idempotency_key: str
    ordering_key: str
    sequence: int
    event_type: str

    @property
    def body(self) -> bytes:
        """The bytes form, for adapters that send bytes (HTTP JSON) and for the attempt log."""
        if isinstance(self.content, bytes):
            return self.content
        return records.encode(self.content)

    @property
    def records(self) -> tuple[DataSetRecord, ...]:
        """The records; bytes are read as the records' JSON form (a body that is not that
        raises ValueError, KeyError or TypeError)."""
        if isinstance(self.content, tuple):
            return self.content
        return tuple(records.decode(self.content))
