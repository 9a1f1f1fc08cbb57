"""The parts of a release — tender, bids, awards, contracts, parties — as of one point.

Each builder takes the section's facts and what was public (:class:`~mappings.ocds.timeline.Seen`)
and returns plain dicts. The section is a lot (``tender.lots``) only when its tender project has
several sections; the lot's id is the section code, and bids, awards and statistics point at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.codes.tables import CODE_TABLES
from mappings.ocds.facts import (
    BidFact,
    CandidateFact,
    NoticeFact,
    PartyFact,
    ResultFact,
    RoundFacts,
    SectionFacts,
)
from mappings.ocds.timeline import Seen
from mappings.ocds.values import organization, reference, value, when

OPENED = frozenset({"opened_by_bidder", "opened_by_committee"})  # the opening's outcomes
ENGINEERING_METHODS = {"1": "open", "2": "selective"}
PROCUREMENT_METHODS = {"public_tender": "open", "invited_tender": "selective",
                       "competitive_negotiation": "limited",
                       "competitive_consultation": "limited", "inquiry": "limited",
                       "single_source": "direct"}
AWARD_CRITERIA = {"comprehensive": "ratedCriteria",  # the evaluation methods' keys
                  "lowest_evaluated_price": "costOnly", "lowest_price": "priceOnly"}
RANKS = {1: "第一", 2: "第二", 3: "第三"}


@dataclass(frozen=True)
class Links:
    """Where the public API serves what a release points at (None: leave URLs out). The paths
    are the REST API's public reads, which is what a reader of the feed can follow."""

    base_url: str | None = None  # e.g. https://ggzy.example.cn/
    record_url: str | None = None  # this section's record package

    def notice(self, notice_id: int) -> str | None:
        return f"{self.base_url}api/v1/public/notices/{notice_id}" if self.base_url else None

    def opening_record(self, section_code: str) -> str | None:
        return (f"{self.base_url}api/v1/public/sections/{section_code}/opening-record"
                if self.base_url else None)


@dataclass(frozen=True)
class Scope:
    """One round of one section, and where its releases point."""

    facts: SectionFacts
    round: RoundFacts
    links: Links
    latest: bool  # the section's last round (the public opening-record URL shows only that)

    @property
    def as_lot(self) -> bool:
        return self.facts.sibling_sections > 1

    def money(self, amount: Decimal | None) -> dict[str, Any] | None:
        return value(amount, self.facts.currency, self.facts.price_unit)

    def lots(self, out: dict[str, Any]) -> dict[str, Any]:
        """``out`` with ``relatedLots`` naming the section, when the section is a lot."""
        if self.as_lot:
            out["relatedLots"] = [self.facts.code]
        return out

    def lot(self, out: dict[str, Any]) -> dict[str, Any]:
        """``out`` with ``relatedLot`` (singular, as a bid statistic has it), when a lot."""
        if self.as_lot:
            out["relatedLot"] = self.facts.code
        return out


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != [] and v != {}}


# -- tender --------------------------------------------------------------------------------------


def tender_status(seen: Seen) -> str:
    if seen.end is not None:
        return "unsuccessful" if seen.end.status == "failed" else "cancelled"
    return "complete" if seen.award is not None else "active"


def _method(f: SectionFacts) -> tuple[str | None, str | None]:
    table_key = "procurement_method" if f.domain == "gov_procurement" else "tender_mode"
    mapping = PROCUREMENT_METHODS if f.domain == "gov_procurement" else ENGINEERING_METHODS
    table = CODE_TABLES[table_key]
    details = table.label(f.tender_mode) if f.tender_mode in table else None
    return mapping.get(f.tender_mode), details


def _notice_document(s: Scope, n: NoticeFact) -> dict[str, Any]:
    kind = "clarifications" if n.notice_type == "clarification" else "tenderNotice"
    return s.lots(_compact({"id": f"notice-{n.notice_id}", "documentType": kind,
                            "title": n.title, "url": s.links.notice(n.notice_id),
                            "datePublished": when(n.published_at), "language": "zh"}))


def _documents(s: Scope, seen: Seen) -> list[dict[str, Any]]:
    docs = [_notice_document(s, n) for n in seen.notices + seen.follow_ups]
    if seen.opening is not None:
        url = s.links.opening_record(s.facts.code) if s.latest else None
        docs.append(s.lots(_compact({
            "id": "opening-record", "documentType": "bidders", "title": "开标记录",
            "description": "平台签名的开标记录（投标人、开标结果与唱标内容）",
            "url": url, "datePublished": when(seen.opening.published_at), "language": "zh"})))
    if seen.end is not None:
        terminated = seen.end.status == "terminated"
        docs.append(s.lots(_compact({
            "id": f"round-{seen.end.status}",
            "documentType": "cancellationDetails" if terminated else None,
            "title": "终止招标" if terminated else "流标",
            "description": seen.end.reason, "datePublished": when(seen.end.at),
            "language": "zh"})))
    return docs


