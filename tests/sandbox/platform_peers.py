"""What the platform peer tests share: a peer served for the length of a block, and the peers'
plain JSON side. The SOAP envelopes stay in each test module, written by hand from that peer's
protocol, so that the tests read one protocol each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import zeep

from sandbox.platforms.app import PlatformApp
from sandbox.platforms.serve import serving

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZEEP_SETTINGS = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True, xml_huge_tree=False)


@contextmanager
def served(app: PlatformApp) -> Iterator[str]:
    """Serve ``app`` while the block runs and close it (its store too) afterwards; yields the
    base URL."""
    try:
        with serving(app) as base:
            yield base
    finally:
        app.close()


def records(url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = httpx.get(url + "/records").json()["records"]
    return rows


def stats(url: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(url + "/stats").json()
    return data


def arm(url: str, **plan: object) -> None:
    response = httpx.post(url + "/control/faults", json=plan)
    assert response.status_code == 201, response.text
