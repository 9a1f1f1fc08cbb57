"""Keys, a keyholder panel and a legacy committee shared by the sealing tests (session-scoped:
keys are immutable). The committee is made by the version-1 code path, which only the tests
keep (tests/builders/legacy_sealing.py)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from core.sealing.committee import Committee
from core.sealing.keyholders import KeyholderPanel, keyholder_panel
from core.sealing.wrap import generate_private_key
from tests.builders.legacy_sealing import create_committee

SECTION = "E3201000001234567001001"  # 23 characters, like a national section code
OTHER_SECTION = "E3201000001234567001002"
BIDDER = "91320100MA1XXXXX0A"  # an 18-character 统一社会信用代码 shape
OTHER_BIDDER = "91320100MA1YYYYY1B"


@pytest.fixture(scope="session")
def keyholder_keys() -> list[tuple[str, ec.EllipticCurvePrivateKey]]:
    names = ["交易中心-张三", "交易中心-李四", "监督-王五", "招标人代表-赵六", "交易中心-钱七"]
    return [(name, generate_private_key()) for name in names]


@pytest.fixture(scope="session")
def panel(keyholder_keys: list[tuple[str, ec.EllipticCurvePrivateKey]]) -> KeyholderPanel:
    """3 of the 5 keyholders, by their public keys only."""
    return keyholder_panel(SECTION, [(name, key.public_key()) for name, key in keyholder_keys], 3)


@pytest.fixture(scope="session")
def committee(keyholder_keys: list[tuple[str, ec.EllipticCurvePrivateKey]]) -> Committee:
    return create_committee(
        SECTION, [(name, key.public_key()) for name, key in keyholder_keys], 3
    )


@pytest.fixture(scope="session")
def bidder_key() -> ec.EllipticCurvePrivateKey:
    return generate_private_key()


@pytest.fixture(scope="session")
def other_bidder_key() -> ec.EllipticCurvePrivateKey:
    return generate_private_key()
