"""Keys the platform never holds (issue 12 §5, 电子招标投标办法 第二十八条), end to end with the
real tools: three keyholders make their key pairs with `ggzy-bid keyholder keygen`, the round is
configured with their public keys only, bidders seal with `ggzy-bid bid` (the data key shared
2-of-3 among the keyholders), one bidder opens its own bid with `ggzy-bid open`, and for another
bid two keyholders each unwrap their share on their side (`ggzy-bid keyholder unwrap-share`) and
the shares are handed in (`ggzy-bid keyholder hand-in`). And a round configured before envelope
version 2 still opens its version-1 bids. The tender notice publishes the keyholders'
fingerprints, and `ggzy-bid` seals only to keys that match them."""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from adapters.bidder.client import (
    CIPHERTEXT_FILE,
    ENVELOPE_FILE,
    BidderError,
    RoundKeys,
    build_package_file,
    check_announced,
    unwrap_dek,
)
from core.model.account import AccountKind
from core.model.outbox import OutboxEvent
from core.model.tendering import Round
from core.sealing.committee import decrypt_share
from core.services.tendering.scheduler import run_due
from tests.api.conftest import Api
from tests.api.test_api_bid_package import PDF, bearer, ggzy_bid, live_api, one_line_error
from tests.api.test_api_tendering import PLAINTEXT, Tender, pem
from tests.builders.legacy_sealing import create_committee, seal_bid_v1

__all__ = ["live_api"]  # the fixture, imported for this module's tests
PASSPHRASE = "the keyholder's own long passphrase"


def keygen(tmp: Path, i: int) -> tuple[Path, str]:
    """Keyholder ``i`` on its own machine: its encrypted private key and the public key PEM it
    gives the centre."""
    (tmp / "passphrase").write_text(PASSPHRASE)
    key, public = tmp / f"keyholder-{i}.pem", tmp / f"keyholder-{i}.pub.pem"
    done = ggzy_bid({}, "keyholder", "keygen", "--key", str(key), "--public", str(public),
                    "--passphrase-file", str(tmp / "passphrase"))
    assert done.returncode == 0, done.stderr
    assert "fingerprint" in done.stdout
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    return key, public.read_text()


