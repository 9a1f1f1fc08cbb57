"""Evaluation methods (评标方法 / 评审方法) and the grounds for rejecting a bid (否决投标).

Methods
-------
* ``comprehensive`` — 综合评估法 (招标投标法 第四十一条(一)) / 综合评分法 (政府采购法实施条例
  第三十四条): the bid that best meets the weighted criteria wins; see
  :mod:`core.evaluation.scoring`.
* ``lowest_evaluated_price`` — 经评审的最低投标价法 (招标投标法 第四十一条(二), "但是投标价格低于成
  本的除外") / 最低评标价法 (政府采购法实施条例 第三十四条; mandatory for standardised goods and
  services): among responsive bids the lowest evaluated price wins.
* ``lowest_price`` — 竞争性谈判 / 询价: "质量和服务均能满足采购文件实质性响应要求且报价最低"
  (政府采购法 第三十八条、第四十条); ranked like ``lowest_evaluated_price`` on the final price.

Rejection grounds (招标投标法实施条例 第五十一条)
--------------------------------------------
"有下列情形之一的，评标委员会应当否决其投标：(一)投标文件未经投标单位盖章和单位负责人签字；(二)投标
联合体没有提交共同投标协议；(三)投标人不符合国家或者招标文件规定的资格条件；(四)同一投标人提交两个以
上不同的投标文件或者投标报价，但招标文件要求提交备选投标的除外；(五)投标报价低于成本或者高于招标文件
设定的最高投标限价；(六)投标文件没有对招标文件的实质性要求和条件作出响应；(七)投标人有串通投标、弄虚
作假、行贿等违法行为。"

Item (五) is split into ``below_cost`` and ``above_ceiling``. Government procurement has its own
list of 投标无效 grounds (财政部令第87号 第六十三条 **[unverified]**); map those onto these codes
or extend the table — never reuse a code for a different meaning.
"""

from __future__ import annotations

from enum import StrEnum


class EvaluationMethod(StrEnum):
    COMPREHENSIVE = "comprehensive"
    LOWEST_EVALUATED_PRICE = "lowest_evaluated_price"
    LOWEST_PRICE = "lowest_price"

    @property
    def label_zh(self) -> str:
        return _METHOD_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _METHOD_LABELS[self][1]


_METHOD_LABELS: dict[EvaluationMethod, tuple[str, str]] = {
    EvaluationMethod.COMPREHENSIVE: (
        "综合评估法/综合评分法",
        "Most economically advantageous (scored)",
    ),
    EvaluationMethod.LOWEST_EVALUATED_PRICE: (
        "经评审的最低投标价法/最低评标价法",
        "Lowest evaluated price",
    ),
    EvaluationMethod.LOWEST_PRICE: (
        "最低报价（谈判、询价）",
        "Lowest price (negotiation, inquiry)",
    ),
}


class RejectionGround(StrEnum):
    """Why a bid was rejected (否决投标, 招标投标法实施条例 第五十一条); ``item``: its number."""

    NO_SEAL_OR_SIGNATURE = "no_seal_or_signature"
    NO_JOINT_BID_AGREEMENT = "no_joint_bid_agreement"
    UNQUALIFIED = "unqualified"
    MULTIPLE_PRICES = "multiple_prices"
    BELOW_COST = "below_cost"
    ABOVE_CEILING = "above_ceiling"
    NOT_RESPONSIVE = "not_responsive"
    COLLUSION = "collusion"

    @property
    def item(self) -> int:
        return _GROUNDS[self][0]

    @property
    def label_zh(self) -> str:
        return _GROUNDS[self][1]

    @property
    def label_en(self) -> str:
        return _GROUNDS[self][2]


_GROUNDS: dict[RejectionGround, tuple[int, str, str]] = {
    RejectionGround.NO_SEAL_OR_SIGNATURE: (
        1,
        "投标文件未经投标单位盖章和单位负责人签字",
        "Bid not sealed by the bidder and signed by its head",
    ),
    RejectionGround.NO_JOINT_BID_AGREEMENT: (
        2,
        "投标联合体没有提交共同投标协议",
        "Consortium without a joint bidding agreement",
    ),
    RejectionGround.UNQUALIFIED: (
        3,
        "投标人不符合国家或者招标文件规定的资格条件",
        "Bidder does not meet the qualification requirements",
    ),
    RejectionGround.MULTIPLE_PRICES: (
        4,
        "同一投标人提交两个以上不同的投标文件或者投标报价",
        "Two or more different bids or prices from one bidder",
    ),
    RejectionGround.BELOW_COST: (5, "投标报价低于成本", "Price below cost"),
    RejectionGround.ABOVE_CEILING: (
        5,
        "投标报价高于招标文件设定的最高投标限价",
        "Price above the ceiling set in the tender documents",
    ),
    RejectionGround.NOT_RESPONSIVE: (
        6,
        "投标文件没有对招标文件的实质性要求和条件作出响应",
        "Bid does not respond to the substantive requirements",
    ),
    RejectionGround.COLLUSION: (
        7,
        "投标人有串通投标、弄虚作假、行贿等违法行为",
        "Collusion, fraud, bribery or other unlawful conduct",
    ),
}
