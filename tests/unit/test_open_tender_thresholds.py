"""The 公开招标数额标准 that sizes a 谈判/询价 小组 (财政部令第74号 第七条) is the centre's
government's: central by default (国办发〔2019〕55号), GGZY_OPEN_TENDER_THRESHOLD_* otherwise."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.config import load_settings
from core.rules.limits import CENTRAL_THRESHOLDS, OpenTenderThresholds


def test_the_central_thresholds_by_default() -> None:
    assert load_settings({}).open_tender_thresholds == CENTRAL_THRESHOLDS
    central = CENTRAL_THRESHOLDS
    assert (central.goods_services, central.works) == (Decimal("2000000"), Decimal("4000000"))


def test_a_province_sets_its_own() -> None:
    settings = load_settings({"GGZY_OPEN_TENDER_THRESHOLD_GOODS_SERVICES": "4000000",
                              "GGZY_OPEN_TENDER_THRESHOLD_WORKS": "4000000.00"})
    assert settings.open_tender_thresholds == OpenTenderThresholds(Decimal("4000000"),
                                                                   Decimal("4000000"))


@pytest.mark.parametrize("raw", ["0", "-1", "二百万", "1e400000", "NaN", "2000000.001"])
def test_a_threshold_that_is_no_amount_stops_the_start(raw: str) -> None:
    with pytest.raises(SystemExit, match="GGZY_OPEN_TENDER_THRESHOLD_WORKS"):
        load_settings({"GGZY_OPEN_TENDER_THRESHOLD_WORKS": raw})
