"""When 2 suppliers are enough: the lawful exceptions to the 3 of 谈判 and 磋商.

竞争性谈判, 询价 and 竞争性磋商 need 3 suppliers (财政部令第74号; 财库〔2014〕214号, the procedure's
``min_bids``), and :func:`core.rules.limits.check_enough_bids` fails a round that has fewer at its
deadline. The law lets 2 go on in three named cases, each a *ground* the round states before its
documents are issued (:class:`TwoSupplierGround`, a closed set):

* ``failed_tender`` — 财政部令第74号 第二十七条第二款: "公开招标的货物、服务采购项目，招标过程中提交
  投标文件或者经评审实质性响应招标文件要求的供应商只有两家时，采购人、采购代理机构按照本办法第四条
  经本级财政部门批准后可以与该两家供应商进行竞争性谈判采购" — 竞争性谈判 only, and only with the
  财政部门's approval, whose reference (批准文号) the round must carry. The wording and the article
  and paragraph were read alike in two secondary sources (m.163.com quoting the paragraph;
  kyczx.com, a 财政局 answer citing "第二十七条第二款" for the approval), so the reference is
  verified on them, as 87号令 47 is in :mod:`core.rules.procedures`. The paragraph's last
  sentence, that 第三十三条、第三十五条's minimum "可以为两家", is the legal review's reading
  ([M]); the quoted
  "与该两家供应商进行竞争性谈判" says the same.
* ``research_or_transfer`` — 财库〔2014〕214号 第二十一条第三款: "符合本办法第三条第四项情形的，提交
  最后报价的供应商可以为2家", 第三条(四) being "市场竞争不充分的科研项目，以及需要扶持的科技成果
  转化项目" — 竞争性磋商 only, no approval. 第三条(四)'s text was read (an exam answer quoting
  第三条 whole, jhq8.cn); 第二十一条 was found in no source searched, so the reference is
  **[unverified]** and its tag names the instrument only (``MOF214``), as the house rule for
  unverified articles says.
* ``purchased_services`` — 财库〔2015〕124号 (the whole notice is one rule): "采用竞争性磋商采购方式
  采购的政府购买服务项目（含政府和社会资本合作项目），在采购过程中符合要求的供应商（社会资本）只有
  2家的，竞争性磋商采购活动可以继续进行。…只有1家的，…应当终止竞争性磋商采购活动" — 竞争性磋商
  only, no approval. Read whole in two copies that agree (a 政府采购网 mirror, ccgp.yingkou.net.cn,
  and mmpp3.cn; dated 2015-06-30): verified.

The reading taken. A stated ground lowers the round's minimum to 2 at its deadline; 1 still fails
it, with the ground's article in the code (``TOO_FEW_BIDS_MOF74_27``, ``…_MOF214``,
``…_MOF124``). The ground is the purchaser's statement and, for 74号令 27②, the approval's
reference: the platform records them (audited with the round's settings) and does not judge
whether the project really is 科研 or 购买服务 — that is for the documents and the supervisor. One
narrower reading is left open: an answer published by 中国政府采购网 (via zhijustice.com, 2024)
reads 124号 as "磋商开始时符合资格条件的供应商有三家以上，磋商过程中…只有两家" — i.e. 3 needed at
the start, 2 allowed only when one drops out later. The platform counts sealed responses at the
deadline and lets 2 proceed on the ground, as the legal review (§2.3) and the task read it; a
centre that follows the narrower reading simply does not state the ground for 124号 rounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from core.errors import DomainError
from core.rules.procedures import Domain, LegalRef, Procedure

TWO_SUPPLIER_GROUND_UNKNOWN = "TWO_SUPPLIER_GROUND_UNKNOWN"
TWO_SUPPLIER_APPROVAL_WITHOUT_GROUND = "TWO_SUPPLIER_APPROVAL_WITHOUT_GROUND"
# prefixes completed by the ground's tag
TWO_SUPPLIER_GROUND_NOT_APPLICABLE = "TWO_SUPPLIER_GROUND_NOT_APPLICABLE"
TWO_SUPPLIER_APPROVAL_MISSING = "TWO_SUPPLIER_APPROVAL_MISSING"

#: The longest approval reference kept (a 批准文号 such as "闽财采〔2026〕123号", or a file number).
MAX_APPROVAL = 100
#: The minimum a ground allows.
TWO = 2

MOF74_27 = LegalRef(
    "MOF74_27",
    "《政府采购非招标采购方式管理办法》（财政部令第74号）第二十七条第二款",
    "MOF Order 74 art. 27 para. 2",
)
MOF214_21 = LegalRef(
    "MOF214",  # 第二十一条 not corroborated: no article number in the code
    "《政府采购竞争性磋商采购方式管理暂行办法》（财库〔2014〕214号）第二十一条第三款、第三条第（四）项",
    "Competitive Consultation Measures (Caiku [2014] 214) art. 21 para. 3, art. 3(iv)",
    verified=False,
)
MOF124 = LegalRef(
    "MOF124",
    "《财政部关于政府采购竞争性磋商采购方式管理暂行办法有关问题的补充通知》（财库〔2015〕124号）",
    "Caiku [2015] 124 (supplement to the Competitive Consultation Measures)",
)


class TwoSupplierGround(StrEnum):
    """The cases in which 2 suppliers may go on (see the module docstring)."""

    FAILED_TENDER = "failed_tender"  # 74号令 27②: after a 公开招标 left with 2, with approval
    RESEARCH_OR_TRANSFER = "research_or_transfer"  # 214号 21③ / 3(四): 科研, 科技成果转化
    PURCHASED_SERVICES = "purchased_services"  # 财库〔2015〕124号: 政府购买服务 (含 PPP)


@dataclass(frozen=True)
class GroundRule:
    """What a ground applies to and asks for: the procedure (``procurement_method`` code) it is
    for, its article, whether the 财政部门's approval is a condition, and how it reads."""

    procedure_code: str
    ref: LegalRef
    approval_required: bool
    label_zh: str


