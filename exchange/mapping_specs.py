"""Mapping specs as the engine uses them: shipped defaults plus versions stored by administrators.

A route names a spec version (``gcjs.section@1``). The version is resolved here, database first,
then the specs shipped in ``mappings/specs``, compiled once and cached for the life of the
process: a stored version never changes (a change is a new version), so a cached compile can
never go stale, and a delivery replayed a month later maps exactly as it did the first time.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import DomainError, ErrorKind
from exchange.model import MappingSpecVersion
from exchange.registry import Content, Mapping, MappingError, NothingToSend
from mappings import records
from mappings.engine import MappingContext, RecordInvalid, SpecError, compile_spec
from mappings.engine.convert import ConversionError
from mappings.specs import shipped_specs

VERSION = re.compile("[0-9]{1,9}")  # ASCII, and within the integer column: '²'.isdigit() holds


def split_ref(ref: str) -> tuple[str, int]:
    name, _, version = ref.rpartition("@")
    if not name or not VERSION.fullmatch(version):
        raise MappingError(f"a mapping is named name@version, not {ref!r}")
    return name, int(version)


def stored_body(session: Session, ref: str) -> dict[str, Any] | None:
    """The spec body of ``ref``: stored in the database, else shipped, else None."""
    name, version = split_ref(ref)
    row = session.scalar(select(MappingSpecVersion).where(
        MappingSpecVersion.name == name, MappingSpecVersion.version == version))
    if row is not None:
        return dict(row.body)
    return shipped_specs().get(ref)


def list_specs(session: Session) -> list[dict[str, Any]]:
    """Every known version: shipped and stored, with where it comes from."""
    listed = [{"ref": ref, "name": raw["name"], "version": raw["version"],
               "data_set": raw["data_set"], "events": sorted(raw["events"]),
               "origin": "shipped", "note": None, "created_by": None, "created_at": None}
              for ref, raw in shipped_specs().items()]
    for row in session.scalars(select(MappingSpecVersion)
                               .order_by(MappingSpecVersion.name, MappingSpecVersion.version)):
        listed.append({"ref": f"{row.name}@{row.version}", "name": row.name,
                       "version": row.version, "data_set": row.body.get("data_set"),
                       "events": sorted(row.body.get("events", {})), "origin": "database",
                       "note": row.note, "created_by": row.created_by,
                       "created_at": row.created_at})
    return sorted(listed, key=lambda s: (s["name"], s["version"]))


def save_version(session: Session, body: dict[str, Any], note: str | None, actor: str,
                 now: datetime) -> MappingSpecVersion:
    """Store a new version of a spec (an override of a shipped one, or a new spec). It must
    compile against its data set, and its version must be above every existing one."""
    try:
        spec = compile_spec(body).spec
    except SpecError as err:
        raise DomainError("MAPPING_SPEC_INVALID", f"映射规格无效：{err}",
                          f"the mapping spec is invalid: {err}", field="body") from err
    highest_stored = session.scalar(select(func.max(MappingSpecVersion.version))
                                    .where(MappingSpecVersion.name == spec.name)) or 0
    highest_shipped = max((raw["version"] for raw in shipped_specs().values()
                           if raw["name"] == spec.name), default=0)
    highest = max(highest_stored, highest_shipped)
    if spec.version <= highest:
        raise DomainError("MAPPING_VERSION_EXISTS",
                          f"映射 {spec.name} 的版本须大于 {highest}",
                          f"versions are immutable: {spec.name} needs a version above {highest}",
                          ErrorKind.CONFLICT, field="version")
    row = MappingSpecVersion(name=spec.name, version=spec.version, body=body, note=note,
                             created_by=actor, created_at=now)
    session.add(row)
    session.flush()
    audit.append(session, at=now, actor=actor, action="exchange.mapping_spec.add",
                 object_type="exchange_mapping_spec", object_id=spec.ref, before=None,
                 after={"body": body, "note": note})
    return row


class SpecCatalogue:
    """Mappings by reference (``name@version``), each resolved and compiled once per process:
    a stored version never changes, so what was compiled cannot go stale."""

    def __init__(self, session_factory: Callable[[], Session], context: MappingContext) -> None:
        self._sessions = session_factory
        self.context = context
        self._mappings: dict[str, Mapping] = {}
        self._lock = threading.Lock()

    def mapping(self, ref: str) -> Mapping:
        """The registry's view of a spec: event document in, typed records out."""
        found = self._mappings.get(ref)
        if found is None:
            made = self._mapping(ref)
            with self._lock:
                found = self._mappings.setdefault(ref, made)
        return found

    def _mapping(self, ref: str) -> Mapping:
        """The one lookup: the stored version of ``ref``, else the shipped one, compiled."""
        with self._sessions() as session:
            body = stored_body(session, ref)
        if body is None:
            raise MappingError(f"no mapping {ref!r}")
        try:
            spec = compile_spec(body)
        except SpecError as err:
            raise MappingError(str(err)) from err

        def apply(event: dict[str, Any]) -> tuple[Content, str]:
            try:
                produced = spec.apply(event, self.context)
            except (RecordInvalid, ConversionError) as err:
                raise MappingError(str(err)) from err
            if not produced:
                raise NothingToSend(f"spec {ref} takes no record from this {event['event_type']}")
            return tuple(produced), records.CONTENT_TYPE
        return apply
