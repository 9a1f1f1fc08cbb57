"""Access rules shared by the use cases: which kind of account, and whose object.

Ownership of a project belongs to a party, not to a user: the owner (招标人 / 采购人 / 出让人) and
the agency it appointed may both act on it; every user account of those parties may.
"""

from __future__ import annotations

from core.errors import DomainError, ErrorKind
from core.model.account import AccountKind
from core.model.project import Project
from core.security.principal import Principal


def require_kind(principal: Principal, *kinds: AccountKind) -> None:
    if principal.kind not in kinds:
        allowed = ", ".join(k.value for k in kinds)
        raise DomainError(
            "ROLE_NOT_ALLOWED",
            f"当前账号类型 {principal.kind.value} 无权执行此操作（需要：{allowed}）",
            f"account kind {principal.kind.value} may not do this (needs: {allowed})",
            ErrorKind.FORBIDDEN,
        )


def require_party_user(principal: Principal) -> int:
    require_kind(principal, AccountKind.PARTY_USER)
    if principal.party_id is None:
        raise DomainError("ACCOUNT_HAS_NO_PARTY", "账号未关联交易主体",
                          "the account is not linked to a party", ErrorKind.FORBIDDEN)
    return principal.party_id


def acts_for_project(principal: Principal, project: Project) -> bool:
    return principal.party_id is not None and principal.party_id in (
        project.owner_party_id,
        project.agency_party_id,
    )


def require_project_actor(principal: Principal, project: Project) -> None:
    if principal.kind is AccountKind.PARTY_USER and acts_for_project(principal, project):
        return
    raise DomainError(
        "NOT_PROJECT_OWNER",
        f"只有项目 {project.code} 的招标人（采购人、出让人）或其代理机构可以修改它",
        f"only the owner of project {project.code} or its agency may change it",
        ErrorKind.FORBIDDEN,
    )


def can_read_project(principal: Principal, project: Project) -> bool:
    return principal.has_oversight or acts_for_project(principal, project)
