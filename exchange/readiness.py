"""Would the platforms accept the records of this event? Asked by the core before it commits.

A tender notice published without its round reached every platform as a 503 record lacking its
document and bid times, and was parked there; replaying it parked it again. The records are
built here exactly as a worker builds them (the spec versions the routes name, the shipped spec
of a data set no route maps yet, the same validator), only nothing is sent, so the change that
would produce a bad record is refused while the person who made it is still there.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.events import jsonable
from core.ports import RecordGap
from exchange.mapping_specs import stored_body
from exchange.registry import MappingError
from exchange.relay import active_routes, event_domain, route_takes
from mappings.engine import CompiledSpec, MappingContext, RecordInvalid, SpecError, compile_spec
from mappings.engine.convert import ConversionError
from mappings.specs import shipped_specs, spec_domain


class RecordReadiness:
    """``core.ports.RecordCheck`` over the mapping engine."""

    def __init__(self, context: MappingContext) -> None:
        self.context = context
        self._compiled: dict[str, CompiledSpec] = {}  # a stored version never changes
        self._lock = threading.Lock()

    def _compile(self, session: Session, ref: str) -> CompiledSpec | None:
        found = self._compiled.get(ref)
        if found is not None:
            return found
        try:
            body = stored_body(session, ref)
            if body is None:
                return None  # not a spec (json-passthrough@1): nothing to validate
            compiled = compile_spec(body)
        except (MappingError, SpecError):
            return None  # a broken route is the exchange's to report, not the notice's
        with self._lock:
            return self._compiled.setdefault(ref, compiled)

    def specs_for(self, session: Session, event_type: str,
                  domain: str | None = None) -> list[CompiledSpec]:
        """The specs whose records this event (of trading domain ``domain``) produces: those the
        routes that take it name, and for every data set no route maps, the latest shipped
        version written for its domain (the standard holds regardless; a 政府采购 notice is no
        工程建设 503 record)."""
        chosen: dict[str, CompiledSpec] = {}
        for route in active_routes(session):
            if route_takes(route, event_type, domain):
                spec = self._compile(session, route.mapping)
                if spec is not None and spec.handles(event_type):
                    chosen[spec.ref] = spec
        covered = {s.spec.data_set for s in chosen.values()}
        latest: dict[str, dict[str, Any]] = {}
        for raw in shipped_specs().values():
            if raw["data_set"] in covered or event_type not in raw["events"]:
                continue
            if spec_domain(raw["name"]) not in (None, domain):
                continue
            if raw["data_set"] not in latest or raw["version"] > latest[raw["data_set"]][
                    "version"]:
                latest[raw["data_set"]] = raw
        for raw in latest.values():
            spec = self._compile(session, f"{raw['name']}@{raw['version']}")
            if spec is not None:
                chosen[spec.ref] = spec
        return list(chosen.values())

    def gaps(self, session: Session, event_type: str, payload: Mapping[str, Any],
             occurred_at: datetime) -> list[RecordGap]:
        event = {"event_id": "", "event_type": event_type, "aggregate_type": "",
                 "aggregate_id": "", "ordering_key": "", "occurred_at": occurred_at.isoformat(),
                 "payload": jsonable(payload)}
        found: dict[tuple[str, str, str], RecordGap] = {}
        for spec in self.specs_for(session, event_type, event_domain(payload)):
            try:
                spec.apply(event, self.context)
            except RecordInvalid as err:
                for p in err.problems:
                    gap = RecordGap(err.data_set, p.field, p.rule)
                    found.setdefault((gap.data_set, gap.field, gap.rule), gap)
            except ConversionError as err:
                gap = RecordGap(spec.spec.data_set, "(record)", f"CONVERSION: {err}")
                found.setdefault((gap.data_set, gap.field, gap.rule), gap)
        return sorted(found.values(), key=lambda g: (g.data_set, g.field))
