"""The demo's last step: watch the sample tender arrive at the three sandbox platforms.

The hub is started for a moment on its configured address (the targets point there, where
``ggzy serve`` mounts the sandbox peers), its embedded engine delivers every event, and the
peers' own ledgers are read back: what each platform accepted, data set by data set, in the
order it arrived. If the address is taken by this installation's ``ggzy serve``, that server
delivers instead; if by anything else, the demo refuses (``adapters.serving``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from itertools import groupby

import httpx
from sqlalchemy import func, select

from adapters.bootstrap import Container
from adapters.platforms import PROFILES, sandbox_endpoint
from adapters.serving import AddressInUse, answering_instance, bind, instance_id
from exchange.model import Delivery, DeliveryStatus


class ForeignServer(Exception):
    """Another program holds the port the sandbox routes point to."""


OPEN = [DeliveryStatus.PENDING.value, DeliveryStatus.IN_FLIGHT.value,
        DeliveryStatus.RETRYING.value, DeliveryStatus.HELD.value]


def _open_deliveries(c: Container) -> int:
    with c.session_factory() as s:
        return s.scalar(select(func.count()).select_from(Delivery)
                        .where(Delivery.status.in_(OPEN))) or 0


def _arrivals(c: Container) -> Iterator[str]:
    for profile in PROFILES:
        url = sandbox_endpoint(c.settings, profile) + "records"
        try:
            rows = httpx.get(url, timeout=5).json()["records"]
        except (httpx.HTTPError, ValueError, KeyError) as err:
            yield f"  {profile.name:<9} could not read {url}: {err}"
            continue
        order = " ".join(f"{code}×{n}" if n > 1 else code for code, n in (
            (code, len(list(group))) for code, group in groupby(r["data_set"] for r in rows)))
        yield f"  {profile.name:<9} {len(rows)} records: {order}"
    with c.session_factory() as s:
        parked = s.execute(select(Delivery.target, Delivery.mapping, Delivery.last_error)
                           .where(Delivery.status == DeliveryStatus.PARKED.value)).all()
    for target, mapping, error in parked:
        yield f"  parked    {target} {mapping}: {error}"


def deliver_to_sandbox(c: Container, timeout_seconds: float = 120.0) -> Iterator[str]:
    import uvicorn

    from adapters.exchange_runtime import embedded_engine
    from adapters.rest.app import create_app

    host, port = c.settings.host, c.settings.port
    try:
        sock = bind(host, port)  # first: the engine starts only on an address that is ours
    except AddressInUse:
        if answering_instance(host, port) != instance_id(c.settings.var_dir):
            raise ForeignServer(f"{host}:{port} is answered by another server; "
                                "the sample tender stays undelivered") from None
        yield f"exchange        {host}:{port} is our ggzy serve: it delivers to the sandbox"
        return
    server = uvicorn.Server(uvicorn.Config(create_app(c, embedded_engine(c)), host=host,
                                           port=port, log_level="warning", log_config=None))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="ggzy-demo-server", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout_seconds
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the relay's first pass
        while _open_deliveries(c) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _open_deliveries(c)
        yield ("platforms       every record delivered" if not left else
               f"platforms       {left} deliveries still open after {timeout_seconds:.0f} s")
        yield from _arrivals(c)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
