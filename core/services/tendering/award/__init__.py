"""After the evaluation: candidates publicity, objections, the award notice, the result and the
contract (招标投标法实施条例 第五十四条至第五十七条).

The flow of a round (``Round.status``), engineering::

    evaluating (--settle_by_documents / settle_by_draw, while candidates are tied)
               --start_publicity--> publicity --(scheduler at ends_at)--> publicity (ended)
               --issue_award--> awarded --record_contract--> contracted

政府采购 (``flows.GOV_PROCUREMENT``; the periods are the procedure's ``AwardPeriods``)::

    evaluating --decide (or deemed by the scheduler after 5 个工作日)--> evaluating (decided)
               --issue_award (with the result notice)--> awarded --record_contract--> contracted

* **Decision (政采条例 43, 87号令 68).** ``decide`` records the purchaser's choice in rank; the
  scheduler deems the first remaining candidate chosen once the period has ended under every
  plausible calendar (:mod:`.decision`). The notices are then due within 2 个工作日.
* **Result notice (政采条例 43, 53, 33).** ``issue_award`` issues the 中标(成交)通知书 and the
  result notice together (1 个工作日, listing the 评审专家), opens the 质疑 period (until 7 个工作日
  after the notice ends; a 质疑 suspends nothing) and makes the unsuccessful bidders' deposits due
  5 个工作日 after the notice (:mod:`.result_notice`); the winner's fall due after the contract.

* **Ties (87号令 68; engineering: the documents).** A 并列 the evaluation reported is settled
  first, by the owner or its agency: the documents' order with the clause cited, or an audited
  random draw (``ties``). Until then :func:`ties.require_ties_settled` refuses the publicity and
  the award (``CANDIDATE_TIE_UNSETTLED_MOF87_68``).
* **Publicity (条例 54).** The owner or its agency publishes the ranked candidates with an end
  time; :func:`core.rules.limits.check_publicity` refuses one shorter than the procedure's minimum
  (engineering: 3 日, ``PUBLICITY_TOO_SHORT_REG_54``) and, if the evaluation report's receipt is
  on record, one started too late. Its end is the round's ``next_check`` (derived by
  ``lifecycle.reschedule``); the scheduler ends it through :func:`publicity_due`.
* **Objections (条例 54).** A bidder of the round (a party registered for it) may object while the
  publicity runs. "作出答复前，应当暂停招标投标活动": the first open objection suspends the
  publicity (``Publicity.status = 'suspended'``, so no ``next_check`` is derived), so the scheduler
  cannot end it, and the award waits. When the owner has answered every open objection the
  publicity runs again and **its end moves later by the time it stood suspended** — from the
  moment the first of the overlapping objections was raised to the last answer — so the bidders
  get the full lawful publicity of running time. The suspension is reconstructed from the
  objections' ``raised_at``/``answered_at``; nothing else is stored.
* **Award (条例 55).** After the publicity has ended the owner issues the 中标通知书 to the
  candidate chosen by :func:`core.rules.limits.award_choice`: state-funded projects (and every
  government procurement, 政府采购法实施条例 第四十三条) the first-ranked candidate still in the
  running, falling back in rank when candidates declined or were disqualified; otherwise any
  remaining candidate (招标投标法 第四十条). The result is announced in the same transaction.
* **Contract (条例 57).** Recording the signed contract sets the refund due date of every paid
  deposit of the round (:func:`core.rules.limits.refund_due`: 5 日 after signing, engineering);
  a 履约保证金 over 10 % of it is refused (条例 58, 政采条例 48).
* **Report and filing (法 47, 政府采购法 47).** The award makes engineering's written report due
  within 15 日, the contract 政府采购's contract copy due for filing within 7 个工作日; the owner
  records each (``filings``), and the scheduler warns the supervisor of one passed unmet
  (:mod:`core.services.overdue`).

Every step is audited and emits its event in the same transaction (docs/events.md). One module
per step (``ties``, ``publicity``, ``objections``, ``decision``, ``notice``,
``result_notice``, ``contract``, ``filings``), with ``choice`` (who may be awarded),
``issuing`` (the notice and result both flows send), ``candidates`` (the published
candidates) and ``rows`` (what every step reads) beside them.
"""

from core.services.tendering.award.candidates import (
    MAX_TEXT,
    CandidateStatus,
    CandidateView,
    candidate_views,
    payload,
    winner_view,
)
from core.services.tendering.award.contract import record_contract
from core.services.tendering.award.decision import decide, decision_due
from core.services.tendering.award.filings import record_award_report, record_contract_filing
from core.services.tendering.award.notice import get_award, issue_award
from core.services.tendering.award.objections import (
    answer_objection,
    list_objections,
    raise_objection,
)
from core.services.tendering.award.publicity import get_publicity, publicity_due, start_publicity
from core.services.tendering.award.rows import suspension_started
from core.services.tendering.award.ties import (
    TieMethod,
    TieSettlement,
    get_ties,
    require_ties_settled,
    settle_by_documents,
    settle_by_draw,
    settle_tie,
)

__all__ = ["MAX_TEXT", "CandidateStatus", "CandidateView", "TieMethod", "TieSettlement",
           "answer_objection", "candidate_views", "decide", "decision_due", "get_award",
           "get_publicity", "get_ties", "issue_award", "list_objections", "payload",
           "publicity_due", "raise_objection", "record_award_report", "record_contract",
           "record_contract_filing", "require_ties_settled",
           "settle_by_documents", "settle_by_draw", "settle_tie", "start_publicity",
           "suspension_started", "winner_view"]
