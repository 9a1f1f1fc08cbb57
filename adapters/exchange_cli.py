"""`ggzy deliveries`, `targets`, `platforms`, `routes`: the exchange as an operator runs it
(inspect, replay and discard deliveries; configure targets and routes), audited as operator:cli,
through the same use cases as REST (``exchange/console.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from adapters.cli_support import command_container, json_option, show
from exchange import console


def _selection(ids: tuple[int, ...], target: str | None, status: str | None,
               since: str | None, until: str | None) -> Any:
    from exchange.operations import Selection

    def moment(text: str | None) -> datetime | None:
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise click.BadParameter(f"{text}: not an ISO 8601 time, e.g. "
                                     "2026-11-24T08:00+08:00") from None
        if value.tzinfo is None:
            raise click.BadParameter(f"{text}: give a time zone, e.g. 2026-11-24T08:00+08:00")
        return value

    return Selection(ids, target, status, moment(since), moment(until))


def _selection_options(f):
    for option in (
        click.option("--id", "ids", multiple=True, type=int, help="delivery id (repeatable)"),
        click.option("--target", default=None),
        click.option("--status", default=None),
        click.option("--since", default=None, help="created at or after (ISO 8601 with zone)"),
        click.option("--until", default=None, help="created before (ISO 8601 with zone)"),
    ):
        f = option(f)
    return f


@click.group()
def deliveries() -> None:
    """Inspect, replay and discard exchange deliveries (audited as operator:cli)."""


@deliveries.command("stats")
def deliveries_stats() -> None:
    """Counters per target, and the age of the oldest undelivered message."""
    with command_container() as container, container.uow() as uow:
        found = console.stats(uow, None)
        click.echo(f"unrelayed events: {found.unrelayed_events}")
        for t in found.targets:
            counts = " ".join(f"{k}={v}" for k, v in t.by_status.items() if v)
            age = t.oldest_open_age_seconds
            click.echo(f"{t.target}: {counts}"
                       + ("" if age is None else f" oldest_open={age:.1f}s"))


@deliveries.command("list")
@click.option("--status", default=None, help="pending, delivered, parked, …")
@click.option("--target", default=None)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@json_option
def deliveries_list(status: str | None, target: str | None, limit: int, as_json: bool) -> None:
    """The newest deliveries, optionally of one status and one target."""
    with command_container() as container, container.uow() as uow:
        rows = [{"id": d.id, "target": d.target, "event_type": d.event_type,
                 "status": d.status, "attempts": d.attempts, "created_at": d.created_at,
                 "delivered_at": d.delivered_at, "mapping": d.mapping,
                 "ordering_key": d.ordering_key,
                 "last_error": (d.last_error or "")[:200] or None}
                for d in console.recent_deliveries(uow, None, target, status, limit)]
    show(rows, ("id", "target", "event_type", "status", "attempts", "created_at",
                 "last_error"), as_json)


@deliveries.command("replay")
@_selection_options
def deliveries_replay(ids: tuple[int, ...], target: str | None, status: str | None,
                      since: str | None, until: str | None) -> None:
    """Send deliveries again with a fresh attempt budget (the sweeper announces them)."""
    with command_container() as container:
        with container.uow() as uow:
            done = console.replay(uow, None, _selection(ids, target, status, since, until))
            uow.commit()
        click.echo(f"replayed {len(done)} deliveries")


@deliveries.command("discard")
@_selection_options
@click.option("--reason", required=True)
def deliveries_discard(ids: tuple[int, ...], target: str | None, status: str | None,
                       since: str | None, until: str | None, reason: str) -> None:
    """Give up on deliveries, with a reason; later ones of the same key may then go."""
    with command_container() as container:
        with container.uow() as uow:
            done, _ = console.discard(uow, None, _selection(ids, target, status, since, until),
                                      reason)
            uow.commit()
        click.echo(f"discarded {len(done)} deliveries")


@click.group()
def targets() -> None:
    """Exchange targets (external systems) and their retry policies."""


@targets.command("list")
@json_option
def targets_list(as_json: bool) -> None:
    """Every target, its endpoint and retry policy (options are shown, secrets never are:
    they are referenced by name)."""
    with command_container() as container, container.uow() as uow:
        rows = [{"name": t.name, "kind": t.kind, "endpoint": t.endpoint,
                 "state": "enabled" if t.enabled else "disabled",
                 "timeout_seconds": t.timeout_seconds, "max_attempts": t.max_attempts,
                 "backoff_base_seconds": t.backoff_base_seconds,
                 "backoff_cap_seconds": t.backoff_cap_seconds, "options": t.options}
                for t in console.list_targets(uow, None)]
    show(rows, ("name", "kind", "state", "max_attempts", "endpoint"), as_json)


@targets.command("set")
@click.argument("name")
@click.option("--kind", default="http_json", show_default=True)
@click.option("--endpoint", required=True)
@click.option("--timeout", "timeout_seconds", default=10.0, show_default=True, type=float)
@click.option("--max-attempts", default=8, show_default=True, type=int)
@click.option("--backoff-base", "backoff_base_seconds", default=1.0, show_default=True,
              type=float)
@click.option("--backoff-cap", "backoff_cap_seconds", default=300.0, show_default=True,
              type=float)
@click.option("--disabled", is_flag=True)
def targets_set(name: str, disabled: bool, **values: object) -> None:
    """Create or change a target."""
    with command_container() as container:
        with container.uow() as uow:
            console.set_target(uow, None, name, {**values, "enabled": not disabled})
            uow.commit()
        click.echo(f"target {name} saved")


@click.group()
def platforms() -> None:
    """The provincial and national platform profiles (Fujian-style, Shanxi-style, national)."""


@platforms.command("setup")
@click.argument("profile", type=click.Choice(["fujian", "shanxi", "national"]))
@click.option("--endpoint", required=True, help="the platform's SOAP endpoint (WSDL at ?wsdl)")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help="adapter option, e.g. system_no=0001 or secret_env=GGZY_FJ_SECRET")
def platforms_setup(profile: str, endpoint: str, options: tuple[str, ...]) -> None:
    """Create or update PROFILE's target and route every mapped data set to it."""
    from adapters.platforms import PROFILES, configure_profile, profile_options

    chosen = next(p for p in PROFILES if p.name == profile)
    given = dict(o.split("=", 1) for o in options if "=" in o)
    with command_container() as container:
        with container.uow() as uow:
            added = configure_profile(
                uow.session, container.settings, chosen, endpoint, "operator:cli",
                uow.clock.now(),
                {**profile_options(container.settings, chosen, sandbox=False), **given})
            uow.commit()
        click.echo(f"target {profile} ({chosen.kind}) -> {endpoint}; {added} routes added")


