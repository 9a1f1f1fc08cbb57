"""政府采购 after the report, through the API, end to end: the purchaser's decision, the award
notice with the result notice (1 个工作日, listing the 评审专家), a 质疑 after that notice
answered within 7 个工作日, the unsuccessful deposits due 5 个工作日 after the notice, the
contract, the winner's refund, and the contract notice published. The tender is brought to its
signed report through the use cases (tests/builders); every step after it is an HTTP call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.clock import MovableClock
from core.model.notice import Notice
from core.rules import award_periods, limits
from core.rules.packaged_calendar import packaged_calendar
from core.rules.procedures import procedure_for
from tests.api.conftest import Api
from tests.builders.tender import GOV_PROCUREMENT, PASSWORD, Stage, TenderBuilder

CAL = packaged_calendar()
GOV_TENDER = procedure_for("gov_procurement", "public_tender")


class Reported:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.clock: MovableClock = api.container.clock  # type: ignore[assignment]
        self.t = TenderBuilder(api.container, self.clock, kind=GOV_PROCUREMENT, tag="GA",
                               deposit="800000.00").at(Stage.REPORTED)

    def headers(self, who: str) -> dict[str, str]:
        return self.api.token(f"ga-{who}", PASSWORD)

    def url(self, tail: str) -> str:
        return f"/api/v1/sections/{self.t.section_code}/{tail}"

    def post(self, tail: str, who: str, body: dict[str, Any] | None = None) -> Any:
        return self.api.client.post(self.url(tail), headers=self.headers(who), json=body or {})

    def deposits(self) -> dict[int, dict[str, Any]]:
        rows = self.api.client.get(self.url("registrations"), headers=self.headers("staff"))
        assert rows.status_code == 200, rows.text
        return {row["party_id"]: row for row in rows.json()}


def test_gov_procurement_after_the_report_end_to_end(api: Api) -> None:
    g = Reported(api)
    # a bidder cannot decide for the purchaser; nothing changes
    api.unchanged_after("POST", g.url("decision"), 403, "NOT_PROJECT_OWNER",
                        headers=g.headers("bidder-1"), json={})
    decided = g.post("decision", "agency", {"declined_ranks": [1]})
    assert decided.status_code == 201, decided.text
    assert decided.json()["rank"] == 2 and decided.json()["deemed"] is False
    # there is no candidates publicity in 政府采购
    api.unchanged_after("POST", g.url("publicity"), 409, "ROUND_TRANSITION_INVALID",
                        headers=g.headers("agency"),
                        json={"ends_at": (g.clock.now() + timedelta(days=5)).isoformat()})

    g.clock.advance(timedelta(hours=2))
    awarded = g.post("award", "agency")
    assert awarded.status_code == 201, awarded.text
    won = awarded.json()
    assert won["round_status"] == "awarded" and won["winner"]["rank"] == 2
    issued = datetime.fromisoformat(won["notice_issued_at"])
    notice_ends = datetime.fromisoformat(won["result_notice_ends_at"])
    assert notice_ends == limits.publicity_end(GOV_TENDER, CAL, issued).ends_at  # 1 个工作日
    challenge_ends = datetime.fromisoformat(won["challenge_ends_at"])
    assert challenge_ends == award_periods.challenge_ends(GOV_TENDER, CAL, notice_ends).ends_at
    losers_due = award_periods.unsuccessful_refund_due(GOV_TENDER, CAL, issued).ends_at
    winner_party = won["winner"]["party_id"]
    dues = {pid: row["refund_due_at"] for pid, row in g.deposits().items()}
    assert dues.pop(winner_party) is None
    assert {datetime.fromisoformat(d) for d in dues.values()} == {losers_due}

    # a 质疑 the day after the result notice ended: heard, nothing suspended
    g.clock.set(notice_ends + timedelta(hours=12))
    challenge = g.post("objections", "bidder-3", {"text": "对评审得分有异议"})
    assert challenge.status_code == 201, challenge.text
    due = award_periods.answer_due(GOV_TENDER, CAL, g.clock.now()).ends_at
    assert datetime.fromisoformat(challenge.json()["answer_due_at"]) == due
    answered = g.post(f"objections/{challenge.json()['id']}/answer", "agency",
                      {"answer": "经复核，评审得分无误"})
    assert answered.status_code == 200, answered.text

    signed = g.clock.now()
    contract = g.post("contract", "agency", {"amount": won["winner"]["price"],
                                             "signed_at": signed.isoformat()})
    assert contract.status_code == 200, contract.text
    assert contract.json()["round_status"] == "contracted"
    after = {pid: row["refund_due_at"] for pid, row in g.deposits().items()}
    winner_due = limits.refund_due(GOV_TENDER, CAL, signed).ends_at  # 5 个工作日 after signing
    assert datetime.fromisoformat(contract.json()["refund_due_at"]) == winner_due
    assert datetime.fromisoformat(after.pop(winner_party)) == winner_due
    assert {datetime.fromisoformat(d) for d in after.values()} == {losers_due}
    with api.container.session_factory() as s:
        kinds = set(s.scalars(select(Notice.notice_type).where(Notice.status == "published")))
        result = s.scalars(select(Notice).where(Notice.notice_type == "result")).one()
    assert {"result", "contract"} <= kinds
    names = "、".join(f"expert-{i}" for i in range(1, len(g.t.experts) + 1))
    assert f"评审专家名单：{names}" in result.content


def test_gpreg_53_a_challenge_after_its_period_is_refused_and_changes_nothing(api: Api) -> None:
    g = Reported(api)
    awarded = g.post("award", "agency")
    assert awarded.status_code == 201, awarded.text
    g.clock.set(datetime.fromisoformat(awarded.json()["challenge_ends_at"])
                + timedelta(seconds=1))
    api.unchanged_after("POST", g.url("objections"), 409, "CHALLENGE_TOO_LATE_GPREG_53",
                        headers=g.headers("bidder-2"), json={"text": "迟到的质疑"})
