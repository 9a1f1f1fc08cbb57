"""Small translations from the national standard's codes to OCDS values.

Amounts stay ``Decimal`` (the JSON writer prints them exactly); an amount kept in 万元 becomes 元,
since an OCDS ``Value`` is in units of its currency. Times are written in Beijing time with their
offset, as every wire format of the Chinese systems is.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from core.codes.regions import is_region, region_full_name
from mappings.engine.convert import BEIJING
from mappings.ocds.facts import PartyFact

# ISO 4217 numeric → alphabetic, for the currencies of code table ``currency``.
CURRENCIES = {"156": "CNY", "840": "USD", "978": "EUR", "344": "HKD"}
TEN_THOUSAND = Decimal(10000)
USCC_SCHEME = "CN-USCC"


def when(moment: datetime) -> str:
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def value(amount: Decimal | None, currency: str, price_unit: str) -> dict[str, Any] | None:
    """An OCDS Value, or None when the amount is unknown or its currency is not mapped."""
    code = CURRENCIES.get(currency)
    if amount is None or code is None:
        return None
    in_units = amount * TEN_THOUSAND if price_unit == "1" else amount
    return {"amount": in_units, "currency": code}


def party_id(p: PartyFact) -> str:
    """Organisations by their USCC (a public register); persons by an opaque local number."""
    return f"{USCC_SCHEME}-{p.uscc}" if p.uscc else f"ggzy-person-{p.party_id}"


def reference(p: PartyFact) -> dict[str, str]:
    return {"id": party_id(p), "name": p.name}


def organization(p: PartyFact, roles: list[str], *, contact: bool) -> dict[str, Any]:
    """A party; ``contact`` only for the buyer and its agency, whose notices name them anyway."""
    out: dict[str, Any] = {"id": party_id(p), "name": p.name}
    if p.uscc:
        out["identifier"] = {"scheme": USCC_SCHEME, "id": p.uscc, "legalName": p.name}
    address: dict[str, str] = {"countryName": "中国"}
    if is_region(p.region_code):
        address["region"] = region_full_name(p.region_code)
    if contact and p.address:
        address["streetAddress"] = p.address
    out["address"] = address
    if contact and (p.contact_name or p.contact_phone):
        out["contactPoint"] = {k: v for k, v in (("name", p.contact_name),
                                                 ("telephone", p.contact_phone)) if v}
    out["roles"] = roles
    return out
