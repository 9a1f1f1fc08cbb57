"""The portal's centre (name, logo text, contacts, region) comes from GGZY_CENTRE_*, not code."""

from __future__ import annotations

import pytest

from adapters.config import Centre, load_settings


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
