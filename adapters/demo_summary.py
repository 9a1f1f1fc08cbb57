"""`ggzy demo`'s closing table: the engineering tender and the 政府采购 one side by side.

Read back from the database after both have run (not from what the steps printed), so the
table is what the records say: each round's procedure and flow, bids, method, how the winner
was chosen, the award, the contract, the deposits and the notices the lifecycle published.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from adapters.bootstrap import Container
from core.clock import SHANGHAI
from core.evaluation.methods import EvaluationMethod
from core.model.notice import Notice
from core.model.party import Party
from core.model.project import Section
from core.model.tendering import Award, Bid, Decision, Evaluation, Publicity, Registration, Round
from core.services.lifecycle_notices import label
from core.services.tendering.procedure import procedure_of

DOMAIN_ZH = {"engineering": "工程建设", "gov_procurement": "政府采购"}
OBJECT_ZH = {"goods": "货物", "services": "服务", "works": "工程"}  # 政府采购's 采购对象
COLUMN = 44  # display columns of each tender's cell
HEAD = 16


def width(text: str) -> int:
    """Display columns: a CJK (wide or full-width) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def _day(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d")


def _method(method: str, domain: str) -> str:
    """The method under the name its domain's law gives it (综合评估法 / 综合评分法)."""
    names = EvaluationMethod(method).label_zh.split("/")
    return names[-1] if domain == "gov_procurement" else names[0]


def _column(c: Container, section_code: str) -> dict[str, str]:
    with c.session_factory() as s:
        r = s.scalars(select(Round).join(Section, Section.id == Round.section_id)
                      .where(Section.code == section_code)
                      .order_by(Round.round_no.desc())).first()
        if r is None:
            return {"domain": section_code}
        p = procedure_of(r)
        domain = r.section.tender_project.project.domain
        bids = s.scalar(select(func.count()).select_from(Bid).where(Bid.round_id == r.id)) or 0
        e = s.get(Evaluation, r.id)
        publicity = s.get(Publicity, r.id)
        decision = s.get(Decision, r.id)
        won = s.get(Award, r.id)
        refunded = s.scalar(select(func.count()).select_from(Registration).where(
            Registration.round_id == r.id, Registration.deposit_status == "refunded")) or 0
        # the tender notice announces the section (no round of its own); the rest are the round's
        notices = list(s.scalars(select(Notice.notice_type).where(
            Notice.status == "published",
            Notice.sections.any(Section.id == r.section_id) & Notice.round_id.is_(None)
            | (Notice.round_id == r.id)).order_by(Notice.published_at, Notice.id)))
        if publicity is not None:
            chosen = f"中标候选人公示 至 {_day(publicity.ends_at)}"
        elif decision is not None:
            chosen = ("采购人确定 (视为)" if decision.deemed else "采购人确定") + \
                f" 第{decision.rank}名 {_day(decision.decided_at)}"
        else:
            chosen = "—"
        winner = None if won is None else s.scalar(
            select(Party.name).join(Bid, Bid.party_id == Party.id).where(Bid.id == won.bid_id))
        result: dict[str, Any] = dict(e.result or {}) if e is not None else {}
        sme: dict[str, Any] = result.get("sme_deductions") or {}
        return {
            "domain": " · ".join(x for x in (DOMAIN_ZH.get(domain, domain), p.name_zh,
                                             OBJECT_ZH.get(r.procurement_object or "")) if x),
            "flow": p.flow,
            "section": section_code,
            "round": f"第{r.round_no}轮 {r.status}",
            "bids": f"{bids} 份密封投标文件",
            "evaluation": "—" if e is None else " · ".join(
                [_method(e.method, domain)]
                + ([f"小微企业扣除 {sme['rate']}% ×{len(sme['bids'])}"] if sme.get("bids")
                   else [])),
            "choice": chosen,
            "award": "—" if won is None else f"中标通知书 {_day(won.notice_issued_at)}",
            "winner": winner or "—",
            "contract": ("—" if won is None or won.contract_amount is None else
                         f"{won.contract_amount:,.2f} 元 {_day(won.contract_signed_at)}"),
            "deposits": f"{refunded} 笔已退还",
            "notices": " · ".join(label(n, domain) for n in notices),
        }


ROWS = ("domain", "flow", "section", "round", "bids", "evaluation", "choice", "award",
        "winner", "contract", "deposits", "notices")


def wrap(text: str, columns: int, sep: str = " · ") -> list[str]:
    """``text`` in lines of at most ``columns`` display columns, broken after a ``sep``."""
    lines: list[str] = []
    for part in text.split(sep):
        if lines and width(lines[-1] + sep + part) <= columns:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines or [""]


def side_by_side(c: Container, section_codes: Sequence[str]) -> Iterator[str]:
    """One line per fact (more where a cell is wrapped), one column per tender."""
    columns = [_column(c, code) for code in section_codes]
    yield "tenders side by side"
    for row in ROWS:
        cells = [wrap(col.get(row, ""), COLUMN - 2) for col in columns]
        for n in range(max(len(cell) for cell in cells)):
            parts = [cell[n] if n < len(cell) else "" for cell in cells]
            yield ("  " + pad(row if n == 0 else "", HEAD - 2)
                   + "".join(pad(part, COLUMN) for part in parts[:-1]) + parts[-1]).rstrip()
