"""Procedure types are configuration: one registry, codes matching the national/hub code tables."""

from __future__ import annotations

import ast
import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from core.codes.tables import CODE_TABLES
from core.errors import DomainError
from core.evaluation.methods import EvaluationMethod
from core.evaluation.ranking import TieBreak
from core.rules.calendar import DayCount
from core.rules.procedures import PROCEDURES, UNKNOWN_PROCEDURE, Domain, Period, procedure_for

ENG, GOV = Domain.ENGINEERING, Domain.GOV_PROCUREMENT

# (domain, key): (bidding days, working?, min bids, clarification days, working?,
#                 deposit rate, publicity days, working?, refund days, working?, committee)
EXPECTED = {
    (ENG, "open_tender"): (20, False, 3, 15, False, "0.02", 3, False, 5, False, 5),
    (ENG, "invited_tender"): (20, False, 3, 15, False, "0.02", 3, False, 5, False, 5),
    (GOV, "public_tender"): (20, False, 3, 15, False, "0.02", 1, True, 5, True, 5),
    (GOV, "invited_tender"): (20, False, 3, 15, False, "0.02", 1, True, 5, True, 5),
    (GOV, "competitive_negotiation"): (3, True, 3, 3, True, "0.02", 1, True, 5, True, 3),
    (GOV, "inquiry"): (3, True, 3, 3, True, "0.02", 1, True, 5, True, 3),
    (GOV, "competitive_consultation"): (10, False, 3, 5, False, "0.02", 1, True, 5, True, 3),
    (GOV, "single_source"): (None, False, 1, None, False, None, 1, True, None, False, None),
}


def test_the_registry_holds_exactly_the_expected_procedures() -> None:
    assert set(PROCEDURES) == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_procedure_carries_its_legal_numbers(key: tuple[Domain, str]) -> None:
    p = PROCEDURES[key]
    rate = p.max_deposit_rate
    assert (
        days(p.bidding_period),
        working(p.bidding_period),
        p.min_bids,
        days(p.clarification_notice),
        working(p.clarification_notice),
        None if rate is None else str(rate),
        days(p.publicity),
        working(p.publicity),
        days(p.refund_after_contract),
        working(p.refund_after_contract),
        p.committee_min_members,
    ) == EXPECTED[key]


def days(period: Period | None) -> int | None:
    return period.days if period else None


def working(period: Period | None) -> bool:
    return bool(period and period.unit is DayCount.WORKING)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_what_a_procedure_does_follows_its_domains_law(key: tuple[Domain, str]) -> None:
    p = PROCEDURES[key]
    procurement = p.domain is Domain.GOV_PROCUREMENT
    if p.key == "competitive_consultation":  # 214号 25: the last offer, then 技术指标
        assert p.tie_breaks == (TieBreak.LOWER_PRICE, TieBreak.HIGHER_TECHNICAL_SCORE)
    else:
        # 87号令 56/57: the evaluated price, then 并列; 标准施工招标文件: the bid price, then the
        # tenderer decides
        assert p.tie_breaks == ((TieBreak.LOWER_EVALUATED_PRICE,) if procurement else (
            TieBreak.LOWER_PRICE,))
    assert p.price_criterion_required is procurement  # 87号令 55
    assert p.award_in_rank is procurement  # engineering: only a state-funded round (条例 55)
    assert p.result_lists_experts is procurement  # 政采条例 43
    assert ("政府采购法" if procurement else "招标投标法") in p.retender_basis_zh


SERVICES = Path(__file__).resolve().parents[3] / "core" / "services"