def test_keyholders_make_their_keys_and_open_a_bid_the_bidder_did_not(
        api: Api, live_api: str, tmp_path: Path) -> None:
    holders = [keygen(tmp_path, i) for i in range(3)]
    # a second keygen never replaces a key, and a short passphrase is refused
    again = ggzy_bid({"GGZY_KEY_PASSPHRASE": PASSPHRASE}, "keyholder", "keygen", "--key",
                     str(holders[0][0]), "--public", str(tmp_path / "new.pub"))
    one_line_error(again, "KEY_FILE_EXISTS")
    short = ggzy_bid({"GGZY_KEY_PASSPHRASE": "short"}, "keyholder", "keygen", "--key",
                     str(tmp_path / "k.pem"), "--public", str(tmp_path / "k.pub"))
    one_line_error(short, "PASSPHRASE_TOO_SHORT")

    t = Tender.__new__(Tender)  # the usual tender, its round configured with these keys
    t.api = api
    _, t.owner = api.register("owner", "MA2Y0001", ["tenderer"])
    tp = api.tender_project(t.owner, api.project(t.owner)["code"])
    t.section = api.section(t.owner, tp["code"])["code"]
    t.deadline = api.container.clock.now() + timedelta(days=21)
    configured = api.client.post(f"/api/v1/sections/{t.section}/rounds", headers=t.owner, json={
        "bid_deadline": t.deadline.isoformat(), "threshold": 2,
        "keyholders": [{"name": f"开标密钥持有人{i}", "public_key_pem": public}
                       for i, (_, public) in enumerate(holders)]})
    assert configured.status_code == 201, configured.text
    published = configured.json()
    assert published["envelope_version"] == 2 and published["committee_public_key_pem"] is None
    assert [k["public_key_pem"] for k in published["keyholder_keys"]] == [
        public for _, public in holders]
    with api.container.session_factory() as s:  # stored: the public keys, nothing private
        stored = s.scalars(select(Round.committee)).one()
    assert json.loads(stored)["version"] == 2 and "PRIVATE" not in stored.upper()
    t.issue()

    pdf = tmp_path / "投标函.pdf"
    pdf.write_bytes(PDF)
    fingerprints = [k["fingerprint"] for k in published["keyholder_keys"]]
    bidders = {}
    for name, body8, price in (("b1", "MA2YB001", "40100000.00"),
                               ("b2", "MA2YB002", "39800000.00"),
                               ("b3", "MA2YB003", "41000000.00")):
        headers, uscc, _ = t.bidder(name, body8)
        env = {"GGZY_API": live_api, "GGZY_TOKEN": bearer(headers)}
        assert ggzy_bid(env, "keygen", str(tmp_path / f"{name}.pem")).returncode == 0
        pins = [a for f in fingerprints for a in ("--keyholder-fingerprint", f)]
        done = ggzy_bid(env, "bid", "--section", t.section, "--bidder-id", uscc, "--key",
                        str(tmp_path / f"{name}.pem"), "--out", str(tmp_path / name),
                        "--price", price, *pins, str(pdf))
        assert done.returncode == 0, done.stderr
        assert "shared 2 of 3" in done.stdout and "(verified)" in done.stdout
        envelope = json.loads((tmp_path / name / ENVELOPE_FILE).read_bytes())
        assert envelope["version"] == 2 and len(envelope["dek_shares"]) == 3
        bidders[name] = uscc
    # a bidder pinning other fingerprints (its tender documents) refuses to seal
    pinned = ggzy_bid({"GGZY_API": live_api, "GGZY_TOKEN": bearer(api.token("b1"))}, "seal",
                      "--section", t.section, "--bidder-id", bidders["b1"], "--key",
                      str(tmp_path / "b1.pem"), "--out", str(tmp_path / "pinned"),
                      "--keyholder-fingerprint", "00" * 32,
                      str(tmp_path / "b1" / "bid-package.zip"))
    one_line_error(pinned, "KEYHOLDERS_MISMATCH")

    supervisor = api.account("kh-supervisor", AccountKind.SUPERVISOR)
    keyholder_env = {"GGZY_API": live_api, "GGZY_TOKEN": bearer(supervisor),
                     "GGZY_KEY_PASSPHRASE": PASSPHRASE}
    early = ggzy_bid(keyholder_env, "keyholder", "unwrap-share", "--section", t.section,
                     "--key", str(holders[0][0]))
    one_line_error(early, "OPENING_WINDOW_NOT_OVER")  # before the deadline: nothing to unwrap

    api.container.clock.set(t.deadline)  # type: ignore[attr-defined]
    assert run_due(api.container.uow, api.container.signer) == 1
    for name in ("b1", "b2"):  # b3 never opens its own bid
        opened = ggzy_bid({"GGZY_API": live_api, "GGZY_TOKEN": bearer(api.token(name))},
                          "open", "--section", t.section, "--key", str(tmp_path / f"{name}.pem"),
                          str(tmp_path / name))
        assert opened.returncode == 0, opened.stderr
    api.container.clock.advance(timedelta(minutes=61))  # type: ignore[attr-defined]

    keyholder_env["GGZY_TOKEN"] = bearer(api.token("kh-supervisor"))
    lines = []
    for key, _ in holders[:2]:  # two of the three, each on its own machine
        done = ggzy_bid(keyholder_env, "keyholder", "unwrap-share", "--section", t.section,
                        "--key", str(key))
        assert done.returncode == 0, done.stderr
        lines += done.stdout.splitlines()
    assert len(lines) == 2  # one bid awaits: b3's
    wrong = ggzy_bid({**keyholder_env, "GGZY_KEY_PASSPHRASE": "not the passphrase"},
                     "keyholder", "unwrap-share", "--section", t.section, "--key",
                     str(holders[2][0]))
    one_line_error(wrong, "KEY_INVALID")

    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/opening/committee", 422,
                        "SHARES_INSUFFICIENT", headers=staff,
                        json={"shares": [lines[0].split()[1]]})
    share_file = tmp_path / "shares.txt"
    share_file.write_text("\n".join(lines) + "\n")
    handed = ggzy_bid({"GGZY_API": live_api, "GGZY_TOKEN": bearer(staff)}, "keyholder",
                      "hand-in", "--section", t.section, "--file", str(share_file))
    assert handed.returncode == 0, handed.stderr
    assert "opened_by_committee price 41000000.00" in handed.stdout
    closed = api.client.post(f"/api/v1/sections/{t.section}/opening/close", headers=staff)
    assert closed.status_code == 200, closed.text
    record = json.loads(closed.json()["body"])
    outcomes = {b["bidder_id"]: (b["outcome"], b["price"]) for b in record["bids"]}
    assert outcomes == {bidders["b1"]: ("opened_by_bidder", "40100000.00"),
                        bidders["b2"]: ("opened_by_bidder", "39800000.00"),
                        bidders["b3"]: ("opened_by_committee", "41000000.00")}


