"""The trading domains (交易领域) as data: who owns a project, who may act for the owner, and
which code table names the procurement mode.

A project belongs to a domain before any procedure is chosen, so these facts cannot live on the
procedure (``core.rules.procedures``): they decide who may create the project and how its tender
project's mode is read. A domain not listed here follows the tendering law's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class TradingDomain:
    owner_role: str  # 招标人 / 采购人 / 出让人: the party role that owns a project
    agency_role: str  # the agency role that may act for such an owner
    mode_table: str  # the code table a tender project's mode is read from
    project_type_required: bool  # 招标项目类型 (D29) must be given


_TENDERING = TradingDomain("tenderer", "tender_agency", "tender_mode", False)

DOMAINS: Mapping[str, TradingDomain] = MappingProxyType({
    "engineering": TradingDomain("tenderer", "tender_agency", "tender_mode", True),
    # 政府采购法 26: the procurement methods are its own table
    "gov_procurement": TradingDomain("purchaser", "procurement_agency", "procurement_method",
                                     False),
    "land_mineral": TradingDomain("transferor", "tender_agency", "tender_mode", False),
    "state_property": TradingDomain("transferor", "tender_agency", "tender_mode", False),
})


def trading_domain(domain: str) -> TradingDomain:
    return DOMAINS.get(domain, _TENDERING)
