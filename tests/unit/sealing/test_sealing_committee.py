"""The legacy (version 1) opening committee, as the reader still handles it for old rounds:
shares reach only their keyholders; k of them, and only good ones, rebuild the published key.
The committees are made by the old code path, which only the tests keep."""

from __future__ import annotations

import dataclasses
import itertools
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from core.sealing.committee import (
    Committee,
    EncryptedShare,
    decrypt_share,
    rebuild_committee_key,
)
from core.sealing.errors import SealingError
from core.sealing.shamir import PRIME, Share
from core.sealing.wrap import generate_private_key, key_fingerprint
from tests.builders.legacy_sealing import create_committee
from tests.unit.sealing.conftest import OTHER_SECTION, SECTION

Keys = list[tuple[str, ec.EllipticCurvePrivateKey]]


def shares_of(committee: Committee, keys: Keys, which: tuple[int, ...]) -> list[Share]:
    return [decrypt_share(committee, keys[i][0], keys[i][1]) for i in which]


def refused(fn: object, *args: object, **kw: object) -> str:
    with pytest.raises(SealingError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    return info.value.code


def test_the_published_record_is_public_key_wrapped_shares_and_commitments(
    committee: Committee, keyholder_keys: Keys
) -> None:
    assert (committee.section_code, committee.k, committee.n) == (SECTION, 3, 5)
    assert [s.keyholder for s in committee.shares] == [name for name, _ in keyholder_keys]
    assert [s.index for s in committee.shares] == [1, 2, 3, 4, 5]
    for share, (_, key) in zip(committee.shares, keyholder_keys, strict=True):
        assert share.keyholder_fingerprint == key_fingerprint(key.public_key())
    assert not hasattr(committee, "private_key")
    assert {f.name for f in dataclasses.fields(committee)} == {
        "section_code", "k", "public_key", "shares"}


def test_any_three_of_five_keyholders_rebuild_the_published_key(
    committee: Committee, keyholder_keys: Keys
) -> None:
    all_shares = shares_of(committee, keyholder_keys, (0, 1, 2, 3, 4))
    for subset in itertools.combinations(all_shares, 3):
        key = committee.rebuild_key(list(subset))
        assert key_fingerprint(key.public_key()) == committee.fingerprint
    key = rebuild_committee_key(SECTION, all_shares[1:4], committee.public_key)
    assert key_fingerprint(key.public_key()) == committee.fingerprint


def test_k_minus_one_shares_are_insufficient(committee: Committee, keyholder_keys: Keys) -> None:
    two = shares_of(committee, keyholder_keys, (0, 4))
    assert refused(committee.rebuild_key, two) == "SHARES_INSUFFICIENT"


def test_k_shares_with_one_corrupted_are_invalid_and_the_bad_one_is_named(
    committee: Committee, keyholder_keys: Keys
) -> None:
    good = shares_of(committee, keyholder_keys, (0, 1, 2))
    bad = dataclasses.replace(good[1], value=(good[1].value + 1) % PRIME)
    with pytest.raises(SealingError) as info:
        committee.rebuild_key([good[0], bad, good[2]])
    assert info.value.code == "SHARES_INVALID"
    assert info.value.details["index"] == bad.index
    # Without the commitments the public-key comparison still refuses it.
    with pytest.raises(SealingError) as info:
        rebuild_committee_key(SECTION, [good[0], bad, good[2]], committee.public_key, k=3)
    assert info.value.code == "SHARES_INVALID"
    assert "published" in info.value.message_en


def test_shares_of_another_committee_are_invalid(
    committee: Committee, keyholder_keys: Keys
) -> None:
    other = create_committee(SECTION, [(n, k.public_key()) for n, k in keyholder_keys], 3)
    mixed = shares_of(committee, keyholder_keys, (0, 1)) + shares_of(other, keyholder_keys, (2,))
    assert refused(committee.rebuild_key, mixed) == "SHARES_INVALID"
    theirs = shares_of(other, keyholder_keys, (0, 1, 2))
    assert refused(committee.rebuild_key, theirs) == "SHARES_INVALID"


def test_a_threshold_lower_than_the_committees_is_refused(
    committee: Committee, keyholder_keys: Keys
) -> None:
    two = shares_of(committee, keyholder_keys, (0, 1))
    assert refused(rebuild_committee_key, SECTION, two, committee.public_key, k=2) == (
        "SHARES_INVALID"
    )


def test_only_the_keyholder_can_decrypt_its_share(
    committee: Committee, keyholder_keys: Keys
) -> None:
    name, _ = keyholder_keys[0]
    _, someone_else = keyholder_keys[1]
    assert refused(decrypt_share, committee, name, someone_else) == "KEY_UNWRAP_FAILED"
    assert refused(decrypt_share, committee, name, generate_private_key()) == "KEY_UNWRAP_FAILED"
    assert refused(decrypt_share, committee, "陌生人", keyholder_keys[0][1]) == "SHARES_INVALID"


def test_a_share_moved_to_another_keyholder_or_section_is_refused(
    committee: Committee, keyholder_keys: Keys
) -> None:
    (a_name, a_key), (b_name, _) = keyholder_keys[0], keyholder_keys[1]
    a_share, b_share = committee.share_of(a_name), committee.share_of(b_name)
    # A's wrapped share filed as B's share (same recipient key, so only the binding can tell).
    moved = dataclasses.replace(committee, shares=(
        dataclasses.replace(b_share, blob=a_share.blob), *committee.shares[2:]))
    assert refused(decrypt_share, moved, b_name, a_key) == "BID_WRONG_SECTION"
    elsewhere = dataclasses.replace(committee, section_code=OTHER_SECTION)
    assert refused(decrypt_share, elsewhere, a_name, a_key) == "BID_WRONG_SECTION"


def test_a_published_commitment_that_does_not_match_is_caught_at_decryption(
    committee: Committee, keyholder_keys: Keys
) -> None:
    name, key = keyholder_keys[0]
    sealed = committee.share_of(name)
    altered = dataclasses.replace(committee, shares=(
        dataclasses.replace(sealed, commitment=bytes(32)), *committee.shares[1:]))
    assert refused(decrypt_share, altered, name, key) == "SHARES_INVALID"


def test_settings_are_validated(keyholder_keys: Keys) -> None:
    holders = [(n, k.public_key()) for n, k in keyholder_keys]
    for k in (1, 6, 0, True):
        assert refused(create_committee, SECTION, holders, k) == "COMMITTEE_INVALID"
    assert refused(create_committee, SECTION, holders[:1], 1) == "COMMITTEE_INVALID"
    assert refused(create_committee, "", holders, 3) == "COMMITTEE_INVALID"
    dup_name = [*holders[:4], (holders[0][0], generate_private_key().public_key())]
    assert refused(create_committee, SECTION, dup_name, 3) == "COMMITTEE_INVALID"
    dup_key = [*holders[:4], ("另一人", holders[0][1])]
    assert refused(create_committee, SECTION, dup_key, 3) == "COMMITTEE_INVALID"
    p384 = [*holders[:4], ("P-384", ec.generate_private_key(ec.SECP384R1()).public_key())]
    assert refused(create_committee, SECTION, p384, 3) == "KEY_UNSUPPORTED"


def test_json_round_trip_and_strict_parsing(committee: Committee) -> None:
    raw = committee.to_json()
    again = Committee.from_json(raw)
    assert again.to_json() == raw
    assert again.fingerprint == committee.fingerprint
    assert again.shares == committee.shares
    obj = json.loads(raw)
    broken: list[dict[str, object]] = [
        {**obj, "version": 2},
        {**obj, "k": 1},
        {**obj, "k": 6},
        {**obj, "public_key": "not base64!"},
        {**obj, "shares": obj["shares"][:2]},
        {**obj, "shares": [obj["shares"][0], *obj["shares"]]},
        {**obj, "extra": 1},
        {k: v for k, v in obj.items() if k != "shares"},
        {**obj, "shares": [{**obj["shares"][0], "index": 9}, *obj["shares"][1:]]},
        {**obj, "shares": [{**obj["shares"][0], "blob": "AAAA"}, *obj["shares"][1:]]},
    ]
    for bad in broken:
        assert refused(Committee.from_json, json.dumps(bad)) == "ENVELOPE_MALFORMED"
    assert refused(Committee.from_json, b"[]") == "ENVELOPE_MALFORMED"


def test_the_record_holds_no_share_or_private_key(
    committee: Committee, keyholder_keys: Keys
) -> None:
    raw = committee.to_json()
    key = committee.rebuild_key(shares_of(committee, keyholder_keys, (0, 1, 2)))
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    assert scalar not in raw and scalar.hex().encode() not in raw
    for share in shares_of(committee, keyholder_keys, (0, 1, 2, 3, 4)):
        value = share.value.to_bytes(32, "big")
        assert value not in raw and value.hex().encode() not in raw
    assert isinstance(committee.shares[0], EncryptedShare)


def test_no_shares_at_all_are_insufficient(committee: Committee) -> None:
    assert refused(committee.rebuild_key, []) == "SHARES_INSUFFICIENT"
    assert refused(rebuild_committee_key, SECTION, [], committee.public_key) == (
        "SHARES_INSUFFICIENT"
    )
