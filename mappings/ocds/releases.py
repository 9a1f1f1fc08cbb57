"""Releases of a section: one contracting process (ocid) per tendering round.

The ocid is ``<prefix>-<统一交易标识码>-<section number>``, the section number being the last three
digits of the 23-character section code; a re-tender after 流标 or 终止 is a new process,
``…-<section number>-<round>``, linked to the failed one as an ``unsuccessfulProcess``. A section
is tendered on its own (its deadline, opening, failure and award are its own), which the lots of
OCDS 1.1 cannot express within one process; see docs/ocds.md.
"""

from __future__ import annotations

from typing import Any

from mappings.ocds import blocks
from mappings.ocds.blocks import Links, Scope
from mappings.ocds.facts import RoundFacts, SectionFacts
from mappings.ocds.timeline import Point, Seen, points, tags
from mappings.ocds.values import reference, when


def ocid(prefix: str, facts: SectionFacts, round_no: int) -> str:
    base = f"{prefix}-{facts.unified_deal_code}-{facts.code[-3:]}"
    return base if round_no == 1 else f"{base}-{round_no}"


def _related(prefix: str, s: Scope) -> list[dict[str, Any]]:
    earlier = [r for r in s.facts.rounds if r.round_no < s.round.round_no]
    if not earlier:
        return []
    previous = earlier[-1]
    link = {"id": "1", "relationship": ["unsuccessfulProcess"],
            "title": f"{s.facts.name}（第{previous.round_no}次招标）", "scheme": "ocid",
            "identifier": ocid(prefix, s.facts, previous.round_no)}
    if s.links.record_url:
        link["uri"] = s.links.record_url
    return [link]


def _release(prefix: str, s: Scope, point: Point, seen: Seen, first: bool) -> dict[str, Any]:
    process = ocid(prefix, s.facts, s.round.round_no)
    release: dict[str, Any] = {
        "ocid": process,
        "id": f"{process}-{point.key}",
        "date": when(point.at),
        "tag": tags(point, first, seen),
        "initiationType": "tender",
        "language": "zh",
        "parties": blocks.parties(s, seen),
        "buyer": reference(s.facts.buyer),
        "tender": blocks.tender(s, seen),
    }
    bids = blocks.bids(s, seen)
    if bids is not None:
        release["bids"] = bids
    for key, block in (("awards", blocks.awards(s, seen)),
                       ("contracts", blocks.contracts(s, seen)),
                       ("relatedProcesses", _related(prefix, s))):
        if block:
            release[key] = block
    return release


def round_releases(prefix: str, facts: SectionFacts, rf: RoundFacts,
                   links: Links) -> list[dict[str, Any]]:
    """The releases of one round, oldest first."""
    scope = Scope(facts, rf, links, latest=rf is facts.rounds[-1])
    timeline = points(rf)
    return [_release(prefix, scope, p, Seen(tuple(timeline[: i + 1])), i == 0)
            for i, p in enumerate(timeline)]


def section_releases(prefix: str, facts: SectionFacts,
                     links: Links) -> dict[str, list[dict[str, Any]]]:
    """Every public release of the section, by ocid (rounds in order)."""
    found = {}
    for rf in facts.rounds:
        releases = round_releases(prefix, facts, rf, links)
        if releases:
            found[releases[0]["ocid"]] = releases
    return found
