"""The round's two-supplier case and its 标准统一 declaration through the API.

A 谈判 or 磋商 round states, with its other settings before the documents go out, the case in
which 2 suppliers may go on (74号令 27② with the 财政部门's 批准文号; 214号 21③; 财库〔2015〕124号);
the deadline then opens with 2 sealed responses, and without the case 2 still fail the round. A
government tender declared 技术、服务等标准统一 takes 最低评标价法 only (政采条例 34, 87号令 54).
Every refusal is problem+json and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from core.model.account import AccountKind
from core.model.audit import AuditEntry
from core.model.party import Party
from core.model.tendering import Bid, Round
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api
from tests.api.test_api_evaluation import GOV_CRITERIA, Opened

APPROVAL = "闽财采〔2026〕12号"


class Procurement:
    """A government section procured by ``mode``, its owner and a draft-less round URL."""

    def __init__(self, api: Api, mode: str) -> None:
        self.api = api
        _, self.owner = api.register("owner", "MA2Y0001", ["purchaser"])
        project = api.project(self.owner, name="科研设备采购项目", domain="gov_procurement",
                              industry_code="F51")
        tp = api.tender_project(self.owner, project["code"], name="科研设备采购",
                                tender_mode=mode, tender_project_type=None)
        self.section = api.section(self.owner, tp["code"], price="1200000.00")["code"]
        self.rounds = f"/api/v1/sections/{self.section}/rounds"
        self.current = f"{self.rounds}/current"

    def body(self, **extra: Any) -> dict[str, Any]:
        return {**self.api.round_body(days=30), **extra}

    def configure(self, **extra: Any) -> dict[str, Any]:
        r = self.api.client.post(self.rounds, json=self.body(**extra), headers=self.owner)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def issue_with_bids(self, n: int) -> dict[str, Any]:
        r = self.api.client.post(f"{self.current}/issue", headers=self.owner)
        assert r.status_code == 200, r.text
        self._sealed(n)
        self.api.container.clock.set(  # type: ignore[attr-defined]
            self.api.container.clock.now() + timedelta(days=31))
        assert run_due(self.api.container.uow) == 1
        self.owner = self.api.token("owner")  # the old token expired meanwhile
        return dict(self.api.client.get(self.current, headers=self.owner).json())

    def _sealed(self, n: int) -> None:
        """``n`` sealed responses, as the bid use case leaves them (the sealing itself is
        tests/api/test_api_tendering.py's)."""
        for i in range(n):
            self.api.register(f"supplier{i}", f"MA2YB00{i + 1}", ["bidder"])
        now = self.api.container.clock.now()
        with self.api.container.session_factory() as s:
            r = s.scalars(select(Round).where(Round.section.has(code=self.section))).one()
            for i in range(n):
                name = f"supplier{i} 有限公司"
                party = s.scalars(select(Party.id).where(Party.name == name)).one()
                s.add(Bid(round_id=r.id, party_id=party, status="sealed", envelope="{}",
                          ciphertext_sha256=f"{i:064x}", ciphertext_size=1024, receipt="{}",
                          submitted_at=now))
            s.commit()


def test_mof74_27_a_negotiation_after_a_failed_tender_opens_with_two(api: Api) -> None:
    p = Procurement(api, "competitive_negotiation")
    for extra, code in (
            ({"two_supplier_ground": "failed_tender"}, "TWO_SUPPLIER_APPROVAL_MISSING_MOF74_27"),
            ({"two_supplier_ground": "failed_tender", "two_supplier_approval": "  "},
             "TWO_SUPPLIER_APPROVAL_MISSING_MOF74_27"),
            ({"two_supplier_ground": "research_or_transfer"},
             "TWO_SUPPLIER_GROUND_NOT_APPLICABLE_MOF214"),
            ({"two_supplier_ground": "purchased_services"},
             "TWO_SUPPLIER_GROUND_NOT_APPLICABLE_MOF124"),
            ({"two_supplier_approval": APPROVAL}, "TWO_SUPPLIER_APPROVAL_WITHOUT_GROUND"),
            ({"two_supplier_ground": "emergency"}, "VALIDATION_FAILED")):
        api.unchanged_after("POST", p.rounds, 422, code, json=p.body(**extra), headers=p.owner)
    draft = p.configure()
    assert (draft["two_supplier_ground"], draft["min_bids"], draft["min_bids_ref"]) \
        == (None, 3, "MOF74")
    # stated by the purchaser or its agency, as the round's other settings: a supplier does not
    # even see the draft, and centre staff read it but do not set it
    _, supplier = api.register("rival", "MA2YB009", ["bidder"])
    stated = p.body(two_supplier_ground="failed_tender", two_supplier_approval=APPROVAL)
    api.unchanged_after("PUT", p.current, 404, "ROUND_NOT_FOUND", json=stated, headers=supplier)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    api.unchanged_after("PUT", p.current, 403, "NOT_PROJECT_OWNER", json=stated, headers=staff)
    r = api.client.put(p.current, json=stated, headers=p.owner)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["two_supplier_ground"], out["two_supplier_approval"], out["min_bids"],
            out["min_bids_ref"]) == ("failed_tender", APPROVAL, 2, "MOF74_27")
    with api.container.session_factory() as s:  # audited with the round's settings
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "round.edit_draft")).one()
        assert entry.object_id == f"{p.section}/1" and entry.after_digest
    opened = p.issue_with_bids(2)
    assert opened["status"] == "opening", opened
    # the ground is fixed with the documents: no change after the issue
    api.unchanged_after("PUT", p.current, 409, "ROUND_NOT_DRAFT", json=p.body(),
                        headers=p.owner)


