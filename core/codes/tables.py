"""National code tables (代码集) the trading core stores values from.

Each table says where its values come from, with the research notes' tags: [V] stated directly by
an official text or by a system's own code/config, [I] inferred from implementations or samples,
[?] a weak hint. Where the national values were not retrieved the table holds hub-internal codes
(readable English slugs); mappings/ translates them to each peer's coding, which is safer than
guessing national digits that a peer would then reject or, worse, misread.

Values are compared exactly (no trimming, no case folding): a code table value is a code, and a
value that needs repair is a bug upstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from core.codes.errors import CODE_TABLE_VALUE_UNKNOWN, CodeError, shown


@dataclass(frozen=True, eq=False)
class CodeTable:
    """One code table: ``entries`` maps each code to its (Chinese, English) label."""

    key: str
    name: str
    name_en: str
    source: str
    entries: Mapping[str, tuple[str, str]] = field(repr=False)

    def __post_init__(self) -> None:
        # Freeze the entries too: a table shared by every request must not be edited by one.
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and value in self.entries

    def validate(self, value: str) -> str:
        """Return ``value`` if it is a code of this table; raise CODE_TABLE_VALUE_UNKNOWN."""
        if value not in self:
            allowed = ", ".join(self.entries)
            raise CodeError(
                CODE_TABLE_VALUE_UNKNOWN,
                f"{self.name}（{self.key}）没有代码 {shown(value)}；可选值：{allowed}",
                f"{self.name_en} ({self.key}) has no code {shown(value)}; allowed: {allowed}",
                value=value,
                table=self.key,
            )
        return value

    def label(self, value: str, lang: Literal["zh", "en"] = "zh") -> str:
        """The label of a code, Chinese by default; raises like ``validate`` for unknown codes."""
        zh, en = self.entries[self.validate(value)]
        return zh if lang == "zh" else en


def _table(
    key: str, name: str, name_en: str, source: str, entries: dict[str, tuple[str, str]]
) -> CodeTable:
    return CodeTable(key=key, name=name, name_en=name_en, source=source, entries=entries)


_TABLES = (
    _table(
        "tender_mode",
        "招标方式",
        "Tender mode",
        "技术规范 §3.8 招标方式代码; values 1|2|9 from the cebpubservice XSD (tenderMode) [V]; "
        "labels 公开/邀请/其他 [?] (the national label text was not retrieved).",
        {
            "1": ("公开招标", "Open tendering"),
            "2": ("邀请招标", "Invited tendering"),
            "9": ("其他", "Other"),
        },
    ),
    _table(
        "tender_organize_form",
        "招标组织形式",
        "Tender organisation form",
        "Values and labels as annotated by ebnew against the national schema, matching the "
        "cebpubservice XSD restriction [1|2|3|9] [V].",
        {
            "1": ("自行招标", "Self-organised tendering"),
            "2": ("委托招标", "Tendering entrusted to an agency"),
            "3": ("自行集中", "Self-organised centralised tendering"),
            "9": ("其他", "Other"),
        },
    ),
    _table(
        "tender_project_type",
        "招标项目类型",
        "Tender project type",
        "TENDER_PROJECT_TYPE (3 chars) from the Fujian platform's dictionary (DictModel.cs) [I]; "
        "A97 海洋渔港 and A98 园林绿化 are left out as likely Fujian-only.",
        {
            "A01": ("房建", "Building construction"),
            "A02": ("市政", "Municipal works"),
            "A03": ("公路", "Highways"),
            "A04": ("铁路", "Railways"),
            "A05": ("民航", "Civil aviation"),
            "A06": ("水运", "Waterway transport"),
            "A07": ("水利", "Water conservancy"),
            "A08": ("能源", "Energy"),
            "A09": ("邮电通信", "Post and telecommunications"),
            "A10": ("桥梁", "Bridges"),
            "A11": ("城市轨道", "Urban rail transit"),
            "A12": ("矿产冶金", "Mining and metallurgy"),
            "A13": ("信息网络", "Information networks"),
            "A14": ("工业制造", "Industrial manufacturing"),
            "A99": ("其他", "Other"),
        },
    ),
    _table(
        "price_unit",
        "价格单位",
        "Price unit",
        "PRICE_UNIT as enforced by the Fujian ingest (EnumMatchFieldValidator) [V for FJ]. The "
        "cebpubservice XSD uses [1|2] instead: translate per target in mappings/.",
        {"0": ("元", "Yuan"), "1": ("万元", "Ten thousand yuan")},
    ),
    _table(
        "currency",
        "币种",
        "Currency",
        "CURRENCY_CODE = ISO 4217 numeric code, [0-9]{3} per the cebpubservice XSD [V]; 156 = CNY "
        "is ISO 4217 itself. Only currencies seen in tenders here are listed; add as needed.",
        {
            "156": ("人民币", "Chinese yuan (CNY)"),
            "840": ("美元", "US dollar (USD)"),
            "978": ("欧元", "Euro (EUR)"),
            "344": ("港元", "Hong Kong dollar (HKD)"),
        },
    ),
    _table(
        "trading_domain",
        "交易领域",
        "Trading domain",
        "Hub-internal codes. The first four domains are those of 数据规范 V1.0/V2.0 [V]; "
        "the others are the centre's further trading lines, with data sets only in "
        "provincial profiles (e.g. Fujian 碳排放/排污权/药品 sets) [I].",
        {
            "engineering": ("工程建设", "Engineering construction"),
            "gov_procurement": ("政府采购", "Government procurement"),
            "land_mineral": ("土地使用权和矿业权", "Land use and mining rights"),
            "state_property": ("国有产权", "State-owned property rights"),
            "forest_right": ("林权", "Forest rights"),
            "carbon_emission": ("碳排放权", "Carbon emission rights"),
            "pollutant_discharge": ("排污权", "Pollutant discharge rights"),
            "vaccine": ("二类疫苗", "Category II vaccines"),
            "hospital_drugs": ("公立医院药品", "Public hospital drugs"),
            "other": ("其他", "Other"),
        },
    ),
    _table(
        "party_role",
        "交易主体角色",
        "Trading party role",
        "Hub-internal codes for the 主体 extension sets of 数据规范 ch. 14 (招标人 … 受让人) "
        "[V for the roles]; the national 2-character 主体角色 codes (dictionary 26) "
        "were not retrieved.",
        {
            "tenderer": ("招标人", "Tenderer"),
            "tender_agency": ("招标代理机构", "Tender agency"),
            "bidder": ("投标人", "Bidder"),
            "purchaser": ("采购人", "Purchaser"),
            "procurement_agency": ("采购代理机构", "Procurement agency"),
            "supplier": ("供应商", "Supplier"),
            "transferor": ("出让人", "Transferor"),
            "transferee": ("竞买人/受让人", "Bidder for / transferee of a right"),
        },
    ),
    _table(
        "notice_type",
        "公告类型",
        "Notice type",
        "Hub-internal codes for the notices of data sets 503/504 (招标公告与资格预审公告, "
        "澄清修改) and cebpubservice amendBulletin [I], and the public notices of the lifecycle "
        "(发改委令10号 第6条, 条例 31/54, 政采条例 43/50); national 公告类型 values not retrieved.",
        {
            "tender": ("招标公告", "Tender notice"),
            "prequalification": ("资格预审公告", "Prequalification notice"),
            "amendment": ("变更公告", "Amendment notice"),
            "clarification": ("澄清公告", "Clarification notice"),
            # generated by the lifecycle when its step happens (core.services.lifecycle_notices);
            # 政府采购 shows some of them under its own names (docs/portal.md)
            "opening_record": ("开标记录", "Bid opening record"),
            "candidates": ("中标候选人公示", "Publicity of the successful-bid candidates"),
            "result": ("中标结果公告", "Award result notice"),
            "contract": ("合同订立", "Contract concluded"),
            "termination": ("终止公告", "Termination notice"),
            "failed": ("流标公告", "Failed tender notice"),
        },
    ),
    _table(
        "procurement_method",
        "政府采购方式",
        "Government procurement method",
        "Hub-internal codes for the methods of 政府采购法 art. 26 and 竞争性磋商 "
        "(财库〔2014〕214号); national code values for 采购方式 not retrieved.",
        {
            "public_tender": ("公开招标", "Public tender"),
            "invited_tender": ("邀请招标", "Invited tender"),
            "competitive_negotiation": ("竞争性谈判", "Competitive negotiation"),
            "competitive_consultation": ("竞争性磋商", "Competitive consultation"),
            "inquiry": ("询价", "Request for quotations"),
            "single_source": ("单一来源", "Single-source procurement"),
        },
    ),
)

CODE_TABLES: Mapping[str, CodeTable] = MappingProxyType({t.key: t for t in _TABLES})
"""Registry by key; read-only so that no caller can swap a table for everyone."""