def domain_decisions(source: str) -> list[int]:
    """Lines comparing a trading domain (an attribute or name ending in ``domain``, a
    ``Domain.*`` member, a domain's literal), except SQL filters (``Project.domain == x``),
    which select rows and decide nothing."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = (node.left, *node.comparators)
        if any(isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
               and n.value.id[:1].isupper() and n.value.id != "Domain" for n in operands):
            continue  # a column of a mapped class
        texts = [ast.unparse(n) for n in operands]
        if any(t.endswith("domain") or t.startswith("Domain.") or "GOV_PROCUREMENT" in t
               or t in ("'gov_procurement'", "'engineering'") for t in texts):
            lines.append(node.lineno)
    return lines


def test_the_domain_check_finds_a_decision() -> None:
    assert domain_decisions("if r.section.tender_project.project.domain == Domain.GOV_PROCUREMENT:"
                            " pass") == [1]
    assert domain_decisions("x = 'a' if domain == 'gov_procurement' else 'b'") == [1]
    assert domain_decisions("q.where(Project.domain == domain)") == []


def test_use_cases_ask_the_procedure_not_the_domain() -> None:
    """No use case compares a domain to decide what to do: that is a field of the procedure
    (or, before a procedure exists, of the trading domain in core/rules/domains.py)."""
    found = {str(path.relative_to(SERVICES)): lines for path in sorted(SERVICES.rglob("*.py"))
             if (lines := domain_decisions(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_engineering_codes_follow_the_tender_mode_table() -> None:
    table = CODE_TABLES["tender_mode"]
    assert procedure_for("engineering", "1").key == "open_tender"
    assert procedure_for(Domain.ENGINEERING, "2").key == "invited_tender"
    for (domain, _key), p in PROCEDURES.items():
        if domain is ENG:
            assert p.code in table
            assert table.label(p.code) == p.name_zh


def test_gov_procurement_codes_follow_the_procurement_method_table() -> None:
    table = CODE_TABLES["procurement_method"]
    gov = [p for (d, _k), p in PROCEDURES.items() if d is GOV]
    assert {p.code for p in gov} == set(table.entries)
    for p in gov:
        assert procedure_for("gov_procurement", p.code) is p
        assert table.label(p.code) == p.name_zh


@pytest.mark.parametrize(
    ("domain", "mode"),
    [("engineering", "9"), ("engineering", "open_tender"), ("gov_procurement", "1"), ("x", "1")],
)
def test_an_unknown_procedure_is_refused(domain: str, mode: str) -> None:
    with pytest.raises(DomainError) as err:
        procedure_for(domain, mode)
    assert err.value.code == UNKNOWN_PROCEDURE


def test_procedures_are_frozen() -> None:
    p = procedure_for("engineering", "1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.min_bids = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        PROCEDURES[ENG, "x"] = p  # type: ignore[index]


def test_units_say_which_limits_count_working_days() -> None:
    negotiation = procedure_for("gov_procurement", "competitive_negotiation")
    assert negotiation.bidding_period is not None
    assert negotiation.bidding_period.unit is DayCount.WORKING
    assert negotiation.bidding_period.describe_zh() == "3个工作日"
    engineering = procedure_for("engineering", "1")
    assert engineering.bidding_period is not None
    assert engineering.bidding_period.describe_zh() == "20日"


def test_evaluation_methods_per_procedure() -> None:
    both = {EvaluationMethod.COMPREHENSIVE, EvaluationMethod.LOWEST_EVALUATED_PRICE}
    assert procedure_for("engineering", "1").evaluation_methods == both
    assert procedure_for("gov_procurement", "public_tender").evaluation_methods == both
    assert procedure_for("gov_procurement", "inquiry").evaluation_methods == {
        EvaluationMethod.LOWEST_PRICE
    }
    assert procedure_for("gov_procurement", "competitive_consultation").evaluation_methods == {
        EvaluationMethod.COMPREHENSIVE
    }
    assert not procedure_for("gov_procurement", "single_source").evaluation_methods


def test_deposit_rates_are_exact_decimals() -> None:
    for p in PROCEDURES.values():
        assert p.max_deposit_rate is None or p.max_deposit_rate == Decimal("0.02")
        assert p.max_deposit_rate is None or isinstance(p.max_deposit_rate, Decimal)


def test_unverified_references_are_marked_in_their_citations() -> None:
    refs = set()
    for p in PROCEDURES.values():
        for period in (
            p.bidding_period,
            p.clarification_notice,
            p.publicity,
            p.refund_after_contract,
        ):
            if period is not None:
                refs.add(period.ref)
        refs.add(p.min_bids_ref)
    for ref in refs:
        assert ("待核实" in ref.cite_zh) == (not ref.verified)
        assert ("[unverified]" in ref.cite_en) == (not ref.verified)
    verified = {r.tag for r in refs if r.verified}
    assert {"LAW_24", "LAW_23", "LAW_28", "REG_54", "REG_57", "GPL_35", "GPREG_31"} <= verified


def test_government_committees_carry_their_articles_and_rules() -> None:
    """87号令 47 (7 from 1000万元 or when declared), 74号令 7 (5 at the 公开招标数额标准), 214号 14
    (a 法律专家 when complex); engineering keeps 法 37 alone, 单一来源 has no committee."""
    expected = {
        (GOV, "public_tender"): ("MOF87_47", 7, Decimal("10000000"), False, True, False),
        (GOV, "invited_tender"): ("MOF87_47", 7, Decimal("10000000"), False, True, False),
        (GOV, "competitive_negotiation"): ("MOF74_7", 5, None, True, False, False),
        (GOV, "inquiry"): ("MOF74_7", 5, None, True, False, False),
        (GOV, "competitive_consultation"): ("MOF214_14", None, None, False, False, True),
    }
    for key, p in PROCEDURES.items():
        rules = p.committee_rules
        if key not in expected:
            assert rules is None
            continue
        assert rules is not None and p.committee_ref is not None
        assert (p.committee_ref.tag, rules.larger_min_members, rules.larger_from_budget,
                rules.larger_at_open_tender_threshold, rules.larger_when_declared,
                rules.legal_expert_when_complex) == expected[key]
        assert ("待核实" in p.committee_ref.cite_zh) == (not p.committee_ref.verified)
