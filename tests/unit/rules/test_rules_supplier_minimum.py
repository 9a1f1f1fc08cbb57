"""The cases in which 2 suppliers may go on (74号令 27②, 214号 21③, 财库〔2015〕124号), named after
their articles; each ground refused where it does not apply, and the failure path kept."""

from __future__ import annotations

import pytest

from core.errors import DomainError, ErrorKind
from core.rules import limits, supplier_minimum
from core.rules.limits import check_enough_bids
from core.rules.procedures import PROCEDURES, procedure_for
from core.rules.supplier_minimum import (
    GROUNDS,
    TwoSupplierGround,
    check_two_supplier_ground,
    ground_of,
    minimum_bids,
)

NEGOTIATION = procedure_for("gov_procurement", "competitive_negotiation")
INQUIRY = procedure_for("gov_procurement", "inquiry")
CONSULTATION = procedure_for("gov_procurement", "competitive_consultation")
GOV_TENDER = procedure_for("gov_procurement", "public_tender")
SINGLE = procedure_for("gov_procurement", "single_source")
OPEN = procedure_for("engineering", "1")

FAILED = TwoSupplierGround.FAILED_TENDER
RESEARCH = TwoSupplierGround.RESEARCH_OR_TRANSFER
SERVICES = TwoSupplierGround.PURCHASED_SERVICES


def refused(call: object, *args: object) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as info:
        call(*args)
    return info.value


def test_mof74_27_two_suppliers_negotiate_after_a_failed_tender_with_approval() -> None:
    check_two_supplier_ground(NEGOTIATION, FAILED, "闽财采〔2026〕12号")
    check_enough_bids(NEGOTIATION, 2, FAILED)
    assert minimum_bids(NEGOTIATION, FAILED) == (2, supplier_minimum.MOF74_27)
    err = refused(check_enough_bids, NEGOTIATION, 1, FAILED)
    assert err.code == "TOO_FEW_BIDS_MOF74_27" and err.kind is ErrorKind.CONFLICT
    assert "第二十七条第二款" in err.message_zh and err.details["minimum"] == 2


def test_mof74_27_needs_the_finance_departments_approval() -> None:
    for missing in (None, ""):
        err = refused(check_two_supplier_ground, NEGOTIATION, FAILED, missing)
        assert err.code == "TWO_SUPPLIER_APPROVAL_MISSING_MOF74_27"
        assert err.details["field"] == "two_supplier_approval"
        assert "财政部门批准" in err.message_zh


def test_mof74_27_is_for_competitive_negotiation_only() -> None:
    for other in (INQUIRY, CONSULTATION, GOV_TENDER, SINGLE, OPEN):
        err = refused(check_two_supplier_ground, other, FAILED, "批准文号")
        assert err.code == "TWO_SUPPLIER_GROUND_NOT_APPLICABLE_MOF74_27", other.key
    # an inapplicable ground (refused at configuration) changes nothing at the deadline
    assert minimum_bids(INQUIRY, FAILED) == (3, INQUIRY.min_bids_ref)
    assert refused(check_enough_bids, INQUIRY, 2, FAILED).code == "TOO_FEW_BIDS_MOF74"


def test_mof214_21_research_and_technology_transfer_consultation_with_two() -> None:
    check_two_supplier_ground(CONSULTATION, RESEARCH, None)  # no approval asked
    check_enough_bids(CONSULTATION, 2, RESEARCH)
    err = refused(check_enough_bids, CONSULTATION, 1, RESEARCH)
    assert err.code == "TOO_FEW_BIDS_MOF214"  # 21 unverified: no article in the tag
    assert "第二十一条第三款" in err.message_zh and "待核实" in err.message_zh
    for other in (NEGOTIATION, INQUIRY, GOV_TENDER, OPEN):
        assert refused(check_two_supplier_ground, other, RESEARCH, None).code \
            == "TWO_SUPPLIER_GROUND_NOT_APPLICABLE_MOF214"


def test_mof124_purchased_services_consultation_goes_on_with_two() -> None:
    check_two_supplier_ground(CONSULTATION, SERVICES, None)
    check_two_supplier_ground(CONSULTATION, SERVICES, "财库备案 1 号")  # a reference is kept
    check_enough_bids(CONSULTATION, 2, SERVICES)
    assert refused(check_enough_bids, CONSULTATION, 1, SERVICES).code == "TOO_FEW_BIDS_MOF124"
    for other in (NEGOTIATION, INQUIRY, GOV_TENDER, SINGLE, OPEN):
        assert refused(check_two_supplier_ground, other, SERVICES, None).code \
            == "TWO_SUPPLIER_GROUND_NOT_APPLICABLE_MOF124"


def test_without_a_ground_the_procedures_minimum_applies() -> None:
    check_two_supplier_ground(CONSULTATION, None, None)
    assert refused(check_enough_bids, NEGOTIATION, 2).code == "TOO_FEW_BIDS_MOF74"
    assert refused(check_enough_bids, CONSULTATION, 2).code == "TOO_FEW_BIDS_MOF214"
    err = refused(check_two_supplier_ground, NEGOTIATION, None, "闽财采〔2026〕12号")
    assert err.code == "TWO_SUPPLIER_APPROVAL_WITHOUT_GROUND"
    for p in PROCEDURES.values():
        assert minimum_bids(p, None) == (p.min_bids, p.min_bids_ref)


def test_the_grounds_are_a_closed_set() -> None:
    assert ground_of(None) is None
    assert ground_of("failed_tender") is FAILED
    err = refused(ground_of, "emergency")
    assert err.code == "TWO_SUPPLIER_GROUND_UNKNOWN"
    assert err.details["field"] == "two_supplier_ground"
    assert set(GROUNDS) == set(TwoSupplierGround)
    assert [g for g, r in GROUNDS.items() if r.approval_required] == [FAILED]


def test_the_codes_are_listed() -> None:
    assert {"TWO_SUPPLIER_GROUND_UNKNOWN", "TWO_SUPPLIER_APPROVAL_WITHOUT_GROUND",
            "TWO_SUPPLIER_GROUND_NOT_APPLICABLE_MOF74_27",
            "TWO_SUPPLIER_GROUND_NOT_APPLICABLE_MOF214",
            "TWO_SUPPLIER_GROUND_NOT_APPLICABLE_MOF124",
            "TWO_SUPPLIER_APPROVAL_MISSING_MOF74_27"} == supplier_minimum.ERROR_CODES
    assert {"TOO_FEW_BIDS_MOF74_27", "TOO_FEW_BIDS_MOF214", "TOO_FEW_BIDS_MOF124"} \
        <= limits.ERROR_CODES
    # an unverified reference never carries an article number into a code
    assert not supplier_minimum.MOF214_21.verified and supplier_minimum.MOF214_21.tag == "MOF214"
    assert supplier_minimum.MOF74_27.verified and supplier_minimum.MOF124.verified
