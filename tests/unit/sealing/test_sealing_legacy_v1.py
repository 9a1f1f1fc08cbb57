"""Version-1 envelopes still open (rounds configured before version 2 keep working), and nothing
in production seals one any more.

tests/fixtures/sealing_v1 was made by the version-1 code itself, at 8b129c3 (its README): a
committee the platform generated and split 2-of-3, and a bid sealed to it.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import core.sealing.committee as committee_module
from core.sealing.committee import Committee, decrypt_share
from core.sealing.envelope import (
    LEGACY_VERSION,
    Envelope,
    dek_from_shares,
    open_bid,
    seal_bid,
    unwrap_as_bidder,
    unwrap_as_committee,
    unwrap_share_as_keyholder,
)
from core.sealing.errors import SealingError
from core.sealing.keyholders import KeyholderPanel
from tests.builders.legacy_sealing import create_committee, seal_bid_v1
from tests.unit.sealing.conftest import BIDDER, OTHER_SECTION, SECTION

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "sealing_v1"
Keys = list[tuple[str, ec.EllipticCurvePrivateKey]]


def key(name: str) -> ec.EllipticCurvePrivateKey:
    loaded = serialization.load_pem_private_key((FIXTURE / name).read_bytes(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    return loaded


def opened(env: Envelope, ciphertext: bytes, dek: bytes) -> bytes:
    out = io.BytesIO()
    open_bid(env, io.BytesIO(ciphertext), out, dek)
    return out.getvalue()


def code_of(fn: object, *args: object) -> str:
    with pytest.raises(SealingError) as info:
        fn(*args)  # type: ignore[operator]
    return info.value.code


def test_the_v1_fixture_opens_with_the_bidder_key_and_with_2_of_3_keyholders() -> None:
    raw = (FIXTURE / "envelope.json").read_bytes()
    env = Envelope.from_json(raw)
    assert env.version == LEGACY_VERSION and env.is_legacy and env.dek_shares == ()
    assert env.to_json() == raw  # the manifest hash the receipt signed is unchanged
    ciphertext = (FIXTURE / "bid.sealed").read_bytes()
    plaintext = (FIXTURE / "plaintext.json").read_bytes()
    assert opened(env, ciphertext, unwrap_as_bidder(env, key("bidder.pem"))) == plaintext
    committee = Committee.from_json((FIXTURE / "committee.json").read_bytes())
    for pair in ((1, 2), (2, 3), (3, 1)):
        shares = [decrypt_share(committee, committee.shares[i - 1].keyholder,
                                key(f"keyholder-{i}.pem")) for i in pair]
        committee_key = committee.rebuild_key(shares)
        assert opened(env, ciphertext, unwrap_as_committee(env, committee_key)) == plaintext
    one = [decrypt_share(committee, committee.shares[0].keyholder, key("keyholder-1.pem"))]
    assert code_of(committee.rebuild_key, one) == "SHARES_INSUFFICIENT"
    # a version-1 envelope has no keyholder shares of its data key
    assert code_of(unwrap_share_as_keyholder, env, key("keyholder-1.pem")) == "KEY_UNWRAP_FAILED"
    assert code_of(dek_from_shares, env, one) == "KEY_UNWRAP_FAILED"


def test_the_v1_committee_record_is_not_a_panel_and_the_reader_tells_them_apart() -> None:
    raw = (FIXTURE / "committee.json").read_bytes()
    assert json.loads(raw)["version"] == 1
    assert code_of(KeyholderPanel.from_json, raw) == "ENVELOPE_MALFORMED"


def test_v1_misuse_is_still_refused(committee: Committee, keyholder_keys: Keys,
                                    bidder_key: ec.EllipticCurvePrivateKey) -> None:
    committee_key = committee.rebuild_key(
        [decrypt_share(committee, name, k) for name, k in keyholder_keys[:3]])

    def seal(section: str) -> Envelope:
        return seal_bid_v1(io.BytesIO(b"bid"), io.BytesIO(), section, BIDDER,
                           bidder_key.public_key(), committee.public_key, chunk_size=64)

    env_x, env_y = seal(SECTION), seal(OTHER_SECTION)
    assert Envelope.from_json(env_x.to_json()) == env_x
    transplanted = dataclasses.replace(env_y, dek_for_committee=env_x.dek_for_committee)
    assert code_of(unwrap_as_committee, transplanted, committee_key) == "BID_WRONG_SECTION"
    swapped = dataclasses.replace(env_x, dek_for_committee=env_x.dek_for_bidder)
    assert code_of(unwrap_as_committee, swapped, committee_key) == "BID_WRONG_SECTION"
    assert code_of(unwrap_as_committee, env_x, bidder_key) == "KEY_UNWRAP_FAILED"


def test_production_code_seals_version_2_only_and_makes_no_committee(
        keyholder_keys: Keys, bidder_key: ec.EllipticCurvePrivateKey) -> None:
    holders = [k.public_key() for _, k in keyholder_keys]
    env = seal_bid(io.BytesIO(b"bid"), io.BytesIO(), SECTION, BIDDER, bidder_key.public_key(),
                   holders, 3)
    assert env.version == 2 and not env.is_legacy
    assert not hasattr(committee_module, "create_committee")
    assert create_committee.__module__ == "tests.builders.legacy_sealing"
