"""The evaluation (评标): the committee, its method and criteria, rejections, scores, the report.

After the opening (round ``opened``), centre staff assign the committee of the section and the
method and criteria the tender documents fixed (the random draw from the expert library comes
later); the round is then ``evaluating``. Inside the round, the evaluation moves on its own:

* ``scoring`` — members read the opened bids' declared items, each scores the bids on every
  subjective criterion (replaceable until the report), and the chair records the committee's
  decision to reject a bid with its grounds (条例 51; 政府采购 87号令 63, 60) and written reason,
  and, where the documents give a 小微企业 deduction, each bid's status from its 中小企业声明函
  (46号 9, ``declarations``), and, in a government tender, the brand of each bid's 核心产品 and
  the choice among tied same-brand bids (87号令 31, ``brands``); where the committee finds a
  price abnormally low, it asks the bidder for a written explanation by a deadline, the bidder
  answers, and the committee accepts it or finds the bid invalid (87号令 60, ``explanations``);
* ``reported`` — the chair generated the report: the math of :mod:`core.evaluation` (price
  score, aggregation, ranking, at most three candidates, 条例 53) stored in ``Evaluation.result``
  and as ranked :class:`~core.model.tendering.Candidate` rows; nothing is scored any more;
* ``signed`` — every member signed or dissented in writing (条例 53), or the chair closed the
  signatures and those who did neither count as agreeing; ``round.evaluation_reported`` is
  announced. The publicity of the candidates (the round's next status) is the award's business.

The committee list is secret until the result is set (招标投标法 第三十七条第三款): no event names
a member, and only members and oversight staff read the evaluation before it is signed. Bidders
never read it. Every step is audited.

A government tender left with fewer than 3 responsive bids gets no report: it fails (废标,
:mod:`core.services.tendering.failure`).

Before evaluating, each member declares its 回避 relationships with the bidders (``recusal``:
条例 46 第三款 / 12号令 12, 政采条例 9 / 198号 16); the registry's facts are checked beside the
declaration, a member with a ground stands aside and centre staff replace it (法 37 第四款).

One module per step: ``committee`` (the assignment), ``recusal`` (the 回避 declarations and
replacements), ``scores`` (scores and rejections), ``declarations`` (the 小微企业 statuses),
``brands`` (same brand), ``explanations`` (the abnormally low price),
``report`` (the report and its signatures), ``reading`` (what members and oversight read);
``forms`` holds the inputs and views, ``access`` who may act and the rows every step reads.
"""

from core.services.tendering.evaluation.brands import (
    record_brand,
    settle_same_brand,
    withdraw_brand,
)
from core.services.tendering.evaluation.committee import assign_committee
from core.services.tendering.evaluation.declarations import declare_sme, withdraw_sme
from core.services.tendering.evaluation.explanations import (
    ExplanationView,
    answer_explanation,
    decide_explanation,
    explanation_of,
    request_explanation,
)
from core.services.tendering.evaluation.forms import (
    EVALUABLE,
    BidView,
    CriterionIn,
    EvaluationSetup,
    EvaluationStatus,
    EvaluationView,
    MemberIn,
    MemberView,
    RelationIn,
)
from core.services.tendering.evaluation.reading import get_evaluation, list_bids, my_scores
from core.services.tendering.evaluation.recusal import declare_recusal, replace_member
from core.services.tendering.evaluation.report import close_signatures, generate_report, sign_report
from core.services.tendering.evaluation.scores import reject_bid, submit_scores, withdraw_rejection

__all__ = ["EVALUABLE", "BidView", "CriterionIn", "EvaluationSetup", "EvaluationStatus",
           "EvaluationView", "ExplanationView", "MemberIn", "MemberView", "RelationIn",
           "answer_explanation", "assign_committee", "close_signatures", "decide_explanation",
           "declare_recusal", "declare_sme", "explanation_of", "generate_report",
           "get_evaluation", "list_bids", "my_scores", "record_brand", "reject_bid",
           "replace_member", "request_explanation", "settle_same_brand", "sign_report",
           "submit_scores", "withdraw_brand", "withdraw_rejection", "withdraw_sme"]