def test_a_keyholder_share_that_is_not_the_committed_one_is_refused_and_named(
        api: Api, tmp_path: Path) -> None:
    from adapters.bidder.client import unwrap_shares
    from core.sealing.envelope import Envelope
    from core.sealing.shamir import PRIME, Share

    t = Tender(api)
    t.issue()
    sealed = {}
    for name, body8 in (("b1", "MA2YB001"), ("b2", "MA2YB002"), ("b3", "MA2YB003")):
        headers, uscc, key = t.bidder(name, body8)
        sealed[name] = t.seal(tmp_path, uscc, key)
        assert t.submit(headers, sealed[name]).status_code == 201
    api.container.clock.set(t.deadline + timedelta(minutes=61))  # type: ignore[attr-defined]
    run_due(api.container.uow, api.container.signer)
    envelope = Envelope.from_json((sealed["b1"] / ENVELOPE_FILE).read_bytes())
    good = [base64.b64decode(s.share) for k in t.keyholders[:2]
            for s in unwrap_shares([(None, envelope)], k)]
    share = Share.from_bytes(good[1])
    bad = Share(share.index, (share.value + 1) % PRIME, share.k, share.committee_fingerprint)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    problem = api.unchanged_after(
        "POST", f"/api/v1/sections/{t.section}/opening/committee", 422, "SHARES_INVALID",
        headers=staff, json={"shares": [base64.b64encode(good[0]).decode(),
                                        base64.b64encode(bad.to_bytes()).decode()]})
    assert "keyholder-1" in json.dumps(problem, ensure_ascii=False)  # whose share it is
    r = api.client.post(f"/api/v1/sections/{t.section}/opening/committee", headers=staff,
                        json={"shares": [base64.b64encode(s).decode() for s in good]})
    assert r.status_code == 200, r.text
    assert [(x["outcome"], x["price"]) for x in r.json()] == [
        ("opened_by_committee", "40100000.00")]  # only the bid the shares name


