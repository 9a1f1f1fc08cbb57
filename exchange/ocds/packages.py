"""Release and record packages of a section: the envelopes the public API serves.

A section nobody has announced yet (no published notice, no documents issued) has no releases;
it is answered exactly like an unknown code, so the API does not tell which codes exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.errors import not_found
from exchange.ocds.loader import load_section
from mappings.ocds.blocks import Links
from mappings.ocds.merge import compile_releases
from mappings.ocds.publication import EXTENSIONS, PublicationSettings
from mappings.ocds.releases import section_releases
from mappings.ocds.values import USCC_SCHEME, when

VERSION = "1.1"


def _releases(session: Session, section_code: str, settings: PublicationSettings,
              links: Links) -> dict[str, list[dict[str, Any]]]:
    facts = load_section(session, section_code)
    found = section_releases(settings.ocid_prefix, facts, links) if facts else {}
    if not found:
        raise not_found("标段(包)", "section", section_code)
    return found


def _envelope(settings: PublicationSettings, uri: str, published: datetime) -> dict[str, Any]:
    return {"uri": uri, "version": VERSION, "extensions": list(EXTENSIONS),
            "publishedDate": when(published),
            "publisher": {"name": settings.publisher_name, "scheme": USCC_SCHEME,
                          "uid": settings.publisher_uid}}


def release_package(session: Session, section_code: str, settings: PublicationSettings, *,
                    uri: str, published: datetime, links: Links) -> dict[str, Any]:
    """Every release of every tendering round of the section, oldest first per round."""
    by_ocid = _releases(session, section_code, settings, links)
    return {**_envelope(settings, uri, published),
            "releases": [r for releases in by_ocid.values() for r in releases]}


def record_package(session: Session, section_code: str, settings: PublicationSettings, *,
                   uri: str, published: datetime, links: Links,
                   releases_uri: str | None = None) -> dict[str, Any]:
    """One record per ocid: its releases embedded and the compiled release."""
    by_ocid = _releases(session, section_code, settings, links)
    package = _envelope(settings, uri, published)
    if releases_uri:
        package["packages"] = [releases_uri]
    package["records"] = [{"ocid": ocid, "releases": releases,
                           "compiledRelease": compile_releases(releases)}
                          for ocid, releases in by_ocid.items()]
    return package
