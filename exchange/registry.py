"""Named targets and mappings. The engine reaches outbound adapters only through this registry,
so it never imports an adapter and a test can register a target of its own."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from exchange.model import Target
from exchange.outcome import OutboundMessage, Outcome
from mappings.records import DataSetRecord


class TargetAdapter(Protocol):
    def send(self, message: OutboundMessage) -> Outcome:
        """Deliver one message; never raise for a peer's failure, report it as an Outcome."""
        ...

    def close(self) -> None: ...


AdapterFactory = Callable[[Target], TargetAdapter]
Content = bytes | tuple[DataSetRecord, ...]
Mapping = Callable[[dict[str, Any]], tuple[Content, str]]  # event -> (content, content type)


class MappingError(Exception):
    """The event cannot be turned into a valid record for the target: not retryable."""


class NothingToSend(Exception):
    """The mapping takes nothing from this event (a spec's condition excludes it): the delivery
    is done without calling the target."""


def json_passthrough(event: dict[str, Any]) -> tuple[Content, str]:
    """Until the national mappings exist: the event as JSON, unchanged."""
    body = json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return body.encode(), "application/json"


@dataclass
class Registry:
    adapter_kinds: dict[str, AdapterFactory] = field(default_factory=dict)
    mappings: dict[str, Mapping] = field(
        default_factory=lambda: {"json-passthrough@1": json_passthrough})
    # resolves names not registered above (the mapping specs, stored or shipped)
    resolve: Callable[[str], Mapping] | None = None
    _adapters: dict[tuple[str, str, str, float], TargetAdapter] = field(default_factory=dict)

    def adapter_for(self, target: Target) -> TargetAdapter:
        """One adapter per target configuration, reused (connection pools live in adapters)."""
        key = (target.name, target.kind, target.endpoint, target.timeout_seconds)
        adapter = self._adapters.get(key)
        if adapter is None:
            factory = self.adapter_kinds.get(target.kind)
            if factory is None:
                raise LookupError(f"no adapter kind {target.kind!r} registered")
            adapter = self._adapters[key] = factory(target)
        return adapter

    def mapping(self, name: str) -> Mapping:
        found = self.mappings.get(name)
        if found is not None:
            return found
        if self.resolve is None:
            raise MappingError(f"no mapping {name!r} registered")
        return self.resolve(name)

    def close(self) -> None:
        for adapter in self._adapters.values():
            adapter.close()
        self._adapters.clear()