def test_a_round_configured_before_v2_still_opens_its_v1_bids(api: Api, tmp_path: Path) -> None:
    """Its stored committee record (made by the old code path) and bids sealed to it: the
    bidder's key and the keyholders' committee shares open them, as before."""
    t = Tender(api)
    t.issue()
    names = [f"keyholder-{i}" for i in range(3)]
    committee = create_committee(t.section, list(zip(names, [k.public_key()
                                                             for k in t.keyholders],
                                                         strict=True)), 2)
    with api.container.session_factory() as s:  # as the round was stored before v2
        s.scalars(select(Round)).one().committee = committee.to_json().decode()
        s.commit()
    published = api.client.get(f"/api/v1/sections/{t.section}/rounds/current",
                               headers=t.owner).json()
    assert published["envelope_version"] == 1 and published["keyholder_keys"] == []
    assert published["committee_public_key_pem"]
    keys = {}
    for name, body8, price in (("b1", "MA2YB001", "40100000.00"),
                               ("b2", "MA2YB002", "39800000.00"),
                               ("b3", "MA2YB003", "41000000.00")):
        headers, uscc, key = t.bidder(name, body8)
        out = tmp_path / name
        out.mkdir()
        blob = io.BytesIO()
        env = seal_bid_v1(io.BytesIO(PLAINTEXT.replace(b"40100000.00", price.encode())), blob,
                          t.section, uscc, key.public_key(), committee.public_key)
        (out / ENVELOPE_FILE).write_bytes(env.to_json())
        (out / CIPHERTEXT_FILE).write_bytes(blob.getvalue())
        assert t.submit(headers, out).status_code == 201
        keys[name] = (out, key)
    # a v2 bid is not what this round takes
    h4, id4, k4 = t.bidder("b4", "MA2YB004")
    v2 = t.seal(tmp_path, id4, k4, keyholder_pems=[pem(k) for k in t.keyholders])
    api.client.post(f"/api/v1/sections/{t.section}/registration", headers=h4)
    api.unchanged_after("POST", f"/api/v1/sections/{t.section}/bids", 422,
                        "BID_WRONG_COMMITTEE", headers=h4, files={
                            "envelope": ("e", (v2 / ENVELOPE_FILE).read_bytes()),
                            "ciphertext": ("b", (v2 / CIPHERTEXT_FILE).read_bytes())})

    api.container.clock.set(t.deadline)  # type: ignore[attr-defined]
    assert run_due(api.container.uow, api.container.signer) == 1
    out, key = keys["b1"]
    r = api.client.post(f"/api/v1/sections/{t.section}/opening/key", headers=api.token("b1"),
                        json={"dek": base64.b64encode(unwrap_dek(out, key)).decode()})
    assert r.status_code == 200 and r.json()["price"] == "40100000.00", r.text
    api.container.clock.advance(timedelta(minutes=61))  # type: ignore[attr-defined]
    shares = [base64.b64encode(decrypt_share(committee, names[i], t.keyholders[i]).to_bytes())
              .decode() for i in (0, 2)]
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    r = api.client.post(f"/api/v1/sections/{t.section}/opening/committee", headers=staff,
                        json={"shares": shares})
    assert r.status_code == 200, r.text
    assert sorted((x["outcome"], x["price"]) for x in r.json()) == [
        ("opened_by_committee", "39800000.00"), ("opened_by_committee", "41000000.00")]


def test_the_published_round_holds_no_private_key(api: Api) -> None:
    t = Tender(api)
    assert t.configure.status_code == 201, t.configure.text
    body = json.dumps(t.configure.json())
    for key in t.keyholders:
        scalar = key.private_numbers().private_value.to_bytes(32, "big")
        assert base64.b64encode(scalar).decode() not in body and scalar.hex() not in body
    assert "PRIVATE" not in body.upper()
    der = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert len(der) == 91  # what a P-256 public key is; the record holds three, nothing else
    record = api.client.get(f"/api/v1/sections/{t.section}/rounds/current/committee",
                            headers=t.owner).json()
    assert set(record) == {"version", "section_code", "k", "keyholders"}
    assert all(len(base64.b64decode(h["public_key"])) == 91 for h in record["keyholders"])


def _tender_notice(api: Api, t: Tender) -> dict[str, Any]:
    tp = api.client.get(f"/api/v1/sections/{t.section}", headers=t.owner).json()
    n = api.notice(t.owner, tp["tender_project_code"], [t.section])
    assert api.client.post(f"/api/v1/notices/{n['id']}/submit",
                           headers=t.owner).status_code == 200
    staff = api.account(f"notice-staff-{n['id']}", AccountKind.CENTRE_STAFF)
    published = api.client.post(f"/api/v1/notices/{n['id']}/approve", headers=staff)
    assert published.status_code == 200, published.text
    return dict(published.json())