@pytest.mark.parametrize(("mode", "ground", "bids", "reason"), [
    ("competitive_negotiation", None, 2, "TOO_FEW_BIDS_MOF74"),
    ("competitive_negotiation", "failed_tender", 1, "TOO_FEW_BIDS_MOF74_27"),
    ("competitive_consultation", None, 2, "TOO_FEW_BIDS_MOF214"),
    ("competitive_consultation", "purchased_services", 1, "TOO_FEW_BIDS_MOF124"),
    ("inquiry", None, 2, "TOO_FEW_BIDS_MOF74"),
])
def test_without_a_ground_or_below_two_the_round_fails(api: Api, mode: str, ground: str | None,
                                                       bids: int, reason: str) -> None:
    p = Procurement(api, mode)
    p.configure(**({"two_supplier_ground": ground, "two_supplier_approval": APPROVAL}
                   if ground else {}))
    failed = p.issue_with_bids(bids)
    assert failed["status"] == "failed" and failed["failure_reason"].startswith(reason + ":")


@pytest.mark.parametrize("ground", ["research_or_transfer", "purchased_services"])
def test_mof214_21_mof124_a_consultation_with_its_ground_opens_with_two(api: Api,
                                                                      ground: str) -> None:
    p = Procurement(api, "competitive_consultation")
    api.unchanged_after("POST", p.rounds, 422, "TWO_SUPPLIER_GROUND_NOT_APPLICABLE_MOF74_27",
                        json=p.body(two_supplier_ground="failed_tender",
                                    two_supplier_approval=APPROVAL), headers=p.owner)
    out = p.configure(two_supplier_ground=ground)  # no approval asked
    assert out["min_bids"] == 2 and out["two_supplier_approval"] is None
    assert p.issue_with_bids(2)["status"] == "opening"


def test_an_inquiry_has_no_two_supplier_case(api: Api) -> None:
    p = Procurement(api, "inquiry")
    for ground in ("failed_tender", "research_or_transfer", "purchased_services"):
        problem = api.unchanged_after(
            "POST", p.rounds, 422, problem_code(ground), headers=p.owner,
            json=p.body(two_supplier_ground=ground, two_supplier_approval=APPROVAL))
        assert problem["field"] == "two_supplier_ground"


def problem_code(ground: str) -> str:
    tag = {"failed_tender": "MOF74_27", "research_or_transfer": "MOF214",
           "purchased_services": "MOF124"}[ground]
    return f"TWO_SUPPLIER_GROUND_NOT_APPLICABLE_{tag}"


def test_gpreg_34_mof87_54_a_standardised_tender_is_evaluated_by_the_lowest_evaluated_price(
        api: Api) -> None:
    """The round declares 标准统一; the committee's 综合评分法 is then refused, and 最低评标价法
    accepted."""
    t = Opened(api, domain="gov_procurement")
    with api.container.session_factory() as s:
        s.execute(update(Round).values(standardised=True))
        s.commit()
    url = f"{t.base}/committee"
    problem = api.unchanged_after("POST", url, 422, "EVALUATION_METHOD_NOT_LOWEST_PRICE_GPREG_34",
                                  json={"members": t.members(5), "method": "comprehensive",
                                        "criteria": GOV_CRITERIA}, headers=t.staff)
    assert "最低评标价法" in problem["message_zh"] and "第三十四条" in problem["message_zh"]
    out = t.assign(method="lowest_evaluated_price", criteria=[])
    assert out["method"] == "lowest_evaluated_price"


def test_gpreg_34_the_standardised_declaration_is_a_government_tenders(api: Api) -> None:
    tender = Procurement(api, "public_tender")
    out = tender.configure(standardised=True, procurement_object="goods")
    assert out["standardised"] is True
    r = api.client.get(tender.current, headers=tender.owner).json()
    assert r["standardised"] is True and r["two_supplier_ground"] is None


def test_gpreg_34_standardised_is_refused_where_it_decides_nothing(api: Api) -> None:
    p = Procurement(api, "competitive_consultation")
    problem = api.unchanged_after("POST", p.rounds, 422, "STANDARDISED_NOT_APPLICABLE_GPREG_34",
                                  json=p.body(standardised=True), headers=p.owner)
    assert problem["field"] == "standardised"
