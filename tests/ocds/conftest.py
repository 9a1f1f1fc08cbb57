"""Fixtures for the OCDS export: the demo tender on PostgreSQL, exported at every step, and a
guard that fails any test in which something tried to reach the network."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.bootstrap import Container
from adapters.demo import load_sample_data
from core.errors import DomainError
from core.model.project import Section
from core.model.tendering import Bid, BidOpening, OpeningRecord, Round
from exchange.ocds import packages
from exchange.ocds.settings import from_env
from mappings.ocds.blocks import Links
from mappings.ocds.jsonout import dumps
from mappings.ocds.publication import PublicationSettings

BASE = "https://ggzy.example.cn/"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Refuse (and remember) every attempt to resolve or reach a host other than loopback."""
    attempts: list[object] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(sock: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in LOOPBACK:
            attempts.append(address)
            raise OSError(f"network access refused in tests: {address}")
        real_connect(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOOPBACK and host is not None:
            attempts.append(host)
            raise OSError(f"name resolution refused in tests: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    assert attempts == [], f"something tried to reach the network: {attempts}"


@pytest.fixture
def publication(container: Container) -> PublicationSettings:
    return from_env({}, container.settings.platform)


def export(container: Container, settings: PublicationSettings, code: str,
           kind: str = "releases") -> tuple[bytes, dict[str, Any]]:
    """A package as the API writes it (exact bytes) and as a client parses it."""
    links = Links(BASE, f"{BASE}api/v1/public/ocds/sections/{code}/record")
    with container.uow() as uow:
        if kind == "releases":
            package = packages.release_package(uow.session, code, settings,
                                               uri=f"{BASE}releases", published=uow.clock.now(),
                                               links=links)
        else:
            package = packages.record_package(uow.session, code, settings,
                                              uri=f"{BASE}record", published=uow.clock.now(),
                                              links=links, releases_uri=f"{BASE}releases")
        uow.commit()
    raw = dumps(package)
    return raw, json.loads(raw)


@dataclass
class Snapshot:
    """The first section's release package after one step of the demo, with the state behind it."""

    step: str
    round_status: str | None
    sealed_bids: int
    opened_rows: int  # tender_bid_openings rows: they exist before the record is signed
    record_signed: bool
    raw: bytes | None  # None while nothing of the section is public


@dataclass
class Demo:
    sections: list[str]
    snapshots: list[Snapshot] = field(default_factory=list)


def _state(container: Container, code: str) -> tuple[str | None, int, int, bool]:
    with container.uow() as uow:
        r = uow.session.scalars(select(Round).join(Round.section)
                                .where(Section.code == code).order_by(Round.round_no.desc())
                                ).first()
        if r is None:
            return None, 0, 0, False
        sealed = uow.session.scalar(select(func.count()).select_from(Bid)
                                    .where(Bid.round_id == r.id)) or 0
        opened = uow.session.scalar(select(func.count()).select_from(BidOpening)
                                    .where(BidOpening.round_id == r.id)) or 0
        return r.status, sealed, opened, uow.session.get(OpeningRecord, r.id) is not None


@pytest.fixture
def demo(container: Container, publication: PublicationSettings) -> Demo:
    """`ggzy demo` (adapters.demo → adapters.demo_lifecycle) on PostgreSQL, the first section
    exported after every step it reports."""
    result = Demo(sections=[])
    for step in load_sample_data(container):
        with container.uow() as uow:
            result.sections = list(uow.session.scalars(select(Section.code)
                                                       .order_by(Section.code)))
        if not result.sections:
            continue
        code = result.sections[0]
        try:
            raw: bytes | None = export(container, publication, code)[0]
        except DomainError:
            raw = None
        result.snapshots.append(Snapshot(step, *_state(container, code), raw))
    return result
