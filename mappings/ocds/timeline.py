"""The moments a round became more public, and what the public knew at each of them.

Each moment is one release. A release carries everything known up to its moment (a full
snapshot, not a difference), so every release reads on its own and later ones never depend on
a merge to make sense. Moments at the same instant keep the lifecycle's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from mappings.ocds.facts import (
    AwardFact,
    DeadlineFact,
    EndFact,
    NoticeFact,
    OpeningFact,
    ResultFact,
    RoundFacts,
)


class Moment(IntEnum):
    """The kinds of moment, in lifecycle order (ties at one instant sort by this)."""

    NOTICE = 1  # a tender or prequalification notice published
    DOCUMENTS = 2  # 招标文件发出: bidding opens, the deadline is set
    CLARIFICATION = 3  # the documents clarified or amended; the deadline may move (法 23)
    FOLLOW_UP = 4  # a clarification or amendment notice published
    OPENING = 5  # the opening record signed and published
    CANDIDATES = 6  # 中标候选人公示 starts: the evaluation's result is public
    AWARD = 7  # 中标通知书 issued
    CONTRACT = 8  # the signed contract recorded
    END = 9  # 流标 or 终止


@dataclass(frozen=True)
class Point:
    at: datetime
    moment: Moment
    key: str  # makes the release id unique within its ocid
    ref: object  # the fact that became public


def points(rf: RoundFacts) -> list[Point]:
    found = [Point(n.published_at, Moment.NOTICE, f"notice-{n.notice_id}", n)
             for n in rf.notices]
    clarifications = 0
    for d in rf.deadlines:
        if d.clarification:
            clarifications += 1
            found.append(Point(d.at, Moment.CLARIFICATION, f"clarification-{clarifications}", d))
        else:
            found.append(Point(d.at, Moment.DOCUMENTS, "documents", d))
    found += [Point(n.published_at, Moment.FOLLOW_UP, f"notice-{n.notice_id}", n)
              for n in rf.follow_ups]
    if rf.opening is not None:
        found.append(Point(rf.opening.published_at, Moment.OPENING, "opening", rf.opening))
    if rf.result is not None:
        found.append(Point(rf.result.publicity_starts_at, Moment.CANDIDATES, "candidates",
                           rf.result))
    if rf.award is not None:
        found.append(Point(rf.award.issued_at, Moment.AWARD, "award", rf.award))
        if rf.award.contract_recorded_at is not None:
            found.append(Point(rf.award.contract_recorded_at, Moment.CONTRACT, "contract",
                               rf.award))
    if rf.end is not None:
        found.append(Point(rf.end.at, Moment.END, rf.end.status, rf.end))
    return sorted(found, key=lambda p: (p.at, p.moment))


@dataclass(frozen=True)
class Seen:
    """What the public knew once the points up to one of them had happened."""

    points: tuple[Point, ...]

    def _refs(self, moment: Moment) -> list[object]:
        return [p.ref for p in self.points if p.moment is moment]

    @property
    def notices(self) -> list[NoticeFact]:
        return [r for r in self._refs(Moment.NOTICE) if isinstance(r, NoticeFact)]

    @property
    def follow_ups(self) -> list[NoticeFact]:
        return [r for r in self._refs(Moment.FOLLOW_UP) if isinstance(r, NoticeFact)]

    @property
    def deadlines(self) -> list[DeadlineFact]:
        return [p.ref for p in self.points
                if p.moment in (Moment.DOCUMENTS, Moment.CLARIFICATION)
                and isinstance(p.ref, DeadlineFact)]

    @property
    def clarifications(self) -> list[tuple[str, DeadlineFact]]:
        return [(p.key, p.ref) for p in self.points
                if p.moment is Moment.CLARIFICATION and isinstance(p.ref, DeadlineFact)]

    @property
    def opening(self) -> OpeningFact | None:
        return next((r for r in self._refs(Moment.OPENING) if isinstance(r, OpeningFact)), None)

    @property
    def result(self) -> ResultFact | None:
        return next((r for r in self._refs(Moment.CANDIDATES) if isinstance(r, ResultFact)),
                    None)

    @property
    def award(self) -> AwardFact | None:
        return next((r for r in self._refs(Moment.AWARD) if isinstance(r, AwardFact)), None)

    @property
    def contracted(self) -> bool:
        return bool(self._refs(Moment.CONTRACT))

    @property
    def end(self) -> EndFact | None:
        return next((r for r in self._refs(Moment.END) if isinstance(r, EndFact)), None)


def tags(point: Point, first: bool, seen: Seen) -> list[str]:
    """The release tags of a point: the first release of a process is its ``tender``."""
    if first:
        return ["tender"]
    match point.moment:
        case Moment.CLARIFICATION | Moment.FOLLOW_UP:
            return ["tenderAmendment"]
        case Moment.CANDIDATES:
            return ["award"]
        case Moment.AWARD:
            return ["awardUpdate", "tenderUpdate"]
        case Moment.CONTRACT:
            return ["contract"]
        case Moment.END if seen.end is not None and seen.end.status == "terminated":
            return ["tenderCancellation", "awardCancellation"] if seen.result else [
                "tenderCancellation"]
        case _:
            return ["tenderUpdate"]