def test_art_28_the_tender_notice_publishes_the_keyholders_and_ggzy_bid_checks_them(
        api: Api, live_api: str, tmp_path: Path) -> None:
    """电子办法 28: the tender notice fixes the keyholders' fingerprints at publication (and
    sends them to the platforms in its event); `ggzy-bid` seals only to keys that match them,
    and refuses keys changed after the notice — what a server swapping in keys of its own
    would hand out."""
    t = Tender(api)
    published = _tender_notice(api, t)
    current = api.client.get(f"/api/v1/sections/{t.section}/rounds/current",
                             headers=t.owner).json()
    assert current["tender_notice_id"] == published["id"]
    public = api.client.get(f"/api/v1/public/notices/{published['id']}").json()
    [announced] = public["keyholders"]
    assert (announced["section_code"], announced["round_no"], announced["threshold"]) == (
        t.section, 1, 2)
    assert [(k["index"], k["fingerprint"]) for k in announced["keyholders"]] == [
        (k["index"], k["fingerprint"]) for k in current["keyholder_keys"]]
    with api.container.session_factory() as s:
        event = s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "notice.published")).one()
    assert event.payload["keyholders"] == public["keyholders"]

    # the owner reconfigures the draft's keyholders after the notice: the notice stays as it was
    others = [ec.generate_private_key(ec.SECP256R1()) for _ in range(3)]
    body = {"bid_deadline": t.deadline.isoformat(), "threshold": 2, "deposit": "800000.00",
            "keyholders": [{"name": f"keyholder-{i}", "public_key_pem": pem(k)}
                           for i, k in enumerate(others)]}
    changed = api.client.put(f"/api/v1/sections/{t.section}/rounds/current", headers=t.owner,
                             json=body)
    assert changed.status_code == 200, changed.text
    assert api.client.get(f"/api/v1/public/notices/{published['id']}").json()["keyholders"] \
        == public["keyholders"]
    t.issue()
    headers, uscc, _ = t.bidder("b1", "MA2YB001")
    pdf = tmp_path / "投标函.pdf"
    pdf.write_bytes(PDF)
    package = tmp_path / "bid-package.zip"
    build_package_file(package, t.section, uscc, [pdf], {"price": "40100000.00"})
    env = {"GGZY_API": live_api, "GGZY_TOKEN": bearer(headers)}
    assert ggzy_bid(env, "keygen", str(tmp_path / "b1.pem")).returncode == 0
    seal = ("seal", "--section", t.section, "--bidder-id", uscc, "--key",
            str(tmp_path / "b1.pem"), "--out", str(tmp_path / "sealed"))
    refused = ggzy_bid(env, *seal, str(package))
    one_line_error(refused, "KEYHOLDERS_NOT_AS_PUBLISHED")
    assert f"tender notice {published['id']}" in refused.stderr
    assert not (tmp_path / "sealed" / ENVELOPE_FILE).exists()  # nothing sealed

    # announced again (a new notice for the changed keys): the keys match and it seals
    republished = _tender_notice(api, t)
    done = ggzy_bid(env, *seal, str(package))
    assert done.returncode == 0, done.stderr
    assert f"keyholder keys as published in tender notice {republished['id']}" in done.stdout
    # a bidder naming the old notice (the one it read in the media) is refused still
    pinned = ggzy_bid(env, *seal, "--notice-id", str(published["id"]), str(package))
    one_line_error(pinned, "KEYHOLDERS_NOT_AS_PUBLISHED")


def test_art_28_a_notice_not_listing_the_round_needs_pinned_fingerprints() -> None:
    """The client's check alone: a notice of another round proves nothing (``False``); the
    CLI then wants the fingerprints pinned (``KEYHOLDERS_NOT_PUBLISHED``)."""
    keys = RoundKeys(2, ("a", "b", "c"), (), ("aa", "bb", "cc"))
    notice = {"id": 7, "keyholders": [{"section_code": "S1", "round_no": 1, "threshold": 2,
                                       "keyholders": [{"index": i, "name": n, "fingerprint": f}
                                                      for i, (n, f) in enumerate(
                                                          zip("abc", ("aa", "bb", "cc"),
                                                              strict=True), start=1)]}]}
    assert check_announced(keys, notice, "S1", 1)
    assert not check_announced(keys, notice, "S1", 2)
    assert not check_announced(keys, {"id": 8, "keyholders": []}, "S1", 1)
    with pytest.raises(BidderError) as err:
        check_announced(RoundKeys(3, ("a", "b", "c"), (), ("aa", "bb", "cc")), notice, "S1", 1)
    assert err.value.code == "KEYHOLDERS_NOT_AS_PUBLISHED"
    with pytest.raises(BidderError):
        check_announced(RoundKeys(2, ("a", "b", "c"), (), ("aa", "cc", "bb")), notice, "S1", 1)
