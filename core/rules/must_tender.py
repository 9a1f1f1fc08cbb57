"""Which engineering projects must be tendered, and when they may be tendered by invitation.

* 必须招标的工程项目规定 (国家发展改革委令第16号, 2018) 第五条: a project within its 第二条至第四条
  must be tendered when a single contract's 估算价 reaches "(一)施工 … 400万元人民币以上；(二)重要
  设备、材料等货物的采购 … 200万元人民币以上；(三)勘察、设计、监理等服务的采购 … 100万元人民币以上"
  (:func:`must_tender`). "以上" includes the amount (民法典 第一千二百五十九条). 第二条(二)
  brings in every project "使用国有企业事业单位资金，并且该资金占控股或者主导地位"; the round's
  ``state_funded`` declaration (条例 55's 国有资金占控股或者主导地位) is read as that.
* 招标投标法实施条例 第八条: "国有资金占控股或者主导地位的依法必须进行招标的项目，应当公开招标；但
  有下列情形之一的，可以邀请招标：(一)技术复杂、有特殊要求或者受自然环境限制，只有少量潜在投标人
  可供选择；(二)采用公开招标方式的费用占项目合同金额的比例过大。" :func:`check_invited_tender`
  refuses 邀请招标 (``tender_mode`` "2") for such a project unless the owner declares one of the two
  grounds (:class:`InvitationGround`). For the second, 条例 8 wants the ground 认定 by the approving
  department or the supervisor: the platform records the declaration, it does not judge it.
* 招标投标法 第十七条: "招标人采用邀请招标方式的，应当向三个以上具备承担招标项目的能力、资信良好
  的特定的法人或者其他组织发出投标邀请书" (:func:`check_invitations`). The platform keeps no
  invitation letters yet (bidders register themselves), so this is a pure function for the
  invitation step to call when it exists.

Which reading where the round does not say: a round that declares no :class:`ContractKind` is
measured against the lowest threshold (100 万元), and one without an estimated price is taken to
reach it — the strict reading, since 条例 8 forbids what it refuses only for must-tender projects
and the owner can always declare the kind or the ground.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from core.errors import DomainError
from core.rules.procedures import Domain, LegalRef, Procedure

INVITED_TENDER_NOT_ALLOWED = "INVITED_TENDER_NOT_ALLOWED"
INVITATIONS_TOO_FEW = "INVITATIONS_TOO_FEW"

NDRC16_5 = LegalRef(
    "NDRC16_5",
    "《必须招标的工程项目规定》（国家发展改革委令第16号）第五条",
    "NDRC Order 16 (projects that must be tendered) art. 5",
)
REG_8 = LegalRef("REG_8", "《招标投标法实施条例》第八条", "Tendering Regulation art. 8")
LAW_17 = LegalRef("LAW_17", "《招标投标法》第十七条", "Tendering Law art. 17")

#: The engineering procedure 条例 8 restricts: ``tender_mode`` "2" 邀请招标.
INVITED_TENDER_MODE = "2"
MIN_INVITATIONS = 3


class ContractKind(StrEnum):
    """What a single contract procures, as 发改委令16号 第五条 sorts it."""

    WORKS = "works"  # 施工
    GOODS = "goods"  # 重要设备、材料等货物
    SERVICES = "services"  # 勘察、设计、监理等服务


class InvitationGround(StrEnum):
    """The two cases of 条例 8 in which a must-tender state-funded project may invite."""

    FEW_BIDDERS = "few_bidders"  # (一) 技术复杂、有特殊要求或者受自然环境限制，只有少量潜在投标人
    COST_DISPROPORTIONATE = "cost_disproportionate"  # (二) 公开招标的费用占合同金额的比例过大


#: 发改委令16号 第五条, in 元.
THRESHOLDS: Mapping[ContractKind, Decimal] = MappingProxyType({
    ContractKind.WORKS: Decimal("4000000.00"),
    ContractKind.GOODS: Decimal("2000000.00"),
    ContractKind.SERVICES: Decimal("1000000.00"),
})


def must_tender(kind: ContractKind | None, estimated_price: Decimal | None) -> bool:
    """Whether a single contract of a project within 第二条至第四条 reaches 第五条's threshold
    (``None`` kind: the lowest; ``None`` price: reached). E.g. 施工 at 4,000,000.00 must be
    tendered, at 3,999,999.99 not; 监理 at 1,000,000.00 must."""
    if estimated_price is None:
        return True
    if not isinstance(estimated_price, Decimal):
        raise TypeError("estimated_price must be a Decimal")
    threshold = THRESHOLDS[kind] if kind is not None else min(THRESHOLDS.values())
    return estimated_price >= threshold


def check_invited_tender(procedure: Procedure, *, state_funded: bool,
                         kind: ContractKind | None, estimated_price: Decimal | None,
                         ground: InvitationGround | None) -> None:
    """Refuse 邀请招标 of a state-funded must-tender engineering project without a 条例 8 ground
    (``INVITED_TENDER_NOT_ALLOWED_REG_8``). Anything else passes: open tenders, projects not
    state funded, contracts under the threshold, and every government procurement (政府采购法
    29 and its 87号令 govern that, not 条例 8)."""
    if procedure.domain is not Domain.ENGINEERING or procedure.code != INVITED_TENDER_MODE:
        return
    if not state_funded or ground is not None or not must_tender(kind, estimated_price):
        return
    raise DomainError(
        f"{INVITED_TENDER_NOT_ALLOWED}_{REG_8.tag}",
        f"国有资金占控股或者主导地位的依法必须进行招标的项目应当公开招标；邀请招标须说明第八条所列"
        f"情形之一（{REG_8.cite_zh}；{NDRC16_5.cite_zh}）",
        f"a state-funded project that must be tendered is tendered openly; an invited tender "
        f"needs one of the grounds of art. 8 ({REG_8.cite_en}; {NDRC16_5.cite_en})",
        rule=REG_8.tag, field="invitation_ground",
        grounds=", ".join(g.value for g in InvitationGround))


def check_invitations(count: int) -> None:
    """Refuse an invited tender sent to fewer than 3 (``INVITATIONS_TOO_FEW_LAW_17``)."""
    if count < MIN_INVITATIONS:
        raise DomainError(
            f"{INVITATIONS_TOO_FEW}_{LAW_17.tag}",
            f"邀请招标应当向三个以上特定的法人或者其他组织发出投标邀请书，现为{count}个"
            f"（{LAW_17.cite_zh}）",
            f"an invited tender invites three or more; {count} were invited ({LAW_17.cite_en})",
            rule=LAW_17.tag, invited=count, minimum=MIN_INVITATIONS)


#: Every code these functions can raise.
ERROR_CODES: frozenset[str] = frozenset(
    {f"{INVITED_TENDER_NOT_ALLOWED}_{REG_8.tag}", f"{INVITATIONS_TOO_FEW}_{LAW_17.tag}"})
