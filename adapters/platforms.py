"""The three platform profiles as configured targets, and their sandbox stand-ins.

A profile target is an ordinary exchange target (kind = the adapter) with one route per event
type per mapping spec: ``tender_project.created`` → ``gcjs.tender_project@1`` → the province.
Each route takes only the trading domain its spec is written for (``mappings.specs.spec_domain``:
the gcjs sets take 工程建设 events), so a 政府采购 tender's events never become 工程建设 records;
no 政府采购 spec (55x) ships yet, so those go to no platform (docs/mappings.md).
All routes of a target share the project's ordering key, so records reach each platform parent
first (project → tender project → section → notice → opening → results), and a child waits
while its parent is still being retried.

In the embedded default (``make run``) the three sandbox peers are mounted on the hub's own
server under ``/sandbox/<profile>/``, with credentials drawn at first use from ``secrets`` into
owner-only files under ``var/sandbox-platforms/`` (never in the repository); the targets name
those files, the peers read the same ones.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.config import Settings
from adapters.keys import write_secret_file
from exchange import config
from exchange.model import Route
from mappings.specs import shipped_specs, spec_domain

SANDBOX_PREFIX = "/sandbox"
# Sample sender identities the sandbox peers know us by.
FUJIAN_SYSTEM_NO = "0001"
SHANXI_USER_ID = "1400000001"


@dataclass(frozen=True)
class Profile:
    name: str  # target name and sandbox path segment
    kind: str  # adapter kind
    carries: frozenset[str] | None  # data sets the platform takes (None: every one)


PROFILES = (
    Profile("fujian", "fujian_v4", None),
    Profile("shanxi", "shanxi_pspde", frozenset({
        "500", "501", "502", "503", "504", "506", "507", "508", "509", "510", "511", "512",
        "513", "517"})),
    Profile("national", "national_xml", None),
)


def secret_path(settings: Settings, profile: str) -> Path:
    return settings.var_dir / "sandbox-platforms" / f"{profile}.secret"


def sandbox_secret(settings: Settings, profile: str) -> str:
    """The shared secret of a sandbox profile, drawn once."""
    path = secret_path(settings, profile)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process drew it first
            write_secret_file(path, secrets.token_urlsafe(24).encode())
    return path.read_text().strip()


def profile_options(settings: Settings, profile: Profile, *, sandbox: bool = True
                    ) -> dict[str, Any]:
    """The adapter options of a profile: the sandbox identities and secret files, or (with
    ``sandbox=False``) only what follows from our own identity."""
    secret = {"secret_file": str(secret_path(settings, profile.name))} if sandbox else {}
    if profile.kind == "fujian_v4":
        ours = {"system_no": FUJIAN_SYSTEM_NO, "route_way": "1", "ca_key": "SANDBOX-CA"}
        return {**ours, **secret} if sandbox else {"route_way": "1"}
    if profile.kind == "shanxi_pspde":
        return {"user_id": SHANXI_USER_ID, "credit_code": settings.platform.uscc, **secret} \
            if sandbox else {"credit_code": settings.platform.uscc}
    return {"platform_code": settings.platform.code, **secret}


def spec_routes(profile: Profile) -> list[tuple[str, str]]:
    """(event type, spec ref) for every shipped spec the platform carries."""
    return sorted((event, ref) for ref, raw in shipped_specs().items()
                  if profile.carries is None or raw["data_set"] in profile.carries
                  for event in raw["events"])


def configure_profile(session: Session, settings: Settings, profile: Profile, endpoint: str,
                      actor: str, now: datetime, options: dict[str, Any] | None = None) -> int:
    """Create or update the target and add its missing routes, each narrowed to its spec's
    trading domain (a route set up before routes had one is narrowed now); returns the routes
    added. ``options`` default to the sandbox's."""
    config.upsert_target(session, profile.name, {
        "kind": profile.kind, "endpoint": endpoint, "timeout_seconds": 10.0,
        "options": profile_options(settings, profile) if options is None else options},
        actor, now)
    existing = {(r.event_type, r.mapping): r for r in session.scalars(
        select(Route).where(Route.target == profile.name))}
    added = 0
    for event, ref in spec_routes(profile):
        found = existing.get((event, ref))
        if found is None:
            config.add_route(session, event, profile.name, ref, True, actor, now,
                             spec_domain(ref))
            added += 1
        elif found.domain is None and spec_domain(ref) is not None:
            config.set_route_domain(session, found.id, spec_domain(ref), actor, now)
    return added


def sandbox_endpoint(settings: Settings, profile: Profile) -> str:
    return f"http://{settings.host}:{settings.port}{SANDBOX_PREFIX}/{profile.name}/"


def sandbox_apps(settings: Settings) -> dict[str, Any]:
    """The three sandbox peers as WSGI apps, by mount path, sharing the targets' secrets."""
    from sandbox.platforms import fujian, national, shanxi

    folder = settings.var_dir / "sandbox-platforms"
    folder.mkdir(parents=True, exist_ok=True)
    return {
        f"{SANDBOX_PREFIX}/fujian": fujian.create_app(
            folder / "fujian.db", senders={FUJIAN_SYSTEM_NO: sandbox_secret(settings, "fujian")}),
        f"{SANDBOX_PREFIX}/shanxi": shanxi.create_app(
            folder / "shanxi.db", users={SHANXI_USER_ID: sandbox_secret(settings, "shanxi")},
            credit_codes={SHANXI_USER_ID: settings.platform.uscc}),
        f"{SANDBOX_PREFIX}/national": national.create_app(
            folder / "national.db",
            platforms={settings.platform.code: sandbox_secret(settings, "national")}),
    }
