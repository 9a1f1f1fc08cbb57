"""Ending a round otherwise than by a contract, and closing its file after one.

Termination (终止招标) is the tenderer's decision or a supervision instruction; before the
documents are issued it is a cancellation. Deposits already paid fall due at once (条例 31:
"及时退还"). Archiving closes a contracted round once every paid deposit is refunded.
"""

from __future__ import annotations

from sqlalchemy import select

from core.audit import snapshot
from core.errors import DomainError, ErrorKind
from core.events import EventType
from core.model.account import AccountKind
from core.model.tendering import Registration, Round, RoundStatus
from core.security.access import require_kind, require_project_actor
from core.security.principal import Principal
from core.services import lifecycle_notices
from core.services.banking import refunds
from core.services.tendering.flows import flow_of
from core.services.tendering.lifecycle import transition
from core.services.tendering.round_events import emit_round
from core.services.tendering.rounds import get_round
from core.services.validation import required_text
from core.uow import UnitOfWork


def terminate_round(uow: UnitOfWork, principal: Principal, section_code: str,
                    reason: str) -> Round:
    r = get_round(uow, principal, section_code)
    if principal.kind not in (AccountKind.SUPERVISOR, AccountKind.ADMIN):
        # a supervision instruction may end it too (supervision.terminate_section)
        require_project_actor(principal, r.section.tender_project.project)
    flow = flow_of(r)
    if RoundStatus(r.status) not in flow.terminable or (
            RoundStatus(r.status) in flow.voidable
            and principal.kind not in (AccountKind.SUPERVISOR, AccountKind.ADMIN)):
        raise DomainError("ROUND_NOT_TERMINABLE", f"当前状态（{r.status}）的招标不能终止",
                          f"a round in status {r.status} cannot be terminated",
                          ErrorKind.CONFLICT)
    never_issued = r.status == RoundStatus.DRAFT
    now = uow.clock.now()
    before = snapshot(r)
    r.failure_reason = required_text(reason, "reason", 2000)
    paid = list(uow.session.scalars(select(Registration).where(
        Registration.round_id == r.id, Registration.deposit_status == "paid")))
    for reg in paid:
        reg.deposit_refund_due_at = now
    refunds.open_lines(uow, principal.actor, r, paid, now)  # 条例 31: due at once
    transition(uow, r, RoundStatus.TERMINATED, principal.actor, "round.terminate",
               before=before)
    if not never_issued:
        # A draft was never public nor sent: cancelling it is no 招标异常 (517) for any
        # platform nor a public 终止公告, so it stays in the audit log only.
        emit_round(uow, r, EventType.ROUND_TERMINATED, principal.actor)
        lifecycle_notices.termination(uow, r, principal.actor, principal.account_id)
    return r


def archive_round(uow: UnitOfWork, principal: Principal, section_code: str) -> Round:
    require_kind(principal, AccountKind.CENTRE_STAFF)
    r = get_round(uow, principal, section_code)
    if r.status != RoundStatus.CONTRACTED:
        raise DomainError("ROUND_NOT_ARCHIVABLE", "只有已签订合同的招标可以归档",
                          "only a round with a recorded contract can be archived",
                          ErrorKind.CONFLICT)
    unpaid_back = uow.session.scalars(select(Registration.party_id).where(
        Registration.round_id == r.id, Registration.deposit_status == "paid")).all()
    if unpaid_back:
        raise DomainError("DEPOSITS_NOT_REFUNDED", f"尚有 {len(unpaid_back)} 笔投标保证金未退还",
                          f"{len(unpaid_back)} deposit(s) are not refunded yet",
                          ErrorKind.CONFLICT)
    transition(uow, r, RoundStatus.ARCHIVED, principal.actor, "round.archive",
               event=EventType.ROUND_ARCHIVED)
    return r
