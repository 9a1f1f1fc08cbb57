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

Rejection grounds
-----------------
Engineering (否决投标, 招标投标法实施条例 第五十一条): "有下列情形之一的，评标委员会应当否决其投标：
(一)投标文件未经投标单位盖章和单位负责人签字；(二)投标联合体没有提交共同投标协议；(三)投标人不符合国家
或者招标文件规定的资格条件；(四)同一投标人提交两个以上不同的投标文件或者投标报价，但招标文件要求提交备
选投标的除外；(五)投标报价低于成本或者高于招标文件设定的最高投标限价；(六)投标文件没有对招标文件的实质
性要求和条件作出响应；(七)投标人有串通投标、弄虚作假、行贿等违法行为。" Item (五) is split into
``below_cost`` and ``above_ceiling``.

Government procurement (投标无效): 财政部令第87号 第六十三条 **[unverified: the research review's
[H] reading; secondary sources list the same grounds without the article]** — "(一)未按照招标文件
的规定提交投标保证金的；(二)投标文件未按招标文件要求签署、盖章的；(三)不具备招标文件中规定的资格要求
的；(四)报价超过招标文件中规定的预算金额或者最高限价的；(五)投标文件含有采购人不能接受的附加条件的；
(六)法律、法规和招标文件规定的其他无效情形" — and 第六十条 (verified on biddinglaw.com): a price
明显低于其他通过符合性审查投标人的报价 whose bidder cannot show, in writing and in reasonable time
at the evaluation, that it is reasonable, "评标委员会应当将其作为无效投标处理" — so
``abnormally_low_unexplained`` is recorded only after the bidder was asked and answered or let
the deadline pass (:mod:`core.rules.bid_validity`,
:mod:`core.services.tendering.evaluation.explanations`). A bid that does not
respond to the documents' substantive terms fails the 符合性审查 (政府采购法 第三十六条 counts
it out: ``not_responsive``), and 串通 makes a bid void as well (政府采购法 第七十七条:
``collusion``). The same-brand rule (87号令 31) is a rule of counting, not a ground the chair
records: :mod:`core.evaluation.same_brand` (under 最低评标价法 the bids it sets aside are 投标无效
all the same, and the report lists them with the article).

Each ground applies in the domains its law governs (:attr:`RejectionGround.domains`); ``item`` is
its number in its article (:attr:`RejectionGround.article_zh`). Never reuse a code for a different
meaning: where the two laws' grounds differ in wording (条例 51(一) seal *and* signature, 87号令
63(二) as the documents require) they are two codes.
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
    """Why a bid was rejected (否决投标) or found invalid (投标无效); ``item``: its number in
    ``article_zh``; ``domains``: the domains whose law gives it."""

    NO_SEAL_OR_SIGNATURE = "no_seal_or_signature"
    NO_JOINT_BID_AGREEMENT = "no_joint_bid_agreement"
    UNQUALIFIED = "unqualified"
    MULTIPLE_PRICES = "multiple_prices"
    BELOW_COST = "below_cost"
    ABOVE_CEILING = "above_ceiling"
    NOT_RESPONSIVE = "not_responsive"
    COLLUSION = "collusion"
    # 政府采购 (87号令 63, 60)
    NO_DEPOSIT = "no_deposit"
    NOT_SIGNED_AS_REQUIRED = "not_signed_as_required"
    ABOVE_BUDGET = "above_budget"
    UNACCEPTABLE_CONDITIONS = "unacceptable_conditions"
    OTHER_INVALIDITY = "other_invalidity"
    ABNORMALLY_LOW_UNEXPLAINED = "abnormally_low_unexplained"

    @property
    def item(self) -> int:
        return _GROUNDS[self][1]

    @property
    def article_zh(self) -> str:
        return _GROUNDS[self][0]

    @property
    def label_zh(self) -> str:
        return _GROUNDS[self][2]

    @property
    def label_en(self) -> str:
        return _GROUNDS[self][3]

    @property
    def domains(self) -> frozenset[str]:
        return _GROUNDS[self][4]

    def applies_to(self, domain: str) -> bool:
        return domain in self.domains


