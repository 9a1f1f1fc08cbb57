"""A procedure's flow: the statuses its rounds pass through and the moves between them.

Each procedure names its flow (``Procedure.flow``); ``lifecycle.transition`` checks every move
against the flow of the round's procedure, so a procedure whose stages differ — 政府采购's result
notice with its award and 质疑 after it, auctions and listings (拍卖、挂牌、网上竞价) — is a new
flow here, not a new branch in a use case. The time rules of the stages are the procedure's
periods (``core.rules.procedures``); ``lifecycle.next_check_due`` reads the dates they produce.

Two flows today:

* ``tendering`` (招标投标法): documents, bidding, the online opening, evaluation, the candidates
  publicity (条例 54), award, contract, archive, with 流标 after the deadline and 终止 before the
  award;
* ``gov_procurement`` (政府采购法, every method): the same up to the evaluation, then no
  candidates publicity — the purchaser decides within 5 个工作日 of the report (the first is
  deemed chosen after it; the decision is a record, the round stays ``evaluating``), and the award
  notice goes out with the result notice (政采条例 43), after which 质疑 may be raised
  (政采条例 53); a tender left with fewer than 3 responsive bids fails during the evaluation
  (废标, 政府采购法 36(一): ``core.services.tendering.failure``); a supervisor who finds the
  result void on a 投诉 ends an awarded round (``voidable``).

A supervisor's order to evaluate again (``supervision.order_re_evaluation``) takes an
engineering round from its publicity back to ``evaluating``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from core.model.tendering import Round, RoundStatus
from core.services.tendering.procedure import procedure_of

S = RoundStatus


@dataclass(frozen=True)
class Flow:
    name: str
    moves: Mapping[RoundStatus, frozenset[RoundStatus]]  # status -> the statuses that may follow
    #: statuses from which only a supervisor's decision ends the round (a result found void on a
    #: 投诉: 财政部令第94号 第三十二条 [unverified]); the owner cannot terminate there
    voidable: frozenset[RoundStatus] = frozenset()

    @property
    def terminable(self) -> frozenset[RoundStatus]:
        """Where 终止招标 is still a move."""
        return frozenset(status for status, then in self.moves.items() if S.TERMINATED in then)


TENDERING = Flow("tendering", MappingProxyType({
    S.DRAFT: frozenset({S.BIDDING, S.TERMINATED}),
    S.BIDDING: frozenset({S.OPENING, S.FAILED, S.TERMINATED}),  # 法 28: too few bids, 流标
    S.OPENING: frozenset({S.OPENED, S.TERMINATED}),
    S.OPENED: frozenset({S.EVALUATING, S.TERMINATED}),
    S.EVALUATING: frozenset({S.PUBLICITY, S.TERMINATED}),
    # back to the committee when a supervisor orders a re-evaluation (a 投诉 upheld)
    S.PUBLICITY: frozenset({S.AWARDED, S.EVALUATING, S.TERMINATED}),
    S.AWARDED: frozenset({S.CONTRACTED}),
    S.CONTRACTED: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
    S.FAILED: frozenset(),  # the section is tendered again in a new round
    S.TERMINATED: frozenset(),
}))

GOV_PROCUREMENT = Flow("gov_procurement", MappingProxyType({
    **TENDERING.moves,
    # the result notice with the award; 废标 when fewer than 3 stay responsive (政府采购法 36(一))
    S.EVALUATING: frozenset({S.AWARDED, S.FAILED, S.TERMINATED}),
    S.PUBLICITY: frozenset(),  # never entered: no candidates publicity in 政府采购
    # 质疑 and 投诉 come after the result notice: a result found void before the contract ends
    # the round, and the procurement starts again (94号令 32)
    S.AWARDED: frozenset({S.CONTRACTED, S.TERMINATED}),
}), voidable=frozenset({S.AWARDED}))

FLOWS: Mapping[str, Flow] = MappingProxyType(
    {f.name: f for f in (TENDERING, GOV_PROCUREMENT)})


def flow_of(r: Round) -> Flow:
    return FLOWS[procedure_of(r).flow]
