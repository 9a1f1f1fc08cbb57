"""The authenticated caller as the use cases see it, detached from any session or transport."""

from __future__ import annotations

from dataclasses import dataclass

from core.model.account import AccountKind

STAFF_KINDS = frozenset({AccountKind.CENTRE_STAFF, AccountKind.ADMIN})
OVERSIGHT_KINDS = frozenset({AccountKind.CENTRE_STAFF, AccountKind.ADMIN, AccountKind.SUPERVISOR})


@dataclass(frozen=True)
class Principal:
    account_id: int
    username: str
    kind: AccountKind
    party_id: int | None = None
    party_roles: frozenset[str] = frozenset()

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"{self.kind.value}:{self.username}"

    @property
    def is_staff(self) -> bool:
        return self.kind in STAFF_KINDS

    @property
    def has_oversight(self) -> bool:
        """Staff, administrators and supervisors may read every record."""
        return self.kind in OVERSIGHT_KINDS


ANONYMOUS_ACTOR = "anonymous"
SYSTEM_ACTOR = "system"