def _amendments(seen: Seen) -> list[dict[str, Any]]:
    found = [{"id": key, "date": when(d.at),
              "rationale": "招标文件澄清或修改（《招标投标法》第二十三条）",
              "description": f"投标截止时间：{when(d.bid_deadline)}"}
             for key, d in seen.clarifications]
    found += [{"id": f"notice-{n.notice_id}", "date": when(n.published_at),
               "rationale": n.title} for n in seen.follow_ups]
    return sorted(found, key=lambda a: a["date"])


def _bid_opening(s: Scope, deadline: datetime, seen: Seen) -> dict[str, Any]:
    """Announced with the documents (online, at the deadline: 法 34), completed at the record."""
    window = s.round.opening_window_minutes
    text = ("网上开标（不见面开标），无现场开标地点：投标截止时间即开标时间，投标人在"
            f"{window or '规定'}分钟解密时限内远程解密投标文件；开标记录经平台签名后公开。")
    if seen.opening is not None:
        text += f"开标记录已于{when(seen.opening.published_at)}签名公布。"
    return {"date": when(deadline), "description": text}


def tender(s: Scope, seen: Seen) -> dict[str, Any]:
    f = s.facts
    method, method_details = _method(f)
    deadline = seen.deadlines[-1].bid_deadline if seen.deadlines else None
    status = tender_status(seen)
    out: dict[str, Any] = {
        "id": f.tender_project_code,
        "title": f"{f.tender_project_name}（{f.name}）" if s.as_lot else f.tender_project_name,
        "description": f.content or f.tender_project_content,
        "status": status,
        "procuringEntity": reference(f.agency or f.buyer),
        "value": s.money(f.estimated_price),
        "procurementMethod": method,
        "procurementMethodDetails": method_details,
        "mainProcurementCategory": "works" if f.domain == "engineering" else None,
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": "投标文件在投标人一侧加密后上传，平台只保存密文并签发回执",
    }
    if deadline is not None and s.round.documents_issued_at is not None:
        out["tenderPeriod"] = {"startDate": when(s.round.documents_issued_at),
                               "endDate": when(deadline)}
        out["bidOpening"] = _bid_opening(s, deadline, seen)
    if f.duration_days:
        out["contractPeriod"] = {"durationInDays": f.duration_days}
    if seen.result is not None and seen.result.method in AWARD_CRITERIA:
        out["awardCriteria"] = AWARD_CRITERIA[seen.result.method]
        out["awardCriteriaDetails"] = seen.result.method_label_zh
    if seen.opening is not None:
        bidders = _bidders(seen.opening.bids)
        out["numberOfTenderers"] = len(bidders)
        out["tenderers"] = [reference(p) for p in bidders]
    out["documents"] = _documents(s, seen)
    out["amendments"] = _amendments(seen)
    if s.as_lot:
        out["lots"] = [_compact({"id": f.code, "title": f.name, "description": f.content,
                                 "status": status, "value": s.money(f.estimated_price)})]
    return _compact(out)


# -- bids ----------------------------------------------------------------------------------------


def _bidders(bids: tuple[BidFact, ...]) -> list[PartyFact]:
    return list({b.party.party_id: b.party for b in bids}.values())


def _bid_status(b: BidFact, result: ResultFact | None) -> str:
    if b.outcome not in OPENED:
        return "withdrawn"  # 撤销/撤回 at the opening (电子招标投标办法 第三十一条)
    if result is None:
        return "pending"  # opened, not yet evaluated (in public)
    return "disqualified" if b.bid_id in result.rejected_bid_ids else "valid"


def _statistic(s: Scope, measure: str, amount: int | Decimal, at: datetime,
               currency: str | None = None) -> dict[str, Any]:
    return s.lot(_compact({"id": measure, "measure": measure, "value": amount,
                           "currency": currency, "date": when(at)}))


