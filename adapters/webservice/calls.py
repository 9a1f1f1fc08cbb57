"""One SOAP call: who may make it, one unit of work, one audit entry, one answer or one Fault.

Every call is audited, queries included, and so is every refusal:

* a call that succeeds writes ``ws.<Operation>`` in the same transaction as its effect (a query
  has no other effect), actor ``<kind>:<username>``, object = what was asked (a project code,
  a section code, a notice id, a message id …);
* a call that is refused is rolled back entirely, and then ``ws.<Operation>:<CODE>`` is written
  in a transaction of its own (actor ``anonymous`` when the credential was the problem). That
  entry is the one trace a refused call leaves: "nothing changed" means nothing but it;
* a push that repeats a message already applied writes ``ws.<Operation>`` again (its digest
  says ``duplicate``) and changes nothing else.

The audit keeps digests of ``before``/``after`` only; the call's outcome, code, endpoint and
the caller's address are in the digested ``after``, the code also in the action for reading.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from adapters.bootstrap import Container
from adapters.webservice import faults
from adapters.webservice.faults import WsFault
from adapters.webservice.security import caller
from core.errors import DomainError
from core.model.account import AccountKind
from core.security.access import require_kind
from core.security.principal import ANONYMOUS_ACTOR, Principal
from core.uow import UnitOfWork
from exchange import inbox

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ACTION = 64
MAX_OBJECT_TYPE = 32
MAX_OBJECT_ID = 64


@dataclass(frozen=True)
class Call:
    operation: str  # the WSDL operation, e.g. GetProject
    object_type: str  # what kind of thing was asked for: project, section, notice, message …
    object_id: str  # which one, as the caller named it
    kinds: Collection[AccountKind]  # the account kinds allowed to make it


def container_of(ctx: Any) -> Container:
    container: Container = ctx.app.container
    return container


def endpoint(environ: dict[str, Any]) -> str:
    return f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"[:200]


def call_audit(unit: UnitOfWork, actor: str, operation: str, object_type: str, object_id: str,
               environ: dict[str, Any], outcome: str, code: str | None = None) -> None:
    action = f"ws.{operation}" + (f":{code}" if code else "")
    unit.record(actor, action[:MAX_ACTION], object_type[:MAX_OBJECT_TYPE],
                object_id[:MAX_OBJECT_ID], None,
                {"outcome": outcome, "code": code, "endpoint": endpoint(environ),
                 "remote": environ.get("REMOTE_ADDR"), "object_id": object_id})


def audit_apart(container: Container, actor: str, operation: str, object_type: str,
                object_id: str, environ: dict[str, Any], outcome: str,
                code: str | None = None) -> None:
    """An audit entry in a transaction of its own (a refused or repeated call). It must never
    turn a refusal into a different answer, so a failure here is logged, not raised."""
    try:
        with container.uow() as unit:
            call_audit(unit, actor, operation, object_type, object_id, environ, outcome, code)
            unit.commit()
    except Exception:
        log.exception("could not audit the web service call %s", operation)


def _refused(ctx: Any, call: Call, principal: Principal | None, fault: WsFault) -> WsFault:
    audit_apart(container_of(ctx), principal.actor if principal else ANONYMOUS_ACTOR,
                call.operation, call.object_type, call.object_id, ctx.transport.req_env,
                "fault", fault.code)
    fault.audited = True
    return fault


def _guarded(ctx: Any, call: Call, body: Callable[[Principal], T]) -> T:
    """``body`` for an admitted caller; every way it can fail leaves as an audited Fault."""
    principal: Principal | None = None
    try:
        principal = caller(ctx)
        require_kind(principal, *call.kinds)
        return body(principal)
    except DomainError as err:
        raise _refused(ctx, call, principal, faults.from_domain(err)) from None
    except WsFault as fault:
        raise _refused(ctx, call, principal, fault) from None
    except Exception as err:
        log.exception("web service call %s failed", call.operation)
        raise _refused(ctx, call, principal, faults.internal()) from err


def run(ctx: Any, call: Call, work: Callable[[UnitOfWork, Principal], T]) -> T:
    """``work`` in one unit of work with the call's audit entry; any refusal as a Fault."""
    container = container_of(ctx)

    def body(principal: Principal) -> T:
        with container.uow() as unit:
            result = work(unit, principal)
            call_audit(unit, principal.actor, call.operation, call.object_type, call.object_id,
                       ctx.transport.req_env, "ok")
            unit.commit()  # the call is the entry point: its effect and its audit entry at once
            return result

    return _guarded(ctx, call, body)


def run_inbound(ctx: Any, call: Call, message_id: str, body: bytes,
                work: Callable[[UnitOfWork, Principal], dict[str, Any]]
                ) -> tuple[dict[str, Any], bool]:
    """A pushed message, applied once per (caller, message id) through the inbox: ``work``,
    the inbox row and the call's audit entry commit together. A repeat gets the first answer
    (and ``True``); the same id with a different body is ``MESSAGE_ID_REUSED``."""
    container = container_of(ctx)

    def apply(unit: UnitOfWork, principal: Principal) -> dict[str, Any]:
        answer = work(unit, principal)
        call_audit(unit, principal.actor, call.operation, call.object_type, call.object_id,
                   ctx.transport.req_env, "ok")
        return answer  # the inbox stores it beside the message

    def once(principal: Principal) -> inbox.InboxResult:
        with container.uow() as unit:
            result = inbox.receive(unit, principal.username, message_id, body,
                                   lambda u: apply(u, principal))
            unit.commit()
            return result

    def receive(principal: Principal) -> tuple[dict[str, Any], bool]:
        try:
            result = once(principal)
        except IntegrityError:
            # Another message creating the same subject won the race while ours was applied:
            # the second attempt finds its result.
            result = once(principal)
        if result.duplicate:
            audit_apart(container, principal.actor, call.operation, call.object_type,
                        call.object_id, ctx.transport.req_env, "duplicate")
        return result.response, result.duplicate

    return _guarded(ctx, call, receive)