GROUNDS: Mapping[TwoSupplierGround, GroundRule] = MappingProxyType({
    TwoSupplierGround.FAILED_TENDER: GroundRule(
        "competitive_negotiation", MOF74_27, True,
        "公开招标的货物、服务项目提交投标文件或者实质性响应的供应商只有两家，经财政部门批准转为竞争性谈判"),
    TwoSupplierGround.RESEARCH_OR_TRANSFER: GroundRule(
        "competitive_consultation", MOF214_21, False,
        "市场竞争不充分的科研项目，或者需要扶持的科技成果转化项目"),
    TwoSupplierGround.PURCHASED_SERVICES: GroundRule(
        "competitive_consultation", MOF124, False,
        "政府购买服务项目（含政府和社会资本合作项目）"),
})


def ground_of(value: str | None) -> TwoSupplierGround | None:
    """A stated ground from its name (``None``: none stated); anything outside the closed set is
    ``TWO_SUPPLIER_GROUND_UNKNOWN``."""
    if value is None:
        return None
    try:
        return TwoSupplierGround(value)
    except ValueError:
        allowed = ", ".join(g.value for g in TwoSupplierGround)
        raise DomainError(TWO_SUPPLIER_GROUND_UNKNOWN,
                          f"两家供应商的法定情形须为 {allowed} 之一",
                          f"the two-supplier ground is one of {allowed}",
                          field="two_supplier_ground", allowed=allowed) from None


def check_two_supplier_ground(procedure: Procedure, ground: TwoSupplierGround | None,
                              approval: str | None) -> None:
    """Refuse a ground the round's procedure does not have, or one stated without what its
    article asks for; a round that states none passes (the procedure's own minimum applies).

    * a ground for another procedure — 74号令 27② for anything but 竞争性谈判, 214号 21③ or 124号
      for anything but 竞争性磋商 (询价, the tenders, 单一来源 and engineering have no such case):
      ``TWO_SUPPLIER_GROUND_NOT_APPLICABLE_<tag of the ground's article>``;
    * 74号令 27② without the approval's reference ("经本级财政部门批准后"):
      ``TWO_SUPPLIER_APPROVAL_MISSING_MOF74_27``;
    * an approval reference with no ground: ``TWO_SUPPLIER_APPROVAL_WITHOUT_GROUND`` (it would
      read as an allowance the round does not have). A reference beside a ground that needs
      none is kept: the purchaser may record the method's own approval there.

    ``approval`` is the reference as the caller cleaned it (blank is none).
    """
    if ground is None:
        if approval:
            raise DomainError(TWO_SUPPLIER_APPROVAL_WITHOUT_GROUND,
                              "未说明两家供应商的法定情形，不能登记财政部门批准文号",
                              "an approval reference needs a two-supplier ground",
                              field="two_supplier_approval")
        return
    rule = GROUNDS[ground]
    if procedure.domain is not Domain.GOV_PROCUREMENT or procedure.code != rule.procedure_code:
        raise DomainError(
            f"{TWO_SUPPLIER_GROUND_NOT_APPLICABLE}_{rule.ref.tag}",
            f"{procedure.name_zh}不适用“{rule.label_zh}”的两家供应商情形（{rule.ref.cite_zh}）",
            f"{procedure.name_en} has no two-supplier case {ground.value} ({rule.ref.cite_en})",
            rule=rule.ref.tag, field="two_supplier_ground", ground=ground.value,
            procedure=procedure.key)
    if rule.approval_required and not approval:
        raise DomainError(
            f"{TWO_SUPPLIER_APPROVAL_MISSING}_{rule.ref.tag}",
            f"与两家供应商进行竞争性谈判须经本级财政部门批准，请登记批准文号（{rule.ref.cite_zh}）",
            f"negotiating with two suppliers needs the finance department's approval: give its "
            f"reference ({rule.ref.cite_en})",
            rule=rule.ref.tag, field="two_supplier_approval", ground=ground.value)


def minimum_bids(procedure: Procedure,
                 ground: TwoSupplierGround | None) -> tuple[int, LegalRef]:
    """The bids a round needs at its deadline and the article that says so: the procedure's
    ``min_bids`` and ``min_bids_ref``, or 2 under a ground that applies to the procedure (a
    ground that does not apply — refused at configuration, see
    :func:`check_two_supplier_ground` — changes nothing here)."""
    if ground is not None:
        rule = GROUNDS[ground]
        if procedure.domain is Domain.GOV_PROCUREMENT and procedure.code == rule.procedure_code:
            return min(TWO, procedure.min_bids), rule.ref
    return procedure.min_bids, procedure.min_bids_ref


#: Every code :func:`ground_of` and :func:`check_two_supplier_ground` can raise (the failure at
#: the deadline is :func:`core.rules.limits.check_enough_bids`' ``TOO_FEW_BIDS_<tag>``).
ERROR_CODES: frozenset[str] = frozenset(
    {TWO_SUPPLIER_GROUND_UNKNOWN, TWO_SUPPLIER_APPROVAL_WITHOUT_GROUND}
    | {f"{TWO_SUPPLIER_GROUND_NOT_APPLICABLE}_{r.ref.tag}" for r in GROUNDS.values()}
    | {f"{TWO_SUPPLIER_APPROVAL_MISSING}_{r.ref.tag}" for r in GROUNDS.values()
       if r.approval_required})