@click.group()
def routes() -> None:
    """Which events go to which target through which mapping."""


@routes.command("list")
@json_option
def routes_list(as_json: bool) -> None:
    """Every route: which events go to which target through which mapping, and of which
    trading domain ('*': every event)."""
    with command_container() as container, container.uow() as uow:
        rows = [{"id": r.id, "event_type": r.event_type, "target": r.target,
                 "mapping": r.mapping, "state": "enabled" if r.enabled else "disabled",
                 "domain": r.domain or "*"}
                for r in console.list_routes(uow, None)]
    show(rows, ("id", "event_type", "target", "mapping", "state", "domain"), as_json)


@routes.command("add")
@click.argument("event_type")
@click.argument("target")
@click.option("--mapping", default="json-passthrough@1", show_default=True)
@click.option("--domain", default=None,
              help="only this trading domain's events (engineering, gov_procurement, ...); "
                   "default: every event")
def routes_add(event_type: str, target: str, mapping: str, domain: str | None) -> None:
    """Route EVENT_TYPE ('notice.published', 'notice.*' or '*') to TARGET."""
    with command_container() as container, container.uow() as uow:
        route = console.add_route(uow, None, event_type, target, mapping, domain=domain)
        uow.commit()
        click.echo(f"route {route.id}: {event_type} -> {target} ({mapping})"
                   + (f" [{route.domain} only]" if route.domain else ""))


@routes.command("domain")
@click.argument("route_id", type=int)
@click.argument("domain")
def routes_domain(route_id: int, domain: str) -> None:
    """Narrow route ROUTE_ID to DOMAIN's events ('*' widens it to every event)."""
    with command_container() as container, container.uow() as uow:
        route = console.set_route_domain(uow, None, route_id, None if domain == "*" else domain)
        uow.commit()
        click.echo(f"route {route.id}: {route.event_type} -> {route.target} ({route.mapping})"
                   f" [{route.domain or 'every'} domain]")
