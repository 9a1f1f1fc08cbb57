"""Each platform profile end to end: the sample tender's events, through relay, mapping specs,
the real outbound adapter and SOAP over loopback, into that profile's sandbox peer (PostgreSQL).

Checked per profile: every data set arrives, parent first, in the order the tender happened;
a child whose parent is being retried is held back by order, not refused by the peer; a resent
add ("already exists") counts as delivered; a record that breaks the standard is parked with
the data set, field and rule named and never reaches the peer; Shanxi's receiveTime is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from adapters.demo import load_sample_data
from adapters.exchange_runtime import build_registry
from adapters.platforms import PROFILES, Profile, configure_profile, profile_options
from core.clock import MovableClock
from exchange import operations
from exchange.delivery import Deliverer
from exchange.mapping_specs import save_version
from exchange.model import (
    Acknowledgement,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Route,
    Target,
)
from exchange.relay import relay_batch
from exchange.sweeper import sweep
from mappings.specs import shipped_specs
from sandbox.platforms import fujian, national, shanxi
from sandbox.platforms.serve import serving

TENDER_ORDER = ["500", "501", "502", "502", "503", "506", "507", "507", "507", "509", "511",
                "510", "510", "510", "513", "512"]
SECRET = "sandbox-secret-0123456789"


def _peer_app(profile: Profile, store: Path, c: Container) -> Any:
    if profile.name == "fujian":
        return fujian.create_app(store, senders={"0001": SECRET})
    if profile.name == "shanxi":
        return shanxi.create_app(store, users={"1400000001": SECRET},
                                 credit_codes={"1400000001": c.settings.platform.uscc})
    return national.create_app(store, platforms={c.settings.platform.code: SECRET})


@dataclass
class Run:
    container: Container
    clock: MovableClock
    profile: Profile
    base: str
    deliverer: Deliverer

    def drive(self, rounds: int = 50, announced: list[int] | None = None) -> None:
        """Relay and deliver until nothing is due (what the transport would do)."""
        for _ in range(rounds):
            ids, announced = list(announced or []), None
            with self.container.session_factory() as s:
                ids += relay_batch(s, self.clock.now())[0]
                s.commit()
            with self.container.session_factory() as s:
                ids += sweep(s, self.clock.now())
            if not ids:
                return
            queue = ids
            while queue:
                dispatched: list[int] = []
                self.deliverer._dispatch = dispatched.extend  # type: ignore[method-assign]
                self.deliverer.deliver(queue)
                queue = dispatched

    def deliveries(self) -> list[Delivery]:
        with self.container.session_factory() as s:
            return list(s.scalars(select(Delivery).order_by(Delivery.sequence, Delivery.id)))

    def peer(self, path: str) -> Any:
        return httpx.get(f"{self.base}/{path}", timeout=5).json()

    def fault(self, mode: str, count: int = 1) -> None:
        httpx.post(f"{self.base}/control/faults", json={"mode": mode, "count": count},
                   timeout=5).raise_for_status()


@pytest.fixture(params=[p.name for p in PROFILES])
def run(request: pytest.FixtureRequest, container: Container, clock: MovableClock,
        tmp_path: Path) -> Iterator[Run]:
    profile = next(p for p in PROFILES if p.name == request.param)
    secret_file = tmp_path / "peer.secret"
    secret_file.write_text(SECRET)
    app = _peer_app(profile, tmp_path / "peer.db", container)
    with serving(app) as base:
        c = replace(container, settings=replace(container.settings, sandbox=False))
        with c.session_factory() as s:
            configure_profile(s, c.settings, profile, base + "/", "test", clock.now())
            target = s.get(Target, profile.name)
            assert target is not None
            target.options = {**profile_options(c.settings, profile),
                              "secret_file": str(secret_file)}
            target.backoff_base_seconds, target.backoff_cap_seconds = 1.0, 2.0
            s.commit()
        registry = build_registry(c)
        deliverer = Deliverer(c.session_factory, registry, clock, lambda ids: None)
        yield Run(c, clock, profile, base, deliverer)
        deliverer.close()
        registry.close()
    app.close()


def _tender(run: Run) -> None:
    for _ in load_sample_data(run.container):
        pass


def test_the_tender_arrives_data_set_by_data_set_parent_first(run: Run) -> None:
    _tender(run)
    run.drive()
    statuses = {d.status for d in run.deliveries()}
    assert statuses == {DeliveryStatus.DELIVERED.value}, [
        (d.mapping, d.status, d.last_error) for d in run.deliveries() if d.status != "delivered"]
    records = run.peer("records")["records"]
    assert [r["data_set"] for r in records] == TENDER_ORDER
    with run.container.session_factory() as s:
        acks = list(s.scalars(select(Acknowledgement).where(
            Acknowledgement.target == run.profile.name)))
    assert len(acks) == len(TENDER_ORDER)
    if run.profile.name == "shanxi":  # receiveTime: the official publication time of notices
        notice = next(a for a in acks if a.data_set == "503")
        assert notice.official_time is not None and notice.official_time.tzinfo is not None


def test_a_child_waits_while_its_parent_is_retried(run: Run) -> None:
    run.fault("http_500", count=1)  # the project record (500) fails once
    _tender(run)
    run.drive(rounds=1)
    first, *rest = run.deliveries()
    assert first.mapping == "gcjs.project@1" and first.status == DeliveryStatus.RETRYING.value
    assert rest and {d.status for d in rest} <= {DeliveryStatus.HELD.value,
                                                 DeliveryStatus.PENDING.value}
    assert run.peer("records")["records"] == []  # nothing went ahead of its parent
    run.clock.advance(timedelta(seconds=5))
    run.drive()
    assert [r["data_set"] for r in run.peer("records")["records"]] == TENDER_ORDER


def test_a_resent_add_counts_as_delivered_and_changes_nothing(run: Run) -> None:
    _tender(run)
    run.drive()
    before = run.peer("records")["records"]
    with run.container.session_factory() as s:
        section = s.scalars(select(Delivery).where(Delivery.mapping == "gcjs.section@1")
                            .order_by(Delivery.id)).first()
        assert section is not None
        again = operations.replay(s, operations.Selection(ids=(section.id,)), "test:replay",
                                  run.clock.now())
        s.commit()
    run.drive(announced=again)
    resent = next(d for d in run.deliveries() if d.id == section.id)
    assert resent.status == DeliveryStatus.DELIVERED.value
    with run.container.session_factory() as s:
        answers = s.scalars(select(DeliveryAttempt.response).where(
            DeliveryAttempt.delivery_id == section.id).order_by(DeliveryAttempt.number)).all()
    assert len(answers) == 2  # sent twice, taken once
    assert run.peer("records")["records"] == before
    assert run.peer("stats")["duplicates"] >= 1


def test_a_record_that_breaks_the_standard_is_parked_and_never_sent(run: Run) -> None:
    body = dict(shipped_specs()["gcjs.section@1"], version=2)
    body["fields"] = {**body["fields"], "BID_SECTION_NAME": "payload.no_such_field"}
    with run.container.session_factory() as s:
        save_version(s, body, "test: a broken override", "test", run.clock.now())
        route = s.scalars(select(Route).where(Route.target == run.profile.name,
                                              Route.mapping == "gcjs.section@1")).all()
        for r in route:
            r.mapping = "gcjs.section@2"
        s.commit()
    _tender(run)
    run.drive()
    parked = [d for d in run.deliveries() if d.status == DeliveryStatus.PARKED.value]
    assert parked and all(d.mapping == "gcjs.section@2" for d in parked)
    assert "data set 502" in (parked[0].last_error or "")
    assert "BID_SECTION_NAME MISSING_MANDATORY" in (parked[0].last_error or "")
    sent = [r["data_set"] for r in run.peer("records")["records"]]
    assert "502" not in sent and sent[:2] == ["500", "501"]
