"""回避 of committee members (core/rules/recusal.py): each ground with its article and item, from
the member's declaration and from what the expert registry knows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import DomainError
from core.rules import recusal
from core.rules.procedures import PROCEDURES, Domain
from core.rules.recusal import Bidder, Penalty, RecusalGround, RegistryFacts, Relation, Source

ENGINEERING = PROCEDURES[Domain.ENGINEERING, "open_tender"]
GOVERNMENT = PROCEDURES[Domain.GOV_PROCUREMENT, "public_tender"]
BIDDERS = (Bidder(1, "福州甲建设有限公司", "91350100MA2YB0011X"),
           Bidder(2, "福州乙工程（集团）有限公司", "91350100MA2YB0022Y"))
PERSON = "11010519491231002X"


def facts(employer: str = "福建某大学", penalties: tuple[Penalty, ...] = ()) -> RegistryFacts:
    return RegistryFacts(PERSON, employer, penalties)


def test_reg_46_each_declared_ground_names_its_item_of_order_12_art_12() -> None:
    items = {
        RecusalGround.CLOSE_RELATIVE: "一", RecusalGround.SUPERVISING_DEPARTMENT: "二",
        RecusalGround.EMPLOYED_BY_BIDDER: "三", RecusalGround.ECONOMIC_INTEREST: "三",
        RecusalGround.DIRECTOR_OR_SUPERVISOR: "三", RecusalGround.CONTROLLING_SHAREHOLDER: "三",
        RecusalGround.PAST_PENALTY: "四"}
    for ground, item in items.items():
        rel = Relation(ground, 1 if ground.about_a_bidder else None)
        (finding,) = recusal.recusal_findings(ENGINEERING, [rel], None, BIDDERS)
        assert (finding.code, finding.item, finding.sources) == (
            "COMMITTEE_MEMBER_EXCLUDED_REG_46", item, (Source.DECLARED,))
        assert finding.cite_zh.endswith(f"第（{item}）项") and "第四十六条" in finding.cite_zh


def test_gpreg_9_government_grounds_follow_article_9_and_its_readings() -> None:
    expected = {
        RecusalGround.EMPLOYED_BY_BIDDER: ("COMMITTEE_MEMBER_EXCLUDED_GPREG_9", "一"),
        RecusalGround.DIRECTOR_OR_SUPERVISOR: ("COMMITTEE_MEMBER_EXCLUDED_GPREG_9", "二"),
        RecusalGround.CONTROLLING_SHAREHOLDER: ("COMMITTEE_MEMBER_EXCLUDED_GPREG_9", "三"),
        RecusalGround.CLOSE_RELATIVE: ("COMMITTEE_MEMBER_EXCLUDED_GPREG_9", "四"),
        RecusalGround.ECONOMIC_INTEREST: ("COMMITTEE_MEMBER_EXCLUDED_GPREG_9", "五"),
        # no item in 政采条例 9: unverified readings, tagged by instrument only
        RecusalGround.SUPERVISING_DEPARTMENT: ("COMMITTEE_MEMBER_EXCLUDED_GPL", ""),
        RecusalGround.PAST_PENALTY: ("COMMITTEE_MEMBER_EXCLUDED_MOF198", ""),
    }
    for ground, (code, item) in expected.items():
        rel = Relation(ground, 2 if ground.about_a_bidder else None)
        (finding,) = recusal.recusal_findings(GOVERNMENT, [rel], None, BIDDERS)
        assert (finding.code, finding.item) == (code, item)
        assert finding.ref.verified is (finding.ref.tag == "GPREG_9")
    assert {c for c, _ in expected.values()} <= recusal.ERROR_CODES


def test_reg_46_no_declaration_and_no_registry_fact_means_no_ground() -> None:
    assert recusal.recusal_findings(ENGINEERING, [], facts(), BIDDERS) == ()
    assert recusal.recusal_findings(ENGINEERING, [], None, BIDDERS) == ()
    recusal.check_registry(ENGINEERING, facts(), BIDDERS, "expert0")


def test_reg_46_item_3_the_registry_employer_is_a_bidder_by_name_or_code() -> None:
    for employer in ("福州乙工程(集团)有限公司", " 福州乙工程（集团） 有限公司",
                     "91350100MA2YB0022Y 福州乙公司"):
        (finding,) = recusal.recusal_findings(ENGINEERING, [], facts(employer), BIDDERS)
        assert (finding.ground, finding.bid_id, finding.item, finding.sources) == (
            RecusalGround.EMPLOYED_BY_BIDDER, 2, "三", (Source.REGISTRY,))
        assert "工作单位" in finding.detail
    assert recusal.recusal_findings(ENGINEERING, [], facts("福州乙工程有限公司"), BIDDERS) == ()


def test_reg_46_item_4_a_credit_record_on_the_expert_is_a_past_penalty_unless_revoked() -> None:
    at = datetime(2024, 5, 6, tzinfo=UTC)
    penalised = facts(penalties=(Penalty("300", "WG-2024-01", at),))
    (finding,) = recusal.recusal_findings(ENGINEERING, [], penalised, BIDDERS)
    assert (finding.ground, finding.item, finding.bid_id) == (RecusalGround.PAST_PENALTY, "四",
                                                              None)
    assert "WG-2024-01" in finding.detail
    revoked = facts(penalties=(Penalty("302", "HM-1", at, revoked=True),))
    assert recusal.recusal_findings(ENGINEERING, [], revoked, BIDDERS) == ()


def test_reg_46_item_2_the_employer_is_the_projects_supervising_department() -> None:
    (finding,) = recusal.recusal_findings(ENGINEERING, [], facts("福州市住房和城乡建设局"), BIDDERS,
                                          supervising_department="福州市住房和城乡建设局")
    assert (finding.ground, finding.item) == (RecusalGround.SUPERVISING_DEPARTMENT, "二")


def test_reg_46_a_ground_both_declared_and_known_is_one_finding_with_both_sources() -> None:
    declared = [Relation(RecusalGround.EMPLOYED_BY_BIDDER, 1),
                Relation(RecusalGround.CLOSE_RELATIVE, 2)]
    findings = recusal.recusal_findings(ENGINEERING, declared, facts("福州甲建设有限公司"),
                                        BIDDERS)
    assert [(f.ground, f.bid_id, f.sources) for f in findings] == [
        (RecusalGround.EMPLOYED_BY_BIDDER, 1, (Source.DECLARED, Source.REGISTRY)),
        (RecusalGround.CLOSE_RELATIVE, 2, (Source.DECLARED,))]


def test_reg_46_the_refusal_names_the_article_and_lists_every_ground() -> None:
    with pytest.raises(DomainError) as err:
        recusal.check_registry(ENGINEERING, facts("福州甲建设有限公司", (
            Penalty("302", "HM-9", datetime(2023, 1, 2, tzinfo=UTC)),)), BIDDERS, "expert0")
    e = err.value
    assert e.code == "COMMITTEE_MEMBER_EXCLUDED_REG_46" and e.details["item"] == "三"
    assert [(g["ground"], g["item"], g["bid_id"]) for g in e.details["recusal_grounds"]] == [
        ("employed_by_bidder", "三", 1), ("past_penalty", "四", None)]
    assert "第四十六条" in e.message_zh and "art. 46" in e.message_en


def test_a_person_bidder_who_is_the_expert_is_an_economic_interest() -> None:
    bidders = (*BIDDERS, Bidder(3, "张三", PERSON))
    (finding,) = recusal.recusal_findings(GOVERNMENT, [], facts(), bidders)
    assert (finding.ground, finding.bid_id, finding.item) == (
        RecusalGround.ECONOMIC_INTEREST, 3, "五")


def test_a_declaration_names_bids_of_the_round_for_bidder_grounds_only() -> None:
    recusal.check_relations([Relation(RecusalGround.CLOSE_RELATIVE, 1),
                             Relation(RecusalGround.PAST_PENALTY)], BIDDERS)
    for bad in ([Relation(RecusalGround.CLOSE_RELATIVE)],  # which bidder?
                [Relation(RecusalGround.CLOSE_RELATIVE, 99)],  # not a bid of the round
                [Relation(RecusalGround.PAST_PENALTY, 1)],  # personal: no bid
                [Relation(RecusalGround.CLOSE_RELATIVE, 1)] * 2):  # twice
        with pytest.raises(DomainError) as err:
            recusal.check_relations(bad, BIDDERS)
        assert err.value.code == recusal.RECUSAL_RELATION_INVALID
    with pytest.raises(DomainError) as err:
        recusal.parse_ground("friend")
    assert err.value.code == recusal.RECUSAL_RELATION_INVALID
