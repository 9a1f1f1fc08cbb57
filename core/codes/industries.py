"""国民经济行业分类 (GB/T 4754-2017, in force 2017-10-01; amendment No. 1 of 2019 changed only
小类), down to the 大类 level: 20 门类 A-T, 97 大类 01-97, numbered contiguously.

The national data standard's INDUSTRIES_TYPE (项目行业分类) is 门类 letter + 2-digit 大类, e.g.
E48 土木工程建筑业; the letter is redundant with the number, so a code whose letter does not own
the number (A48) is refused rather than "corrected".

Edition caveat: one implementer (ebnew) cites GB/T 4754-2011. Divisions 01-78 have the same
numbers and letters in both editions (so every 工程建设 code E47-E50 is unaffected); from 79 on the
2011 numbers are shifted by one (2011 O79 居民服务业 = 2017 O80, 2011 P82 教育 = 2017 P83), so a
2011-coded peer must be translated in mappings/, not here.

Table transcribed from the standard's 代码表 (section 5 of GB/T 4754-2017) and cross-checked
against published lists of the 97 大类.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from core.codes.errors import INDUSTRY_CODE_UNKNOWN, CodeError, shown

INDUSTRY_SECTIONS: dict[str, str] = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}

_DIVISIONS_BY_SECTION: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "A": ("农业", "林业", "畜牧业", "渔业", "农、林、牧、渔专业及辅助性活动"),
        "B": (
            "煤炭开采和洗选业",
            "石油和天然气开采业",
            "黑色金属矿采选业",
            "有色金属矿采选业",
            "非金属矿采选业",
            "开采专业及辅助性活动",
            "其他采矿业",
        ),
        "C": (
            "农副食品加工业",
            "食品制造业",
            "酒、饮料和精制茶制造业",
            "烟草制品业",
            "纺织业",
            "纺织服装、服饰业",
            "皮革、毛皮、羽毛及其制品和制鞋业",
            "木材加工和木、竹、藤、棕、草制品业",
            "家具制造业",
            "造纸和纸制品业",
            "印刷和记录媒介复制业",
            "文教、工美、体育和娱乐用品制造业",
            "石油、煤炭及其他燃料加工业",
            "化学原料和化学制品制造业",
            "医药制造业",
            "化学纤维制造业",
            "橡胶和塑料制品业",
            "非金属矿物制品业",
            "黑色金属冶炼和压延加工业",
            "有色金属冶炼和压延加工业",
            "金属制品业",
            "通用设备制造业",
            "专用设备制造业",
            "汽车制造业",
            "铁路、船舶、航空航天和其他运输设备制造业",
            "电气机械和器材制造业",
            "计算机、通信和其他电子设备制造业",
            "仪器仪表制造业",
            "其他制造业",
            "废弃资源综合利用业",
            "金属制品、机械和设备修理业",
        ),
        "D": ("电力、热力生产和供应业", "燃气生产和供应业", "水的生产和供应业"),
        "E": ("房屋建筑业", "土木工程建筑业", "建筑安装业", "建筑装饰、装修和其他建筑业"),
        "F": ("批发业", "零售业"),
        "G": (
            "铁路运输业",
            "道路运输业",
            "水上运输业",
            "航空运输业",
            "管道运输业",
            "多式联运和运输代理业",
            "装卸搬运和仓储业",
            "邮政业",
        ),
        "H": ("住宿业", "餐饮业"),
        "I": ("电信、广播电视和卫星传输服务", "互联网和相关服务", "软件和信息技术服务业"),
        "J": ("货币金融服务", "资本市场服务", "保险业", "其他金融业"),
        "K": ("房地产业",),
        "L": ("租赁业", "商务服务业"),
        "M": ("研究和试验发展", "专业技术服务业", "科技推广和应用服务业"),
        "N": ("水利管理业", "生态保护和环境治理业", "公共设施管理业", "土地管理业"),
        "O": ("居民服务业", "机动车、电子产品和日用产品修理业", "其他服务业"),
        "P": ("教育",),
        "Q": ("卫生", "社会工作"),
        "R": ("新闻和出版业", "广播、电视、电影和录音制作业", "文化艺术业", "体育", "娱乐业"),
        "S": (
            "中国共产党机关",
            "国家机构",
            "人民政协、民主党派",
            "社会保障",
            "群众团体、社会团体和其他成员组织",
            "基层群众自治组织及其他组织",
        ),
        "T": ("国际组织",),
    }
)


def _number_divisions() -> dict[str, tuple[str, str]]:
    """Divisions are numbered 01-97 in section order with no gaps, so the numbers are derived
    from the order instead of being typed (and mistyped) 97 times."""
    numbered: dict[str, tuple[str, str]] = {}
    for section, names in _DIVISIONS_BY_SECTION.items():
        for name in names:
            numbered[f"{len(numbered) + 1:02d}"] = (section, name)
    return numbered


INDUSTRY_DIVISIONS: dict[str, tuple[str, str]] = _number_divisions()
"""大类 number -> (门类 letter, 大类 name), e.g. "48" -> ("E", "土木工程建筑业")."""

_INDUSTRY_RE = re.compile("[A-Z][0-9]{2}")


def validate_industry(code: str) -> str:
    """Check a 3-character 门类+大类 code (case-insensitive) and return it upper-cased."""
    normal = code.upper() if isinstance(code, str) and code.isascii() else ""
    division = INDUSTRY_DIVISIONS.get(normal[1:]) if _INDUSTRY_RE.fullmatch(normal) else None
    if division is not None and division[0] == normal[0]:
        return normal
    hint_zh = hint_en = ""
    if division is not None:
        hint_zh = f"；大类 {normal[1:]} 属于门类 {division[0]}"
        hint_en = f"; division {normal[1:]} belongs to section {division[0]}"
    raise CodeError(
        INDUSTRY_CODE_UNKNOWN,
        f"行业代码 {shown(code)} 不是 GB/T 4754-2017 的门类字母加 2 位大类代码{hint_zh}",
        f"industry code {shown(code)} is not a GB/T 4754-2017 section letter followed by "
        f"its 2-digit division{hint_en}",
        value=code,
    )


def industry_name(code: str) -> str:
    """The 大类 name of a valid code, e.g. E48 -> 土木工程建筑业."""
    return INDUSTRY_DIVISIONS[validate_industry(code)[1:]][1]
