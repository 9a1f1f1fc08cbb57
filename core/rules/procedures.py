"""Procedure types as configuration: one frozen :class:`Procedure` per procedure, no code per type.

The legal numbers of each procedure (periods, minimum bids, deposit cap, publicity, refund,
committee, allowed evaluation methods) sit in :data:`PROCEDURES`, each with the :class:`LegalRef`
it comes from. :mod:`core.rules.limits` applies them; a new procedure type is a new entry, not a
new module.

Domains and codes
-----------------
* ``engineering`` — 工程建设项目招标投标 under 招标投标法 and its 实施条例. Codes follow code table
  ``tender_mode`` (core/codes/tables.py): ``"1"`` 公开招标 → ``open_tender``, ``"2"`` 邀请招标 →
  ``invited_tender``. Government-funded works procured *by tender* also belong here
  (政府采购法实施条例 第七条).
* ``gov_procurement`` — 政府采购 of goods and services under 政府采购法, 政府采购法实施条例, 财政部
  令第74号 (非招标采购方式), 财政部令第87号 (货物和服务招标投标) and 财库〔2014〕214号 (竞争性磋
  商). Codes follow code table ``procurement_method``.

Sources and confidence
----------------------
``LegalRef.verified`` is True where the article text was read (LawRefBook/Laws: 招标投标法实施条例,
政府采购法实施条例, 民法典; 招标投标法 and 政府采购法 articles quoted alike by several sources).
False marks **[unverified]** articles: quoted from memory or from secondary sources only. An
unverified reference's ``tag`` (which becomes part of error codes) names the instrument without an
article number, unless a secondary source corroborated the article, so that a wrong article number
never gets frozen into a stable error code.

* 财政部令第74号 第二十九条 (谈判: 文件发出至首次响应截止 ≥3 个工作日; 澄清修改 ≥3 个工作日前，不足
  的顺延) and 第四十五条 (询价: the same) — article numbers corroborated by secondary sources.
  **[unverified]**
* 财库〔2014〕214号 第十条 (磋商: ≥10 日; 澄清修改 ≥5 日前，不足的顺延) — corroborated.
  **[unverified]**
* 财政部令第74号: 邀请不少于3家供应商. **[unverified]**
* 财政部令第74号 第七条 (谈判小组/询价小组由采购人代表和评审专家共 3 人以上单数组成, 专家 ≥ 2/3;
  采购代理机构人员不得参加本机构代理的采购项目的评审; 达到公开招标数额标准的货物或者服务采购项目,
  或者达到招标规模标准的政府采购工程, 5 人以上单数): the wording found in a secondary summary
  (wanglu.net, without the article number); the number is the legal review's ([H]) only.
  **[unverified]**
* 财库〔2014〕214号: 磋商保证金 ≤ 预算 2 %, 综合评分法. **[unverified]** The cases in which 2
  suppliers may go on (74号令 27②, verified on secondary sources; 214号 21③, **[unverified]**;
  财库〔2015〕124号, read whole) are :mod:`core.rules.supplier_minimum`, which says what was read.
* 政府采购法实施条例 第三十四条 (技术、服务等标准统一的货物和服务项目，应当采用最低评标价法) —
  the 条例's text, verified as above; 财政部令第87号 第五十四条, which says the same for 货物服务
  招标, is the legal review's [H] only (searched for, not found) and named in the message, not the
  tag (``GPREG_34``).
* 财库〔2014〕214号 第十四条 (磋商小组 3 人以上单数, 专家 ≥ 2/3 — article and wording quoted by
  caigou2003.com; 代理机构工作人员不得参加本机构代理项目的评审 — a secondary summary; 技术复杂、
  专业性强的项目评审专家中应当包含1名法律专家 — from the legal review [M], not found in any source
  searched). **[unverified]**
* 财政部令第87号 第四十七条 (评标委员会由采购人代表和评审专家组成, 5 人以上单数, 专家 ≥ 2/3 —
  article and wording quoted by caigou2003.com; 采购预算金额在1000万元以上、技术复杂、社会影响较大
  的 7 人以上单数 — quoted alike by two further sources; 采购代理机构工作人员不得参加由本机构代理的
  政府采购项目的评标 — quoted alike by two sources): verified on secondary sources that agree, the
  official text itself was not read.
* 财政部令第87号 第六十九条 (中标公告期限为1个工作日); 财库〔2015〕135号 (成交结果公告期限为1个
  工作日). **[unverified]**
* 财政部令第87号 第五十五条 (价格分: 货物项目不得低于30%，服务项目不得低于10%; 执行国家统一定价标准
  和采用固定价格采购的项目，其价格不列为评审因素; 因落实政府采购政策进行价格调整的，以调整后的价格
  计算评标基准价和投标报价): the wording quoted alike by an exam site (weikao.com) and the research
  review ([H], its search backed the floors); the official text itself was not read. Verified on
  those secondary sources, as 第四十七条.
* 财政部令第87号 第六十条 (明显低于其他通过符合性审查投标人的报价 … 不能证明其报价合理性的，
  评标委员会应当将其作为无效投标处理): article and wording quoted by biddinglaw.com. Verified on
  that source.
* 财政部令第87号 第三十一条 (采用最低评标价法的采购项目，提供相同品牌产品的不同投标人参加同一合同
  项下投标的，以其中通过资格审查、符合性审查且报价最低的参加评标；报价相同的，由采购人或者采购人
  委托评标委员会按照招标文件规定的方式确定一个参加评标的投标人，招标文件未规定的采取随机抽取方式
  确定，其他投标无效。使用综合评分法的采购项目，提供相同品牌产品且通过资格审查、符合性审查的不同
  投标人参加同一合同项下投标的，按一家投标人计算，评审后得分最高的同品牌投标人获得中标人推荐资格；
  评审得分相同的，…招标文件未规定的采取随机抽取方式确定，其他同品牌投标人不作为中标候选人。非单一
  产品采购项目，采购人应当根据采购项目技术构成、产品价格比重等合理确定核心产品，并在招标文件中载明。
  多家投标人提供的核心产品品牌相同的，按前两款规定处理): the first two paragraphs with the article
  quoted alike by caigou2003.com (2022) and a lawyer's answer on lawparks.com, the third by a
  practitioner's note quoting the article; verified on those secondary sources, as 第四十七条 —
  the official text itself was not read.
* 财库〔2014〕214号 第二十四条 (磋商综合评分: 货物项目价格权值30%至60%，服务项目10%至30%;
  统一价格标准的项目价格不列为评分因素): the research review ([M] numbers, the ranges backed by
  its search) and an exam question asking for both bounds. **[unverified]**
* 财库〔2020〕46号 第九条 as raised by 财库〔2022〕19号 (小微企业价格扣除 货物、服务 10%—20%;
  大中型企业与小微企业组成联合体或者向小微企业分包, 小微企业份额 ≥ 30 %: 4%—6%): the two rates
  and both documents read in the Ministry's release as reported by wallstreetcn.com (2022); the
  article number is the research review's ([H]) only, so the reference stays **[unverified]**.
  工程 3%—5% / 1%—2% (46号, kept by 19号) is the review's [M]. 监狱企业 (财库〔2014〕68号) and
  残疾人福利性单位 (财库〔2017〕141号) are treated as 小微企业 — the review's [H], not read here.
* 政府采购法 第三十六条第一款第（一）项 (符合专业条件的供应商或者对招标文件作实质响应的供应商
  不足三家的，应予废标) — 政府采购法 articles are verified (above); 财政部令第87号 第四十三条 (the
  same after the 资格审查/符合性审查 of a 公开招标) is the review's [H] only.
* 财政部令第94号 第十条 (质疑 "一次性提出针对同一采购程序环节的质疑" — the documents may require
  it; the platform applies it to every procurement), 第十一条 (参与采购活动的供应商; 潜在供应商 for
  the documents it obtained), 第二十一条 (投诉 reviewed within 5 个工作日): the legal review's [H]
  wording, the official text not read here. **[unverified]**
* 公开招标数额标准 (74号令 7's threshold, configuration in :mod:`core.rules.limits`): 中央预算单位
  政府采购货物或服务项目 200 万元 (国办发〔2019〕55号 四, read on jcgov.gov.cn and others); 政府采购
  工程 "按照国务院有关规定执行", i.e. 必须招标的工程项目规定 (发改委令第16号) 第五条: 施工 400 万元.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TypedDict

from core.errors import DomainError, ErrorKind
from core.evaluation.methods import EvaluationMethod
from core.evaluation.ranking import (
    CONSULTATION_TIE_BREAKS,
    DEFAULT_TIE_BREAKS,
    GOV_PROCUREMENT_TIE_BREAKS,
    TieBreak,
)
from core.rules.calendar import DayCount

UNKNOWN_PROCEDURE = "UNKNOWN_PROCEDURE"


class Domain(StrEnum):
    ENGINEERING = "engineering"
    GOV_PROCUREMENT = "gov_procurement"


@dataclass(frozen=True)
class LegalRef:
    """Where a rule comes from. ``tag`` is the short form used in error codes (e.g. ``LAW_24``).

    Tags: LAW = 招标投标法, REG = 招标投标法实施条例, GPL = 政府采购法, GPREG = 政府采购法实施条例,
    MOF74 / MOF87 = 财政部令第74号 / 第87号,
    MOF214 / MOF135 / MOF46 = 财库〔2014〕214号 / 财库〔2015〕135号 / 财库〔2020〕46号,
    MOF198 = 财库〔2016〕198号 (政府采购评审专家管理办法),
    NDRC16 = 必须招标的工程项目规定 (国家发展改革委令第16号).
    MOF94 = 财政部令第94号 (政府采购质疑和投诉办法).
    """

    tag: str
    zh: str
    en: str
    verified: bool = True

    @property
    def cite_zh(self) -> str:
        return self.zh if self.verified else f"{self.zh}［待核实］"

    @property
    def cite_en(self) -> str:
        return self.en if self.verified else f"{self.en} [unverified]"


@dataclass(frozen=True)
class Period:
    """A legal number of days, the unit it is counted in, and its source."""

    days: int
    unit: DayCount
    ref: LegalRef

    def describe_zh(self) -> str:
        return f"{self.days}{self.unit.label_zh}"

    def describe_en(self) -> str:
        return f"{self.days} {self.unit.label_en}"


@dataclass(frozen=True)
class AwardPeriods:
    """The periods between the evaluation report and the contract, where the two domains' laws
    part most. ``None``: the step has no period in this procedure.

    * ``decision`` — the purchaser chooses within this after receiving the report; once it has
      passed the first remaining candidate is deemed chosen (政府采购 only);
    * ``notice`` — the 中标(成交)通知书 and the result notice go out together within this after
      the decision (政府采购 only; engineering awards after its candidates publicity);
    * ``challenge`` — 质疑 against the result may be raised until this long after the result
      notice ends (政府采购); ``None``: objections only while the candidates publicity runs;
    * ``answer`` — an objection (异议) or 质疑 is answered within this after it is received;
    * ``refund_unsuccessful`` — the unsuccessful bidders' deposits are refunded within this
      after the award notice (政府采购); ``None``: with the winner's, after the contract;
    * ``contract`` — the contract is signed within this after the award notice;
    * ``award_report`` — the written report to the supervising department is due within this
      after the award (法 47, engineering; ``None``: none);
    * ``contract_filing`` / ``contract_publication`` — the contract copy is filed / the contract
      published within this after signing (政府采购法 47 / 政采条例 50, 政府采购; ``None``: none).
      :mod:`core.rules.reporting_periods` reckons these three.
    """

    decision: Period | None
    notice: Period | None
    challenge: Period | None
    answer: Period
    refund_unsuccessful: Period | None
    contract: Period
    award_report: Period | None = None
    contract_filing: Period | None = None
    contract_publication: Period | None = None


# -- the references -----------------------------------------------------------------------------

LAW_23 = LegalRef(
    "LAW_23",
    "《招标投标法》第二十三条、《招标投标法实施条例》第二十一条",
    "Tendering Law art. 23; Tendering Regulation art. 21",
)
LAW_24 = LegalRef("LAW_24", "《招标投标法》第二十四条", "Tendering Law art. 24")
LAW_28 = LegalRef(
    "LAW_28",
    "《招标投标法》第二十八条、《招标投标法实施条例》第四十四条",
    "Tendering Law art. 28; Tendering Regulation art. 44",
)
LAW_37 = LegalRef("LAW_37", "《招标投标法》第三十七条", "Tendering Law art. 37")
REG_26 = LegalRef("REG_26", "《招标投标法实施条例》第二十六条", "Tendering Regulation art. 26")
REG_53 = LegalRef("REG_53", "《招标投标法实施条例》第五十三条", "Tendering Regulation art. 53")
REG_54 = LegalRef("REG_54", "《招标投标法实施条例》第五十四条", "Tendering Regulation art. 54")
REG_55 = LegalRef("REG_55", "《招标投标法实施条例》第五十五条", "Tendering Regulation art. 55")
REG_57 = LegalRef("REG_57", "《招标投标法实施条例》第五十七条", "Tendering Regulation art. 57")
LAW_46 = LegalRef("LAW_46", "《招标投标法》第四十六条", "Tendering Law art. 46")
LAW_47 = LegalRef("LAW_47", "《招标投标法》第四十七条", "Tendering Law art. 47")
REG_58 = LegalRef("REG_58", "《招标投标法实施条例》第五十八条", "Tendering Regulation art. 58")
GPL_47 = LegalRef("GPL_47", "《政府采购法》第四十七条", "Government Procurement Law art. 47")
GPREG_48 = LegalRef(
    "GPREG_48", "《政府采购法实施条例》第四十八条", "Government Procurement Regulation art. 48"
)
GPREG_50 = LegalRef(
    "GPREG_50", "《政府采购法实施条例》第五十条", "Government Procurement Regulation art. 50"
)
GPL_31 = LegalRef("GPL_31", "《政府采购法》第三十一条", "Government Procurement Law art. 31")
GPL_35 = LegalRef("GPL_35", "《政府采购法》第三十五条", "Government Procurement Law art. 35")
GPL_36 = LegalRef(
    "GPL_36",
    "《政府采购法》第三十四条、第三十六条",
    "Government Procurement Law arts. 34, 36",
)
GPL_46 = LegalRef("GPL_46", "《政府采购法》第四十六条", "Government Procurement Law art. 46")
GPL_53 = LegalRef("GPL_53", "《政府采购法》第五十三条", "Government Procurement Law art. 53")
GPREG_31 = LegalRef(
    "GPREG_31", "《政府采购法实施条例》第三十一条", "Government Procurement Regulation art. 31"
)
GPREG_33 = LegalRef(
    "GPREG_33", "《政府采购法实施条例》第三十三条", "Government Procurement Regulation art. 33"
)
#: 政府采购法实施条例 第三十四条: "技术、服务等标准统一的货物和服务项目，应当采用最低评标价法"
#: (the 条例's text as read for the other GPREG references); 财政部令第87号 第五十四条 repeats
#: it for 货物服务招标 ("技术、服务等标准统一的货物服务项目，应当采用最低评标价法") — the legal
#: review's [H] reading, not found by the searches made for it, so the tag names the 条例
#: article only.
GPREG_34 = LegalRef(
    "GPREG_34",
    "《政府采购法实施条例》第三十四条、财政部令第87号第五十四条",
    "Government Procurement Regulation art. 34; MOF Order 87 art. 54",
)
GPREG_43 = LegalRef(
    "GPREG_43", "《政府采购法实施条例》第四十三条", "Government Procurement Regulation art. 43"
)
GPREG_53 = LegalRef(
    "GPREG_53",
    "《政府采购法》第五十二条、《政府采购法实施条例》第五十三条",
    "Government Procurement Law art. 52; Government Procurement Regulation art. 53",
)
MOF74_29 = LegalRef(
    "MOF74_29",
    "《政府采购非招标采购方式管理办法》（财政部令第74号）第二十九条",
    "MOF Order 74 art. 29",
    verified=False,
)
MOF74_45 = LegalRef(
    "MOF74_45",
    "《政府采购非招标采购方式管理办法》（财政部令第74号）第四十五条",
    "MOF Order 74 art. 45",
    verified=False,
)
MOF74 = LegalRef(
    "MOF74",
    "《政府采购非招标采购方式管理办法》（财政部令第74号）",
    "MOF Order 74",
    verified=False,
)
MOF214_10 = LegalRef(
    "MOF214_10",
    "《政府采购竞争性磋商采购方式管理暂行办法》（财库〔2014〕214号）第十条",
    "Competitive Consultation Measures (Caiku [2014] 214) art. 10",
    verified=False,
)
MOF214 = LegalRef(
    "MOF214",
    "《政府采购竞争性磋商采购方式管理暂行办法》（财库〔2014〕214号）",
    "Competitive Consultation Measures (Caiku [2014] 214)",
    verified=False,
)
MOF74_7 = LegalRef(
    "MOF74_7",
    "《政府采购非招标采购方式管理办法》（财政部令第74号）第七条",
    "MOF Order 74 art. 7",
    verified=False,
)
MOF214_14 = LegalRef(
    "MOF214_14",
    "《政府采购竞争性磋商采购方式管理暂行办法》（财库〔2014〕214号）第十四条",
    "Competitive Consultation Measures (Caiku [2014] 214) art. 14",
    verified=False,
)
MOF87 = LegalRef(
    "MOF87",
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）",
    "MOF Order 87",
    verified=False,
)
MOF87_47 = LegalRef(
    "MOF87_47",
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第四十七条",
    "MOF Order 87 art. 47",
)
MOF87_55 = LegalRef(
    "MOF87_55",
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第五十五条",
    "MOF Order 87 art. 55",
)
MOF87_31 = LegalRef(
    "MOF87_31",
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第三十一条",
    "MOF Order 87 art. 31",
)
MOF87_60 = LegalRef(
    "MOF87_60",
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第六十条",
    "MOF Order 87 art. 60",
)
MOF214_24 = LegalRef(
    "MOF214_24",
    "《政府采购竞争性磋商采购方式管理暂行办法》（财库〔2014〕214号）第二十四条",
    "Competitive Consultation Measures (Caiku [2014] 214) art. 24",
    verified=False,
)
MOF46_9 = LegalRef(
    "MOF46_9",
    "《政府采购促进中小企业发展管理办法》（财库〔2020〕46号）第九条、财库〔2022〕19号",
    "SME Promotion Measures (Caiku [2020] 46) art. 9, as raised by Caiku [2022] 19",
    verified=False,
)
GPL_36_1 = LegalRef(
    "GPL_36",
    "《政府采购法》第三十六条第一款第（一）项、财政部令第87号第四十三条",
    "Government Procurement Law art. 36(1)(i); MOF Order 87 art. 43",
)
#: 招标投标法实施条例 第十六条: "资格预审文件或者招标文件的发售期不得少于5日" (the text read,
#: LawRefBook/Laws, as the rest of the 条例).
REG_16 = LegalRef("REG_16", "《招标投标法实施条例》第十六条", "Tendering Regulation art. 16")
#: 财政部令第87号 第十八条: "提供期限自招标公告、资格预审公告发布之日起计算不得少于5个工作日" —
#: the article and its text quoted alike by a lawyer's answer (lvshuolvda.com) and the legal
#: review [H]; the official text itself was not read.
MOF87_18 = LegalRef(
    "MOF87_18",
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第十八条",
    "MOF Order 87 art. 18",
)
REG_22 = LegalRef("REG_22", "《招标投标法实施条例》第二十二条", "Tendering Regulation art. 22")
REG_44 = LegalRef("REG_44", "《招标投标法实施条例》第四十四条", "Tendering Regulation art. 44")
REG_60 = LegalRef("REG_60", "《招标投标法实施条例》第六十条", "Tendering Regulation art. 60")
REG_61 = LegalRef("REG_61", "《招标投标法实施条例》第六十一条", "Tendering Regulation art. 61")
REG_62 = LegalRef("REG_62", "《招标投标法实施条例》第六十二条", "Tendering Regulation art. 62")
GPL_55 = LegalRef("GPL_55", "《政府采购法》第五十五条", "Government Procurement Law art. 55")
GPL_56 = LegalRef("GPL_56", "《政府采购法》第五十六条", "Government Procurement Law art. 56")
GPL_57 = LegalRef("GPL_57", "《政府采购法》第五十七条", "Government Procurement Law art. 57")
MOF94_10 = LegalRef(
    "MOF94_10",
    "《政府采购质疑和投诉办法》（财政部令第94号）第十条",
    "MOF Order 94 art. 10",
    verified=False,
)
MOF94_11 = LegalRef(
    "MOF94_11",
    "《政府采购质疑和投诉办法》（财政部令第94号）第十一条",
    "MOF Order 94 art. 11",
    verified=False,
)
MOF94_21 = LegalRef(
    "MOF94_21",
    "《政府采购质疑和投诉办法》（财政部令第94号）第二十一条",
    "MOF Order 94 art. 21",
    verified=False,
)
MOF135 = LegalRef(
    "MOF135",
    "《关于做好政府采购信息公开工作的通知》（财库〔2015〕135号）",
    "Caiku [2015] 135 (procurement information disclosure)",
    verified=False,
)


@dataclass(frozen=True)
class CommitteeRules:
    """What 政府采购 adds to the committee (评标委员会 / 谈判小组 / 询价小组 / 磋商小组): the people
    of the project's 采购代理机构 never sit on it and the 采购人代表 is the purchaser's own
    (87号令 47, 74号令 7, 214号 14), and in some cases it must be larger or hold a 法律专家.

    * ``larger_min_members`` — the floor that replaces ``committee_min_members`` when one of the
      ``larger_*`` cases holds (87号令 47: 7; 74号令 7: 5);
    * ``larger_from_budget`` — a 采购预算金额 (元) at or above which it holds (87号令 47:
      1000万元以上, "以上" including the amount, 民法典 第一千二百五十九条);
    * ``larger_at_open_tender_threshold`` — it holds when the budget reaches the 公开招标数额标准
      (货物、服务) or the 招标规模标准 (工程), which are configuration (74号令 7);
    * ``larger_when_declared`` — it holds when the round is declared 技术复杂 or 社会影响较大
      (87号令 47);
    * ``legal_expert_when_complex`` — a round declared 技术复杂、专业性强 needs a 法律专家 among the
      experts (214号 14).
    """

    larger_min_members: int | None = None
    larger_from_budget: Decimal | None = None
    larger_at_open_tender_threshold: bool = False
    larger_when_declared: bool = False
    legal_expert_when_complex: bool = False


class ObjectionStage(StrEnum):
    """What an objection (异议) or 质疑 is against: the documents (资格预审文件/招标文件, 采购文件),
    the opening (开标; 政府采购: that 采购程序环节), or the result (评标结果, 中标/成交结果)."""

    DOCUMENTS = "documents"
    OPENING = "opening"
    RESULT = "result"


class Timing(StrEnum):
    """When an objection of a stage may be raised."""

    BEFORE_DEADLINE = "before_deadline"  # at least ``period`` before the bid deadline (条例 22)
    ON_SITE = "on_site"  # at the opening, during its window (条例 44)
    DURING_PUBLICITY = "during_publicity"  # while the candidates publicity runs (条例 54)
    AFTER_STAGE = "after_stage"  # within ``period`` after the stage ends (政采条例 53)


@dataclass(frozen=True)
class StageObjection:
    """How an objection against one stage is raised and answered, and what it holds meanwhile.

    * ``timing`` with ``period`` (its length; ``None`` for on site and the publicity) and ``ref``
      (the article in its refusals);
    * ``answer`` — answered within this after it is received; ``None``: on the spot, before the
      opening window ends (条例 44: "当场作出答复，并制作记录");
    * ``suspends`` — "作出答复前，应当暂停招标投标活动" (条例 22, 54): the round's clock stands
      still until the last open one is answered, and the time is given back;
    * ``potential_bidders`` — a party registered for the round (or having downloaded its
      documents) may raise it without a bid (条例 22; 94号令 11);
    * ``interested_parties`` — another 利害关系人 may raise it by declaring its interest (条例 54);
    * ``one_per_party`` — one per supplier and stage (94号令 10: "一次性提出").
    """

    timing: Timing
    period: Period | None
    ref: LegalRef
    answer: Period | None
    suspends: bool
    potential_bidders: bool = False
    interested_parties: bool = False
    one_per_party: bool = False


@dataclass(frozen=True)
class ComplaintRules:
    """投诉 to the supervisor (行政监督部门; 政府采购: 财政部门).

    * ``objection_first`` — the stages whose matters must first be objected to (条例 60: 22, 44,
      54 matters; 政府采购法 55: every 投诉 follows a 质疑); ``other_matters`` — a 投诉 without a
      prior objection is possible for what none of the stages covers (engineering only);
    * ``within`` — how long after knowing of the harm (``from_answer_end`` False, 条例 60, the
      objection's answer time not counted) or after the answer period ends (True, 政府采购法 55);
    * ``acceptance`` — the supervisor accepts or refuses (条例 61) / reviews it (94号令 21) within
      this after receiving it; ``decision`` within this after accepting it (条例 61) or receiving
      it (``decision_from_receipt``, 政府采购法 56);
    * ``suspension_ref`` and ``max_suspension`` — the supervisor may suspend meanwhile (条例 62;
      政府采购法 57: at most 30 日; ``None``: no cap).
    """

    objection_first: frozenset[ObjectionStage]
    other_matters: bool
    within: Period
    from_answer_end: bool
    acceptance: Period
    decision: Period
    decision_from_receipt: bool
    suspension_ref: LegalRef
    max_suspension: Period | None


@dataclass(frozen=True)
class Remedies:
    """Objections by stage and the 投诉 after them (``core.rules.complaint_periods``)."""

    stages: Mapping[ObjectionStage, StageObjection]
    complaint: ComplaintRules


@dataclass(frozen=True)
class PriceWeights:
    """Bounds of the price criterion's weight in a 综合评分, in points of 100 (= percent), per
    采购对象; ``None`` on a side: unbounded there. Works (工程) are never bounded: 87号令 and 214号
    24 bound goods and services only.

    87号令 55: floors only — 货物 ≥ 30, 服务 ≥ 10; 214号 24 (磋商): 货物 30–60, 服务 10–30.
    """

    goods: tuple[Decimal, Decimal | None]
    services: tuple[Decimal, Decimal | None]
    ref: LegalRef


_MOF87_55_WEIGHTS = PriceWeights((Decimal(30), None), (Decimal(10), None), MOF87_55)
_MOF214_24_WEIGHTS = PriceWeights((Decimal(30), Decimal(60)), (Decimal(10), Decimal(30)),
                                  MOF214_24)


@dataclass(frozen=True)
class Procedure:
    """The legal numbers of one procedure type. ``None`` means the rule does not apply.

    Periods:

    * ``bidding_period`` — minimum from issue of the documents to the bid/response deadline;
    * ``clarification_notice`` — a clarification or amendment that may affect bids must reach
      bidders at least this long before the deadline, else the deadline moves;
    * ``publicity`` — minimum length of the candidate publicity (engineering) or result notice
      (government procurement);
    * ``publicity_start_within`` — the publicity must start within this period after the
      evaluation report is received (招标投标法实施条例 第五十四条);
    * ``documents_on_sale`` — the 资格预审文件/招标文件 stay on sale (available) at least this long
      from their issue (条例 16: 5 日; 87号令 18: 5 个工作日; 214号 10: 5 个工作日; 谈判、询价
      and 单一来源: no such rule, ``None``; :mod:`core.rules.documents_limits`);
    * ``refund_after_contract`` — deadline for refunding the (winner's) deposit after the contract;
      ``refund_interest``: the refund carries the 银行同期存款利息 (条例 57, engineering);
      ``late_refund_fee``: a late refund owes the 超期资金占用费 (87号令 38, government tenders —
      the order governs 货物和服务招标 only; 74号令 and 214号 set no such fee);
    * ``after_report`` — the periods from the report to the contract (:class:`AwardPeriods`).

    Committee: ``committee_min_members`` under ``committee_ref`` (the article in its error codes),
    and for 政府采购 ``committee_rules`` (:class:`CommitteeRules`: the larger number, the agency
    staff, the 法律专家).

    Behaviour (one field per thing the two domains' laws make differ):

    * ``tie_breaks`` — how equal results are ordered (``core.evaluation.ranking``);
    * ``price_criterion_required`` — 政府采购 scores price in every 综合评分 (87号令 55);
    * ``award_in_rank`` — 条例 55 binds state-funded engineering tenders (a round says so) and
      every government procurement;
    * ``result_lists_experts`` — 政采条例 43: the result notice lists the 评审专家;
    * ``retender_basis_zh`` — the law a 流标 notice cites;
    * ``flow`` — the name of the stages its rounds pass through;
    * ``price_weights`` — the share the price criterion of a 综合评分 may take, per 采购对象
      (:class:`PriceWeights`; ``None``: no bound, engineering);
    * ``min_responsive`` / ``min_responsive_ref`` — fewer bids than this still responsive after
      the 资格/符合性审查 and the report is refused, the procurement fails (废标, 政府采购法
      36(一));
      ``None``: no such rule (engineering: 暂行规定 27 is not modelled).
    * ``same_brand_ref`` — bids offering the same brand of the documents' 核心产品 count as one
      supplier and only one of them is ranked (87号令 31, the government tenders it governs;
      ``None``: no such rule — 74号令 and 214号 have none).

    :mod:`core.rules.price_policy` applies the last two and the 小微企业 deduction.
    * ``remedies`` — objections by stage and 投诉 (:class:`Remedies`).
    """

    domain: Domain
    code: str  # the value in code table tender_mode (engineering) / procurement_method (gov.)
    key: str  # our name, unique within the domain
    name_zh: str
    name_en: str
    bidding_period: Period | None
    clarification_notice: Period | None
    min_bids: int
    min_bids_ref: LegalRef
    max_deposit_rate: Decimal | None  # of the estimated price (engineering) / budget (gov.)
    deposit_ref: LegalRef | None
    publicity: Period | None
    publicity_start_within: Period | None
    refund_after_contract: Period | None
    after_report: AwardPeriods
    committee_min_members: int | None  # odd, experts ≥ 2/3 wherever a committee applies
    committee_ref: LegalRef | None
    # 政府采购's further committee rules (None: engineering, 法 37 only; 单一来源: no committee)
    committee_rules: CommitteeRules | None = field(default=None, kw_only=True)
    # the documents are on sale (available) at least this long from their issue (None: no rule)
    documents_on_sale: Period | None = field(default=None, kw_only=True)
    # the 履约保证金's 10 % cap (条例 58; 政采条例 48) — core.rules.deposit_limits
    performance_bond_ref: LegalRef | None = field(default=None, kw_only=True)
    # a refund carries 银行同期存款利息 (条例 57) / a late one 超期资金占用费 (87号令 38)
    refund_interest: bool = field(default=False, kw_only=True)
    late_refund_fee: bool = field(default=False, kw_only=True)
    evaluation_methods: frozenset[EvaluationMethod]
    # -- what the procedure does, not only its numbers: the use cases ask these, never the domain
    tie_breaks: tuple[TieBreak, ...]  # equal evaluated results, settled in this order
    price_criterion_required: bool  # a scored evaluation must have a price criterion
    award_in_rank: bool  # the first remaining candidate is awarded, whoever the owner prefers
    result_lists_experts: bool  # the result notice names the 评审专家 (secret until then)
    retender_basis_zh: str  # the article a 流标 notice cites for tendering again
    flow: str  # the stages its rounds pass through (core/services/tendering/flows.py)
    price_weights: PriceWeights | None = field(default=None, kw_only=True)
    min_responsive: int | None = field(default=None, kw_only=True)
    min_responsive_ref: LegalRef | None = field(default=None, kw_only=True)
    # 87号令 31: same-brand bids count as one supplier (core.evaluation.same_brand); None: no rule
    same_brand_ref: LegalRef | None = field(default=None, kw_only=True)
    remedies: Remedies  # 异议 / 质疑 by stage, and 投诉 (core.rules.complaint_periods)


_CAL = DayCount.CALENDAR
_WORK = DayCount.WORKING
_TWO_PERCENT = Decimal("0.02")
_SCORED = frozenset({EvaluationMethod.COMPREHENSIVE, EvaluationMethod.LOWEST_EVALUATED_PRICE})
_MOF87_47_COMMITTEE = CommitteeRules(larger_min_members=7, larger_from_budget=Decimal("10000000"),
                                     larger_when_declared=True)
_MOF74_7_COMMITTEE = CommitteeRules(larger_min_members=5, larger_at_open_tender_threshold=True)
_MOF214_14_COMMITTEE = CommitteeRules(legal_expert_when_complex=True)


#: Engineering awards after its candidates publicity; objections are answered within 3 日 (条例 54),
#: the contract is signed within 30 日 of the 中标通知书 (法 46) and the written report is due
#: within 15 日 of the award (法 47).
_ENGINEERING_AWARD = AwardPeriods(
    decision=None, notice=None, challenge=None, answer=Period(3, _CAL, REG_54),
    refund_unsuccessful=None, contract=Period(30, _CAL, LAW_46),
    award_report=Period(15, _CAL, LAW_47))
#: 政采条例 43 covers 中标 and 成交 alike, so every government method: decision within 5 个工作日
#: of the report (87号令 68, 74号令 36, 214号 28 repeat it: else the first is deemed chosen),
#: notice and result notice within 2 个工作日 of the decision; 质疑 until 7 个工作日 after the
#: result notice ends (政府采购法 52, 政采条例 53(三)), answered in 7 个工作日 (政府采购法 53);
#: the unsuccessful deposits 5 个工作日 after the notice (政采条例 33); contract 30 日
#: (政府采购法 46), its copy filed within 7 个工作日 (政府采购法 47) and the contract published
#: within 2 个工作日 (政采条例 50).
_PROCUREMENT_AWARD = AwardPeriods(
    decision=Period(5, _WORK, GPREG_43), notice=Period(2, _WORK, GPREG_43),
    challenge=Period(7, _WORK, GPREG_53), answer=Period(7, _WORK, GPL_53),
    refund_unsuccessful=Period(5, _WORK, GPREG_33), contract=Period(30, _CAL, GPL_46),
    contract_filing=Period(7, _WORK, GPL_47), contract_publication=Period(2, _WORK, GPREG_50))


class _Behaviour(TypedDict):
    """The behaviour fields a domain's procedures share."""

    flow: str
    tie_breaks: tuple[TieBreak, ...]
    price_criterion_required: bool
    award_in_rank: bool
    result_lists_experts: bool
    retender_basis_zh: str
    remedies: Remedies


#: 招标投标法实施条例: documents ≥ 10 日 before the deadline (22), answered in 3 日 and the
#: tendering suspended meanwhile; the opening on site (44); the result during the publicity
#: (54, 3 日). 投诉 within 10 日 of knowing, after the objection for those matters (60); accepted
#: or not within 3 个工作日 and decided within 30 个工作日 of acceptance (61); suspension without
#: a cap (62).
_ENGINEERING_REMEDIES = Remedies(
    stages=MappingProxyType({
        ObjectionStage.DOCUMENTS: StageObjection(
            Timing.BEFORE_DEADLINE, Period(10, _CAL, REG_22), REG_22, Period(3, _CAL, REG_22),
            suspends=True, potential_bidders=True),
        ObjectionStage.OPENING: StageObjection(Timing.ON_SITE, None, REG_44, None,
                                               suspends=False),
        ObjectionStage.RESULT: StageObjection(
            Timing.DURING_PUBLICITY, None, REG_54, _ENGINEERING_AWARD.answer, suspends=True,
            interested_parties=True),
    }),
    complaint=ComplaintRules(
        objection_first=frozenset(ObjectionStage), other_matters=True,
        within=Period(10, _CAL, REG_60), from_answer_end=False,
        acceptance=Period(3, _WORK, REG_61), decision=Period(30, _WORK, REG_61),
        decision_from_receipt=False, suspension_ref=REG_62, max_suspension=None))
#: 政府采购: a 质疑 against the documents, the opening (a 采购程序环节) or the result within 7
#: 个工作日 of the start 政采条例 53 gives it, answered in 7 个工作日 (政府采购法 53), one per stage
#: (94号令 10), suspending nothing; 投诉 within 15 个工作日 after the answer period (政府采购法 55),
#: reviewed within 5 个工作日 (94号令 21), decided within 30 个工作日 of receipt (政府采购法 56);
#: the procurement suspended for at most 30 日 (政府采购法 57).
_CHALLENGE = _PROCUREMENT_AWARD.challenge
assert _CHALLENGE is not None
_PROCUREMENT_REMEDIES = Remedies(
    stages=MappingProxyType({
        stage: StageObjection(Timing.AFTER_STAGE, _CHALLENGE, GPREG_53,
                              _PROCUREMENT_AWARD.answer, suspends=False,
                              potential_bidders=stage is ObjectionStage.DOCUMENTS,
                              one_per_party=True)
        for stage in ObjectionStage}),
    complaint=ComplaintRules(
        objection_first=frozenset(ObjectionStage), other_matters=False,
        within=Period(15, _WORK, GPL_55), from_answer_end=True,
        acceptance=Period(5, _WORK, MOF94_21), decision=Period(30, _WORK, GPL_56),
        decision_from_receipt=True, suspension_ref=GPL_57,
        max_suspension=Period(30, _CAL, GPL_57)))


_ENGINEERING_BEHAVIOUR = _Behaviour(
    flow="tendering", tie_breaks=DEFAULT_TIE_BREAKS, price_criterion_required=False,
    award_in_rank=False,  # only where the round is state funded (条例 55)
    result_lists_experts=False, retender_basis_zh="《中华人民共和国招标投标法》第二十八条",
    remedies=_ENGINEERING_REMEDIES)
_CONSULTATION_BEHAVIOUR = _Behaviour(  # 214号 25: ties by the last offer, then 技术指标
    flow="gov_procurement", tie_breaks=CONSULTATION_TIE_BREAKS, price_criterion_required=True,
    award_in_rank=True, result_lists_experts=True,
    retender_basis_zh="《中华人民共和国政府采购法》第三十六条",
    remedies=_PROCUREMENT_REMEDIES)
_PROCUREMENT_BEHAVIOUR = _Behaviour(
    flow="gov_procurement",  # the purchaser's decision, then the result notice with the award
    tie_breaks=GOV_PROCUREMENT_TIE_BREAKS, price_criterion_required=True, award_in_rank=True,
    result_lists_experts=True, retender_basis_zh="《中华人民共和国政府采购法》第三十六条",
    remedies=_PROCUREMENT_REMEDIES)


def _engineering(code: str, key: str, name_zh: str, name_en: str) -> Procedure:
    return Procedure(
        domain=Domain.ENGINEERING,
        code=code,
        key=key,
        name_zh=name_zh,
        name_en=name_en,
        bidding_period=Period(20, _CAL, LAW_24),
        clarification_notice=Period(15, _CAL, LAW_23),
        min_bids=3,
        min_bids_ref=LAW_28,
        max_deposit_rate=_TWO_PERCENT,
        deposit_ref=REG_26,
        publicity=Period(3, _CAL, REG_54),
        publicity_start_within=Period(3, _CAL, REG_54),
        refund_after_contract=Period(5, _CAL, REG_57),
        after_report=_ENGINEERING_AWARD,
        committee_min_members=5,
        committee_ref=LAW_37,
        documents_on_sale=Period(5, _CAL, REG_16),
        performance_bond_ref=REG_58,
        refund_interest=True,
        evaluation_methods=_SCORED,  # 招标投标法 第四十一条
        **_ENGINEERING_BEHAVIOUR,
    )


def _gov_tender(code: str, name_zh: str, name_en: str) -> Procedure:
    return Procedure(
        domain=Domain.GOV_PROCUREMENT,
        code=code,
        key=code,
        name_zh=name_zh,
        name_en=name_en,
        bidding_period=Period(20, _CAL, GPL_35),
        clarification_notice=Period(15, _CAL, GPREG_31),
        min_bids=3,
        min_bids_ref=GPL_36,
        max_deposit_rate=_TWO_PERCENT,
        deposit_ref=GPREG_33,
        publicity=Period(1, _WORK, MOF87),
        publicity_start_within=None,
        refund_after_contract=Period(5, _WORK, GPREG_33),
        after_report=_PROCUREMENT_AWARD,
        committee_min_members=5,
        committee_ref=MOF87_47,
        committee_rules=_MOF87_47_COMMITTEE,
        documents_on_sale=Period(5, _WORK, MOF87_18),
        performance_bond_ref=GPREG_48,
        late_refund_fee=True,
        evaluation_methods=_SCORED,  # 政府采购法实施条例 第三十四条
        **_PROCUREMENT_BEHAVIOUR,
        price_weights=_MOF87_55_WEIGHTS,
        min_responsive=3,  # 政府采购法 36(一), 87号令 43
        min_responsive_ref=GPL_36_1,
        same_brand_ref=MOF87_31,
    )


def _non_tender(code: str, name_zh: str, name_en: str, period_ref: LegalRef) -> Procedure:
    return Procedure(
        domain=Domain.GOV_PROCUREMENT,
        code=code,
        key=code,
        name_zh=name_zh,
        name_en=name_en,
        bidding_period=Period(3, _WORK, period_ref),
        clarification_notice=Period(3, _WORK, period_ref),
        min_bids=3,
        min_bids_ref=MOF74,
        max_deposit_rate=_TWO_PERCENT,
        deposit_ref=GPREG_33,  # 第三款: 竞争性谈判或者询价 … 参照前两款
        publicity=Period(1, _WORK, MOF135),
        publicity_start_within=None,
        refund_after_contract=Period(5, _WORK, GPREG_33),
        after_report=_PROCUREMENT_AWARD,
        committee_min_members=3,
        committee_ref=MOF74_7,
        committee_rules=_MOF74_7_COMMITTEE,
        performance_bond_ref=GPREG_48,
        evaluation_methods=frozenset({EvaluationMethod.LOWEST_PRICE}),  # 政府采购法 第38、40条
        **_PROCUREMENT_BEHAVIOUR,
    )


_ALL: tuple[Procedure, ...] = (
    _engineering("1", "open_tender", "公开招标", "Open tendering"),
    _engineering("2", "invited_tender", "邀请招标", "Invited tendering"),
    _gov_tender("public_tender", "公开招标", "Public tender"),
    _gov_tender("invited_tender", "邀请招标", "Invited tender"),
    _non_tender("competitive_negotiation", "竞争性谈判", "Competitive negotiation", MOF74_29),
    _non_tender("inquiry", "询价", "Request for quotations", MOF74_45),
    Procedure(
        domain=Domain.GOV_PROCUREMENT,
        code="competitive_consultation",
        key="competitive_consultation",
        name_zh="竞争性磋商",
        name_en="Competitive consultation",
        bidding_period=Period(10, _CAL, MOF214_10),
        clarification_notice=Period(5, _CAL, MOF214_10),
        min_bids=3,
        min_bids_ref=MOF214,
        max_deposit_rate=_TWO_PERCENT,
        deposit_ref=MOF214,
        publicity=Period(1, _WORK, MOF135),
        publicity_start_within=None,
        refund_after_contract=Period(5, _WORK, MOF214),
        after_report=_PROCUREMENT_AWARD,
        committee_min_members=3,
        committee_ref=MOF214_14,
        committee_rules=_MOF214_14_COMMITTEE,
        # 214号 10: "磋商文件的发售期限自开始之日起不得少于5个工作日" (quoted with the article by
        # zgxue.com; the reference stays unverified as for the rest of 214号 10)
        documents_on_sale=Period(5, _WORK, MOF214_10),
        performance_bond_ref=GPREG_48,
        evaluation_methods=frozenset({EvaluationMethod.COMPREHENSIVE}),
        **_CONSULTATION_BEHAVIOUR,
        price_weights=_MOF214_24_WEIGHTS,
    ),
    Procedure(
        domain=Domain.GOV_PROCUREMENT,
        code="single_source",
        key="single_source",
        name_zh="单一来源",
        name_en="Single-source procurement",
        bidding_period=None,
        clarification_notice=None,
        min_bids=1,
        min_bids_ref=GPL_31,
        max_deposit_rate=None,
        deposit_ref=None,
        publicity=Period(1, _WORK, MOF135),
        publicity_start_within=None,
        refund_after_contract=None,
        after_report=_PROCUREMENT_AWARD,
        committee_min_members=None,  # 协商 by the purchaser's staff, no evaluation committee
        committee_ref=None,
        performance_bond_ref=GPREG_48,
        evaluation_methods=frozenset(),
        **_PROCUREMENT_BEHAVIOUR,
    ),
)

#: Every procedure, keyed by ``(domain, key)``:
#: e.g. ``PROCEDURES[Domain.ENGINEERING, "open_tender"]``.
PROCEDURES: Mapping[tuple[Domain, str], Procedure] = MappingProxyType(
    {(p.domain, p.key): p for p in _ALL}
)
_BY_CODE: Mapping[tuple[Domain, str], Procedure] = MappingProxyType(
    {(p.domain, p.code): p for p in _ALL}
)


def procedure_for(domain: Domain | str, tender_mode: str) -> Procedure:
    """The procedure for a code-table value: ``tender_mode`` "1"/"2" (engineering) or a
    ``procurement_method`` code (gov_procurement). Anything else — including ``tender_mode`` "9"
    (其他), which has no legal numbers of its own — is ``UNKNOWN_PROCEDURE``."""
    try:
        found = _BY_CODE.get((Domain(domain), tender_mode))
    except ValueError:
        found = None
    if found is None:
        raise DomainError(
            UNKNOWN_PROCEDURE,
            f"未知的交易方式：{domain}/{tender_mode}",
            f"Unknown procedure: {domain}/{tender_mode}",
            ErrorKind.INVALID,
            domain=str(domain),
            tender_mode=tender_mode,
        )
    return found