_ENG, _GOV = "engineering", "gov_procurement"
_REG_51 = "《招标投标法实施条例》第五十一条"
_MOF87_63 = "财政部令第87号 第六十三条［待核实］"
_BOTH = frozenset({_ENG, _GOV})
_ENGINEERING = frozenset({_ENG})
_GOVERNMENT = frozenset({_GOV})

_GROUNDS: dict[RejectionGround, tuple[str, int, str, str, frozenset[str]]] = {
    RejectionGround.NO_SEAL_OR_SIGNATURE: (
        _REG_51, 1,
        "投标文件未经投标单位盖章和单位负责人签字",
        "Bid not sealed by the bidder and signed by its head", _ENGINEERING,
    ),
    RejectionGround.NO_JOINT_BID_AGREEMENT: (
        _REG_51, 2,
        "投标联合体没有提交共同投标协议",
        "Consortium without a joint bidding agreement", _ENGINEERING,
    ),
    RejectionGround.UNQUALIFIED: (  # also 87号令 63(三): 不具备招标文件中规定的资格要求
        _REG_51, 3,
        "投标人不符合国家或者招标文件规定的资格条件",
        "Bidder does not meet the qualification requirements", _BOTH,
    ),
    RejectionGround.MULTIPLE_PRICES: (
        _REG_51, 4,
        "同一投标人提交两个以上不同的投标文件或者投标报价",
        "Two or more different bids or prices from one bidder", _ENGINEERING,
    ),
    RejectionGround.BELOW_COST: (_REG_51, 5, "投标报价低于成本", "Price below cost", _ENGINEERING),
    RejectionGround.ABOVE_CEILING: (
        _REG_51, 5,
        "投标报价高于招标文件设定的最高投标限价",
        "Price above the ceiling set in the tender documents", _ENGINEERING,
    ),
    RejectionGround.NOT_RESPONSIVE: (  # 政府采购: fails the 符合性审查 (政府采购法 36)
        _REG_51, 6,
        "投标文件没有对招标文件的实质性要求和条件作出响应",
        "Bid does not respond to the substantive requirements", _BOTH,
    ),
    RejectionGround.COLLUSION: (  # 政府采购法 77: 串通 … 中标、成交无效
        _REG_51, 7,
        "投标人有串通投标、弄虚作假、行贿等违法行为",
        "Collusion, fraud, bribery or other unlawful conduct", _BOTH,
    ),
    RejectionGround.NO_DEPOSIT: (
        _MOF87_63, 1,
        "未按照招标文件的规定提交投标保证金",
        "No deposit as the tender documents require", _GOVERNMENT,
    ),
    RejectionGround.NOT_SIGNED_AS_REQUIRED: (
        _MOF87_63, 2,
        "投标文件未按招标文件要求签署、盖章",
        "Bid not signed or sealed as the tender documents require", _GOVERNMENT,
    ),
    RejectionGround.ABOVE_BUDGET: (
        _MOF87_63, 4,
        "报价超过招标文件中规定的预算金额或者最高限价",
        "Price above the budget or the ceiling in the tender documents", _GOVERNMENT,
    ),
    RejectionGround.UNACCEPTABLE_CONDITIONS: (
        _MOF87_63, 5,
        "投标文件含有采购人不能接受的附加条件",
        "Bid attaches conditions the purchaser cannot accept", _GOVERNMENT,
    ),
    RejectionGround.OTHER_INVALIDITY: (
        _MOF87_63, 6,
        "法律、法规和招标文件规定的其他无效情形",
        "Another invalidity laid down by law, regulation or the tender documents", _GOVERNMENT,
    ),
    RejectionGround.ABNORMALLY_LOW_UNEXPLAINED: (
        "财政部令第87号 第六十条", 1,
        "报价明显低于其他通过符合性审查投标人的报价，投标人不能证明其报价合理性",
        "Abnormally low price whose reasonableness the bidder did not show in writing",
        _GOVERNMENT,
    ),
}
