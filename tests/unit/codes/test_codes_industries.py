"""GB/T 4754-2017 门类/大类 table and the 3-character industry code built on it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.codes.errors import CodeError
from core.codes.industries import (
    INDUSTRY_DIVISIONS,
    INDUSTRY_SECTIONS,
    industry_name,
    validate_industry,
)

# First and last 大类 of each 门类, as printed in GB/T 4754-2017.
SECTION_RANGES = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52),
    "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72),
    "M": (73, 75), "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90),
    "S": (91, 96), "T": (97, 97),
}  # fmt: skip

# Spot checks of names from the standard, one or more per section.
NAMES = {
    "01": "农业", "05": "农、林、牧、渔专业及辅助性活动", "11": "开采专业及辅助性活动",
    "25": "石油、煤炭及其他燃料加工业", "39": "计算机、通信和其他电子设备制造业",
    "43": "金属制品、机械和设备修理业", "44": "电力、热力生产和供应业", "47": "房屋建筑业",
    "48": "土木工程建筑业", "50": "建筑装饰、装修和其他建筑业", "52": "零售业",
    "58": "多式联运和运输代理业", "62": "餐饮业", "65": "软件和信息技术服务业",
    "69": "其他金融业", "70": "房地产业", "72": "商务服务业", "74": "专业技术服务业",
    "79": "土地管理业", "81": "机动车、电子产品和日用产品修理业", "83": "教育", "85": "社会工作",
    "87": "广播、电视、电影和录音制作业", "96": "基层群众自治组织及其他组织", "97": "国际组织",
}  # fmt: skip


def test_twenty_sections_a_to_t() -> None:
    assert list(INDUSTRY_SECTIONS) == list("ABCDEFGHIJKLMNOPQRST")
    assert INDUSTRY_SECTIONS["E"] == "建筑业"
    assert INDUSTRY_SECTIONS["I"] == "信息传输、软件和信息技术服务业"
    assert INDUSTRY_SECTIONS["T"] == "国际组织"


def test_ninety_seven_contiguous_divisions() -> None:
    assert list(INDUSTRY_DIVISIONS) == [f"{n:02d}" for n in range(1, 98)]


def test_every_division_sits_in_its_sections_range() -> None:
    for number, (section, name) in INDUSTRY_DIVISIONS.items():
        low, high = SECTION_RANGES[section]
        assert low <= int(number) <= high, (number, section, name)
    counts = {s: sum(1 for d in INDUSTRY_DIVISIONS.values() if d[0] == s) for s in SECTION_RANGES}
    assert counts == {s: high - low + 1 for s, (low, high) in SECTION_RANGES.items()}


@pytest.mark.parametrize(("number", "name"), sorted(NAMES.items()))
def test_division_names(number: str, name: str) -> None:
    assert INDUSTRY_DIVISIONS[number][1] == name


def test_names_are_unique_within_the_divisions() -> None:
    names = [name for _, name in INDUSTRY_DIVISIONS.values()]
    assert len(set(names)) == len(names)


def test_examples_of_the_data_standard() -> None:
    assert validate_industry("E48") == "E48"
    assert industry_name("E48") == "土木工程建筑业"
    assert industry_name("I65") == "软件和信息技术服务业"
    assert validate_industry("e48") == "E48"


def test_letter_that_does_not_own_the_division_is_refused_and_the_owner_named() -> None:
    with pytest.raises(CodeError) as info:
        validate_industry("A48")
    assert info.value.code == "INDUSTRY_CODE_UNKNOWN"
    assert "section E" in info.value.message_en
    assert "门类 E" in info.value.message_zh


@given(st.sampled_from(sorted(INDUSTRY_DIVISIONS)), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_only_the_owning_letter_is_accepted(number: str, letter: str) -> None:
    owner = INDUSTRY_DIVISIONS[number][0]
    if letter == owner:
        assert validate_industry(letter + number) == letter + number
    else:
        with pytest.raises(CodeError) as info:
            validate_industry(letter + number)
        assert info.value.code == "INDUSTRY_CODE_UNKNOWN"


@pytest.mark.parametrize(
    "bad", ["", "E", "E4", "E480", "48", "E00", "T98", "E-8", "Ｅ48", "E48\n", " E48", None, 48]
)
def test_malformed_codes_are_refused(bad: object) -> None:
    with pytest.raises(CodeError) as info:
        validate_industry(bad)  # type: ignore[arg-type]
    assert info.value.code == "INDUSTRY_CODE_UNKNOWN"
    with pytest.raises(CodeError):
        industry_name(bad)  # type: ignore[arg-type]
