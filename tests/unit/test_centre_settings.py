"""The centre's settings come from the environment, not code: the portal's centre (name, logo
text, contacts, region) from GGZY_CENTRE_*, the deposit rates (条例 57, 87号令 38) from
GGZY_DEPOSIT_INTEREST_RATE_PERCENT and GGZY_LENDING_RATE_PERCENT."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.config import Centre, load_settings
from core.errors import DomainError
from core.rules import deposit_limits


def test_defaults_without_any_variable() -> None:
    assert load_settings({}).centre == Centre()
    assert Centre().name == "公共资源交易中心" and Centre().region == "350000"


def test_every_variable_is_read() -> None:
    centre = load_settings({
        "GGZY_CENTRE_NAME": "厦门市公共资源交易中心", "GGZY_CENTRE_LOGO_TEXT": "厦门交易",
        "GGZY_CENTRE_PHONE": "0592-0000000", "GGZY_CENTRE_ADDRESS": "厦门市思明区示例路2号",
        "GGZY_CENTRE_EMAIL": "ggzy@example.invalid", "GGZY_CENTRE_HOURS": "工作日 9:00-17:30",
        "GGZY_CENTRE_REGION": "350200"}).centre
    assert centre == Centre("厦门市公共资源交易中心", "厦门交易", "0592-0000000",
                            "厦门市思明区示例路2号", "ggzy@example.invalid",
                            "工作日 9:00-17:30", "350200")


@pytest.mark.parametrize("region", ["359999", "35", "福建", "350000\x00"])
def test_a_region_that_is_no_gb_t_2260_code_stops_the_start(region: str) -> None:
    with pytest.raises(SystemExit, match="GGZY_CENTRE_REGION"):
        load_settings({"GGZY_CENTRE_REGION": region})


# -- the deposit rates: 条例 57's interest, 87号令 38's late fee ---------------------------------


def test_reg_57_mof87_38_the_rates_default_to_the_pboc_benchmarks() -> None:
    rates = load_settings({}).deposit_rates
    assert rates == deposit_limits.DEFAULT_RATES
    assert rates.interest.annual_rate == Decimal("0.0035")
    assert rates.overdue_fee.lending_rate == Decimal("0.0435")
    assert rates.overdue_fee.annual_rate == Decimal("0.052200")  # the order's own 20 % on top


def test_reg_57_mof87_38_the_centre_sets_its_rates_in_percent() -> None:
    rates = load_settings({"GGZY_DEPOSIT_INTEREST_RATE_PERCENT": "1.5",
                           "GGZY_LENDING_RATE_PERCENT": "3.1"}).deposit_rates
    assert rates.interest.annual_rate == Decimal("0.015")
    assert rates.overdue_fee.lending_rate == Decimal("0.031")
    assert rates.overdue_fee.markup == Decimal("0.20")
    paid, refunded = datetime(2025, 3, 3, 2, tzinfo=UTC), datetime(2025, 4, 2, 2, tzinfo=UTC)
    assert deposit_limits.deposit_interest(Decimal("720000.00"), paid, refunded,
                                           rates.interest) == Decimal("900.00")  # × 1.5 % × 30/360


@pytest.mark.parametrize(("variable", "value", "code"), [
    ("GGZY_DEPOSIT_INTEREST_RATE_PERCENT", "-0.35", "DEPOSIT_RATE_INVALID_REG_57"),
    ("GGZY_DEPOSIT_INTEREST_RATE_PERCENT", "0", "DEPOSIT_RATE_INVALID_REG_57"),
    ("GGZY_DEPOSIT_INTEREST_RATE_PERCENT", "35", "DEPOSIT_RATE_INVALID_REG_57"),  # ×100 typo
    ("GGZY_DEPOSIT_INTEREST_RATE_PERCENT", "0.123456", "DEPOSIT_RATE_INVALID_REG_57"),
    ("GGZY_DEPOSIT_INTEREST_RATE_PERCENT", "NaN", "DEPOSIT_RATE_INVALID_REG_57"),
    ("GGZY_DEPOSIT_INTEREST_RATE_PERCENT", "0.35%", "DEPOSIT_RATE_NOT_A_NUMBER"),
    ("GGZY_LENDING_RATE_PERCENT", "-4.35", "LENDING_RATE_INVALID_MOF87_38"),
    ("GGZY_LENDING_RATE_PERCENT", "435", "LENDING_RATE_INVALID_MOF87_38"),
    ("GGZY_LENDING_RATE_PERCENT", "Infinity", "LENDING_RATE_INVALID_MOF87_38"),
])
def test_reg_57_mof87_38_a_negative_or_absurd_rate_stops_the_start(variable: str, value: str,
                                                                   code: str) -> None:
    with pytest.raises(SystemExit, match=f"{variable}: {code}"):
        load_settings({variable: value})


def test_reg_57_the_rate_check_is_a_rule_with_a_stable_code() -> None:
    with pytest.raises(DomainError) as err:
        deposit_limits.deposit_rates(Decimal("-1"))
    assert err.value.code == "DEPOSIT_RATE_INVALID_REG_57" and "第五十七条" in err.value.message_zh
    assert err.value.code in deposit_limits.ERROR_CODES
    assert "LENDING_RATE_INVALID_MOF87_38" in deposit_limits.ERROR_CODES
    assert deposit_limits.deposit_rates(deposit_limits.MAX_DEPOSIT_RATE,
                                        deposit_limits.MAX_LENDING_RATE).interest.annual_rate \
        == Decimal("0.1")
