"""Targets and routes are data: changed at run time by administrators, audited like any change."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.codes.tables import CODE_TABLES
from core.errors import DomainError, ErrorKind, not_found
from exchange.mapping_specs import stored_body
from exchange.model import Route, Target

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MAPPING = re.compile(r"[a-z0-9][a-z0-9_.-]*@[0-9]{1,9}")  # fullmatch; \d would take '٣'
EVENT_PATTERN = re.compile(r"^(\*|[a-z_]+\.\*|[a-z_]+\.[a-z_]+)$")
# option names that would hold a secret in clear (secret_env / secret_file only name one)
SECRET_OPTION = re.compile(r"^(key|.*(secret|password|passwd|token))$", re.IGNORECASE)
BUILT_IN_MAPPINGS = frozenset({"json-passthrough@1"})
TARGET_FIELDS = ("kind", "endpoint", "enabled", "timeout_seconds", "max_attempts",
                 "backoff_base_seconds", "backoff_cap_seconds", "retry_statuses", "options")


def upsert_target(session: Session, name: str, values: dict[str, Any], actor: str,
                  now: datetime) -> Target:
    if not NAME.match(name):
        raise DomainError("TARGET_NAME_INVALID", f"目标名称不合规：{name}",
                          f"invalid target name: {name}", field="name")
    if not str(values.get("endpoint", "")).startswith(("http://", "https://")):
        raise DomainError("TARGET_ENDPOINT_INVALID", "目标地址须为 http(s) URL",
                          "the endpoint must be an http(s) URL", field="endpoint")
    if values.get("backoff_cap_seconds", 1) < values.get("backoff_base_seconds", 0):
        raise DomainError("BACKOFF_INVALID", "退避上限不能小于基数",
                          "the backoff cap cannot be below the base", field="backoff_cap_seconds")
    secret_like = sorted(k for k in values.get("options") or {} if SECRET_OPTION.search(k))
    if secret_like:
        raise DomainError("TARGET_SECRET_IN_OPTIONS",
                          f"密钥不得写入目标配置，请用 secret_env 或 secret_file：{secret_like}",
                          "secrets never sit in a target's options; name them with secret_env "
                          f"or secret_file: {secret_like}", field="options")
    target = session.get(Target, name)
    before = None if target is None else {f: getattr(target, f) for f in TARGET_FIELDS}
    if target is None:
        target = Target(name=name)
        session.add(target)
    for f in TARGET_FIELDS:
        if f in values:
            setattr(target, f, values[f])
    session.flush()
    audit.append(session, at=now, actor=actor, action="exchange.target.put",
                 object_type="exchange_target", object_id=name, before=before,
                 after={f: getattr(target, f) for f in TARGET_FIELDS})
    return target


def route_domain(domain: str | None) -> str | None:
    """A route's domain: a code of table ``trading_domain`` (engineering, gov_procurement, ...),
    or None (blank too) for a route that takes every domain's events."""
    if domain is None or not domain.strip():
        return None
    if domain not in CODE_TABLES["trading_domain"]:
        allowed = ", ".join(CODE_TABLES["trading_domain"].entries)
        raise DomainError("ROUTE_DOMAIN_INVALID", f"交易领域不合规：{domain}（可选：{allowed}）",
                          f"unknown trading domain: {domain} (allowed: {allowed})",
                          field="domain")
    return domain


def add_route(session: Session, event_type: str, target: str, mapping: str, enabled: bool,
              actor: str, now: datetime, domain: str | None = None) -> Route:
    """Add a route; ``domain`` narrows it to one trading domain's events (None: every event)."""
    if not EVENT_PATTERN.match(event_type):
        raise DomainError("ROUTE_EVENT_INVALID", f"事件类型不合规：{event_type}",
                          f"invalid event type pattern: {event_type}", field="event_type")
    if not MAPPING.fullmatch(mapping):
        raise DomainError("MAPPING_NAME_INVALID", f"映射名须为 名称@版本：{mapping}",
                          f"a mapping is named name@version: {mapping}", field="mapping")
    domain = route_domain(domain)
    if session.get(Target, target) is None:
        raise not_found("交换目标", "target", target)
    if mapping not in BUILT_IN_MAPPINGS and stored_body(session, mapping) is None:
        raise not_found("映射规格", "mapping spec", mapping)
    exists = session.scalar(select(Route.id).where(Route.event_type == event_type,
                                                   Route.target == target,
                                                   Route.mapping == mapping))
    if exists is not None:
        raise DomainError("ROUTE_EXISTS", "该路由已存在", "this route already exists",
                          ErrorKind.CONFLICT)
    route = Route(event_type=event_type, target=target, mapping=mapping, enabled=enabled,
                  domain=domain)
    session.add(route)
    session.flush()
    audit.append(session, at=now, actor=actor, action="exchange.route.add",
                 object_type="exchange_route", object_id=str(route.id), before=None,
                 after={"event_type": event_type, "target": target, "mapping": mapping,
                        "enabled": enabled, "domain": domain})
    return route


def set_route_domain(session: Session, route_id: int, domain: str | None, actor: str,
                     now: datetime) -> Route:
    """Narrow a route to one trading domain's events, or (None) widen it to every event; what
    it changes is audited. Deliveries already made stay as they are."""
    domain = route_domain(domain)
    route = session.get(Route, route_id)
    if route is None:
        raise not_found("路由", "route", str(route_id))
    if route.domain != domain:
        before = route.domain
        route.domain = domain
        session.flush()
        audit.append(session, at=now, actor=actor, action="exchange.route.domain",
                     object_type="exchange_route", object_id=str(route.id),
                     before={"domain": before}, after={"domain": domain})
    return route
