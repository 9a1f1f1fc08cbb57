"""The decision every platform peer makes about one record, whatever its envelope.

The three protocols differ in how a record is wrapped and how the answer is worded, not in what
the receiving system checks: the record's fields against the rule table, a repeated add, an
update or delete of a record it does not hold, a child whose parent has not arrived, a record
another sender owns. So the peers unwrap, call ``decide`` and word its ``Decision`` their way.

Order of the checks: the rule table first (a broken record is broken whatever is held), then
what is held (repeat, unknown, owner), then the parents, then business-code uniqueness.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sandbox.platforms.rules import (
    IDENTITY,
    DataSet,
    ParentRef,
    Violation,
    identity,
    parents,
    validate,
)
from sandbox.platforms.store import Held, Store


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"            # the add (or this version) is already held
    PARENT_MISSING = "parent_missing"
    NOT_FOUND = "not_found"            # update/delete of a record not held
    INVALID = "invalid"                # a field breaks the rule table
    FORBIDDEN = "forbidden"            # the record belongs to another sender


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    operation: str                      # the operation as applied (SX resolves it by version)
    received_at: datetime               # when the peer decided (aware, Beijing)
    violation: Violation | None = None
    parent: ParentRef | None = None
    held: Held | None = None            # the record already held (duplicate, forbidden)
    arrival_id: int | None = None

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.ACCEPTED


def decide(store: Store, *, operation: str, data_set: DataSet, record_key: str,
           version: str | None, fields: dict[str, str], sender: str, now: datetime,
           by_version: bool = False, extensions_required: bool = False) -> Decision:
    """Check one record and, if it passes, store it; counts a refusal otherwise.

    ``operation`` is add, update or delete. With ``by_version`` (the Shanxi reading) an add of a
    key already held is an update when ``version`` is newer and a duplicate when it is the same or
    older, and a delete of an already deleted key with no newer version is a duplicate too.
    """
    at = now.isoformat(timespec="seconds")
    code = data_set.code

    def refused(decision: Decision, message: str) -> Decision:
        tx.refuse(reason=decision.verdict.value, data_set=code, record_key=record_key,
                  message=message, at=at)
        return decision

    if operation != "delete":
        violation = validate(data_set, fields, extensions_required=extensions_required)
        if violation is not None:
            with store.transaction() as tx:
                return refused(Decision(Verdict.INVALID, operation, now, violation=violation),
                               violation.en())

    with store.transaction() as tx:
        held = tx.get(code, record_key)
        live = held is not None and not held.deleted
        if by_version and held is not None:
            stale = version is not None and held.version is not None and version <= held.version
            if stale and (live or operation == "delete"):
                return refused(Decision(Verdict.DUPLICATE, operation, now, held=held),
                               f"version {version} not newer than held {held.version}")
            if live:
                operation = "delete" if operation == "delete" else "update"
        if operation == "add" and live:
            return refused(Decision(Verdict.DUPLICATE, operation, now, held=held),
                           f"{record_key} already held")
        if operation in ("update", "delete") and not live:
            return refused(Decision(Verdict.NOT_FOUND, operation, now, held=held),
                           f"{record_key} not held")
        if held is not None and live and held.sender != sender:
            return refused(Decision(Verdict.FORBIDDEN, operation, now, held=held),
                           f"{record_key} belongs to sender {held.sender}")
        business_code = held.business_code if operation == "delete" and held else identity(
            code, fields)
        if operation == "update" and held is not None and held.business_code != business_code:
            violation = Violation(IDENTITY.get(code, "DATA_KEY"), "immutable",
                                  held.business_code or "")
            return refused(Decision(Verdict.INVALID, operation, now, violation=violation),
                           violation.en())
        if operation != "delete":
            for parent in parents(code, fields):
                if tx.live_by_code(parent.data_set, parent.code) is None:
                    return refused(Decision(Verdict.PARENT_MISSING, operation, now,
                                            parent=parent),
                                   f"parent {parent.data_set} {parent.code} not held")
        if operation == "add" and business_code:
            other = tx.live_by_code(code, business_code)
            if other is not None and other.record_key != record_key:
                return refused(Decision(Verdict.DUPLICATE, operation, now, held=other),
                               f"{business_code} already held as {other.record_key}")
        arrival = tx.put(operation=operation, data_set=code, record_key=record_key,
                         business_code=business_code, sender=sender, version=version,
                         fields=fields, at=at)
        return Decision(Verdict.ACCEPTED, operation, now, arrival_id=arrival)

