"""Who may read a bidder's deposit payment state, and when (招标投标法 第二十二条).

法 22: "招标人不得向他人透露已获取招标文件的潜在投标人的名称、数量以及可能影响公平竞争的有关招标
投标的其他情况。" Whether a given bidder has paid its deposit tells a competitor that it is in the
race. So until the bid deadline nobody — centre staff and supervisors included — reads per-bidder
payment state: only the bidder itself reads its own. Centre staff, who run the deposits, may read
*counts* (how many registrations have paid), never who; the article names the 数量 too, so the
count stays inside the centre (never published, never shown to the tenderer). At the deadline
the opening reads who paid on time.

The reading taken: "before the deadline" is by the clock against ``bid_deadline`` (a scheduler
that has not yet moved the round on does not keep the secret longer), and a round that has left
bidding otherwise (terminated before its deadline: no opening will come, the deposits are owed
back) is no longer secret. Citation: 招标投标法 articles are verified in
:mod:`core.rules.procedures` (quoted alike by several sources); the legal review rates 法 22 [H].
"""

from __future__ import annotations

from datetime import datetime

from core.rules.procedures import LegalRef

LAW_22 = LegalRef("LAW_22", "《招标投标法》第二十二条", "Tendering Law art. 22")

#: The reason a view gives for per-bidder deposit fields it leaves null.
WITHHELD_LAW_22 = "LAW_22"
#: A read the rule refuses (the opening's list before the deadline).
DEPOSITS_SECRET = f"DEPOSITS_SECRET_{LAW_22.tag}"

#: The round statuses in which bids are still being taken (before the deadline).
_BEFORE_DEADLINE = frozenset({"draft", "bidding"})


def payment_state_public(status: str, bid_deadline: datetime, now: datetime) -> bool:
    """True once per-bidder payment state may be read by those entitled to the registrations:
    at or after the bid deadline, or once the round has left bidding."""
    return status not in _BEFORE_DEADLINE or now >= bid_deadline


def may_read_payment_state(status: str, bid_deadline: datetime, now: datetime, *,
                           own: bool) -> bool:
    """The bidder reads its own at any time; everyone else only once it is public."""
    return own or payment_state_public(status, bid_deadline, now)
