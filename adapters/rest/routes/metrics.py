"""Prometheus metrics in the text exposition format, computed from the tables at scrape time.

The tables are the truth across all relays and workers, so any one web process can answer for
the whole cluster. Aggregates only; expose it to the monitoring network, not the internet.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from adapters.rest.deps import UoW
from core.services.calendar import current_health
from exchange import operations

router = APIRouter(tags=["operations"])


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(uow: UoW) -> PlainTextResponse:
    now = uow.clock.now()
    lines = [
        "# HELP ggzy_deliveries Deliveries per target and status.",
        "# TYPE ggzy_deliveries gauge",
    ]
    counters = operations.counters(uow.session, now)
    for t in counters:
        for status, n in sorted(t.by_status.items()):
            lines.append(f'ggzy_deliveries{{target="{_label(t.target)}",'
                         f'status="{status}"}} {n}')
    lines += ["# HELP ggzy_delivery_oldest_open_age_seconds Age of the oldest undelivered "
              "delivery per target (0 when none).",
              "# TYPE ggzy_delivery_oldest_open_age_seconds gauge"]
    for t in counters:
        lines.append(f'ggzy_delivery_oldest_open_age_seconds{{target="{_label(t.target)}"}} '
                     f"{t.oldest_open_age_seconds or 0:.3f}")
    lines += ["# HELP ggzy_outbox_unrelayed Events committed but not yet relayed.",
              "# TYPE ggzy_outbox_unrelayed gauge",
              f"ggzy_outbox_unrelayed {operations.unrelayed_events(uow.session)}"]
    calendar = current_health(uow)
    lines += ["# HELP ggzy_calendar_official_days_left Days from today to the end of the "
              "official holiday schedule (0: today's year is provisional).",
              "# TYPE ggzy_calendar_official_days_left gauge",
              f"ggzy_calendar_official_days_left {calendar.days_left}"]
    return PlainTextResponse("\n".join(lines) + "\n",
                             media_type="text/plain; version=0.0.4; charset=utf-8")