def _statistics(s: Scope, seen: Seen) -> list[dict[str, Any]]:
    opening = seen.opening
    assert opening is not None
    at = opening.published_at
    stats = [_statistic(s, "bids", len(opening.bids), at),
             _statistic(s, "bidders", len(_bidders(opening.bids)), at),
             _statistic(s, "electronicBids", len(opening.bids), at)]
    result = seen.result
    if result is None:
        return stats
    at = result.publicity_starts_at
    valid = [b for b in opening.bids if _bid_status(b, result) == "valid"]
    rejected = [b for b in opening.bids if _bid_status(b, result) == "disqualified"]
    stats += [_statistic(s, "validBids", len(valid), at),
              _statistic(s, "disqualifiedBidders", len(_bidders(tuple(rejected))), at)]
    prices = [v for v in (s.money(b.price) for b in valid) if v is not None]
    if prices:
        low = min(prices, key=lambda v: v["amount"])
        high = max(prices, key=lambda v: v["amount"])
        stats += [_statistic(s, "lowestValidBidValue", low["amount"], at, low["currency"]),
                  _statistic(s, "highestValidBidValue", high["amount"], at, high["currency"])]
    return stats


def bids(s: Scope, seen: Seen) -> dict[str, Any] | None:
    """Only from the signed opening record on: a sealed bid leaves no trace before it."""
    if seen.opening is None:
        return None
    details = [s.lots(_compact({
        "id": str(b.bid_id), "date": when(b.submitted_at), "status": _bid_status(b, seen.result),
        "tenderers": [reference(b.party)],
        "value": s.money(b.price) if b.outcome in OPENED else None,
    })) for b in seen.opening.bids]
    return {"statistics": _statistics(s, seen), "details": details}


# -- awards and contracts ------------------------------------------------------------------------


def award_id(rank: int) -> str:
    return f"candidate-{rank}"


def _award_status(c: CandidateFact, seen: Seen) -> str:
    if seen.award is not None:
        return "active" if c.bid_id == seen.award.bid_id else "unsuccessful"
    return "cancelled" if seen.end is not None else "pending"


def _award(s: Scope, c: CandidateFact, seen: Seen) -> dict[str, Any]:
    result = seen.result
    assert result is not None
    status = _award_status(c, seen)
    notes = [f"中标候选人公示：{when(result.publicity_starts_at)} 至 "
             f"{when(result.publicity_ends_at)}"]
    if seen.award is not None and c.status == "declined":
        notes.append("该候选人放弃中标、不能履行合同或未提交履约保证金（《招标投标法实施条例》第五十五条）")
    if seen.award is not None and c.status == "disqualified":
        notes.append("该候选人被查实存在影响中标结果的违法行为（《招标投标法实施条例》第五十五条）")
    return s.lots(_compact({
        "id": award_id(c.rank), "title": f"{RANKS.get(c.rank, f'第{c.rank}')}中标候选人",
        "description": "；".join(notes), "status": status,
        "date": when(seen.award.issued_at if seen.award is not None and status == "active"
                     else result.publicity_starts_at),
        "value": s.money(c.price), "suppliers": [reference(c.party)],
        "relatedBid": str(c.bid_id)}))


def awards(s: Scope, seen: Seen) -> list[dict[str, Any]]:
    """One award per ranked candidate: pending in the publicity, then active or unsuccessful."""
    if seen.result is None:
        return []
    return [_award(s, c, seen) for c in seen.result.candidates]


def contracts(s: Scope, seen: Seen) -> list[dict[str, Any]]:
    award = seen.award
    if not seen.contracted or award is None or seen.result is None:
        return []
    winner = next((c for c in seen.result.candidates if c.bid_id == award.bid_id), None)
    if winner is None:
        return []
    return [_compact({
        "id": "contract-1", "awardID": award_id(winner.rank), "title": f"{s.facts.name} 合同",
        "status": "active", "value": s.money(award.contract_amount),
        "dateSigned": when(award.contract_signed_at) if award.contract_signed_at else None,
        "period": ({"durationInDays": s.facts.duration_days}
                   if s.facts.duration_days else None)})]


# -- parties -------------------------------------------------------------------------------------


def parties(s: Scope, seen: Seen) -> list[dict[str, Any]]:
    f = s.facts
    out = [organization(f.buyer, ["buyer"] if f.agency else ["buyer", "procuringEntity"],
                        contact=True)]
    if f.agency is not None:
        out.append(organization(f.agency, ["procuringEntity"], contact=True))
    if seen.opening is None:
        return out
    winner = None
    if seen.award is not None:
        winner = next((b.party.party_id for b in seen.opening.bids
                       if b.bid_id == seen.award.bid_id), None)
    for p in _bidders(seen.opening.bids):
        roles = ["tenderer", "supplier"] if p.party_id == winner else ["tenderer"]
        out.append(organization(p, roles, contact=False))
    return out
