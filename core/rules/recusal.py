"""Who must not sit on the evaluation committee (回避): pure functions over a member's declaration
and what the expert registry knows, returning the grounds with their article and item.

What the law says, and how sure we are
--------------------------------------
* 招标投标法 第三十七条第四款: "与投标人有利害关系的人不得进入相关项目的评标委员会；已经进入的应当
  更换" (the law's articles are verified, :mod:`core.rules.procedures`).
* 招标投标法实施条例 第四十六条第三款: "评标委员会成员与投标人有利害关系的，应当主动回避"; 第四款:
  the staff of an 行政监督部门 do not sit on the committees of the projects their department
  supervises; 第二款: a member is replaced only for a reason the law or the 条例 gives. The task
  brief put the four items below in 条例 46 第二款: they are not there. The closed list is
  《评标委员会和评标方法暂行规定》(七部委12号令, 2013 revision) 第十二条第一款: (一) 投标人或者
  投标人主要负责人的近亲属; (二) 项目主管部门或者行政监督部门的人员; (三) 与投标人有经济利益关系，
  可能影响对投标公正评审的; (四) 曾因在招标、评标以及其他与招标投标有关活动中从事违法行为而受过
  行政处罚或者刑事处罚的 — "应当主动提出回避". The four items were found word for word in four
  secondary sources that agree (jianshe99.com, sichuan.gov-bid.com, examw.com, iaaw.com.cn, the
  last quoting 条例 46 第三款 beside 12号令 12); the official texts were not read. Verified on those
  sources, as :data:`core.rules.procedures.MOF87_47` is. The error code keeps the review's
  ``REG_46`` (the 条例's duty); the item numbers in ``details`` are 12号令 12's.
* 政府采购法实施条例 第九条第一款 (采购人员及相关人员 — the committee's members among them —
  与供应商有下列利害关系之一的，应当回避): (一) 参加采购活动前3年内与供应商存在劳动关系;
  (二) 前3年内担任供应商的董事、监事; (三) 前3年内是供应商的控股股东或者实际控制人;
  (四) 与供应商的法定代表人或者负责人有夫妻、直系血亲、三代以内旁系血亲或者近姻亲关系;
  (五) 与供应商有其他可能影响政府采购活动公平、公正进行的关系 — the text found alike in two
  sources (nicaralodge.com, wanglu.net), and the 条例 was read from LawRefBook (procedures.py):
  verified. 财库〔2016〕198号 第十六条 says the same of 评审专家 in three items ((一) = 9's
  (一)–(三), (二) = (四), (三) = (五)) and "评审专家发现本人与参加采购活动的供应商有利害关系的，
  应当主动提出回避" — quoted by instrument.com.cn, not read officially. 财政部令第87号 第四十八条
  is the random draw from the 省级以上 pool, not a recusal article (from memory): not cited here.
* 政府采购 has no item for the supervising department's staff or for a past penalty. The platform
  refuses both there too, on these readings, each **[unverified]** and tagged by instrument only:
  政府采购法 第六十条第一款 ("政府采购监督管理部门 … 不得参与政府采购项目的采购活动", from memory:
  tag ``GPL``), and 财库〔2016〕198号 第六条 (an 评审专家 has no 不良信用记录 — quoted for a
  provincial version of the rule; tag ``MOF198``).

Which readings the platform takes
---------------------------------
* The closed set of :class:`RecusalGround` is the union of both lists, one ground per item,
  so each ground names one item in each domain: 近亲属, 劳动关系 (在职或3年内), 董事/监事,
  控股股东/实际控制人, other economic interest (engineering (三) for the last four), the
  supervising departments' staff, a past penalty in tendering. A ground about a bidder names
  its bid.
* The registry (data set 212 and the credit records) knows an expert's current employer (COMPANY,
  a name) and the credit records pushed on the expert's 身份证号码 (300 违法违规, 302 黑名单). The
  employer is matched with a bidder's name (NFKC, blanks dropped, full-width brackets folded) or
  carries a bidder's 统一社会信用代码 → 劳动关系; the expert's ID number being a bidder's (a natural
  person bidding) → economic interest; the employer being the tender project's 监督部门 → its
  staff. Every credit record not revoked (REVOCATION_STATUS) is a past penalty: "曾…受过" has no
  end, so a 302 withdrawn by a 303 still counts; the platform's credit records are those of
  public-resource trading, read as "与招标投标有关活动".
* A conflict the registry knows is refused whatever the member declares; a conflict only the
  member declares is recorded and the member stands aside (法 37 第四款: 已经进入的应当更换).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.errors import DomainError, ErrorKind
from core.rules.procedures import Domain, LegalRef, Procedure

COMMITTEE_MEMBER_EXCLUDED = "COMMITTEE_MEMBER_EXCLUDED"
RECUSAL_RELATION_INVALID = "RECUSAL_RELATION_INVALID"

REG_46 = LegalRef(
    "REG_46",
    "《招标投标法实施条例》第四十六条第三款、《评标委员会和评标方法暂行规定》第十二条第一款",
    "Tendering Regulation art. 46(3); Evaluation Committee Provisions (Order 12) art. 12(1)",
)
GPREG_9 = LegalRef(
    "GPREG_9",
    "《政府采购法实施条例》第九条第一款、《政府采购评审专家管理办法》（财库〔2016〕198号）第十六条",
    "Government Procurement Regulation art. 9(1); Caiku [2016] 198 art. 16",
)
GPL_60 = LegalRef(
    "GPL", "《政府采购法》第六十条第一款", "Government Procurement Law art. 60(1)", verified=False)
MOF198_6 = LegalRef(
    "MOF198", "《政府采购评审专家管理办法》（财库〔2016〕198号）第六条",
    "Caiku [2016] 198 (evaluation experts) art. 6", verified=False)


class RecusalGround(StrEnum):
    """The closed set a member declares from (one item of each domain's list each)."""

    CLOSE_RELATIVE = "close_relative"  # 近亲属 of the bidder or its 主要负责人 / 法定代表人
    EMPLOYED_BY_BIDDER = "employed_by_bidder"  # 劳动关系: works there, or did within 3 years
    DIRECTOR_OR_SUPERVISOR = "director_or_supervisor"  # 董事、监事 (within 3 years)
    CONTROLLING_SHAREHOLDER = "controlling_shareholder"  # 控股股东或者实际控制人 (within 3 years)
    ECONOMIC_INTEREST = "economic_interest"  # any other economic interest in the bidder
    SUPERVISING_DEPARTMENT = "supervising_department"  # 项目主管部门或者行政监督部门的人员
    PAST_PENALTY = "past_penalty"  # 行政处罚或者刑事处罚 for 招标投标 activities

    @property
    def label_zh(self) -> str:
        return _LABELS[self]

    @property
    def about_a_bidder(self) -> bool:
        return self not in PERSONAL_GROUNDS


_LABELS = {
    RecusalGround.CLOSE_RELATIVE: "投标人（供应商）或其主要负责人、法定代表人的近亲属",
    RecusalGround.EMPLOYED_BY_BIDDER: "与投标人（供应商）存在劳动关系（在职或三年内）",
    RecusalGround.DIRECTOR_OR_SUPERVISOR: "担任或三年内担任投标人（供应商）的董事、监事",
    RecusalGround.CONTROLLING_SHAREHOLDER: "是或三年内是投标人（供应商）的控股股东或实际控制人",
    RecusalGround.ECONOMIC_INTEREST: "与投标人（供应商）有其他经济利益关系",
    RecusalGround.SUPERVISING_DEPARTMENT: "项目主管部门或者行政监督部门的人员",
    RecusalGround.PAST_PENALTY: "曾因招标投标有关活动中的违法行为受过行政处罚或者刑事处罚",
}
PERSONAL_GROUNDS = frozenset({RecusalGround.SUPERVISING_DEPARTMENT, RecusalGround.PAST_PENALTY})

# (reference, item) of each ground in each domain.
_ENGINEERING: dict[RecusalGround, tuple[LegalRef, str]] = {
    RecusalGround.CLOSE_RELATIVE: (REG_46, "一"),
    RecusalGround.SUPERVISING_DEPARTMENT: (REG_46, "二"),
    RecusalGround.EMPLOYED_BY_BIDDER: (REG_46, "三"),
    RecusalGround.DIRECTOR_OR_SUPERVISOR: (REG_46, "三"),
    RecusalGround.CONTROLLING_SHAREHOLDER: (REG_46, "三"),
    RecusalGround.ECONOMIC_INTEREST: (REG_46, "三"),
    RecusalGround.PAST_PENALTY: (REG_46, "四"),
}
_GOVERNMENT: dict[RecusalGround, tuple[LegalRef, str]] = {
    RecusalGround.EMPLOYED_BY_BIDDER: (GPREG_9, "一"),
    RecusalGround.DIRECTOR_OR_SUPERVISOR: (GPREG_9, "二"),
    RecusalGround.CONTROLLING_SHAREHOLDER: (GPREG_9, "三"),
    RecusalGround.CLOSE_RELATIVE: (GPREG_9, "四"),
    RecusalGround.ECONOMIC_INTEREST: (GPREG_9, "五"),
    RecusalGround.SUPERVISING_DEPARTMENT: (GPL_60, ""),
    RecusalGround.PAST_PENALTY: (MOF198_6, ""),
}


class Source(StrEnum):
    DECLARED = "declared"  # the member's own declaration
    REGISTRY = "registry"  # the expert registry or the credit records


@dataclass(frozen=True)
class Bidder:
    """A bidder of the round as the committee sees it."""

    bid_id: int
    name: str
    identifier: str  # 统一社会信用代码, or 身份证号码 of a natural person


@dataclass(frozen=True)
class Relation:
    """One relationship a member declares: a ground and, for a ground about a bidder, its bid."""

    ground: RecusalGround
    bid_id: int | None = None


@dataclass(frozen=True)
class Penalty:
    """A credit record pushed on the expert (data set 300 or 302), as the registry holds it."""

    data_set: str
    record_code: str
    recorded_at: datetime
    revoked: bool = False


@dataclass(frozen=True)
class RegistryFacts:
    """What the expert registry knows of a member (data set 212 and the credit records)."""

    id_number: str
    employer: str
    penalties: tuple[Penalty, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A ground found against a member: its article and item, the bid, and who knew it."""

    ground: RecusalGround
    ref: LegalRef
    item: str  # 一 … 五; "" where the reference has no items
    bid_id: int | None
    sources: tuple[Source, ...]
    detail: str = ""

    @property
    def code(self) -> str:
        return f"{COMMITTEE_MEMBER_EXCLUDED}_{self.ref.tag}"

    @property
    def cite_zh(self) -> str:
        return self.ref.cite_zh + (f"第（{self.item}）项" if self.item else "")

    def as_json(self) -> dict[str, Any]:
        return {"ground": self.ground.value, "rule": self.ref.tag, "item": self.item,
                "article": self.cite_zh, "bid_id": self.bid_id,
                "sources": [s.value for s in self.sources], "detail": self.detail}


def ground_ref(procedure: Procedure, ground: RecusalGround) -> tuple[LegalRef, str]:
    """The reference and item of ``ground`` in the procedure's domain."""
    table = _GOVERNMENT if procedure.domain is Domain.GOV_PROCUREMENT else _ENGINEERING
    return table[ground]


def parse_ground(value: str) -> RecusalGround:
    try:
        return RecusalGround(value)
    except ValueError as err:
        raise DomainError(RECUSAL_RELATION_INVALID, f"未知的回避情形：{value}",
                          f"unknown recusal ground: {value}", field="relations",
                          allowed=[g.value for g in RecusalGround]) from err


def check_relations(relations: Sequence[Relation], bidders: Sequence[Bidder]) -> None:
    """A declaration names each relationship once; a ground about a bidder names a bid of the
    round, a personal one (supervising department, past penalty) names none."""
    bids = {b.bid_id for b in bidders}
    seen: set[Relation] = set()
    for rel in relations:
        if rel.ground.about_a_bidder and rel.bid_id not in bids:
            raise DomainError(RECUSAL_RELATION_INVALID,
                              f"回避情形“{rel.ground.label_zh}”须指明本轮的一份投标",
                              f"recusal ground {rel.ground.value} names a bid of this round",
                              field="relations", bid_id=rel.bid_id)
        if not rel.ground.about_a_bidder and rel.bid_id is not None:
            raise DomainError(RECUSAL_RELATION_INVALID,
                              f"回避情形“{rel.ground.label_zh}”与具体投标无关，不指明投标",
                              f"recusal ground {rel.ground.value} names no bid",
                              field="relations", bid_id=rel.bid_id)
        if rel in seen:
            raise DomainError(RECUSAL_RELATION_INVALID, "同一回避情形重复申报",
                              "the same relationship is declared twice", field="relations")
        seen.add(rel)


def _folded(name: str) -> str:
    """A name as compared: NFKC (full-width brackets and letters fold), no blanks, upper case."""
    return "".join(unicodedata.normalize("NFKC", name).split()).upper()


def registry_relations(facts: RegistryFacts, bidders: Sequence[Bidder],
                       supervising_department: str | None = None
                       ) -> list[tuple[Relation, str]]:
    """What the registry shows, each relation with the fact that shows it (module doc)."""
    found: list[tuple[Relation, str]] = []
    employer = _folded(facts.employer)
    for b in bidders:
        ident = b.identifier.upper()
        if employer and (employer == _folded(b.name) or (ident and ident in employer)):
            found.append((Relation(RecusalGround.EMPLOYED_BY_BIDDER, b.bid_id),
                          f"专家库登记的工作单位“{facts.employer}”即投标人 {b.name}"
                          f"（{b.identifier}）"))
        if ident and ident == facts.id_number.upper():
            found.append((Relation(RecusalGround.ECONOMIC_INTEREST, b.bid_id),
                          f"专家本人即投标人 {b.name}"))
    if employer and supervising_department and employer == _folded(supervising_department):
        found.append((Relation(RecusalGround.SUPERVISING_DEPARTMENT),
                      f"专家库登记的工作单位“{facts.employer}”是本项目的监督部门"))
    standing = [p for p in facts.penalties if not p.revoked]
    if standing:
        codes = "、".join(f"{p.data_set}/{p.record_code}" for p in standing)
        found.append((Relation(RecusalGround.PAST_PENALTY), f"信用记录 {codes}"))
    return found


def recusal_findings(procedure: Procedure, declared: Iterable[Relation],
                     facts: RegistryFacts | None, bidders: Sequence[Bidder],
                     supervising_department: str | None = None) -> tuple[Finding, ...]:
    """Every ground against a member: those declared, then those the registry shows (a relation
    both know is one finding with both sources). Empty: the member may sit."""
    sources: dict[Relation, list[Source]] = {}
    details: dict[Relation, str] = {}
    for rel in declared:
        sources.setdefault(rel, []).append(Source.DECLARED)
    for rel, detail in (registry_relations(facts, bidders, supervising_department)
                        if facts is not None else []):
        sources.setdefault(rel, []).append(Source.REGISTRY)
        details.setdefault(rel, detail)
    findings = []
    for rel, known_by in sources.items():
        ref, item = ground_ref(procedure, rel.ground)
        findings.append(Finding(rel.ground, ref, item, rel.bid_id, tuple(known_by),
                                details.get(rel, "")))
    return tuple(findings)


def excluded_error(findings: Sequence[Finding], who: str) -> DomainError:
    """The refusal for a member with grounds: its code names the first ground's article
    (``COMMITTEE_MEMBER_EXCLUDED_REG_46``, ``_GPREG_9``, ``_GPL``, ``_MOF198``); ``details``
    (``item``, ``recusal_grounds``) lists every ground with its item."""
    first = findings[0]
    grounds_zh = "；".join(f"{f.ground.label_zh}（{f.cite_zh}）" for f in findings)
    grounds_en = "; ".join(f"{f.ground.value} ({f.ref.cite_en}"
                           + (f" item {f.item})" if f.item else ")") for f in findings)
    return DomainError(first.code, f"{who} 应当回避，不得担任评标委员会成员：{grounds_zh}",
                       f"{who} must stand aside from the evaluation committee: {grounds_en}",
                       ErrorKind.CONFLICT, rule=first.ref.tag, item=first.item,
                       recusal_grounds=[f.as_json() for f in findings])


def check_registry(procedure: Procedure, facts: RegistryFacts | None, bidders: Sequence[Bidder],
                   who: str, supervising_department: str | None = None) -> None:
    """Refuse a member the registry shows a ground against (whatever the member declared)."""
    findings = recusal_findings(procedure, (), facts, bidders, supervising_department)
    if findings:
        raise excluded_error(findings, who)


ERROR_CODES: frozenset[str] = frozenset(
    {RECUSAL_RELATION_INVALID}
    | {f"{COMMITTEE_MEMBER_EXCLUDED}_{ref.tag}" for ref in (REG_46, GPREG_9, GPL_60, MOF198_6)})
