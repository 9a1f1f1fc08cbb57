"""Every outbound adapter kind the hub can configure a target with, by ``Target.kind``."""

from __future__ import annotations

from adapters.outbound.fujian import FujianAdapter
from adapters.outbound.http_json import HttpJsonAdapter
from adapters.outbound.national import NationalAdapter
from adapters.outbound.shanxi import ShanxiAdapter
from exchange.registry import AdapterFactory

ADAPTER_KINDS: dict[str, AdapterFactory] = {
    "http_json": HttpJsonAdapter,
    "fujian_v4": FujianAdapter,
    "shanxi_pspde": ShanxiAdapter,
    "national_xml": NationalAdapter,
}
